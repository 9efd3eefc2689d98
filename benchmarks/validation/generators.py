"""Three kinds of synthetic data, each with a label accuracy measured against the true labels.

Every generator is fitted on what a team has (its pilot human rows, plus real unlabeled inputs
for ``prelabel``) and then draws a *stream*: a seeded, ordered sequence of synthetic rows, each
with the label the generator gives it (``y_given``) and the true label (``y_true``). A plan that
buys ``n`` synthetic rows takes the first ``n`` rows of the stream, so plans of different sizes
share their rows (common random numbers: differences between plans are not drawing noise).

- ``prelabel``: a weak first-pass model, trained on a few of the pilot human rows, labels real
  unlabeled inputs from the pool. Its errors are the model's own (systematic by nature: the same
  kind of input is mislabeled the same way every time). Finite: it can label only the inputs the
  pool holds.
- ``centroid``: new inputs near the class centres. Tabular: class mean + Gaussian noise of a
  fraction of the class's per-feature spread, clipped to the observed range. Text: a "sentence"
  of tokens drawn, by frequency, from the most frequent tokens of the class. Label by
  construction; they cluster at the centre of each class and saturate.
- ``augment``: a pilot human row perturbed (tabular: Gaussian jitter of a fraction of each
  feature's spread; text: token dropout and adjacent swaps), label copied.

``centroid`` and ``augment`` can carry injected label errors at rate ``noise``, a share
``systematic`` of which follow one fixed class-to-class confusion (class i -> the next class in
sorted order); the rest go to a uniformly drawn other class.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

KINDS = ("prelabel", "centroid", "augment")
# The decision model's name for each kind (economics.generation).
GENERATION = {"prelabel": "prelabel", "centroid": "generated", "augment": "augmented"}


@dataclass
class Stream:
    """An ordered batch of synthetic rows. ``X`` is a float matrix or an array of texts.

    ``u`` holds one uniform draw per row, used to decide whether review catches a wrong label,
    so that review decisions are also shared between plans. ``pool_idx`` (prelabel only) names
    the real pool rows the inputs came from.
    """

    X: object
    y_given: np.ndarray
    y_true: np.ndarray
    u: np.ndarray
    pool_idx: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.y_given)

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.y_given == self.y_true)) if len(self) else float("nan")

    def head(self, n: int) -> Stream:
        return Stream(
            self.X[:n],
            self.y_given[:n],
            self.y_true[:n],
            self.u[:n],
            None if self.pool_idx is None else self.pool_idx[:n],
        )


def inject_noise(
    y: np.ndarray, classes: list[str], noise: float, systematic: float, rng: np.random.Generator
) -> np.ndarray:
    """Relabel a share ``noise`` of rows; ``systematic`` of those by the fixed confusion map."""
    y = np.asarray(y, dtype=object)
    out = y.copy()
    if noise <= 0:
        return out
    k = len(classes)
    nxt = {c: classes[(i + 1) % k] for i, c in enumerate(classes)}
    flip = rng.random(len(y)) < noise
    sysm = rng.random(len(y)) < systematic
    other = rng.integers(1, k, len(y))  # offset 1..k-1: never the true class
    pos = {c: i for i, c in enumerate(classes)}
    for i in np.flatnonzero(flip):
        if sysm[i]:
            out[i] = nxt[y[i]]
        else:
            out[i] = classes[(pos[y[i]] + other[i]) % k]
    return out


class Generator:
    kind = "base"

    def __init__(self, noise: float = 0.0, systematic: float = 0.5, **params):
        self.noise = float(noise)
        self.systematic = float(systematic)
        self.params = params

    @property
    def generation(self) -> str:
        return GENERATION[self.kind]

    @property
    def finite(self) -> bool:
        return False

    def fit(self, data, pilot_idx: np.ndarray, rng: np.random.Generator) -> Generator:
        raise NotImplementedError

    def stream(self, n: int, rng: np.random.Generator, exclude: np.ndarray | None = None) -> Stream:
        raise NotImplementedError

    def describe(self) -> str:
        extra = (
            f", injected label noise {self.noise:.0%} ({self.systematic:.0%} systematic)"
            if self.noise
            else ""
        )
        return f"{self.kind}{extra}"


def _labels(data, idx):
    return np.asarray(data.y[idx], dtype=object)


class Prelabel(Generator):
    """A weak model trained on ``seed_rows`` pilot human rows labels real pool inputs."""

    kind = "prelabel"

    @property
    def finite(self) -> bool:
        return True

    def fit(self, data, pilot_idx, rng, unlabeled_idx=None, aside_idx=None):
        """Train the weak model on ``seed_rows`` of the pilot rows, or on ``aside_idx`` when given
        (real rows set aside from everything else: a first-pass model built on other data)."""
        from .learners import Features, weak_model

        self.data = data
        self.unlabeled = np.asarray(unlabeled_idx if unlabeled_idx is not None else [], dtype=int)
        seed_rows = int(self.params.get("seed_rows", 40))
        # a stratified-ish pick: shuffle, then make sure every class appears at least twice
        order = rng.permutation(pilot_idx if aside_idx is None else aside_idx)
        picked = list(order[:seed_rows])
        for c in data.classes:
            have = sum(1 for i in picked if data.y[i] == c)
            if have < 2:
                picked += [i for i in order[seed_rows:] if data.y[i] == c][: 2 - have]
        self.seed_idx = np.array(picked)
        self.features = Features(data)
        self.model = weak_model(data.kind)
        self.model.fit(self.features.rows(self.seed_idx), _labels(data, self.seed_idx))
        # label every unlabeled input once: the same input always gets the same pre-label
        self.labels = {}
        if len(self.unlabeled):
            pred = self.model.predict(self.features.rows(self.unlabeled))
            self.labels = dict(zip(self.unlabeled.tolist(), pred.tolist(), strict=False))
        return self

    def prelabel(self, idx: np.ndarray) -> np.ndarray:
        missing = [i for i in idx.tolist() if i not in self.labels]
        if missing:
            pred = self.model.predict(self.features.rows(np.array(missing)))
            self.labels.update(zip(missing, pred.tolist(), strict=False))
        return np.array([self.labels[i] for i in idx.tolist()], dtype=object)

    def stream(self, n, rng, exclude=None, candidates=None):
        pool = self.unlabeled if candidates is None else np.asarray(candidates, dtype=int)
        if exclude is not None and len(exclude):
            pool = np.setdiff1d(pool, exclude)
        idx = rng.permutation(pool)[:n]
        y_true = _labels(self.data, idx)
        return Stream(self.data.X[idx], self.prelabel(idx), y_true, rng.random(len(idx)), idx)


class Centroid(Generator):
    kind = "centroid"

    def fit(self, data, pilot_idx, rng, unlabeled_idx=None):
        self.data = data
        self.classes = data.classes
        y = _labels(data, pilot_idx)
        self.prior = np.array([np.mean(y == c) for c in self.classes])
        if data.kind == "tabular":
            X = data.X[pilot_idx]
            self.lo, self.hi = X.min(axis=0), X.max(axis=0)
            self.mu = {c: X[y == c].mean(axis=0) for c in self.classes}
            self.sd = {c: X[y == c].std(axis=0) for c in self.classes}
        else:
            top = int(self.params.get("top_tokens", 200))
            self.vocab, self.weights, self.lengths = {}, {}, {}
            for c in self.classes:
                docs = [t.split() for t in data.X[pilot_idx][y == c]]
                counts = Counter(tok for d in docs for tok in d).most_common(top)
                self.vocab[c] = np.array([t for t, _ in counts], dtype=object)
                w = np.array([n for _, n in counts], dtype=float)
                self.weights[c] = w / w.sum()
                self.lengths[c] = np.array([max(3, len(d)) for d in docs])
        return self

    def stream(self, n, rng, exclude=None):
        scale = float(self.params.get("scale", 0.3))
        cls = rng.choice(len(self.classes), size=n, p=self.prior)
        y_true = np.array([self.classes[i] for i in cls], dtype=object)
        if self.data.kind == "tabular":
            mu = np.stack([self.mu[c] for c in self.classes])[cls]
            sd = np.stack([self.sd[c] for c in self.classes])[cls]
            X = np.clip(mu + scale * sd * rng.standard_normal(mu.shape), self.lo, self.hi)
        else:
            max_len = int(self.params.get("max_tokens", 40))
            texts = []
            for c in y_true:
                length = int(min(max_len, rng.choice(self.lengths[c])))
                toks = rng.choice(self.vocab[c], size=length, p=self.weights[c])
                texts.append(" ".join(toks))
            X = np.array(texts, dtype=object)
        y_given = inject_noise(y_true, self.classes, self.noise, self.systematic, rng)
        return Stream(X, y_given, y_true, rng.random(n))


class Augment(Generator):
    kind = "augment"

    def fit(self, data, pilot_idx, rng, unlabeled_idx=None):
        self.data = data
        self.classes = data.classes
        self.seed_idx = np.asarray(pilot_idx)
        if data.kind == "tabular":
            X = data.X[pilot_idx]
            self.lo, self.hi = X.min(axis=0), X.max(axis=0)
            self.sd = X.std(axis=0)
        return self

    def stream(self, n, rng, exclude=None):
        src = rng.choice(self.seed_idx, size=n)
        y_true = _labels(self.data, src)
        if self.data.kind == "tabular":
            jitter = float(self.params.get("jitter", 0.15))
            X = self.data.X[src] + jitter * self.sd * rng.standard_normal((n, self.data.X.shape[1]))
            X = np.clip(X, self.lo, self.hi)
        else:
            drop = float(self.params.get("dropout", 0.2))
            swaps = float(self.params.get("swap", 0.1))
            texts = []
            for i in src:
                toks = self.data.X[i].split()
                keep = [t for t in toks if rng.random() >= drop] or toks[:1]
                for j in range(len(keep) - 1):
                    if rng.random() < swaps:
                        keep[j], keep[j + 1] = keep[j + 1], keep[j]
                texts.append(" ".join(keep))
            X = np.array(texts, dtype=object)
        y_given = inject_noise(y_true, self.classes, self.noise, self.systematic, rng)
        return Stream(X, y_given, y_true, rng.random(n))


def make(kind: str, **params) -> Generator:
    return {"prelabel": Prelabel, "centroid": Centroid, "augment": Augment}[kind](**params)
