"""Command-line access to dataset profiling and to evidence measured on the team's own data.

``profile`` turns data files (or statistics files, or both: shards merge) into the facts the
decision needs; ``learning-curve`` and ``evidence`` train the fixed model on the data and report
the empirical learning curve and the human/synthetic exchange rate. Progress goes to stderr, so
``--json`` output on stdout stays one clean object.
"""

from __future__ import annotations

import argparse
import sys
import time

from hybrid.cli.io import annotator_columns, json_dump
from hybrid.cli.storage import input_path
from hybrid.errors import InputError

MAX_SEED = 2**32 - 1  # numpy and scikit-learn seeds
MAX_THREADS = 64  # fits at once; more than a machine has cores only queues them


def print(*values, **kwargs) -> None:  # noqa: A001 - every report line of this module goes through here
    """``print`` for this module's output: names and values from the user's files reach standard
    output with control characters and bidi overrides written as visible escapes (a JSON dump's
    ``\u202e`` is the same character to any JSON reader). Progress on stderr is left alone."""
    import builtins

    from hybrid.safetext import terminal

    if "file" not in kwargs:
        values = tuple(terminal(v) if isinstance(v, str) else v for v in values)
    builtins.print(*values, **kwargs)


class _Progress:
    """Progress on stderr: a rewritten line on a terminal, a line per tenth in a log."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = -1.0
        self.start = time.monotonic()

    def __call__(self, fraction: float, message: str) -> None:
        if self.quiet:
            return
        pct = int(fraction * 100)
        elapsed = time.monotonic() - self.start
        line = f"[{pct:3d}%] {message} ({elapsed:.1f}s)"
        if self.tty:
            end = "\n" if fraction >= 1.0 else ""
            print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)
        elif fraction >= 1.0 or fraction - self.last >= 0.1:
            print(line, file=sys.stderr, flush=True)
            self.last = fraction


def _whole(low: int, high: int | None = None):
    """An argparse type: a whole number in [low, high]; anything else is a usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f">= {low}" if high is None else f"from {low} to {high:,}"
            raise argparse.ArgumentTypeError(f"must be {bound} (got {value})")
        return value

    return parse


def _fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if pct else f"{value:.3f}"


def cmd_profile(args: argparse.Namespace) -> int:
    from hybrid.evidence.profile import profile_files

    progress = _Progress(args.quiet or len(args.files) == 1)
    prof = profile_files(
        args.files,
        label=args.label,
        annotators=annotator_columns(args.annotators),
        source=args.source,
        text=args.text,
        slice=args.slice,
        progress=progress,
    )
    return show_profile(prof, args)


def show_profile(prof, args: argparse.Namespace) -> int:
    """Check, write (``-o``) and print a profile, however it was computed (locally or on Spark)."""
    from hybrid.evidence.profile import dataset_json, require_classes
    from hybrid.evidence.statsfile import write_stats

    if prof.roles.label and not args.shard:
        require_classes(prof, "profiling")
    if args.output:
        write_stats(prof, args.output)
    summary = prof.summary()
    dataset = None
    if not prof.roles.label or (prof.classes or 0) >= 2:
        dataset = dataset_json(prof)
    if args.json:
        print(json_dump({**summary, "dataset": dataset}))
        return 0
    print(f"{prof.name}: {prof.rows:,} rows")
    if prof.roles.label:
        imb = summary["imbalance"] or {}
        print(
            f"  label {prof.roles.label!r}: {prof.classes} classes, tail share "
            f"{_fmt(prof.tail_share)} ({len(prof.rare_classes)} rare classes), imbalance "
            f"{_fmt(imb.get('imbalance'), False)} (1 - normalized entropy)"
        )
    print(
        f"  duplicates: {_fmt(prof.duplicate_share)} exact"
        + (
            f", {_fmt(prof.near_duplicate_share)} near (text {prof.roles.text!r})"
            if prof.roles.text
            else ""
        )
    )
    if prof.roles.source:
        kinds = prof.source_kinds()
        print(
            f"  source {prof.roles.source!r}: {kinds['human']:,} human, {kinds['synthetic']:,} "
            f"synthetic ({_fmt(prof.synthetic_share)})"
        )
    agr = prof.agreement()
    if agr is not None:
        kappa = "n/a" if agr.kappa is None else f"{agr.kappa:.3f}"
        print(
            f"  agreement ({', '.join(prof.roles.annotators)}): {agr.method} kappa {kappa} "
            f"({agr.band or 'undefined'}), observed {_fmt(agr.observed)}"
        )
    if prof.roles.slice:
        top = ", ".join(
            f"{k} {v:,}" for k, v in sorted(prof.slice_counts.items(), key=lambda kv: -kv[1])[:8]
        )
        print(f"  slices ({prof.roles.slice!r}): {top}")
    print(f"  suggested edge-case level: {summary['suggested_edge_case_level']}")
    for w in summary["warnings"]:
        print(f"  warning: {w}")
    if args.output:
        print(f"  statistics written to {args.output}")
    return 0


