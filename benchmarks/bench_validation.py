"""Validation benchmark: train on the plans the model recommends, for real, and compare.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_validation                 # all cases, Markdown to stdout
    (~8 min)
    .venv/bin/python -m benchmarks.bench_validation --quick         # 3 cases, 1 seed, coarse grid
    (~2 min)
    .venv/bin/python -m benchmarks.bench_validation --write         # also writes
    benchmarks/RESULTS-validation.md
    .venv/bin/python -m benchmarks.bench_validation --json          # one JSON object instead of
    Markdown
    .venv/bin/python -m benchmarks.bench_validation --case digits-centroid   # one case (repeatable)

For each case (a real dataset shipped in a package, a synthetic-data generator, a budget and unit
costs) it splits the real rows into a held-out test set, a pilot human set and a pool; writes a
pilot file (the pilot human rows plus generated rows, marked by a ``source`` column; 30% of the
human rows were set aside before the generator was fitted and are marked ``holdout``) and a base
scenario; runs ``python -m hybrid evidence`` and ``python -m hybrid recommend --json`` as
subprocesses; then trains the evidence learner on each of the three plans (all-human,
all-synthetic, recommended) and on a grid of mixes that spend the same budget, and scores them
on the test set (accuracy, mean over seeds). It reports predicted vs measured accuracy per plan,
their mean absolute error, and the regret of the recommendation: best measured grid mix minus the
measured recommended plan, in percentage points. Targets per case: MAE <= 0.02, regret <= 0.5.

Datasets and generators: benchmarks/validation/datasets.py and generators.py. The harness
(splits, files, the CLI step, training on a plan): benchmarks/validation/harness.py.
"""

from __future__ import annotations

import os

# One thread everywhere (the machine's 2 cores are shared). Set before NumPy and scikit-learn
# load their thread pools: threadpoolctl cannot limit a library loaded after it was entered,
# and the gradient-boosting OpenMP runtime loads lazily.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks.validation import harness as H  # noqa: E402

MAE_TARGET = 0.02
REGRET_TARGET = 0.5  # percentage points
PLANS = ("all-human", "all-synthetic", "recommended")
COMMAND = ".venv/bin/python -m benchmarks.bench_validation --write"

# Unit costs: a human label 1.0; a generated row 0.1 (tabular) or 0.2 (text: longer outputs);
# review 0.3 per row checked (plus a human label for each wrong one found, under model v2).
# Noise: centroid and augment rows carry 10% injected label errors, half of them one fixed
# class-to-class confusion; prelabel errors are the weak model's own.
# 10-class gradient boosting takes ~1-2 s a fit here: the digits grid steps by 20% to stay in time.
DIGITS_SHARES = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
CASES = [
    H.Case(
        "digits-prelabel",
        "digits",
        "prelabel",
        budget=500,
        gen_params={"seed_rows": 40},
        grid_shares=DIGITS_SHARES,
    ),
    H.Case(
        "digits-centroid",
        "digits",
        "centroid",
        budget=500,
        gen_params={"noise": 0.1, "scale": 0.3},
        grid_shares=DIGITS_SHARES,
    ),
    H.Case(
        "digits-augment",
        "digits",
        "augment",
        budget=500,
        gen_params={"noise": 0.1, "jitter": 0.15},
        grid_shares=DIGITS_SHARES,
    ),
    H.Case(
        "cancer-prelabel",
        "breast_cancer",
        "prelabel",
        budget=150,
        pilot_human=250,
        pilot_synthetic=100,
        test_rows=120,
        gen_params={"seed_rows": 12},
    ),
    H.Case(
        "cancer-centroid",
        "breast_cancer",
        "centroid",
        budget=150,
        pilot_human=250,
        pilot_synthetic=100,
        test_rows=120,
        gen_params={"noise": 0.1, "scale": 0.5},
    ),
    H.Case(
        "cancer-augment",
        "breast_cancer",
        "augment",
        budget=150,
        pilot_human=250,
        pilot_synthetic=100,
        test_rows=120,
        gen_params={"noise": 0.1, "jitter": 0.2},
    ),
    # the text pre-labeler is a first-pass model trained on 1,500 real rows set aside from
    # everything else (trained on the pilot alone it labels at ~0.70: too weak to be useful)
    H.Case(
        "zh-prelabel",
        "zh_reviews",
        "prelabel",
        budget=3000,
        synthetic_cost=0.2,
        pilot_synthetic=600,
        test_rows=2000,
        gen_params={"seed_rows": 1500, "aside_rows": 1500},
    ),
    H.Case(
        "zh-centroid",
        "zh_reviews",
        "centroid",
        budget=3000,
        synthetic_cost=0.2,
        pilot_synthetic=600,
        test_rows=2000,
        gen_params={"noise": 0.1},
    ),
    H.Case(
        "zh-augment",
        "zh_reviews",
        "augment",
        budget=3000,
        synthetic_cost=0.2,
        pilot_synthetic=600,
        test_rows=2000,
        gen_params={"noise": 0.1},
    ),
]
QUICK = ("digits-centroid", "cancer-augment", "zh-prelabel")  # one per dataset and per generator

