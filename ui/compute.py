"""Cached calls into the decision core. The core (``hybrid``) never imports Streamlit; this is
where its work is cached, keyed by the scenario's JSON and the policy text, so a rerun that changed
nothing costs a dictionary lookup."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from hybrid.errors import InputError
from hybrid.explain.recommendation import recommend_inputs
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import Guardrails, Policy, guardrails, load_policy, parse_policy
from hybrid.model.recommend import Recommendation, metric_for_spend, plan_inputs
from hybrid.model.scenario import Scenario, load_scenario

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "examples"
SPEND_POINTS = 161
CURVE_POINTS = 160


@dataclass(frozen=True)
class Analysis:
    """Everything the pages draw for one scenario: the recommendation and its spend curves."""

    rec: Recommendation
    spend: np.ndarray  # money, 0 .. budget
    curves: dict[str, np.ndarray]  # plan name -> expected metric at each spend
    exchange_rate: float
    tail_coverage: float = 0.0  # the tail coverage the plan uses (hybrid.model.economics.Inputs)
    tail_coverage_source: str = ""
    review_unit_cost: float = (
        0.0  # cash per reviewed row: the check plus the wrong ones found, fixed
    )
    review_found: float = 0.0  # share of reviewed rows found wrong and fixed


@st.cache_resource(show_spinner=False, max_entries=16)
def policy(text: str | None = None) -> Policy:
    """The default policy, or one uploaded as YAML text (raises InputError when invalid)."""
    if text is None:
        return load_policy()
    return parse_policy(text, "uploaded policy")


@st.cache_data(show_spinner=False, max_entries=256)
def analyse(scenario_json: str, policy_text: str | None) -> Analysis:
    scenario = Scenario.model_validate_json(scenario_json)
    pol = policy(policy_text)
    inp = resolve_inputs(scenario, pol)
    rec = recommend_inputs(scenario, pol, inp)
    # Linear steps for the budget-wide view and geometric ones down to 1/10,000 of the budget, so a
    # plan that buys only what reaches the target still has a curve when the axis goes logarithmic.
    budget = float(rec.budget)
    spend = np.unique(
        np.concatenate(
            [
                np.linspace(0.0, budget, SPEND_POINTS),
                np.geomspace(max(budget, 1e-9) * 1e-4, max(budget, 1e-9), SPEND_POINTS),
            ]
        )
    )
    curves = {
        p.name: np.asarray(
            metric_for_spend(plan_inputs(inp, rec), p.synthetic_share, p.review_coverage, spend),
            dtype=float,
        )
        for p in rec.plans
    }
    return Analysis(
        rec=rec,
        spend=spend,
        curves=curves,
        exchange_rate=float(inp.exchange_rate(rec.plan.review_coverage)),
        tail_coverage=float(inp.tail_coverage),
        tail_coverage_source=inp.tail_coverage_source,
        review_unit_cost=float(inp.review_unit_cost()),
        review_found=float((1.0 - inp.accuracy) * inp.catch_rate),
    )


def analysis_for(scenario: Scenario, policy_text: str | None) -> Analysis:
    return analyse(scenario.model_dump_json(), policy_text)


@st.cache_data(show_spinner=False, max_entries=64)
def rails(scenario_json: str, policy_text: str | None) -> Guardrails:
    return guardrails(Scenario.model_validate_json(scenario_json), policy(policy_text))


@dataclass(frozen=True)
class CurveView:
    fit: CurveFit
    n: np.ndarray
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@st.cache_data(show_spinner=False, max_entries=64)
def curve_view(points: tuple[tuple[float, float], ...], n_max: float) -> CurveView:
    """Fit with a back-test, and the curve with its 90% band from the smallest point to
    ``n_max``."""
    fit = fit_curve(list(points))
    n_min = min(p[0] for p in points)
    n = np.geomspace(max(n_min / 2.0, 1.0), max(n_max, n_min * 2.0), CURVE_POINTS)
    lo, hi = fit.band(n)
    return CurveView(fit=fit, n=n, mean=fit.predict(n), lo=lo, hi=hi)


@st.cache_data(show_spinner=False)
def examples() -> list[tuple[str, str]]:
    """(file stem, YAML text) of every bundled example, sorted by scenario name."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.yaml")):
        try:
            s = load_scenario(path)
        except InputError:
            continue
        out.append((s.name, path.stem, path.read_text(encoding="utf-8")))
    out.sort()
    return [(stem, text) for _, stem, text in out]


@st.cache_resource(show_spinner=False)
def _library(url: str):
    from hybrid.store.scenarios import ScenarioStore

    return ScenarioStore(url)


def library():
    """The scenario library (``hybrid.store``) where the environment says; InputError if
    unavailable."""
    from hybrid.store.scenarios import default_database_url

    return _library(default_database_url())


@st.cache_data(show_spinner=False)
def default_policy_text() -> str:
    from hybrid.model.policy import DEFAULT_POLICY_PATH

    return DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


@st.cache_data(show_spinner=False, max_entries=64)
def recommendation_figures(scenario_json: str, policy_text: str | None) -> tuple[dict, dict]:
    """The Recommendation page's two figures as plain dicts: building a Plotly figure costs more
    than everything else on the page, so a rerun that changed nothing reuses them."""
    from ui import charts

    a = analyse(scenario_json, policy_text)
    return (
        charts.spend_chart(a.rec, a.spend, a.curves).to_dict(),
        charts.layers_chart(a.rec).to_dict(),
    )
