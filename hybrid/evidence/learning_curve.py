"""The learning curve of a pilot's human rows: the metric against human-labeled examples.

Train the fixed model (``hybrid.evidence.harness``) on growing subsets, cross-validated, score each
on held-out rows, and fit ``m(n) = ceiling - scale * n**(-exponent)`` (Hestness et al., 2017) to
the points. Mahmood et al. (CVPR 2022) show such fits over-predict when extrapolated from small
subsets, so the result carries a back-test: fit only the subsets up to a quarter of the data,
predict the score at the largest size, and report the absolute error.

Human rows only, always: the scenario's learning curve is the metric against human-labeled
examples (the decision model counts synthetic rows through their measured response), so training
on synthetic rows too would put today's point at the wrong size and height. A file whose source
column marks too few human rows is refused with the minimum; a file without a source column is
all human rows (as the profile counts it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hybrid.errors import InputError
from hybrid.evidence.harness import (
    MAX_ROWS,
    FitRunner,
    ProgressFn,
    StopFn,
    check_learner,
    check_metric,
    check_source,
    geometric_sizes,
    group_folds,
    growing_subsets,
    load_frame,
    mean_points,
    model_name,
    planned_fits,
    prepare,
    score,
    source_kinds,
)
from hybrid.evidence.roles import detect_roles
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.scenario import LearningCurveSpec

# Fewest human rows a learning curve is measured on: its back-test fits three sizes of at least ten
# rows up to a quarter of the rows, so a quarter must hold ten.
MIN_HUMAN_ROWS = 40


@dataclass
class LearningCurveResult:
    """Measured points, the fitted curve, and how well a small-data fit predicted the largest."""

    points: list[tuple[int, float]]
    fit: CurveFit | None
    backtest_error: float | None
    backtest: dict
    metric: str
    kind: str
    model: str
    rows: int
    classes: int
    cv: int
    notes: list[str] = field(default_factory=list)
    fold_scores: dict[int, list[float]] = field(default_factory=dict)
    source: str | None = None
    human_only: bool = False
    input_rows: int = 0

    def to_spec(self) -> LearningCurveSpec:
        """The Scenario's learning-curve section: the measured points themselves."""
        return LearningCurveSpec(points=[(float(n), float(m)) for n, m in self.points])

    def to_dict(self) -> dict:
        params = None
        if self.fit is not None:
            params = {
                "ceiling": self.fit.ceiling,
                "scale": self.fit.scale,
                "exponent": self.fit.exponent,
            }
        return {
            "points": [[int(n), float(m)] for n, m in self.points],
            "params": params,
            "ceiling": params["ceiling"] if params else None,
            "scale": params["scale"] if params else None,
            "exponent": params["exponent"] if params else None,
            "rmse": self.fit.rmse if self.fit else None,
            "backtest_error": self.backtest_error,
            "backtest": self.backtest,
            "metric": self.metric,
            "kind": self.kind,
            "model": self.model,
            "rows": self.rows,
            "classes": self.classes,
            "cv": self.cv,
            "source": self.source,
            "human_only": self.human_only,
            "input_rows": self.input_rows,
            "notes": self.notes,
        }


def human_rows(
    frame: pd.DataFrame, label: str, source: str | None, find_source: bool, shown: str
) -> tuple[pd.DataFrame, str | None, bool]:
    """The rows the learning curve trains on: (frame, source column, whether a source column
    picked them).

    With a source column (named, or found by name with ``find_source``) only the rows it marks
    human (held-out ones included); fewer than ``MIN_HUMAN_ROWS`` of them is an ``InputError``
    naming the minimum, never a switch to every row. Without one, every row is a human row.
    """
    if source is None and find_source:
        found = detect_roles([str(c) for c in frame.columns], file=shown).source
        source = found if found is not None and found != label else None
    if source is None:
        return frame, None, False
    check_source(frame, source, label, shown)
    human = source_kinds(frame, source) == "human"
    if human.sum() < MIN_HUMAN_ROWS:
        raise InputError(
            f"{shown}: {int(human.sum()):,} usable rows are marked human by source column "
            f"{source!r}; a learning curve needs at least {MIN_HUMAN_ROWS} human rows (it never "
            "trains on synthetic rows: it is the metric against human-labeled examples)"
        )
    return frame.loc[human].reset_index(drop=True), source, True


