"""Profiling Arrow data: record batches, a table or a (possibly remote) Arrow dataset, turned into
the same statistics document the local scan writes, duplicate sketch included.

This is the one entry for data that is not a local file: the object-storage reader streams a
remote Parquet object through it (``hybrid.evidence.remote``), each Spark partition runs it in its
worker (``hybrid.evidence.spark``), and a page's in-memory table goes through it. The statistics
are computed by the project's own DuckDB scan (``hybrid.evidence.scan``) over the Arrow data
registered on the connection, so the counts and the sketch's hashes are the ones a local file of the
same columns gives, and the documents merge exactly with ``merge_profiles`` (docs/profiling.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from hybrid.errors import InputError
from hybrid.evidence.readers import ScanInput, describe_input, duckdb_connection
from hybrid.evidence.roles import Roles
from hybrid.evidence.scan import profile_input
from hybrid.evidence.sketch import SKETCH_K
from hybrid.evidence.stats import Profile

ARROW_VIEW = "__hybrid_arrow"


def arrow_source(batches):
    """What DuckDB can scan more than once: a table or an Arrow dataset as given; record batches
    (a reader, a list, an iterator) collected into one table, which is one partition's worth."""
    import pyarrow as pa
    import pyarrow.dataset as pads

    if isinstance(batches, (pa.Table, pads.Dataset)):
        return batches
    if isinstance(batches, pa.RecordBatch):
        return pa.Table.from_batches([batches])
    if isinstance(batches, pa.RecordBatchReader):
        return batches.read_all()
    items = list(batches)
    if not items:
        raise InputError("no record batches to profile")
    return pa.Table.from_batches(items)


def _row_count(data) -> int:
    return int(data.num_rows if hasattr(data, "num_rows") else data.count_rows())


def profile_batches(
    batches: Iterable | object,
    *,
    name: str = "data",
    file_format: str = "arrow",
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
    text: str | None = None,
    slice: str | None = None,
    roles: Roles | None = None,
    sketch_k: int = SKETCH_K,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Profile:
    """Profile Arrow data into one ``Profile`` (its ``to_stats()`` is the statistics document).

    ``batches``: a ``pyarrow.Table``, a ``pyarrow.dataset.Dataset`` (streamed, e.g. Parquet on
    object storage), a ``RecordBatchReader`` or any iterable of ``RecordBatch``. ``name`` names
    the data in messages and in the document's ``inputs``; ``file_format`` is recorded there (a
    remote Parquet object says ``parquet``, as its local copy would). Column roles are found as for
    a file unless named; ``roles`` fixes all of them at once (a Spark job finds them once on the
    driver, so that every partition uses the same, "no text column" included).
    """
    data = arrow_source(batches)
    rows = _row_count(data)
    if rows == 0:
        raise InputError(f"{name}: no data rows")
    with duckdb_connection(memory_limit, threads) as con:
        con.register(ARROW_VIEW, data)
        try:
            inp = ScanInput(
                path=PurePosixPath(name), name=name, kind="arrow", view=ARROW_VIEW, est_rows=rows
            )
            describe_input(con, inp)
            prof = profile_input(
                con,
                inp,
                roles=roles,
                sketch_k=sketch_k,
                label=label,
                annotators=annotators,
                source=source,
                text=text,
                slice=slice,
            )
        finally:
            con.unregister(ARROW_VIEW)
    prof.inputs = [{**i, "format": file_format} for i in prof.inputs]
    return prof
