"""What generated rows add on top of human rows, measured on a pilot and fitted in the decision
model's own form (``SyntheticResponse``).

The human learning curve and the augmentation curve (human rows held fixed, synthetic rows added
in growing numbers) are scored on the same held-out human rows with the fixed model of
``hybrid.evidence.harness``; ``fit_response`` fits the decision model's value, saturation, floor
and floor exponent to the gains, with the policy's defaults as weak priors and paired standard
errors (``paired_noise``).
"""

from __future__ import annotations

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
    Task,
    check_metric,
    check_source,
    geometric_sizes,
    group_folds,
    growing_subsets,
    load_frame,
    marked_held_out,
    mean_points,
    model_name,
    planned_fits,
    score,
    split_by_source,
    subset_fits,
)
from hybrid.evidence.stats import RARE_FACTOR
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.scenario import FLOOR_EXPONENT_RANGE, Scenario, SyntheticResponse

# Starts of the response fit refined by least squares, of the grid screened by their cost
# (``fit_response``).
SCREENED_STARTS = 8


@dataclass
class SyntheticResponseResult:
    """The human learning curve and the augmentation curve of one pilot file, and their fit.

    ``human_points`` are ``(human rows, metric)``; ``augmentation_points`` are
    ``(human rows, synthetic rows, metric)``, every one scored on the same held-out human rows.
    ``fit`` is the decision model's synthetic response fitted to them (``SyntheticResponse``),
    ``errors`` the standard errors of its value, log10 saturation and floor.
    """

    human_points: list[tuple[int, float]]
    augmentation_points: list[tuple[int, int, float]]
    curve: CurveFit | None
    fit: SyntheticResponse | None
    errors: dict[str, float]
    floor: float
    fit_rmse: float | None
    human_rows: int
    synthetic_rows: int
    test_rows: int
    train_rows: int
    classes: int
    tail_share: float | None
    metric: str
    kind: str
    model: str
    plateau: bool
    declines: bool
    notes: list[str] = field(default_factory=list)
    held_out: bool = False  # scored on rows marked held out (``holdout_folds``), not cross-fitted
    fits: int = 0  # models trained
    reused: int = 0  # fits answered from an earlier one on the same rows

    def to_dict(self) -> dict:
        return {
            "held_out": self.held_out,
            "human_points": [[n, m] for n, m in self.human_points],
            "augmentation_points": [[h, s, m] for h, s, m in self.augmentation_points],
            "curve": None
            if self.curve is None
            else {
                "ceiling": self.curve.ceiling,
                "scale": self.curve.scale,
                "exponent": self.curve.exponent,
            },
            "response": None
            if self.fit is None
            else self.fit.model_dump(mode="json", exclude={"points"}),
            "standard_errors": self.errors,
            "floor": self.floor,
            "fit_rmse": self.fit_rmse,
            "human_rows": self.human_rows,
            "synthetic_rows": self.synthetic_rows,
            "test_rows": self.test_rows,
            "train_rows": self.train_rows,
            "classes": self.classes,
            "tail_share": self.tail_share,
            "metric": self.metric,
            "kind": self.kind,
            "model": self.model,
            "plateau": self.plateau,
            "declines": self.declines,
            "notes": self.notes,
        }

    def apply_to(self, scenario: Scenario) -> Scenario:
        """The scenario with every measured field filled in: counts, classes, tail share, the
        learning curve of the human rows and the synthetic response."""
        data = scenario.model_dump(mode="json", exclude_none=True)
        ds = dict(data.get("dataset") or {})
        ds.update(
            human_examples=self.human_rows,
            synthetic_examples=self.synthetic_rows,
            classes=max(2, self.classes),
        )
        if self.tail_share is not None:
            ds["tail_share"] = self.tail_share
        # The pilot file is the dataset now: an agreement measured on the old one no longer holds
        # (the command line measures the pilot's own when it names annotator columns).
        for stale in (
            "synthetic_exchange_rate",
            "synthetic_exchange_accuracy",
            "synthetic_tail_coverage",
            "annotator_agreement",
            "kappa",
        ):
            ds.pop(stale, None)
        if self.fit is not None:
            ds["synthetic_response"] = self.fit.model_dump(mode="json", exclude_none=True)
        else:
            ds.pop("synthetic_response", None)
        data["dataset"] = ds
        data["economics"]["learning_curve"] = {
            "points": [[float(n), float(m)] for n, m in self.human_points],
            "measured_on": str(ds.get("source") or "the pilot")[:500],
        }
        return Scenario.from_dict(data, "evidence")

    def fitted_curve(self, scenario: Scenario, policy):
        """``(human rows, synthetic rows) -> metric`` along the fit, anchored at each base's
        measured
        score: the line drawn through the augmentation curve. None without a fit."""
        if self.fit is None or self.curve is None:
            return None
        top = max(h for h, _, _ in self.augmentation_points)
        inp = response_inputs(scenario, policy, self.human_points, top, self.fit.accuracy)
        model = response_model(
            inp,
            self.fit.value,
            self.fit.saturation,
            self.fit.floor,
            self.fit.accuracy,
            self.fit.floor_exponent,
        )
        start = {h: m for h, s_, m in self.augmentation_points if s_ == 0}

        def predict(base, xs):
            xs = np.asarray(xs, dtype=float)
            gain = model.metric_at(base - top, xs, 0.0) - model.metric_at(base - top, 0.0 * xs, 0.0)
            return start.get(base, float(model.metric_at(base - top, 0.0, 0.0))) + gain

        return predict


