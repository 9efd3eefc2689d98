"""Buying in rounds (hybrid/whatif/rounds.py): the staged plan, its properties, closing the loop,
and the ``rounds`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hybrid.cli.main import main
from hybrid.errors import InputError
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.recommend import decide
from hybrid.model.scenario import MAX_ROUNDS, Scenario, load_scenario
from hybrid.whatif.rounds import (
    default_rounds,
    plan_rounds,
    reading_error,
    record_round,
)
from hybrid.whatif.uncertainty import draw_values, monte_carlo
from tests.conftest import ROOT

POLICY = load_policy()
CERTAIN = POLICY.model_copy(update={"ranges": {}})
SUPPORT = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
FAST = dict(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw):
    """Scenarios with a fitted curve (no covariance): their only uncertainty is the ranges'."""
    ceiling = draw(st.floats(0.75, 0.99))
    exponent = draw(st.floats(0.15, 0.8))
    human_now = draw(st.integers(300, 20000))
    scale = draw(st.floats(0.5, 4.0))
    today = ceiling - scale * human_now ** (-exponent)
    if today < 0.2:
        scale = (ceiling - 0.2) * human_now**exponent
        today = 0.2
    target = draw(st.floats(min(0.99, today + 0.001), min(0.999, ceiling + 0.02)))
    return Scenario.model_validate(
        {
            "name": "generated",
            "factors": {"error_cost": draw(st.integers(1, 5)), "edge_cases": 3},
            "dataset": {"human_examples": human_now, "classes": draw(st.integers(2, 20))},
            "economics": {
                "budget": draw(st.floats(1000, 300000)),
                "human_cost_per_example": draw(st.floats(0.2, 30)),
                "synthetic_cost_per_example": draw(st.floats(0.001, 0.5)),
                "review_cost_per_example": draw(st.floats(0.0, 5)),
                "synthetic_label_accuracy": draw(st.floats(0.6, 0.995)),
                "target_metric": target,
                "learning_curve": {
                    "fitted": {"ceiling": ceiling, "scale": scale, "exponent": exponent}
                },
            },
        }
    )


@settings(**FAST)
@given(scn=scenarios(), rounds=st.integers(1, MAX_ROUNDS))
def test_with_no_uncertainty_the_staged_plan_buys_what_the_one_shot_plan_buys(scn, rounds):
    plan = plan_rounds(scn, CERTAIN, rounds=rounds, draws=100, level=0.0)
    rec = decide(scn, CERTAIN, resolve_inputs(scn, CERTAIN))
    human = sum(r.human_examples for r in plan.rounds)
    synthetic = sum(r.synthetic_examples for r in plan.rounds)
    assert human == pytest.approx(rec.plan.human_examples, rel=1e-6, abs=1e-6)
    assert synthetic == pytest.approx(rec.plan.synthetic_examples, rel=1e-6, abs=1e-6)
    if rec.mode == "target":  # the cheapest plan reaching the target is bought at once
        assert all(r.human_examples + r.synthetic_examples == 0 for r in plan.rounds[1:])
    assert plan.expected_spend == pytest.approx(rec.plan.spend, rel=1e-6, abs=1e-6)
    assert plan.probability_target == plan.one_shot.probability_target


@settings(**FAST)
@given(scn=scenarios(), low=st.floats(0, 2e5), more=st.floats(1, 1e6), rounds=st.integers(1, 5))
def test_a_higher_miss_penalty_never_lowers_the_chance_of_reaching_the_target(
    scn, low, more, rounds
):
    a = plan_rounds(scn, POLICY, rounds=rounds, miss_penalty=low, draws=200)
    b = plan_rounds(scn, POLICY, rounds=rounds, miss_penalty=low + more, draws=200)
    assert b.probability_target >= a.probability_target


