"""The main path, end to end, in a real browser: answer the factors, upload a dataset, read the
recommendation, download the HTML report and open it offline.

Every number the browser shows is checked against the decision core run on the scenario the page
link carries, so the test fails if the page shows anything but what ``recommend()`` says.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from browser_helpers import metric, needs_chromium, no_exceptions

from hybrid.explain.recommendation import recommend
from hybrid.model.policy import load_policy
from hybrid.share.extract import extract_scenario
from hybrid.share.urlstate import decode
from scripts.streamlit_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    full_page_screenshot,
    running_app,
    wait_for_app,
)

ROOT = Path(__file__).resolve().parent.parent

pytestmark = needs_chromium

OUT = ROOT / "test-output" / "e2e-main-path"
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
TIMEOUT_MS = 30_000
LABELS = {"human": "Human-led", "hybrid": "Hybrid", "synthetic": "Synthetic-led"}


def scenario_in(url: str):
    return decode(parse_qs(urlparse(url).query)["s"][0])


def go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_for_app(page, TIMEOUT_MS)


def test_factors_upload_recommendation_report(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    policy = load_policy()
    with running_app(OUT / "streamlit.log", data_dir=tmp_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1600, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.goto(base + "/")
        wait_for_app(page, TIMEOUT_MS)

        # 1. Answer the factors: edge cases matter most here, and the task is new-ish.
        go(page, "Factors")
        edge = page.get_by_role("radiogroup", name=re.compile(r"^Your answer \(1: the common case"))
        edge.get_by_role("radio", name="4").click()
        wait_for_app(page, TIMEOUT_MS)
        maturity = page.get_by_role("radiogroup", name=re.compile(r"^Your answer \(1: new task"))
        maturity.get_by_role("radio", name="3").click()
        wait_for_app(page, TIMEOUT_MS)
        no_exceptions(page)
        answered = scenario_in(page.url)
        assert answered.factors.edge_cases == 4 and answered.factors.iteration_maturity == 3

        # 2. Upload a dataset: the profile fills the dataset section.
        go(page, "Dataset")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            str(SAMPLE)
        )
        expect(page.get_by_text(f"Profile of {SAMPLE.name}")).to_be_visible(timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        no_exceptions(page)
        profiled = scenario_in(page.url)
        rows = sum(1 for _ in SAMPLE.open(encoding="utf-8")) - 1
        assert profiled.dataset is not None
        assert profiled.dataset.human_examples + profiled.dataset.synthetic_examples == rows
        assert profiled.dataset.classes >= 2 and profiled.dataset.annotator_agreement is not None
        assert profiled.factors.edge_cases == 4, "uploading keeps the answers"

        # 3. Read the recommendation: what the page shows is what recommend() says.
        go(page, "Recommendation")
        no_exceptions(page)
        shown = scenario_in(page.url)
        rec = recommend(shown, policy)
        expect(metric(page, "Recommendation")).to_have_text(LABELS[rec.label], timeout=TIMEOUT_MS)
        expect(metric(page, "Synthetic share")).to_have_text(f"{rec.plan.synthetic_share:.0%}")
        main_text = page.locator('[data-testid="stMain"]').inner_text()
        assert rec.rationale[1] in main_text, "the binding-guardrail sentence is on the page"
        assert page.locator('[data-testid="stPlotlyChart"] .main-svg').count() >= 2
        full_page_screenshot(page, OUT / "recommendation.png")

        # 4. Download the HTML report from the Report page.
        go(page, "Report")
        no_exceptions(page)
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            page.get_by_role("button", name=re.compile("HTML report")).click()
        report_path = OUT / "report.html"
        info.value.save_as(report_path)
        html = report_path.read_text(encoding="utf-8")
        assert extract_scenario(html) == shown, "the report carries exactly the scenario on screen"
        browser.close()

        # 5. Open it with the network off: headline and charts render from the file alone.
        offline_browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        offline = offline_browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
        requests: list[str] = []
        view = offline.new_page()
        view.on("request", lambda r: requests.append(r.url))
        view.goto(report_path.as_uri())
        view.wait_for_selector(".js-plotly-plot .main-svg", timeout=TIMEOUT_MS)
        body = view.locator("body").inner_text()
        assert LABELS[rec.label] in body and shown.name in body
        assert view.locator(".js-plotly-plot .main-svg").count() >= 2
        assert all(u.startswith(("file:", "data:", "blob:", "about:")) for u in requests), requests
        view.screenshot(path=str(OUT / "report-offline.png"), full_page=True)
        offline_browser.close()
