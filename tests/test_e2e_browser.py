"""End to end in a real browser: ``streamlit run app.py`` on a free local port, driven by Playwright
with Debian's Chromium (installed by scripts/test).

Walks the Decide pages through the sidebar, changes a factor, checks that the recommendation
changes, checks that the page link reopens the same scenario in a new session and that a damaged
link shows a message, and saves screenshots under test-output/e2e/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import metric, needs_chromium, no_exceptions

from scripts.streamlit_server import full_page_screenshot, running_app, wait_for_app

ROOT = Path(__file__).resolve().parent.parent

pytestmark = needs_chromium

OUT = ROOT / "test-output" / "e2e"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    with running_app(OUT / "streamlit.log", data_dir=tmp) as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_url(re.compile(r"/(start|factors|dataset|costs|recommendation)?(\?|$)"))
    wait_for_app(page, TIMEOUT_MS)


def heading(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def test_walk_the_pages_change_a_factor_and_reopen_the_link(server, page, browser):
    from playwright.sync_api import expect

    OUT.mkdir(parents=True, exist_ok=True)
    page.goto(server + "/")
    wait_for_app(page, TIMEOUT_MS)
    assert heading(page).startswith("Start")
    expect(metric(page, "Recommendation", "stSidebar")).to_have_text("Hybrid", timeout=TIMEOUT_MS)
    no_exceptions(page)

    nav(page, "Recommendation")
    assert heading(page) == "Recommendation"
    expect(metric(page, "Recommendation")).to_have_text("Hybrid", timeout=TIMEOUT_MS)
    expect(metric(page, "Synthetic share")).to_have_text("78%")  # tests/test_golden.py pins 0.78
    assert page.locator('[data-testid="stPlotlyChart"] .main-svg').count() >= 2, "both charts drawn"
    no_exceptions(page)

    nav(page, "Factors")
    assert heading(page).startswith("Factors")
    group = page.get_by_role(
        "radiogroup", name=re.compile(r"^Your answer \(1: a wrong label is harmless")
    )
    group.get_by_role("radio", name="5").click()
    expect(metric(page, "Recommended")).to_have_text("Human-led", timeout=TIMEOUT_MS)
    expect(metric(page, "Synthetic cap")).to_have_text("15%")
    wait_for_app(page, TIMEOUT_MS)
    no_exceptions(page)

    nav(page, "Dataset")
    assert heading(page).startswith("Dataset")
    no_exceptions(page)

    nav(page, "Costs & curve")
    assert heading(page).startswith("Costs")
    budget = page.get_by_role("textbox", name="Budget for new data (USD)")
    budget.fill("90000")
    budget.press("Enter")
    expect(metric(page, "Budget", "stSidebar")).to_have_text("$90,000", timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    no_exceptions(page)

    # Back to Factors: the answer is still 5.
    nav(page, "Factors")
    selected = page.get_by_role(
        "radiogroup", name=re.compile(r"^Your answer \(1: a wrong label is harmless")
    ).get_by_role("radio", checked=True)
    expect(selected).to_have_text("5")

    nav(page, "Recommendation")
    expect(metric(page, "Recommendation")).to_have_text("Human-led", timeout=TIMEOUT_MS)
    expect(metric(page, "Synthetic share")).to_have_text("15%")
    assert "Cost of label errors = 5" in page.locator('[data-testid="stMain"]').inner_text()
    no_exceptions(page)
    # The page's own run time is developer text: not in the sidebar a meeting sees.
    assert "Page computed in" not in page.locator('[data-testid="stSidebar"]').inner_text()
    full_page_screenshot(page, OUT / "recommendation.png")

    # The URL carries the scenario: a new session (another person) sees the same recommendation.
    link = page.url
    assert "/recommendation" in link and "s=1." in link
    other = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    other.goto(link)
    wait_for_app(other, TIMEOUT_MS)
    expect(metric(other, "Recommendation")).to_have_text("Human-led", timeout=TIMEOUT_MS)
    expect(metric(other, "Budget", "stSidebar")).to_have_text("$90,000")
    no_exceptions(other)
    other.context.close()


def test_damaged_link_shows_a_message_and_a_blank_scenario(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/recommendation?s=1.this-is-not-a-scenario")
    wait_for_app(page, TIMEOUT_MS)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="This link could not be opened")
    expect(alert).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Untitled scenario")
    no_exceptions(page)
    OUT.mkdir(parents=True, exist_ok=True)
    full_page_screenshot(page, OUT / "damaged-link.png")