FULL_GRID = {
    "shares": [float(round(x, 1)) for x in np.arange(0, 1.01, 0.1)],
    "coverages": [0.0, 0.5, 1.0],
}
QUICK_GRID = {"shares": [0.0, 0.25, 0.5, 0.75, 1.0], "coverages": [0.0, 1.0]}


def run_case(case: H.Case, seeds: list[int], grid: dict, workroot: Path, log) -> dict:
    t0 = time.perf_counter()
    p = H.prepare_case(case)
    work = workroot / case.name
    pilot, base = H.write_inputs(p, work)
    rec, info = H.run_cli(p, pilot, base, work)
    t_cli = time.perf_counter() - t0
    log(f"{case.name}: CLI done in {t_cli:.0f}s ({info['cli']})")
    predict = H.model_metric(work / "scenario.yaml")
    rev_cost, cost_formula = H.review_unit_cost(p)
    notes = list(p.notes)
    plans = {}
    # A plan that drops the generated rows already in the dataset is trained without them.
    keep_in_hand = not (rec.get("rows_in_hand") or {}).get("dropped", False)
    for name in PLANS:
        pl = rec["plans"][name]
        h, s, v = (
            float(pl["human_examples"]),
            float(pl["synthetic_examples"]),
            float(pl["review_coverage"]),
        )
        m = H.measure(p, h, s, v, seeds, keep_in_hand)
        total = h + s
        plans[name] = {
            "human": h,
            "synthetic": s,
            "coverage": v,
            "spend": float(pl["spend"]),
            "unit_cost": float(pl["spend"]) / total if total > 0 else None,
            "predicted": float(pl["expected_metric"]),
            **m,
        }
        if m["capped"]:
            # The pool of real rows ran out, so the plan was trained on fewer rows than it buys:
            # compare like with like, the model's metric at the counts actually trained.
            plans[name]["predicted_as_planned"] = plans[name]["predicted"]
            plans[name]["predicted"] = _predicted_as_trained(predict, m, v)
        if m["capped"]:
            notes.append(
                f"{name}: asked for {m['human_requested']:,} human + {m['synthetic_requested']:,} "
                f"synthetic "
                f"rows; the pool supplied {m['human_used']:,} + {m['synthetic_used']:,}"
            )
    grid_rows = []
    seen = set()
    shares = case.grid_shares if case.grid_shares and grid is FULL_GRID else grid["shares"]
    for s in shares:
        for v in grid["coverages"] if s > 0 else [0.0]:
            h_n, s_n = H.grid_mix(p, s, v)
            key = (round(h_n), round(s_n), v)
            if key in seen:
                continue
            seen.add(key)
            m = H.measure(p, h_n, s_n, v, seeds)
            row = {"share": s, "coverage": v, "human": h_n, "synthetic": s_n, **m}
            if predict is not None:
                row["predicted"] = (
                    _predicted_as_trained(predict, m, v)
                    if m["capped"]
                    else predict(h_n + s_n, s, v)
                )
            grid_rows.append(row)
            if m["capped"]:
                notes.append(
                    f"grid share {s:.0%} review {v:.0%}: asked for {m['human_requested']:,} + "
                    f"{m['synthetic_requested']:,}, the pool supplied {m['human_used']:,} + "
                    f"{m['synthetic_used']:,}"
                )
    best = max(grid_rows, key=lambda r: r["measured"])
    errs = [abs(plans[n]["predicted"] - plans[n]["measured"]) for n in PLANS]
    regret = 100.0 * (best["measured"] - plans["recommended"]["measured"])
    grid_pred = [r for r in grid_rows if r.get("predicted") is not None]
    result = {
        "case": case.name,
        "dataset": case.dataset,
        "generator": p.gen.describe(),
        "generation": p.gen.generation,
        "kind": p.data.kind,
        "model": case.model or "CLI default",
        "budget": case.budget,
        "human_cost": case.human_cost,
        "synthetic_cost": case.synthetic_cost,
        "review_cost": case.review_cost,
        "review_unit_cost": rev_cost,
        "grid_cost_formula": cost_formula,
        "catch_rate": case.catch_rate,
        "rows": {
            "test": len(p.test_idx),
            "pilot_human": len(p.pilot_idx),
            "pilot_synthetic": len(p.pilot_syn),
            "pool": len(p.pool_idx),
        },
        "accuracy_pilot_sample": p.accuracy,
        "accuracy_population": p.population_accuracy,
        "today_predicted": rec.get("today_metric"),
        "today_measured": H.measure(p, 0, 0, 0.0, seeds[:1])["measured"],
        "recommendation": rec.get("recommendation"),
        "mode": rec.get("mode"),
        "cli": info["cli"],
        "evidence": {k: info.get(k) for k in ("exchange_rate", "tail_coverage", "curve_points")},
        "scenario_dataset": info["scenario"].get("dataset"),
        "plans": plans,
        "mae": float(np.mean(errs)),
        "max_error": float(np.max(errs)),
        "regret_points": regret,
        "best_grid": best,
        "grid": grid_rows,
        "grid_mae": float(np.mean([abs(r["predicted"] - r["measured"]) for r in grid_pred]))
        if grid_pred
        else None,
        "predicted_best_grid": max(grid_pred, key=lambda r: r["predicted"]) if grid_pred else None,
        "seeds": seeds,
        "notes": notes,
        "seconds": time.perf_counter() - t0,
    }
    result["passes"] = result["mae"] <= MAE_TARGET and regret <= REGRET_TARGET
    log(f"{case.name}: MAE {result['mae']:.3f}, regret {regret:.2f} pts ({result['seconds']:.0f}s)")
    return result