def cmd_learning_curve(args: argparse.Namespace) -> int:
    from hybrid.evidence.learning_curve import learning_curve
    from hybrid.evidence.pilot import measure

    result = measure(
        learning_curve,
        input_path(args.file),
        args.label,
        text=args.text,
        metric=args.metric,
        cv=args.cv,
        max_rows=args.max_rows or None,
        seed=args.seed,
        name=args.file,
        progress=_Progress(args.quiet),
        source=args.source,
        find_source=args.source is None and not args.all_rows,
        model=args.model,
        n_jobs=args.threads,
    )
    data = result.to_dict()
    if args.json:
        print(json_dump(data))
        return 0
    print(f"{args.file}: {result.rows:,} rows, {result.classes} classes, {result.model}")
    if result.human_only:
        print(
            f"  trained on the {result.input_rows:,} rows that source column {result.source!r} "
            f"marks "
            "human (synthetic rows left out: the curve is the metric against human-labeled rows)"
        )
    for n, m in result.points:
        print(f"  n={n:>8,}  {result.metric} {m:.4f}")
    if data["params"]:
        p = data["params"]
        print(f"  fit: m(n) = {p['ceiling']:.4f} - {p['scale']:.4g} * n^-{p['exponent']:.4f}")
    if result.backtest_error is not None:
        bt = result.backtest
        print(
            f"  back-test: fitted on n <= {max(bt['fit_sizes']):,}, predicted "
            f"{bt['predicted']:.4f} at n={bt['at']:,}, measured {bt['observed']:.4f}, error "
            f"{result.backtest_error:.4f}"
        )
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def _base_scenario(path: str):
    """The BASE scenario of ``evidence --scenario``: its dataset block and learning curve may be
    left out, since the evidence measures both (``base_scenario``, as the Start page reads one)."""
    from hybrid.model.scenario import base_scenario, load_yaml_text, read_text_file

    return base_scenario(load_yaml_text(read_text_file(path), path), path)[0]


