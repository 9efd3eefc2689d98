"""``python -m hybrid workplan SCENARIO.yaml --data FILE --slice COL [--annotators A,B]
[--source COL] [--label COL] [-o plan.csv|plan.json] [--json]``: the work plan per slice.

The label, annotator and source columns not named are found by name as the Work plan page finds
them (``detect_slice_columns``), and the output says which were used.

The global plan of ``recommend``, split across the data's slices (docs/model.md, "Work plan"). The
model and the data readers are imported when the command runs.
"""

from __future__ import annotations

import argparse
import sys

from hybrid.cli.arguments import add_scenario_arguments, between
from hybrid.cli.io import annotator_columns, json_dump
from hybrid.cli.storage import input_path
from hybrid.errors import InputError


def add_slice_arguments(p, required: bool) -> None:
    """The data, slice and verification options, shared by ``workplan`` and ``report`` (where they
    are optional and add the work plan section)."""
    p.add_argument(
        "--data",
        required=required,
        metavar="FILE",
        help="the team's data file (CSV, Parquet, JSON Lines, Excel, Label Studio JSON)"
        + ("" if required else "; with --slice, adds the work plan by slice"),
    )
    p.add_argument(
        "--slice",
        required=required,
        metavar="COL",
        help="column whose values are the slices (the label column: the classes as slices)",
    )
    p.add_argument(
        "--label",
        metavar="COL",
        help="the label column (needed to measure the generator on reviewed synthetic rows)",
    )
    p.add_argument(
        "--annotators", metavar="A,B", help="two or more annotator columns, comma-separated"
    )
    p.add_argument("--source", metavar="COL", help="column marking rows human or synthetic")
    p.add_argument(
        "--margin",
        type=between(0.0, 0.5),
        help="verification margin, e.g. 0.05 for +/-5 points (policy default)",
    )
    p.add_argument(
        "--confidence",
        type=between(0.5, 1.0),
        help="verification confidence, e.g. 0.95 (policy default)",
    )


def work_plan(scenario, policy, args):
    """The work plan of ``scenario`` over ``args.data`` sliced by ``args.slice``; None without
    ``--data``."""
    from hybrid.model.workplan import slice_plan

    if not getattr(args, "data", None):
        if getattr(args, "slice", None):
            raise InputError("--slice: give the data file too (--data FILE)")
        return None
    if not args.slice:
        raise InputError(
            "--data: name the slice column too (--slice COL; the label column makes the classes "
            "the slices)"
        )
    stats = _read_slices(args)
    return slice_plan(scenario, policy, stats, margin=args.margin, confidence=args.confidence)


def slice_columns_of(args):
    """The label, annotator and source columns the plan reads: those named, the rest detected
    as the Work plan page detects them (``hybrid.evidence.slices.detect_slice_columns``)."""
    from hybrid.evidence.slices import detect_slice_columns

    return detect_slice_columns(
        input_path(args.data),
        name=args.data,
        label=args.label,
        annotators=annotator_columns(args.annotators),
        source=args.source,
    )


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "workplan",
        help="split the recommended plan into quotas per data slice",
        description="Split the recommended plan into new human, synthetic and reviewed rows per "
        "data slice, with the verification sample each slice's generator accuracy needs.",
    )
    add_scenario_arguments(p, json_help="print one JSON object")
    add_slice_arguments(p, required=True)
    p.add_argument(
        "-o", "--output", metavar="plan.csv|plan.json", help="write the quotas as CSV or JSON"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hybrid.atomic import write_text
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.share.workplan import workplan_csv

    if args.output and not args.output.lower().endswith((".csv", ".json")):
        raise InputError(f"-o/--output: name a .csv or .json file (got {args.output!r})")
    policy = load_policy(args.policy)
    scenario = load_scenario(args.scenario)
    wp = work_plan(scenario, policy, args)
    if args.output:
        if args.output.lower().endswith(".csv"):
            write_text(args.output, workplan_csv(wp))
        else:
            write_text(args.output, json_dump(wp.to_json()) + "\n")
    from hybrid.safetext import terminal

    # Slice names come from the data and the name from the scenario: control characters and bidi
    # overrides reach the terminal as visible escapes (a JSON reader reads \u202e as the same text).
    columns = getattr(args, "columns_read", None)
    if args.json:
        print(terminal(json_dump(wp.to_json())))
        if columns is not None:
            print(terminal(columns.describe()), file=sys.stderr)
        return 0
    print(terminal(render_text(scenario.name, wp)))
    if columns is not None:
        print(terminal(columns.describe()))
    if args.output:
        print(f"\nwrote {args.output}", file=sys.stderr)
    return 0


def _read_slices(args):
    from hybrid.evidence.slices import read_slices

    cols = slice_columns_of(args)
    args.columns_read = cols
    return read_slices(
        input_path(args.data),
        name=args.data,
        slice=args.slice,
        label=cols.label,
        annotators=list(cols.annotators) or None,
        source=cols.source,
    )


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis showing the cut (the full name is in
    "What would move each slice" below the table, and in the CSV and JSON)."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def render_text(name: str, wp) -> str:
    from hybrid.cli.table import text_table
    from hybrid.money import money

    cur = wp.currency
    rows = [
        [
            _fit(s.slice, 19),
            f"{s.human_examples:,}",
            f"{s.synthetic_examples:,}",
            f"{s.reviewed_examples:,}",
            f"{s.review_coverage:.0%}",
            f"{s.verification_sample:,}",
            money(s.spend, cur),
            s.reason,
        ]
        for s in wp.slices
    ]
    t = wp.total()
    rows.append(
        [
            "total",
            f"{t['human_examples']:,}",
            f"{t['synthetic_examples']:,}",
            f"{t['reviewed_examples']:,}",
            f"{t['review_coverage']:.0%}",
            f"{t['verification_sample']:,}",
            money(t["spend"], cur),
            "",
        ]
    )
    lines = [f"{name}: work plan over {len(wp.slices):,} slices"]
    lines += text_table(
        ["slice", "human", "synthetic", "reviewed", "review", "verify", "spend", "reason"],
        rows,
        text_last=True,
    )
    beyond = wp.beyond_the_plan()
    if beyond:
        lines.append(beyond)
    lines += ["", "What would move each slice:"] + [f"  {s.slice}: {s.moves}" for s in wp.slices]
    lines += [""] + [f"- {n}" for n in wp.notes]
    return "\n".join(lines)
