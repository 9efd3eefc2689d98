"""``profile_batches``: Arrow data of any shape (a table, batches, a reader, an Arrow dataset)
gives the statistics document the local scan gives for the same rows, sketch included, and
documents of parts merge into the document of the whole."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from hybrid.errors import InputError
from hybrid.evidence.batches import profile_batches
from hybrid.evidence.profile import profile_file, profile_files, profile_frame
from hybrid.evidence.roles import Roles
from hybrid.evidence.stats import merge_profiles
from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"


def _doc(prof) -> dict:
    data = prof.to_stats()
    data.pop("generator", None)
    data.pop("inputs", None)
    return data


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    path = tmp_path_factory.mktemp("batches") / "tickets.parquet"
    pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).to_parquet(path, index=False)
    return path


def test_every_arrow_shape_equals_the_file(parquet):
    expected = _doc(profile_file(parquet))
    table = pq.read_table(parquet)
    shapes = {
        "table": table,
        "batches": table.to_batches(max_chunksize=300),
        "iterator": iter(table.to_batches(max_chunksize=700)),
        "reader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
        "dataset": pads.dataset(parquet),
        "one batch": table.combine_chunks().to_batches()[0],
    }
    for shape, data in shapes.items():
        assert _doc(profile_batches(data, name=shape)) == expected, shape


def test_parts_merge_into_the_whole(parquet):
    table = pq.read_table(parquet)
    parts = [profile_batches(table.slice(i, 300), name=f"p{i}") for i in range(0, 2000, 300)]
    assert _doc(merge_profiles(parts)) == _doc(profile_files([parquet]))


def test_the_document_names_the_input_and_its_format(parquet):
    prof = profile_batches(pq.read_table(parquet), name="s3://b/x.parquet", file_format="parquet")
    assert prof.inputs == [{"name": "s3://b/x.parquet", "format": "parquet", "rows": 2000}]


def test_fixed_roles_are_used_as_given_even_without_a_text_column(parquet):
    table = pq.read_table(parquet)
    roles = Roles(label="label", annotators=(), source="source", text=None, slice="channel")
    prof = profile_batches(table, roles=roles)
    assert prof.roles == roles
    with pytest.raises(InputError, match="no column 'nope'"):
        profile_batches(table, roles=Roles(label="nope"))


def test_empty_data_is_refused_by_name():
    empty = pa.table({"label": pa.array([], pa.string())})
    with pytest.raises(InputError, match="shard-9: no data rows"):
        profile_batches(empty, name="shard-9")
    with pytest.raises(InputError, match="no record batches"):
        profile_batches([], name="x")


def test_a_frame_goes_through_the_same_scan(parquet):
    frame = pd.read_parquet(parquet)
    assert _doc(profile_frame(frame)) == _doc(profile_file(parquet))
