"""Cached what-if computations and their wording, for the Compare, Sensitivity and Collapse pages.

The pure work lives in ``hybrid`` (sensitivity, uncertainty, collapse, compare); this module only
calls it through ``st.cache_data`` keyed by text (the scenario's JSON, the policy's YAML, the
ranges'
JSON, plain numbers), so a rerun that changed nothing costs a dictionary lookup. It also holds the
titles and number formats the pages and charts share, and the user's edits of the uncertainty
ranges (session state, kept across page switches).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import streamlit as st
from pydantic import ValidationError

from hybrid.explain.rationale import FACTOR_TITLES
from hybrid.explain.sensitivity import (
    INPUTS,
    Bar,
    outcome,
    plausible_range,
    threshold,
    vary,
)
from hybrid.model.economics import Inputs
from hybrid.model.policy import Policy, Range
from hybrid.model.scenario import Scenario
from hybrid.money import money
from hybrid.whatif.analysis import Analysis, build_analysis
from hybrid.whatif.collapse import CollapseResult, compare_modes, simulate_collapse
from hybrid.whatif.inputs import format_input, input_title  # noqa: F401 - the pages use them
from hybrid.whatif.uncertainty import DEFAULT_DRAWS, MonteCarlo
from ui import compute

RANGE_EDITS = (
    "hd.whatif.ranges"  # input -> {"low": x, "high": y}: the user's edits of policy.ranges
)

# --- titles ---------------------------------------------------------------------------------------

OUTCOME_TITLES = {
    "label": "Recommendation",
    "synthetic_share": "Synthetic share of new examples",
    "review_coverage": "Review coverage of synthetic",
    "expected_metric": "Expected metric",
    "points_gained": "Points gained",
    "spend": "Spend",
    "expert_anchor": "Expert anchor (human labels)",
    "synthetic_extension": "Synthetic extension",
    "human_review": "Human review",
    "cost_per_point": "Cost per point, recommended mix",
    "cost_per_point_all_human": "Cost per point, all-human",
    "cost_per_point_all_synthetic": "Cost per point, all-synthetic",
    "binding": "What binds",
}
MONEY_OUTCOMES = {
    "spend",
    "expert_anchor",
    "synthetic_extension",
    "human_review",
    "cost_per_point",
    "cost_per_point_all_human",
    "cost_per_point_all_synthetic",
}
SHARE_OUTCOMES = {"synthetic_share", "review_coverage"}


def format_outcome(key: str, value: Any, currency: str) -> str:
    from hybrid.explain.rationale import LABEL_TITLES

    if value is None:
        return "no gain" if key.startswith("cost_per_point") else "—"
    if key == "label":
        return LABEL_TITLES.get(str(value), str(value))
    if key in SHARE_OUTCOMES:
        return f"{float(value):.0%}"
    if key in MONEY_OUTCOMES:
        return money(float(value), currency)
    if key == "expected_metric":
        return f"{float(value):.3f}"
    if key == "points_gained":
        # No "+" sign: a leading "+" is neutralised as a formula (an apostrophe) in the table.
        return f"{float(value):.1f}"
    if key == "binding":
        text = str(value)
        head, sep, rest = text.partition(" = ")
        if sep and head in FACTOR_TITLES:
            return f"{FACTOR_TITLES[head]} = {rest}"
        return text.replace("_", " ")
    return str(value)


def format_field(field: str, value: float, currency: str) -> str:
    """A tornado input's value: rates as percentages, prices as money."""
    if field in ("accuracy", "catch_rate", "tail_coverage"):
        return f"{value:.1%}".replace(".0%", "%")
    if field.endswith("_cost"):
        return price(value, currency)
    if field == "synthetic_value":
        return f"{value:.2f}×"
    return f"{value:.3g}"


def price(value: float, currency: str) -> str:
    """A unit price: the shared money formatter already keeps three significant digits below one
    unit (a synthetic example costs $0.015)."""
    return money(value, currency)


def field_title(field: str) -> str:
    return INPUTS[field][0]


# --- uncertainty ranges ---------------------------------------------------------------------------


