"""Per-slice statistics for the work plan, from a data file or a DataFrame.

For each value of the slice column (the label column works too: the classes as slices): its human
rows, the observed pairwise agreement and kappa of the annotator columns on those rows, and, for
synthetic rows a human reviewed (a synthetic row with any annotator value), how often the reviewers
agreed with the generator's label: the generator's measured accuracy in that slice. The counts go
into ``hybrid.model.workplan.SliceStats``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hybrid.errors import InputError
from hybrid.evidence.agreement import agreement_from_counts
from hybrid.evidence.roles import Roles, source_kind
from hybrid.model.workplan import MAX_SLICES, SliceStats

MISSING = "(no value)"


@dataclass(frozen=True)
class SliceColumns:
    """The columns a work plan reads besides the slice column, and which of them were found by
    name rather than named by the person (``detected``: role names, for saying so)."""

    label: str | None = None
    annotators: tuple[str, ...] = ()
    source: str | None = None
    detected: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a person: which columns the plan read, and which were found by name."""
        parts = []
        for role, title, value in (
            ("annotators", "annotator columns", ", ".join(self.annotators)),
            ("label", "label column", self.label or ""),
            ("source", "source column", self.source or ""),
        ):
            how = " (found by name)" if role in self.detected else ""
            parts.append(f"{title} {value}{how}" if value else f"no {title}")
        return "Columns read: " + "; ".join(parts) + "."


def slice_columns(
    columns: Sequence[str],
    roles: Roles | Mapping,
    *,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
) -> SliceColumns:
    """The work plan's label, annotator and source columns: those named win, the rest are the
    file's detected roles (``roles.detect_roles``, as profiled). The Work plan page starts from
    these and the ``workplan`` command uses them, so both read the same columns of the same file;
    the command used to ignore the annotator columns unless named, and its quotas differed from
    the page's (2,570 human rows in a slice against the page's 2,161)."""
    get = roles.get if isinstance(roles, Mapping) else lambda key: getattr(roles, key, None)
    cols = [str(c) for c in columns]
    detected = []
    found_ann = tuple(c for c in (get("annotators") or ()) if c in cols)
    if not annotators and len(found_ann) >= 2:
        detected.append("annotators")
    found_label = get("label") if get("label") in cols else None
    if not label and found_label:
        detected.append("label")
    found_source = get("source") if get("source") in cols else None
    if not source and found_source:
        detected.append("source")
    return SliceColumns(
        label=label or found_label,
        annotators=tuple(annotators or ()) or (found_ann if len(found_ann) >= 2 else ()),
        source=source or found_source,
        detected=tuple(detected),
    )


def detect_slice_columns(
    path: str | Path,
    *,
    name: str | None = None,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
) -> SliceColumns:
    """``slice_columns`` of a file as the Dataset page profiles it (``profile_file``). A Label
    Studio export names its annotators itself (``read_slices`` finds them), so only the named
    columns are returned for it."""
    from hybrid.evidence.labelstudio import is_label_studio
    from hybrid.evidence.profile import profile_file

    if is_label_studio(path):
        return SliceColumns(label=label, annotators=tuple(annotators or ()), source=source)
    prof = profile_file(path, name=name, label=label, annotators=annotators, source=source)
    return slice_columns(
        [str(c) for c in prof.columns],
        prof.roles,
        label=label,
        annotators=annotators,
        source=source,
    )


class SliceList(list):
    """The slices, with ``notes``: what reading the file left out or changed (a Label Studio
    export's malformed results, anonymous annotations, annotators past the column cap)."""

    notes: list[str]

    def __init__(self, items=()):
        super().__init__(items)
        self.notes = []


