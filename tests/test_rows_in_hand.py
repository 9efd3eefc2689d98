"""Rows in hand are part of the plan (issue 20, item 5): generated rows already in the dataset that
the measured response says hurt may be dropped, priced by the same response; when that is the
cheapest way to the target (or the best metric for the budget) it is the recommendation, in words.

A pilot's own evidence measured 600 generated rows lowering the metric from 0.956 to 0.889; the
tool kept them in "today" and recommended spending the whole $4,000 to make up their damage.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hybrid.explain.recommendation import recommend
from hybrid.model.economics import resolve_inputs
from hybrid.model.recommend import decide, search, search_rows_in_hand
from tests.conftest import make_scenario
from tests.test_model_v2 import measured
from tests.test_recommend import PROPS, bump

ROOT = Path(__file__).resolve().parent.parent


def _hurting(target: float = 0.9, budget: float = 4000.0, floor: float = 0.25, rows: int = 600):
    """133 human rows and ``rows`` generated rows whose measured errors repeat (a large floor)."""
    scn = make_scenario(
        **{
            "dataset": {"human_examples": 133, "synthetic_examples": rows, "classes": 2},
            "economics__budget": budget,
            "economics__target_metric": target,
            "economics__synthetic_label_accuracy": 0.6,
            "economics__learning_curve": {
                "points": [[15, 0.80], [37, 0.89], [57, 0.93], [88, 0.94], [133, 0.955]]
            },
        }
    )
    return bump(
        scn,
        "dataset.synthetic_response",
        {
            "value": 0.9,
            "saturation": 3.0,
            "systematic_share": 0.8,
            "floor": floor,
            "floor_exponent": 1.0,
            "accuracy": 0.6,
            "human_rows": 88,
            "synthetic_rows": rows,
            "measured_ratio": 0.0,
        },
    )


# ---- Inputs ----------------------------------------------------------------------------------


def test_dropping_removes_their_worth_floor_and_share(policy):
    scn = _hurting()
    inp = resolve_inputs(scn, policy)
    without = inp.without_rows_in_hand()
    assert without.synthetic_now == 0 and without.synthetic_pool == 0
    # The same response as a dataset that never had them.
    none = resolve_inputs(bump(scn, "dataset.synthetic_examples", 0), policy)
    for h, s, v in ((0.0, 0.0, 0.0), (500.0, 0.0, 0.0), (200.0, 300.0, 1.0)):
        assert float(without.metric_at(h, s, v)) == pytest.approx(float(none.metric_at(h, s, v)))
    # Their repeated errors cost today's metric; without them it is the human rows' curve.
    assert float(without.today()) > float(inp.today())
    assert float(without.today()) == pytest.approx(float(inp.curve_at(133.0)), abs=0.01)


def test_rows_that_help_are_never_dropped(policy):
    """Generated rows from an earlier process (no measured response) count as a stock that adds:
    dropping them is never weighed."""
    scn = make_scenario(**{"dataset": {"human_examples": 4000, "synthetic_examples": 20000}})
    inp = resolve_inputs(scn, policy)
    assert float(inp.without_rows_in_hand().today()) < float(inp.today())
    rec = decide(scn, policy, inp)
    assert not rec.drops_rows_in_hand and rec.rows_in_hand == 20000
    assert rec.to_json()["rows_in_hand"]["dropped"] is False


# ---- the plan --------------------------------------------------------------------------------


def test_dropping_reaches_the_target_at_no_cost(policy):
    scn = _hurting(target=0.95)
    rec = recommend(scn, policy)
    assert rec.drops_rows_in_hand
    assert rec.plan.spend == 0 and rec.plan.new_examples == 0 and rec.plan.reaches_target
    assert rec.today_metric < 0.9 < rec.plan.expected_metric
    assert rec.plan.expected_metric == pytest.approx(rec.metric_without_rows_in_hand)
    headline = rec.rationale[0]
    assert headline.startswith("Drop the 600 generated rows already in the dataset")
    assert f"from {rec.today_metric:.3f} to about {rec.metric_without_rows_in_hand:.3f}" in headline
    assert "at no cost." in headline
    assert not any("already meets the target" in s for s in rec.rationale)
    got = rec.to_json()["rows_in_hand"]
    assert got == {
        "generated_rows": 600.0,
        "dropped": True,
        "metric_without_them": rec.metric_without_rows_in_hand,
    }


def test_dropping_then_buying_is_cheaper_than_making_up_their_damage(policy):
    scn = _hurting(target=0.97, budget=100000.0)
    inp = resolve_inputs(scn, policy)
    kept_mode, *_, kept_n = search(inp)
    rec = recommend(scn, policy)
    assert rec.drops_rows_in_hand and rec.plan.new_examples > 0
    if kept_mode == "target":
        assert rec.plan.spend < float(kept_n * inp.unit_cost(0.0, 0.0))
    assert "the new examples below start from there" in rec.rationale[0]


def test_budget_mode_takes_the_better_metric(policy):
    scn = bump(_hurting(target=0.999), "economics.objective", "best_for_budget")
    rec = recommend(scn, policy)
    assert rec.mode == "budget" and rec.drops_rows_in_hand
    inp = resolve_inputs(scn, policy)
    _, s, v, n = search(inp)
    assert rec.plan.expected_metric > float(inp.metric(n, s, v))


def test_the_work_plan_plans_the_slices_without_dropped_rows(policy):
    from hybrid.model.workplan import SliceStats, slice_plan

    scn = _hurting(target=0.97, budget=100000.0)
    rec = decide(scn, policy)
    assert rec.drops_rows_in_hand
    wp = slice_plan(scn, policy, [SliceStats("a", 80), SliceStats("b", 53)], recommendation=rec)
    assert any("drops the 600 generated rows" in n for n in wp.notes)
    assert wp.today_metric == rec.today_metric and wp.expected_metric == rec.plan.expected_metric
    assert wp.human_examples == round(rec.plan.human_examples)
    assert wp.spends_the_overall_plan or wp.extra_review_examples or wp.unplaced_synthetic
    assert sum(s.points for s in wp.slices) == pytest.approx(rec.plan.points_gained)


def _objective(inp, answer):
    mode, s, v, n = answer
    if mode == "target":
        return mode, n * float(inp.unit_cost(s, v) + inp.unit_risk(s, v))
    return mode, -float(inp.metric(n, s, v))


@PROPS
@given(scn=measured(), rows=st.sampled_from([0, 600, 20000]))
def test_keep_or_drop_is_never_worse_than_either_fixed_choice(policy, scn, rows):
    """Dropping is never chosen when the evidence says the rows help (today is no better without
    them), and the choice is never worse than the best of keeping and dropping."""
    scn = bump(scn, "dataset.synthetic_examples", rows)
    inp = resolve_inputs(scn, policy)
    priced, chosen = search_rows_in_hand(inp)
    without = inp.without_rows_in_hand()
    helps = rows == 0 or float(without.today()) <= float(inp.today()) + 1e-9
    if helps:
        assert priced is inp
        return
    kept = _objective(inp, search(inp))
    dropped = _objective(without, search(without))
    got = _objective(priced, chosen)
    reach = [o for o in (kept, dropped) if o[0] == "target"]
    if inp.objective != "best_for_budget" and reach:
        assert got[0] == "target"
        assert got[1] <= min(o[1] for o in reach) * (1 + 1e-9) + 1e-9
    else:
        assert got[1] <= min(kept[1], dropped[1]) + 1e-9


# ---- end to end: a pilot whose generated rows hurt ------------------------------------------


def _pilot(path: Path, seed: int = 0) -> None:
    """133 human rows (two annotators, 45 marked holdout) and 600 generated rows labeled by the
    wrong rule: systematically wrong, the way a generator's errors repeat."""
    rng = np.random.default_rng(seed)
    lines = ["f1,f2,f3,f4,label,annotator_1,annotator_2,source"]

    def row(x, y, a1, a2, src):
        return ",".join([*(f"{v:.4f}" for v in x), f"c{y}", a1, a2, src])

    x = rng.normal(size=(133, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    for i in range(133):
        a1 = y[i] if rng.random() > 0.03 else 1 - y[i]
        a2 = y[i] if rng.random() > 0.03 else 1 - y[i]
        lines.append(row(x[i], y[i], f"c{a1}", f"c{a2}", "holdout" if i < 45 else "human"))
    xs = rng.normal(size=(600, 4))
    wrong = (xs[:, 1] - 0.8 * xs[:, 0] > 0).astype(int)
    lines += [row(xs[i], wrong[i], "", "", "synthetic") for i in range(600)]
    path.write_text("\n".join(lines) + "\n")


def _hybrid(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "hybrid", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )


def test_a_pilot_whose_generated_rows_hurt_is_told_to_drop_them(tmp_path):
    pilot, base, out = tmp_path / "pilot.csv", tmp_path / "base.yaml", tmp_path / "measured.yaml"
    _pilot(pilot)
    base.write_text(
        yaml.safe_dump(
            {
                "name": "hurting pilot",
                "data_use": "fine_tuning",
                "factors": {
                    "error_cost": 2,
                    "domain_judgment": 2,
                    "edge_cases": 2,
                    "iteration_maturity": 4,
                },
                "economics": {
                    "budget": 4000,
                    "human_cost_per_example": 2.0,
                    "synthetic_cost_per_example": 0.05,
                    "review_cost_per_example": 0.4,
                    "synthetic_label_accuracy": 0.6,
                    "target_metric": 0.92,
                },
            }
        )
    )
    _hybrid(
        "evidence",
        pilot,
        "--label",
        "label",
        "--source",
        "source",
        "--annotators",
        "annotator_1,annotator_2",
        "--scenario",
        base,
        "-o",
        out,
        "--quiet",
    )
    measured_scn = yaml.safe_load(out.read_text())
    assert measured_scn["dataset"]["synthetic_examples"] == 600
    got = json.loads(_hybrid("recommend", out, "--json").stdout)
    assert got["rows_in_hand"]["dropped"] is True
    assert got["rows_in_hand"]["metric_without_them"] > got["today_metric"]
    assert got["plans"]["recommended"]["spend"] == 0
    without = got["rows_in_hand"]["metric_without_them"]
    said = (
        f"Drop the 600 generated rows already in the dataset: by the measured response they lower "
        f"the metric, which rises from {got['today_metric']:.3f} to about {without:.3f} at no cost."
    )
    assert got["rationale"][0] == said
    text = _hybrid("recommend", out).stdout
    assert said in text
    report = tmp_path / "report.md"
    _hybrid("report", out, "-f", "md", "-o", report, "--date", "2026-01-01T00:00:00")
    assert said in report.read_text()
