"""Issue 20's contradictions and issue 19's text defects, each with a test that fails on the code
before the one analysis: provenance tracked once, the sensitivity headline, the learning-curve
exponent's range, a $0 plan's headline, and numbers written as a person reads them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hybrid.explain.sensitivity import Bar, measure_next, tornado
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.scenario import Scenario, load_scenario
from hybrid.share.report import build_report
from hybrid.vocabulary import interval, ratio, source_text
from hybrid.whatif.analysis import build_analysis

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
PILOT = ROOT / "tests" / "fixtures" / "digits_pilot_measured.yaml"


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def _with(path: Path, **economics) -> Scenario:
    data = load_scenario(path).model_dump(mode="json", exclude_none=True)
    data["economics"].update(economics)
    return Scenario.from_dict(data)


# --- provenance: one place, the same words everywhere -------------------------------------------


def test_a_pilot_measured_input_is_measured_in_the_report(policy):
    """The report's assumptions once said "policy default ... until the team measures otherwise"
    for the synthetic value after a pilot had measured it."""
    a = build_analysis(load_scenario(PILOT), policy)
    assert a.source("synthetic_value").source.kind == "pilot"
    assert a.source("saturation").source.kind == "pilot"
    facts = {f.name: f for f in build_report(a.scenario, policy, analysis=a).assumptions}
    value = facts["Synthetic example value (noise-free)"]
    assert value.source.startswith("measured on a pilot")
    assert "until the team measures" not in value.source
    assert value.value == f"{a.source('synthetic_value').value:.2f}"


def test_a_policy_default_is_never_called_measured(policy):
    """The Costs page called the policy default tail coverage "measured": it matched "policy" in a
    sentence. The kind is data now."""
    a = build_analysis(load_scenario(EXAMPLE), policy)
    tail = a.tail_coverage
    assert tail.source.kind == "policy" and not tail.source.measured
    assert source_text(tail.source).startswith("policy default")
    entered = build_analysis(_with(EXAMPLE, tail_coverage=0.4), policy).tail_coverage
    assert entered.source.kind == "entered" and entered.value == pytest.approx(0.4)


def test_model_strings_never_name_a_dashboard_page(policy):
    for path in (EXAMPLE, PILOT):
        a = build_analysis(load_scenario(path), policy)
        words = " ".join(source_text(s.source) for s in a.sources) + " ".join(a.rationale)
        assert " page" not in words.replace("per page", "")
    from hybrid.explain.sensitivity import INPUTS

    assert not [how for *_, how in INPUTS.values() if "page" in how]
    legal = build_analysis(load_scenario(ROOT / "data/examples/legal-evaluation-set.yaml"), policy)
    assert not [s for s in legal.rationale if "page" in s]


def test_the_fix_cost_is_said_to_be_the_one_used(policy):
    """ "fixed at a fresh label's price" while a separate fix cost was set and used."""
    a = build_analysis(_with(EXAMPLE, fix_cost_per_example=0.9), policy)
    fix = a.source("fix_cost")
    assert fix.source.kind == "entered" and fix.value == pytest.approx(0.9)
    b = build_analysis(_with(EXAMPLE, fix_cost_per_example=None), policy).source("fix_cost")
    assert b.source.kind == "derived" and "fresh human label" in b.source.reason


# --- sensitivity ---------------------------------------------------------------------------------


def _bar(name, share_lo, share_hi, cpp_lo, cpp_hi):
    return Bar(name, name, 0, 1, share_lo, share_hi, cpp_lo, cpp_hi, "hybrid", "hybrid", False)


def test_the_headline_names_the_input_that_moves_cost_per_point_most():
    """It named the input with the widest swing in synthetic share instead."""
    bars = [
        _bar("synthetic_value", 0.2, 0.8, 100.0, 110.0),
        _bar("human_cost", 0.5, 0.55, 50.0, 200.0),
    ]
    assert "Measure the human_cost next" in measure_next(bars)


def test_the_exponent_range_keeps_today_where_it_was_measured(policy):
    """At its low end the exponent put today's metric at 0.635 against measured points near 0.9,
    and both ends of its bar were cheaper than today."""
    inp = resolve_inputs(load_scenario(EXAMPLE), policy)
    today = float(inp.today())
    for b in (0.5 * float(inp.exponent), 1.5 * float(inp.exponent)):
        assert float(inp.with_exponent(b).today()) == pytest.approx(today, abs=1e-9)
    bar = next(b for b in tornado(inp, policy) if b.input == "exponent")
    base = build_analysis(load_scenario(EXAMPLE), policy).rec.plan.cost_per_point
    ends = [c for c in (bar.cpp_low, bar.cpp_high) if c is not None]
    assert not all(c < base for c in ends), "both ends of the exponent cheaper than today"
    # a flatter curve buys less per dollar: the low end costs more per point
    assert bar.cpp_low is None or bar.cpp_low >= base


# --- a plan that buys nothing ---------------------------------------------------------------------


def test_a_zero_plan_is_not_headlined_as_labeling_new_examples(policy):
    """A $0 plan was headlined "Human-led: label all new examples with human experts"."""
    scenario = _with(EXAMPLE, target_metric=0.5)
    a = build_analysis(scenario, policy)
    assert a.rec.plan.spend == 0
    assert a.headline.startswith("Buy nothing")
    assert build_report(scenario, policy, analysis=a).headline == a.headline


# --- numbers as a person reads them (issue 19) ----------------------------------------------------


def test_ratios_are_never_in_e_notation():
    assert ratio(450.0) == "450"
    assert ratio(4500.0) == "4,500"
    assert ratio(3.85) == "3.9"
    assert "e+" not in ratio(1e7)


def test_no_review_is_not_zero_percent_review_catching(policy):
    """ "0% review catching 85% of errors" """
    scenario = _with(EXAMPLE, review_cost_per_example=50.0)
    a = build_analysis(scenario, policy)
    assert not any("0% review catching" in s for s in a.rationale)


def test_an_interval_of_no_gain_is_said_once():
    """A report cell read "n/a (no gain) (n/a (no gain) - n/a (no gain))"."""
    assert interval("n/a (no gain)", "n/a (no gain)", "n/a (no gain)") == "n/a (no gain)"
    assert interval("$5", "$4", "$6") == "$5 ($4 \u2013 $6)"


def test_uncertainty_rows_of_a_plan_with_no_gain(policy):
    nan = float("nan")
    unc = {
        "recommended": dict(
            cpp_p5=nan,
            cpp_p50=nan,
            cpp_p95=nan,
            metric_p5=0.8,
            metric_p50=0.8,
            metric_p95=0.8,
            p_cheapest=0.0,
        )
    }
    data = build_report(load_scenario(EXAMPLE), policy, uncertainty=unc)
    row = data.uncertainty[0]
    assert row.cpp_text == "n/a (no gain)"
    assert row.metric_text == "0.800"


def test_sensitivity_in_the_report_is_the_analysis(policy):
    a = build_analysis(load_scenario(EXAMPLE), policy, sensitivity=True)
    data = build_report(a.scenario, policy, analysis=a)
    assert data.sensitivity_note == a.sensitivity_headline
    assert [r.input for r in data.sensitivity] == [b.input for b in a.sensitivity]


def test_monte_carlo_exponent_draws_keep_today(policy):
    from hybrid.whatif.uncertainty import draw_inputs

    inp = resolve_inputs(load_scenario(EXAMPLE), policy)
    no_cov = replace(inp, curve=replace(inp.curve, cov=None))
    drawn = draw_inputs(no_cov, policy.ranges, 200, np.random.default_rng(0))
    assert np.allclose(drawn.today(), float(inp.today()), atol=1e-6)


def test_the_costs_chart_marks_todays_metric_not_the_curves():
    """The Costs chart drew "today" at about 0.97 (the human rows' curve) while the number beside it
    said 0.897 (the analysis's today)."""
    from ui import charts

    n = np.geomspace(10, 10_000, 50)
    mean = 0.99 - 0.5 * n**-0.3
    fig = charts.curve_chart(n, mean, mean, mean, [], 0.95, 500.0, False, today_metric=0.897)
    marks = [t for t in fig.data if list(t.y) == [0.897]]
    assert marks and list(marks[0].x) == [500.0]
    assert "0.897" in marks[0].name


def test_accumulating_never_says_lost(tmp_path, monkeypatch):
    """The Collapse simulator said "2,577 lost" beside "a category once seen is never lost"."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "pages" / "10_collapse.py"), default_timeout=120).run()
    assert not at.exception
    seen = [m for m in at.metric if m.label == "Categories seen"]
    replace_, accumulate = seen
    assert "lost" not in str(accumulate.delta) and "lost" not in str(accumulate.help)
    assert "lost" in str(replace_.delta) or "all" in str(replace_.delta)


def test_no_edge_case_suggestion_without_a_label_column(tmp_path, monkeypatch):
    """A file with no label column has no class tail: the Dataset page suggested an edge-case level
    "as the class tail suggests" anyway (the policy default, 3, against the example's 2)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    data = load_scenario(EXAMPLE).model_dump(mode="json")
    data["factors"]["edge_cases"] = 1
    from hybrid.share.urlstate import encode

    at.query_params.update({"s": encode(Scenario.from_dict(data))})
    at.run()
    at.switch_page("pages/3_dataset.py").run()
    rows = "\n".join(f"{i},{i * 0.37:.2f},note {i}" for i in range(300))
    at.file_uploader(key="dataset.upload").set_value(
        ("nolabel.csv", f"id,score,comment\n{rows}\n".encode(), "text/csv")
    )
    at.run()
    assert not at.exception
    assert at.session_state["hd.upload.profile"]["roles"]["label"] is None
    assert at.session_state["hd.upload.suggest"] is None
    assert not [b for b in at.button if "as the class tail suggests" in str(b.label)]
