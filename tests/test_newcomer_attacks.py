"""What a newcomer with a pilot of their own, and bad input, ran into (FINDINGS.md, branch i35):
each test fails on the code before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from hybrid.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
INTERNAL_READINGS = ("below_range", "interpolated", "extrapolated", "at_least")


def test_evidence_says_in_words_how_each_size_was_read(capsys):
    """F2: the exchange-rate lines ended in "(below_range)" and "(interpolated)"."""
    code = main(["evidence", str(SAMPLE), "--label", "label", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if "synthetic rows score" in line]
    assert lines
    for line in lines:
        assert not any(key in line for key in INTERNAL_READINGS), line
        assert "human curve" in line, line


@pytest.mark.parametrize("flag", ["--annotators", "--policy"])
def test_evidence_refuses_an_option_it_would_ignore(flag, capsys):
    """F13: without --scenario, --annotators and --policy were accepted and never read."""
    value = "nope1,nope2" if flag == "--annotators" else "no-such-policy.yaml"
    code = main(["evidence", str(SAMPLE), "--label", "label", "--quiet", flag, value])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and flag in err and "--scenario" in err


WINE = ROOT / "tests" / "fixtures" / "wine_pilot_measured.yaml"


def test_the_saturation_sentence_names_the_limit_that_binds_when_rows_in_hand_are_dropped():
    """F4: the plan drops the 600 generated rows in hand and the pilot's measured range (0.29
    generated rows per human row) binds at 64 new rows; the rationale credited those 64 to the
    fitted saturation ("3.84 useful per human row": 221 x 3.84 is 849), because it subtracted
    the dropped rows from the pilot's range."""
    import re

    from hybrid.explain.recommendation import recommend
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario

    rec = recommend(load_scenario(WINE), load_policy())
    assert rec.drops_rows_in_hand
    said = next(s for s in rec.rationale if s.startswith("Generated rows build on"))
    assert "the pilot saw them pay up to about" in said, said
    ratio, humans, peak = (
        float(x.replace(",", ""))
        for x in re.search(
            r"about ([\d.]+) generated rows per human row.*?with ([\d,]+) human examples, "
            r"beyond about ([\d,]+)",
            said,
        ).groups()
    )
    assert peak == pytest.approx(ratio * humans, rel=0.05)


@pytest.mark.parametrize(
    "budget, said",
    [
        (-5, "economics.budget: must be at least 0.01 (got -5)"),
        (float("nan"), "economics.budget: not a number (got nan)"),
        (1e12 + 1, "economics.budget: must be at most 1,000,000,000,000 (got 1,000,000,000,001)"),
    ],
)
def test_out_of_range_numbers_are_said_in_words(budget, said):
    """F5: "Input should be greater than or equal to 0.01 (got nan)", and the cap twice, once as a
    raw float ("at most 1,000,000,000,000: Input should be less than or equal to 1000000000000")."""
    from hybrid.errors import InputError
    from hybrid.model.scenario import Scenario, load_scenario

    data = load_scenario(WINE).model_dump()
    data["economics"]["budget"] = budget
    with pytest.raises(InputError) as err:
        Scenario.from_dict(data)
    assert str(err.value) == f"scenario: {said}"


@pytest.mark.parametrize("command", ["profile", "evidence"])
def test_a_header_naming_a_column_twice_is_refused_by_name(tmp_path, capsys, command):
    """F1: the wine pilot with its `ash` column renamed `label`: `profile` took the ash values as
    the label (679 "classes", filled into the scenario by the Dataset page) and `evidence` said
    "marks 0 rows synthetic" of a file with 600 generated rows."""
    rows = ["x,label,source,label"] + [
        f"{i},{'ab'[i % 2]},{'human' if i % 3 else 'generated'},{i * 0.37:.2f}" for i in range(90)
    ]
    path = tmp_path / "twice.csv"
    path.write_text("\n".join(rows) + "\n")
    args = ["--quiet"] + (["--label", "label"] if command == "evidence" else [])
    code = main([command, str(path), *args])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.splitlines() == [err]
    assert "twice.csv" in err and "'label' twice (columns 2 and 4)" in err