def learning_curve(
    data: str | Path | pd.DataFrame,
    label: str,
    *,
    text: str | None = None,
    metric: str = "accuracy",
    cv: int = 3,
    points: int = 7,
    max_rows: int | None = MAX_ROWS,
    seed: int = 0,
    name: str | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    n_jobs: int | None = None,
    source: str | None = None,
    find_source: bool = False,
    model: str | None = None,
) -> LearningCurveResult:
    """Cross-validated scores of the fixed model on growing subsets, and the curve through them.

    Sizes are geometric: ``points - 2`` of them up to a quarter of the rows (the back-test fits
    these), then two up to the full training fold. Subsets are nested within a fold, so each
    size adds rows to the last.

    Human rows only (``human_rows``): the rows a ``source`` column (named, or found by name with
    ``find_source``) marks human, or every row of a file without one.

    Large sizes are measured on fewer folds (``harness.runs_at``): the folds of a point of many rows
    differ little.
    """
    check_metric(metric)
    if cv < 2:
        raise InputError(f"cv: needs at least 2 folds (got {cv})")
    frame, shown = load_frame(data, max_rows, seed, name)
    frame, source, human_only = human_rows(frame, label, source, find_source, shown)
    input_rows = len(frame)
    task = prepare(frame, label, text=text, exclude=[source] if source else (), name=shown)
    task.learner = check_learner(model, task.kind)
    n = len(task.y)
    if cv > n:
        raise InputError(
            f"{shown}: {cv} cross-validation folds need at least {cv} labeled rows (got {n})"
        )
    quarter = n // 4
    classes = task.classes
    folds = group_folds(task.y, task.groups, cv, seed)
    n_train = min(len(tr) for tr, _ in folds)
    n_min = max(10, min(2 * classes, quarter // 4))
    if quarter < n_min or n_train <= quarter:
        raise InputError(
            f"{shown}: {n} labeled rows are too few for a learning curve with a back-test "
            f"(a quarter of the data must hold at least {n_min} rows)"
        )
    low = geometric_sizes(n_min, quarter, max(3, points - 2))
    high = geometric_sizes(quarter, n_train, 3)[1:]
    sizes = sorted(set(low + high))
    runner = FitRunner(planned_fits(cv, sizes), progress, should_stop, n_jobs)
    rng = np.random.default_rng(seed)
    runs = [(rng.permutation(train), test) for train, test in folds]
    per_size: dict[int, list[float]] = {s: [] for s in sizes}
    for fit in growing_subsets(
        runner, task, runs, sizes, lambda r, s: f"fold {r + 1}/{cv}: training on {s:,} rows"
    ):
        per_size[fit.size].append(score(metric, task.y[fit.test], fit.pred))
    runner.finish("learning curve measured")
    pts = mean_points(per_size)
    notes = list(task.notes)
    fit = None
    try:
        fit = fit_curve(pts)
    except InputError as exc:
        notes.append(f"curve not fitted: {exc}")
    backtest: dict = {"fit_sizes": [s for s, _ in pts if s <= quarter], "at": pts[-1][0]}
    backtest_error = None
    small = [(s, m) for s, m in pts if s <= quarter]
    if len(small) >= 3:
        try:
            bfit = fit_curve(small)
            predicted = float(bfit.predict(pts[-1][0]))
            backtest.update(predicted=predicted, observed=pts[-1][1])
            backtest_error = abs(predicted - pts[-1][1])
        except InputError as exc:
            notes.append(f"back-test not possible: {exc}")
    else:
        notes.append("back-test needs three sizes up to a quarter of the data")
    return LearningCurveResult(
        points=pts,
        fit=fit,
        backtest_error=backtest_error,
        backtest=backtest,
        metric=metric,
        kind=task.kind,
        model=model_name(task.kind, task),
        rows=n,
        classes=classes,
        cv=cv,
        notes=notes,
        fold_scores=per_size,
        source=source,
        human_only=human_only,
        input_rows=input_rows,
    )
