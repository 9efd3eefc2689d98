"""The Rounds page in Debian's Chromium at laptop size (1280x800): the metrics, the chance-vs-spend
chart with both plans, the round-by-round table and round 1's work order render, nothing is cut off
and the chart's legend, title and ticks do not collide (the checks of
tests/test_meeting_browser.py). After loading the bundled sample on the Work plan page, round 1 is
split by slice. The screenshot goes to test-output/rounds/rounds-1280.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import metric, needs_chromium, no_exceptions
from test_meeting_browser import _CHARTS, _CLIPPED

from hybrid.model.scenario import load_scenario
from hybrid.share.urlstate import encode
from scripts.streamlit_server import full_page_screenshot, running_app, wait_for_app

ROOT = Path(__file__).resolve().parent.parent

pytestmark = needs_chromium

OUT = ROOT / "test-output" / "rounds"
TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rounds")
    OUT.mkdir(parents=True, exist_ok=True)
    with running_app(OUT / "streamlit.log", data_dir=tmp) as base:
        yield base


def _token() -> str:
    return encode(load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"))


def test_rounds_page_renders_whole_at_laptop_size(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # The sample data on the Work plan page gives round 1 its slices.
        page.goto(f"{server}/workplan?s={_token()}")
        wait_for_app(page, TIMEOUT_MS)
        page.get_by_role("button", name=re.compile("Use the bundled sample")).click()
        metric(page, "Slices").wait_for(timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        page.locator('[data-testid="stSidebarNav"] a', has_text="Rounds").first.click()
        page.wait_for_url(re.compile(r"/rounds(\?|$)"), timeout=TIMEOUT_MS)
        metric(page, "Chance of reaching the target").wait_for(timeout=TIMEOUT_MS)
        page.locator('[data-testid="stPlotlyChart"] .scatterlayer .trace').first.wait_for(
            timeout=TIMEOUT_MS
        )
        wait_for_app(page, TIMEOUT_MS)
        no_exceptions(page)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text()
        assert "Round by round" in text and "Round 1's work order" in text
        assert re.match(r"^\d+%$", metric(page, "Chance of reaching the target").inner_text())
        assert metric(page, "Expected spend").inner_text().startswith("$")
        # Two plans on the chart, two legend entries.
        assert page.locator('[data-testid="stPlotlyChart"] .scatterlayer .trace').count() == 2
        assert page.locator('[data-testid="stPlotlyChart"] .legend .traces').count() == 2
        # The round table and round 1's work order by slice.
        assert page.locator('[data-testid="stDataFrame"]').count() >= 2
        page.evaluate("() => { window.__fitChecks = false; }")
        problems = page.evaluate(_CLIPPED) + page.evaluate(_CHARTS)
        full_page_screenshot(page, OUT / "rounds-1280.png", 1280)
        assert not problems, "\n".join(problems)
        assert not errors, errors
    finally:
        context.close()
