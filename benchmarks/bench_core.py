"""Benchmark the decision core: recommend(), the plan search, Monte Carlo and the tornado.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_core            # prints a Markdown table
    .venv/bin/python -m benchmarks.bench_core --write    # also writes benchmarks/RESULTS-core.md

Each timing is the median of repeated runs in one process. Baselines run in the same process:
a plain Python loop over the same plan grid (what the vectorised search replaces) and a per-draw
Python loop for the Monte Carlo, so the ratios are comparable across machines.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from hybrid.explain.recommendation import recommend
from hybrid.explain.sensitivity import tornado
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.recommend import _grid, search
from hybrid.model.scenario import load_scenario
from hybrid.whatif.uncertainty import monte_carlo

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def loop_search(inp) -> float:
    """Baseline: the same grid, one plan at a time in Python, bisection per plan."""
    s_arr, v_arr = _grid(inp)
    best = float("inf")
    for s, v in zip(s_arr.tolist(), v_arr.tolist(), strict=False):
        unit = float(inp.unit_cost(s, v))
        cap = float(inp.budget) / unit
        if float(inp.metric(cap, s, v)) < inp.target:
            best = min(best, -float(inp.metric(cap, s, v)))  # budget mode: best metric
            continue
        lo, hi = 0.0, cap
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if float(inp.metric(mid, s, v)) >= inp.target:
                hi = mid
            else:
                lo = mid
        best = min(best, hi * unit)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    policy = load_policy()
    rows = []
    for path in sorted((ROOT / "data" / "examples").glob("*.yaml")):
        scn = load_scenario(path)
        inp = resolve_inputs(scn, policy)
        rec = recommend(scn, policy)
        plans = [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans]
        rows.append(
            {
                "scenario": path.stem,
                "recommend_ms": median_ms(lambda: recommend(scn, policy), args.repeat),
                "search_ms": median_ms(lambda: search(inp), args.repeat),
                "loop_search_ms": median_ms(lambda: loop_search(inp), 3),
                "mc_ms": median_ms(
                    lambda: monte_carlo(inp, plans, policy.ranges, rec.mode, draws=10_000), 10
                ),
                "tornado_ms": median_ms(lambda: tornado(inp, policy), 5),
            }
        )
    # Monte Carlo baseline: draws one at a time (timed on 300 draws, scaled to 10,000).
    scn = load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml")
    inp = resolve_inputs(scn, policy)
    rec = recommend(scn, policy)
    plans = [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans]
    t = time.perf_counter()
    for i in range(300):
        monte_carlo(inp, plans, policy.ranges, rec.mode, draws=1, seed=i)
    mc_loop_ms = (time.perf_counter() - t) * 1000 / 300 * 10_000

    lines = [
        "# Decision-core benchmark",
        "",
        f"Command: `.venv/bin/python -m benchmarks.bench_core --write`. Machine: "
        f"{platform.machine()}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}. Medians in milliseconds.",
        "",
        "| scenario | recommend() | search() | loop baseline | speed-up | Monte Carlo 10k | "
        "tornado |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['recommend_ms']:.1f} | {r['search_ms']:.2f} | "
            f"{r['loop_search_ms']:.0f} | "
            f"{r['loop_search_ms'] / r['search_ms']:.0f}x | {r['mc_ms']:.1f} | "
            f"{r['tornado_ms']:.0f} |"
        )
    worst = max(r["recommend_ms"] for r in rows)
    worst_mc = max(r["mc_ms"] for r in rows)
    lines += [
        "",
        "Where the guardrails cap the share at 10-15% (evaluation, clinical labeling) the grid has "
        "few "
        "plans and the loop baseline is as fast as the vectorised search; the speed-up matters on "
        "wide grids.",
        f"- recommend(): worst median {worst:.1f} ms against the 20 ms target ({worst / 20:.2f} of "
        f"budget). "
        "It includes the learning-curve fit and the two label-threshold searches of the rationale.",
        f"- Monte Carlo, 10,000 draws x 3 plans: worst median {worst_mc:.1f} ms against the 200 ms "
        f"target; "
        f"a per-draw loop would take about {mc_loop_ms:,.0f} ms ({mc_loop_ms / worst_mc:.0f}x "
        f"slower).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "RESULTS-core.md").write_text(text)


if __name__ == "__main__":
    main()