def test_the_monte_carlo_gap_is_put_down_to_its_cause():
    """F7: the wine plan reaches the target in under half the futures and spends the whole budget
    in the others, so the median cost per point sits about 20 times above today's $29.80; the page
    put that down to "the ranges of review catch rate, human cost per example, synthetic cost per
    example reach further one way than the other"."""
    from hybrid.explain.recommendation import recommend
    from hybrid.model.economics import resolve_inputs
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.whatif.uncertainty import monte_carlo, point_and_spread

    policy, scenario = load_policy(), load_scenario(WINE)
    rec, inp = recommend(scenario, policy), resolve_inputs(scenario, policy)
    plans = [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans]
    mc = monte_carlo(inp, plans, policy.ranges, rec.mode, draws=2000, seed=0)
    spread = next(sp for sp in mc.plans if sp.name == "recommended")
    assert spread.p_reaches_target < 0.5 and spread.cpp_p50 > 5 * rec.plan.cost_per_point
    text = point_and_spread(
        rec.plan.cost_per_point, spread, policy.ranges, inp, lambda x: f"${x:,.0f}", rec.mode
    )
    assert f"reaches the target in only {spread.p_reaches_target:.0%} of the futures" in text
    assert "whole $5,000 budget" in text and "one way than the other" not in text


def test_a_work_plan_that_buys_nothing_says_so_instead_of_an_empty_chart(tmp_path, monkeypatch):
    """F12: with nothing to buy, the Work plan page drew a bar per slice with no bars over a
    "$-1, $-500m, $0, $500m, $1" axis."""
    from apptest_helpers import errors, go, main_metric, ok
    from streamlit.testing.v1 import AppTest

    from hybrid.model.scenario import Scenario

    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    ok(at.run())
    go(at, "pages/6_workplan.py")
    data = at.session_state["hd.scenario"].model_dump()
    data["economics"]["target_metric"] = 0.5  # below today's metric: nothing to buy
    at.session_state["hd.scenario"] = Scenario.from_dict(data)
    at.button(key="workplan.sample").click()
    ok(at.run())
    assert not at.error, errors(at)
    assert main_metric(at, "Spend") == "$0.00"
    assert not at.get("plotly_chart")
    assert any("buys no new rows" in i.value for i in at.info)


