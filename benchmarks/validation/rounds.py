"""Buying in rounds, for real: the staged plan against the one-shot plan on a validation case.

For one case and seed: the pilot and the evidence as the main benchmark makes them (``harness``),
then a target between today's measured metric and what the whole budget is predicted to buy. The
one-shot plan (``recommend`` on that target) is bought from the pool and the generator at once,
trained on and scored. The staged plan buys round 1 (``plan_rounds``), trains, and measures; the
reading is recorded in the scenario (``record_round``, the "enter the measured metric" path) and
round 2 is planned from it, and so on, until the reading reaches the target or the rounds run out.

The test set is split in two halves: the team's reading after each round is scored on one half, the
verdict (reached or not) on the other, so the staged plan never sees the rows it is judged on.
Not done here (CPU): re-running the evidence on the enlarged pilot between rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import yaml

from . import harness as H
from .learners import make_model, stack


@dataclass
class Outcome:
    spend: float
    human: float
    synthetic: float
    rounds: int
    reading: float  # on the reading half of the test set
    verdict: float  # on the verdict half
    reached: bool


def _halves(p: H.Prepared) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([p.case.split_seed, 41])
    order = rng.permutation(len(p.test_idx))
    half = len(order) // 2
    return order[:half], order[half:]


def score(p: H.Prepared, human: float, synthetic: float, coverage: float, seed: int):
    """Train as ``harness.train_on_plan`` does; accuracy on the reading and the verdict halves."""
    h_idx = p.humans(seed, max(0, int(round(human))))
    Xs, st = p.synthetic(seed, max(0, int(round(synthetic))), h_idx)
    parts = [p.features.rows(p.pilot_idx), p.features.encode(p.pilot_syn.X), p.features.rows(h_idx)]
    labels = [p.data.y[p.pilot_idx], p.pilot_syn.y_given, p.data.y[h_idx]]
    if st is not None and len(st):
        y_s, _, _ = H.apply_review(st, coverage, p.case.catch_rate)
        parts.append(Xs)
        labels.append(y_s)
    y = np.concatenate([np.asarray(v, dtype=object) for v in labels]).astype(str)
    model = make_model(p.data.kind, p.case.model)
    model.fit(stack(parts), y)
    pred = model.predict(p.features.rows(p.test_idx))
    truth = p.data.y[p.test_idx].astype(str)
    a, b = _halves(p)
    return float(np.mean(pred[a] == truth[a])), float(np.mean(pred[b] == truth[b]))


def run_rounds_case(case: H.Case, seed: int, gaps, rounds: int, workroot, log) -> list[dict]:
    """One case, one seed, one result per target gap (share of the way from today's predicted
    metric to what the whole budget is predicted to buy)."""
    from hybrid.explain.recommendation import recommend
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import Scenario
    from hybrid.whatif.rounds import plan_rounds, record_round

    p = H.prepare_case(case)
    work = workroot / case.name
    pilot, base = H.write_inputs(p, work)
    rec_budget, _ = H.run_cli(p, pilot, base, work)
    log(f"{case.name}: evidence done")
    policy = load_policy()
    data = yaml.safe_load((work / "scenario.yaml").read_text(encoding="utf-8"))
    today = float(rec_budget["today_metric"])
    full = float(rec_budget["plans"]["recommended"]["expected_metric"])
    a_half, b_half = _halves(p)
    out = []
    for gap in gaps:
        target = round(today + gap * (full - today), 4)
        data["economics"]["target_metric"] = target
        data["economics"]["objective"] = "reach_target"
        scn = Scenario.from_dict(data, "validation scenario")
        penalty = float(scn.economics.budget)
        rec = recommend(scn, policy)
        pl = rec.plan
        r_one, v_one = score(p, pl.human_examples, pl.synthetic_examples, pl.review_coverage, seed)
        one = Outcome(
            pl.spend,
            pl.human_examples,
            pl.synthetic_examples,
            1,
            r_one,
            v_one,
            v_one >= target,
        )
        cum_h = cum_s = spent = 0.0
        done = 0
        reading, verdict = score(p, 0, 0, 0.0, seed)
        current = scn
        for r in range(rounds):
            plan = plan_rounds(current, policy, rounds=rounds - r, miss_penalty=penalty, seed=seed)
            h, s, v = plan.first_purchase()
            if h + s < 1 and (r == rounds - 1 or plan.expected_spend < 1):
                break  # nothing now and nothing later: the plan stops (or gives the target up)
            cum_h, cum_s = cum_h + h, cum_s + s
            spent += plan.rounds[0].spend
            done += 1
            if h + s >= 1:
                reading, verdict = score(p, cum_h, cum_s, v, seed)
            log(
                f"{case.name} target {target:.4f}: round {done} bought {h:.0f} human, {s:.0f} "
                f"synthetic; reading {reading:.4f}"
            )
            if reading >= target:
                break
            current = record_round(
                current,
                int(round(h)),
                int(round(s)),
                v,
                reading,
                evaluation_rows=len(a_half),
                spend=plan.rounds[0].spend,
                predicted_metric=min(max(plan.rounds[0].expected_metric, 0.0), 1.0),
            )
        staged = Outcome(spent, cum_h, cum_s, done, reading, verdict, verdict >= target)
        out.append(
            {
                "case": case.name,
                "seed": seed,
                "target": target,
                "predicted_one_shot": pl.expected_metric,
                "penalty": penalty,
                "budget": float(scn.economics.budget),
                "one_shot": one.__dict__,
                "staged": staged.__dict__,
                "cost_one_shot": one.spend + penalty * (not one.reached),
                "cost_staged": staged.spend + penalty * (not staged.reached),
            }
        )
    return out


def markdown(results: list[dict], meta: dict) -> str:
    lines = [
        "# Buying in rounds, validated on real training",
        "",
        f"Command: `{meta['command']}`; {meta['date']}, commit {meta['commit']}, "
        f"{meta['seconds']:.0f} s, load average {meta['load']}.",
        "",
        "Each target lies between today's metric and what the whole budget is predicted to buy; "
        "the one-shot plan is predicted to reach every one. Accuracy is the verdict half of the "
        "test set (the staged plan's readings use the other half). Cost = spend + miss penalty "
        "(the budget) if the target is missed.",
        "",
        "| case | seed | target | one-shot: spend, accuracy, reached | staged: rounds, spend, "
        "accuracy, reached | cost one-shot | cost staged |",
        "|---|--:|--:|---|---|--:|--:|",
    ]
    for r in results:
        o, s = r["one_shot"], r["staged"]
        lines.append(
            f"| {r['case']} | {r['seed']} | {r['target']:.4f} | {o['spend']:.0f}, "
            f"{o['verdict']:.4f}, {'yes' if o['reached'] else 'no'} | {s['rounds']}, "
            f"{s['spend']:.0f}, {s['verdict']:.4f}, {'yes' if s['reached'] else 'no'} | "
            f"{r['cost_one_shot']:.0f} | {r['cost_staged']:.0f} |"
        )
    return "\n".join(lines) + "\n"
