"""The dashboard as a meeting sees it: every page at laptop (1280x800) and desktop (1920x1080) size
in Debian's Chromium, with the default example loaded.

Fails when, on any page:
- a metric's value, label or delta, a table header, a widget label, a page link or a chart title
  is cut off (``scrollWidth > clientWidth`` on the element, anything inside it, or the wrappers
  around it up to the metric), or a metric or heading breaks a word across two lines;
- a chart's legend box intersects its title box, an axis title runs outside its chart, or an axis
  repeats a tick label;
- a request leaves localhost (icons and fonts must come from the app itself);
- a page's own link (``/factors``), opened in a fresh tab, does not open that page;
- the browser console logs an error;
- axe-core finds a critical or serious accessibility violation (axe-core is vendored under
  tests/vendor/, see its README).

Screenshots of each page go to test-output/meeting/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_helpers import needs_chromium

from hybrid.model.scenario import load_scenario
from hybrid.share.urlstate import encode
from scripts.streamlit_server import running_app, wait_for_app
from ui import nav

ROOT = Path(__file__).resolve().parent.parent

pytestmark = needs_chromium

OUT = ROOT / "test-output" / "meeting"
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
TIMEOUT_MS = 45_000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Every element a person reads a number or a heading from: none may be cut off.
_CLIPPED = r"""() => {
    const textWidth = (b) => { const r = document.createRange(); r.selectNodeContents(b); return r.getBoundingClientRect().width; };
    const sel = ['[data-testid="stMetricValue"]', '[data-testid="stMetricLabel"]',
                 '[data-testid="stMetricDelta"]', '[data-testid="stTableStyledTable"] th',
                 '[data-testid="stDataFrame"] [role="columnheader"]', '.gtitle', '[data-testid="stPageLink"]',
                 '[data-testid="stWidgetLabel"]', '[data-testid^="stBaseButton"]'];
    const out = [];
    for (const s of sel) {
        for (const el of document.querySelectorAll('[data-testid="stMain"] ' + s + ', [data-testid="stSidebar"] ' + s)) {
            // The element, what is inside it, and the wrappers around it up to the metric (or
            // cell): Streamlit clips a metric's delta in a parent with overflow hidden, so the
            // delta itself reports nothing (its own overflow is visible).
            const boxes = [el, ...el.querySelectorAll('*')];
            for (let up = el.parentElement, i = 0; up && i < 4; up = up.parentElement, i++) {
                boxes.push(up);
                if (up.matches('[data-testid="stMetric"], th, [role="columnheader"], .main-svg')) break;
            }
            for (const b of boxes) {
                if (b.scrollWidth > b.clientWidth + 1 && b.clientWidth > 0 &&
                    getComputedStyle(b).overflowX !== 'visible' ) {
                    out.push(s + ': ' + (el.innerText || el.textContent).trim().slice(0, 80));
                    break;
                }
                // Chrome reports no overflow for a box that ends its text with "…" when the text
                // sits in an inline child: measure the text itself.
                if (getComputedStyle(b).textOverflow === 'ellipsis' && b.clientWidth > 0 &&
                    (b.scrollWidth > b.clientWidth + 1 || textWidth(b) > b.clientWidth + 1)) {
                    out.push(s + ' (ellipsis): ' + (el.innerText || el.textContent).trim().slice(0, 80));
                    break;
                }
            }
        }
    }
    // No table wider than its frame: columns past the right edge are cut off for a person across the
    // table (the work plan's slice table at 1280 px). A table may scroll down, never sideways.
    for (const grid of document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')) {
        const scroller = grid.querySelector('.dvn-scroller');
        if (scroller && scroller.scrollWidth > scroller.clientWidth + 1) {
            const heads = Array.from(grid.querySelectorAll('[role="columnheader"]')).map(h => h.innerText.trim()).filter(t => t);
            out.push('table cut at the right edge (' + (scroller.scrollWidth - scroller.clientWidth) + ' px): ' + heads.slice(0, 3).join(', '));
        }
    }
    // No word of a metric or a heading broken across two lines ("Recommendatio / n now").
    const words = ['[data-testid="stMetricLabel"]', '[data-testid="stMetricValue"]', 'h1', 'h2', 'h3', 'h4'];
    for (const s of words) {
        for (const el of document.querySelectorAll('[data-testid="stMain"] ' + s)) {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                // A line may end after a hyphen ("all-" / "human"); inside a word part it may not.
                for (const m of node.textContent.matchAll(/[^\s\-\u2010\u2013\u2014\/]{2,}/g)) {
                    const r = document.createRange();
                    r.setStart(node, m.index);
                    r.setEnd(node, m.index + m[0].length);
                    const tops = new Set(Array.from(r.getClientRects()).filter(b => b.width > 0).map(b => Math.round(b.top)));
                    if (tops.size > 1) out.push(s + ' breaks a word: ' + m[0]);
                }
            }
        }
    }
    return out;
}"""

# Plotly charts: legend against title, axis titles inside the chart, distinct tick labels.
_CHARTS = r"""() => {
    const out = [];
    const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, i) => {
        const svg = chart.querySelector('.main-svg');
        if (!svg) return;
        const frame = svg.getBoundingClientRect();
        const title = chart.querySelector('.gtitle');
        const name = title ? title.textContent : 'chart ' + (i + 1);
        const legend = chart.querySelector('.legend');
        if (title && legend && hit(title.getBoundingClientRect(), legend.getBoundingClientRect()))
            out.push(name + ': legend overlaps the title');
        if (window.__fitChecks) chart.querySelectorAll('.xtitle, .ytitle, .gtitle').forEach(t => {
            const r = t.getBoundingClientRect();
            if (r.width === 0) return;
            if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1)
                out.push(name + ': "' + t.textContent + '" runs outside the chart (' +
                         [r.left - frame.left, frame.right - r.right, r.top - frame.top, frame.bottom - r.bottom]
                             .map(Math.round).join(', ') + ' px inside its left, right, top, bottom)');
        });
        chart.querySelectorAll('.xaxislayer-above, .yaxislayer-above').forEach(axis => {
            const labels = Array.from(axis.querySelectorAll('.xtick text, .ytick text')).map(t => t.textContent).filter(t => t);
            const seen = new Set();
            for (const l of labels) { if (seen.has(l)) { out.push(name + ': tick label "' + l + '" repeats'); break; } seen.add(l); }
        });
        // Text drawn on the bars (tornado values, layer labels) must not overlap each other.
        const texts = Array.from(chart.querySelectorAll('.textpoint text, .annotation-text-g text'))
            .map(t => ({t: t.textContent, r: t.getBoundingClientRect()})).filter(x => x.r.width > 0);
        for (let a = 0; a < texts.length; a++) for (let b = a + 1; b < texts.length; b++)
            if (hit(texts[a].r, texts[b].r)) out.push(name + ': labels "' + texts[a].t + '" and "' + texts[b].t + '" collide');
        texts.forEach(x => {
            if (x.r.left < frame.left - 1 || x.r.right > frame.right + 1)
                out.push(name + ': label "' + x.t + '" runs outside the chart');
        });
    });
    return out;
}"""


_CHARTS_SETTLED = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).every(c => {
    const svg = c.querySelector('.main-svg');
    return svg && Math.abs(svg.getBoundingClientRect().width - c.getBoundingClientRect().width) < 2;
})"""


