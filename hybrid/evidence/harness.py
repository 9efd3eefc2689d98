"""The fitting harness every evidence measurement shares: data made ready for one fixed model,
the model, folds, and the one loop that scores the model on growing subsets.

The model is fixed per kind of data, so numbers compare across runs: text gets hashed word uni- and
bigrams (the hashing trick, Weinberger et al., ICML 2009) with a linear SVM trained by SGD; tabular
data gets histogram gradient boosting (Ke et al., LightGBM, NeurIPS 2017, as implemented in
scikit-learn).

Cost. A measurement is dozens of fits, so the harness spends them where they buy information:

- the noise of a point shrinks with its training size (and with its test rows), so a point of many
  rows is measured over fewer repeats than a small one (``runs_at``); a pilot of a few hundred
  rows keeps every repeat;
- a fit whose training and test rows were fitted before (a full fold, the same human rows with
  every synthetic row) is not repeated: ``FitRunner`` remembers its predictions;
- fits run side by side, one thread each, as many at once as there are cores actually free
  (``free_cores``, ``FitRunner.fit_ahead``); OpenMP workers of histogram gradient boosting
  spinning against another busy process made a run 2.7 times slower (issue 21), so none is
  started beyond the free cores, and ``threadpoolctl`` holds each fit to its one thread. (An
  earlier remedy, ``OMP_WAIT_POLICY=PASSIVE``, is not set: with one thread per fit no worker waits,
  and passive waiting made a two-thread fit of the same model three times slower, 5.1 s against
  1.6 s on the benchmark's 22,000 rows, by putting its workers to sleep between every split.)

Long runs report progress through ``progress(fraction, message)`` and stop at the next model fit
when ``should_stop()`` returns True, raising ``Cancelled``; a page passes a function that notices
the user has left.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from hybrid.errors import InputError
from hybrid.evidence.profile import read_table
from hybrid.evidence.roles import detect_roles, is_holdout, norm_name, source_kind

ProgressFn = Callable[[float, str], None]
StopFn = Callable[[], bool]

MAX_ROWS = 200_000
MIN_ROWS = 30
MAX_TABULAR_CATEGORIES = 255
# A text column is numeric when this share of its filled cells parse as numbers.
NUMERIC_SHARE = 0.95
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


def text_vectorizer(n_classes: int):
    """The text model's features: hashed word uni- and bigrams, L2-normalised (stateless, so the
    whole file is hashed once and every fit takes its rows)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        ngram_range=(1, 2),
        n_features=text_features(n_classes),
        alternate_sign=False,
        norm="l2",
        dtype=np.float32,
    )


def _text_matrix(texts: pd.Series, n_classes: int):
    return text_vectorizer(n_classes).transform(texts.fillna("").astype(str))


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
    return bool(_ID_NAME_RE.match(norm_name(str(column))))


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


def check_metric(metric: str) -> None:
    """Refuse a metric the harness cannot score."""
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
    check_metric(metric)
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def free_cores() -> int:
    """Cores not busy with other work right now, at least one.

    Read from the kernel's counters over a tenth of a second (``/proc/stat``), which sees another
    process spinning on a core at once; where there is no ``/proc`` (macOS, Windows), the
    one-minute load average stands in. Measured once per measurement, before its first fit.
    """
    cores = os.cpu_count() or 1
    try:
        import time

        def ticks() -> tuple[int, int]:
            with open("/proc/stat", encoding="ascii") as fh:
                parts = [int(v) for v in fh.readline().split()[1:]]
            idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
            return sum(parts), idle

        total0, idle0 = ticks()
        time.sleep(0.1)
        total1, idle1 = ticks()
        busy = 1.0 - (idle1 - idle0) / max(1, total1 - total0)
        used = busy * cores
    except (OSError, ValueError, IndexError):
        try:
            used = os.getloadavg()[0]
        except OSError:
            return cores
    return max(1, min(cores, int(round(cores - used))))


