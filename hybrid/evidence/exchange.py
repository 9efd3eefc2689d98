"""The exchange rate: how many human rows one synthetic row is worth, measured on a pilot.

With rows marked human or synthetic, train the fixed model (``hybrid.evidence.harness``) on human
rows and on synthetic rows at several sizes, score both on the same held-out human rows, and read
off how many human rows a synthetic row is worth, overall and on the rare classes. The ratio of the
two is the tail coverage ``phi`` of the decision model: generated data clusters at the centre of
the distribution (Shumailov et al., Nature 2024; Dohmatob et al., ICML 2024), and this measures by
how much, here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    check_metric,
    check_source,
    geometric_sizes,
    group_holdout,
    growing_subsets,
    load_frame,
    marked_held_out,
    mean_points,
    model_name,
    planned_fits,
    score,
    split_by_source,
)
from hybrid.evidence.response import holdout_folds
from hybrid.evidence.stats import RARE_FACTOR
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.scenario import Dataset


@dataclass
class ExchangeRateResult:
    """How many human rows one synthetic row is worth, measured on held-out human rows.

    ``exchange_rate`` is human rows per synthetic row (the decision model's ``q_s``);
    ``synthetic_per_human`` is its inverse, the number of synthetic rows that equal one human row.
    ``tail_coverage`` is the rare-class rate relative to the overall rate, clipped to [0, 1] (the
    model's ``phi``).
    """

    exchange_rate: float | None
    synthetic_per_human: float | None
    rare_exchange_rate: float | None
    tail_coverage: float | None
    human_points: list[tuple[int, float]]
    synthetic_points: list[tuple[int, float]]
    human_rare_points: list[tuple[int, float]]
    synthetic_rare_points: list[tuple[int, float]]
    per_size: list[dict]
    rare_classes: list[str]
    human_rows: int
    synthetic_rows: int
    test_rows: int
    metric: str
    kind: str
    model: str
    notes: list[str] = field(default_factory=list)

    def apply_to(self, dataset: Dataset | None) -> Dataset:
        """A copy of the dataset section with the measured values in place of the defaults."""
        base = dataset.model_dump() if dataset is not None else {}
        if self.exchange_rate is not None:
            base["synthetic_exchange_rate"] = float(min(10.0, max(1e-3, self.exchange_rate)))
        if self.tail_coverage is not None:
            base["synthetic_tail_coverage"] = float(min(1.0, max(0.0, self.tail_coverage)))
        return Dataset(**base)

    def to_dict(self) -> dict:
        return {
            "exchange_rate": self.exchange_rate,
            "synthetic_per_human": self.synthetic_per_human,
            "rare_exchange_rate": self.rare_exchange_rate,
            "tail_coverage": self.tail_coverage,
            "human_points": [[n, m] for n, m in self.human_points],
            "synthetic_points": [[n, m] for n, m in self.synthetic_points],
            "human_rare_points": [[n, m] for n, m in self.human_rare_points],
            "synthetic_rare_points": [[n, m] for n, m in self.synthetic_rare_points],
            "per_size": self.per_size,
            "rare_classes": self.rare_classes,
            "human_rows": self.human_rows,
            "synthetic_rows": self.synthetic_rows,
            "test_rows": self.test_rows,
            "metric": self.metric,
            "kind": self.kind,
            "model": self.model,
            "notes": self.notes,
        }


def equivalent_size(
    points: Sequence[tuple[int, float]], target: float, floor: float = 0.0
) -> tuple[float, str]:
    """Human rows needed to reach ``target``, read off the measured human curve.

    Inside the measured range: interpolation in log size between the bracketing points of the
    curve made monotone (running maximum). Below the smallest size: linear interpolation toward
    ``(0, floor)``, the score of a model that has seen no data (it predicts the most common
    class). Above the largest: the fitted power law if one fits (capped at 100 times the largest
    size), else the largest size as a lower bound. Returns (size, how) with how one of
    interpolated / below_range / extrapolated / at_least.
    """
    ns = np.array([p[0] for p in points], dtype=float)
    ms = np.maximum.accumulate(np.array([p[1] for p in points], dtype=float))
    if target < ms[0]:
        if target <= floor or ms[0] <= floor:
            return 0.0, "below_range"
        return float(ns[0] * (target - floor) / (ms[0] - floor)), "below_range"
    if target > ms[-1]:
        fit = try_fit(points)
        if fit is not None:
            need = fit.examples_for(target)
            if math.isfinite(need) and need >= ns[-1]:
                return min(need, ns[-1] * 100.0), "extrapolated"
        return float(ns[-1]), "at_least"
    j = int(np.searchsorted(ms, target, side="left"))
    if ms[j] == target:
        return float(ns[j]), "interpolated"
    lo_n, hi_n, lo_m, hi_m = ns[j - 1], ns[j], ms[j - 1], ms[j]
    t = (target - lo_m) / (hi_m - lo_m)
    return float(math.exp(math.log(lo_n) + t * (math.log(hi_n) - math.log(lo_n)))), "interpolated"


def try_fit(points: Sequence[tuple[int, float]]) -> CurveFit | None:
    try:
        return fit_curve(list(points))
    except InputError:
        return None


READ_INSIDE = ("interpolated", "below_range")


def rate_summary(rates: list[tuple[float, str]]) -> tuple[float | None, str]:
    usable = [r for r, how in rates if how in READ_INSIDE]
    if usable:
        return float(np.median(usable)), "median over sizes read inside the human curve"
    if rates:
        return float(np.median([r for r, _ in rates])), (
            "no synthetic size fell inside the measured human curve; bounds or extrapolation used"
        )
    return None, "no rates"


def exchange_rate(
    data: str | Path | pd.DataFrame,
    label: str,
    source: str,
    *,
    text: str | None = None,
    metric: str = "accuracy",
    test_share: float = 0.3,
    points: int = 5,
    repeats: int = 2,
    max_rows: int | None = MAX_ROWS,
    seed: int = 0,
    name: str | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    n_jobs: int | None = None,
    model: str | None = None,
) -> ExchangeRateResult:
    """Train on human rows and on synthetic rows at several sizes; score on held-out human rows.

    For each synthetic size, the human size reaching the same score is read off the human curve;
    their ratio is the exchange rate at that size. Rare classes are the human data's tail (share
    below half of uniform, as in the profile); the same reading on rare-class test rows gives the
    rare-class rate.
    """
    check_metric(metric)
    if not 0.05 <= test_share <= 0.5:
        raise InputError(f"test_share: must be between 0.05 and 0.5 (got {test_share})")
    frame, shown = load_frame(data, max_rows, seed, name)
    check_source(frame, source, label, shown)
    task, human, synthetic, notes = split_by_source(frame, label, source, text, model, shown, 40)
    y = task.y
    hy = y[human]
    counts = pd.Series(hy).value_counts()
    # Human rows the source column marks held out (never shown to the generator) are the honest
    # test rows, as in the synthetic response (``response.holdout_folds``); otherwise a share of
    # the human rows is held out here.
    marked = marked_held_out(frame, source, task)[human]
    folds = holdout_folds(task, human, marked, 1, notes)
    if folds is not None:
        h_train, h_test = folds[0]
    else:
        h_train, h_test = group_holdout(human, y, task.groups, test_share, seed)
    k = len(counts)
    shares = counts / counts.sum()
    rare = sorted(shares[shares < RARE_FACTOR / k].index.tolist())
    rare_set = set(rare)
    test_y = y[h_test]
    rare_mask = np.array([v in rare_set for v in test_y])
    if rare and rare_mask.sum() < 5:
        notes.append(f"only {int(rare_mask.sum())} held-out rows in rare classes: tail rate noisy")
    if not rare:
        notes.append(
            "no rare classes (all above half of uniform share): tail coverage not measured"
        )

    n_min = max(10, min(2 * k, len(h_train) // 8, len(synthetic) // 4))
    h_sizes = geometric_sizes(n_min, len(h_train), points + 1)
    s_sizes = geometric_sizes(n_min, len(synthetic), points)
    fits = planned_fits(repeats, h_sizes) + planned_fits(repeats, s_sizes)
    runner = FitRunner(fits, progress, should_stop, n_jobs)
    rng = np.random.default_rng(seed)

    def curve(pool: np.ndarray, sizes: list[int], what: str):
        overall: dict[int, list[float]] = {s: [] for s in sizes}
        tail: dict[int, list[float]] = {s: [] for s in sizes}
        runs = [(rng.permutation(pool), h_test) for _ in range(repeats)]
        for fit in growing_subsets(
            runner,
            task,
            runs,
            sizes,
            lambda r, size: f"{what} rows: {size:,} (repeat {r + 1}/{repeats})",
        ):
            overall[fit.size].append(score(metric, test_y, fit.pred))
            if rare_mask.any():
                tail[fit.size].append(float(np.mean(fit.pred[rare_mask] == test_y[rare_mask])))
        return mean_points(overall), mean_points(tail)

    h_pts, h_rare = curve(h_train, h_sizes, "human")
    s_pts, s_rare = curve(synthetic, s_sizes, "synthetic")
    runner.finish("exchange rate measured")
    if len(h_pts) < 2 or not s_pts:
        raise InputError(f"{shown}: too few rows with two or more classes to compare")

    majority = pd.Series(y[h_train]).value_counts().index[0]
    floor_overall = score(metric, test_y, np.full(len(test_y), majority, dtype=object))
    per_size = []
    rates: list[tuple[float, str]] = []
    rare_rates: list[tuple[float, str]] = []
    ratios: list[float] = []
    rare_by_size = dict(s_rare)
    for size, m in s_pts:
        eq, how = equivalent_size(h_pts, m, floor_overall)
        row = {
            "synthetic_rows": size,
            "score": m,
            "human_equivalent": eq,
            "how": how,
            "rate": eq / size,
        }
        rates.append((eq / size, how))
        if h_rare and size in rare_by_size:
            req, rhow = equivalent_size(h_rare, rare_by_size[size], 0.0)
            row.update(
                rare_score=rare_by_size[size],
                rare_human_equivalent=req,
                rare_how=rhow,
                rare_rate=req / size,
            )
            rare_rates.append((req / size, rhow))
            if how in READ_INSIDE and rhow in READ_INSIDE and eq > 0:
                ratios.append(req / eq)
        per_size.append(row)
    rate, how_note = rate_summary(rates)
    notes.append(f"exchange rate: {how_note}")
    rare_rate = None
    coverage = None
    if rare_rates:
        rare_rate, rare_note = rate_summary(rare_rates)
        notes.append(f"rare-class rate: {rare_note}")
        if ratios:
            coverage = float(min(1.0, max(0.0, float(np.median(ratios)))))
        elif rate:
            coverage = float(min(1.0, max(0.0, rare_rate / rate)))
    return ExchangeRateResult(
        exchange_rate=rate,
        synthetic_per_human=(1.0 / rate) if rate else None,
        rare_exchange_rate=rare_rate,
        tail_coverage=coverage,
        human_points=h_pts,
        synthetic_points=s_pts,
        human_rare_points=h_rare,
        synthetic_rare_points=s_rare,
        per_size=per_size,
        rare_classes=rare,
        human_rows=len(human),
        synthetic_rows=len(synthetic),
        test_rows=len(h_test),
        metric=metric,
        kind=task.kind,
        model=model_name(task.kind, task),
        notes=notes,
    )
