"""Shareable reports: round trips through every format, escaping of user text, offline HTML, the
footer, optional sections, the ``report`` command and the Report page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hybrid import __version__
from hybrid.cli.main import main as cli_main
from hybrid.errors import InputError
from hybrid.explain.recommendation import recommend
from hybrid.model.scenario import Scenario, load_scenario
from hybrid.share.extract import extract_scenario, extract_yaml
from hybrid.share.pdf import render_pdf
from hybrid.share.render import md_escape, render, render_html, render_json, render_markdown
from hybrid.share.report import YAML_MARKER, build_report
from tests.conftest import EXAMPLES, ROOT, make_scenario, name_text

WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
HOSTILE_NAME = '<script>alert(1)</script><img src=x onerror="window.__pwned=1">'
HOSTILE_DOMAIN = "<svg onload=alert(2)> | `code` [link](https://example.com) $x$"
HOSTILE_PROFILE = {
    "rows": 300,
    "columns": ["text", '"><script>alert(3)</script>', "a|b\nc"],
    "label_column": "<b>label</b>",
    "class_counts": {
        "<img src=x onerror=alert(4)>": 120,
        "pipe|and\nnewline": 100,
        "`tick` *bold*": 80,
    },
}
SENSITIVITY = [
    {
        "input": "accuracy",
        "low": 0.85,
        "high": 0.95,
        "share_low": 0.6,
        "share_high": 0.8,
        "cpp_low": 5200.0,
        "cpp_high": 4100.0,
        "flips_label": True,
    },
    {
        "input": "human_cost",
        "low": 1.26,
        "high": 2.7,
        "share_low": 0.8,
        "share_high": 0.8,
        "cpp_low": 3200.0,
        "cpp_high": 6200.0,
        "flips_label": False,
    },
]
UNCERTAINTY = {
    "recommended": {
        "cpp_p5": 3600.0,
        "cpp_p50": 4800.0,
        "cpp_p95": 6500.0,
        "metric_p5": 0.91,
        "metric_p50": 0.915,
        "metric_p95": 0.92,
        "p_cheapest": 0.0,
    },
    "all-human": {
        "cpp_p5": 12700.0,
        "cpp_p50": 16600.0,
        "cpp_p95": 21500.0,
        "metric_p5": 0.91,
        "metric_p50": 0.915,
        "metric_p95": 0.92,
        "p_cheapest": 0.0,
    },
    "all-synthetic": {
        "cpp_p5": 250.0,
        "cpp_p50": 435.0,
        "cpp_p95": 705.0,
        "metric_p5": 0.91,
        "metric_p50": 0.915,
        "metric_p95": 0.92,
        "p_cheapest": 1.0,
    },
}


def hostile_scenario() -> Scenario:
    return make_scenario(
        name=HOSTILE_NAME, domain=HOSTILE_DOMAIN, dataset__source="<iframe src=javascript:alert(5)>"
    )


@pytest.fixture(scope="module")
def support():
    return load_scenario(ROOT / "data/examples/support-intent-fine-tuning.yaml")


@pytest.fixture(scope="module")
def hostile_data(policy):
    return build_report(
        hostile_scenario(),
        policy,
        generated_at=WHEN,
        profile=HOSTILE_PROFILE,
        sensitivity=SENSITIVITY,
        uncertainty=UNCERTAINTY,
    )


@pytest.fixture(scope="module")
def hostile_html(hostile_data):
    return render_html(hostile_data)


@pytest.fixture(scope="module")
def hostile_md(hostile_data):
    return render_markdown(hostile_data)


# --- round trips
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_round_trip_every_format_reproduces_the_numbers(path, policy):
    scenario = load_scenario(path)
    data = build_report(scenario, policy, generated_at=WHEN)
    expected = recommend(scenario, policy).to_json()
    for fmt in ("html", "md", "json", "pdf"):
        out = render(data, fmt)
        assert extract_yaml(out) == scenario.to_yaml(), fmt
        again = extract_scenario(out)
        assert again == scenario, fmt
        assert recommend(again, policy).to_json() == expected, fmt


def test_round_trip_survives_names_that_look_like_report_markup(policy):
    tricky = (
        '```yaml\n</pre><pre id="scenario-yaml">name: evil</pre> '
        + YAML_MARKER
        + ' <a id="scenario-download" href="data:application/yaml;base64,bmFtZTogZXZpbA==">'
    )
    # A name is one line (line breaks are refused at entry); the domain may hold them.
    scenario = make_scenario(
        name=tricky.replace("\n", " ")[:200], domain="```yaml\n</pre>\n````\n" + YAML_MARKER
    )
    data = build_report(scenario, policy, generated_at=WHEN)
    for fmt in ("html", "md", "json", "pdf"):
        assert extract_scenario(render(data, fmt)) == scenario, fmt


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=name_text(min_size=1, max_size=60), domain=st.none() | st.text(max_size=40))
def test_round_trip_any_name_through_markdown_and_json(policy, name, domain):
    scenario = make_scenario(name=name, domain=domain)
    data = build_report(scenario, policy, generated_at=WHEN)
    assert extract_scenario(render_markdown(data)) == scenario
    assert extract_scenario(render_json(data)) == scenario


def test_extract_refuses_what_is_not_a_report():
    for text in (
        "hello",
        "",
        "{}",
        '{"scenario_yaml": 3}',
        "<!DOCTYPE html><html></html>",
        b"%PDF-1.4 nothing",
    ):
        with pytest.raises(InputError):
            extract_scenario(text)
    with pytest.raises(InputError):
        extract_scenario("{not json")


def test_rendering_is_deterministic(support, policy):
    a = build_report(support, policy, generated_at=WHEN)
    b = build_report(support, policy, generated_at=WHEN)
    assert render_html(a) == render_html(b)
    assert render_markdown(a) == render_markdown(b)
    assert render_json(a) == render_json(b)


# --- HTML: escaping and offline
# ---------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _tags(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def test_html_shows_hostile_user_text_as_text(hostile_html):
    for raw in (
        "<script>alert(1)",
        '<img src=x onerror="window.__pwned=1">',
        "<svg onload=alert(2)>",
        "<img src=x onerror=alert(4)>",
        '"><script>alert(3)',
        "<b>label</b>",
        "<iframe",
    ):
        assert raw not in hostile_html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "&lt;img src=x onerror=alert(4)&gt;" in hostile_html
    parsed = _tags(hostile_html)
    tags = {t for t, _ in parsed.tags}
    assert "img" not in tags and "svg" not in tags and "iframe" not in tags and "b" not in tags
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    # The visible title is the hostile name, character for character.
    assert HOSTILE_NAME in "".join(parsed.text)


def test_html_scripts_are_only_ours(hostile_data, hostile_html):
    from hybrid.share.figures import figures

    scripts = [attrs for tag, attrs in _tags(hostile_html).tags if tag == "script"]
    # plotly.js once, one per chart, and the print helper.
    assert len(scripts) == 1 + len(figures(hostile_data)) + 1
    assert all("src" not in attrs for attrs in scripts)
    assert hostile_html.count("Plotly.newPlot(") == len(figures(hostile_data))


def test_html_needs_nothing_from_the_network(hostile_html):
    parsed = _tags(hostile_html)
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("data:", "#")), (tag, href)
        assert tag not in ("link", "iframe", "object", "embed", "base"), tag
    styles = re.findall(r"<style>(.*?)</style>", hostile_html, re.DOTALL)
    assert styles
    for css in styles:
        assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_html_has_every_section_and_the_yaml_download(hostile_data, hostile_html):
    for section in (
        "summary",
        "layers",
        "plans",
        "spend",
        "factors",
        "dataset",
        "assumptions",
        "sensitivity",
        "uncertainty",
        "rationale",
        "reproduce",
    ):
        assert f'id="{section}"' in hostile_html, section
    for chart in ("chart-spend", "chart-layers", "chart-cpp", "chart-tornado", "chart-uncertainty"):
        assert f'id="{chart}"' in hostile_html, chart
    assert 'id="headline"' in hostile_html and "@media print" in hostile_html
    m = re.search(r'<a id="scenario-download"[^>]*download="([^"]+)"', hostile_html)
    # One file-stem rule for every file named after a scenario (hybrid.safetext.file_stem).
    assert m and re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.yaml", m.group(1))


def test_sections_appear_only_when_given(support, policy):
    html = render_html(build_report(support, policy, generated_at=WHEN))
    md = render_markdown(build_report(support, policy, generated_at=WHEN))
    for text in (html, md):
        assert "Sensitivity" not in text and "Uncertainty" not in text
    assert 'id="chart-tornado"' not in html


def test_sensitivity_and_uncertainty_from_the_real_analyses(support, policy):
    from hybrid.explain.sensitivity import tornado
    from hybrid.model.economics import resolve_inputs
    from hybrid.share.analyses import compute_analyses
    from hybrid.whatif.uncertainty import monte_carlo

    inp = resolve_inputs(support, policy)
    rec = recommend(support, policy)
    bars = tornado(inp, policy)  # dataclasses, not dicts
    mc = monte_carlo(
        inp,
        [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans],
        policy.ranges,
        rec.mode,
        draws=500,
        seed=1,
    )
    data = build_report(support, policy, sensitivity=bars, uncertainty=mc, generated_at=WHEN)
    assert len(data.sensitivity) == len(bars) and {r.name for r in data.uncertainty} == {
        p.name for p in rec.plans
    }
    sens, unc = compute_analyses(support, policy, draws=500)
    out = json.loads(
        render_json(
            build_report(support, policy, sensitivity=sens, uncertainty=unc, generated_at=WHEN)
        )
    )
    assert {b["input"] for b in out["sensitivity"]} == {b.input for b in bars}
    assert set(out["uncertainty"]) == {"recommended", "all-human", "all-synthetic"}


# --- Markdown
# ----------------------------------------------------------------------------------------

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _tables(md: str) -> list[list[str]]:
    body = md.split(YAML_MARKER)[0]
    tables, cur = [], []
    for line in body.splitlines():
        if line.startswith("|"):
            cur.append(line)
        elif cur:
            tables.append(cur)
            cur = []
    if cur:
        tables.append(cur)
    return tables


def test_markdown_tables_keep_their_shape_with_hostile_text(hostile_md):
    tables = _tables(hostile_md)
    assert len(tables) >= 8
    for rows in tables:
        widths = {len(_UNESCAPED_PIPE.findall(r)) for r in rows}
        assert len(widths) == 1, rows
        assert re.fullmatch(r"\|(-{3}|-{2}:)(\|(-{3}|-{2}:))*\|", rows[1].replace(" ", "")), rows[1]


def test_markdown_escapes_user_text(hostile_md):
    body = hostile_md.split(YAML_MARKER)[0]
    assert "<" not in body.replace("<!--", "")  # no raw HTML from user text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "[link](https" not in body and "\\[link\\]" in body
    assert "\\`code\\`" in body and "\\$x\\$" in body
    title = body.splitlines()[0]
    assert title.startswith("# Recommendation report: ")
    # Class labels with a newline stay on one table row.
    assert "pipe\\|and newline" in body


@pytest.mark.parametrize(
    "raw, escaped",
    [
        ("a|b", "a\\|b"),
        ("line\nbreak\r\nagain\u2028x", "line break again x"),
        ("`x`", "\\`x\\`"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("0.915", "0.915"),
        ("*_[]~$\\", "\\*\\_\\[\\]\\~\\$\\\\"),
        (None, ""),
    ],
)
def test_md_escape(raw, escaped):
    assert md_escape(raw) == escaped


def test_markdown_yaml_fence_outlasts_backticks_in_the_scenario(policy):
    scenario = make_scenario(name="````` five backticks")
    md = render_markdown(build_report(scenario, policy, generated_at=WHEN))
    assert "``````yaml\n" in md  # six: longer than any run inside
    assert extract_scenario(md) == scenario


# --- JSON, footer, PDF
# -------------------------------------------------------------------------------


def test_json_is_the_recommend_json_plus_inputs(support, policy):
    out = json.loads(render_json(build_report(support, policy, generated_at=WHEN)))
    expected = recommend(support, policy).to_json()
    for key, value in expected.items():
        assert out[key] == value, key
    assert Scenario.from_dict(out["scenario"]) == support
    assert (
        out["inputs"]["guardrails"]["max_synthetic_share"]
        == expected["guardrails"]["max_synthetic_share"]
    )
    assert out["inputs"]["ceiling"] > 0
    assert out["report"] == {
        "format_version": 1,
        "generated_at": "2025-01-02T03:04:05Z",
        "hybrid_version": __version__,
        "policy": {"source": policy.source, "digest": policy.digest},
    }


def test_footer_names_date_version_and_policy_hash(support, policy):
    data = build_report(support, policy, generated_at=WHEN)
    assert len(policy.digest) == 16
    for text in (render_html(data), render_markdown(data)):
        footer = text[text.rindex("Generated 2025-01-02 03:04 UTC") :]
        assert (
            f"hybrid {__version__}" in footer
            and policy.digest in footer
            and policy.source in footer
        )
    html = render_html(data)
    assert re.search(r'<footer id="report-footer">Generated 2025-01-02 03:04 UTC by hybrid ', html)


def test_generated_at_accepts_iso_text_and_naive_datetimes(support, policy):
    assert (
        build_report(support, policy, generated_at="2025-01-02T03:04:05+01:00").generated_text
        == "2025-01-02 02:04 UTC"
    )
    assert (
        build_report(support, policy, generated_at=datetime(2025, 1, 2, 3, 4)).generated_text
        == "2025-01-02 03:04 UTC"
    )
    with pytest.raises(InputError):
        build_report(support, policy, generated_at="yesterday")


def test_pdf_is_a_multipage_pdf_with_the_scenario_attached(hostile_data):
    pdf = render_pdf(hostile_data)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page\n") >= 3
    assert b"/Type /EmbeddedFile" in pdf
    assert extract_scenario(pdf) == hostile_scenario()


# --- the command line
# --------------------------------------------------------------------------------


def _run(capsys, *argv):
    code = cli_main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_one_scenario_to_stdout_and_to_a_file(capsys, tmp_path, policy):
    example = str(ROOT / "data/examples/support-intent-fine-tuning.yaml")
    code, out, _ = _run(
        capsys, "report", example, "--format", "md", "--date", "2025-01-02T03:04:05Z"
    )
    assert code == 0 and out.startswith("# Recommendation report: Support intent classifier")
    assert "Generated 2025-01-02 03:04 UTC" in out
    assert extract_scenario(out) == load_scenario(example)

    target = tmp_path / "r.html"
    code, _, err = _run(capsys, "report", example, "--format", "html", "-o", str(target))
    assert code == 0 and str(target) in err
    assert extract_scenario(target.read_text(encoding="utf-8")) == load_scenario(example)

    code, out, _ = _run(capsys, "report", example, "-f", "json")
    assert (
        code == 0
        and json.loads(out)["recommendation"] == recommend(load_scenario(example), policy).label
    )


def test_cli_batch_over_the_examples(capsys, tmp_path):
    out_dir = tmp_path / "reports"
    code, out, err = _run(
        capsys, "report", str(ROOT / "data/examples"), "--format", "all", "-o", str(out_dir)
    )
    assert code == 0, err
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == sorted(
        f"{p.stem}.{ext}" for p in EXAMPLES for ext in ("html", "md", "json", "pdf")
    )
    assert len(out.splitlines()) == len(written)
    for p in EXAMPLES:
        assert extract_scenario(
            (out_dir / f"{p.stem}.md").read_text(encoding="utf-8")
        ) == load_scenario(p)
        assert extract_scenario((out_dir / f"{p.stem}.pdf").read_bytes()) == load_scenario(p)


def test_cli_reports_are_reproducible_with_source_date_epoch(capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735787045")  # 2025-01-02 03:04:05 UTC
    example = str(ROOT / "data/examples/rlhf-preference.yaml")
    _, first, _ = _run(capsys, "report", example, "-f", "html")
    _, second, _ = _run(capsys, "report", example, "-f", "html")
    assert first == second and "Generated 2025-01-02 03:04 UTC" in first


def test_cli_sections_on_request(capsys):
    example = str(ROOT / "data/examples/support-intent-fine-tuning.yaml")
    code, out, _ = _run(
        capsys, "report", example, "-f", "md", "--sensitivity", "--uncertainty", "--draws", "300"
    )
    assert code == 0 and "## Sensitivity" in out and "## Uncertainty" in out


@pytest.mark.parametrize(
    "content, needle",
    [
        (None, "file not found"),
        ("name: [unclosed\n", "line"),
        ("name: x\neconomics: {budget: -5}\n", "economics.budget"),
        ("- just\n- a list\n", "mapping"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(capsys, tmp_path, content, needle):
    path = tmp_path / "bad.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, "report", str(path), "-f", "html")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]


def test_cli_batch_keeps_going_past_a_bad_file(capsys, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.yaml").write_text(
        (ROOT / "data/examples/web-pretraining.yaml").read_text(encoding="utf-8")
    )
    (src / "bad.yaml").write_text("name: [\n", encoding="utf-8")
    code, out, err = _run(capsys, "report", str(src), "-f", "json", "-o", str(tmp_path / "out"))
    assert code == 2
    assert (tmp_path / "out" / "good.json").is_file() and not (
        tmp_path / "out" / "bad.json"
    ).exists()
    assert "bad.yaml" in err and "1 of 2" in err


def test_cli_other_refusals(capsys, tmp_path):
    example = str(ROOT / "data/examples/support-intent-fine-tuning.yaml")
    code, _, err = _run(capsys, "report", example, "--date", "soon")
    assert code == 2 and "--date" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _run(capsys, "report", str(empty))
    assert code == 2 and "no .yaml" in err
    with pytest.raises(SystemExit) as exc:
        cli_main(["report", example, "--format", "docx"])
    assert exc.value.code == 2


# --- the Report page
# --------------------------------------------------------------------------------


def test_report_page_runs_on_its_own():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/12_report.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    keys = {b.key for b in at.get("download_button")}
    assert keys == {f"report.download.{f}" for f in ("html", "md", "json", "pdf", "yaml")}
    assert len(at.get("iframe")) == 1
    at.toggle(key="report.sensitivity").set_value(False).run()
    at.toggle(key="report.uncertainty").set_value(False).run()
    assert not at.exception
    at.button_group(key="report.preview").set_value("Markdown").run()
    assert not at.exception
    assert any("# Recommendation report:" in c.value for c in at.code)


def test_report_page_uses_the_session_scenario():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/12_report.py"), default_timeout=120)
    at.run()
    key = "hd.scenario" if "hd.scenario" in at.session_state else "scenario"
    at.session_state[key] = make_scenario(name="Session scenario <b>x</b>")
    at.toggle(key="report.sensitivity").set_value(False)
    at.toggle(key="report.uncertainty").set_value(False)
    at.run()
    assert not at.exception, at.exception
    at.button_group(key="report.preview").set_value("Markdown").run()
    md = next(c.value for c in at.code if "# Recommendation report:" in c.value)
    assert md.startswith("# Recommendation report: Session scenario &lt;b&gt;x&lt;/b&gt;")


def test_html_report_is_small_and_its_charts_need_only_the_basic_bundle(scenario, policy):
    """At most 1.5 MB (the full plotly.js made it 4.9 MB) and every chart a trace type the
    inlined basic bundle draws, so the charts stay interactive offline."""
    from hybrid.share.figures import figures
    from hybrid.share.render import BASIC_TRACES, PLOTLY_BASIC, render_html

    data = build_report(scenario, policy, generated_at=WHEN)
    html = render_html(data)
    assert len(html.encode("utf-8")) <= 1_500_000
    assert PLOTLY_BASIC.read_text(encoding="utf-8")[:200] in html
    assert (
        '<script src="http' not in html
    )  # inlined, never fetched (test_report_browser runs it offline)
    for fig in figures(data).values():
        d = fig if isinstance(fig, dict) else fig.to_dict()
        assert {t.get("type", "scatter") for t in d["data"]} <= BASIC_TRACES
