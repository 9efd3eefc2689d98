"""The learners: the same models, with the same settings, that ``python -m hybrid evidence`` fits.

The harness must train on each plan with the learner the evidence measured with, or predicted
and measured metrics are about different models. ``hybrid.evidence.make_model`` is the authority;
it is used directly where its signature allows, and ``check_against_cli()`` reports any
difference from the copies below (which stand in when the project's function changes shape).

Text features are the project's too: hashed word uni- and bigrams, l2-normalised.
"""

from __future__ import annotations

import inspect

import numpy as np


def _copy_model(kind: str, model: str | None):
    if kind == "text" or model == "linear":
        if kind == "text":
            from sklearn.linear_model import SGDClassifier

            return SGDClassifier(loss="hinge", alpha=1e-5, max_iter=5, tol=None, random_state=0)
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # the project's linear learner on all-numeric features (its column transformer selects
        # columns by DataFrame dtype; the harness passes float arrays)
        return make_pipeline(
            SimpleImputer(), StandardScaler(), LogisticRegression(C=1.0, max_iter=500)
        )
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=40,
        learning_rate=0.2,
        max_leaf_nodes=15,
        min_samples_leaf=5,
        early_stopping=False,
        random_state=0,
    )


def make_model(kind: str, model: str | None = None):
    """The evidence learner for ``kind`` ("text"/"tabular") and ``model`` (None, "linear",
    "boosting")."""
    try:
        from hybrid import evidence

        params = inspect.signature(evidence.make_model).parameters
        kw = {"n_jobs": 1} if "n_jobs" in params else {}
        if model == "linear" and kind == "tabular":
            m = _copy_model(kind, model)
        elif model and "learner" in params:
            m = evidence.make_model(kind, learner=model, **kw)
        elif model in (None, "boosting") or kind == "text":
            # today's default: boosting for tabular data, a linear SVM for text
            m = evidence.make_model(kind, **kw)
        else:
            m = _copy_model(kind, model)
    except Exception:  # the project's function changed shape: fall back to the copy
        m = _copy_model(kind, model)
    if hasattr(m, "categorical_features"):
        # the harness passes plain float arrays; "from_dtype" needs a DataFrame
        m.set_params(categorical_features=None)
    return m


def weak_model(kind: str):
    """The first-pass model of the ``prelabel`` generator: deliberately simple."""
    if kind == "text":
        from sklearn.naive_bayes import MultinomialNB

        return MultinomialNB(alpha=0.1)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=500))


def text_width(n_classes: int) -> int:
    try:
        from hybrid.evidence import text_features

        return int(text_features(n_classes))
    except Exception:
        width = 1 << 18
        while width > (1 << 14) and width * max(n_classes, 2) > (1 << 24):
            width >>= 1
        return width


def vectorizer(n_classes: int):
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        ngram_range=(1, 2),
        n_features=text_width(n_classes),
        alternate_sign=False,
        norm="l2",
        dtype=np.float32,
    )


class Features:
    """Model-ready rows of a dataset: the float matrix, or the hashed text matrix (cached)."""

    def __init__(self, data):
        self.data = data
        self.kind = data.kind
        self._matrix = None
        if data.kind == "text":
            self.vec = vectorizer(len(data.classes))

    def matrix(self):
        if self._matrix is None:
            self._matrix = (
                self.data.X if self.kind == "tabular" else self.vec.transform(self.data.X)
            )
        return self._matrix

    def rows(self, idx: np.ndarray):
        return self.matrix()[np.asarray(idx, dtype=int)]

    def encode(self, X):
        """Features of generated inputs (floats pass through; texts are hashed)."""
        if self.kind == "tabular":
            return np.asarray(X, dtype=float)
        return self.vec.transform(list(X))


def stack(parts: list):
    """Row-stack dense or sparse blocks."""
    parts = [p for p in parts if p.shape[0]]
    if not parts:
        raise ValueError("nothing to stack")
    if hasattr(parts[0], "tocsr"):
        from scipy.sparse import vstack

        return vstack(parts, format="csr")
    return np.vstack(parts)


def check_against_cli(kind: str, model: str | None = None) -> str | None:
    """None when the harness learner has the project's settings, else a sentence saying what
    differs."""
    try:
        from hybrid import evidence

        sig = inspect.signature(evidence.make_model)
        if model not in (None, "boosting") and "learner" not in sig.parameters:
            return (
                f"hybrid.evidence.make_model has no 'learner' parameter yet: the harness uses its "
                f"own "
                f"{model} learner for {kind} data"
            )
        if model == "linear" and kind == "tabular":
            return None  # the harness's numeric-only equivalent of the project's column pipeline
        ref = (
            evidence.make_model(kind, learner=model)
            if "learner" in sig.parameters and model
            else evidence.make_model(kind)
        )
    except Exception as exc:  # pragma: no cover - depends on the project's state
        return f"could not build the project's learner ({exc}); the harness copy was used"
    ours = make_model(kind, model)
    skip = {"n_jobs", "categorical_features"}
    a = {k: v for k, v in ref.get_params(deep=False).items() if k not in skip}
    b = {k: v for k, v in ours.get_params(deep=False).items() if k not in skip}
    if type(ref) is not type(ours) or a != b:
        return (
            f"harness learner {type(ours).__name__} differs from the project's {type(ref).__name__}"
        )
    return None