def response_inputs(scenario: Scenario, policy, curve_points, base_rows: int, accuracy: float):
    """Model inputs for the pilot itself: the measured human curve, ``base_rows`` human rows in
    hand and no synthetic rows yet, so ``metric_at(h - base_rows, s, 0)`` predicts a point."""
    from hybrid.model.economics import resolve_inputs

    data = scenario.model_dump(mode="json", exclude_none=True)
    ds = dict(data.get("dataset") or {})
    for stale in (
        "synthetic_response",
        "synthetic_exchange_rate",
        "synthetic_exchange_accuracy",
        "synthetic_tail_coverage",
    ):
        ds.pop(stale, None)
    ds.update(human_examples=int(base_rows), synthetic_examples=0)
    data["dataset"] = ds
    data["economics"]["learning_curve"] = {
        "points": [[float(n), float(m)] for n, m in curve_points]
    }
    data["economics"]["synthetic_label_accuracy"] = accuracy
    return resolve_inputs(Scenario.from_dict(data, "evidence"), policy)


def response_model(
    inp, value: float, saturation: float, floor: float, accuracy: float, floor_exponent: float = 2.0
):
    """``inp`` with a synthetic response (value, saturation, floor at the pilot's accuracy and how
    it grows with the synthetic share) and no synthetic rows in hand: the form ``fit_response``
    fits and the fitted line draws."""
    from dataclasses import replace as _replace

    return _replace(
        inp,
        synthetic_value=value,
        saturation=saturation,
        systematic_share=floor / max(1.0 - accuracy, _MIN_PILOT_ERROR),
        floor_exponent=floor_exponent,
        synthetic_now=0.0,
        synthetic_pool=0.0,
    )


# Nearest-neighbour search for derived rows is skipped above this many human x synthetic pairs.
_MAX_LINK_PAIRS = 2e8
# Human rows whose nearest human neighbour estimates the typical distance between them.
_TYPICAL_SAMPLE = 2_000


def derived_from(
    task: Task, human: np.ndarray, synthetic: np.ndarray, notes: list[str]
) -> np.ndarray:
    """For each synthetic row, the human row it was evidently made from, or -1.

    A synthetic row is taken to derive from its nearest human row when it lies closer to it than
    half the typical distance between neighbouring human rows (an augmentation, a paraphrase with
    most words kept). Such rows must stay on their source's side of a split, like exact
    duplicates; rows generated afresh (near a class centre, say) link to nothing.
    """
    out = np.full(len(synthetic), -1)
    if len(human) < 3 or len(synthetic) == 0:
        return out
    if float(len(human)) * len(synthetic) > _MAX_LINK_PAIRS:
        notes.append("too many rows to look for synthetic rows made from human ones; none linked")
        return out
    if task.kind == "text":
        feats, metric = task.X, "cosine"
    else:
        frame = task.X
        cols = []
        for c in frame.columns:
            v = frame[c]
            v = (
                v.cat.codes.astype(float)
                if isinstance(v.dtype, pd.CategoricalDtype)
                else pd.to_numeric(v, errors="coerce")
            )
            cols.append(v.to_numpy(dtype=float))
        feats = np.column_stack(cols) if cols else np.zeros((len(task.y), 1))
        scale = np.nanstd(feats[human], axis=0)
        feats = np.nan_to_num(
            (feats - np.nanmean(feats[human], axis=0)) / np.where(scale > 0, scale, 1.0)
        )
        metric = "euclidean"
    from sklearn.metrics import pairwise_distances_argmin_min, pairwise_distances_chunked

    # The typical distance is a median: a sample of the human rows estimates it as well as all of
    # them, at a fraction of the all-pairs search.
    probe = np.arange(len(human))
    if len(human) > _TYPICAL_SAMPLE:
        probe = np.sort(np.random.default_rng(0).choice(len(human), _TYPICAL_SAMPLE, replace=False))
    reference = feats[human]

    def nearest_other(chunk, start):
        rows = probe[start : start + chunk.shape[0]]
        chunk[np.arange(chunk.shape[0]), rows] = np.inf
        return chunk.min(axis=1)

    nearest = np.concatenate(
        list(
            pairwise_distances_chunked(
                feats[human[probe]], reference, reduce_func=nearest_other, metric=metric
            )
        )
    )
    typical = float(np.median(nearest))
    idx, dist = pairwise_distances_argmin_min(feats[synthetic], reference, metric=metric)
    linked = dist < 0.5 * typical
    out[linked] = human[idx[linked]]
    if linked.any():
        notes.append(_linked_note(int(linked.sum()), len(synthetic), nearest, 0.5 * typical))
    return out


