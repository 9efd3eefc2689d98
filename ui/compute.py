"""Cached calls into the decision core. The core (``hybrid``) never imports Streamlit; this is
where its work is cached, keyed by the scenario's JSON and the policy text, so a rerun that changed
nothing costs a dictionary lookup."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from hybrid.errors import InputError
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.policy import Guardrails, Policy, guardrails, load_policy, parse_policy
from hybrid.model.scenario import Scenario, load_scenario
from hybrid.whatif.analysis import Analysis, build_analysis

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "examples"
CURVE_POINTS = 160


@st.cache_resource(show_spinner=False, max_entries=16)
def policy(text: str | None = None) -> Policy:
    """The default policy, or one uploaded as YAML text (raises InputError when invalid)."""
    if text is None:
        return load_policy()
    return parse_policy(text, "uploaded policy")


@st.cache_data(show_spinner=False, max_entries=256)
def analyse(scenario_json: str, policy_text: str | None) -> Analysis:
    """The scenario's analysis (``hybrid.whatif.analysis``), cached: every page reads this one."""
    return build_analysis(Scenario.model_validate_json(scenario_json), policy(policy_text))


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
