"""``python -m hybrid report``: shareable recommendation reports (HTML, Markdown, JSON, PDF).

    python -m hybrid report SCENARIO.yaml --format html|md|json|pdf [-o FILE]
    python -m hybrid report data/examples --format all -o reports/      # batch over a folder

One scenario without ``-o`` prints to standard output (text formats only). Several scenarios, or a
folder of them, write ``<name>.<ext>`` into the ``-o`` folder (default ``reports/``), one line per
file written; a scenario that cannot be used is reported on stderr and the rest still run, with exit
code 2 at the end. ``--sensitivity``, ``--uncertainty`` and ``--rounds`` add those sections;
``--data FILE --slice COL`` (with the ``workplan`` command's ``--annotators``, ``--source``,
``--label``, ``--margin``, ``--confidence``) adds the work plan by slice. The generation date comes
from ``--date`` or ``$SOURCE_DATE_EPOCH`` when set, so a report can be rebuilt byte for byte.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hybrid.cli.arguments import POLICY_HELP, add_monte_carlo_arguments
from hybrid.errors import InputError
from hybrid.share.formats import EXTENSIONS, FORMATS, slug

if TYPE_CHECKING:
    from hybrid.model.policy import Policy
    from hybrid.model.scenario import Scenario

DEFAULT_OUTPUT_DIR = "reports"
# The Sensitivity page's draws (hybrid.whatif.uncertainty.DEFAULT_DRAWS, held equal by a test; not
# imported here, so that --help stays free of NumPy).
DEFAULT_DRAWS = 10_000
# Monte Carlo draws: each costs one plan evaluation and a few numbers held in memory (evaluated
# 20,000 at a time); 200,000 draws take about 15 s and under 500 MB. A safety cap, documented in
# docs/reports.md and docs/hostile-input.md.
MAX_DRAWS = 200_000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write a shareable report (HTML, Markdown, JSON or PDF) for one scenario or a folder",
        description="Write recommendation reports; see docs/reports.md.",
    )
    p.add_argument(
        "scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML files or folders of them"
    )
    p.add_argument(
        "--format",
        "-f",
        default="html",
        choices=[*FORMATS, "all"],
        help="report format (default html); 'all' writes every format into the -o folder",
    )
    p.add_argument(
        "-o", "--output", help="output file (one scenario) or folder (several, or --format all)"
    )
    p.add_argument("--policy", help=POLICY_HELP)
    p.add_argument(
        "--sensitivity", action="store_true", help="add the sensitivity (tornado) section"
    )
    p.add_argument(
        "--uncertainty", action="store_true", help="add the Monte Carlo uncertainty section"
    )
    p.add_argument(
        "--rounds",
        action="store_true",
        help="add the staged plan: the purchase in rounds beside the one-shot plan (as the "
        "rounds command, default settings)",
    )
    add_monte_carlo_arguments(
        p,
        draws=DEFAULT_DRAWS,
        max_draws=MAX_DRAWS,
        why=", as on the Sensitivity page, so the report and the page give the same intervals",
    )
    p.add_argument(
        "--date",
        help="generation date and time to print (ISO 8601; default now, or $SOURCE_DATE_EPOCH)",
    )
    from hybrid.cli.workplan import add_slice_arguments

    add_slice_arguments(p.add_argument_group("work plan by slice (optional)"), required=False)
    p.set_defaults(func=run)


def generation_date(text: str | None) -> datetime | None:
    """``--date`` if given, else ``$SOURCE_DATE_EPOCH`` (reproducible builds), else None (now)."""
    if text:
        try:
            d = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"--date: not an ISO 8601 date and time ({text!r})") from None
        return d if d.tzinfo else d.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise InputError(f"SOURCE_DATE_EPOCH: not a Unix time ({epoch!r})") from None
    return None


def _inputs(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                q for q in p.iterdir() if q.suffix.lower() in (".yaml", ".yml") and q.is_file()
            )
            if not found:
                raise InputError(f"{p}: no .yaml scenario files in this folder")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: file not found")
    return out


def report_data(scenario: Scenario, policy: Policy, args: argparse.Namespace):
    from hybrid.cli.workplan import work_plan
    from hybrid.share.report import build_report
    from hybrid.whatif.analysis import build_analysis

    analysis = build_analysis(
        scenario,
        policy,
        sensitivity=args.sensitivity,
        uncertainty=args.uncertainty,
        draws=args.draws,
        seed=args.seed,
    )
    return build_report(
        scenario,
        policy,
        analysis=analysis,
        generated_at=generation_date(args.date),
        workplan=work_plan(scenario, policy, args),
        rounds=_rounds(scenario, policy) if getattr(args, "rounds", False) else None,
    )


def _rounds(scenario: Scenario, policy: Policy):
    from hybrid.whatif.rounds import plan_rounds

    return plan_rounds(scenario, policy)


def _write(path: Path, content: str | bytes) -> None:
    """Whole or not at all (hybrid.atomic): a full disk leaves no 0-byte report."""
    from hybrid.atomic import write_bytes

    write_bytes(
        path, content if isinstance(content, bytes) else content.encode("utf-8"), mkdir=True
    )


def run(args: argparse.Namespace) -> int:
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.share.render import render

    policy = load_policy(args.policy)
    generation_date(args.date)  # refuse a bad date before any work
    files = _inputs(args.scenarios)
    formats = list(FORMATS) if args.format == "all" else [args.format]
    batch = len(files) > 1 or any(Path(s).is_dir() for s in args.scenarios) or args.format == "all"

    if not batch:
        scenario = load_scenario(files[0])
        content = render(report_data(scenario, policy, args), formats[0])
        if args.output and args.output != "-":
            out = Path(args.output)
            if out.is_dir():
                out = out / f"{files[0].stem}.{EXTENSIONS[formats[0]]}"
            _write(out, content)
            print(out, file=sys.stderr)
            return 0
        if isinstance(content, bytes):
            if sys.stdout.isatty():
                raise InputError("a PDF is binary: give -o FILE (or redirect standard output)")
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
        return 0

    out_dir = Path(args.output or DEFAULT_OUTPUT_DIR)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: several reports need an output folder, and this is a file")
    failed = 0
    used: set[str] = set()
    for path in files:
        try:
            scenario = load_scenario(path)
            stem = path.stem if path.stem else slug(scenario.name)
            while stem in used:
                stem += "-1"
            used.add(stem)
            data = report_data(scenario, policy, args)
            for fmt in formats:
                target = out_dir / f"{stem}.{EXTENSIONS[fmt]}"
                _write(target, render(data, fmt))
                print(target)
        except InputError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    if failed:
        print(f"error: {failed} of {len(files)} scenarios could not be reported", file=sys.stderr)
        return 2
    return 0
