"""Dataset profiling: the facts the decision needs, from a file or from statistics about one.

A team brings a dataset (CSV, Parquet, JSON Lines, Excel) or a statistics file computed where the
data lives. Profiling turns either into counts: rows, class counts, annotator value counts and
agreement counts, source and slice counts, missing values, and a bottom-k sketch of row hashes for
duplicates. Every finished number
(tail share, kappa, duplicate share) is derived from those counts, so profiles of shards merge into
exactly the profile of the whole; that is what lets a profile be computed in a warehouse and
uploaded. The statistics file format and every definition are in ``docs/profiling.md``.

DuckDB does the scanning: one streaming pass per file with ``GROUPING SETS``, so a file is parsed
once and memory stays bounded by the number of groups, not rows.

This module is the entry point (``profile_file``, ``profile_files``, ``profile_frame``,
``read_table``, ``profile_to_dataset``); the parts live beside it, lowest first: ``limits`` (what
users may send), ``roles`` (which column is which), ``sketch`` (the duplicate sketch),
``agreement`` (kappa and alpha from counts), ``stats`` (the mergeable ``Profile``), ``readers``
(sniffing, encodings, Excel, the DuckDB connection), ``scan`` (the one DuckDB pass) and
``statsfile`` (statistics files written and read back).

Sources for the definitions: Cohen (1960) and Fleiss (1971) for kappa, Krippendorff (2004) for
alpha, Landis and Koch (1977) for the interpretation bands, Pielou (1966) for evenness, Bar-Yossef
et al. (2002) and Cohen and Kaplan (2007) for bottom-k sketches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from hybrid.errors import InputError
from hybrid.evidence.batches import profile_batches
from hybrid.evidence.readers import (
    check_file,
    classify_file,
    duckdb_connection,
    duckdb_input_error,
    from_sql,
    latin1_or_refuse,
    open_input,
    sql_ident,
)
from hybrid.evidence.remote import is_url, profile_url
from hybrid.evidence.roles import find_column
from hybrid.evidence.scan import profile_input
from hybrid.evidence.sketch import SKETCH_K
from hybrid.evidence.stats import Profile, merge_profiles
from hybrid.evidence.statsfile import read_stats

if TYPE_CHECKING:
    from hybrid.model.scenario import Dataset

RESERVOIR_DIRECT = 1_000_000  # read_table samples larger requests only after counting the rows


def profile_file(
    path: str | Path,
    *,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
    text: str | None = None,
    slice: str | None = None,
    name: str | None = None,
    sketch_k: int = SKETCH_K,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Profile:
    """Profile one data file (CSV, Parquet, JSON Lines, Excel) or load one statistics file; an
    ``s3://`` URL (a glob too) is read from object storage (``hybrid.evidence.remote``)."""
    if is_url(path):
        return merge_profiles(
            profile_url(
                str(path),
                profile_file,
                label=label,
                annotators=annotators,
                source=source,
                text=text,
                slice=slice,
                sketch_k=sketch_k,
                memory_limit=memory_limit,
                threads=threads,
            )
        )
    p = Path(path)
    shown = name or str(path)
    head = check_file(p, shown)
    kind = classify_file(p, shown, head)
    if kind == "stats":
        return read_stats(p, name=shown)
    with duckdb_connection(memory_limit, threads) as con:
        inp = open_input(con, p, shown, kind, head)
        return profile_input(
            con,
            inp,
            sketch_k=sketch_k,
            label=label,
            annotators=annotators,
            source=source,
            text=text,
            slice=slice,
        )


def profile_files(
    paths: Sequence[str | Path],
    *,
    progress: Callable[[float, str], None] | None = None,
    **options,
) -> Profile:
    """Profile several files (shards, or statistics files) and merge them into one profile."""
    if not paths:
        raise InputError("profile: give at least one file")
    profiles = []
    for i, path in enumerate(paths):
        if progress:
            progress(i / len(paths), f"profiling {path}")
        profiles.append(profile_file(path, **options))
    if progress:
        progress(1.0, "done")
    return merge_profiles(profiles)


def profile_frame(frame, *, name: str = "data", **options) -> Profile:
    """Profile an in-memory pandas DataFrame (a page's upload already parsed) as Arrow data,
    with the same scan as files (``profile_batches``)."""
    import pyarrow as pa

    mixed = [c for c in frame.columns if frame[c].dtype == object]
    if mixed:
        frame = frame.astype({c: "string" for c in mixed})
    frame = frame.rename(columns=str)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return profile_batches(table, name=name, file_format="table", **options)


