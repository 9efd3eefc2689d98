"""Annotator agreement from counts: Cohen's (1960) and Fleiss' (1971) kappa, Krippendorff's (2004)
alpha, and Landis and Koch's (1977) interpretation bands.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

LOW_KAPPA = 0.6


# Landis and Koch (1977), "The measurement of observer agreement for categorical data",
# Biometrics 33(1):159-174, Table 1.
KAPPA_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)


@dataclass
class Agreement:
    """Inter-annotator agreement derived from pairwise contingency tables."""

    method: str
    kappa: float | None
    band: str | None
    observed: float
    rows: int
    annotators: int
    alpha: float | None = None
    pairs: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "kappa": self.kappa,
            "band": self.band,
            "observed_agreement": self.observed,
            "rows": self.rows,
            "annotators": self.annotators,
            "krippendorff_alpha": self.alpha,
            "pairs": self.pairs,
        }


def kappa_band(kappa: float | None) -> str | None:
    """Landis and Koch (1977) band: <0 poor, to .20 slight, .40 fair, .60 moderate,
    .80 substantial, above almost perfect."""
    if kappa is None or math.isnan(kappa):
        return None
    if kappa < 0:
        return "poor"
    for upper, name in KAPPA_BANDS[1:]:
        if kappa <= upper + 1e-12:
            return name
    return "almost perfect"


def agreement_from_counts(
    annotators: Sequence[str],
    counts: dict[str, dict[str, int]],
    agree: dict[tuple[str, str], int],
    rows: int,
    *,
    pair_rows: dict[tuple[str, str], int] | None = None,
    weighted_agree: float | None = None,
) -> Agreement | None:
    """Cohen's kappa for two annotators; Fleiss' kappa and Krippendorff's alpha for more.

    All on the ``rows`` that have at least two annotations: a row nobody annotated (a synthetic row,
    typically) or only one annotator labeled has nothing to agree on and is not counted. ``counts``
    are each annotator's values on those rows, ``agree`` each pair's agreeing rows, ``pair_rows``
    each pair's shared rows (default: all ``rows``, complete data).

    With three or more annotators and some rows missing one of them, Fleiss' kappa is not defined
    (it needs the same number of ratings per row) and the pairs' own marginals are not in the
    counts: the result is then Krippendorff's alpha for missing data (method ``"krippendorff"``,
    ``kappa`` None, the band read from alpha), from ``weighted_agree``, the sum over rows of the
    row's agreeing pairs divided by its annotations less one, and the observed agreement is the
    share of comparable rater pairs that agree.

    Complete data: Cohen's kappa needs only the
    observed agreement and each rater's marginal counts (Cohen 1960). Fleiss' ``P_bar`` is the mean
    share of agreeing rater pairs per row, which is the total pairwise agreement count divided by
    ``N * m(m-1)/2``, and ``p_j`` pools the raters' marginals (Fleiss 1971). Krippendorff's nominal
    alpha for complete data follows from the same numbers (Krippendorff, "Content Analysis", 2004,
    ch. 11). Counts and sums only, so agreement merges across shards.
    """
    m = len(annotators)
    if m < 2:
        return None
    if pair_rows and any(pair_rows.get(p, rows) != rows for p in agree):
        return _incomplete(annotators, counts, agree, rows, pair_rows, weighted_agree)
    pairs = []
    for (a, b), n_agree in agree.items():
        ca, cb = counts.get(a, {}), counts.get(b, {})
        p_o = n_agree / rows if rows else 0.0
        p_e = sum(ca[v] * cb.get(v, 0) for v in sorted(ca)) / (rows * rows) if rows else 1.0
        k = None if not rows or p_e >= 1.0 - 1e-15 else (p_o - p_e) / (1.0 - p_e)
        pairs.append(
            {
                "columns": [a, b],
                "kappa": k,
                "band": kappa_band(k),
                "observed_agreement": p_o,
                "rows": rows,
            }
        )
    method = "cohen" if m == 2 else "fleiss"
    if rows == 0:
        return Agreement(method, None, None, 0.0, 0, m, None, pairs)
    n_pairs = m * (m - 1) // 2
    agree_total = sum(agree.values())
    observed = agree_total / (rows * n_pairs)
    if m == 2:
        only = pairs[0]
        return Agreement("cohen", only["kappa"], only["band"], observed, rows, 2, None, pairs)
    marg: Counter[str] = Counter()
    for a in annotators:
        marg.update(counts.get(a, {}))
    total = rows * m
    p = np.array([marg[v] / total for v in sorted(marg)])
    p_e = float((p**2).sum())
    kappa = None if p_e >= 1 - 1e-15 else (observed - p_e) / (1 - p_e)
    # Krippendorff's alpha: 1 - (n.. - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, where the
    # off-diagonal coincidences are the disagreeing ordered rater pairs over (m - 1).
    n_vals = float(total)
    d_o = 2.0 * (rows * n_pairs - agree_total) / (m - 1)
    nc = np.array([marg[v] for v in sorted(marg)], dtype=float)
    d_e = n_vals**2 - float((nc**2).sum())
    alpha = None if d_e <= 0 else 1.0 - (n_vals - 1.0) * d_o / d_e
    return Agreement("fleiss", kappa, kappa_band(kappa), observed, rows, m, alpha, pairs)


def _incomplete(
    annotators: Sequence[str],
    counts: dict[str, dict[str, int]],
    agree: dict[tuple[str, str], int],
    rows: int,
    pair_rows: dict[tuple[str, str], int],
    weighted_agree: float | None,
) -> Agreement:
    """Three or more annotators, not all on every row: Krippendorff's nominal alpha with missing
    values (Krippendorff 2004, ch. 11: coincidences within each unit weighted by 1 / (m_u - 1))."""
    m = len(annotators)
    pairs = [
        {
            "columns": [a, b],
            "kappa": None,
            "band": None,
            "observed_agreement": (n / pair_rows.get((a, b), 0)) if pair_rows.get((a, b)) else 0.0,
            "rows": pair_rows.get((a, b), 0),
        }
        for (a, b), n in agree.items()
    ]
    compared = sum(pair_rows.get(p, 0) for p in agree)
    observed = sum(agree.values()) / compared if compared else 0.0
    marg: Counter[str] = Counter()
    for a in annotators:
        marg.update(counts.get(a, {}))
    n_vals = float(sum(marg.values()))
    alpha = None
    if weighted_agree is not None and n_vals > 1:
        d_o = n_vals - 2.0 * weighted_agree  # disagreeing coincidences
        d_e = n_vals**2 - float(sum(float(c) ** 2 for c in marg.values()))
        alpha = None if d_e <= 0 else 1.0 - (n_vals - 1.0) * d_o / d_e
    return Agreement("krippendorff", None, kappa_band(alpha), observed, rows, m, alpha, pairs)