def read_slices(
    path: str | Path,
    *,
    slice: str,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
    name: str | None = None,
) -> list[SliceStats]:
    """Per-slice statistics from any file the work plan reads: a Label Studio JSON export (its
    annotators found in the export, its label column ``label`` unless named) or a data file (any
    format profiling reads; only the needed columns are read)."""
    from hybrid.evidence.labelstudio import is_label_studio, read_label_studio
    from hybrid.evidence.profile import read_table

    annotators = list(annotators or []) or None
    shown = name or str(path)
    if is_label_studio(path):
        frame, found = read_label_studio(path)
        stats = slice_stats_frame(
            frame,
            slice=slice,
            label=label or "label",
            annotators=annotators or found or None,
            source=source or ("source" if "source" in frame.columns else None),
            name=shown,
        )
        stats.notes = list(frame.attrs.get("notes", []))
        return stats
    wanted = [slice] + [c for c in (label, source) if c] + list(annotators or [])
    frame = read_table(path, columns=list(dict.fromkeys(wanted)), name=shown)
    return slice_stats_frame(
        frame, slice=slice, label=label, annotators=annotators, source=source, name=shown
    )


def _check_values(name: str, col: str, values) -> None:
    """The values a work plan echoes into its CSV and reports (slices, labels, annotator choices)
    are held to the profiler's rule for data files: no formula-looking value (hybrid.evidence.scan;
    OWASP "CSV Injection"). Control characters are escaped where shown, as in profiles."""
    from hybrid.evidence.scan import FORMULA_RE
    from hybrid.safetext import shown

    for v in values:
        if isinstance(v, str) and FORMULA_RE.match(v):
            raise InputError(
                f"{name}: column {col!r} has a formula-looking value {shown(v[:40])!r}; "
                f"spreadsheet programs "
                "run such cells when results are opened. Remove the leading = + - @ or prefix the "
                "value with "
                "an apostrophe"
            )


def slice_stats_frame(
    frame, *, slice: str, label=None, annotators=None, source=None, name: str = "data"
) -> list[SliceStats]:
    for col in [slice] + [c for c in (label, source) if c] + list(annotators or []):
        if col not in frame.columns:
            shown_cols = ", ".join(map(str, list(frame.columns)[:20]))
            raise InputError(f"{name}: column {col!r} not found; columns are {shown_cols}")
    if annotators is not None and len(annotators) == 1:
        raise InputError("--annotators: name two or more columns separated by commas")
    for col in dict.fromkeys([slice] + [c for c in (label,) if c] + list(annotators or [])):
        _check_values(name, col, frame[col].dropna().astype("string").str.strip().unique())
    keys = _slice_keys(frame[slice])
    if source:
        # pd.isna, not ``v != v``: a nullable boolean's missing value (pd.NA) has no truth value.
        kinds = frame[source].map(lambda v: source_kind(None if _missing(v) else str(v), source))
        human = (kinds == "human").to_numpy()
        synthetic = (kinds == "synthetic").to_numpy()
    else:
        human = np.ones(len(frame), bool)
        synthetic = np.zeros(len(frame), bool)
    groups = keys.to_numpy()
    codes, uniques = pd.factorize(groups)
    names = sorted(uniques.tolist())
    if len(names) > MAX_SLICES:
        raise InputError(
            f"{name}: column {slice!r} has {len(names):,} values; a work plan lists at most "
            f"{MAX_SLICES:,} slices"
        )
    ann = list(annotators or [])
    ann_values = {a: frame[a].astype("string").str.strip().to_numpy() for a in ann}
    label_values = frame[label].astype("string").str.strip().to_numpy() if label else None
    chance = _chance_agreement([ann_values[a][human] for a in ann]) if len(ann) >= 2 else None
    # Rows of each slice found once (a stable sort by slice), so the work is rows + slices, not
    # rows x slices (19,999 slices over 200,000 rows took 140 s with a mask per slice).
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows_of = {uniques[k]: order[bounds[k] : bounds[k + 1]] for k in range(len(uniques))}
    out = SliceList()
    for g in names:
        in_g = rows_of[g]
        h_mask = in_g[human[in_g]]
        agreement = kappa = None
        if len(ann) >= 2:
            vals = [ann_values[a][h_mask] for a in ann]
            complete = np.ones(len(h_mask), bool)
            for v in vals:
                complete &= np.array(
                    [x is not None and x is not np.nan and str(x) not in ("", "<NA>") for x in v],
                    bool,
                )
            rows = int(complete.sum())
            if rows:
                counts = {}
                for a, v in zip(ann, vals, strict=False):
                    uniq, cnt = np.unique(v[complete].astype(str), return_counts=True)
                    counts[a] = dict(zip(uniq.tolist(), cnt.tolist(), strict=False))
                agree = {}
                for i in range(len(ann)):
                    for j in range(i + 1, len(ann)):
                        agree[(ann[i], ann[j])] = int(
                            (vals[i][complete].astype(str) == vals[j][complete].astype(str)).sum()
                        )
                agr = agreement_from_counts(ann, counts, agree, rows)
                if agr is not None:
                    agreement = float(agr.observed)
                    # Chance-corrected against the whole data's label mix, not the slice's own:
                    # inside a class-as-slice the annotators' marginals are nearly one label, so a
                    # slice-level kappa would call any agreement "chance" (see _chance_agreement).
                    if chance is not None and chance < 1.0 - 1e-12:
                        kappa = float(max(-1.0, min(1.0, (agreement - chance) / (1.0 - chance))))
                    elif agr.kappa is not None:
                        kappa = float(max(-1.0, min(1.0, agr.kappa)))
        reviewed = 0
        correct = 0.0
        s_mask = in_g[synthetic[in_g]]
        if ann and label_values is not None and len(s_mask):
            gen = label_values[s_mask].astype(str)
            votes = np.zeros(len(s_mask))
            present = np.zeros(len(s_mask))
            for a in ann:
                v = ann_values[a][s_mask]
                has = np.array([x is not None and str(x) not in ("", "<NA>") for x in v], bool)
                present += has
                votes += has & (v.astype(str) == gen)
            done = present > 0
            reviewed = int(done.sum())
            correct = float((votes[done] / present[done]).sum())
        out.append(
            SliceStats(
                name=str(g),
                rows=len(h_mask),
                agreement=agreement,
                kappa=kappa,
                reviewed=reviewed,
                reviewed_correct=correct,
                synthetic_rows=len(s_mask),
            )
        )
    return out


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array cell: present
        return False