def range_edits() -> dict[str, dict[str, float]]:
    return st.session_state.setdefault(RANGE_EDITS, {})


def effective_ranges(policy: Policy) -> tuple[dict[str, Range], list[str]]:
    """The policy's ranges with the user's edits applied; a bad edit keeps the policy's range and
    is reported (input title: what is wrong)."""
    out: dict[str, Range] = {}
    problems: list[str] = []
    edits = range_edits()
    for field, rng in policy.ranges.items():
        edit = edits.get(field)
        if not edit:
            out[field] = rng
            continue
        low, high = edit.get("low", rng.low), edit.get("high", rng.high)
        title = INPUTS[field][0] if field in INPUTS else field
        if low is None or high is None or not all(math.isfinite(float(v)) for v in (low, high)):
            problems.append(
                f"{title}: low and high must both be numbers; the policy's range is used"
            )
            out[field] = rng
            continue
        try:
            out[field] = Range(kind=rng.kind, low=float(low), high=float(high), reason=rng.reason)
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
            problems.append(f"{title}: {msg}; the policy's range is used")
            out[field] = rng
    return out, problems


def ranges_json(ranges: dict[str, Range]) -> str:
    return json.dumps({k: r.model_dump() for k, r in ranges.items()}, sort_keys=True)


def _ranges(text: str) -> dict[str, Range]:
    return {k: Range.model_validate(v) for k, v in json.loads(text).items()}


# --- cached computations --------------------------------------------------------------------------


def _inputs(scenario_json: str, policy_text: str | None) -> tuple[Scenario, Policy, Inputs]:
    """The scenario, its policy and the analysis's resolved inputs (what-ifs start from them)."""
    scenario = Scenario.model_validate_json(scenario_json)
    pol = compute.policy(policy_text)
    return scenario, pol, compute.analysis_for(scenario, policy_text).inputs


@st.cache_data(show_spinner="Moving each input across its range…", max_entries=64)
def sensitivity_analysis(scenario_json: str, policy_text: str | None, ranges_text: str) -> Analysis:
    """The scenario's analysis with its tornado over these ranges (``build_analysis``)."""
    scenario = Scenario.model_validate_json(scenario_json)
    return build_analysis(
        scenario, compute.policy(policy_text), sensitivity=True, ranges=_ranges(ranges_text)
    )


def tornado_bars(
    scenario_json: str, policy_text: str | None, ranges_text: str
) -> tuple[list[Bar], dict]:
    """The tornado's bars and the plan they swing around (share, label, cost per point): the
    analysis's recommended plan, not a second computation of it."""
    a = sensitivity_analysis(scenario_json, policy_text, ranges_text)
    p = a.rec.plan
    base = {"share": p.synthetic_share, "label": a.rec.label, "cost_per_point": p.cost_per_point}
    return list(a.sensitivity or ()), base


@st.cache_data(show_spinner="Drawing 10,000 futures…", max_entries=32)
def monte_carlo_run(
    scenario_json: str,
    policy_text: str | None,
    ranges_text: str,
    seed: int,
    include_synthetic: bool,
    draws: int = DEFAULT_DRAWS,
) -> MonteCarlo:
    """The analysis's Monte Carlo over these ranges (``build_analysis``)."""
    scenario = Scenario.model_validate_json(scenario_json)
    a = build_analysis(
        scenario,
        compute.policy(policy_text),
        uncertainty=True,
        ranges=_ranges(ranges_text),
        draws=draws,
        seed=seed,
        include_synthetic=include_synthetic,
    )
    return a.uncertainty


def spread_sentence(scenario_json: str, policy_text: str | None, ranges_text: str) -> str:
    """The recommended plan's cost per point beside its Monte Carlo interval, and why they
    differ."""
    from hybrid.whatif.uncertainty import point_and_spread

    a = compute.analysis_for(Scenario.model_validate_json(scenario_json), policy_text)
    inp, rec = a.inputs, a.rec
    mc = monte_carlo_run(scenario_json, policy_text, ranges_text, 0, False)
    spread = next(sp for sp in mc.plans if sp.name == "recommended")
    return point_and_spread(
        rec.plan.cost_per_point,
        spread,
        _ranges(ranges_text),
        inp,
        lambda x: money(x, rec.currency),
        rec.mode,
    )


