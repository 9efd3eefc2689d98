"""Sensitivity: which inputs move the recommendation, and where its label flips.

Everything here works on resolved ``Inputs`` (economics.py), so the learning curve is fitted once
and each what-if is one plan search. The tornado moves one input at a time across its range
(defaults in the policy's ``ranges``, each with a reason; editable on the Sensitivity page) and
re-runs the search, so a swing includes the plan re-optimising, as it would in the meeting. The
inputs whose range flips the label are the ones worth measuring next (docs/model.md, "Sensitivity").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from hybrid.model.economics import Inputs, cost_per_point
from hybrid.model.policy import Policy, Range
from hybrid.model.recommend import label_for, search_rows_in_hand
from hybrid.vocabulary import SENSITIVITY_TITLES

# Model inputs a tornado can move: title (the vocabulary's), valid (low, high), whether a higher
# value favours synthetic data (used to aim the threshold search), and whether a team can measure
# it.
INPUTS: dict[str, tuple[str, tuple[float, float], bool, str]] = {
    "accuracy": (
        SENSITIVITY_TITLES["accuracy"],
        (0.0, 1.0),
        True,
        "label 200-300 generated examples by hand and score the generator",
    ),
    "human_cost": (
        SENSITIVITY_TITLES["human_cost"],
        (1e-6, np.inf),
        True,
        "get a quote from the labeling vendor for this task",
    ),
    "synthetic_cost": (
        SENSITIVITY_TITLES["synthetic_cost"],
        (1e-6, np.inf),
        False,
        "time a generation run of a few thousand examples",
    ),
    "review_cost": (
        SENSITIVITY_TITLES["review_cost"],
        (0.0, np.inf),
        False,
        "time reviewers on a pilot batch",
    ),
    "catch_rate": (
        SENSITIVITY_TITLES["catch_rate"],
        (0.0, 1.0),
        True,
        "seed known errors into a review batch and count the catches",
    ),
    "tail_coverage": (
        SENSITIVITY_TITLES["tail_coverage"],
        (0.0, 1.0),
        True,
        "run the exchange-rate test on rare classes",
    ),
    "synthetic_value": (
        SENSITIVITY_TITLES["synthetic_value"],
        (1e-3, 10.0),
        True,
        "run the exchange-rate test on the team's data",
    ),
    "exponent": (
        SENSITIVITY_TITLES["exponent"],
        (1e-3, 3.0),
        False,
        "measure one more, larger point of the learning curve",
    ),
}


def share_at(inp: Inputs) -> float:
    """The recommended synthetic share, the rows in hand kept or dropped as the plan search
    decides (``search_rows_in_hand``)."""
    return search_rows_in_hand(inp)[1][1]


def apply_range(value: float, rng: Range, field: str) -> tuple[float, float]:
    lo_valid, hi_valid = INPUTS[field][1]
    if rng.kind == "relative":
        lo, hi = value * rng.low, value * rng.high
    else:
        lo, hi = value + rng.low, value + rng.high
    return float(np.clip(lo, lo_valid, hi_valid)), float(np.clip(hi, lo_valid, hi_valid))


@dataclass(frozen=True)
class Bar:
    """One tornado bar: an input moved from low to high, everything else held."""

    input: str
    title: str
    low: float
    high: float
    share_low: float
    share_high: float
    cpp_low: float | None
    cpp_high: float | None
    label_low: str
    label_high: str
    flips_label: bool

    @property
    def share_swing(self) -> float:
        return abs(self.share_high - self.share_low)

    @property
    def cpp_swing(self) -> float:
        if self.cpp_low is None or self.cpp_high is None:
            return float("inf")
        return abs(self.cpp_high - self.cpp_low)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Outcome:
    share: float
    coverage: float
    label: str
    cost_per_point: float | None


def outcome(inp: Inputs, policy: Policy) -> Outcome:
    """The recommended plan's share, label and cost per point for one set of inputs, decided as the
    recommendation decides (``recommend.decide``): the plan search also weighs dropping the rows
    in hand (``search_rows_in_hand``), the plan is priced on the inputs it chose, and its gain is
    measured from today's metric of the dataset as it is. At the scenario's own inputs this is the
    recommendation's cost per point, the tornado's base."""
    priced, (_, s, v, n) = search_rows_in_hand(inp)
    spend = n * float(priced.unit_cost(s, v))
    cpp = float(cost_per_point(spend, priced.metric(n, s, v), inp.today()))
    return Outcome(s, v, label_for(s, policy), None if np.isnan(cpp) else cpp)


def vary(inp: Inputs, field: str, value) -> Inputs:
    """The inputs with one field moved; the learning-curve exponent moves with the curve anchored
    at today's point (``Inputs.with_exponent``), so a range of it never contradicts the measured
    points."""
    if field == "exponent":
        return inp.with_exponent(value)
    return replace(inp, **{field: value})


def tornado(inp: Inputs, policy: Policy, ranges: dict[str, Range] | None = None) -> list[Bar]:
    """Bars sorted by swing in cost per point (largest first), then by swing in synthetic share."""
    ranges = ranges if ranges is not None else policy.ranges
    base = outcome(inp, policy)
    bars = []
    for field, rng in ranges.items():
        if field not in INPUTS:
            continue
        x0 = float(np.mean(getattr(inp, field)))
        lo, hi = apply_range(x0, rng, field)
        o_lo = outcome(vary(inp, field, lo), policy)
        o_hi = outcome(vary(inp, field, hi), policy)
        bars.append(
            Bar(
                input=field,
                title=INPUTS[field][0],
                low=lo,
                high=hi,
                share_low=o_lo.share,
                share_high=o_hi.share,
                cpp_low=o_lo.cost_per_point,
                cpp_high=o_hi.cost_per_point,
                label_low=o_lo.label,
                label_high=o_hi.label,
                flips_label=o_lo.label != base.label or o_hi.label != base.label,
            )
        )
    bars.sort(key=lambda b: (-(b.cpp_swing if np.isfinite(b.cpp_swing) else 1e300), -b.share_swing))
    return bars


def headline_bar(bars: list[Bar]) -> Bar:
    """The bar a headline names: among those whose range flips the label, or else all, the one
    that moves the cost per point most (a bar whose end gains nothing counts as the widest swing);
    synthetic-share swing breaks ties."""
    flips = [b for b in bars if b.flips_label]
    return max(
        flips or bars,
        key=lambda b: (b.cpp_swing if np.isfinite(b.cpp_swing) else 1e300, b.share_swing),
    )


def measure_next(bars: list[Bar]) -> str:
    """Which single measurement would most reduce the uncertainty, in one sentence."""
    measurable = [b for b in bars if b.input in INPUTS]
    if not measurable:
        return "No input's range moves the recommendation."
    pick = headline_bar(measurable)
    how = INPUTS[pick.input][3]
    why = (
        "its range flips the recommendation"
        if pick.flips_label
        else "it moves the cost per point most"
    )
    return f"Measure the {pick.title} next ({how}): {why}."


def plausible_range(inp: Inputs, field: str) -> tuple[float, float]:
    """Where the rationale looks for a label change: accuracy from 0.5 (or today's, if lower) to 1,
    rates 0 to 1, prices and other inputs a tenth to ten times today's, inside their valid range."""
    x0 = float(np.mean(getattr(inp, field)))
    if field == "accuracy":
        return min(x0, 0.5), 1.0
    if field in ("catch_rate", "tail_coverage"):
        return 0.0, 1.0
    lo_valid, hi_valid = INPUTS[field][1]
    return max(x0 * 0.1, lo_valid), min(x0 * 10.0, hi_valid)


def label_threshold(
    policy: Policy,
    inp: Inputs,
    field: str,
    label: str,
    toward_synthetic: bool | None = None,
    iters: int = 12,
):
    """Value of ``field`` nearest today's at which the label changes, and the new label; or None.

    By default searches toward more synthetic data from a human-led or hybrid answer, toward less
    from a synthetic-led one; ``toward_synthetic`` picks the direction. The search runs out to a
    plausible end (``plausible_range``).
    """
    favours_synthetic = INPUTS[field][2]
    x0 = float(getattr(inp, field))
    lo, hi = plausible_range(inp, field)
    more_synthetic = label != "synthetic" if toward_synthetic is None else toward_synthetic
    end = hi if more_synthetic == favours_synthetic else lo
    if end == x0:
        return None

    def label_at(x: float) -> str:
        return label_for(share_at(vary(inp, field, x)), policy)

    if label_at(end) == label:
        return None
    a, b = x0, end
    for _ in range(iters):
        mid = 0.5 * (a + b)
        if label_at(mid) == label:
            a = mid
        else:
            b = mid
    return b, label_at(b)


def threshold(policy: Policy, inp: Inputs, field: str, lo: float, hi: float, iters: int = 14):
    """Every value in [lo, hi] of ``field`` where the label changes, as (value, from, to) triples.

    Scans a coarse grid for changes, then bisects each one: labels need not be monotone in every
    input (a dearer review can push a plan to less review and more synthetic data).
    """

    def label_at(x: float) -> str:
        return label_for(share_at(vary(inp, field, x)), policy)

    xs = np.linspace(lo, hi, 17)
    labels = [label_at(float(x)) for x in xs]
    out = []
    for i in range(len(xs) - 1):
        if labels[i] == labels[i + 1]:
            continue
        a, b = float(xs[i]), float(xs[i + 1])
        for _ in range(iters):
            mid = 0.5 * (a + b)
            if label_at(mid) == labels[i]:
                a = mid
            else:
                b = mid
        out.append((b, labels[i], labels[i + 1]))
    return out