def _linked_note(linked: int, synthetic: int, nearest: np.ndarray, within: float) -> str:
    """What the linked rows are, judged against chance.

    Independent rows also fall near a human row now and then, more often the fewer the features
    (in four dimensions about one in twenty lies within half the typical distance). The human rows
    themselves show how often: the share of them whose nearest other human row is that close. A
    count well above what that share predicts is augmentation; one near it is chance, and the
    note says so rather than calling independent rows copies. The rows stay linked either way,
    which only keeps them on one side of a split.
    """
    chance = float(np.mean(nearest < within)) * synthetic
    if linked > 2.0 * chance + 3.0:
        return (
            f"{linked:,} synthetic rows look made from particular human rows (augmentations; "
            f"chance would put about {chance:,.0f} that close); each stays on its source row's "
            "side of every split"
        )
    return (
        f"{linked:,} synthetic rows lie unusually close to a human row, about as many as chance "
        f"puts there ({chance:,.0f} expected), so they look generated independently, not made "
        "from those rows; each still stays on that row's side of every split"
    )


def fit_response(
    inp,
    points: Sequence[tuple[int, int, float]],
    base_rows: int,
    accuracy: float,
    noise: float = 0.005,
    generation: str = "generated",
    refined: int | None = SCREENED_STARTS,
):
    """Fit value, saturation k, floor and floor exponent to the augmentation curve, in the
    planner's own form.

    The residuals are gains over each base's no-synthetic score, so the human curve's own misfit
    at a base does not leak into the synthetic terms. Bounded least squares (SciPy
    ``least_squares``) from a small grid of starts, since the saturation and the floor trade off;
    standard errors from the Jacobian at the optimum. The grid is screened first: its starts are
    ranked by their cost and only the ``refined`` best are refined (multi-start optimisation with
    a screening stage, Rinnooy Kan and Timmer, Math. Programming 1987). On the bundled pilot, the
    newcomer pilots and both benchmark pilots the optimum is the full grid's within the solver's
    tolerance, at a ninth of the time (72 starts, 8 refined).

    The policy's defaults enter as weak priors (maximum a posteriori): each counts like one more
    measurement, at ``noise`` (the scores' standard error), for a value one away and a saturation a
    decade away from the default, and an exponent of 2 (Dohmatob et al.'s quadratic bias) held like
    one more point, within ``FLOOR_EXPONENT_RANGE``. Where the pilot cannot tell the terms apart (a
    flat curve fits
    many saturations) the fit stays near the defaults instead of wandering to a bound.

    First-pass labels (``prelabel``) are put on real inputs from the team's pool: a correctly
    labeled one is a human-labeled row, worth one, and their diversity is the pool's, so they
    saturate at the policy's rate, not the pilot's. Only the floor, what their repeated errors
    cost, is fitted; otherwise the pilot's damage from wrong labels could be read as a low worth of
    right ones, and reviewed first-pass labels would be priced as if review could not repair them.
    """
    from scipy.optimize import least_squares

    by_base: dict[int, dict[int, float]] = {}
    for h, s_, m in points:
        by_base.setdefault(int(h), {})[int(s_)] = float(m)
    rows = [
        (h, s_, m - sizes[0])
        for h, sizes in by_base.items()
        if 0 in sizes
        for s_, m in sizes.items()
        if s_ > 0
    ]
    if len(rows) < 3:
        return None, {}, 0.0, None
    h = np.array([r[0] for r in rows], dtype=float)
    sy = np.array([r[1] for r in rows], dtype=float)
    gain = np.array([r[2] for r in rows], dtype=float)
    err_pilot = max(1.0 - accuracy, _MIN_PILOT_ERROR)

    def predict(theta):
        value, log_k, floor, gamma = theta
        model = response_model(inp, value, 10.0**log_k, floor, accuracy, gamma)
        return model.metric_at(h - base_rows, sy, 0.0) - model.metric_at(
            h - base_rows, 0.0 * sy, 0.0
        )

    lower = np.array([1e-3, -1.3, 0.0, FLOOR_EXPONENT_RANGE[0]])
    upper = np.array([1.0, 4.0, 1.0, FLOOR_EXPONENT_RANGE[1]])
    prior_value = float(inp.synthetic_value)
    prior_log_k = float(np.log10(inp.saturation)) if np.isfinite(inp.saturation) else 3.0
    prior_floor = float(inp.systematic_share) * err_pilot

    fixed = generation == "prelabel"
    held = np.array([1.0, min(max(prior_log_k, lower[1]), upper[1])])

    def full(t):
        return np.concatenate([held, t]) if fixed else t

    def residuals(t):
        t = full(t)
        prior = (
            _PRIOR_WEIGHT
            * noise
            * np.array(
                [t[0] - prior_value, t[1] - prior_log_k, (t[2] - prior_floor) / 0.1, t[3] - 2.0]
            )
        )
        return np.concatenate([predict(t) - gain, prior[2:] if fixed else prior])

    free = slice(2, 4) if fixed else slice(0, 4)
    lo, hi = lower[free], upper[free]
    floors = [(f0, g0) for f0 in (0.0, 0.05, 0.3) for g0 in (1.2, 1.9)]
    starts = (
        floors
        if fixed
        else [
            (v0, k0, *f) for v0 in (0.05, 0.3, 1.0) for k0 in (-0.5, 0.5, 1.5, 3.0) for f in floors
        ]
    )
    starts = [np.clip(start, np.add(lo, 1e-9), np.subtract(hi, 1e-9)) for start in starts]
    if refined is not None and len(starts) > refined:
        cost = [float(np.sum(residuals(start) ** 2)) for start in starts]
        starts = [starts[i] for i in np.argsort(cost, kind="stable")[:refined]]
    best = None
    for start in starts:
        res = least_squares(residuals, start, bounds=(lo, hi), method="trf")
        if best is None or res.cost < best.cost:
            best = res
    theta = full(best.x)
    value, log_k, floor, gamma = (float(x) for x in theta)
    dof = max(1, len(gain) - len(best.x))
    names = ("value", "log10_saturation", "floor", "floor_exponent")[free]
    errors: dict[str, float] = {}
    try:
        jtj = best.jac.T @ best.jac
        cov = np.linalg.pinv(jtj) * (2.0 * best.cost / dof)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        errors = {n: float(e) for n, e in zip(names, se, strict=False)}
    except np.linalg.LinAlgError:
        pass
    rmse = float(np.sqrt(np.mean((predict(theta) - gain) ** 2)))
    return (value, 10.0**log_k, floor, gamma), errors, rmse, predict


