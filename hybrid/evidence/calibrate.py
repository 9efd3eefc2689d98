"""A base scenario calibrated on a pilot file: the one way the command line
(``evidence --scenario BASE -o OUT``) and the Dataset page ("Measure what synthetic rows add", then
"Use these measurements") turn a file into a scenario, so the two give the same scenario, field for
field.

The steps, in order, because each uses the one before:

1. Profile the file (``profile_files``): counts, classes, tail share, and the annotators' agreement
   and kappa when annotator columns are named or found. These are the dataset fields the page
   writes on upload.
2. Put them into the base scenario before anything is fitted: the synthetic response is fitted at
   the scenario's human label noise, which the agreement sets, so fitting first and writing the
   agreement afterwards (as the command line once did) plans on a fit made for another
   agreement.
3. Measure and fit the synthetic response (``response.synthetic_response``) at that scenario.
4. Write the measured fields (``SyntheticResponseResult.apply_to``), keeping the pilot's own
   agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hybrid.evidence.harness import MAX_ROWS, ProgressFn, StopFn
from hybrid.evidence.pilot import measure
from hybrid.evidence.response import SyntheticResponseResult, synthetic_response
from hybrid.model.scenario import Scenario


@dataclass
class Calibration:
    """The measurement and the scenario it calibrated."""

    result: SyntheticResponseResult
    scenario: Scenario


def profiled_dataset(
    path: str | Path,
    *,
    label: str,
    source: str,
    text: str | None = None,
    annotators: Sequence[str] | None = None,
    name: str | None = None,
) -> dict:
    """The dataset fields the profile of ``path`` measures (``profile_to_dataset``), as JSON."""
    from hybrid.evidence.profile import profile_files, profile_to_dataset

    prof = profile_files(
        [path],
        label=label,
        annotators=list(annotators) if annotators else None,
        source=source,
        text=text,
        name=name,
    )
    return profile_to_dataset(prof).model_dump(mode="json")


def with_profile(base: Scenario, fields: dict, name: str) -> Scenario:
    """``base`` with the profiled dataset fields in place; an agreement the file does not measure
    (no annotator columns) is unknown, not the base's."""
    data = base.model_dump(mode="json", exclude_none=True)
    ds = dict(data.get("dataset") or {})
    for key, value in fields.items():
        if value is not None:
            ds[key] = value
        elif key in ("annotator_agreement", "kappa"):
            ds.pop(key, None)
    data["dataset"] = ds
    return Scenario.from_dict(data, name)


def calibrate(
    path: str | Path,
    base: Scenario,
    policy,
    *,
    label: str,
    source: str,
    text: str | None = None,
    annotators: Sequence[str] | None = None,
    model: str | None = None,
    metric: str = "accuracy",
    max_rows: int | None = MAX_ROWS,
    seed: int = 0,
    name: str | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    threads: int | None = None,
) -> Calibration:
    """``base`` calibrated on the pilot file at ``path`` (the module docstring's four steps).
    ``threads``: fits run at once (``harness.FitRunner``; default the cores free at the start)."""
    shown = name or str(path)
    fields = profiled_dataset(
        path, label=label, source=source, text=text, annotators=annotators, name=name
    )
    profiled = with_profile(base, fields, shown)
    result = measure(
        synthetic_response,
        Path(path),
        label,
        source,
        profiled,
        policy,
        text=text,
        model=model,
        metric=metric,
        max_rows=max_rows,
        seed=seed,
        name=shown,
        progress=progress,
        should_stop=should_stop,
        n_jobs=threads,
    )
    measured = result.apply_to(profiled)
    agreement = {k: fields.get(k) for k in ("annotator_agreement", "kappa")}
    return Calibration(result, with_profile(measured, agreement, shown))