def cmd_synthetic_response(args: argparse.Namespace) -> int:
    """``evidence --scenario BASE``: measure, fit, and write BASE with the measured fields
    filled."""
    from hybrid.evidence.calibrate import calibrate
    from hybrid.model.policy import load_policy
    from hybrid.vocabulary import ratio

    base = _base_scenario(args.scenario)
    policy = load_policy(args.policy)
    calibration = calibrate(
        input_path(args.file),
        base,
        policy,
        label=args.label,
        source=args.source,
        text=args.text,
        annotators=annotator_columns(args.annotators),
        model=args.model,
        metric=args.metric,
        max_rows=args.max_rows or None,
        seed=args.seed,
        name=args.file,
        progress=_Progress(args.quiet),
        threads=args.threads,
    )
    result, scenario = calibration.result, calibration.scenario
    if args.output:
        from hybrid.atomic import write_text

        write_text(args.output, scenario.to_yaml())
    if args.json:
        print(
            json_dump(
                {
                    **result.to_dict(),
                    "scenario": scenario.model_dump(mode="json", exclude_none=True),
                }
            )
        )
        return 0
    print(
        f"{args.file}: {result.human_rows:,} human rows, {result.synthetic_rows:,} synthetic, "
        + (
            f"scored on the {result.test_rows:,} rows marked held out"
            if result.held_out
            else "each human row held out once"
        )
        + f" ({result.metric}, {result.model})"
    )
    print("  human rows alone: " + ", ".join(f"{n:,} → {m:.3f}" for n, m in result.human_points))
    for h in sorted({p[0] for p in result.augmentation_points}):
        row = [(s_, m) for hh, s_, m in result.augmentation_points if hh == h]
        print(f"  {h:,} human rows + synthetic: " + ", ".join(f"{s_:,} → {m:.3f}" for s_, m in row))
    fit = result.fit
    if fit is not None:
        se = result.errors
        spread = 10 ** se.get("log10_saturation", 0.0)
        worth = (
            f" (± {se['value']:.2f})"
            if "value" in se
            else " (first-pass labels on real inputs: fixed)"
        )
        if "log10_saturation" not in se:
            sat = " (the policy's)"
        elif spread > 100:
            sat = (
                " (this pilot does not pin it down: one standard error spans more than a "
                "hundredfold)"
            )
        else:
            sat = (
                f" (one standard error: {ratio(fit.saturation / spread)} to "
                f"{ratio(fit.saturation * spread)})"
            )
        loss = f" (± {100 * se['floor']:.1f})" if "floor" in se else ""
        print(
            f"  fit: a synthetic row is worth {fit.value:.2f} human rows before saturation{worth}; "
            f"saturation point about {ratio(fit.saturation)} synthetic rows per human row{sat}; "
            f"training on these rows alone would lose {100 * fit.floor:.1f} points to repeated "
            f"errors{loss}, growing with their share of the training rows to the power "
            f"{fit.floor_exponent:.2g}"
        )
    for note in result.notes:
        print(f"  note: {note}")
    if args.output:
        print(f"  wrote {args.output}: plan on it with  python -m hybrid recommend {args.output}")
    return 0


# How a size's score was turned into human rows (``exchange.equivalent_size``), in words.
_READ_AS = {
    "interpolated": "read off the human curve",
    "below_range": "below the human curve's smallest size, read toward a model with no data",
    "extrapolated": "past the human curve's largest size, from its fitted curve",
    "at_least": "at least: above the human curve's best score",
}


