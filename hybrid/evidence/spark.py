"""Profiling on Spark: each partition's Arrow batches profiled in its worker by the project's own
scan (``profile_batches``, through ``mapInArrow``), the per-partition statistics documents merged
in stages (``treeReduce``) into the statistics file the command line writes for the same data.

Why the project's scan and not Spark SQL: the duplicate sketch hashes rows with DuckDB's
``hash()`` (``sketch.HASH_ID``); Spark's ``xxhash64`` gives other keys, so its sketch would not
merge with any other statistics file. Each partition's document is small (counts plus a sketch of
at most ``SKETCH_K`` entries, about 350 KB as JSON), and merging two costs one sort of 2k entries,
so a staged merge keeps the driver from receiving thousands of them (docs/scale.md).

Sources: a Parquet path or glob (read by Spark), a table name (``spark.table``), or an ``s3://``
URL: its objects are listed on the driver and each task reads its share with pyarrow's S3 client
(``hybrid.evidence.remote``), which needs no Hadoop S3 connector on the cluster.

PySpark is an optional extra (``requirements-spark.txt``), imported only when a Spark function
runs. ``spark-submit scripts/spark_profile.py`` is the entry point for a real cluster
(docs/scale.md).
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from hybrid.errors import InputError
from hybrid.evidence.roles import Roles
from hybrid.evidence.sketch import SKETCH_K
from hybrid.evidence.stats import Profile, merge_profiles

INSTALL_HINT = (
    "--engine spark: PySpark is not installed; install it with "
    "pip install -r requirements-spark.txt (it needs Java 17 or later)"
)
STATS_SCHEMA = "stats binary"
# treeReduce merges about partitions ** (1 / depth) profiles per task and on the driver; 64 keeps
# each merge task to a few seconds (a merge step takes about 50 ms: docs/scale.md).
MERGE_FAN_IN = 64


def merge_depth(partitions: int, fan_in: int = MERGE_FAN_IN) -> int:
    """The ``treeReduce`` depth that keeps each stage's fan-in at most ``fan_in`` (at least 2)."""
    depth = 2
    while math.ceil(partitions ** (1 / depth)) > fan_in:
        depth += 1
    return depth