def box_stats(mc: MonteCarlo) -> dict[str, dict[str, float]]:
    """5/25/50/75/95% of each plan's cost per point (draws with no gain left out), and the share
    of draws in which the plan gains nothing."""
    out = {}
    for i, p in enumerate(mc.plans):
        c = mc.cost_per_point[i]
        ok = c[~np.isnan(c)]
        q = np.quantile(ok, [0.05, 0.25, 0.5, 0.75, 0.95]) if ok.size else [math.nan] * 5
        out[p.name] = {
            "p5": float(q[0]),
            "p25": float(q[1]),
            "p50": float(q[2]),
            "p75": float(q[3]),
            "p95": float(q[4]),
            "no_gain": float(np.mean(np.isnan(c))),
        }
    return out


@st.cache_data(show_spinner="Looking for the values where the label changes…", max_entries=64)
def label_changes(
    scenario_json: str, policy_text: str | None, field: str, lo: float, hi: float
) -> list[tuple[float, str, str]]:
    _, pol, inp = _inputs(scenario_json, policy_text)
    return threshold(pol, inp, field, lo, hi)


@st.cache_data(show_spinner=False, max_entries=64)
def sweep(
    scenario_json: str, policy_text: str | None, field: str, lo: float, hi: float, points: int = 41
) -> dict[str, np.ndarray]:
    """The recommended plan's synthetic share and cost per point at ``points`` values of
    ``field``."""
    _, pol, inp = _inputs(scenario_json, policy_text)
    xs = np.linspace(lo, hi, points)
    shares, cpps = [], []
    for x in xs:
        o = outcome(vary(inp, field, float(x)), pol)
        shares.append(o.share)
        cpps.append(np.nan if o.cost_per_point is None else o.cost_per_point)
    return {"x": xs, "share": np.array(shares), "cost_per_point": np.array(cpps)}


def today_value(
    scenario_json: str, policy_text: str | None, field: str
) -> tuple[float, tuple[float, float]]:
    """Today's value of a tornado input and where the threshold finder looks by default."""
    _, _, inp = _inputs(scenario_json, policy_text)
    return float(np.mean(getattr(inp, field))), plausible_range(inp, field)


@st.cache_data(show_spinner="Simulating generations…", max_entries=64)
def collapse_runs(
    categories: int,
    zipf_exponent: float,
    samples_per_generation: int,
    generations: int,
    fresh_share: float,
    seed: int,
) -> dict[str, CollapseResult]:
    """Replace and accumulate with the same seed; and, when fresh data is on, replace without it
    (``reference``) so the chart shows what the fresh data bought."""
    kwargs = dict(
        categories=categories,
        zipf_exponent=zipf_exponent,
        samples_per_generation=samples_per_generation,
        generations=generations,
        seed=seed,
    )
    runs = compare_modes(fresh_share=fresh_share, **kwargs)
    if fresh_share > 0:
        runs["reference"] = simulate_collapse(fresh_share=0.0, mode="replace", **kwargs)
    return runs


# --- page-local widgets that survive a page switch -----------------------------------------------


def _copy(widget_key: str, store: str) -> None:
    st.session_state[store] = st.session_state[widget_key]


def kept(widget_key: str, default: Any) -> dict[str, Any]:
    """Keyword arguments for a page-local widget (a seed, a slider) whose value is kept in the
    session: the widget is re-seeded from ``hd.keep.<key>`` on every run, as ``ui.state`` does for
    the scenario's fields, so leaving the page loses nothing."""
    store = f"hd.keep.{widget_key}"
    st.session_state[widget_key] = st.session_state.get(store, default)
    return {"key": widget_key, "on_change": _copy, "args": (widget_key, store)}


def kept_value(widget_key: str, default: Any) -> Any:
    return st.session_state.get(f"hd.keep.{widget_key}", default)