def paying_ratio(top: Sequence[tuple[int, float]], base: int) -> float:
    """Synthetic rows per human row up to which the pilot saw synthetic rows pay, at its largest
    base.

    The best-scoring batch at the largest human base (no synthetic rows at all when none beat the
    human rows alone): past it the pilot measured no further gain (a plateau, or a fall), so the
    plan credits nothing more there. The largest base is the one nearest the plans, whose human
    counts start at the pilot's;
    at a small base synthetic rows fill gaps that more human rows close, so their ratio would
    credit too much. Forecasting a gain beyond what was measured is what the validation benchmark
    showed over-predicting, by 8 to 16 points for plans buying ten times the pilot's batch
    (benchmarks/RESULTS-validation.md).
    """
    paying = max(top, key=lambda point: (point[1], -point[0]))[0]
    return float(paying) / float(base)


def cross_folds(task: Task, human: np.ndarray, test_share: float, seed: int, repeats: int):
    """Cross-fitting: every human row held out once, fold by fold (stratified, no duplicate on both
    sides), so a pilot of a few hundred rows scores on all of them, not on one split."""
    n_folds = max(2, int(round(1.0 / test_share)))
    folds = group_folds(
        task.y[human], None if task.groups is None else task.groups[human], n_folds, seed
    )
    return [(human[tr], human[te]) for tr, te in folds][: max(1, repeats)]


def paired_noise(scores: dict, changed: dict, test_rows: int) -> float:
    """Standard error of one measured gain, the unit in which the fit weighs the policy's priors.

    A gain is the difference of two models' scores on the same test rows, so its error is the
    paired one (McNemar's test): about ``sqrt(d / n)`` for a share ``d`` of the ``n`` test rows
    whose prediction the synthetic batch changed. It is the median over the measured batches, and
    never less than the spread between folds. The spread alone misses that every fold shares the
    pilot's few test rows: with a fixed held-out set it sees only the training rows' ordering, and
    would let a pilot of 75 test rows overrule the priors.
    """
    spreads = [np.std(v, ddof=1) / np.sqrt(len(v)) for v in scores.values() if len(v) > 1]
    paired = [np.sqrt(np.mean(d) / max(1, test_rows)) for d in changed.values() if d]
    parts = [float(np.median(x)) for x in (spreads, paired) if x]
    return max(0.002, *parts) if parts else 0.005


# Assignments of human rows to folds the human learning curve averages over, on a pilot of fewer
# than _SMALL_PILOT human rows; a larger pilot's folds hold enough test rows for one assignment.
_CURVE_REPEATS = 2
_SMALL_PILOT = 2_000
# Held-out human rows from which the human curve, too, is scored on them (and shares the
# augmentation curve's human-only fits); fewer are too few for its points and it is cross-fitted.
_CURVE_HELD_ROWS = 1_500
# The least synthetic batch worth a fit, as a share of the human rows it joins, and the fewest
# batches measured at every base (``_Design.batches``).
MIN_BATCH_SHARE = 1 / 16
MIN_BATCHES = 3
# Fewest held-out human rows (``source: holdout``) worth scoring on; fewer are cross-fitted instead.
MIN_HOLDOUT_ROWS = 30


