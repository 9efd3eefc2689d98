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
from hybrid.evidence.roles import _norm_name, detect_roles, is_holdout, source_kind
from hybrid.evidence.stats import RARE_FACTOR
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.scenario import (
    FLOOR_EXPONENT_RANGE,
    Dataset,
    LearningCurveSpec,
    Scenario,
    SyntheticResponse,
)

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
    # Rows with the same content share a group, so a split never puts a row and its duplicate on
    # both sides (a file with many exact duplicates otherwise scores near-perfectly in CV).
    groups: np.ndarray | None = None
    learner: str = "boosting"

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


LEARNERS = ("linear", "boosting")


def default_learner(kind: str) -> str:
    """Text gets a linear model on hashed n-grams; tabular data gets gradient boosting."""
    return "linear" if kind == "text" else "boosting"


def check_learner(learner: str | None, kind: str) -> str:
    if learner is None:
        return default_learner(kind)
    if learner not in LEARNERS:
        raise InputError(f"model: must be one of {', '.join(LEARNERS)} (got {learner!r})")
    if kind == "text" and learner == "boosting":
        raise InputError("model: 'boosting' works on tabular data; a text column uses 'linear'")
    return learner


def make_model(kind: str, n_jobs: int | None = None, learner: str | None = None):
    """The fixed model: the same hyper-parameters at every size, so only the data varies."""
    learner = learner or default_learner(kind)
    if kind == "text":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss="hinge", alpha=1e-5, max_iter=5, tol=None, random_state=0, n_jobs=n_jobs
        )
    if learner == "linear":
        from sklearn.compose import make_column_selector, make_column_transformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        features = make_column_transformer(
            (
                make_pipeline(SimpleImputer(), StandardScaler()),
                make_column_selector(dtype_include="number"),
            ),
            (
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                ),
                make_column_selector(dtype_include="category"),
            ),
        )
        return make_pipeline(features, LogisticRegression(C=1.0, max_iter=500))
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
    if (
        len(whole) == len(full)
        and whole.nunique() == len(whole)
        and (whole.max() - whole.min() + 1 == len(whole))
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
        texts = frame[roles.text].fillna("").astype(str)
        X = _text_matrix(texts, len(classes))
        groups = pd.factorize(texts.str.lower().str.split().str.join(" "))[0]
        return Task("text", X, y, label, [roles.text], name, notes, keep, groups)
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
    groups = pd.factorize(pd.util.hash_pandas_object(X, index=False))[0]
    return Task("tabular", X, y, label, list(X.columns), name, notes, keep, groups)


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

    def fit_predict(
        self, task: Task, train: np.ndarray, test: np.ndarray, message: str, n_jobs: int | None
    ) -> np.ndarray | None:
        """Predictions on ``test`` of the learner trained on ``train``; None (the step counted as
        done) when the training rows hold a single class, which no classifier can learn from."""
        if len(np.unique(task.y[train])) < 2:
            self.done += 1
            return None
        if self.should_stop is not None and self.should_stop():
            raise Cancelled("stopped by the caller")
        if self.progress is not None:
            self.progress(self.done / self.total, message)
        model = make_model(task.kind, n_jobs, task.learner)
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


def group_folds(
    y: np.ndarray, groups: np.ndarray | None, cv: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds that keep every group (identical rows) on one side of each split."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if groups is None:
            return list(StratifiedKFold(cv, shuffle=True, random_state=seed).split(np.zeros(n), y))
        return list(
            StratifiedGroupKFold(cv, shuffle=True, random_state=seed).split(np.zeros(n), y, groups)
        )


def group_holdout(
    idx: np.ndarray, y: np.ndarray, groups: np.ndarray | None, test_share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Train and held-out rows from ``idx``, stratified, with no group on both sides."""
    folds = max(2, int(round(1.0 / test_share)))
    g = None if groups is None else groups[idx]
    train, test = group_folds(y[idx], g, folds, seed)[0]
    return idx[train], idx[test]


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
    if task.learner == "linear":
        return "logistic regression (standardised numbers, one-hot categories)"
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
    model: str | None = None,
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
    _check_metric(metric)
    if cv < 2:
        raise InputError(f"cv: needs at least 2 folds (got {cv})")
    frame, shown = _load(data, max_rows, seed, name)
    frame, source, human_only, source_notes = _human_only(frame, label, source, find_source, shown)
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
            pred = runner.fit_predict(
                task, sub, test, f"fold {f + 1}/{cv}: training on {size:,} rows", n_jobs
            )
            if pred is None:
                continue
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


def _split_by_source(
    frame: pd.DataFrame,
    label: str,
    source: str,
    text: str | None,
    model: str | None,
    shown: str,
    min_human: int,
) -> tuple[Task, np.ndarray, np.ndarray, list[str]]:
    """The task prepared from ``frame`` (the source column left out of the features) and its kept
    rows split by the source column: human and synthetic row indices, and the notes.

    Refuses fewer than 20 synthetic rows, fewer than ``min_human`` human rows, or human rows of a
    single class.
    """
    kinds = (
        frame[source].map(lambda v: source_kind(None if pd.isna(v) else str(v), source)).to_numpy()
    )
    task = prepare(frame, label, text=text, exclude=[source], name=shown)
    task.learner = check_learner(model, task.kind)
    kind_arr = kinds[task.kept]
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
    if len(human) < min_human:
        raise InputError(
            f"{shown}: source column {source!r} marks {len(human)} rows human; at least "
            f"{min_human} are needed (values like 'human', 'manual', 'gold')"
        )
    if len(np.unique(task.y[human])) < 2:
        raise InputError(f"{shown}: the human rows have a single class; nothing to compare on")
    return task, human, synthetic, notes


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
    model: str | None = None,
) -> ExchangeRateResult:
    """Train on human rows and on synthetic rows at several sizes; score on held-out human rows.

    For each synthetic size, the human size reaching the same score is read off the human curve;
    their ratio is the exchange rate at that size. Rare classes are the human data's tail (share
    below half of uniform, as in the profile); the same reading on rare-class test rows gives the
    rare-class rate.
    """
    _check_metric(metric)
    if not 0.05 <= test_share <= 0.5:
        raise InputError(f"test_share: must be between 0.05 and 0.5 (got {test_share})")
    frame, shown = _load(data, max_rows, seed, name)
    if source not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{shown}: no source column {source!r} (columns: {cols})")
    task, human, synthetic, notes = _split_by_source(frame, label, source, text, model, shown, 40)
    y = task.y
    hy = y[human]
    counts = pd.Series(hy).value_counts()
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
                pred = runner.fit_predict(
                    task, sub, h_test, f"{what} rows: {size:,} (repeat {r + 1}/{repeats})", n_jobs
                )
                if pred is None:
                    continue
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


# ---------------------------------------------------------------------------------------------
# Synthetic response: what generated rows add on top of human rows


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
    held_out: bool = False  # scored on rows marked held out (``_holdout_folds``), not cross-fitted

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
            "points": [[float(n), float(m)] for n, m in self.human_points]
        }
        return Scenario.from_dict(data, "evidence")

    def fitted_curve(self, scenario: Scenario, policy):
        """``(human rows, synthetic rows) -> metric`` along the fit, anchored at each base's
        measured
        score: the line drawn through the augmentation curve. None without a fit."""
        if self.fit is None or self.curve is None:
            return None
        top = max(h for h, _, _ in self.augmentation_points)
        inp = _response_inputs(scenario, policy, self.human_points, top, self.fit.accuracy)
        model = _response_model(
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


def _response_inputs(scenario: Scenario, policy, curve_points, base_rows: int, accuracy: float):
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


def _response_model(
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


def _derived_from(
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
    from sklearn.neighbors import NearestNeighbors

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
    nn = NearestNeighbors(n_neighbors=2, metric=metric, algorithm="brute").fit(feats[human])
    typical = float(np.median(nn.kneighbors(feats[human])[0][:, 1]))
    dist, idx = nn.kneighbors(feats[synthetic], n_neighbors=1)
    linked = dist[:, 0] < 0.5 * typical
    out[linked] = human[idx[linked, 0]]
    if linked.any():
        notes.append(
            f"{int(linked.sum()):,} synthetic rows look made from particular human rows "
            f"(augmentations); "
            "each stays on its source row's side of every split"
        )
    return out


def fit_response(
    inp,
    points: Sequence[tuple[int, int, float]],
    base_rows: int,
    accuracy: float,
    noise: float = 0.005,
    generation: str = "generated",
):
    """Fit value, saturation k, floor and floor exponent to the augmentation curve, in the
    planner's own form.

    The residuals are gains over each base's no-synthetic score, so the human curve's own misfit
    at a base does not leak into the synthetic terms. Bounded least squares (SciPy
    ``least_squares``) from a small grid of starts, since the saturation and the floor trade off;
    standard errors from the Jacobian at the optimum.

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
        model = _response_model(inp, value, 10.0**log_k, floor, accuracy, gamma)
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
    best = None
    for start in starts:
        start = np.clip(start, np.add(lo, 1e-9), np.subtract(hi, 1e-9))
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


def _paying_ratio(top: Sequence[tuple[int, float]], base: int) -> float:
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


def _cross_folds(task: Task, human: np.ndarray, test_share: float, seed: int, repeats: int):
    """Cross-fitting: every human row held out once, fold by fold (stratified, no duplicate on both
    sides), so a pilot of a few hundred rows scores on all of them, not on one split."""
    n_folds = max(2, int(round(1.0 / test_share)))
    folds = group_folds(
        task.y[human], None if task.groups is None else task.groups[human], n_folds, seed
    )
    return [(human[tr], human[te]) for tr, te in folds][: max(1, repeats)]


def _paired_noise(scores: dict, changed: dict, test_rows: int) -> float:
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


# Assignments of human rows to folds the human learning curve averages over.
_CURVE_REPEATS = 2
# Fewest held-out human rows (``source: holdout``) worth scoring on; fewer are cross-fitted instead.
MIN_HOLDOUT_ROWS = 30


def _holdout_folds(
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
    n_jobs: int | None = 1,
) -> SyntheticResponseResult:
    """Measure what synthetic rows add on top of human rows, and fit the model's response to it.

    Human rows are cross-fitted: split into folds with no duplicate on both sides, each fold held
    out in turn while the rest train. The human curve trains on growing subsets of the training
    folds. The augmentation curve holds
    human rows fixed (all of them, and a quarter of them) and adds synthetic rows in growing
    numbers. Every model is scored on the same held-out human rows, so the two curves compare; human
    rows the source column marks held out (``holdout``: never shown to the generator) are then the
    only test rows (``_holdout_folds``). The
    scenario's generator accuracy is taken as the pilot's; its edge-case weight and tail coverage
    are the ones the fit is made at, so the plan reproduces what was measured.
    """
    _check_metric(metric)
    if not 0.05 <= test_share <= 0.5:
        raise InputError(f"test_share: must be between 0.05 and 0.5 (got {test_share})")
    frame, shown = _load(data, max_rows, seed, name)
    if source not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{shown}: no source column {source!r} (columns: {cols})")
    if source == label:
        raise InputError(f"{shown}: column {source!r} cannot be both the label and the source")
    task, human, synthetic, notes = _split_by_source(frame, label, source, text, model, shown, 60)
    y = task.y
    marked = (
        frame[source]
        .map(lambda v: is_holdout(None if pd.isna(v) else str(v)))
        .to_numpy()[task.kept]
    )
    folds = _holdout_folds(task, human, marked[human], repeats, notes)
    held_out = folds is not None
    if folds is None and scenario.economics.generation != "prelabel" and not marked.any():
        notes.append(
            "no human rows are marked holdout: if the generator saw these human rows (prompted "
            "with them, "
            "or built from them), the gains measured here are optimistic; set some aside before "
            "generating and mark them 'holdout' in the source column"
        )
    if folds is None:
        folds = _cross_folds(task, human, test_share, seed, repeats)
    test_groups = (
        set(task.groups[np.concatenate([te for _, te in folds])].tolist())
        if task.groups is not None
        else set()
    )
    # A synthetic row identical to a human row would score itself; leave such rows out.
    leaked = (
        np.array([g in test_groups for g in task.groups[synthetic]])
        if test_groups
        else np.zeros(len(synthetic), bool)
    )
    if leaked.any():
        notes.append(
            f"{int(leaked.sum())} synthetic rows identical to human rows left out of the "
            f"measurement"
        )
        synthetic = synthetic[~leaked]
    if len(synthetic) < 10:
        raise InputError(
            f"{shown}: fewer than 10 synthetic rows differ from every human row; nothing to measure"
        )
    source_of = _derived_from(task, human, synthetic, notes)
    k = len(np.unique(y[human]))
    counts = pd.Series(y[human]).value_counts()
    shares = counts / counts.sum()
    tail_share = float(shares[shares < RARE_FACTOR / k].sum())
    train_rows = min(len(tr) for tr, _ in folds)
    test_rows = int(len(np.unique(np.concatenate([te for _, te in folds]))))

    n_min = max(10, min(2 * k, train_rows // 8))
    bases = [train_rows]
    if train_rows // 4 >= max(n_min, 2 * k):
        bases.insert(0, train_rows // 4)
    # The human curve involves no generated row, so held-out rows need not be its only test rows:
    # cross-fitted on every human row, it is scored on all of them, over two assignments of rows to
    # folds, since on a pilot of a few hundred rows one assignment moves a point by several points.
    curve_folds = [
        f
        for r in range(_CURVE_REPEATS)
        for f in _cross_folds(task, human, test_share, seed + r, repeats)
    ]
    curve_train = min(len(tr) for tr, _ in curve_folds)
    h_sizes = _geometric_sizes(max(10, min(2 * k, curve_train // 8)), curve_train, points + 1)
    s_sizes = [0] + _geometric_sizes(max(10, len(synthetic) // 16), len(synthetic), points)
    total = (len(bases) * len(s_sizes)) * len(folds) + len(h_sizes) * len(curve_folds)
    runner = _Runner(total, progress, should_stop)
    rng = np.random.default_rng(seed)
    human_scores: dict[int, list[float]] = {s_: [] for s_ in h_sizes}
    for r, (c_train, c_test) in enumerate(curve_folds):
        c_order = rng.permutation(c_train)
        for size in h_sizes:
            sub = c_order[:size]
            pred = runner.fit_predict(
                task, sub, c_test, f"human rows: {size:,} (fold {r + 1}/{len(curve_folds)})", n_jobs
            )
            if pred is None:
                continue
            human_scores[size].append(score(metric, y[c_test], pred))
    aug_scores: dict[tuple[int, int], list[float]] = {(b, s_): [] for b in bases for s_ in s_sizes}
    # Share of test rows on which adding a synthetic batch changed the prediction: what a gain's
    # standard error is made of (``_paired_noise``).
    changed: dict[tuple[int, int], list[float]] = {}
    for r, (h_train, h_test) in enumerate(folds):
        test_y = y[h_test]
        h_order = rng.permutation(h_train)
        # Synthetic rows made from a held-out human row (an augmentation of it) would let the test
        # row leak into training: this fold trains without them.
        held = np.isin(source_of, h_test)
        s_order = rng.permutation(synthetic[~held])
        fold = f"fold {r + 1}/{len(folds)}"
        by_size: dict[int, float] = {}
        base_pred: dict[int, np.ndarray] = {}
        for size in bases:
            sub = h_order[:size]
            pred = runner.fit_predict(task, sub, h_test, f"human rows: {size:,} ({fold})", n_jobs)
            if pred is None:
                continue
            by_size[size] = score(metric, test_y, pred)
            base_pred[size] = pred
        for base in bases:
            if base in by_size:
                aug_scores[(base, 0)].append(by_size[base])
            for size in s_sizes[1:]:
                sub = np.concatenate([h_order[:base], s_order[:size]])
                pred = runner.fit_predict(
                    task, sub, h_test, f"{base:,} human + {size:,} synthetic rows ({fold})", n_jobs
                )
                if pred is None:
                    continue
                aug_scores[(base, size)].append(score(metric, test_y, pred))
                if base in base_pred:
                    changed.setdefault((base, size), []).append(
                        float(np.mean(pred != base_pred[base]))
                    )
    runner.finish("synthetic response measured")
    h_pts = [(s_, float(np.mean(v))) for s_, v in human_scores.items() if v]
    aug = [(b, s_, float(np.mean(v))) for (b, s_), v in aug_scores.items() if v]
    curve = None
    try:
        curve = fit_curve(h_pts)
    except InputError as exc:
        notes.append(f"human learning curve not fitted: {exc}")
    top = [(s_, m) for b, s_, m in aug if b == bases[-1]]
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
            f"adding {top[-1][0]:,} synthetic rows to {bases[-1]:,} human rows lowered the metric "
            f"from {base_score:.3f} to {last:.3f}"
        )
    elif plateau:
        notes.append(
            f"the synthetic rows' gain has levelled off (best +{100 * best_gain:.1f} points)"
        )
    fit = None
    errors: dict[str, float] = {}
    floor = 0.0
    rmse = None
    accuracy = scenario.economics.synthetic_label_accuracy
    if curve is not None:
        inp = _response_inputs(scenario, policy, h_pts, bases[-1], accuracy)
        noise = _paired_noise(aug_scores, changed, test_rows)
        params, errors, rmse, _ = fit_response(
            inp, aug, bases[-1], accuracy, noise, scenario.economics.generation
        )
        if params is not None:
            value, sat, floor, gamma = params
            err_pilot = max(1.0 - accuracy, _MIN_PILOT_ERROR)
            if floor > err_pilot:
                notes.append(
                    f"the synthetic rows cost more metric than {1 - accuracy:.0%} label errors "
                    f"explain "
                    "(they differ from real data in more than their labels); the plan keeps the "
                    "measured loss"
                )
            fit = SyntheticResponse(
                value=float(min(1.0, max(1e-3, value))),
                saturation=float(min(10_000.0, max(0.05, sat))),
                systematic_share=float(min(1.0, floor / err_pilot)),
                floor=float(min(1.0, floor)),
                floor_exponent=float(
                    min(FLOOR_EXPONENT_RANGE[1], max(FLOOR_EXPONENT_RANGE[0], gamma))
                ),
                accuracy=accuracy,
                tail_weight=float(inp.tail_weight),
                tail_coverage=float(inp.tail_coverage),
                human_rows=int(bases[-1]),
                synthetic_rows=int(max(s_sizes)),
                points=[(float(b), float(s_), float(m)) for b, s_, m in aug],
                plateau=plateau,
                measured_ratio=_paying_ratio(top, bases[-1]),
                model=_model_name(task.kind, task)[:200],
            )
    return SyntheticResponseResult(
        human_points=h_pts,
        augmentation_points=aug,
        curve=curve,
        fit=fit,
        errors=errors,
        floor=floor,
        fit_rmse=rmse,
        human_rows=len(human),
        synthetic_rows=len(synthetic) + int(leaked.sum()),
        test_rows=test_rows,
        train_rows=train_rows,
        classes=k,
        tail_share=tail_share,
        metric=metric,
        kind=task.kind,
        model=_model_name(task.kind, task),
        plateau=plateau,
        declines=declines,
        notes=notes,
        held_out=held_out,
    )