@settings(**FAST)
@given(scn=scenarios(), rounds=st.integers(1, 5), penalty=st.floats(0, 1e7))
def test_planned_spend_never_exceeds_the_budget(scn, rounds, penalty):
    plan = plan_rounds(scn, POLICY, rounds=rounds, miss_penalty=penalty, draws=200)
    assert plan.spend_paths.max() <= scn.economics.budget * (1 + 1e-9)
    assert plan.rounds[-1].expected_spend_to_date <= scn.economics.budget * (1 + 1e-9)
    assert np.all(np.diff(plan.spend_paths, axis=0) >= -1e-9)  # a round never un-buys


def test_the_monte_carlo_and_the_rounds_draw_the_same_futures(monkeypatch):
    import hybrid.whatif.rounds as rounds_module
    import hybrid.whatif.uncertainty as uncertainty_module

    seen = []

    def spy(inp, ranges, draws, rng):
        out = draw_values(inp, ranges, draws, rng)
        seen.append(out)
        return out

    monkeypatch.setattr(uncertainty_module, "draw_values", spy)
    monkeypatch.setattr(rounds_module, "draw_values", spy)
    scn = load_scenario(SUPPORT)
    inp = resolve_inputs(scn, POLICY)
    rec = decide(scn, POLICY, inp)
    plan_rounds(scn, POLICY, draws=300, seed=7)
    monte_carlo(
        inp,
        [("recommended", rec.plan.synthetic_share, rec.plan.review_coverage)],
        POLICY.ranges,
        "target",
        draws=300,
        seed=7,
    )
    a, b = seen
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_staged_beats_one_shot_on_its_objective_on_every_example():
    for path in sorted((ROOT / "data" / "examples").glob("*.yaml")):
        scn = load_scenario(path)
        plan = plan_rounds(scn, POLICY, draws=300)
        assert plan.expected_cost <= plan.one_shot_cost + 1e-6, path.name
        assert plan.expected_spend <= scn.economics.budget * (1 + 1e-9)


def test_with_uncertainty_one_round_carries_a_margin():
    scn = load_scenario(SUPPORT)
    plan = plan_rounds(scn, POLICY, rounds=1, miss_penalty=2 * scn.economics.budget)
    rec = decide(scn, POLICY, resolve_inputs(scn, POLICY))
    assert plan.one_round_margin is not None and plan.one_round_margin > 0.05
    assert plan.rounds[0].human_examples > rec.plan.human_examples
    assert plan.probability_target > plan.one_shot.probability_target


def test_json_has_exactly_the_issue_shape():
    out = plan_rounds(load_scenario(SUPPORT), POLICY, rounds=3, draws=200).to_json()
    assert set(out) == {"rounds", "expected_spend", "probability_target", "one_shot"}
    assert [r["round"] for r in out["rounds"]] == [1, 2, 3]
    assert set(out["rounds"][0]) == {
        "round",
        "human_examples",
        "synthetic_examples",
        "review_coverage",
        "spend",
        "probability_target",
        "expected_spend_to_date",
    }
    # The issue's shape, plus what the one-shot metric is (a mean over the futures) and the
    # recommendation's point figure beside it.
    assert set(out["one_shot"]) == {
        "spend",
        "probability_target",
        "expected_metric",
        "expected_metric_is",
        "point_metric",
    }
    json.dumps(out, allow_nan=False)


def test_bad_settings_are_refused_with_the_field_named():
    scn = load_scenario(SUPPORT)
    with pytest.raises(InputError, match="rounds"):
        plan_rounds(scn, POLICY, rounds=6)
    with pytest.raises(InputError, match="miss penalty"):
        plan_rounds(scn, POLICY, miss_penalty=float("nan"))
    with pytest.raises(InputError, match="draws"):
        plan_rounds(scn, POLICY, draws=10)


def test_reading_error_shrinks_as_one_over_root_n():
    assert reading_error(0.8, 400) == pytest.approx(0.02)
    assert reading_error(0.8, 1600) == pytest.approx(0.01)