def holdout_folds(
    task: Task, human: np.ndarray, marked: np.ndarray, repeats: int, notes: list[str]
):
    """Train and test rows when the pilot marks human rows the generator never saw, else None.

    A generator built from the pilot's human rows (augmenting them, paraphrasing them, or drawing
    near their class centres) has in effect seen every one of them, so cross-fitting scores its
    rows on data they were made from and credits them with a gain fresh data does not show
    (benchmarks/RESULTS-validation.md: +6 points measured, -1 on fresh rows). Rows set aside
    before generation are an honest test set for the augmentation curve, the practice of keeping
    evaluation data out of the generator's prompts (docs/model.md, "held-out rows"); the human
    curve stays cross-fitted on all human rows. The same split repeats ``repeats`` times
    with fresh orderings of the training rows, so subsets and synthetic batches vary. Training
    rows identical to a held-out row are left out, as cross-fitting keeps duplicates on one side.
    """
    held = human[marked]
    if len(held) == 0:
        return None
    rest = human[~marked]
    if (
        len(held) < MIN_HOLDOUT_ROWS
        or len(np.unique(task.y[held])) < 2
        or len(rest) < 2 * MIN_HOLDOUT_ROWS
    ):
        notes.append(
            f"{len(held):,} human rows are marked held out, too few to score on (at least "
            f"{MIN_HOLDOUT_ROWS} of two or more classes, with {2 * MIN_HOLDOUT_ROWS} other human "
            f"rows "
            "to train on); they were cross-fitted with the rest"
        )
        return None
    if task.groups is not None:
        dup = np.isin(task.groups[rest], task.groups[held])
        if dup.any():
            notes.append(
                f"{int(dup.sum()):,} human rows identical to a held-out row left out of training"
            )
            rest = rest[~dup]
    notes.append(
        f"scored on the {len(held):,} human rows marked held out (never shown to the generator); "
        f"{len(rest):,} other human rows train"
    )
    return [(rest, held)] * max(1, repeats)


# Below this, a claimed accuracy cannot carry a measured floor: errors that small cannot cost
# points.
_MIN_PILOT_ERROR = 0.005
# How strongly the policy defaults hold the fit: each prior term counts like this many measurements.
_PRIOR_WEIGHT = 2.0
# A pilot's synthetic rows that gain less than this (one point) have levelled off.
_PLATEAU_GAIN = 0.01


@dataclass
class _Pilot:
    """A pilot file made ready: the task, its human and synthetic rows, which human rows are
    marked held out, and the notes so far."""

    task: Task
    human: np.ndarray
    synthetic: np.ndarray
    marked: np.ndarray
    notes: list[str]
    shown: str


def _read_pilot(data, label, source, text, model, max_rows, seed, name) -> _Pilot:
    frame, shown = load_frame(data, max_rows, seed, name)
    check_source(frame, source, label, shown)
    task, human, synthetic, notes = split_by_source(frame, label, source, text, model, shown, 60)
    return _Pilot(task, human, synthetic, marked_held_out(frame, source, task), notes, shown)


def _scoring_folds(pilot: _Pilot, generation: str, test_share: float, seed: int, repeats: int):
    """The augmentation curve's (train, test) human rows, and whether they are held-out rows."""
    folds = holdout_folds(pilot.task, pilot.human, pilot.marked[pilot.human], repeats, pilot.notes)
    if folds is not None:
        return folds, True
    if generation != "prelabel" and not pilot.marked.any():
        pilot.notes.append(
            "no human rows are marked holdout: if the generator saw these human rows (prompted "
            "with them, or built from them), the gains measured here are optimistic; set some "
            "aside before generating and mark them 'holdout' in the source column"
        )
    return cross_folds(pilot.task, pilot.human, test_share, seed, repeats), False


def _without_leaks(pilot: _Pilot, folds) -> tuple[np.ndarray, int]:
    """The synthetic rows that may train: a synthetic row identical to a test row would score
    itself. Returns the rows and how many were left out."""
    task, synthetic = pilot.task, pilot.synthetic
    if task.groups is None:
        return synthetic, 0
    test_groups = task.groups[np.concatenate([te for _, te in folds])]
    leaked = np.isin(task.groups[synthetic], test_groups)
    if leaked.any():
        pilot.notes.append(
            f"{int(leaked.sum())} synthetic rows identical to human rows left out of the "
            "measurement"
        )
    if (~leaked).sum() < 10:
        raise InputError(
            f"{pilot.shown}: fewer than 10 synthetic rows differ from every human row; nothing to "
            "measure"
        )
    return synthetic[~leaked], int(leaked.sum())