def test_a_file_of_generated_rows_only_says_it_has_no_human_rows(tmp_path, capsys):
    """F14: the pilot's 600 generated rows alone: the Dataset page said only "100% of rows are
    already synthetic" and filled 0 human rows, which the plan reads as "not given" (today 0.914
    from the learning curve's largest size, 0.963 after dropping every row in the file)."""
    path = tmp_path / "generated-only.csv"
    path.write_text(
        "x,label,source\n" + "".join(f"{i},{'abc'[i % 3]},generated\n" for i in range(60))
    )
    code = main(["profile", str(path), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "warning: no row in source column 'source' is marked human" in out


def test_rounds_chosen_by_the_tool_are_rounds_that_buy_something():
    """F10: `rounds` on the wine pilot said "Buying in 5 round(s)" over rounds 2 to 5 of 0 rows
    and $0.00, under a note that one round is best; the report said "Bought in 5 rounds"."""
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.whatif.rounds import plan_rounds

    plan = plan_rounds(load_scenario(WINE), load_policy(), draws=500)
    assert [r.round for r in plan.rounds] == [1]
    assert plan.spend_paths.shape[0] == plan.metric_paths.shape[0] == 1
    # Asked for, five rounds stay five.
    asked = plan_rounds(load_scenario(WINE), load_policy(), rounds=5, draws=500)
    assert len(asked.rounds) == 5


def test_a_money_field_takes_the_cap_as_it_is_written():
    """F6: the Costs page refused "1e12" (the documented cap, as the scenario file takes it) as
    "'1e12' is not an amount in USD", and "1e308" the same way rather than by the cap."""
    from hybrid.errors import InputError
    from hybrid.money import parse_money

    assert parse_money("1e12", "USD") == 1e12
    assert parse_money("$2.5e3", "USD") == 2500.0
    assert parse_money("1e308", "USD") == 1e308  # the schema then says "must be at most ..."
    with pytest.raises(InputError, match="far too large"):
        parse_money("1e400", "USD")
    with pytest.raises(InputError, match="not an amount"):
        parse_money("1e", "USD")


@pytest.mark.parametrize(
    "name, said",
    [
        ("", "name: must not be empty"),
        ("x" * 201, "name: must be at most 200 characters (got 201)"),
    ],
)
def test_a_scenario_name_out_of_bounds_is_said_in_words(name, said):
    """F5: the Start page said "Scenario name: String should have at least 1 character"."""
    from hybrid.errors import InputError
    from hybrid.model.scenario import Scenario, load_scenario

    data = load_scenario(WINE).model_dump()
    data["name"] = name
    with pytest.raises(InputError) as err:
        Scenario.from_dict(data)
    assert str(err.value) == f"scenario: {said}"


@pytest.mark.parametrize(
    "where, value, said",
    [
        (("factors", "error_cost"), 2.5, "factors.error_cost: expected a whole number (got 2.5)"),
        (("", "factors"), None, "factors: expected a mapping of fields (got None)"),
        (("", "name"), 5, "name: expected text (got 5)"),
        (("economics", "budget"), "x" * 5000, "economics.budget: expected a number (got 'xxx"),
    ],
)
def test_a_value_of_the_wrong_kind_is_said_in_words(where, value, said):
    """F5: "Input should be a valid dictionary or instance of Factors" named a class; a 5,000
    character value was repeated whole in the message."""
    from hybrid.errors import InputError
    from hybrid.model.scenario import Scenario, load_scenario

    data = load_scenario(WINE).model_dump()
    (data[where[0]] if where[0] else data)[where[1]] = value
    with pytest.raises(InputError) as err:
        Scenario.from_dict(data)
    assert str(err.value).startswith(f"scenario: {said}")
    assert len(str(err.value)) < 200


def test_a_file_that_is_not_a_report_is_refused_without_internal_names():
    """F15: the Start page said "weird.json: report: the JSON has no 'scenario_yaml' field"."""
    from hybrid.errors import InputError
    from hybrid.share.extract import extract_yaml

    with pytest.raises(InputError) as err:
        extract_yaml(b'{"a": [[[[1]]]]}')
    assert "scenario_yaml" not in str(err.value) and "not a report made by this tool" in str(
        err.value
    )
    with pytest.raises(InputError, match="neither a PDF nor UTF-8 text"):
        extract_yaml(bytes(range(128, 256)))


def test_a_file_and_its_own_statistics_file_are_one_shard_given_twice(capsys):
    """F24: `profile wine_pilot.csv wine.stats.yaml` (the file and the statistics file profiled
    from it) merged to 1,556 rows, every count doubled, while the same CSV given twice was refused:
    the two differed by `annotators.weighted_agree` alone, written for one and not the other."""
    stats = ROOT / "data" / "samples" / "support_tickets.stats.yaml"
    code = main(["profile", str(SAMPLE), str(stats), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.splitlines() == [err] and "the same shard given twice" in err
    assert "support_tickets.csv is given twice (itself, or with a statistics file" in err


def test_a_report_whose_work_plan_buys_nothing_has_no_empty_chart():
    """F12, the report's half: the same empty spend chart as the Work plan page."""
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import Scenario, load_scenario
    from hybrid.model.workplan import SliceStats, slice_plan
    from hybrid.share.figures import figures
    from hybrid.share.render import render_html
    from hybrid.share.report import build_report

    policy = load_policy()
    data = load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml")
    data = data.model_dump()
    data["economics"]["target_metric"] = 0.5  # below today's metric: nothing to buy
    scn = Scenario.from_dict(data)
    stats = [SliceStats(name, rows, agreement=0.9) for name, rows in (("a", 500), ("b", 300))]
    wp = slice_plan(scn, policy, stats)
    assert wp.spend == 0
    report = build_report(scn, policy, workplan=wp, generated_at="2026-01-01T00:00:00Z")
    assert "chart-workplan" not in figures(report)
    assert 'id="chart-workplan"' not in render_html(report)


def test_labels_spelled_more_than_one_way_are_named(tmp_path, capsys):
    """F26: "spam", "Spam", "SPAM " and "ham", "Ham" were five classes without a word (the work
    plan's slice reader trims spaces, the profile does not)."""
    path = tmp_path / "case.csv"
    labels = ["spam", "Spam", "SPAM ", "ham", "Ham"]
    path.write_text(
        "text,label\n" + "".join(f"msg {i},{labels[i % 5]}\n" for i in range(100)),
    )
    code = main(["profile", str(path), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "warning: 2 labels are spelled more than one way, differing only in case or spaces "
        "('SPAM ', 'Spam', 'spam'; 'Ham', 'ham')"
    ) in out