def test_default_rounds_is_at_most_five_and_at_least_one():
    assert default_rounds(1e9, 100, 5) == 5
    assert default_rounds(250, 100, 5) == 2
    assert default_rounds(50, 100, 5) == 1
    assert default_rounds(float("inf"), 100, 5) == 1


def test_recording_a_round_keeps_it_and_a_low_reading_buys_more_next_time():
    scn = load_scenario(SUPPORT)
    plan = plan_rounds(scn, POLICY, draws=400)
    h, s, v = plan.first_purchase()
    low = record_round(scn, int(h), int(s), v, 0.88)
    high = record_round(scn, int(h), int(s), v, 0.95)
    assert len(low.rounds) == 1 and low.rounds[0].measured_metric == 0.88
    assert low.dataset.human_examples == scn.dataset.human_examples + int(h)
    assert Scenario.from_yaml(low.to_yaml()) == low
    after_low = plan_rounds(low, POLICY, rounds=2, draws=400)
    after_high = plan_rounds(high, POLICY, rounds=2, draws=400)
    assert after_low.readings == 1
    assert after_low.expected_spend > after_high.expected_spend


def test_a_scenario_keeps_at_most_five_rounds():
    scn = load_scenario(SUPPORT)
    for _ in range(MAX_ROUNDS):
        scn = record_round(scn, 100, 0, 0.0, None)
    with pytest.raises(InputError, match="5 rounds"):
        record_round(scn, 100, 0, 0.0, None)
    data = scn.model_dump(mode="json")
    data["rounds"].append(data["rounds"][0])
    with pytest.raises(InputError, match="rounds"):
        Scenario.from_dict(data)


def test_a_round_record_refuses_bad_values():
    data = load_scenario(SUPPORT).model_dump(mode="json")
    data["rounds"] = [
        {"human_examples": -1, "synthetic_examples": 0, "human_in_hand": 1, "synthetic_in_hand": 0}
    ]
    with pytest.raises(InputError, match="rounds.0.human_examples"):
        Scenario.from_dict(data)
    data["rounds"] = [
        {
            "human_examples": 1,
            "synthetic_examples": 0,
            "human_in_hand": 1,
            "synthetic_in_hand": 0,
            "measured_metric": 1.5,
        }
    ]
    with pytest.raises(InputError, match="rounds.0.measured_metric"):
        Scenario.from_dict(data)