def measured_batches(batches: Sequence[int], base: int) -> list[int]:
    """The synthetic batches worth measuring on top of ``base`` human rows: none (0), and each of
    ``batches`` of at least ``MIN_BATCH_SHARE`` of the base, keeping the ``MIN_BATCHES`` largest
    at least.

    A batch of a few percent of the rows it joins moves the metric by less than the pilot's test
    rows can tell apart, so its gain is noise the fit cannot use, at the price of a fit of the
    whole base. The grid's smallest batch is a sixteenth of the synthetic rows (``_design``); at
    a base larger than them, a sixteenth of the base is the least worth a fit. The fit needs a
    curve's shape at each base, so at least three batches stay. Pilots of a few hundred rows, whose
    bases are no larger than their synthetic rows, keep every batch.
    """
    ordered = sorted(set(batches))
    wanted = {s for s in ordered if s >= MIN_BATCH_SHARE * base}
    return [0] + sorted(wanted | set(ordered[-MIN_BATCHES:]))


@dataclass
class _Design:
    """What is fitted: the human curve's folds and sizes, the augmentation curve's folds, human
    bases and synthetic batch sizes."""

    curve_folds: list
    h_sizes: list[int]
    folds: list
    bases: list[int]
    s_sizes: list[int]
    train_rows: int
    test_rows: int
    shared: bool  # the human curve runs on the augmentation curve's folds and orderings

    def batches(self, base: int) -> list[int]:
        """The synthetic batches measured on top of ``base`` human rows (``measured_batches``)."""
        return measured_batches(self.s_sizes[1:], base)

    def fits(self) -> int:
        curve = planned_fits(len(self.curve_folds), self.h_sizes)
        aug = sum(
            planned_fits(len(self.folds), [b + s for s in self.batches(b)]) for b in self.bases
        )
        return curve + aug