def _predicted_as_trained(predict, m: dict, coverage: float) -> float:
    """The model's metric at the new rows a capped plan was actually trained on."""
    used = m["human_used"] + m["synthetic_used"]
    return float(predict(used, m["synthetic_used"] / used if used else 0.0, coverage))


def noise_context(r: dict) -> dict:
    """How much of a miss the benchmark's own noise can explain, computed from the stored runs.

    - ``pilot_se``: the standard error of one score the pilot measures (binomial, on its human rows,
      each held out once); a prediction cannot be trusted to less than about this.
    - ``regret_se``: the standard error of the regret from the seeds' spread (best grid mix and
      recommended plan).
    - ``regret_heldout``: the regret with the best grid mix chosen on all seeds but one and scored
      on the one left out, averaged: the maximum of 30-odd noisy means is biased upward (the
      winner's curse), and this removes the selection part of that bias.
    """
    rec = r["plans"]["recommended"]
    m = float(r["today_measured"])
    n = max(1, int(r["rows"]["pilot_human"]))
    out = {"pilot_se": float(np.sqrt(max(m * (1 - m), 1e-6) / n))}
    sems = [x for x in (r["best_grid"].get("sem"), rec.get("sem")) if x is not None]
    out["regret_se"] = 100.0 * float(np.sqrt(sum(x * x for x in sems))) if sems else None
    seeds = len(rec.get("per_seed") or [])
    if seeds >= 2 and all(len(g.get("per_seed") or []) == seeds for g in r["grid"]):
        picks = []
        for i in range(seeds):
            chosen = max(
                r["grid"], key=lambda g: np.mean([v for j, v in enumerate(g["per_seed"]) if j != i])
            )
            picks.append(chosen["per_seed"][i])
        out["regret_heldout"] = 100.0 * (float(np.mean(picks)) - float(rec["measured"]))
    else:
        out["regret_heldout"] = None
    return out


