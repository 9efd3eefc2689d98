"""Evidence from the team's own data: an empirical learning curve and a measured exchange rate.

Defaults say what a synthetic example is worth; a team's data can say it for their task. Two
measurements, both with one fixed, fast model so that the numbers compare across runs:

- Learning curve. Train on growing subsets, cross-validated, score each on held-out rows, and fit
  ``m(n) = ceiling - scale * n**(-exponent)`` (Hestness et al., 2017) to the points. Mahmood et al.
  (CVPR 2022) show such fits over-predict when extrapolated from small subsets, so the result
  carries a back-test: fit only the subsets up to a quarter of the data, predict the score at the
  largest size, and report the absolute error.
- Exchange rate. With rows marked human or synthetic, train on human rows and on synthetic rows at
  several sizes, score both on the same held-out human rows, and read off how many human rows a
  synthetic row is worth, overall and on the rare classes. The ratio of the two is the tail
  coverage ``phi`` of the decision model: generated data clusters at the centre of the
  distribution (Shumailov et al., Nature 2024; Dohmatob et al., ICML 2024), and this measures by
  how much, here.

The model is fixed per kind of data: text gets hashed word uni- and bigrams (the hashing trick,
Weinberger et al., ICML 2009) with a linear SVM trained by SGD; tabular data gets histogram
gradient boosting (Ke et al., LightGBM, NeurIPS 2017, as implemented in scikit-learn).

Long runs report progress through ``progress(fraction, message)`` and stop at the next model fit
when ``should_stop()`` returns True, raising ``Cancelled``; a page passes a function that notices
the user has left.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from hybrid.errors import InputError
from hybrid.evidence.profile import read_table
from hybrid.evidence.roles import _norm_name, detect_roles, source_kind
from hybrid.evidence.stats import RARE_FACTOR
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.scenario import Dataset, LearningCurveSpec

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]

MAX_ROWS = 200_000
MIN_ROWS = 30
MAX_TABULAR_CATEGORIES = 255
SMALL_FIT_ROWS = 20_000
# A text column is numeric when this share of its filled cells parse as numbers.
NUMERIC_SHARE = 0.95
# The learning curve keeps only human rows when a source column marks at least this many.
MIN_HUMAN_ROWS = 200
_ID_NAME_RE = re.compile(
    r"^(id|idx|index|key|row|rowid|row_?(id|no|nr|num|number|index)|unnamed(_\d+)?|column0|.+_id)$"
)


class Cancelled(Exception):
    """The caller asked to stop (the user left the page); nothing is returned."""


# ---------------------------------------------------------------------------------------------
# Data and model


@dataclass
class Task:
    """Features and labels ready for the fixed model."""

    kind: str
    X: object
    y: np.ndarray
    label: str
    features: list[str]
    name: str
    notes: list[str] = field(default_factory=list)
    kept: np.ndarray | None = None

    @property
    def classes(self) -> int:
        return len(np.unique(self.y))

    def rows(self, idx: np.ndarray):
        if isinstance(self.X, pd.DataFrame):
            return self.X.iloc[idx]
        return self.X[idx]


def text_features(n_classes: int) -> int:
    """Hash width: 2**18, narrowed for many classes so the K x F weight matrix stays ~16M."""
    width = 1 << 18
    while width > (1 << 14) and width * max(n_classes, 2) > (1 << 24):
        width >>= 1
    return width


def _text_matrix(texts: pd.Series, n_classes: int):
    from sklearn.feature_extraction.text import HashingVectorizer

    vec = HashingVectorizer(
        ngram_range=(1, 2),
        n_features=text_features(n_classes),
        alternate_sign=False,
        norm="l2",
        dtype=np.float32,
    )
    return vec.transform(texts.fillna("").astype(str))


def make_model(kind: str, n_jobs: int | None = None):
    """The fixed model: the same hyper-parameters at every size, so only the data varies."""
    if kind == "text":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss="hinge", alpha=1e-5, max_iter=5, tol=None, random_state=0, n_jobs=n_jobs
        )
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=40,
        learning_rate=0.2,
        max_leaf_nodes=15,
        min_samples_leaf=5,
        early_stopping=False,
        categorical_features="from_dtype",
        random_state=0,
    )


def numeric_values(s: pd.Series) -> pd.Series | None:
    """The column as floats when it holds numbers, else None.

    Numbers and booleans convert as they are; text (every CSV column arrives as text) converts
    when at least ``NUMERIC_SHARE`` of its filled cells parse as numbers, the rest becoming
    missing. Infinities become missing too (the model cannot split on them). Dates are not
    numbers here.
    """
    if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
        return None
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        out = s.astype(float)
    else:
        text = s.astype("string").str.strip()
        filled = text.notna() & (text != "")
        if not filled.any():
            return None
        parsed = pd.to_numeric(text.where(filled), errors="coerce")
        if parsed[filled].notna().mean() < NUMERIC_SHARE:
            return None
        out = parsed.astype("Float64").astype(float)
    return out.where(np.isfinite(out))


def _is_row_index(values: pd.Series, column: str, full: pd.Series) -> bool:
    """Whole numbers, distinct on every row, that number the rows rather than measure them:
    consecutive (0..n-1, 1..n or any run, before or after unlabeled rows are dropped) or named
    like an identifier (id, index, row_id, ..._id, the ``Unnamed: 0`` of a saved DataFrame)."""
    if values.isna().any() or values.nunique() != len(values):
        return False
    if not np.array_equal(values.to_numpy(), np.floor(values.to_numpy())):
        return False
    if values.max() - values.min() + 1 == len(values):
        return True
    whole = full.dropna()
    if len(whole) == len(full) and whole.nunique() == len(whole) and (
        whole.max() - whole.min() + 1 == len(whole)
    ):
        return True
    return bool(_ID_NAME_RE.match(_norm_name(str(column))))


def _tabular_frame(
    frame: pd.DataFrame,
    columns: list[str],
    numeric: dict[str, pd.Series],
    notes: list[str],
    dropped: list[str],
) -> pd.DataFrame:
    out = {}
    for c in columns:
        if c in numeric:
            out[c] = numeric[c]
            continue
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = (s - s.min()).dt.total_seconds()
            continue
        values = s.astype("string")
        distinct = values.nunique(dropna=True)
        if distinct > MAX_TABULAR_CATEGORIES:
            notes.append(f"column {c!r} left out: {distinct} distinct text values")
            dropped.append(f"{c!r} ({distinct} distinct text values)")
            continue
        out[c] = values.astype("category")
    return pd.DataFrame(out, index=frame.index)


def prepare(
    frame: pd.DataFrame,
    label: str,
    *,
    text: str | None = None,
    exclude: Sequence[str] = (),
    name: str = "data",
) -> Task:
    """Pick features: the text column if there is one, else every column that is not metadata.

    Annotator columns are left out (they restate the label), and so are the source and slice
    columns and identifiers. Numeric-looking columns are converted first (a CSV arrives as text),
    so a continuous feature, distinct on every row, stays in; an identifier is a non-numeric
    column with a distinct value on every row, or a whole-number column that numbers the rows.
    """
    if label not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{name}: no label column {label!r} (columns: {shown})")
    roles = detect_roles(
        [str(c) for c in frame.columns],
        {str(c): frame[c].head(300).tolist() for c in frame.columns},
        file=name,
        label=label,
        text=text,
    )
    y_raw = frame[label]
    keep = (y_raw.notna() & (y_raw.astype(str).str.strip() != "")).to_numpy()
    full = frame
    frame = frame.loc[keep].reset_index(drop=True)
    y = frame[label].astype(str).to_numpy()
    notes: list[str] = []
    if (~keep).sum():
        notes.append(f"{int((~keep).sum())} rows without a label left out")
    classes = np.unique(y)
    if len(classes) < 2:
        only = f" ({classes[0]!r})" if len(classes) else ""
        raise InputError(
            f"{name}: label column {label!r} has {len(classes)} class{only}; a classifier needs "
            "at least two"
        )
    if len(y) < MIN_ROWS:
        raise InputError(f"{name}: {len(y)} labeled rows; at least {MIN_ROWS} are needed")
    if roles.text:
        X = _text_matrix(frame[roles.text], len(classes))
        return Task("text", X, y, label, [roles.text], name, notes, keep)
    metadata = {
        **{c: "metadata" for c in exclude},
        **{a: "an annotator column" for a in roles.annotators},
        **({roles.source: "the source column"} if roles.source else {}),
        **({roles.slice: "the slice column"} if roles.slice else {}),
    }
    dropped = [f"{c!r} ({why})" for c, why in metadata.items() if c in frame.columns and c != label]
    cols = []
    numeric: dict[str, pd.Series] = {}
    for c in frame.columns:
        if c == label or c in metadata:
            continue
        s = frame[c]
        whole = numeric_values(full[c])
        if whole is not None:
            nums = whole.loc[keep].reset_index(drop=True)
            if len(s) > 20 and _is_row_index(nums, c, whole):
                notes.append(f"column {c!r} left out: an identifier (numbers every row)")
                dropped.append(f"{c!r} (an identifier: numbers every row)")
                continue
            numeric[c] = nums
        elif len(s) > 20 and s.nunique(dropna=True) == len(s):
            notes.append(f"column {c!r} left out: an identifier (distinct on every row)")
            dropped.append(f"{c!r} (an identifier: distinct text on every row)")
            continue
        cols.append(c)
    X = _tabular_frame(frame, cols, numeric, notes, dropped)
    if X.shape[1] == 0:
        left = "; left out: " + ", ".join(dropped[:12]) if dropped else ""
        more = f" and {len(dropped) - 12} more" if len(dropped) > 12 else ""
        raise InputError(
            f"{name}: no usable feature columns besides the label {label!r}{left}{more}"
        )
    return Task("tabular", X, y, label, list(X.columns), name, notes, keep)


METRICS = ("accuracy", "balanced_accuracy", "macro_f1")


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise InputError(f"metric: must be one of {', '.join(METRICS)} (got {metric!r})")


def score(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

    if metric == "accuracy":
        return float(accuracy_score(y_true, y_pred))
    if metric == "balanced_accuracy":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(balanced_accuracy_score(y_true, y_pred))
    _check_metric(metric)
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


class _Runner:
    """Counts fits for progress, honours cancellation, and silences sklearn's chatter."""

    def __init__(self, total: int, progress: ProgressFn | None, should_stop: StopFn | None):
        self.total = max(1, total)
        self.done = 0
        self.progress = progress
        self.should_stop = should_stop

    def fit_predict(self, task: Task, train: np.ndarray, test: np.ndarray, message: str,
                    n_jobs: int | None):
        if self.should_stop is not None and self.should_stop():
            raise Cancelled("stopped by the caller")
        if self.progress is not None:
            self.progress(self.done / self.total, message)
        model = make_model(task.kind, n_jobs)
        # OpenMP start-up dominates small gradient-boosting fits, and threads spinning on a busy
        # machine make them many times slower; one thread is faster below ~20k rows.
        threads = 1 if task.kind == "tabular" and len(train) < SMALL_FIT_ROWS else None
        with warnings.catch_warnings(), threadpool_limits(threads):
            warnings.simplefilter("ignore")
            model.fit(task.rows(train), task.y[train])
            pred = model.predict(task.rows(test))
        self.done += 1
        return pred

    def finish(self, message: str) -> None:
        if self.progress is not None:
            self.progress(1.0, message)