def _design(
    pilot: _Pilot, folds, held_out, synthetic, test_share, seed, repeats, points
) -> _Design:
    """Bases of all and a quarter of the training human rows, and synthetic batches up to all of
    them. The human curve involves no generated row, so held-out rows need not be its only test
    rows: it is cross-fitted on every human row, over ``_CURVE_REPEATS`` assignments of rows to
    folds on a small pilot, since there one assignment moves a point by several points. When at
    least ``_CURVE_HELD_ROWS`` rows are held out, they score the human curve as precisely, and it
    runs on the augmentation curve's own split, through both bases, so the augmentation curve's
    human-only fits are the curve's (``FitRunner`` answers them from memory)."""
    task, human = pilot.task, pilot.human
    k = len(np.unique(task.y[human]))
    train_rows = min(len(tr) for tr, _ in folds)
    test_rows = int(len(np.unique(np.concatenate([te for _, te in folds]))))
    n_min = max(10, min(2 * k, train_rows // 8))
    bases = [train_rows]
    if train_rows // 4 >= max(n_min, 2 * k):
        bases.insert(0, train_rows // 4)
    s_sizes = [0] + geometric_sizes(max(10, len(synthetic) // 16), len(synthetic), points)
    shared = held_out and test_rows >= _CURVE_HELD_ROWS
    if shared:
        curve_folds = list(folds)
    else:
        assignments = _CURVE_REPEATS if len(human) < _SMALL_PILOT else 1
        curve_folds = [
            f
            for r in range(assignments)
            for f in cross_folds(task, human, test_share, seed + r, repeats)
        ]
    curve_train = min(len(tr) for tr, _ in curve_folds)
    h_sizes = geometric_sizes(max(10, min(2 * k, curve_train // 8)), curve_train, points + 1)
    if shared:
        # Each base takes the place of the curve's size nearest it (within half a doubling), so
        # the curve keeps its number of points and the base's fits serve both curves.
        for base in bases:
            near = min(h_sizes, key=lambda size, base=base: abs(np.log(size / base)))
            if abs(np.log(near / base)) < np.log(1.5) and near not in bases:
                h_sizes.remove(near)
        h_sizes = sorted(set(h_sizes) | set(bases))
    return _Design(curve_folds, h_sizes, folds, bases, s_sizes, train_rows, test_rows, shared)


def _augmentation_orders(design: _Design, synthetic, source_of, rng, h_orders=None):
    """Per fold of the augmentation curve: the human rows' order, the synthetic rows' order and
    the test rows. ``h_orders``: the human rows' order per fold when the human curve shares it
    (``_Design.shared``)."""
    orders = []
    for r, (h_train, h_test) in enumerate(design.folds):
        h_order = rng.permutation(h_train) if h_orders is None else h_orders[r]
        # Synthetic rows made from a held-out human row (an augmentation of it) would let the
        # test row leak into training: this fold trains without them.
        s_order = rng.permutation(synthetic[~np.isin(source_of, h_test)])
        orders.append((h_order, s_order, h_test))
    return orders


def _augmentation_series(design: _Design, orders):
    """Per human base: the growing-subsets runs (human rows of the base, then synthetic rows),
    the sizes (the base plus each batch worth measuring there, ``_Design.batches``) and the
    progress message."""
    n = len(orders)
    series = []
    for base in design.bases:
        runs = [(np.concatenate([h[:base], s]), te) for h, s, te in orders]

        def describe(r, size, base=base):
            if size == base:
                return f"human rows: {base:,} (fold {r + 1}/{n})"
            return f"{base:,} human + {size - base:,} synthetic rows (fold {r + 1}/{n})"

        series.append((base, runs, [base + s for s in design.batches(base)], describe))
    return series


def _curve_runs(design: _Design, h_orders):
    n = len(design.curve_folds)
    runs = [(order, te) for order, (_, te) in zip(h_orders, design.curve_folds, strict=True)]
    return runs, lambda r, s: f"human rows: {s:,} (fold {r + 1}/{n})"


def _human_curve(runner, task, design: _Design, h_orders, metric) -> list[tuple[int, float]]:
    runs, describe = _curve_runs(design, h_orders)
    scores: dict[int, list[float]] = {s: [] for s in design.h_sizes}
    for fit in growing_subsets(runner, task, runs, design.h_sizes, describe):
        scores[fit.size].append(score(metric, task.y[fit.test], fit.pred))
    return mean_points(scores)


def _augmentation_curve(runner, task, design: _Design, orders, metric):
    """Scores of each human base with growing synthetic batches, per fold, and per batch the
    share of test rows whose prediction the batch changed (``paired_noise``)."""
    scores: dict[tuple[int, int], list[float]] = {
        (b, s): [] for b in design.bases for s in design.batches(b)
    }
    changed: dict[tuple[int, int], list[float]] = {}
    for base, runs, sizes, describe in _augmentation_series(design, orders):
        base_pred: dict[int, np.ndarray] = {}
        for fit in growing_subsets(runner, task, runs, sizes, describe):
            batch = fit.size - base
            scores[(base, batch)].append(score(metric, task.y[fit.test], fit.pred))
            if batch == 0:
                base_pred[fit.run] = fit.pred
            elif fit.run in base_pred:
                changed.setdefault((base, batch), []).append(
                    float(np.mean(fit.pred != base_pred[fit.run]))
                )
    return scores, changed


def _fit_ahead(runner, task, design: _Design, h_orders, orders) -> None:
    """Every fit of both curves made at once, side by side (``FitRunner.fit_ahead``): one queue
    keeps the free cores busy to the end, where a queue per curve and base would leave one core
    idle while the last fit of each finishes."""
    runs, describe = _curve_runs(design, h_orders)
    planned = subset_fits(runs, design.h_sizes, describe)
    for _, runs, sizes, describe in _augmentation_series(design, orders):
        planned += subset_fits(runs, sizes, describe)
    runner.fit_ahead(task, [fit for _, _, fit in planned])


def _levelling(top: list[tuple[int, float]], base: int, notes: list[str]) -> tuple[bool, bool]:
    """(plateau, declines) of the augmentation curve at the largest base, with a note."""
    base_score = dict(top).get(0)
    best_gain = max((m for _, m in top), default=0.0) - (base_score or 0.0)
    last = top[-1][1] if top else None
    declines = base_score is not None and last is not None and last < base_score - 0.002
    # Levelled off: the largest batch adds nothing over the smaller ones, or the whole curve gains
    # under a point, within what a pilot can tell apart.
    plateau = bool(
        declines
        or best_gain < _PLATEAU_GAIN
        or (len(top) >= 3 and top[-1][1] <= max(m for _, m in top[:-1]) + 0.001)
    )
    if declines:
        notes.append(
            f"adding {top[-1][0]:,} synthetic rows to {base:,} human rows lowered the metric "
            f"from {base_score:.3f} to {last:.3f}"
        )
    elif plateau:
        notes.append(
            f"the synthetic rows' gain has levelled off (best +{100 * best_gain:.1f} points)"
        )
    return plateau, declines


def _fitted_response(
    scenario, policy, h_pts, aug, scores, changed, design: _Design, plateau, model, notes
):
    """The decision model's response fitted to the augmentation curve: (fit, standard errors,
    floor, rmse); no fit when there are too few gains."""
    accuracy = scenario.economics.synthetic_label_accuracy
    base = design.bases[-1]
    inp = response_inputs(scenario, policy, h_pts, base, accuracy)
    noise = paired_noise(scores, changed, design.test_rows)
    params, errors, rmse, _ = fit_response(
        inp, aug, base, accuracy, noise, scenario.economics.generation
    )
    if params is None:
        return None, errors, 0.0, rmse
    value, sat, floor, gamma = params
    err_pilot = max(1.0 - accuracy, _MIN_PILOT_ERROR)
    if floor > err_pilot:
        notes.append(
            f"the synthetic rows cost more metric than {1 - accuracy:.0%} label errors explain "
            "(they differ from real data in more than their labels); the plan keeps the "
            "measured loss"
        )
    top = [(s, m) for b, s, m in aug if b == base]
    fit = SyntheticResponse(
        value=float(min(1.0, max(1e-3, value))),
        saturation=float(min(10_000.0, max(0.05, sat))),
        systematic_share=float(min(1.0, floor / err_pilot)),
        floor=float(min(1.0, floor)),
        floor_exponent=float(min(FLOOR_EXPONENT_RANGE[1], max(FLOOR_EXPONENT_RANGE[0], gamma))),
        accuracy=accuracy,
        tail_weight=float(inp.tail_weight),
        tail_coverage=float(inp.tail_coverage),
        human_rows=int(base),
        synthetic_rows=int(max(design.s_sizes)),
        points=[(float(b), float(s), float(m)) for b, s, m in aug],
        plateau=plateau,
        measured_ratio=paying_ratio(top, base),
        model=model[:200],
    )
    return fit, errors, floor, rmse


def synthetic_response(
    data: str | Path | pd.DataFrame,
    label: str,
    source: str,
    scenario: Scenario,
    policy,
    *,
    text: str | None = None,
    model: str | None = None,
    metric: str = "accuracy",
    test_share: float = 0.3,
    points: int = 5,
    repeats: int = 3,
    max_rows: int | None = MAX_ROWS,
    seed: int = 0,
    name: str | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    n_jobs: int | None = None,
) -> SyntheticResponseResult:
    """Measure what synthetic rows add on top of human rows, and fit the model's response to it.

    Human rows are cross-fitted: split into folds with no duplicate on both sides, each fold held
    out in turn while the rest train. The human curve trains on growing subsets of the training
    folds. The augmentation curve holds human rows fixed (all of them, and a quarter of them) and
    adds synthetic rows in growing numbers. Every model is scored on the same held-out human rows,
    so the two curves compare; human rows the source column marks held out (``holdout``: never
    shown to the generator) are then the only test rows (``holdout_folds``). The scenario's
    generator accuracy is taken as the pilot's; its edge-case weight and tail coverage are the
    ones the fit is made at, so the plan reproduces what was measured.

    Points of many training rows use fewer folds (``harness.runs_at``), and a fit of rows fitted
    before is not repeated (``harness.FitRunner``).
    """
    check_metric(metric)
    if not 0.05 <= test_share <= 0.5:
        raise InputError(f"test_share: must be between 0.05 and 0.5 (got {test_share})")
    pilot = _read_pilot(data, label, source, text, model, max_rows, seed, name)
    task, human, notes = pilot.task, pilot.human, pilot.notes
    folds, held_out = _scoring_folds(
        pilot, scenario.economics.generation, test_share, seed, repeats
    )
    synthetic, leaked = _without_leaks(pilot, folds)
    design = _design(pilot, folds, held_out, synthetic, test_share, seed, repeats, points)
    runner = FitRunner(design.fits(), progress, should_stop, n_jobs)
    with runner.on_free_cores():
        source_of = derived_from(task, human, synthetic, notes)

    rng = np.random.default_rng(seed)
    h_orders = [rng.permutation(tr) for tr, _ in design.curve_folds]
    orders = _augmentation_orders(
        design, synthetic, source_of, rng, h_orders if design.shared else None
    )
    _fit_ahead(runner, task, design, h_orders, orders)
    h_pts = _human_curve(runner, task, design, h_orders, metric)
    scores, changed = _augmentation_curve(runner, task, design, orders, metric)
    runner.finish("synthetic response measured")
    aug = [(b, s, float(np.mean(v))) for (b, s), v in scores.items() if v]

    curve = None
    try:
        curve = fit_curve(h_pts)
    except InputError as exc:
        notes.append(f"human learning curve not fitted: {exc}")
    top = [(s, m) for b, s, m in aug if b == design.bases[-1]]
    plateau, declines = _levelling(top, design.bases[-1], notes)
    fit, errors, floor, rmse = None, {}, 0.0, None
    if curve is not None:
        fit, errors, floor, rmse = _fitted_response(
            scenario,
            policy,
            h_pts,
            aug,
            scores,
            changed,
            design,
            plateau,
            model_name(task.kind, task),
            notes,
        )
    counts = pd.Series(task.y[human]).value_counts()
    shares = counts / counts.sum()
    return SyntheticResponseResult(
        human_points=h_pts,
        augmentation_points=aug,
        curve=curve,
        fit=fit,
        errors=errors,
        floor=floor,
        fit_rmse=rmse,
        human_rows=len(human),
        synthetic_rows=len(synthetic) + leaked,
        test_rows=design.test_rows,
        train_rows=design.train_rows,
        classes=len(counts),
        tail_share=float(shares[shares < RARE_FACTOR / len(counts)].sum()),
        metric=metric,
        kind=task.kind,
        model=model_name(task.kind, task),
        plateau=plateau,
        declines=declines,
        notes=notes,
        held_out=held_out,
        fits=runner.fitted,
        reused=runner.reused,
    )