def require_pyspark() -> None:
    """Refuse with one line saying how to install PySpark when it is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None


def spark_session(master: str | None = None, app_name: str = "hybrid-profile"):
    """A Spark session (the running one if there is one). In local mode the workers run this
    Python with this project importable; on a cluster ``spark-submit`` says where they run."""
    require_pyspark()
    from pyspark.sql import SparkSession

    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    if root not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = root + (os.pathsep + path if path else "")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    builder = builder.config("spark.ui.enabled", "false").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if master and master.startswith("local"):
        # Local mode listens on this machine only (the project's rule for servers).
        host = os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", host).config("spark.driver.bindAddress", host)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def document(prof: Profile) -> bytes:
    """A profile as its statistics document (JSON), what a worker sends back."""
    return json.dumps(prof.to_stats(), ensure_ascii=False).encode()


def from_document(doc: bytes, where: str = "partition statistics") -> Profile:
    from hybrid.evidence.statsfile import stats_to_profile

    return stats_to_profile(json.loads(doc), where)


def merge_two(a: Profile, b: Profile) -> Profile:
    """One step of the staged merge (associative: merge_profiles sums counts and merges sketches,
    so any tree gives the profile of the whole)."""
    return merge_profiles([a, b])


def batch_profiler(roles: Roles, sketch_k: int, name: str):
    """The ``mapInArrow`` function: one partition's batches in, one statistics document out
    (nothing for an empty partition)."""

    def run(batches: Iterator) -> Iterator:
        import pyarrow as pa

        from hybrid.evidence.batches import profile_batches

        items = [b for b in batches if b.num_rows]
        if not items:
            return
        prof = profile_batches(
            items, name=name, file_format="spark", roles=roles, sketch_k=sketch_k
        )
        yield pa.RecordBatch.from_pydict({"stats": [document(prof)]})

    return run


def object_profiler(endpoint: str | None, roles: Roles, sketch_k: int):
    """The ``mapInArrow`` function for object URLs: each task reads its objects from object
    storage (pyarrow's S3 client) and profiles them; one document per partition."""

    def run(batches: Iterator) -> Iterator:
        import pyarrow as pa

        from hybrid.evidence.profile import profile_file
        from hybrid.evidence.remote import filesystem, profile_object, use_endpoint

        done = []
        with use_endpoint(endpoint):
            fs = filesystem()
            for batch in batches:
                for url, size in zip(
                    batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
                ):
                    done.append(
                        profile_object(url, size, fs, profile_file, roles=roles, sketch_k=sketch_k)
                    )
        if done:
            yield pa.RecordBatch.from_pydict({"stats": [document(merge_profiles(done))]})

    return run


def profile_spark(
    source: str,
    *,
    spark=None,
    partitions: int | None = None,
    depth: int | None = None,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source_column: str | None = None,
    text: str | None = None,
    slice: str | None = None,
    sketch_k: int = SKETCH_K,
) -> Profile:
    """The profile of ``source`` computed on Spark: equal, input names aside, to
    ``profile_files`` on the same data (tests/test_spark.py).

    Column roles are found once, on the driver, from the first rows (as the command line finds
    them in a file's first rows) and given to every partition. ``partitions`` repartitions the
    data (or the object list) first; ``depth`` is ``treeReduce``'s (default ``merge_depth``).
    """
    from hybrid.evidence.batches import profile_batches
    from hybrid.evidence.remote import endpoint, expand, is_url
    from hybrid.evidence.scan import drop_unmarked_source

    spark = spark or spark_session()
    named = {
        "label": label,
        "annotators": annotators,
        "source": source_column,
        "text": text,
        "slice": slice,
    }
    if is_url(source):
        objects = expand(source)
        roles = _sample_roles_remote(objects, named)
        count = partitions or min(len(objects), spark.sparkContext.defaultParallelism)
        frame = spark.createDataFrame(objects, "url string, size long").repartition(count)
        docs = frame.mapInArrow(object_profiler(endpoint(), roles, sketch_k), STATS_SCHEMA)
        fmt = "s3"
    else:
        try:
            frame = spark.table(source) if _is_table_name(source) else spark.read.parquet(source)
        except Exception as exc:  # Spark raises AnalysisException (path or table not found)
            first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            raise InputError(f"{source}: Spark cannot read it ({first_line})") from None
        if partitions:
            frame = frame.repartition(partitions)
        sample = frame.limit(500).toArrow()
        if sample.num_rows == 0:
            raise InputError(f"{source}: no data rows")
        roles = profile_batches(sample, name=source, **named, sketch_k=sketch_k).roles
        docs = frame.mapInArrow(batch_profiler(roles, sketch_k, source), STATS_SCHEMA)
        fmt = "spark"
    rdd = docs.rdd.map(lambda row: from_document(bytes(row[0])))
    try:
        merged = rdd.treeReduce(merge_two, depth=depth or merge_depth(rdd.getNumPartitions()))
    except ValueError as exc:
        if "empty" in str(exc).lower():
            raise InputError(f"{source}: no data rows") from None
        raise
    except Exception as exc:
        raise _job_error(source, exc) from None
    # A merge of one document reads like the command line's merge of its files (pair counts and
    # the weighted agreement written out).
    merged = merge_profiles([merged])
    merged.inputs = [
        {
            "name": source,
            "format": fmt,
            "rows": merged.rows,
            "partitions": int(docs.rdd.getNumPartitions()),
        }
    ]
    return drop_unmarked_source(merged, source_named=source_column is not None)


def _sample_roles_remote(objects: list[tuple[str, int]], named: dict) -> Roles:
    """Roles from the first object, as the command line finds them in each file."""
    from hybrid.evidence.profile import profile_file
    from hybrid.evidence.remote import filesystem, profile_object

    return profile_object(*objects[0], filesystem(), profile_file, **named).roles


def _is_table_name(source: str) -> bool:
    """A table name (``db.table``) rather than a path: no slash and no file extension."""
    return (
        "/" not in source
        and not source.lower().endswith((".parquet", ".pq"))
        and not (Path(source).exists())
    )


def _job_error(source: str, exc: BaseException) -> InputError:
    """A worker's InputError comes back inside Spark's exception text: show its line alone."""
    text = str(exc)
    marker = "hybrid.errors.InputError: "
    if marker in text:
        line = text.split(marker, 1)[1].strip().splitlines()[0]
        return InputError(line)
    first = text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__
    return InputError(f"{source}: the Spark job failed ({first})")
