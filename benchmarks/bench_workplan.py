"""Work plan speed: 1,000 slices against the global plan, timed in the same run.

    .venv/bin/python -m benchmarks.bench_workplan

Prints a Markdown table; results are recorded in benchmarks/WORKPLAN_RESULTS.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.recommend import decide
from hybrid.model.scenario import load_scenario
from hybrid.model.workplan import SliceStats, slice_plan

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def main() -> None:
    policy = load_policy()
    scn = load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml")
    rng = np.random.default_rng(0)
    print(
        "| slices | global plan (decide) best / median s | work plan incl. global plan best / "
        "median s |"
    )
    print("|---:|---:|---:|")
    for n in (10, 100, 1000):
        sizes = np.maximum(1, (rng.pareto(1.2, n) * 50).astype(int))
        agr = rng.uniform(0.5, 0.99, n)
        stats = [
            SliceStats(f"s{i}", int(k), agreement=float(a))
            for i, (k, a) in enumerate(zip(sizes, agr, strict=False))
        ]
        g = best_of(lambda: decide(scn, policy, resolve_inputs(scn, policy)))
        w = best_of(lambda: slice_plan(scn, policy, stats))
        print(f"| {n:,} | {g[0]:.3f} / {g[1]:.3f} | {w[0]:.3f} / {w[1]:.3f} |")


if __name__ == "__main__":
    main()