def _geometric_sizes(lo: int, hi: int, count: int) -> list[int]:
    if hi <= lo:
        return [hi]
    return sorted({int(round(v)) for v in np.geomspace(lo, hi, count)})


def _load(data, max_rows: int | None, seed: int, name: str | None) -> tuple[pd.DataFrame, str]:
    """A DataFrame as given, or a file read with the profiler's checks; sampled to ``max_rows``."""
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 0
    ):
        raise InputError(f"max_rows: must be a whole number >= 0 (got {max_rows!r})")
    if isinstance(data, pd.DataFrame):
        frame = data
        shown = name or "data"
        if max_rows and len(frame) > max_rows:
            frame = frame.sample(n=max_rows, random_state=seed).reset_index(drop=True)
        return frame, shown
    shown = name or str(data)
    frame = read_table(Path(data), max_rows=max_rows, seed=seed, name=shown)
    return frame, shown


# ---------------------------------------------------------------------------------------------
# Learning curve


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


def _model_name(kind: str, task: Task) -> str:
    if kind == "text":
        width = text_features(task.classes)
        return f"hashed word 1-2-grams ({width} features) + linear SVM (SGD, 5 epochs)"
    return "histogram gradient boosting (40 iterations, 15 leaves)"



def _human_only(
    frame: pd.DataFrame, label: str, source: str | None, find_source: bool, shown: str
) -> tuple[pd.DataFrame, str | None, bool, list[str]]:
    """The rows the learning curve trains on: (frame, source column, human only?, notes)."""
    if source is None and find_source:
        found = detect_roles([str(c) for c in frame.columns], file=shown).source
        source = found if found is not None and found != label else None
    if source is None:
        return frame, None, False, []
    if source not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{shown}: no source column {source!r} (columns: {cols})")
    if source == label:
        raise InputError(f"{shown}: column {source!r} cannot be both the label and the source")
    kinds = frame[source].map(lambda v: source_kind(None if pd.isna(v) else str(v), source))
    human = (kinds == "human").to_numpy()
    if human.sum() >= MIN_HUMAN_ROWS:
        return frame.loc[human].reset_index(drop=True), source, True, []
    notes = []
    if human.sum() < len(frame):
        notes.append(
            f"source column {source!r} marks {int(human.sum())} rows human, fewer than "
            f"{MIN_HUMAN_ROWS}: the curve uses all {len(frame):,} rows, synthetic ones included"
        )
    return frame, source, False, notes


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
    n_jobs: int | None = -1,
    source: str | None = None,
    find_source: bool = False,
) -> LearningCurveResult:
    """Cross-validated scores of the fixed model on growing subsets, and the curve through them.

    Sizes are geometric: ``points - 2`` of them up to a quarter of the rows (the back-test fits
    these), then two up to the full training fold. Subsets are nested within a fold, so each
    size adds rows to the last.

    Human rows only, when a ``source`` column (named, or found by name with ``find_source``)
    marks at least ``MIN_HUMAN_ROWS`` rows human: the scenario's learning curve is the metric
    against human-labeled examples (the decision model counts synthetic rows through the exchange
    rate), so training on synthetic rows too would put today's point at the wrong size and
    height. With fewer human rows every row is used, and a note says so.
    """
    from sklearn.model_selection import StratifiedKFold

    _check_metric(metric)
    if cv < 2:
        raise InputError(f"cv: needs at least 2 folds (got {cv})")
    frame, shown = _load(data, max_rows, seed, name)
    frame, source, human_only, source_notes = _human_only(frame, label, source, find_source, shown)
    input_rows = len(frame)
    task = prepare(frame, label, text=text, exclude=[source] if source else (), name=shown)
    n = len(task.y)
    if cv > n:
        raise InputError(f"{shown}: {cv} cross-validation folds need at least {cv} labeled rows "
                         f"(got {n})")
    quarter = n // 4
    classes = task.classes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folds = list(StratifiedKFold(cv, shuffle=True, random_state=seed).split(np.zeros(n), task.y))
    n_train = min(len(tr) for tr, _ in folds)
    n_min = max(10, min(2 * classes, quarter // 4))
    if quarter < n_min or n_train <= quarter:
        raise InputError(
            f"{shown}: {n} labeled rows are too few for a learning curve with a back-test "
            f"(a quarter of the data must hold at least {n_min} rows)"
        )
    low = _geometric_sizes(n_min, quarter, max(3, points - 2))
    high = _geometric_sizes(quarter, n_train, 3)[1:]
    sizes = sorted(set(low + high))
    runner = _Runner(len(sizes) * cv, progress, should_stop)
    rng = np.random.default_rng(seed)
    per_size: dict[int, list[float]] = {s: [] for s in sizes}
    for f, (train, test) in enumerate(folds):
        order = rng.permutation(train)
        for size in sizes:
            sub = order[:size]
            if len(np.unique(task.y[sub])) < 2:
                runner.done += 1
                continue
            pred = runner.fit_predict(
                task, sub, test, f"fold {f + 1}/{cv}: training on {size:,} rows", n_jobs
            )
            per_size[size].append(score(metric, task.y[test], pred))
    runner.finish("learning curve measured")
    pts = [(s, float(np.mean(v))) for s, v in per_size.items() if v]
    notes = source_notes + list(task.notes)
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
        model=_model_name(task.kind, task),
        rows=n,
        classes=classes,
        cv=cv,
        notes=notes,
        fold_scores=per_size,
        source=source,
        human_only=human_only,
        input_rows=input_rows,
    )


# ---------------------------------------------------------------------------------------------
# Exchange rate


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
        fit = _try_fit(points)
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


def _try_fit(points: Sequence[tuple[int, float]]) -> CurveFit | None:
    try:
        return fit_curve(list(points))
    except InputError:
        return None


_READ_INSIDE = ("interpolated", "below_range")


def _rate_summary(rates: list[tuple[float, str]]) -> tuple[float | None, str]:
    usable = [r for r, how in rates if how in _READ_INSIDE]
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
    n_jobs: int | None = -1,
) -> ExchangeRateResult:
    """Train on human rows and on synthetic rows at several sizes; score on held-out human rows.

    For each synthetic size, the human size reaching the same score is read off the human curve;
    their ratio is the exchange rate at that size. Rare classes are the human data's tail (share
    below half of uniform, as in the profile); the same reading on rare-class test rows gives the
    rare-class rate.
    """
    from sklearn.model_selection import train_test_split

    _check_metric(metric)
    if not 0.05 <= test_share <= 0.5:
        raise InputError(f"test_share: must be between 0.05 and 0.5 (got {test_share})")
    frame, shown = _load(data, max_rows, seed, name)
    if source not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{shown}: no source column {source!r} (columns: {cols})")
    kinds = frame[source].map(lambda v: source_kind(None if pd.isna(v) else str(v), source))
    frame = frame.assign(__kind=kinds.to_numpy())
    task = prepare(frame.drop(columns=["__kind"]), label, text=text, exclude=[source], name=shown)
    kind_arr = frame["__kind"].to_numpy()[task.kept]
    human = np.flatnonzero(kind_arr == "human")
    synthetic = np.flatnonzero(kind_arr == "synthetic")
    notes = list(task.notes)
    other = len(kind_arr) - len(human) - len(synthetic)
    if other:
        notes.append(f"{other} rows neither human nor synthetic left out")
    if len(synthetic) < 20:
        raise InputError(
            f"{shown}: source column {source!r} marks {len(synthetic)} rows synthetic; at least "
            "20 are needed (values like 'synthetic', 'generated', 'llm')"
        )
    if len(human) < 40:
        raise InputError(
            f"{shown}: source column {source!r} marks {len(human)} rows human; at least 40 are "
            "needed (values like 'human', 'manual', 'gold')"
        )
    y = task.y
    hy = y[human]
    if len(np.unique(hy)) < 2:
        raise InputError(f"{shown}: the human rows have a single class; nothing to compare on")
    counts = pd.Series(hy).value_counts()
    try:
        h_train, h_test = train_test_split(
            human, test_size=test_share, random_state=seed, stratify=hy
        )
    except ValueError:
        h_train, h_test = train_test_split(human, test_size=test_share, random_state=seed)
        notes.append("held-out split not stratified: some classes have a single human row")
    k = len(counts)
    shares = counts / counts.sum()
    rare = sorted(shares[shares < RARE_FACTOR / k].index.tolist())
    rare_set = set(rare)
    test_y = y[h_test]
    rare_mask = np.array([v in rare_set for v in test_y])
    if rare and rare_mask.sum() < 5:
        notes.append(f"only {int(rare_mask.sum())} held-out rows in rare classes: tail rate noisy")
    if not rare:
        notes.append("no rare classes (all above half of uniform share): tail coverage not measured")

    n_min = max(10, min(2 * k, len(h_train) // 8, len(synthetic) // 4))
    h_sizes = _geometric_sizes(n_min, len(h_train), points + 1)
    s_sizes = _geometric_sizes(n_min, len(synthetic), points)
    total = (len(h_sizes) + len(s_sizes)) * repeats
    runner = _Runner(total, progress, should_stop)
    rng = np.random.default_rng(seed)

    def curve(pool: np.ndarray, sizes: list[int], what: str):
        overall: dict[int, list[float]] = {s: [] for s in sizes}
        tail: dict[int, list[float]] = {s: [] for s in sizes}
        for r in range(repeats):
            order = rng.permutation(pool)
            for size in sizes:
                sub = order[:size]
                if len(np.unique(y[sub])) < 2:
                    runner.done += 1
                    continue
                pred = runner.fit_predict(
                    task, sub, h_test, f"{what} rows: {size:,} (repeat {r + 1}/{repeats})", n_jobs
                )
                overall[size].append(score(metric, test_y, pred))
                if rare_mask.any():
                    tail[size].append(float(np.mean(pred[rare_mask] == test_y[rare_mask])))
        pts = [(s, float(np.mean(v))) for s, v in overall.items() if v]
        tpts = [(s, float(np.mean(v))) for s, v in tail.items() if v]
        return pts, tpts

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
        row = {"synthetic_rows": size, "score": m, "human_equivalent": eq, "how": how,
               "rate": eq / size}
        rates.append((eq / size, how))
        if h_rare and size in rare_by_size:
            req, rhow = equivalent_size(h_rare, rare_by_size[size], 0.0)
            row.update(rare_score=rare_by_size[size], rare_human_equivalent=req, rare_how=rhow,
                       rare_rate=req / size)
            rare_rates.append((req / size, rhow))
            if how in _READ_INSIDE and rhow in _READ_INSIDE and eq > 0:
                ratios.append(req / eq)
        per_size.append(row)
    rate, how_note = _rate_summary(rates)
    notes.append(f"exchange rate: {how_note}")
    rare_rate = None
    coverage = None
    if rare_rates:
        rare_rate, rare_note = _rate_summary(rare_rates)
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
        model=_model_name(task.kind, task),
        notes=notes,
    )