def _scenario_token() -> str:
    return encode(load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("meeting")
    with running_app(OUT / "streamlit.log", data_dir=tmp) as base:
        yield base


def walk(browser, base: str, width: int, height: int, fit: bool = False) -> list[str]:
    """Open every page in one browser session; return every problem found."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    current = {"page": "?"}

    def on_request(req):
        u = urlparse(req.url)
        if u.scheme in ("data", "blob", "about"):
            return
        if u.hostname not in LOCAL_HOSTS:
            problems.append(f"{current['page']}: request leaves localhost: {req.url}")

    def on_console(msg):
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            problems.append(f"{current['page']}: console error: {msg.text[:200]} {where}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"{current['page']}: page error: {exc}"))
    token = _scenario_token()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        # Opened once by its link, then walked through the sidebar as a person does.
        for i, spec in enumerate(nav.PAGES):
            current["page"] = spec.url_path
            if i == 0:
                page.goto(f"{base}/?s={token}")
            else:
                page.locator('[data-testid="stSidebarNav"] a', has_text=spec.title).first.click()
                page.wait_for_url(re.compile(rf"/{spec.url_path}(\?|$)"), timeout=TIMEOUT_MS)
            wait_for_app(page, TIMEOUT_MS)
            page.wait_for_timeout(300)
            # Charts are drawn at their container's width once it settles; measure them after that.
            page.wait_for_function(_CHARTS_SETTLED, timeout=10_000)
            heading = page.locator('[data-testid="stMain"] h1').first.inner_text()
            if "Page not found" in page.locator("body").inner_text():
                problems.append(f"{spec.url_path}: 'Page not found' shown")
            if spec.title.split(" ")[0].lower() not in heading.lower():
                problems.append(f"{spec.url_path}: opened {heading!r}, not {spec.title!r}")
            problems += [f"{spec.url_path} @{width}: {p}" for p in page.evaluate(_CLIPPED)]
            page.evaluate(f"() => {{ window.__fitChecks = {'true' if fit else 'false'}; }}")
            problems += [f"{spec.url_path} @{width}: {p}" for p in page.evaluate(_CHARTS)]
            if AXE.exists():
                page.add_script_tag(path=str(AXE))
                result = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: "
                    "['violations']})).violations"
                    ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
                    ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => "
                    "n.target.join(' ')).join(' | '))"
                )
                problems += [f"{spec.url_path} @{width}: axe {r}" for r in result]
            page.screenshot(path=str(OUT / f"{spec.url_path}-{width}.png"))
    finally:
        context.close()
    return problems


def test_start_opens_by_its_own_link(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in LOCAL_HOSTS else None,
    )
    try:
        page.goto(server + "/start")
        wait_for_app(page, TIMEOUT_MS)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith("Start")
        page.wait_for_timeout(1000)
        assert "Page not found" not in page.locator("body").inner_text()
        assert outside == []
    finally:
        context.close()


def test_every_page_opens_by_its_own_link(server, browser):
    """A deep link (http://host/factors, as pasted into a chat) opens that page in a fresh tab:
    not "Page not found", not the Start page, and with the link's scenario when it has one."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    token = _scenario_token()
    try:
        for spec in nav.PAGES:
            for query in ("", f"?s={token}"):
                page = context.new_page()
                page.goto(f"{server}/{spec.url_path}{query}")
                wait_for_app(page, TIMEOUT_MS)
                page.wait_for_timeout(300)
                url = f"/{spec.url_path}{query[:3]}"
                heading = page.locator('[data-testid="stMain"] h1').first.inner_text()
                if "Page not found" in page.locator("body").inner_text():
                    problems.append(f"{url}: 'Page not found' shown")
                if spec.title.split(" ")[0].lower() not in heading.lower():
                    problems.append(f"{url}: opened {heading!r}, not {spec.title!r}")
                if not re.search(rf"/{spec.url_path}(\?|$)", page.url):
                    problems.append(f"{url}: the address changed to {page.url}")
                page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["laptop", "desktop"])
def test_every_page_reads_whole_offline_and_accessible(server, browser, size):
    assert AXE.exists(), (
        f"{AXE} missing: scripts/test vendors axe-core (see tests/vendor/README.md)"
    )
    problems = walk(browser, server, *size)
    (OUT / f"problems-{size[0]}.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)


def test_every_chart_title_fits_its_chart(server, browser):
    problems = [
        p for p in walk(browser, server, 1280, 800, fit=True) if "runs outside the chart" in p
    ]
    (OUT / "title-fit-1280.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)


def test_checks_catch_a_clipped_metric_and_an_outside_request(server, browser):
    """The checks themselves can fail: a narrowed metric and an outside request are reported."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    seen: list[str] = []
    page.on(
        "request",
        lambda r: seen.append(r.url) if urlparse(r.url).hostname not in LOCAL_HOSTS else None,
    )
    try:
        page.goto(f"{server}/recommendation?s={_scenario_token()}")
        wait_for_app(page, TIMEOUT_MS)
        assert page.evaluate(_CLIPPED) == []
        page.evaluate(
            """() => { const el = document.querySelector('[data-testid="stMain"] [data-testid="stMetricValue"]');
                       el.style.width = '20px'; el.style.overflow = 'hidden'; }"""
        )
        assert any(
            re.match(r"\[data-testid=\"stMetricValue\"\]", p) for p in page.evaluate(_CLIPPED)
        )
        # A delta clipped by the wrapper around it (how Streamlit cuts "+2.5 points from 0.780").
        page.evaluate(
            """() => { const el = document.querySelector('[data-testid="stMain"] [data-testid="stMetricDelta"]');
                       el.parentElement.style.width = '30px'; el.parentElement.style.overflow = 'hidden'; }"""
        )
        assert any(p.startswith('[data-testid="stMetricDelta"]') for p in page.evaluate(_CLIPPED))
        # A label squeezed until a word breaks across lines ("Recommendatio / n now").
        page.evaluate(
            """() => { const el = document.querySelector('[data-testid="stMain"] [data-testid="stMetricLabel"]');
                       el.style.width = '40px'; el.style.overflowWrap = 'anywhere'; el.style.wordBreak = 'break-all'; }"""
        )
        assert any("breaks a word" in p for p in page.evaluate(_CLIPPED))
        # A toggle's label ended with "…" by Streamlit itself in a narrow column (how the Report
        # page's "Uncertainty secti…" looked): Chrome reports no overflow there, the text is
        # measured.
        page.goto(f"{server}/report?s={_scenario_token()}")
        wait_for_app(page, TIMEOUT_MS)
        assert not [
            p for p in page.evaluate(_CLIPPED) if p.startswith('[data-testid="stWidgetLabel"]')
        ]
        page.evaluate(
            """() => { const t = document.querySelector('[data-testid="stMain"] [data-testid="stCheckbox"]');
                       t.closest('[data-testid="stColumn"]').style.maxWidth = '110px'; }"""
        )
        page.wait_for_timeout(200)
        assert any(p.startswith('[data-testid="stWidgetLabel"]') for p in page.evaluate(_CLIPPED))
        page.evaluate("() => fetch('http://example.invalid/x').catch(() => null)")
        page.wait_for_timeout(300)
        assert any("example.invalid" in u for u in seen)
    finally:
        context.close()
