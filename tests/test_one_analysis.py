"""One analysis, every surface: each number a surface shows equals the ``Analysis``'s.

For every bundled example and the bundled pilot scenario, the table ``NUMBERS`` lists each number
the surfaces show, read from the ``Analysis`` (``hybrid.whatif.analysis.build_analysis``), from the
command line's ``recommend --json`` and from the JSON report. The pages (AppTest) are checked
against the same analysis, formatted as the page formats it. A surface that computes its own
number, instead of reading the analysis, drifts from it and fails here. Work-plan numbers (i20b)
join the same table.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from functools import cache
from pathlib import Path

import pytest

from hybrid.cli.main import main as cli_main
from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario
from hybrid.share.render import render_json
from hybrid.share.report import build_report
from hybrid.whatif.analysis import Analysis, build_analysis

ROOT = Path(__file__).resolve().parent.parent
# The bundled pilot scenario (data/samples/digits_pilot.yaml) as measured on its pilot.
# A pilot whose 600 generated rows lower today's metric, so the recommendation drops them
# (tests/fixtures/rows_in_hand_hurt.yaml: a newcomer's pilot, its learning curve cut to three
# points so it has no covariance and nothing is uncertain at zero-width ranges).
ROWS_IN_HAND_HURT = ROOT / "tests" / "fixtures" / "rows_in_hand_hurt.yaml"
SCENARIOS = sorted((ROOT / "data" / "examples").glob("*.yaml")) + [
    ROOT / "tests" / "fixtures" / "digits_pilot_measured.yaml",
    ROWS_IN_HAND_HURT,
]
IDS = [p.stem for p in SCENARIOS]
PLANS = ("recommended", "all-human", "all-synthetic")
PLAN_FIELDS = (
    "synthetic_share",
    "review_coverage",
    "new_examples",
    "human_examples",
    "synthetic_examples",
    "spend",
    "expected_metric",
    "points_gained",
    "cost_per_point",
    "risk_adjusted_cost_per_point",
    "wrong_labels",
    "escaped_error_cost",
    "expert_anchor",
    "synthetic_extension",
    "human_review",
    "reaches_target",
)


@cache
def analysis(path: Path) -> Analysis:
    return build_analysis(load_scenario(path), load_policy())


@cache
def cli_json(path: Path) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["recommend", str(path), "--json"]) == 0
    return json.loads(out.getvalue())


@cache
def report_json(path: Path) -> dict:
    scenario = load_scenario(path)
    return json.loads(render_json(build_report(scenario, load_policy())))


def _plan(name):
    return lambda a: a.plan(name)


# (number, from the analysis, from `recommend --json`, from the JSON report)
NUMBERS = [
    ("today", lambda a: a.today, lambda j: j["today_metric"], lambda r: r["today_metric"]),
    ("target", lambda a: a.target, lambda j: j["target_metric"], lambda r: r["target_metric"]),
    ("budget", lambda a: a.rec.budget, lambda j: j["budget"], lambda r: r["budget"]),
    ("label", lambda a: a.rec.label, lambda j: j["recommendation"], lambda r: r["recommendation"]),
    ("mode", lambda a: a.rec.mode, lambda j: j["mode"], lambda r: r["mode"]),
    ("headline", lambda a: a.headline, lambda j: j["rationale"][0], lambda r: r["rationale"][0]),
    ("rationale", lambda a: list(a.rationale), lambda j: j["rationale"], lambda r: r["rationale"]),
]
for _name in PLANS:
    for _field in PLAN_FIELDS:
        NUMBERS.append(
            (
                f"{_name}.{_field}",
                lambda a, n=_name, f=_field: getattr(a.plan(n), f),
                lambda j, n=_name, f=_field: j["plans"][n][f],
                lambda r, n=_name, f=_field: r["plans"][n][f],
            )
        )
for _key, _title in (("expert_anchor", 0), ("synthetic_extension", 1), ("human_review", 2)):
    NUMBERS.append(
        (
            f"layer.{_key}",
            lambda a, i=_title: a.layers[i].amount,
            lambda j, k=_key: j["layers"][k],
            lambda r, k=_key: r["layers"][k],
        )
    )


def same(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, (int, float)) and not isinstance(y, bool):
        return abs(x - y) <= 1e-6 * max(1.0, abs(x))
    return x == y


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_recommend_json_is_the_analysis(path):
    a, j = analysis(path), cli_json(path)
    wrong = [n for n, of_a, of_j, _ in NUMBERS if not same(of_a(a), of_j(j))]
    assert not wrong, wrong


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_json_report_is_the_analysis(path):
    a, r = analysis(path), report_json(path)
    wrong = [n for n, of_a, _, of_r in NUMBERS if not same(of_a(a), of_r(r))]
    assert not wrong, wrong


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_every_input_has_one_value_and_one_source_everywhere(path):
    """Every input: the analysis's value and provenance, the same in the CLI's JSON and the
    report's."""
    a = analysis(path)
    want = {s.key: s.to_json() for s in a.sources}
    assert cli_json(path)["inputs"] == want
    assert report_json(path)["inputs"]["sources"] == want


