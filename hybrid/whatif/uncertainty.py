"""Uncertainty: Monte Carlo over the inputs nobody knows exactly.

Each uncertain input is drawn from a triangular distribution over its range (the policy's
``ranges``, editable), with the mode at the scenario's value: teams can name a low and a high more
reliably than a standard deviation. Learning-curve parameters are drawn from the fit's covariance
when the curve was fitted on four or more points (Mahmood et al. 2022: the fit's uncertainty is
real and extrapolation over-predicts). Each plan keeps its mix; only the outcome varies, so all
draws and all three plans are evaluated at once with the vectorised economics. Seeded and
reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hybrid.explain.sensitivity import INPUTS, apply_range
from hybrid.model.economics import Inputs, cost_per_point
from hybrid.model.policy import Range

DEFAULT_DRAWS = 10_000
# Costs per point within this relative tolerance are a tie (recommend.TIE).
TIE = 1e-9
# Draws evaluated at once (see monte_carlo): bounds memory whatever the number of draws.
CHUNK = 20_000


@dataclass(frozen=True)
class PlanSpread:
    name: str
    cpp_p5: float
    cpp_p50: float
    cpp_p95: float
    metric_p5: float
    metric_p50: float
    metric_p95: float
    p_cheapest: float
    p_reaches_target: float
    same_as: tuple[str, ...] = ()  # the other plans with this plan's mix: the same plan

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["same_as"] = list(self.same_as)
        return d


@dataclass(frozen=True)
class MonteCarlo:
    draws: int
    seed: int
    plans: tuple[PlanSpread, ...]
    cost_per_point: np.ndarray  # (plans, draws), NaN where a plan gains nothing
    metric: np.ndarray  # (plans, draws)
    varied: tuple[str, ...]
    p_no_gain: float

    def by_name(self) -> dict[str, dict]:
        return {p.name: p.to_dict() for p in self.plans}


def draw_inputs(
    inp: Inputs, ranges: dict[str, Range], draws: int, rng: np.random.Generator
) -> Inputs:
    """Inputs with arrays of ``draws`` values for every ranged input (and the curve, if fitted)."""
    return replace(inp, **draw_values(inp, ranges, draws, rng))


def draw_values(
    inp: Inputs, ranges: dict[str, Range], draws: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The drawn values by input field: one array of ``draws`` values each.

    The one place draws are made: the Monte Carlo (``monte_carlo``) and the staged plan
    (``hybrid.whatif.rounds``) both call it with a generator seeded the same way, so with the same
    seed they see the same futures. Inputs are drawn in the order of their names, so the same
    ranges give the same draws whatever order they arrive in (the policy file's, or the Sensitivity
    page's kept as sorted JSON).
    """
    changes: dict[str, np.ndarray] = {}
    for field, r in sorted(ranges.items()):
        if field not in INPUTS or field == "exponent" and inp.curve.cov is not None:
            continue
        mode = float(np.mean(getattr(inp, field)))
        lo, hi = apply_range(mode, r, field)
        if hi - lo <= 0:
            changes[field] = np.full(draws, mode)
            continue
        changes[field] = rng.triangular(lo, min(max(mode, lo), hi), hi, size=draws)
    if inp.curve.cov is not None:
        p = inp.curve.sample_params(draws, rng)
        changes.update(ceiling=p[:, 0], scale=p[:, 1], exponent=p[:, 2])
    elif "exponent" in changes:
        # A drawn exponent keeps the curve through today's point (Inputs.with_exponent).
        changes["scale"] = inp.with_exponent(changes["exponent"]).scale
    return changes


def monte_carlo(
    inp: Inputs,
    plans: list[tuple[str, float, float]],
    ranges: dict[str, Range],
    mode: str,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    drops_rows_in_hand: bool = False,
) -> MonteCarlo:
    """Spread of cost per point and metric for fixed-mix plans ``(name, share, coverage)``.

    ``inp`` is the dataset as it is: each draw's gain is measured from that draw's today, as the
    recommendation's is (``recommend.decide``). ``drops_rows_in_hand`` is the recommendation's:
    when it drops the generated rows in hand, each draw's plans are sized and scored on that draw's
    inputs without them (``Inputs.without_rows_in_hand``). ``mode`` is the recommendation's:
    "target" sizes each plan to reach the target (capped by the budget), "budget" spends the
    whole budget.
    """
    rng = np.random.default_rng(seed)
    drawn = draw_values(inp, ranges, draws, rng)
    names = [p[0] for p in plans]
    share = np.array([p[1] for p in plans])[:, None]
    cover = np.array([p[2] for p in plans])[:, None]
    # Every draw is evaluated on its own, so the draws are evaluated CHUNK at a time: the plan
    # search's scan holds (steps, plans, draws) arrays, about 2 GB at 200,000 draws in one go and
    # about 100 MB per chunk. The values drawn, and so the results, are the same either way.
    parts = []
    for start in range(0, draws, CHUNK):
        stop = min(start + CHUNK, draws)
        d = replace(inp, **{k: v[start:stop] for k, v in drawn.items()})
        parts.append(_evaluate(d, share, cover, mode, stop - start, drops_rows_in_hand))
    metric = np.concatenate([m for m, _ in parts], axis=1)
    cpp = np.concatenate([c for _, c in parts], axis=1)
    d = replace(inp, **drawn)
    filled = np.where(np.isnan(cpp), np.inf, cpp)
    # A tie is shared: when the recommended mix is one of the fixed plans (all-human, say) the two
    # are the same plan and are the cheapest in the same draws, so each is credited with them.
    # The shares of draws then need not sum to one.
    best = np.min(filled, axis=0)
    tied = filled <= best * (1.0 + TIE) + 1e-12
    any_gain = np.isfinite(best)
    spreads = []
    for i, name in enumerate(names):
        c = cpp[i][~np.isnan(cpp[i])]
        q = np.quantile(c, [0.05, 0.5, 0.95]) if c.size else (np.nan,) * 3
        mq = np.quantile(metric[i], [0.05, 0.5, 0.95])
        spreads.append(
            PlanSpread(
                name=name,
                cpp_p5=float(q[0]),
                cpp_p50=float(q[1]),
                cpp_p95=float(q[2]),
                metric_p5=float(mq[0]),
                metric_p50=float(mq[1]),
                metric_p95=float(mq[2]),
                p_cheapest=float(np.mean(tied[i] & any_gain)),
                same_as=tuple(
                    other for j, other in enumerate(names) if j != i and _same(plans[i], plans[j])
                ),
                p_reaches_target=float(np.mean(metric[i] >= d.target - 1e-9)),
            )
        )
    varied = tuple(k for k in ranges if k in INPUTS) + (
        ("curve",) if inp.curve.cov is not None else ()
    )
    return MonteCarlo(draws, seed, tuple(spreads), cpp, metric, varied, float(np.mean(~any_gain)))


