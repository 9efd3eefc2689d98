"""Sensitivity: which inputs move the recommendation, and where its label flips.

The threshold finder bisects one model input between its current value and the end of a plausible
range, re-running the plan search each step, to find where the human / hybrid / synthetic label
changes. It works on resolved ``Inputs`` so the learning curve is not refitted at every step.
"""

from __future__ import annotations

from dataclasses import replace

from hybrid.economics import Inputs
from hybrid.policy import Policy

# For each input: (lowest, highest) plausible value relative to the scenario's, whether a higher
# value favours synthetic data, and whether the range is absolute (True) or a multiple of today's.
THRESHOLD_INPUTS = {
    "accuracy": ((0.5, 1.0), True, True),
    "human_cost": ((0.1, 10.0), True, False),
    "synthetic_cost": ((0.1, 10.0), False, False),
    "review_cost": ((0.1, 10.0), False, False),
}


def share_at(policy: Policy, inp: Inputs) -> float:
    from hybrid.recommend import search

    return search(inp)[1]


def label_threshold(policy: Policy, inp: Inputs, field: str, label: str, iters: int = 12):
    """Value of ``field`` nearest today's at which the label changes, and the new label; or None.

    Searches in the direction that moves the label away from where it is: toward more synthetic
    data from a human-led or hybrid answer, toward less from a synthetic-led one.
    """
    from hybrid.recommend import label_for

    (lo_r, hi_r), favours_synthetic, absolute = THRESHOLD_INPUTS[field]
    x0 = float(getattr(inp, field))
    lo, hi = (lo_r, hi_r) if absolute else (x0 * lo_r, x0 * hi_r)
    more_synthetic = label != "synthetic"
    end = hi if more_synthetic == favours_synthetic else lo
    if (end - x0) == 0:
        return None

    def label_at(x: float) -> str:
        return label_for(share_at(policy, replace(inp, **{field: x})), policy)

    far = label_at(end)
    if far == label:
        return None
    a, b = x0, end
    for _ in range(iters):
        mid = 0.5 * (a + b)
        if label_at(mid) == label:
            a = mid
        else:
            b = mid
    return b, label_at(b)