# --- the pages (AppTest) --------------------------------------------------------------------------
# Each page's numbers as the page formats them, read from the analysis. A page that computed its
# own number would show another value for some scenario here.

PAGE_TIMEOUT = 120


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.main.metric}


def _said(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.success)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _recommendation_page(a: Analysis, at) -> list[tuple[str, str, str]]:
    from hybrid.money import money_compact
    from hybrid.vocabulary import LABEL_TITLES

    p, m = a.rec.plan, _metrics(at)
    out = [
        ("Recommendation", LABEL_TITLES[a.rec.label], m["Recommendation"]),
        ("Synthetic share", f"{p.synthetic_share:.0%}", m["Synthetic share"]),
        ("Expected metric", f"{p.expected_metric:.3f}", m["Expected metric"]),
        ("Spend", money_compact(p.spend, a.currency), m["Spend"]),
        ("headline", a.headline, a.headline if a.headline in _said(at) else "(not shown)"),
    ]
    plans = at.expander[0].dataframe[0].value
    order = [pl.name for pl in a.rec.plans]
    for col, fmt in (
        ("expected metric", lambda q: f"{q.expected_metric:.3f}"),
        ("points gained", lambda q: f"{q.points_gained:.2f}"),
        ("new examples", lambda q: f"{q.new_examples:,.0f}"),
        ("synthetic share", lambda q: f"{q.synthetic_share:.0%}"),
    ):
        want = [fmt(a.plan(n)) for n in order]
        out.append((col, str(want), str(list(plans[col]))))
    return out


def _costs_page(a: Analysis, at) -> list[tuple[str, str, str]]:
    from hybrid.vocabulary import source_text

    tail = a.tail_coverage
    line = (
        f"The plan uses a tail coverage of {tail.value:.0%} "
        f"({source_text(tail.source, reason=False)})."
    )
    return [
        ("Today's metric", f"{a.today:.3f}", _metrics(at)["Today's metric"]),
        ("tail coverage", line, line if line in _said(at) else "(not shown)"),
    ]


def _sensitivity_page(a: Analysis, at) -> list[tuple[str, str, str]]:
    from hybrid.whatif.analysis import build_analysis as build

    s = build(a.scenario, load_policy(), sensitivity=True)
    head = f"### {s.measure_next}"
    shown = [str(x.value).replace("\\", "") for x in at.markdown if str(x.value).startswith("###")]
    return [("measure next", head, shown[0] if shown else "(not shown)")]


def _report_page(a: Analysis, at) -> list[tuple[str, str, str]]:
    from hybrid.share.report import verdict_sentence

    verdict = verdict_sentence(a.rec)
    return [("verdict", verdict, verdict if verdict in _said(at) else "(not shown)")]


def _compare_page(a: Analysis, at) -> list[tuple[str, str, str]]:
    """The current scenario beside a bundled example: its column is the analysis's."""
    from hybrid.money import money
    from hybrid.vocabulary import LABEL_TITLES

    # The page opens on the current scenario beside another (an example when nothing is saved).
    assert at.multiselect(key="compare.pick").value[0] == "Current scenario"
    p = a.rec.plan
    outcomes = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    current = outcomes.columns[2]
    row = dict(zip(outcomes["Outcome"], outcomes[current], strict=True))
    metrics = [(m.label, m.value) for m in at.main.metric]
    first = {label: value for label, value in reversed(metrics)}
    return [
        ("Recommendation", LABEL_TITLES[a.rec.label], first["Recommendation"]),
        ("Synthetic share", f"{p.synthetic_share:.0%}", first["Synthetic share"]),
        ("Expected metric", f"{p.expected_metric:.3f}", row["Expected metric"]),
        ("Spend", money(p.spend, a.currency), row["Spend"]),
        ("Expert anchor", money(p.expert_anchor, a.currency), row["Expert anchor (human labels)"]),
    ]


PAGES = {
    "pages/5_recommendation.py": _recommendation_page,
    "pages/8_compare.py": _compare_page,
    "pages/4_costs.py": _costs_page,
    "pages/9_sensitivity.py": _sensitivity_page,
    "pages/12_report.py": _report_page,
}


@pytest.fixture
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_pages_show_the_analysis(path, _own_library):
    from streamlit.testing.v1 import AppTest

    from hybrid.share.urlstate import encode

    a = analysis(path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=PAGE_TIMEOUT)
    at.query_params.update({"s": encode(a.scenario)})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    wrong = []
    for page, numbers in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        wrong += [(page, *row) for row in numbers(a, at) if row[1] != row[2]]
    assert not wrong, wrong


