"""``python -m hybrid recommend SCENARIO.yaml [--policy FILE] [--json]``.

The model (SciPy, pydantic) is imported when the command runs, not when ``--help`` is built.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from hybrid.cli.arguments import add_scenario_arguments

if TYPE_CHECKING:
    from hybrid.whatif.analysis import Analysis


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "recommend", help="recommend a human / hybrid / synthetic mix for a scenario"
    )
    add_scenario_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.whatif.analysis import build_analysis

    policy = load_policy(args.policy)
    scenario = load_scenario(args.scenario)
    analysis = build_analysis(scenario, policy)
    if args.json:
        print(json.dumps(analysis.to_json(), indent=2, allow_nan=False))
    else:
        from hybrid.safetext import terminal

        print(terminal(render_text(scenario.name, analysis)))
    return 0


def render_text(name: str, analysis: Analysis) -> str:
    """The analysis as terminal text: it formats, it computes nothing."""
    from hybrid.cli.table import text_table
    from hybrid.money import money
    from hybrid.vocabulary import LABEL_TITLES, input_title, input_value, metric, source_text

    rec = analysis.recommendation
    cur = rec.currency
    p = rec.plan
    lines = [
        f"{name}",
        f"Recommendation: {LABEL_TITLES[rec.label]}  "
        f"(synthetic share {p.synthetic_share:.0%}, review coverage {p.review_coverage:.0%})",
        f"Expected metric: {p.expected_metric:.3f} (today {rec.today_metric:.3f}, target "
        f"{rec.target_metric:.3f})",
        "",
        "Budget layers:",
    ]
    layers = [
        ["expert anchor", money(p.expert_anchor, cur), ""],
        ["synthetic extension", money(p.synthetic_extension, cur), ""],
        ["human review", money(p.human_review, cur), ""],
        ["total", money(p.spend, cur), f"of {money(rec.budget, cur)}"],
    ]
    lines += text_table(["", "", ""], layers, indent="  ", text_last=True)[1:]
    rows = []
    for plan in analysis.plans:
        cpp = "n/a" if plan.cost_per_point is None else money(plan.cost_per_point, cur)
        note = (
            "outside guardrails"
            if plan.breaks
            else ("" if plan.reaches_target else "misses target")
        )
        rows.append(
            [
                plan.name,
                money(plan.spend, cur),
                metric(plan.expected_metric),
                f"{plan.points_gained:.2f}",
                cpp,
                note,
            ]
        )
    lines.append("")
    lines += text_table(
        ["plan", "spend", "metric", "points", "cost/point", "notes"], rows, text_last=True
    )
    lines += ["", "Why:"] + [f"  - {s}" for s in rec.rationale]
    lines += ["", "Inputs and where they came from:"]
    lines += [
        f"  - {input_title(s.key)}: {input_value(s.key, s.value, cur)}, {source_text(s.source)}"
        for s in analysis.sources
    ]
    return "\n".join(lines)