def cmd_evidence(args: argparse.Namespace) -> int:
    from hybrid.evidence.exchange import exchange_rate
    from hybrid.evidence.pilot import measure

    if args.scenario:
        return cmd_synthetic_response(args)
    if args.output:
        raise InputError("-o/--output: needs --scenario BASE.yaml, the scenario to fill in")
    for flag, given in (("--annotators", args.annotators), ("--policy", args.policy)):
        if given:
            # Only the synthetic response (--scenario) reads them; never ignore one unsaid.
            raise InputError(
                f"{flag}: needs --scenario BASE.yaml; the exchange rate does not use it"
            )

    result = measure(
        exchange_rate,
        input_path(args.file),
        args.label,
        args.source,
        text=args.text,
        model=args.model,
        metric=args.metric,
        max_rows=args.max_rows or None,
        seed=args.seed,
        name=args.file,
        progress=_Progress(args.quiet),
        n_jobs=args.threads,
    )
    data = result.to_dict()
    data["dataset"] = result.apply_to(None).model_dump(mode="json", exclude_none=True)
    if args.json:
        print(json_dump(data))
        return 0
    print(
        f"{args.file}: {result.human_rows:,} human rows, {result.synthetic_rows:,} synthetic, "
        f"scored on {result.test_rows:,} held-out human rows ({result.metric})"
    )
    for row in result.per_size:
        line = (
            f"  {row['synthetic_rows']:>7,} synthetic rows score {row['score']:.3f} = "
            f"{row['human_equivalent']:,.0f} human rows ({_READ_AS.get(row['how'], row['how'])})"
        )
        if "rare_score" in row:
            line += f"; rare classes {row['rare_score']:.3f} = {row['rare_human_equivalent']:,.0f}"
        print(line)
    if result.exchange_rate:
        print(
            f"  exchange rate: one synthetic row is worth {result.exchange_rate:.3f} human rows "
            f"({result.synthetic_per_human:.1f} synthetic rows per human row)"
        )
    if result.tail_coverage is not None:
        print(
            f"  rare classes: {_fmt(result.rare_exchange_rate, False)} human rows per synthetic "
            f"row; tail coverage {result.tail_coverage:.2f}"
        )
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "profile",
        help="profile datasets or merge statistics files",
        description="Profile CSV, Parquet, JSON Lines or Excel files, or merge statistics "
        "files from earlier runs (shards merge into the profile of the whole).",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="data files and/or statistics files")
    p.add_argument("--label", help="the label column (found by name if not given)")
    p.add_argument("--annotators", help="two or more annotator columns, comma-separated")
    p.add_argument("--source", help="column marking rows human or synthetic")
    p.add_argument("--text", help="the text column (for near-duplicates)")
    p.add_argument("--slice", help="column to count rows by (segment, language, ...)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("-o", "--output", help="write the statistics file (YAML, or JSON by name)")
    p.add_argument(
        "--shard",
        action="store_true",
        help="this is one shard of a larger dataset: allow a single class",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_profile)

    for name, func, helptext in (
        ("learning-curve", cmd_learning_curve, "measure the learning curve on a dataset"),
        ("evidence", cmd_evidence, "measure what synthetic rows add on top of human rows"),
    ):
        s = subparsers.add_parser(name, help=helptext, description=helptext)
        s.add_argument("file", metavar="FILE")
        s.add_argument("--label", required=True, help="the label column")
        if name == "evidence":
            s.add_argument(
                "--source", default="source", help="column marking rows human or synthetic"
            )
            s.add_argument(
                "--scenario",
                metavar="BASE.yaml",
                help="fit the synthetic response and fill this scenario's dataset and learning "
                "curve "
                "(its dataset block and learning curve may be left out)",
            )
            s.add_argument(
                "-o", "--output", metavar="OUT.yaml", help="write the filled-in scenario"
            )
            s.add_argument("--policy", help="policy YAML (default: data/policy.yaml)")
            s.add_argument("--annotators", help="two or more annotator columns, comma-separated")
        else:
            rows = s.add_mutually_exclusive_group()
            rows.add_argument(
                "--source",
                metavar="COL",
                help="column marking rows human or synthetic (found by name if not given); only "
                "the rows it marks human are trained on",
            )
            rows.add_argument(
                "--all-rows",
                action="store_true",
                help="count every row as human-labeled: no column is read as the source column "
                "(for a file whose rows are all human-labeled)",
            )
        s.add_argument("--text", help="the text column (found by name if not given)")
        s.add_argument(
            "--model",
            choices=("linear", "boosting"),
            help="the learner: linear (default for text) or gradient boosting (default for tables)",
        )
        s.add_argument(
            "--metric", choices=("accuracy", "balanced_accuracy", "macro_f1"), default="accuracy"
        )
        if name == "learning-curve":
            s.add_argument(
                "--cv", type=_whole(2, 100), default=3, help="cross-validation folds, 2-100 (3)"
            )
        s.add_argument(
            "--max-rows",
            type=_whole(0),
            default=200_000,
            help="sample larger files down (0: all)",
        )
        s.add_argument("--seed", type=_whole(0, MAX_SEED), default=0)
        s.add_argument(
            "--threads",
            type=_whole(1, MAX_THREADS),
            help=f"model fits run at once, one core each, 1-{MAX_THREADS} (default: the cores "
            "free when the measurement starts)",
        )
        s.add_argument("--json", action="store_true", help="print one JSON object")
        s.add_argument("--quiet", action="store_true", help="no progress on stderr")
        s.set_defaults(func=func)
