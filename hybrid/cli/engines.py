"""Command-line options for where data lives and what computes on it: ``--endpoint`` on every
command that reads data (S3-compatible stores), ``--engine spark`` and its options on ``profile``.
"""

from __future__ import annotations

import argparse
import sys
import time

from hybrid.cli.arguments import whole
from hybrid.errors import InputError

DATA_COMMANDS = ("profile", "learning-curve", "evidence", "workplan", "report")


def add_engine_arguments(subparsers) -> None:
    """``--endpoint`` on the commands that read data files; the engine options on ``profile``."""
    for name in DATA_COMMANDS:
        parser = subparsers.choices.get(name)
        if parser is None:
            continue
        parser.add_argument(
            "--endpoint",
            metavar="URL",
            help="S3-compatible store for s3:// URLs, e.g. http://127.0.0.1:9000 for MinIO "
            "(default: AWS_ENDPOINT_URL, else Amazon S3); credentials as the AWS tools read them",
        )
    profile = subparsers.choices["profile"]
    profile.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local (default) or spark: profile each Spark partition and merge (one SOURCE: a "
        "Parquet path or glob, an s3:// URL or a table name)",
    )
    profile.add_argument(
        "--partitions",
        type=whole(1, 1_000_000),
        help="with --engine spark: repartition into N partitions",
    )
    profile.add_argument(
        "--spark-master",
        default="local[*]",
        help="with --engine spark: the Spark master (default local[*]; empty under spark-submit)",
    )
    local_profile = profile.get_default("func")
    profile.set_defaults(func=lambda args: _profile(args, local_profile))


def _profile(args: argparse.Namespace, local_profile) -> int:
    if args.engine != "spark":
        if args.partitions:
            raise InputError("--partitions: only with --engine spark")
        return local_profile(args)
    return cmd_profile_spark(args)


def cmd_profile_spark(args: argparse.Namespace) -> int:
    """``profile --engine spark SOURCE``: the statistics computed on Spark, shown and written as
    the local profile's are."""
    from hybrid.cli.data import show_profile
    from hybrid.cli.io import annotator_columns
    from hybrid.evidence.spark import profile_spark, require_pyspark, spark_session

    require_pyspark()
    if len(args.files) != 1:
        raise InputError("--engine spark: give one source (a path or glob, a URL or a table)")
    quiet = args.quiet
    started = time.monotonic()
    spark = spark_session(args.spark_master or None)
    if not quiet:
        print(f"Spark session ready ({time.monotonic() - started:.1f}s)", file=sys.stderr)
    work = time.monotonic()
    prof = profile_spark(
        args.files[0],
        spark=spark,
        partitions=args.partitions,
        label=args.label,
        annotators=annotator_columns(args.annotators),
        source_column=args.source,
        text=args.text,
        slice=args.slice,
    )
    if not quiet:
        parts = prof.inputs[0].get("partitions")
        print(f"profiled on {parts} partitions ({time.monotonic() - work:.1f}s)", file=sys.stderr)
    return show_profile(prof, args)
