"""The Work plan page in Debian's Chromium at laptop (1280x800) and meeting-screen (1920x1080) size:
with no data it offers the bundled sample; with the sample its totals, chart and table render, no
metric or table header is cut off, and the chart's legend, title and ticks do not collide (the
checks of tests/test_meeting_browser.py). With 60 classes the chart keeps 15 bars and one "other"
bar, so it stays readable. Screenshots go to test-output/workplan/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import metric, needs_chromium, no_exceptions
from test_meeting_browser import _CHARTS, _CLIPPED, AXE

from hybrid.model.scenario import load_scenario
from hybrid.share.urlstate import encode
from scripts.streamlit_server import full_page_screenshot, running_app, wait_for_app

ROOT = Path(__file__).resolve().parent.parent

pytestmark = needs_chromium

OUT = ROOT / "test-output" / "workplan"
TIMEOUT_MS = 60_000
SIZES = [(1280, 800), (1920, 1080)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workplan")
    OUT.mkdir(parents=True, exist_ok=True)
    with running_app(OUT / "streamlit.log", data_dir=tmp) as base:
        yield base


def _token() -> str:
    return encode(load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"))


def _readable(page) -> list[str]:
    page.evaluate("() => { window.__fitChecks = false; }")
    return page.evaluate(_CLIPPED) + page.evaluate(_CHARTS)


def _ticks(page) -> list[str]:
    return page.locator('[data-testid="stPlotlyChart"] .yaxislayer-above .ytick text').evaluate_all(
        "els => els.map(e => e.textContent)"
    )


@pytest.mark.parametrize("size", SIZES, ids=["laptop", "desktop"])
def test_sample_plan_renders_whole(server, browser, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server}/workplan?s={_token()}")
        wait_for_app(page, TIMEOUT_MS)
        main = page.locator('[data-testid="stMain"]')
        assert "No dataset loaded yet" in main.inner_text()
        assert (
            main.get_by_role(
                "link", name=re.compile("Upload a dataset on the Dataset page")
            ).count()
            == 1
        )
        page.get_by_role("button", name=re.compile("Use the bundled sample")).click()
        metric(page, "Slices").wait_for(timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        page.locator('[data-testid="stPlotlyChart"] .trace.bars').first.wait_for(timeout=TIMEOUT_MS)
        no_exceptions(page)
        assert metric(page, "Slices").inner_text() == "12"
        human = int(metric(page, "New human rows").inner_text().replace(",", ""))
        assert human > 0
        assert metric(page, "Spend").inner_text().startswith("$")
        assert "= the overall plan" in main.inner_text()
        # The chart: three stacked layers, one bar per class, the legend's three entries.
        assert page.locator('[data-testid="stPlotlyChart"] .trace.bars').count() == 3
        assert len(_ticks(page)) == 12 and "billing" in _ticks(page)
        assert page.locator('[data-testid="stPlotlyChart"] .legend .traces').count() == 3
        # The table: its grid and headers are drawn.
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=TIMEOUT_MS)
        assert grid.bounding_box()["height"] > 200
        problems = _readable(page)
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
            problems += page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
                ".map(v => 'axe ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' "
                "')).join(' | '))"
            )
        full_page_screenshot(page, OUT / f"workplan-{size[0]}.png", size[0])
        assert not problems, "\n".join(problems)
        assert not errors, errors
    finally:
        context.close()


def test_sixty_slices_keep_the_chart_readable(server, browser, tmp_path):
    labels = [f"intent_{i:02d}_with_a_rather_long_name" for i in range(60)]
    lines = ["text,label,annotator_1,annotator_2,source"]
    for i in range(3000):
        lab = labels[min(int((i * 7919) % 3000 / 3000 * 60 * (1 + (i % 3)) / 2), 59)]
        source = "synthetic" if i % 6 == 0 else "human"
        lines.append(f"ticket {i},{lab},{lab},{lab if i % 11 else labels[0]},{source}")
    data = tmp_path / "many.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{server}/dataset?s={_token()}")
        wait_for_app(page, TIMEOUT_MS)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(data))
        page.get_by_text("Profile of many.csv").wait_for(timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        page.locator('[data-testid="stSidebarNav"] a', has_text="Work plan").first.click()
        page.wait_for_url(re.compile(r"/workplan(\?|$)"), timeout=TIMEOUT_MS)
        metric(page, "Slices").wait_for(timeout=TIMEOUT_MS)
        page.locator('[data-testid="stPlotlyChart"] .trace.bars').first.wait_for(timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        no_exceptions(page)
        n = int(metric(page, "Slices").inner_text())
        assert n > 16
        ticks = _ticks(page)
        assert len(ticks) == 16 and f"{n - 15} other slices" in ticks
        assert all(len(t) <= 28 for t in ticks)
        box = page.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
        assert box["height"] < 1100  # 16 bars, not 60
        problems = _readable(page)
        full_page_screenshot(page, OUT / "workplan-60-slices-1280.png", 1280)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