def test_the_work_plan_in_the_analysis_splits_the_analysis_plan():
    """The work plan rides in the analysis, split from its recommended plan with its inputs; the
    report shows the analysis's work plan (work-plan numbers: i20b's tests)."""
    from hybrid.model.workplan import SliceStats

    path = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
    slices = [SliceStats("billing", 6000, agreement=0.97), SliceStats("shipping", 2500)]
    a = build_analysis(load_scenario(path), load_policy(), slices=slices)
    assert a.workplan is not None and a.workplan.plan == a.rec.plan
    report = build_report(a.scenario, load_policy(), analysis=a)
    assert report.workplan is not None and report.workplan.plan is a.workplan


# --- the what-ifs measure from the recommendation's own basis ------------------------------------
# When the plan drops the rows in hand, today's metric stays the dataset's as it is and the plans
# are priced without the rows; the Monte Carlo, the tornado and the rounds must do the same, or
# the Sensitivity and Rounds pages disagree with the Recommendation page.


def _no_spread():
    from hybrid.explain.sensitivity import INPUTS
    from hybrid.model.policy import Range

    return {k: Range(kind="absolute", low=0.0, high=0.0, reason="no uncertainty") for k in INPUTS}


def test_the_fixture_drops_its_rows_in_hand_with_nothing_uncertain():
    a = analysis(ROWS_IN_HAND_HURT)
    assert a.rec.drops_rows_in_hand
    assert a.inputs.curve.cov is None
    assert a.rec.today_metric < a.rec.metric_without_rows_in_hand


def test_the_monte_carlo_at_zero_spread_is_the_recommendation():
    a = analysis(ROWS_IN_HAND_HURT)
    mc = build_analysis(
        a.scenario, load_policy(), uncertainty=True, ranges=_no_spread(), draws=100
    ).uncertainty
    assert mc is not None
    for spread in mc.plans:
        plan = a.plan(spread.name)
        if plan.cost_per_point is None:  # a plan that gains nothing has no cost per point
            assert math.isnan(spread.cpp_p50), spread.name
        else:
            assert spread.cpp_p50 == pytest.approx(plan.cost_per_point, rel=1e-9), spread.name
        assert spread.metric_p50 == pytest.approx(plan.expected_metric, rel=1e-9), spread.name
        assert spread.p_reaches_target == float(plan.reaches_target)


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_the_tornado_swings_around_the_recommendation(path):
    """The tornado's base is the recommendation's cost per point, and an input that cannot move
    the plan (review cost under an all-human plan) gives that number at both ends."""
    from hybrid.explain.sensitivity import outcome

    a = analysis(path)
    policy = load_policy()
    base = outcome(a.inputs, policy)
    assert base.cost_per_point == pytest.approx(a.rec.plan.cost_per_point, rel=1e-9)
    assert base.share == pytest.approx(a.rec.plan.synthetic_share)
    if a.rec.plan.synthetic_share == 0:
        bars = build_analysis(a.scenario, policy, sensitivity=True).sensitivity
        review = next(b for b in bars if b.input == "review_cost")
        assert review.cpp_low == pytest.approx(a.rec.plan.cost_per_point, rel=1e-9)
        assert review.cpp_high == pytest.approx(a.rec.plan.cost_per_point, rel=1e-9)


def test_a_cheaper_human_label_never_costs_more_per_point_than_the_recommendation():
    a = analysis(ROWS_IN_HAND_HURT)
    bars = build_analysis(a.scenario, load_policy(), sensitivity=True).sensitivity
    human = next(b for b in bars if b.input == "human_cost")
    cheap, dear = sorted((human.cpp_low, human.cpp_high))
    assert cheap < a.rec.plan.cost_per_point < dear


def test_the_rounds_one_shot_at_zero_spread_is_the_recommendation():
    from hybrid.whatif.rounds import plan_rounds

    a = analysis(ROWS_IN_HAND_HURT)
    plan = plan_rounds(
        a.scenario,
        load_policy(),
        draws=100,
        ranges={},
        level=0.0,
        inputs=a.inputs,
        recommendation=a.rec,
    )
    one = plan.one_shot
    assert one.expected_metric == pytest.approx(a.rec.plan.expected_metric, rel=1e-9)
    assert one.point_metric == a.rec.plan.expected_metric
    assert one.spend == pytest.approx(a.rec.plan.spend)
    assert one.probability_target == float(a.rec.plan.reaches_target)
    if a.rec.mode == "budget":
        assert plan.expected_metric == pytest.approx(a.rec.plan.expected_metric, rel=1e-9)
    shot = plan.to_json()["one_shot"]
    assert "mean over" in shot["expected_metric_is"]
    assert shot["point_metric"] == pytest.approx(a.rec.plan.expected_metric)