def test_cli_json(capsys):
    assert main(["rounds", str(SUPPORT), "--rounds", "2", "--draws", "200", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["rounds"]) == 2


def test_cli_text_and_recording(capsys, tmp_path):
    target = tmp_path / "next.yaml"
    code = main(["rounds", str(SUPPORT), "--draws", "200", "--measured", "0.9", "-o", str(target)])
    assert code == 0
    text = capsys.readouterr().out
    assert "One-shot plan on the same futures" in text
    assert load_scenario(target).rounds[0].measured_metric == 0.9


@pytest.mark.parametrize(
    "args",
    [
        ["--rounds", "0"],
        ["--rounds", "x"],
        ["--miss-penalty", "-5"],
        ["--miss-penalty", "inf"],
        ["--draws", "5"],
        ["--seed", "-1"],
        ["--evaluation-rows", "3"],
        ["--measured", "0.9"],
        ["--measured", "2", "-o", "x.yaml"],
        ["--bought", "1,2"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(capsys, args):
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(["rounds", str(SUPPORT), *args]))
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


def test_cli_missing_file_exits_2(capsys, tmp_path):
    assert main(["rounds", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml" in capsys.readouterr().err


def test_the_library_keeps_each_round_as_a_version(tmp_path):
    from hybrid.store.scenarios import ScenarioStore

    scn = load_scenario(SUPPORT)
    with ScenarioStore(f"sqlite:///{tmp_path / 'lib.sqlite'}") as store:
        store.save(scn.name, scn, author="test")
        after = record_round(scn, 500, 2000, 1.0, 0.9)
        store.save(scn.name, after, author="test", note="round 1 measured")
        history = store.history(scn.name)
        assert [v.version for v in history] == [1, 2]
        assert store.load(scn.name, 1).rounds is None
        assert store.load(scn.name, 2).rounds[0].measured_metric == 0.9


def test_the_order_ranges_arrive_in_does_not_change_the_draws():
    """The Sensitivity page keeps its ranges as sorted JSON, the report and the CLI pass the
    policy's order: both must draw the same futures."""
    inp = resolve_inputs(load_scenario(SUPPORT), POLICY)
    backwards = dict(reversed(list(POLICY.ranges.items())))
    a = draw_values(inp, POLICY.ranges, 300, np.random.default_rng(3))
    b = draw_values(inp, backwards, 300, np.random.default_rng(3))
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_the_report_carries_the_same_rounds_as_the_command(capsys):
    assert main(["report", str(SUPPORT), "--format", "json", "--rounds"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rounds"] == plan_rounds(load_scenario(SUPPORT), POLICY).to_json()
    assert main(["report", str(SUPPORT), "--format", "md", "--rounds"]) == 0
    md = capsys.readouterr().out
    assert "## Buying in rounds" in md and "| At once |" in md
    assert main(["report", str(SUPPORT), "--format", "html", "--rounds"]) == 0
    html = capsys.readouterr().out
    assert '<section id="rounds">' in html and "<td>At once</td>" in html
    assert main(["report", str(SUPPORT), "--format", "json"]) == 0
    assert "rounds" not in json.loads(capsys.readouterr().out)


def _with_response() -> Scenario:
    data = load_scenario(SUPPORT).model_dump(mode="json", exclude_none=True)
    data["dataset"]["synthetic_response"] = {
        "value": 0.6,
        "saturation": 4.0,
        "systematic_share": 0.1,
        "floor": 0.01,
        "accuracy": 0.9,
        "human_rows": 1000,
        "synthetic_rows": 300,
        "points": [[1000, 0, 0.85], [1000, 1000, 0.87], [1000, 3000, 0.88]],
    }
    return Scenario.from_dict(data)


def test_measured_quantities_carry_standard_errors_that_narrow_with_round_one():
    plan = plan_rounds(_with_response(), POLICY, rounds=3, draws=300)
    names = [s.name for s in plan.spreads]
    assert names == [
        "curve level",
        "generator accuracy",
        "synthetic worth",
        "saturation",
        "metric lost per point of generator error",
    ]
    acc = plan.spreads[1]
    assert acc.standard_error == pytest.approx((0.9 * 0.1 / 300) ** 0.5)
    for s in plan.spreads:
        assert 0 < s.after_first_round <= s.standard_error
    assert any("Drawn from the pilot's standard errors" in n for n in plan.notes)


def test_narrowing_is_one_over_root_n():
    from hybrid.whatif.rounds import narrowed

    assert narrowed(0.02, 100, 300) == pytest.approx(0.01)
    assert narrowed(0.02, 100, 0) == pytest.approx(0.02)


def test_recorded_rounds_spend_the_series_budget():
    scn = load_scenario(SUPPORT)
    budget = scn.economics.budget
    after = record_round(scn, 10000, 0, 0.0, 0.88, spend=0.9 * budget)
    plan = plan_rounds(after, POLICY, rounds=2, draws=200)
    assert plan.budget == pytest.approx(0.1 * budget)
    assert plan.spend_paths.max() <= 0.1 * budget * (1 + 1e-9)
    priced = record_round(scn, 1000, 0, 0.0, 0.88)  # no spend recorded: priced at unit costs
    assert plan_rounds(priced, POLICY, rounds=1, draws=200).budget == pytest.approx(
        budget - 1000 * scn.economics.human_cost_per_example
    )