# Training rows above which a point is measured over fewer repeats: its noise has shrunk.
REPEAT_ROWS = 1_500


def runs_at(size: int, runs: int) -> int:
    """How many of ``runs`` repeats (folds, orderings) a point of ``size`` training rows uses.

    A measured score varies with the training sample by roughly the learning curve's slope times
    the sample's spread, which falls like ``1/size`` for a power law, and with the test rows by
    ``sqrt(m (1 - m) / test rows)``, which repeats over the same test rows do not lower at all.
    So every repeat is kept up to ``REPEAT_ROWS`` training rows, and above that the repeats thin
    in proportion (``runs * REPEAT_ROWS / size``, at least one): the variance each point gets from
    the training sample stays about what a point at ``REPEAT_ROWS`` with all its repeats has.
    """
    return max(1, min(runs, math.ceil(runs * REPEAT_ROWS / max(1, size))))


def planned_fits(runs: int, sizes: Sequence[int]) -> int:
    """Fits ``growing_subsets`` makes for ``runs`` repeats at ``sizes`` (for progress)."""
    return sum(runs_at(s, runs) for s in sizes)


@dataclass(frozen=True)
class PlannedFit:
    """One fit a measurement will make: its training rows (in the order they join), its test rows
    and its progress message."""

    train: np.ndarray
    test: np.ndarray
    message: str