def read_table(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    max_rows: int | None = None,
    seed: int = 0,
    name: str | None = None,
):
    """Load a data file as a pandas DataFrame, with the same checks as profiling.

    CSV columns come back as text (as profiled); the model code converts numeric-looking ones.

    With ``max_rows`` a larger file is reduced to a reproducible reservoir sample of that many
    rows, so model training on a huge file stays bounded in memory and time.
    """
    p = Path(path)
    shown = name or str(path)
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 0
    ):
        raise InputError(f"max_rows: must be a whole number >= 0 (got {max_rows!r})")
    head = check_file(p, shown)
    kind = classify_file(p, shown, head)
    if kind == "stats":
        raise InputError(f"{shown}: a statistics file has no rows to train on; give the data file")
    with duckdb_connection() as con:
        inp = open_input(con, p, shown, kind, head)
        wanted = list(inp.columns)
        if columns is not None:
            wanted = [find_column(inp.columns, c, "requested", shown) for c in columns]

        def fetch():
            sql = f"SELECT {', '.join(sql_ident(c) for c in wanted)} FROM {from_sql(inp)}"
            limit = max_rows
            if limit and limit > RESERVOIR_DIRECT:
                # DuckDB sizes the reservoir by the requested count: count first, and sample
                # only a file that is really larger.
                total = con.execute(f"SELECT count(*) FROM {from_sql(inp)}").fetchall()[0][0]
                limit = limit if total > limit else None
            if limit:
                sql = (
                    f"SELECT * FROM ({sql}) USING SAMPLE reservoir({int(limit)} ROWS) "
                    f"REPEATABLE ({int(seed)})"
                )
            # Through Arrow: DuckDB's fetchdf held the result, a column of Python strings and
            # their pandas copy at once (a 169 MB CSV of long texts peaked at 1.05 GB); Arrow
            # hands pandas its buffers (0.58 GB).
            return con.sql(sql).to_arrow_table().to_pandas()

        try:
            frame = fetch()
        except duckdb.Error as exc:
            if not (kind == "csv" and inp.encoding == "utf-8" and "nvalid unicode" in str(exc)):
                raise duckdb_input_error(inp, exc) from None
            inp.encoding = latin1_or_refuse(p, shown)
            try:
                frame = fetch()
            except duckdb.Error as exc2:
                raise duckdb_input_error(inp, exc2) from None
    if frame.empty:
        raise InputError(f"{shown}: no data rows, only a header")
    return frame


def require_classes(profile: Profile, what: str = "the decision") -> None:
    """Refuse what cannot make a classifier: no label column, or one class."""
    if not profile.roles.label:
        raise InputError(f"{profile.name}: no label column found; choose the label column")
    k = profile.classes or 0
    if k < 2:
        only = next(iter(profile.class_counts), None)
        detail = f" ({only!r})" if only is not None else ""
        raise InputError(
            f"{profile.name}: label column {profile.roles.label!r} has {k} class{detail}; "
            f"{what} needs at least two"
        )


def profile_to_dataset(profile: Profile) -> Dataset:
    """The Scenario's dataset section, filled from a profile.

    Rows count as human unless a source column marks them synthetic; annotator agreement is the
    observed pairwise agreement (the share of rater pairs that agree), kappa its chance-corrected
    form.
    """
    from hybrid.model.scenario import Dataset

    return Dataset(**_dataset_fields(profile))


def dataset_json(profile: Profile) -> dict:
    """``profile_to_dataset(profile).model_dump(mode="json", exclude_none=True)``, the dataset
    section as ``profile --json`` prints it.

    Built without the scenario schema (pydantic and its models cost a command-line run about as
    much as reading a 100 MB file) when every field is a plain number or text inside the
    ``Dataset`` model's ranges, which a profile's numbers always are; anything else goes through
    the model, so it is refused exactly as ``profile_to_dataset`` refuses it.
    ``tests/test_profile.py`` holds the two routes equal.
    """
    fields = _dataset_fields(profile)
    if all(_DATASET_FIELD_OK[k](v) for k, v in fields.items() if v is not None):
        return {
            k: (float(v) if k in _DATASET_FLOATS else v) for k, v in fields.items() if v is not None
        }
    return profile_to_dataset(profile).model_dump(mode="json", exclude_none=True)


def _dataset_fields(profile: Profile) -> dict:
    """The fields ``profile_to_dataset`` fills, in the model's field order."""
    if profile.roles.label:
        require_classes(profile)
    agr = profile.agreement()
    inputs = ", ".join(i.get("name", "?") for i in profile.inputs[:3])
    if len(profile.inputs) > 3:
        inputs += f" and {len(profile.inputs) - 3} more"
    desc = f"profile of {inputs}: {profile.rows:,} rows"
    if profile.classes:
        desc += f", {profile.classes} classes"
    return {
        "human_examples": profile.human_rows,
        "synthetic_examples": profile.synthetic_rows,
        "classes": profile.classes if profile.classes and profile.classes >= 2 else None,
        "tail_share": profile.tail_share,
        "annotator_agreement": agr.observed if agr and agr.rows else None,
        "kappa": max(-1.0, min(1.0, agr.kappa)) if agr and agr.kappa is not None else None,
        "source": desc[:500],
    }


def _whole_in(low: int, high: int) -> Callable[[object], bool]:
    return lambda v: type(v) is int and low <= v <= high


def _number_in(low: float, high: float) -> Callable[[object], bool]:
    return lambda v: (type(v) is int or isinstance(v, float)) and low <= v <= high


# The ranges of hybrid.model.scenario.Dataset for the fields a profile fills (Count, the classes
# bound, Fraction, the kappa bound, the source's max_length); a value outside them, or of another
# type, takes the model's route in dataset_json.
_DATASET_FIELD_OK: dict[str, Callable[[object], bool]] = {
    "human_examples": _whole_in(0, 10**12),
    "synthetic_examples": _whole_in(0, 10**12),
    "classes": _whole_in(2, 1_000_000),
    "tail_share": _number_in(0.0, 1.0),
    "annotator_agreement": _number_in(0.0, 1.0),
    "kappa": _number_in(-1.0, 1.0),
    "source": lambda v: type(v) is str and len(v) <= 500,
}
_DATASET_FLOATS = frozenset({"tail_share", "annotator_agreement", "kappa"})
