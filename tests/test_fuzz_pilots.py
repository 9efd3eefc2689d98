"""Fuzzing the evidence path and the statistics merge (issue 23). Whatever pilot frame or set of
shards comes in, two outcomes are allowed: one ``InputError`` line or a result; never another
exception, and the run stays under an address-space limit (tests/fuzz_helpers.py).

Pilot frames: few rows, few groups, one class, thousands of classes, constant and sparse columns,
blank categories, NaN and infinities, mixed types, nested values, long cells, odd source values.
Shards: random counts and settings, given in random order, some contradicting themselves, some
given twice. Example counts are small so the suite stays well under a minute.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybrid.errors import InputError
from hybrid.evidence.pilot import check_pilot, measure
from tests.fuzz_helpers import address_space_limit, fuzz_settings

QUICK = fuzz_settings(40)
TRAINED = fuzz_settings(8)


def _warm_up() -> None:
    """Load the learners and their thread pools before the limit: OpenBLAS and OpenMP reserve
    address space per thread when first used, which is not what this suite measures."""
    from hybrid.evidence.learning import learning_curve

    frame = pd.DataFrame({"label": ["a", "b"] * 30, "f": np.arange(60.0) % 7})
    learning_curve(frame, "label", cv=2, points=4, model="linear", n_jobs=1)
    learning_curve(frame, "label", cv=2, points=4, n_jobs=1)


@pytest.fixture(autouse=True, scope="module")
def memory_limit():
    """What the process uses now plus 1 GB of address space for the run."""
    _warm_up()
    with address_space_limit():
        yield


cells = st.one_of(
    st.none(),
    st.just(""),
    st.just("  "),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["x", "y", "z", "=cmd", "\x1b[2J", "\u202e", "caf\u00e9", "1e999", "nan"]),
    st.text(max_size=12),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
    st.lists(st.integers(0, 3), max_size=3),
    st.just("w " * 3000),
)
column_kinds = st.sampled_from(["constant", "sparse", "blank-category", "numeric", "mixed"])


@st.composite
def pilot_frames(draw, max_rows: int = 80):
    rows = draw(st.integers(1, max_rows))
    classes = draw(st.sampled_from([1, 2, 3, 7, rows, 3000]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    label = [f"c{v}" for v in rng.integers(0, max(1, min(classes, 10**6)), rows)]
    if draw(st.booleans()):
        label[0] = draw(cells)
    frame: dict[str, list] = {"label": label}
    for i in range(draw(st.integers(0, 4))):
        kind = draw(column_kinds)
        if kind == "constant":
            col = ["k"] * rows
        elif kind == "sparse":
            col = [float(v) if rng.random() < 0.05 else None for v in rng.normal(size=rows)]
        elif kind == "blank-category":
            col = [rng.choice(["p", "q", ""]) for _ in range(rows)]
        elif kind == "numeric":
            col = list(rng.choice([1.0, -2.5, math.inf, -math.inf, math.nan], rows))
        else:
            col = [draw(cells) for _ in range(min(rows, 6))]
            col = (col * (rows // max(1, len(col)) + 1))[:rows]
        frame[f"f{i}"] = col
    if draw(st.booleans()):
        frame["source"] = [
            draw(st.sampled_from(["human", "synthetic", None, "", "?", True]))
        ] * rows
    if draw(st.booleans()):
        frame["text"] = [draw(st.sampled_from(["a b", "c d e", "", None, "w " * 2000]))] * rows
    return pd.DataFrame(frame)


@QUICK
@given(pilot_frames(), st.integers(2, 5))
def test_check_pilot_gives_a_frame_or_one_line(frame, folds):
    try:
        pilot = check_pilot(frame, "label", folds=folds, name="pilot.csv")
    except InputError as exc:
        assert "pilot.csv" in str(exc) and "\n" not in str(exc)
        return
    assert isinstance(pilot.frame, pd.DataFrame) and all(isinstance(n, str) for n in pilot.notes)


@TRAINED
@given(pilot_frames(max_rows=60))
def test_learning_curve_on_any_pilot_is_a_result_or_one_line(frame):
    from hybrid.evidence.learning import learning_curve

    try:
        result = measure(
            learning_curve, frame, "label", cv=2, points=4, model="linear", n_jobs=1,
            name="pilot.csv",
        )  # fmt: skip
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert result.points


# --- statistics merges -----------------------------------------------------------------------


@st.composite
def shards(draw):
    count = draw(st.integers(1, 4))
    rare_factors = draw(st.sampled_from([[0.5], [0.5, 0.3]]))
    out = []
    for i in range(count):
        counts = draw(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 500), min_size=1))
        rows = sum(counts.values()) + draw(st.sampled_from([0, 0, 0, 1, -1, 10**9]))
        data = {
            "format": "hybrid-profile",
            "version": 1,
            "inputs": [{"name": f"shard{i}"}],
            "rows": max(0, rows),
            "settings": {"min_class_count": 5, "rare_factor": draw(st.sampled_from(rare_factors))},
            "label": {"column": "label", "missing": 0, "counts": counts},
        }
        if draw(st.booleans()):
            data["duplicates"] = {"duplicate_rows": draw(st.sampled_from([0, 3, 10**9]))}
        out.append(data)
    if draw(st.booleans()):
        out.append(dict(out[0]))  # the same shard twice
    return out


def _figures(profile) -> tuple:
    return (
        profile.rows,
        sorted(profile.class_counts.items()),
        profile.tail_share,
        profile.duplicate_share,
    )


@QUICK
@given(shards(), st.randoms(use_true_random=False))
def test_merges_are_independent_of_order_or_refused(shard_set, rnd):
    from hybrid.evidence.stats import merge_profiles
    from hybrid.evidence.statsfile import stats_to_profile

    try:
        profiles = [stats_to_profile(s, f"s{i}.stats.yaml") for i, s in enumerate(shard_set)]
        merged = merge_profiles(profiles)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    again = list(profiles)
    rnd.shuffle(again)
    assert _figures(merge_profiles(again)) == _figures(merged)
    assert merged.rows == sum(p.rows for p in profiles)
