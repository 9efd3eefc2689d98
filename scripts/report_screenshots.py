"""Screenshots of the HTML report for docs/: the screen view and the print view.

    .venv/bin/python -m scripts.report_screenshots [SCENARIO.yaml] [--out docs/screenshots]

Renders the report with its sensitivity and uncertainty sections, opens it in
Debian's Chromium through Playwright with the network off, and writes report-screen.png (the page as
a reader sees it) and report-print.png (print media at A4 width, the layout Print to PDF uses). With
--pdf it also writes report-print.pdf, Chromium's own print of the page, for checking page breaks.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario
from hybrid.share.analyses import compute_analyses
from hybrid.share.render import render_html
from hybrid.share.report import build_report

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def analyses(scenario, policy):
    """Sensitivity and uncertainty results for the report's two optional sections."""
    return compute_analyses(scenario, policy, draws=4000, seed=0)


def shrink(path: Path) -> None:
    """A 256-colour palette PNG: the report is flat colours and text, and the file a third the
    size."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "scenario", nargs="?", default=str(ROOT / "data/examples/support-intent-fine-tuning.yaml")
    )
    ap.add_argument("--out", default=str(ROOT / "docs/screenshots"))
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument(
        "--pdf", action="store_true", help="also write report-print.pdf (Chromium's print)"
    )
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    policy = load_policy()
    scenario = load_scenario(args.scenario)
    sens, unc = analyses(scenario, policy)
    data = build_report(scenario, policy, sensitivity=sens, uncertainty=unc)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "report.html"
        page_path.write_text(render_html(data), encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ctx = browser.new_context(
                offline=True, viewport={"width": args.width, "height": 900}, device_scale_factor=1
            )
            page = ctx.new_page()
            page.goto(page_path.as_uri())
            page.wait_for_selector("#chart-spend .main-svg")
            page.screenshot(path=str(out / "report-screen.png"), full_page=True)
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            page.wait_for_timeout(400)
            page.screenshot(path=str(out / "report-print.png"), full_page=True)
            if args.pdf:
                page.pdf(
                    path=str(out / "report-print.pdf"),
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                )
            browser.close()
    for name in ("report-screen.png", "report-print.png"):
        shrink(out / name)
    for name in ("report-screen.png", "report-print.png") + (
        ("report-print.pdf",) if args.pdf else ()
    ):
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