class FitRunner:
    """Counts fits for progress, honours cancellation, reuses fits made before, runs planned fits
    side by side on the free cores, and silences sklearn's chatter.

    Every fit trains on one thread. Fits are many and independent, so running ``threads`` of them
    at once (``fit_ahead``) uses the free cores for the whole measurement, where threads inside one
    fit of histogram gradient boosting leave cores idle while a tree is grown from Python; and a
    fit on one thread gives the same model whatever the load (the parallel sum of gradients over
    several threads can differ in the last digit). The fitting itself runs in compiled code that
    releases the GIL, so Python threads suffice and the data is shared, not copied to processes.
    """

    def __init__(
        self,
        total: int,
        progress: ProgressFn | None,
        should_stop: StopFn | None,
        threads: int | None = None,
    ):
        self.total = max(1, total)
        self.done = 0
        self.fitted = 0
        self.reused = 0
        self.progress = progress
        self.should_stop = should_stop
        self.threads = max(1, threads) if threads is not None else free_cores()
        self._memo: dict[tuple[bytes, bytes], np.ndarray] = {}
        # Fits made ahead (``fit_ahead``), counted when made: their first reading counts nothing.
        self._ahead: set[tuple[bytes, bytes]] = set()
        self._pools: ThreadpoolController | None = None

    @staticmethod
    def _digest(rows: np.ndarray, ordered: bool = False) -> bytes:
        import hashlib

        rows = rows if ordered else np.sort(rows)
        return hashlib.blake2b(rows.astype(np.int64).tobytes(), digest_size=16).digest()

    def _key(self, task: Task, train: np.ndarray, test: np.ndarray) -> tuple[bytes, bytes]:
        """Gradient boosting and logistic regression depend on the rows, not their order (boosting
        bins and splits on values); the text model's SGD visits rows in a seeded shuffle of the
        order it is given, so for text the order is part of the key."""
        return (self._digest(train, ordered=task.kind == "text"), self._digest(test))

    def _controller(self, openmp: bool = False) -> ThreadpoolController:
        """The loaded thread pools. Finding them walks every shared library, so once per
        measurement, and again only if the OpenMP runtime a fit needs to limit loaded since
        (``openmp``; it loads with the first gradient-boosting model)."""
        if self._pools is None or (
            openmp and not self._pools.select(user_api="openmp").lib_controllers
        ):
            self._pools = ThreadpoolController()
        return self._pools

    def on_free_cores(self):
        """A context in which the numeric libraries' thread pools (BLAS, OpenMP) use at most the
        cores this runner found free: for the measurement's work between fits (the nearest-row
        search of ``response.derived_from``), which would otherwise start a thread per core."""
        return self._controller().limit(limits=self.threads)

    def _check_stop(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise Cancelled("stopped by the caller")

    def _report(self, message: str) -> None:
        if self.progress is not None:
            self.progress(min(1.0, self.done / self.total), message)

    def _fit(self, task: Task, train: np.ndarray, test: np.ndarray) -> np.ndarray:
        """Train the fixed model on ``train`` on one thread and predict ``test``.

        The OpenMP limit is set in the thread that fits: an OpenMP thread count belongs to the
        calling thread, so a limit set elsewhere would not hold here. The text model's one-vs-rest
        classes run one after the other (``n_jobs=1``); its result does not depend on it.
        """
        model = make_model(task.kind, 1, task.learner)
        with self._controller(openmp=True).select(user_api="openmp").limit(limits=1):
            model.fit(task.rows(train), task.y[train])
            return model.predict(task.rows(test))

    def fit_predict(
        self, task: Task, train: np.ndarray, test: np.ndarray, message: str
    ) -> np.ndarray | None:
        """Predictions on ``test`` of the learner trained on ``train``; None (the step counted as
        done) when the training rows hold a single class, which no classifier can learn from.

        The learners are deterministic (fixed seeds), so the same training rows scored on the same
        test rows are answered from memory (``_key``), and a fit made ahead (``fit_ahead``) is
        read, not repeated."""
        if len(np.unique(task.y[train])) < 2:
            self.done += 1
            return None
        key = self._key(task, train, test)
        if key in self._ahead:
            self._ahead.discard(key)
            return self._memo[key]
        if key in self._memo:
            self.done += 1
            self.reused += 1
            return self._memo[key]
        self._check_stop()
        self._report(message)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = self._fit(task, train, test)
        self.done += 1
        self.fitted += 1
        self._memo[key] = pred
        return pred

    def fit_ahead(self, task: Task, fits: Sequence[PlannedFit]) -> None:
        """Make every planned fit now, ``threads`` at a time, so that the measurement's loops then
        read each from memory (``fit_predict``) in their own order.

        The largest fits start first, so the last to finish are small ones (the longest-first rule
        for scheduling jobs on parallel machines, Graham, SIAM J. Appl. Math. 1969). A fit of rows
        fitted before, or planned twice, is made once. Progress is reported and Stop is checked
        here, in the calling thread (a page's), before each fit starts; at Stop, the fits already
        running finish unseen and ``Cancelled`` is raised. Each fit made is counted when it ends;
        its first reading then counts nothing, and later ones count as reused, as without it.
        """
        todo: dict[tuple[bytes, bytes], PlannedFit] = {}
        for fit in fits:
            if len(np.unique(task.y[fit.train])) < 2:
                continue
            key = self._key(task, fit.train, fit.test)
            if key not in self._memo and key not in todo:
                todo[key] = fit
        if not todo:
            return
        queue = sorted(todo.items(), key=lambda item: -len(item[1].train))
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        pool = ThreadPoolExecutor(max_workers=min(self.threads, len(queue)))
        running: dict = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                while queue or running:
                    while queue and len(running) < self.threads:
                        self._check_stop()
                        key, fit = queue.pop(0)
                        self._report(fit.message)
                        running[pool.submit(self._fit, task, fit.train, fit.test)] = key
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        key = running.pop(future)
                        self._memo[key] = future.result()
                        self._ahead.add(key)
                        self.done += 1
                        self.fitted += 1
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def finish(self, message: str) -> None:
        if self.progress is not None:
            self.progress(1.0, message)


@dataclass(frozen=True)
class Scored:
    """One fit of ``growing_subsets``: its run, training size, test rows and predictions."""

    run: int
    size: int
    test: np.ndarray
    pred: np.ndarray


def subset_fits(
    runs: Sequence[tuple[np.ndarray, np.ndarray]],
    sizes: Sequence[int],
    describe: Callable[[int, int], str],
) -> list[tuple[int, int, PlannedFit]]:
    """The fits of ``growing_subsets``, in its order: ``(run, size, fit)``.

    ``runs`` holds, per repeat, the training rows in the order they join (a fold's rows shuffled;
    or fixed human rows followed by synthetic ones) and the rows scored. Each size trains on the
    first ``size`` rows of the order, so the subsets of one repeat are nested and each size adds
    rows to the last; a point of many rows uses only the first ``runs_at`` repeats.
    ``describe(run, size)`` is the progress message.
    """
    return [
        (r, size, PlannedFit(order[:size], test, describe(r, size)))
        for r, (order, test) in enumerate(runs)
        for size in sizes
        if r < runs_at(size, len(runs)) and size <= len(order)
    ]


def growing_subsets(
    runner: FitRunner,
    task: Task,
    runs: Sequence[tuple[np.ndarray, np.ndarray]],
    sizes: Sequence[int],
    describe: Callable[[int, int], str],
) -> Iterator[Scored]:
    """The one "score on growing subsets" loop of every measurement (``subset_fits``).

    Its fits are made first, side by side (``FitRunner.fit_ahead``), unless the measurement made
    them ahead with others; fits whose training rows hold one class are skipped
    (``FitRunner.fit_predict``).
    """
    planned = subset_fits(runs, sizes, describe)
    runner.fit_ahead(task, [fit for _, _, fit in planned])
    for r, size, fit in planned:
        pred = runner.fit_predict(task, fit.train, fit.test, fit.message)
        if pred is not None:
            yield Scored(r, size, fit.test, pred)


def mean_points(scores: dict[int, list[float]]) -> list[tuple[int, float]]:
    """``(size, mean score)`` for every size that has a score."""
    return [(s, float(np.mean(v))) for s, v in scores.items() if v]


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


def geometric_sizes(lo: int, hi: int, count: int) -> list[int]:
    """About ``count`` whole sizes from ``lo`` to ``hi``, evenly spaced in log size."""
    if hi <= lo:
        return [hi]
    return sorted({int(round(v)) for v in np.geomspace(lo, hi, count)})


def load_frame(data, max_rows: int | None, seed: int, name: str | None) -> tuple[pd.DataFrame, str]:
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


def model_name(kind: str, task: Task) -> str:
    """The fixed model in words, as results and reports name it."""
    if kind == "text":
        width = text_features(task.classes)
        return f"hashed word 1-2-grams ({width} features) + linear SVM (SGD, 5 epochs)"
    if task.learner == "linear":
        return "logistic regression (standardised numbers, one-hot categories)"
    return "histogram gradient boosting (40 iterations, 15 leaves)"


def source_kinds(frame: pd.DataFrame, source: str) -> np.ndarray:
    """ "human", "synthetic" or neither, per row of ``frame``, as the source column says."""
    return (
        frame[source].map(lambda v: source_kind(None if pd.isna(v) else str(v), source)).to_numpy()
    )


def marked_held_out(frame: pd.DataFrame, source: str, task: Task) -> np.ndarray:
    """Per kept row of ``task``: whether the source column marks it held out (``holdout``: a
    human row the generator never saw, ``roles.is_holdout``)."""
    marked = frame[source].map(lambda v: is_holdout(None if pd.isna(v) else str(v))).to_numpy()
    return marked if task.kept is None else marked[task.kept]


def check_source(frame: pd.DataFrame, source: str, label: str, shown: str) -> None:
    """The source column exists and is not the label."""
    if source not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputError(f"{shown}: no source column {source!r} (columns: {cols})")
    if source == label:
        raise InputError(f"{shown}: column {source!r} cannot be both the label and the source")


def split_by_source(
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
    kinds = source_kinds(frame, source)
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