def _pct(x):
    return "n/a" if x is None else f"{x:.3f}"


def _mix(r):
    return f"{r['share']:.0%} syn / {r['coverage']:.0%} rev"


def markdown(results: list[dict], meta: dict) -> str:
    out = [
        "# Validation benchmark: predicted vs measured",
        "",
        f"Command: `{meta['command']}` (quick: `--quick`). Generated {meta['date']} on "
        f"{meta['machine']}, "
        f"project commit `{meta['commit']}`, CLI step: {meta['cli']}. Seeds per mix: "
        f"{meta['seeds']}; "
        f"grid: synthetic share {meta['grid']['shares']} x review {meta['grid']['coverages']}; "
        f"{meta['seconds']:.0f}s in all.",
        "",
        "Each case trains the evidence learner (tabular: the CLI's gradient boosting; text: its "
        "hashed "
        "n-gram linear SVM) on the pilot rows plus what a plan buys, and scores accuracy on "
        "held-out "
        "real rows. Each pilot's generator was fitted on 70% of its human rows; the other 30% are "
        "marked "
        "`holdout` in the pilot file, and the evidence scores the synthetic rows on them "
        "(docs/model.md, "
        '"Held-out rows"). *Pred* is the plan\'s `expected_metric` from `recommend --json`, *meas* '
        "the measured "
        "accuracy (mean over seeds). Regret = best measured grid mix at the same budget minus the "
        "measured "
        f"recommended plan, in points. Targets: MAE <= {MAE_TARGET}, regret <= {REGRET_TARGET} "
        f"points. "
        "Where a plan is *capped* (first-pass labels need real inputs, and the pool of them ran "
        "out), it "
        "was trained on fewer rows than it buys, and *pred* is the model's metric at the rows "
        "actually "
        "trained (the plan's own figure is `predicted_as_planned` in the JSON).",
        "",
        "| case | generator acc (sample / population) | today pred / meas | all-human pred / meas "
        "| "
        "all-synthetic pred / meas | recommended mix | recommended pred / meas | MAE | best grid "
        "mix (meas) | regret (pts) | pass |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    noise = {r["case"]: noise_context(r) for r in results}
    for r in results:
        pl = r["plans"]
        rec = pl["recommended"]
        share = rec["synthetic"] / max(rec["human"] + rec["synthetic"], 1e-9)
        b = r["best_grid"]
        cells = [
            r["case"],
            f"{r['accuracy_pilot_sample']:.3f} / {r['accuracy_population']:.3f}",
            f"{_pct(r['today_predicted'])} / {_pct(r['today_measured'])}",
            f"{pl['all-human']['predicted']:.3f} / {pl['all-human']['measured']:.3f}",
            f"{pl['all-synthetic']['predicted']:.3f} / {pl['all-synthetic']['measured']:.3f}"
            + (" (capped)" if pl["all-synthetic"]["capped"] else ""),
            f"{rec['human']:,.0f} h + {rec['synthetic']:,.0f} s ({share:.0%} syn, "
            f"{rec['coverage']:.0%} rev)" + (" (capped)" if rec["capped"] else ""),
            f"{rec['predicted']:.3f} / {rec['measured']:.3f}",
            f"{r['mae']:.3f}",
            f"{_mix(b)}: {b['measured']:.3f}",
            f"{r['regret_points']:.2f}",
            "yes" if r["passes"] else "**no**",
        ]
        out.append("| " + " | ".join(cells) + " |")
    if results:
        passed = sum(1 for r in results if r["passes"])
        out += [
            "",
            f"{passed} of {len(results)} cases meet both targets; "
            f"{sum(1 for r in results if r['mae'] <= MAE_TARGET)} meet the error target and "
            f"{sum(1 for r in results if r['regret_points'] <= REGRET_TARGET)} the regret target. "
            f"Mean MAE {np.mean([r['mae'] for r in results]):.3f}, mean regret "
            f"{np.mean([r['regret_points'] for r in results]):.2f} points.",
        ]
    out += ["", "## Which cases miss", ""]
    misses = [r for r in results if not r["passes"]]
    if not misses:
        out.append("Every case meets both targets.")
    for r in misses:
        why = []
        if r["mae"] > MAE_TARGET:
            worst = max(
                PLANS, key=lambda n: abs(r["plans"][n]["predicted"] - r["plans"][n]["measured"])
            )
            w = r["plans"][worst]
            why.append(
                f"MAE {r['mae']:.3f} is {r['mae'] - MAE_TARGET:.3f} over the target; worst plan "
                f"{worst}: "
                f"predicted {w['predicted']:.3f}, measured {w['measured']:.3f} "
                f"({'over' if w['predicted'] > w['measured'] else 'under'}-predicted by "
                f"{abs(w['predicted'] - w['measured']):.3f})"
            )
        if r["regret_points"] > REGRET_TARGET:
            why.append(
                f"regret {r['regret_points']:.2f} points is "
                f"{r['regret_points'] - REGRET_TARGET:.2f} over the target "
                f"(best grid mix {_mix(r['best_grid'])} measured {r['best_grid']['measured']:.3f})"
            )
        nc = noise[r["case"]]
        ctx = f"pilot score standard error {nc['pilot_se']:.3f}"
        if nc["regret_se"] is not None:
            ctx += f"; regret standard error {nc['regret_se']:.2f} points"
        if nc["regret_heldout"] is not None:
            ctx += (
                f"; regret with the best mix chosen on held-out seeds {nc['regret_heldout']:.2f} "
                f"points"
            )
        out.append(f"- **{r['case']}**: " + "; ".join(why) + f" ({ctx}).")
    out += ["", "## Grid: predicted vs measured for every mix at the same budget", ""]
    out.append(
        "Predicted values come from the project's own metric function on the evidence scenario "
        "(`hybrid.model.economics.resolve_inputs(...).metric`), read-only; n/a where it was not "
        "available."
    )
    for r in results:
        out += [
            "",
            f"### {r['case']} ({r['generator']}; {r['grid_cost_formula']}, review "
            f"{r['review_unit_cost']:.3f} per row)",
            "",
        ]
        best_pred = r.get("predicted_best_grid")
        if best_pred is not None:
            out.append(
                f"Model's best grid mix: {_mix(best_pred)} (pred {best_pred['predicted']:.3f}, "
                f"meas "
                f"{best_pred['measured']:.3f}); measured best: {_mix(r['best_grid'])} "
                f"({r['best_grid']['measured']:.3f}). Grid MAE {_pct(r['grid_mae'])}."
            )
            out.append("")
        out.append("| share | review | human | synthetic | pred | meas | +/- (sem) |")
        out.append("|---|---|---|---|---|---|---|")
        for g in r["grid"]:
            cap = " (capped)" if g["capped"] else ""
            sem = "n/a" if g["sem"] is None else f"{g['sem']:.3f}"
            out.append(
                f"| {g['share']:.0%} | {g['coverage']:.0%} | {g['human_used']:,} | "
                f"{g['synthetic_used']:,}{cap} | "
                f"{_pct(g.get('predicted'))} | {g['measured']:.3f} | {sem} |"
            )
    out += ["", "## Cases", ""]
    for r in results:
        ev = r["evidence"]
        rows = r["rows"]
        out.append(
            f"- **{r['case']}**: {r['dataset']} ({r['kind']}), generator {r['generator']} "
            f"(`generation: {r['generation']}`); budget {r['budget']:g}, human "
            f"{r['human_cost']:g}, "
            f"synthetic {r['synthetic_cost']:g}, review {r['review_cost']:g} (catch "
            f"{r['catch_rate']:.0%}); "
            f"rows: test {rows['test']:,}, pilot {rows['pilot_human']:,} human + "
            f"{rows['pilot_synthetic']:,} "
            f"synthetic, pool {rows['pool']:,}. Evidence ({r['cli']}): exchange rate "
            f"{_pct(ev.get('exchange_rate'))}, "
            f"tail coverage {_pct(ev.get('tail_coverage'))}. Recommendation {r['recommendation']} "
            f"({r['mode']})."
        )
        for n in r["notes"]:
            out.append(f"  - capped or noted: {n}")
    out.append("")
    return "\n".join(out)


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except Exception:
        return "unknown"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 cases, 1 seed, coarse grid (~2 min)")
    ap.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-validation.md")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--case", action="append", help="run only this case (repeatable)")
    ap.add_argument("--seeds", type=int, help="seeds per mix (3; quick: 1)")
    ap.add_argument("--keep", help="keep the pilot files and scenarios in this folder")
    ap.add_argument(
        "--from-json",
        help="render (and with --write, record) a run saved by --json, without rerunning",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help="the staged plan against the one-shot plan, for real, in up to N rounds "
        "(benchmarks/validation/rounds.py; default cases cancer-centroid and digits-centroid, "
        "one seed); with --write, writes benchmarks/RESULTS-rounds-validation.md",
    )
    args = ap.parse_args(argv)
    if args.rounds:
        return _rounds_main(args, ap)
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        text = markdown(saved["results"], saved["meta"])
        print(text)
        if args.write:
            (ROOT / "benchmarks" / "RESULTS-validation.md").write_text(text, encoding="utf-8")
        return 0
    cases = CASES
    if args.case:
        known = {c.name: c for c in CASES}
        missing = [c for c in args.case if c not in known]
        if missing:
            ap.error(f"unknown case(s) {missing}; known: {sorted(known)}")
        cases = [known[c] for c in args.case]
    elif args.quick:
        cases = [c for c in CASES if c.name in QUICK]
    seeds = list(range(args.seeds or (1 if args.quick else 3)))
    grid = QUICK_GRID if args.quick else FULL_GRID

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    tmp = None
    if args.keep:
        workroot = Path(args.keep)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-validation-")
        workroot = Path(tmp.name)
    from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: F401  (load its OpenMP now)

    with threadpool_limits(1):
        results = [run_case(c, seeds, grid, workroot, log) for c in cases]
    meta = {
        "command": COMMAND if not args.quick else COMMAND + " --quick",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "commit": _commit(),
        "cli": results[0]["cli"] if results else "n/a",
        "seeds": len(seeds),
        "grid": grid,
        "seconds": time.perf_counter() - t0,
        "targets": {"mae": MAE_TARGET, "regret_points": REGRET_TARGET},
    }
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2, default=float))
    else:
        print(markdown(results, meta))
    if args.write:
        (ROOT / "benchmarks" / "RESULTS-validation.md").write_text(
            markdown(results, meta), encoding="utf-8"
        )
        log("wrote benchmarks/RESULTS-validation.md")
    if tmp is not None:
        tmp.cleanup()
    return 0


