"""Benchmark the pages: every page's cold first paint (target: at most 2 s on an idle machine) and
the Recommendation page's rerun (target: under 300 ms).

Run from the repository root, with the package installed (``pip install -e .``; scripts/run does):

    .venv/bin/python -m benchmarks.bench_pages            # prints Markdown tables
    .venv/bin/python -m benchmarks.bench_pages --write    # also writes benchmarks/RESULTS-pages.md

First paint, cold: each page runs in a fresh Python process that has imported Streamlit (as a
server has before anyone opens a page), so every module the page imports is imported cold. The
time runs from the start of the page's script run to the end of its heading (``ui.state.page_setup``
records it: the moment a browser can paint the title), and to the end of the whole run. The
baseline, in the same run: a fresh process running a one-line page the same way (the harness and
Streamlit's own first-run cost), so the ratios say what the page adds.

Rerun: measured with Streamlit's AppTest around ``run()``, so the numbers include the harness. Two
baselines run in the same process: an AppTest run of a one-line page (what the harness itself
costs) and one uncached ``recommend()`` call (what the model costs), so the ratios say how much the
page adds on top of each.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit
from streamlit.testing.v1 import AppTest

from hybrid.explain.recommendation import recommend
from hybrid.model.policy import load_policy
from ui import nav

ROOT = Path(__file__).resolve().parent.parent

REC = "pages/5_recommendation.py"


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


# Run in a fresh process: time one cold page run (argv[1]: a page file, or "" for the one-line
# baseline page) and print {"title": ms, "run": ms} (title: None for the baseline).
_COLD = r"""
import json, sys, time
import streamlit
from streamlit.testing.v1 import AppTest

page = sys.argv[1]
at = (AppTest.from_file(page, default_timeout=120) if page
      else AppTest.from_string("import streamlit as st\nst.title('x')", default_timeout=120))
t0 = time.perf_counter()
at.run()
t1 = time.perf_counter()
assert not at.exception, [e.value for e in at.exception]
titled = at.session_state["hd.titled"] if page else None
ms = {"title": None if titled is None else (titled - t0) * 1000, "run": (t1 - t0) * 1000}
print(json.dumps(ms))
"""


def cold_run(page: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _COLD, page],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_paint(repeat: int) -> list[str]:
    """Cold first paint of every page, medians of ``repeat`` fresh processes each. The one-line
    baseline runs once before each page's runs as well, so on a shared machine whose load drifts
    during the run the baseline's median is taken across the same stretch of time as the pages'."""
    load_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    base = [cold_run("")["run"] for _ in range(repeat)]
    rows = []
    for spec in nav.PAGES:
        base.append(cold_run("")["run"])
        runs = [cold_run(str(ROOT / spec.path)) for _ in range(repeat)]
        rows.append(
            (
                spec.title,
                statistics.median(r["title"] for r in runs),
                statistics.median(r["run"] for r in runs),
            )
        )
    b = statistics.median(base)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## First paint, cold",
        "",
        f"Medians of {repeat} fresh processes per page ({len(base)} for the baseline, spread over "
        f"the run), ms. Load average (1 min): {load_start:.1f} when it started, {load:.1f} when "
        f"it ended, on {os.cpu_count()} CPUs.",
        "",
        "| page | heading shown | whole page | heading vs baseline |",
        "|---|---:|---:|---:|",
        f"| one-line page (baseline) | {b:.0f} | {b:.0f} | 1.0x |",
    ]
    for title, t, r in rows:
        lines.append(f"| {title} | {t:.0f} | {r:.0f} | {t / b:.1f}x |")
    worst = max(t for _, t, _ in rows)
    lines += [
        "",
        f"Target: at most 2,000 ms on an idle machine. Slowest heading here: {worst:.0f} ms.",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--cold-repeat", type=int, default=3)
    ap.add_argument("--note", default="", help="a line about the machine's load, for the file")
    args = ap.parse_args()
    os.environ.setdefault("HYBRID_DATA_DIR", tempfile.mkdtemp())
    paint = first_paint(args.cold_repeat)

    trivial = AppTest.from_string("import streamlit as st\nst.write('x')")
    trivial.run()
    harness = timed(trivial.run, args.repeat)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(REC).run()
    cached = timed(at.run, args.repeat)

    base = at.session_state["hd.scenario"]
    budgets = iter(range(41_000, 41_000 + 1000 * args.repeat, 1000))

    def changed_run():
        at.session_state["hd.scenario"] = base.model_copy(
            update={"economics": base.economics.model_copy(update={"budget": float(next(budgets))})}
        )
        at.run()

    changed = timed(changed_run, args.repeat)
    assert not at.exception, [e.value for e in at.exception]
    script_ms = at.session_state["hd.timing"][REC]
    policy = load_policy()
    model = timed(lambda: recommend(base, policy), args.repeat)

    med = statistics.median
    lines = [
        "# Page benchmarks",
        "",
        f"Command: `.venv/bin/python -m benchmarks.bench_pages --write`. Machine: "
        f"{platform.machine()}, "
        f"Python {platform.python_version()}, Streamlit {streamlit.__version__}.",
        *([args.note] if args.note else []),
        "",
        *paint,
        "",
        "## Recommendation page rerun",
        "",
        f"Medians of {args.repeat} runs, ms.",
        "",
        "| what | median ms | vs harness | vs model |",
        "|---|---:|---:|---:|",
        f"| AppTest run of a one-line page (harness baseline) | {med(harness):.0f} | 1.0x | |",
        f"| `recommend()` uncached (model baseline) | {med(model):.1f} | | 1.0x |",
        f"| Recommendation page rerun, nothing changed (cache hit) | {med(cached):.0f} | "
        f"{med(cached) / med(harness):.1f}x | {med(cached) / med(model):.1f}x |",
        f"| Recommendation page rerun after a budget change | {med(changed):.0f} | "
        f"{med(changed) / med(harness):.1f}x | {med(changed) / med(model):.1f}x |",
        f"| the page's own script time, last rerun | {script_ms:.0f} | | |",
        "",
        f"Target: under 300 ms. Worst median here: {max(med(cached), med(changed)):.0f} ms.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "RESULTS-pages.md").write_text(text)


if __name__ == "__main__":
    main()
