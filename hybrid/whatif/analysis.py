"""The analysis: every number any surface shows, computed once from (scenario, policy, evidence).

``build_analysis(scenario, policy)`` resolves the model inputs (the evidence a pilot or dataset
measured is in the scenario: ``Dataset.synthetic_response``, ``synthetic_exchange_rate`` and the
rest), runs the recommendation with its rationale, prices the spend curves, and, when asked, the
tornado and the Monte Carlo. The dashboard's pages, ``recommend --json`` and every report format
(JSON, Markdown, HTML, PDF) read this one frozen object; they format, they compute nothing of their
own, so two screens cannot disagree. Every input carries its value and its ``Provenance``
(``hybrid.model.provenance``) as data.

It lives in ``whatif`` because it composes the layers below it: the model, the explanation and the
Monte Carlo. Pure: no I/O, no caching (the dashboard caches it in ``ui.compute``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hybrid.errors import InputError
from hybrid.explain.recommendation import recommend_inputs
from hybrid.explain.sensitivity import Bar, headline_bar, measure_next, tornado
from hybrid.model.economics import Inputs, resolve_inputs
from hybrid.model.policy import Policy, Range
from hybrid.model.provenance import Provenance, Sourced
from hybrid.model.recommend import Plan, Recommendation, metric_for_spend, plan_inputs
from hybrid.model.scenario import Scenario
from hybrid.vocabulary import LABEL_TITLES, LAYERS, PLAN_ORDER
from hybrid.whatif.uncertainty import DEFAULT_DRAWS, MonteCarlo, monte_carlo

# Spend points of the curves: linear steps for the budget-wide view and geometric ones down to
# 1/10,000 of the budget, so a plan that buys only what reaches the target still has a curve when
# the axis goes logarithmic. Each plan's own spend is added, so its point lies on its curve.
SPEND_POINTS = 161

# Shares of the budget at which the spend table gives each plan's expected metric.
SPEND_TABLE_FRACTIONS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0)

# The inputs an analysis reports with their sources, in the order a table lists them.
SOURCED_INPUTS = (
    "budget",
    "target",
    "human_cost",
    "synthetic_cost",
    "review_cost",
    "fix_cost",
    "accuracy",
    "catch_rate",
    "human_error",
    "classes",
    "synthetic_value",
    "synthetic_now_value",
    "tail_coverage",
    "tail_weight",
    "saturation",
    "systematic_share",
    "escaped_error_price",
    "learning_curve",
    "human_now",
    "synthetic_now",
)


@dataclass(frozen=True)
class Layer:
    """One layer of the recommended plan's budget."""

    key: str
    title: str
    amount: float
    share: float  # of the plan's spend; 0 when it spends nothing
    description: str


@dataclass(frozen=True)
class Analysis:
    """Everything a surface shows for one (scenario, policy): the ONE thing every surface reads.

    ``sensitivity`` and ``uncertainty`` are None unless ``build_analysis`` was asked for them.
    """

    scenario: Scenario
    policy_source: str
    policy_digest: str
    inputs: Inputs
    recommendation: Recommendation
    sources: tuple[Sourced, ...]
    spend: np.ndarray
    curves: Mapping[str, np.ndarray]
    exchange_rate: float  # human rows one new synthetic row is worth at the plan's review
    review_unit_cost: float  # cash per reviewed row: the check plus the wrong ones found, fixed
    review_found: float  # share of reviewed rows found wrong and fixed
    # (spend, {plan name: expected metric}) at SPEND_TABLE_FRACTIONS of the budget
    spend_table: tuple[tuple[float, Mapping[str, float]], ...] = ()
    ranges: Mapping[str, Range] = field(default_factory=dict)
    sensitivity: tuple[Bar, ...] | None = None
    uncertainty: MonteCarlo | None = None
    # The recommended plan by slice (hybrid.model.workplan.WorkPlan), priced by these inputs and
    # this plan; None unless build_analysis was given the slices.
    workplan: Any = None

    # -- the recommendation, by name ------------------------------------------------------------
    @property
    def rec(self) -> Recommendation:
        return self.recommendation

    @property
    def today(self) -> float:
        return self.recommendation.today_metric

    @property
    def target(self) -> float:
        return self.recommendation.target_metric

    @property
    def currency(self) -> str:
        return self.recommendation.currency

    @property
    def plans(self) -> tuple[Plan, ...]:
        """The plans in the order every surface lists them: recommended, all-human,
        all-synthetic."""
        by = {p.name: p for p in self.recommendation.plans}
        return tuple(by[n] for n in PLAN_ORDER)

    def plan(self, name: str) -> Plan:
        return next(p for p in self.recommendation.plans if p.name == name)

    @property
    def headline(self) -> str:
        return self.recommendation.rationale[0]

    @property
    def label_title(self) -> str:
        return LABEL_TITLES[self.recommendation.label]

    @property
    def rationale(self) -> tuple[str, ...]:
        return self.recommendation.rationale

    @property
    def layers(self) -> tuple[Layer, ...]:
        p = self.recommendation.plan
        return tuple(
            Layer(key, title, p.layers[key], p.layers[key] / p.spend if p.spend > 0 else 0.0, d)
            for key, title, d in LAYERS
        )

    # -- inputs and where they came from ---------------------------------------------------------
    def source(self, key: str) -> Sourced:
        return next(s for s in self.sources if s.key == key)

    @property
    def tail_coverage(self) -> Sourced:
        return self.source("tail_coverage")

    # -- sensitivity ----------------------------------------------------------------------------
    @property
    def sensitivity_headline(self) -> str:
        """The one sentence naming the input that matters most: the bar whose range flips the label,
        or else the one that moves the cost per point most (``sensitivity.headline_bar``)."""
        if not self.sensitivity:
            return "No input was varied." if self.sensitivity is not None else ""
        label = LABEL_TITLES[self.recommendation.label].lower()
        flips = [b.title for b in self.sensitivity if b.flips_label]
        if flips:
            return (
                f"Inputs whose plausible range flips the {label} label: {', '.join(flips)}. "
                "Measure these next."
            )
        top = headline_bar(list(self.sensitivity)).title
        return (
            f"No input's plausible range flips the {label} label; {top} moves the cost per point "
            "most."
        )

    @property
    def measure_next(self) -> str:
        return measure_next(list(self.sensitivity or ()))

    def to_json(self) -> dict:
        """``recommend --json``: the recommendation's object, then every input with its value and
        source."""
        out = self.recommendation.to_json()
        out["inputs"] = {s.key: s.to_json() for s in self.sources}
        return out


