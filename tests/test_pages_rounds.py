"""The Rounds page under AppTest: it shows the staged plan the core computes for the session's
scenario, beside the one-shot plan; a bad miss penalty never reaches the core; recording a measured
round keeps it in the scenario and plans the next."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_helpers import errors, go, main_metric, ok, scenario
from streamlit.testing.v1 import AppTest

from hybrid.model.policy import load_policy
from hybrid.vocabulary import probability
from hybrid.whatif.rounds import plan_rounds

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/7_rounds.py"
TIMEOUT = 180


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    return go(at, PAGE)


def test_the_page_shows_the_core_plan_beside_the_one_shot_plan():
    at = app()
    assert not at.error, errors(at)
    assert at.title[0].value == "Rounds: buy, measure, buy again"
    scn = scenario(at)
    plan = plan_rounds(scn, load_policy())
    if plan.mode == "target":
        chance = probability(plan.probability_target)
        assert main_metric(at, "Chance of reaching the target") == chance
    table = at.dataframe[0].value
    assert list(table["Round"]) == [str(r.round) for r in plan.rounds] + ["At once"]
    assert len(at.get("plotly_chart")) == 1


def test_choosing_the_number_of_rounds_changes_the_table():
    at = app()
    at.selectbox(key="rounds.count").set_value(2)
    ok(at.run())
    assert list(at.dataframe[0].value["Round"]) == ["1", "2", "At once"]


def test_recording_a_round_keeps_it_and_plans_the_next():
    at = app()
    before = scenario(at)
    at.number_input(key="rounds.measured").set_value(80.0)  # percent
    at.button(key="rounds.record_button").click()
    ok(at.run())
    assert not at.error, errors(at)
    after = scenario(at)
    assert len(after.rounds) == 1 and after.rounds[0].measured_metric == pytest.approx(0.8)
    assert after.dataset.human_examples >= before.dataset.human_examples
    assert at.dataframe[-1].value["Measured"][0] == "80.0%"


def test_recording_without_a_metric_says_what_is_missing():
    at = app()
    at.button(key="rounds.record_button").click()
    ok(at.run())
    assert "Measured metric" in errors(at)
    assert scenario(at).rounds is None


EXAMPLES = ROOT / "data" / "examples"


def test_every_example_renders_the_page():
    from apptest_helpers import go as switch

    from hybrid.model.scenario import load_scenario
    from hybrid.share.urlstate import encode

    for path in sorted(EXAMPLES.glob("*.yaml")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.query_params["s"] = encode(load_scenario(path))
        ok(at.run())
        switch(at, PAGE)
        assert not at.error, f"{path.stem}: {errors(at)}"
        assert at.dataframe, path.stem


def test_the_page_runs_on_its_own_without_navigation():
    at = ok(AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT).run())
    assert not at.error, errors(at)
    assert at.title[0].value == "Rounds: buy, measure, buy again"


def test_a_scenario_without_a_recommendation_is_refused_with_the_reason():
    from apptest_helpers import plain

    from hybrid.model.scenario import Scenario, load_scenario
    from hybrid.share.urlstate import encode

    data = load_scenario(EXAMPLES / "support-intent-fine-tuning.yaml").model_dump(
        mode="json", exclude_none=True
    )
    data["dataset"]["annotator_agreement"] = 1.0 / data["dataset"]["classes"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["s"] = encode(Scenario.from_dict(data, "chance"))
    ok(at.run())
    go(at, PAGE)
    assert not at.exception
    assert any("carry no signal to plan with" in plain(e.value) for e in at.error)


def test_a_budget_plan_shows_its_mean_metric_as_a_fraction_beside_the_recommendation():
    """A plan that cannot reach the target shows the mean metric over the futures as every page
    shows a metric (0.852, not 85.2%), labelled as a mean, with the recommendation's beside it;
    this pilot's plan drops its generated rows in hand."""
    from hybrid.explain.recommendation import recommend
    from hybrid.model.scenario import load_scenario
    from hybrid.share.urlstate import encode
    from hybrid.vocabulary import metric

    scn = load_scenario(ROOT / "tests" / "fixtures" / "rows_in_hand_hurt.yaml")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update({"s": encode(scn)})
    ok(at.run())
    at = go(at, PAGE)
    plan = plan_rounds(scenario(at), load_policy())
    rec = recommend(scenario(at), load_policy())
    assert plan.mode == "budget" and rec.drops_rows_in_hand
    shown = next(m for m in at.main.metric if m.label == "Expected metric, mean over the futures")
    assert shown.value == metric(plan.expected_metric)
    assert metric(plan.one_shot.expected_metric) in shown.delta
    assert metric(rec.plan.expected_metric) in shown.delta
    assert "%" not in shown.value