def _same(a: tuple[str, float, float], b: tuple[str, float, float]) -> bool:
    """Two plans with one mix are one plan (review means nothing without synthetic rows)."""
    if abs(a[1] - b[1]) > 1e-12:
        return False
    return a[1] == 0 or abs(a[2] - b[2]) <= 1e-12


def _evaluate(
    d: Inputs, share: np.ndarray, cover: np.ndarray, mode: str, draws: int, drops: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(metric, cost per point), each (plans, draws), for inputs ``d`` holding ``draws`` draws;
    the plans priced without the rows in hand when ``drops``, gains from ``d``'s today."""
    today = d.today()
    if drops:
        d = d.without_rows_in_hand()
    unit = d.unit_cost(share, cover) * np.ones((1, draws))
    # Sized as the plan search sizes them (recommend._size_plan): the budget also pays the
    # expected price of escaped errors.
    spendable = d.budget / (unit + d.unit_risk(share, cover))
    if mode == "target":
        n = d.examples_to_reach(
            d.target, share * np.ones((1, draws)), cover * np.ones((1, draws)), spendable
        )
        n = np.where(np.isfinite(n), n, spendable)
    else:
        n = spendable
    metric = d.metric(n, share, cover)
    return metric, cost_per_point(n * unit, metric, today)


def point_and_spread(
    point: float | None,
    spread: PlanSpread,
    ranges: dict[str, Range],
    inp: Inputs,
    money,
    mode: str = "target",
) -> str:
    """One sentence putting a plan's point estimate beside its Monte Carlo interval, and why the two
    differ when they do.

    The point estimate is the model at today's values; the draws are triangular with today's value
    as the mode, so a range reaching further one way than the other (a catch rate that can fall 15
    points but rise 5) moves the median away from the point estimate, and cost per point, a ratio,
    stretches further up than down. A plan sized to reach the target (``mode`` "target") that
    reaches it in fewer than half the futures has a median future that falls short and spends the
    whole budget: that, not the ranges' shape, is then why the median sits above.
    """
    if not np.isfinite(spread.cpp_p50):
        return "In the simulated futures this plan gains nothing, so it has no cost per point."
    text = (
        f"In 90% of the simulated futures this plan costs {money(spread.cpp_p5)} to "
        f"{money(spread.cpp_p95)} "
        f"per point (median {money(spread.cpp_p50)})"
    )
    if point is None:
        return text + "; at today's values it gains nothing."
    gap = spread.cpp_p50 / point - 1.0
    if abs(gap) < 0.05:
        return text + f", in line with the {money(point)} at today's values."
    if mode == "target" and gap > 0 and spread.p_reaches_target < 0.5:
        return (
            text + f". The median sits {gap:.0%} above the {money(point)} at today's values "
            f"because the plan reaches the target in only {spread.p_reaches_target:.0%} of the "
            f"futures: in the others it falls short and spends the whole "
            f"{money(float(np.mean(inp.budget)))} budget."
        )
    lopsided = []
    for field, r in ranges.items():
        if field not in INPUTS:
            continue
        x0 = float(np.mean(getattr(inp, field)))
        lo, hi = apply_range(x0, r, field)
        if hi - lo > 0 and abs((hi - x0) - (x0 - lo)) > 0.2 * (hi - lo):
            lopsided.append(INPUTS[field][0])
    why = "cost per point is a ratio, so uncertain gains stretch it further up than down"
    if lopsided:
        why = (
            "the ranges of "
            + ", ".join(lopsided[:3])
            + " reach further one way than the other, and "
            + why
        )
    side = "above" if gap > 0 else "below"
    return (
        text
        + f". The median sits {abs(gap):.0%} {side} the {money(point)} at today's values because "
        f"{why}."
    )
