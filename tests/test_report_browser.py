"""The HTML report in a real browser, with the network off: hostile names run nothing, the headline
and the charts render, the print view fits the page, and the attached scenario downloads intact.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright; skipped when either is missing.
Screenshots go to ``test-output/``.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser_helpers import needs_chromium

from hybrid.model.scenario import Scenario
from hybrid.share.render import render_html
from hybrid.share.report import build_report
from tests.conftest import ROOT, make_scenario

playwright = pytest.importorskip("playwright.sync_api")

OUT = ROOT / "test-output"
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

NAME = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
DOMAIN = '<script>window.__pwned=3;alert("domain")</script>'
PROFILE = {
    "rows": 500,
    "columns": ['"><img src=x onerror="window.__pwned=4">', "text"],
    "label_column": '<svg onload="window.__pwned=5"></svg>',
    "class_counts": {
        "<script>window.__pwned=6</script>": 300,
        '<img src=x onerror="alert(7)">': 150,
        '<iframe src="javascript:window.parent.__pwned=8"></iframe>': 50,
    },
}
SENSITIVITY = [
    {
        "input": "accuracy",
        "low": 0.85,
        "high": 0.95,
        "share_low": 0.7,
        "share_high": 0.8,
        "cpp_low": 5200.0,
        "cpp_high": 4100.0,
        "flips_label": False,
    },
]
UNCERTAINTY = {
    "recommended": {
        "cpp_p5": 3600.0,
        "cpp_p50": 4800.0,
        "cpp_p95": 6500.0,
        "metric_p5": 0.9,
        "metric_p50": 0.91,
        "metric_p95": 0.92,
        "p_cheapest": 0.2,
    },
    "all-human": {
        "cpp_p5": 12700.0,
        "cpp_p50": 16600.0,
        "cpp_p95": 21500.0,
        "metric_p5": 0.9,
        "metric_p50": 0.91,
        "metric_p95": 0.92,
        "p_cheapest": 0.0,
    },
}

pytestmark = needs_chromium


def hostile() -> Scenario:
    return make_scenario(
        name=NAME, domain=DOMAIN, dataset__source='<img src=x onerror="window.__pwned=9">'
    )


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, policy):
    data = build_report(
        hostile(),
        policy,
        generated_at=WHEN,
        profile=PROFILE,
        sensitivity=SENSITIVITY,
        uncertainty=UNCERTAINTY,
    )
    path = tmp_path_factory.mktemp("report") / "hostile report.html"
    path.write_text(render_html(data), encoding="utf-8")
    return path, data


@pytest.fixture
def page(browser):
    ctx = browser.new_context(
        offline=True, viewport={"width": 1200, "height": 900}, accept_downloads=True
    )
    page = ctx.new_page()
    events = {"dialogs": [], "requests": [], "errors": []}

    def on_dialog(d):
        events["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on(
        "request",
        lambda r: r.url.startswith(("file:", "data:", "blob:", "about:"))
        or events["requests"].append(r.url),
    )
    page.events = events
    yield page
    ctx.close()


def _open(page, path: Path):
    page.goto(path.as_uri())
    page.wait_for_selector("#chart-spend .main-svg", timeout=30_000)


def test_hostile_names_run_nothing_and_the_report_renders(page, report_file):
    path, data = report_file
    _open(page, path)
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    assert page.evaluate("window.__pwned") is None
    assert page.events["dialogs"] == []
    assert page.events["errors"] == []
    assert (
        page.events["requests"] == []
    )  # nothing fetched: no fonts, scripts or images from outside

    # User text shows as text.
    assert page.locator("#report-title").text_content() == NAME
    assert DOMAIN in page.locator(".subtitle").text_content()
    assert (
        page.locator("table.classes td").first.text_content() == "<script>window.__pwned=6</script>"
    )
    assert page.locator("main img, main svg:not(.main-svg):not([class]), main iframe").count() == 0

    # The headline and every chart rendered.
    headline = page.locator("#headline")
    assert headline.is_visible() and headline.text_content() == data.headline
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 5
    for i in range(charts.count()):
        assert charts.nth(i).locator(".main-svg").count() >= 1
    assert page.locator("#chart-spend .scatterlayer .trace").count() >= 3
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "report-hostile.png"), full_page=True)


def test_print_view_fits_the_page_and_hides_the_controls(page, report_file):
    path, _ = report_file
    _open(page, path)
    assert page.locator("#scenario-download").is_visible()
    page.emulate_media(media="print")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el._fullLayout.width "
        "<= 700)",
        timeout=10_000,
    )
    assert not page.locator("#scenario-download").is_visible()
    assert page.locator(".modebar").first.is_hidden()
    OUT.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 794, "height": 1123})
    page.screenshot(path=str(OUT / "report-hostile-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # Back on screen the charts fill the column again.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el._fullLayout.width "
        "> 800)",
        timeout=10_000,
    )


def test_the_attached_scenario_downloads_intact(page, report_file, tmp_path, policy):
    path, _ = report_file
    _open(page, path)
    with page.expect_download() as info:
        page.click("#scenario-download")
    download = info.value
    assert download.suggested_filename.endswith(".yaml")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    again = Scenario.from_yaml(target.read_text(encoding="utf-8"))
    assert again == hostile()


def test_every_example_renders_offline(page, tmp_path, policy):
    from hybrid.model.scenario import load_scenario
    from tests.conftest import EXAMPLES

    for example in EXAMPLES:
        html = render_html(build_report(load_scenario(example), policy, generated_at=WHEN))
        path = tmp_path / f"{example.stem}.html"
        path.write_text(html, encoding="utf-8")
        _open(page, path)
        assert page.locator(".js-plotly-plot .main-svg").count() >= 3, example.stem
        assert page.locator("#headline").is_visible()
    assert (
        page.events["errors"] == []
        and page.events["requests"] == []
        and page.events["dialogs"] == []
    )


@pytest.fixture(scope="session", autouse=True)
def _clean_output():
    OUT.mkdir(exist_ok=True)
    for name in ("report-hostile.png", "report-hostile-print.png"):
        p = OUT / name
        if p.exists():
            p.unlink()
    yield
    shutil.rmtree(OUT / "__unused__", ignore_errors=True)