ROUNDS_CASES = ("cancer-centroid", "digits-centroid")
ROUNDS_GAPS = (
    0.5,
    0.9,
    1.0,
)  # targets: this share of the way from today to the budget's prediction


def _rounds_main(args, ap) -> int:
    from benchmarks.validation import rounds as R

    known = {c.name: c for c in CASES}
    names = args.case or list(ROUNDS_CASES)
    missing = [c for c in names if c not in known]
    if missing:
        ap.error(f"unknown case(s) {missing}; known: {sorted(known)}")
    seeds = list(range(args.seeds or 1))

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench-rounds-") as tmp, threadpool_limits(1):
        results = [
            row
            for name in names
            for seed in seeds
            for row in R.run_rounds_case(
                known[name], seed, ROUNDS_GAPS, args.rounds, Path(tmp), log
            )
        ]
    meta = {
        "command": f".venv/bin/python -m benchmarks.bench_validation --rounds {args.rounds}"
        + "".join(f" --case {n}" for n in names)
        + (f" --seeds {args.seeds}" if args.seeds else ""),
        "date": time.strftime("%Y-%m-%d"),
        "commit": _commit(),
        "seconds": time.perf_counter() - t0,
        "load": load,
    }
    text = R.markdown(results, meta)
    print(
        json.dumps({"meta": meta, "results": results}, indent=2, default=float)
        if args.json
        else text
    )
    if args.write:
        (ROOT / "benchmarks" / "RESULTS-rounds-validation.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
