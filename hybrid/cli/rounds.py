"""``python -m hybrid rounds SCENARIO.yaml [--rounds N] [--miss-penalty AMOUNT] [--json]``: the
staged plan (hybrid/whatif/rounds.py), round by round, beside the one-shot plan on the same futures.

After a round, ``--measured METRIC -o NEXT.yaml`` records what round 1 bought (or ``--bought
HUMAN,SYNTHETIC``) with the metric the team measured, writes the scenario with the round kept, and
plans the next round from it.
"""

from __future__ import annotations

import argparse
import json

from hybrid.cli.arguments import (
    add_monte_carlo_arguments,
    add_scenario_arguments,
    amount,
    fraction,
    whole,
)
from hybrid.errors import InputError

# hybrid.whatif.rounds' default and largest number of simulated futures (held equal by a test; not
# imported here, so that --help stays free of NumPy).
DRAWS = 2_000
MAX_DRAWS = 20_000


def _count_pair(text: str) -> tuple[int, int]:
    parts = text.split(",")
    try:
        h, s = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected HUMAN,SYNTHETIC as two whole numbers, got {text!r}"
        ) from None
    if h < 0 or s < 0:
        raise argparse.ArgumentTypeError(f"row counts cannot be negative (got {text})")
    return h, s


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rounds", help="plan the purchase in rounds, re-measuring between them"
    )
    add_scenario_arguments(p)
    p.add_argument(
        "--rounds", type=whole(1, 5), help="number of rounds, 1 to 5 (default: chosen by the tool)"
    )
    p.add_argument(
        "--miss-penalty",
        type=amount,
        metavar="AMOUNT",
        help="cost of missing the target, in the scenario's currency (default: the policy's "
        "share of the budget)",
    )
    add_monte_carlo_arguments(p, draws=DRAWS, max_draws=MAX_DRAWS, why=", simulated futures")
    p.add_argument(
        "--measured",
        type=fraction,
        metavar="METRIC",
        help="the metric measured after the round just bought: records the round (needs -o)",
    )
    p.add_argument(
        "--bought",
        type=_count_pair,
        metavar="HUMAN,SYNTHETIC",
        help="with --measured: the rows the round bought (default: this plan's round 1)",
    )
    p.add_argument(
        "--evaluation-rows", type=int, help="with --measured: held-out rows it was measured on"
    )
    p.add_argument("-o", "--output", help="with --measured: write the scenario with the round kept")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.whatif.rounds import plan_rounds, record_round

    if (args.measured is None) != (args.output is None):
        raise InputError("--measured and -o go together: the round is recorded in the new file")
    if args.measured is None and (args.bought is not None or args.evaluation_rows is not None):
        raise InputError("--bought and --evaluation-rows describe a measured round: add --measured")
    if args.evaluation_rows is not None and args.evaluation_rows < 1:
        raise InputError(f"--evaluation-rows: must be at least 1 (got {args.evaluation_rows})")
    policy = load_policy(args.policy)
    scenario = load_scenario(args.scenario)

    def staged(scenario, rounds):
        return plan_rounds(
            scenario,
            policy,
            rounds=rounds,
            miss_penalty=args.miss_penalty,
            draws=args.draws,
            seed=args.seed,
        )

    plan = staged(scenario, args.rounds)
    if args.measured is not None:
        from hybrid.atomic import write_text

        h, s, cover = plan.first_purchase()
        if args.bought is not None:
            h, s = args.bought
        scenario = record_round(
            scenario,
            int(round(h)),
            int(round(s)),
            cover,
            args.measured,
            evaluation_rows=args.evaluation_rows,
            spend=round(plan.rounds[0].spend, 2) if args.bought is None else None,
            predicted_metric=min(max(plan.rounds[0].expected_metric, 0.0), 1.0),
        )
        write_text(args.output, scenario.to_yaml())
        plan = staged(scenario, None if args.rounds is None else max(1, args.rounds - 1))
    if args.json:
        print(json.dumps(plan.to_json(), indent=2, allow_nan=False))
    else:
        from hybrid.safetext import terminal

        print(terminal(render_text(scenario.name, plan)))
    return 0


def render_text(name: str, plan) -> str:
    from hybrid.cli.table import text_table
    from hybrid.money import money
    from hybrid.vocabulary import count, metric, probability, source_text, spread_text

    cur = plan.currency
    goal = (
        f"reach {plan.target:.3f} (today {plan.today_metric:.3f})"
        if plan.mode == "target"
        else f"the best metric {money(plan.budget, cur)} buys"
    )
    lines = [
        name,
        f"Buying in {len(plan.rounds)} round(s) to {goal}; synthetic share "
        f"{plan.synthetic_share:.0%}, review coverage {plan.review_coverage:.0%}.",
        f"Miss penalty {money(plan.miss_penalty, cur)}; {plan.draws:,} simulated futures.",
        "",
    ]
    lines += text_table(
        ["round", "human rows", "synthetic rows", "spend", "spent so far", "reached by then"],
        [
            [
                str(r.round),
                count(r.human_examples),
                count(r.synthetic_examples),
                money(r.spend, cur),
                money(r.expected_spend_to_date, cur),
                probability(r.probability_target),
            ]
            for r in plan.rounds
        ],
    )
    o = plan.one_shot
    lines += [
        "",
        f"One-shot plan on the same futures: {money(o.spend, cur)}, reaches the target in "
        f"{probability(o.probability_target)} of them (metric {metric(o.expected_metric)} on "
        f"average over them; {metric(o.point_metric)} at today's values, as recommended).",
        f"Expected spend plus miss penalty: staged {money(plan.expected_cost, cur)}, one-shot "
        f"{money(plan.one_shot_cost, cur)}.",
        "Rounds after the first are averages over the futures: each buys according to what the "
        "round before it measured.",
    ]
    lines += [f"  - {n}" for n in plan.notes]
    if plan.spreads:
        lines += ["", "Uncertain inputs, with standard error now and after round 1:"]
        lines += text_table(
            ["input", "value", "standard error", "after round 1", "source"],
            [
                [
                    sp.name,
                    spread_text(sp.field, sp.value),
                    spread_text(sp.field, sp.standard_error, error=True),
                    spread_text(sp.field, sp.after_first_round, error=True),
                    source_text(sp.source, reason=False),
                ]
                for sp in plan.spreads
            ],
            indent="  ",
            text_last=True,
        )
    return "\n".join(lines)