def _value(inp: Inputs, key: str):
    if key == "learning_curve":
        c = inp.curve
        return f"c = {c.ceiling:.4f}, a = {c.scale:.4g}, b = {c.exponent:.4f}"
    if key == "fix_cost":
        return float(inp.human_cost if inp.fix_cost is None else inp.fix_cost)
    if key == "synthetic_now_value" and inp.synthetic_pool > 0:
        # Rows in hand priced by the pilot's response: worth what an unreviewed row at the pilot's
        # accuracy is (economics.Inputs._response), not the default for rows of unknown origin.
        old = inp if inp.pool_accuracy is None else replace(inp, accuracy=inp.pool_accuracy)
        return float(np.mean(old.exchange_rate(0.0)))
    v = float(np.mean(getattr(inp, key)))
    return v if np.isfinite(v) else None


def sourced_inputs(inp: Inputs) -> tuple[Sourced, ...]:
    """Every reported input's value as the economics uses it, with its provenance."""
    return tuple(
        Sourced(k, _value(inp, k), inp.sources.get(k, Provenance("entered")))
        for k in SOURCED_INPUTS
    )


def spend_grid(rec: Recommendation) -> np.ndarray:
    budget = max(float(rec.budget), 1e-9)
    return np.unique(
        np.concatenate(
            [
                np.linspace(0.0, budget, SPEND_POINTS),
                np.geomspace(budget * 1e-4, budget, SPEND_POINTS),
                [p.spend for p in rec.plans if 0 < p.spend],
            ]
        )
    )


def build_analysis(
    scenario: Scenario,
    policy: Policy,
    *,
    sensitivity: bool = False,
    uncertainty: bool = False,
    ranges: Mapping[str, Range] | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    include_synthetic: bool = True,
    slices: Sequence[Any] | None = None,
    margin: float | None = None,
    confidence: float | None = None,
) -> Analysis:
    """The analysis of ``scenario`` under ``policy``; the tornado and the Monte Carlo (over
    ``ranges``, the policy's by default) only when asked. ``include_synthetic`` False leaves the
    all-synthetic plan out of the Monte Carlo (it is outside the guardrails). ``slices``
    (``hybrid.model.workplan.SliceStats``): split the recommended plan across them, with the same
    inputs and plan (``slice_plan``; ``margin`` and ``confidence`` its verification sample's)."""
    if uncertainty and draws < 100:
        raise InputError(f"--draws: at least 100 draws are needed, got {draws}")
    inp = resolve_inputs(scenario, policy)
    rec = recommend_inputs(scenario, policy, inp)
    # The plans are priced without the rows in hand when the recommendation drops them.
    priced = plan_inputs(inp, rec)
    spend = spend_grid(rec)
    curves = {
        p.name: np.asarray(
            metric_for_spend(priced, p.synthetic_share, p.review_coverage, spend), dtype=float
        )
        for p in rec.plans
    }
    table = tuple(
        (
            float(rec.budget * f),
            {
                p.name: float(
                    metric_for_spend(
                        priced, p.synthetic_share, p.review_coverage, np.array([rec.budget * f])
                    )[0]
                )
                for p in rec.plans
            },
        )
        for f in SPEND_TABLE_FRACTIONS
    )
    rng = dict(policy.ranges if ranges is None else ranges)
    bars = tuple(tornado(inp, policy, rng)) if sensitivity else None
    mc = None
    if uncertainty:
        plans = [
            (p.name, p.synthetic_share, p.review_coverage)
            for p in rec.plans
            if include_synthetic or p.name != "all-synthetic"
        ]
        mc = monte_carlo(
            inp,
            plans,
            rng,
            rec.mode,
            draws=draws,
            seed=seed,
            drops_rows_in_hand=rec.drops_rows_in_hand,
        )
    wp = None
    if slices is not None:
        from hybrid.model.workplan import slice_plan

        wp = slice_plan(
            scenario,
            policy,
            list(slices),
            margin=margin,
            confidence=confidence,
            inputs=inp,
            recommendation=rec,
        )
    return Analysis(
        scenario=scenario,
        policy_source=policy.source,
        policy_digest=policy.digest,
        inputs=inp,
        recommendation=rec,
        sources=sourced_inputs(inp),
        spend=spend,
        curves=curves,
        exchange_rate=float(priced.exchange_rate(rec.plan.review_coverage)),
        review_unit_cost=float(priced.review_unit_cost()),
        review_found=float((1.0 - priced.accuracy) * priced.catch_rate),
        spend_table=table,
        ranges=rng,
        sensitivity=bars,
        uncertainty=mc,
        workplan=wp,
    )


__all__ = ["SOURCED_INPUTS", "Analysis", "Layer", "build_analysis", "sourced_inputs"]
