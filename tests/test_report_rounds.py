"""The staged plan (issue 24) in the PDF report and on the Report page: the PDF draws the
round-by-round table and the staged plan beside the one-shot plan from the report's
``RoundsSection``; the Report page's "Rounds" option puts the plan the Rounds page
shows into every format, with the numbers the Rounds page and ``rounds --json`` give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest_helpers import errors, go, ok, plain, scenario
from streamlit.testing.v1 import AppTest

from hybrid.cli.main import main
from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario
from hybrid.money import money
from hybrid.share import pdf as pdf_module
from hybrid.share.render import render_html, render_markdown
from hybrid.share.report import build_report
from hybrid.whatif.rounds import plan_rounds

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
TIMEOUT = 240
ROUNDS_HEADER = [
    "Round",
    "New human rows",
    "New synthetic rows",
    "Synthetic reviewed",
    "Spend",
    "Spent so far (expected)",
    "Target reached by then",
]


@pytest.fixture(scope="module")
def plan():
    return plan_rounds(load_scenario(EXAMPLE), load_policy())


def test_the_pdf_draws_the_rounds_table_and_the_one_shot_figures(drawn, plan):
    texts, tables = drawn
    data = build_report(
        load_scenario(EXAMPLE), load_policy(), generated_at="2026-12-04T12:00:00Z", rounds=plan
    )
    out = pdf_module.render_pdf(data)
    assert out.startswith(b"%PDF-")
    assert data.rounds.intro in texts
    found = [rows for header, rows in tables if header == ROUNDS_HEADER]
    assert len(found) == 1
    rows = found[0]
    assert [r[0] for r in rows] == [str(r.round) for r in plan.rounds] + ["At once"]
    for row, r in zip(rows, plan.rounds, strict=False):
        assert row[1] == f"{r.human_examples:,.0f}"
        assert row[2] == f"{r.synthetic_examples:,.0f}"
        assert row[3] == (f"{r.review_coverage:.0%}" if r.synthetic_examples else "\u2014")
        assert row[4] == money(r.spend, plan.currency)
        assert row[5] == money(r.expected_spend_to_date, plan.currency)
        assert row[6] == f"{r.probability_target:.0%}"
    o = plan.one_shot
    assert rows[-1][4] == money(o.spend, plan.currency)
    assert rows[-1][6] == f"{o.probability_target:.0%}"
    compare = dict((r[0], r[1:]) for header, rows_ in tables for r in rows_ if header[0] == "")
    assert compare["Expected spend"] == [
        money(plan.expected_spend, plan.currency),
        money(o.spend, plan.currency),
    ]
    assert compare["Target reached by the last round"] == [
        f"{plan.probability_target:.0%}",
        f"{o.probability_target:.0%}",
    ]
    assert compare["Expected metric"] == [f"{plan.expected_metric:.1%}", f"{o.expected_metric:.1%}"]


def test_without_rounds_the_pdf_has_no_rounds_section(drawn):
    texts, tables = drawn
    data = build_report(load_scenario(EXAMPLE), load_policy(), generated_at="2026-12-04T12:00:00Z")
    pdf_module.render_pdf(data)
    assert not any(header == ROUNDS_HEADER for header, _ in tables)


def test_every_format_shows_the_review_coverage_of_each_round(plan):
    data = build_report(
        load_scenario(EXAMPLE), load_policy(), generated_at="2026-12-04T12:00:00Z", rounds=plan
    )
    assert all(len(row) == len(ROUNDS_HEADER) for row in data.rounds.rows)
    md = render_markdown(data)
    assert "| Round | New human rows | New synthetic rows | Synthetic reviewed | Spend |" in md
    assert "|---|--:|--:|--:|--:|--:|--:|" in md
    assert '<th class="num">Synthetic reviewed</th>' in render_html(data)


# --- the Report page ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


def _report_json(at: AppTest) -> dict:
    at.button_group(key="report.preview").set_value("JSON")
    ok(at.run())
    return json.loads(at.code[0].value)


def _report_md(at: AppTest) -> str:
    at.button_group(key="report.preview").set_value("Markdown")
    ok(at.run())
    return at.code[0].value


def _cli_rounds(capsys, tmp_path, at: AppTest, *flags: str) -> dict:
    path = tmp_path / "session.yaml"
    path.write_text(scenario(at).to_yaml(), encoding="utf-8")
    capsys.readouterr()
    assert main(["rounds", str(path), "--json", *flags]) == 0
    return json.loads(capsys.readouterr().out)


def _md_rounds(md: str) -> list[list[str]]:
    section = md.split("## Buying in rounds", 1)[1].split("\n## ", 1)[0]
    section = section.split("| | Bought in rounds", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    return [[plain(c.strip()) for c in line.strip().strip("|").split("|")] for line in rows]


def _report_page(at: AppTest) -> AppTest:
    at = go(at, "pages/12_report.py")
    at.toggle(key="report.sensitivity").set_value(False)
    at.toggle(key="report.uncertainty").set_value(False)
    ok(at.run())
    assert "rounds" not in _report_json(at)
    at.toggle(key="report.rounds").set_value(True)
    ok(at.run())
    assert not at.error, errors(at)
    return at


def test_the_report_page_carries_the_rounds_page_plan(capsys, tmp_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    at = go(at, "pages/7_rounds.py")
    at.selectbox(key="rounds.count").set_value(2)
    at.number_input(key="rounds.penalty").set_value(12345.0)
    ok(at.run())
    shown = at.dataframe[0].value
    assert list(shown["Round"]) == ["1", "2", "At once"]

    at = _report_page(at)
    cli = _cli_rounds(capsys, tmp_path, at, "--rounds", "2", "--miss-penalty", "12345")
    assert _report_json(at)["rounds"] == cli
    md_rows = _md_rounds(_report_md(at))
    assert [r[0] for r in md_rows] == list(shown["Round"])
    assert [r[4] for r in md_rows] == list(shown["Spend"])
    assert [r[5] for r in md_rows] == list(shown["Spent so far"])
    assert [r[6] for r in md_rows] == list(shown["Target reached"])
    assert [r[3] for r in md_rows] == list(shown["Reviewed"])
    assert "cost of missing the target $12,345" in plain(" ".join(c.value for c in at.caption))


def test_the_report_page_uses_the_rounds_defaults_before_the_rounds_page(capsys, tmp_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    at = _report_page(at)
    assert _report_json(at)["rounds"] == _cli_rounds(capsys, tmp_path, at)


def test_the_rounds_page_keeps_its_choices_after_a_visit_to_the_report_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    at = go(at, "pages/7_rounds.py")
    at.selectbox(key="rounds.count").set_value(2)
    at.number_input(key="rounds.penalty").set_value(12345.0)
    ok(at.run())
    shown = at.dataframe[0].value
    at = go(go(at, "pages/12_report.py"), "pages/7_rounds.py")
    assert at.selectbox(key="rounds.count").value == 2
    assert at.number_input(key="rounds.penalty").value == 12345.0
    assert at.dataframe[0].value.equals(shown)


def test_markdown_and_html_show_the_staged_plan_beside_the_one_shot_plan(plan):
    data = build_report(
        load_scenario(EXAMPLE), load_policy(), generated_at="2026-12-04T12:00:00Z", rounds=plan
    )
    md, html = plain(render_markdown(data)), render_html(data)
    for figure, staged, once in data.rounds.comparison:
        assert f"| {figure} | {staged} | {once} |" in md
        assert f'<td>{figure}</td><td class="num">{staged}</td>' in html
    assert f"{plan.expected_metric:.1%}" in md
