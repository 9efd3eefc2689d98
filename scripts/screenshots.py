"""Take a PNG of each dashboard page into docs/screenshots/ (rerun after changing a page).

    .venv/bin/python -m scripts.screenshots [--out docs/screenshots] [--width 1280] [--all] [--only
    workplan]

Meeting sizes: run with ``--width 1280`` (a laptop) and ``--width 1920`` (a meeting screen); each
file name but the laptop one ends in its width (``5_recommendation-1920.png``).

Starts ``streamlit run app.py`` on a free port with an empty scenario library, opens each page
with the default example (and the Recommendation page also with the clinical-notes example, a
human-led case) in Debian's Chromium, and saves full-page screenshots at a meeting-screen width.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from hybrid.model.scenario import load_scenario
from hybrid.share.urlstate import encode
from scripts.streamlit_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    full_page_screenshot,
    running_app,
    wait_for_app,
)
from ui import nav

ROOT = Path(__file__).resolve().parent.parent

EXTRA = (("recommendation", "medical-notes-labeling", "5_recommendation-human-led"),)


def sample_csv(path: Path) -> Path:
    """A small labeled dataset to show the Dataset page's profile: 600 support tickets, two
    annotators, a human/synthetic source column and a thin tail of rare intents."""
    labels = ["billing"] * 12 + ["refund"] * 7 + ["login"] * 4 + ["shipping"] * 3 + ["fraud"]
    lines = ["text,label,annotator_1,annotator_2,source"]
    for i in range(600):
        label = labels[i % len(labels)] if i % 89 else "legal"
        second = label if i % 9 else "billing"
        lines.append(
            f"ticket {i} about "
            f"{label},{label},{label},{second},{'synthetic' if i % 5 == 0 else 'human'}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def shoot(page, url: str, path: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url)
    wait_for_app(page)
    full_page_screenshot(page, path, width)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument(
        "--all", action="store_true", help="also the Explore and Share pages, when present"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="URL_PATH", help="only these pages (e.g. workplan)"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    sfx = (
        "" if args.width == 1280 else f"-{args.width}"
    )  # the laptop size keeps the names docs link to
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        print(
            f"{CHROMIUM} not found: install Debian's chromium (scripts/test does)", file=sys.stderr
        )
        return 2
    default = encode(load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"))
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_app(Path(tmp) / "streamlit.log", data_dir=Path(tmp)) as base,
    ):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(device_scale_factor=1)
            for spec in nav.PAGES:
                if (
                    spec.section != "Decide"
                    and not args.all
                    or args.only
                    and spec.url_path not in args.only
                ):
                    continue
                if spec.url_path == "workplan":
                    # The work plan needs data: the bundled sample, loaded by the page's own button.
                    page.set_viewport_size({"width": args.width, "height": 1000})
                    page.goto(f"{base}/workplan?s={default}")
                    wait_for_app(page)
                    page.get_by_role("button", name="Use the bundled sample").click()
                    page.locator('[data-testid="stPlotlyChart"] .trace.bars').first.wait_for(
                        timeout=60000
                    )
                    wait_for_app(page)
                    name = f"6_workplan{sfx}.png"
                    full_page_screenshot(page, out / name, args.width)
                    print(f"wrote {out / name}")
                    continue
                name = f"{spec.path.split('/')[-1].removesuffix('.py')}{sfx}.png"
                shoot(page, f"{base}/{spec.url_path}?s={default}", out / name, args.width)
                print(f"wrote {out / name}")
            for url_path, example, stem in EXTRA if not args.only else ():
                token = encode(load_scenario(ROOT / "data" / "examples" / f"{example}.yaml"))
                shoot(page, f"{base}/{url_path}?s={token}", out / f"{stem}{sfx}.png", args.width)
                print(f"wrote {out / stem}{sfx}.png")
            if args.only:
                browser.close()
                return 0
            page.set_viewport_size({"width": args.width, "height": 1000})
            page.goto(f"{base}/dataset?s={default}")
            wait_for_app(page)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                str(sample_csv(Path(tmp) / "tickets.csv"))
            )
            page.get_by_text("Profile of tickets.csv").wait_for(timeout=30000)
            wait_for_app(page)
            full_page_screenshot(page, out / f"3_dataset-uploaded{sfx}.png", args.width)
            print(f"wrote {out / f'3_dataset-uploaded{sfx}.png'}")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