def _slice_keys(values: pd.Series) -> pd.Series:
    """Slice names: text as written but trimmed, Unicode NFC (``é`` typed two ways is one slice),
    binary cells decoded (never ``bytearray(b'...')``), missing and blank cells ``(no value)``."""
    import unicodedata

    def key(v) -> str:
        if _missing(v):
            return MISSING
        if isinstance(v, (bytes, bytearray, memoryview)):
            v = bytes(v).decode("utf-8", errors="replace")
        text = unicodedata.normalize("NFC", str(v)).strip()
        return text or MISSING

    return pd.Series([key(v) for v in values.to_numpy()], index=values.index, dtype=object)


def _chance_agreement(columns: list) -> float | None:
    """Expected pairwise agreement by chance over all human rows with every annotator value, as
    ``agreement_from_counts`` defines it (Cohen: product of the two raters' marginals; Fleiss for
    more: the pooled marginals squared). Each slice's kappa is corrected by this one number, so
    slicing by the label column (every slice one class) measures agreement against the labels'
    real mix rather than against a slice where one label is nearly all there is."""
    if not columns or len(columns[0]) == 0:
        return None
    complete = np.ones(len(columns[0]), bool)
    for v in columns:
        complete &= np.array(
            [x is not None and x is not np.nan and str(x) not in ("", "<NA>") for x in v], bool
        )
    n = int(complete.sum())
    if not n:
        return None
    vals = [np.asarray(v[complete]).astype(str) for v in columns]
    if len(vals) == 2:
        a, b = vals
        ua, ca = np.unique(a, return_counts=True)
        cb = dict(zip(*np.unique(b, return_counts=True), strict=False))
        return float(
            sum(int(c) * int(cb.get(u, 0)) for u, c in zip(ua, ca, strict=False)) / (n * n)
        )
    _, pooled = np.unique(np.concatenate(vals), return_counts=True)
    p = pooled / (n * len(vals))
    return float((p**2).sum())
