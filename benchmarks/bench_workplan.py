"""Work plan speed: slices against the global plan, and the water-filling before and after.

    .venv/bin/python -m benchmarks.bench_workplan [--slices 10,100,1000,19999] [--repeat 5]

For each slice count (Pareto row counts, annotator agreement uniform from 0.5 to 0.99, seed 0 on
the support-intent example) it times, best and median of ``--repeat`` runs in the same process:
the global plan (``decide``), the work plan as it ships, and the same work plan as it was before
2026-12-04 (``previous_work_plan`` below: the whole slice-by-grid matrix evaluated at once and
ranked by a three-key ``np.lexsort``, and three evaluations of the slice model per bisection step
of the flip accuracy where there is now one), checking that both give the same plan. Prints a
Markdown table with the machine's load average before and after; results are recorded in
benchmarks/WORKPLAN_RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np

from benchmarks.bench_rounds import best_of
from hybrid.model import workplan
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.recommend import decide
from hybrid.model.scenario import load_scenario
from hybrid.model.workplan import ALL_SLICES, SliceStats, slice_plan

ROOT = Path(__file__).resolve().parents[1]


def previous_water_fill(gain, lo, hi, total: float, grid: int = 241, block: int = 0):
    """``workplan.water_fill`` as it was before the benchmark of 2026-12-04 (``block`` unused)."""
    lo = np.asarray(lo, dtype=float)
    hi = np.maximum(np.asarray(hi, dtype=float), lo)
    rest = total - lo.sum()
    if rest <= 1e-9 or total <= 0:
        return lo.copy(), np.inf
    u = np.concatenate([[0.0], np.geomspace(1e-6 * total, total, grid - 1)])
    levels = np.clip(u[None, :], lo[:, None], hi[:, None])
    values = gain(levels, ALL_SLICES)
    lengths = np.diff(levels, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        marg = np.where(
            lengths > 0, np.diff(values, axis=1) / np.where(lengths > 0, lengths, 1.0), np.inf
        )
    marg = np.minimum.accumulate(marg, axis=1)
    n, segs = marg.shape
    flat_m = marg.ravel()
    flat_len = lengths.ravel()
    order = np.lexsort((np.tile(np.arange(segs), n), np.repeat(np.arange(n), segs), -flat_m))
    order = order[flat_len[order] > 0]
    cum = np.cumsum(flat_len[order])
    k = int(np.searchsorted(cum, rest, side="left"))
    take = np.zeros(flat_len.shape)
    if k >= len(order):
        take[order] = flat_len[order]
        level = float(flat_m[order].min()) if len(order) else -np.inf
    else:
        take[order[:k]] = flat_len[order[:k]]
        take[order[k]] = rest - (cum[k - 1] if k > 0 else 0.0)
        level = float(flat_m[order[k]])
    return lo + take.reshape(n, segs).sum(axis=1), level


def previous_per_dollar_edge(sl, h, s, v: float, accuracy) -> np.ndarray:
    """``workplan._per_dollar_edge`` as it was before 2026-12-04: three evaluations of the slice
    model where there is now one."""
    delta = np.maximum(1e-3 * (sl.human_now + h + s), 1e-3)
    base = sl.metric(h, s, v, accuracy=accuracy, exact=False)
    g_s = (sl.metric(h, s + delta, v, accuracy=accuracy, exact=False) - base) / delta
    g_h = (sl.metric(h + delta, s, v, accuracy=accuracy, exact=False) - base) / delta
    priced = sl.inputs(accuracy)
    c_s = priced.unit_cost(1.0, v)
    c_h = priced.unit_cost(0.0, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.maximum(g_s, 1e-300) / c_s) - np.log(np.maximum(g_h, 1e-300) / c_h)


@contextmanager
def previous_work_plan():
    """The work plan with the water-filling and the flip-accuracy step it had before."""
    with (
        mock.patch.object(workplan, "water_fill", previous_water_fill),
        mock.patch.object(workplan, "_per_dollar_edge", previous_per_dollar_edge),
    ):
        yield


def slices(n: int) -> list[SliceStats]:
    rng = np.random.default_rng(0)
    sizes = np.maximum(1, (rng.pareto(1.2, n) * 50).astype(int))
    agr = rng.uniform(0.5, 0.99, n)
    return [
        SliceStats(f"s{i}", int(k), agreement=float(a))
        for i, (k, a) in enumerate(zip(sizes, agr, strict=True))
    ]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", default="10,100,1000,19999", help="slice counts, commas")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (best, median)")
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.slices.split(",")]
    policy = load_policy()
    scn = load_scenario(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml")
    kept = resolve_inputs(scn, policy)
    print(f"load average before: {load()}")
    print(
        "| slices | global plan (decide) best / median s | work plan best / median s | "
        "previous work plan best / median s | previous / now (median) |"
    )
    print("|---:|---:|---:|---:|---:|")
    for n in counts:
        stats = slices(n)
        g = best_of(lambda: decide(scn, policy, resolve_inputs(scn, policy)), args.repeat)
        now = slice_plan(scn, policy, stats, inputs=kept)
        w = best_of(lambda stats=stats: slice_plan(scn, policy, stats), args.repeat)
        with previous_work_plan():
            before = slice_plan(scn, policy, stats, inputs=kept)
            p = best_of(lambda stats=stats: slice_plan(scn, policy, stats), args.repeat)
        if before.to_json() != now.to_json():
            raise SystemExit(f"{n} slices: the two water-fillings gave different plans")
        print(
            f"| {n:,} | {g[0]:.3f} / {g[1]:.3f} | {w[0]:.3f} / {w[1]:.3f} | "
            f"{p[0]:.3f} / {p[1]:.3f} | {p[1] / w[1]:.1f}x |"
        )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
