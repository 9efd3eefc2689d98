"""Benchmark the Recommendation page's rerun (target: under 300 ms).

Run from the repository root:

    .venv/bin/python benchmarks/bench_pages.py            # prints a Markdown table
    .venv/bin/python benchmarks/bench_pages.py --write    # also writes benchmarks/RESULTS-pages.md

Measured with Streamlit's AppTest around ``run()``, so the numbers include the harness. Two
baselines run in the same process: an AppTest run of a one-line page (what the harness itself
costs) and one uncached ``recommend()`` call (what the model costs), so the ratios say how much the
page adds on top of each.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from hybrid.explain.recommendation import recommend  # noqa: E402
from hybrid.model.policy import load_policy  # noqa: E402

REC = "pages/5_recommendation.py"


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    os.environ.setdefault("HYBRID_DATA_DIR", tempfile.mkdtemp())

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
        "# Recommendation page benchmark",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_pages.py --write`. Machine: "
        f"{platform.machine()}, "
        f"Python {platform.python_version()}, Streamlit {streamlit.__version__}. Medians of "
        f"{args.repeat} runs, ms.",
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
