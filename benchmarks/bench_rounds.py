"""Staged plan speed: 5 rounds on 2,000 futures, against ``recommend`` timed in the same run.

    .venv/bin/python -m benchmarks.bench_rounds

Prints a Markdown table with the machine's load average; results are recorded in
benchmarks/ROUNDS_RESULTS.md. The issue's bound is 2 s per staged plan.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from hybrid.explain.recommendation import recommend
from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario
from hybrid.whatif.rounds import plan_rounds

ROOT = Path(__file__).resolve().parents[1]
CASES = (
    "support-intent-fine-tuning",
    "web-pretraining",
    "rlhf-preference",
    "safety-red-teaming",
    "medical-notes-labeling",
)


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def main() -> None:
    policy = load_policy()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "| example | mode | recommend best / median s | staged plan (5 rounds, 2,000 draws) "
        "best / median s | ratio (median) |"
    )
    print("|---|---|---:|---:|---:|")
    for stem in CASES:
        scn = load_scenario(ROOT / "data" / "examples" / f"{stem}.yaml")
        r = best_of(lambda scn=scn: recommend(scn, policy))
        plan = plan_rounds(scn, policy, rounds=5, draws=2000)
        s = best_of(lambda scn=scn: plan_rounds(scn, policy, rounds=5, draws=2000))
        print(
            f"| {stem} | {plan.mode} | {r[0]:.3f} / {r[1]:.3f} | {s[0]:.3f} / {s[1]:.3f} | "
            f"{s[1] / r[1]:.1f}x |"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
