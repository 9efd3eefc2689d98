"""The work plan by slice in every report format (HTML, Markdown, JSON, PDF), from ``build_report``
and from ``python -m hybrid report --data FILE --slice COL``: every slice row is there, the totals
are the overall plan's, and hostile slice names are text in each format."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from hybrid.cli.main import main
from hybrid.model.scenario import load_scenario
from hybrid.model.workplan import SliceStats, slice_plan
from hybrid.share.pdf import render_pdf
from hybrid.share.render import render_html, render_json, render_markdown
from hybrid.share.report import build_report
from hybrid.share.workplan import workplan_html, workplan_markdown
from tests.conftest import ROOT

SCN = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
DATA = ROOT / "data" / "samples" / "support_tickets.csv"
HOSTILE = (
    "<script>alert(1)</script>",
    "**bold** [link](javascript:alert(1)) | pipe",
    '=HYPERLINK("http://evil")',
    "# heading\nnext line",
    "esc\x1b[31mred\u202eevil",
)
DATE = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def hostile_report(policy):
    scn = load_scenario(SCN)
    stats = [
        SliceStats(name, rows, agreement=agr)
        for name, rows, agr in zip(
            (*HOSTILE, "plain"),
            (4000, 2500, 900, 300, 120, 1500),
            (0.95, 0.9, 0.93, 0.6, 0.97, 0.92),
            strict=True,
        )
    ]
    wp = slice_plan(scn, policy, stats)
    return wp, build_report(scn, policy, workplan=wp, generated_at=DATE)


def test_html_has_every_slice_escaped_and_the_chart(hostile_report):
    wp, data = hostile_report
    out = render_html(data)
    section = out[out.index('<section id="work-plan">') :]
    section = section[: section.index("</section>")]
    assert section.count("<tr>") == len(wp.slices) + 2  # header, slices, total
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "<script>alert(1)" not in out
    assert "\x1b" not in out and "\u202e" not in out and "\\u001b" in section
    assert f'<td class="num">{wp.human_examples:,}</td>' in section
    assert 'id="chart-workplan"' in out


def test_markdown_rows_are_one_line_each_and_inert(hostile_report):
    wp, data = hostile_report
    md = render_markdown(data)
    part = md[md.index("## Work plan by slice") : md.index("## The factors")]
    rows = [
        line
        for line in part.splitlines()
        if line.startswith("| ") and not line.startswith("| Slice")
    ]
    assert len(rows) == len(wp.slices) + 1
    assert all(row.count(" | ") == 7 for row in rows), rows  # no pipe from a name splits a cell
    assert "<script>" not in md and "&lt;script&gt;" in part
    assert "**bold**" not in part and "\\*\\*bold\\*\\*" in part
    assert "[link](javascript" not in part and "\\[link\\](javascript" in part
    assert not re.search(r"^# heading", md, re.M)
    assert f"| **Total** | {wp.human_examples:,} | {wp.synthetic_examples:,} |" in part
    # The standalone renderers escape too.
    for text in (workplan_markdown(wp), workplan_html(wp)):
        assert "<script>" not in text and "\x1b" not in text
    assert "**bold**" not in workplan_markdown(wp)


def test_json_carries_the_issue_fields_and_the_raw_names(hostile_report):
    wp, data = hostile_report
    out = json.loads(render_json(data))
    assert [s["slice"] for s in out["workplan"]["slices"]] == [s.slice for s in wp.slices]
    assert out["workplan"]["total"]["matches_global_plan"] is True
    assert out["workplan"]["total"]["spend_matches_global_plan"] is True
    assert out["workplan"]["total"]["human_examples"] == round(wp.plan.human_examples)
    assert "\x1b" not in render_json(
        data
    )  # ensure_ascii=False, but JSON escapes control characters


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) reads the PDF's text"
)
def test_pdf_lists_every_slice(hostile_report, tmp_path):
    wp, data = hostile_report
    pdf = render_pdf(data)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Work plan by slice" in text
    assert "plain" in text and "<script>alert(1)</script>" in text  # text, drawn as text
    assert "\x1b" not in text
    assert f"{wp.synthetic_examples:,}" in text


def test_report_cli_adds_the_work_plan(tmp_path, capsys):
    args = [
        "report",
        str(SCN),
        "--date",
        DATE,
        "--data",
        str(DATA),
        "--slice",
        "channel",
        "--annotators",
        "annotator_1,annotator_2",
        "--source",
        "source",
        "--label",
        "label",
    ]
    assert main(args + ["--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    slices = out["workplan"]["slices"]
    assert [s["slice"] for s in slices] == ["chat", "email", "phone", "social"]
    total = out["workplan"]["total"]
    assert total["human_examples"] == total["global_plan"]["human_examples"]
    assert abs(total["spend"] - total["global_plan"]["spend"]) < 1.0
    assert main(args + ["--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "## Work plan by slice" in md and "| chat |" in md
    assert main(args + ["--format", "all", "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    assert 'id="work-plan"' in (tmp_path / "support-intent-fine-tuning.html").read_text()
    assert (tmp_path / "support-intent-fine-tuning.pdf").stat().st_size > 10_000
    # Without --data the report has no work plan; --slice alone, or --data alone, is one line and
    # exit 2.
    assert main(["report", str(SCN), "--format", "json", "--date", DATE]) == 0
    assert "workplan" not in json.loads(capsys.readouterr().out)
    for bad in (
        ["--slice", "channel"],
        ["--data", str(DATA)],
        ["--data", str(DATA), "--slice", "nope"],
    ):
        assert main(["report", str(SCN), "--format", "md", *bad]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:") and "\n" not in err
