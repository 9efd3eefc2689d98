"""The evidence edge: a pilot file checked and made typed before any model sees it.

A pilot is the messiest file a team has, and the learners (``learning``) trust their input. Here
every rule profiling follows is applied to the rows a learning curve, an exchange rate or a
synthetic response trains on, and where an answer exists it is given instead of a refusal:

- blank cells of a category column are the category ``(blank)`` (merged cells in a sheet, empty
  answers in a form); nullable booleans are read as true, false and missing;
- nested values (a JSON object in JSON Lines, a Parquet list, struct or map) become their JSON
  text, as profiling reads them; a nested label is refused by name;
- a column that repeats the label (a copy under another name; a header naming a column twice
  is refused when read) is left out, since the model would read the answer from it; a constant
  column is left out; a sparse numeric column (filled on fewer than ``SPARSE_SHARE`` of its rows)
  keeps its values and marks the rest below them, so every training subset has values to split on;
- a class with fewer rows than folds leaves the folds, counted in a note;
- a cell over ``limits.MAX_CELL_BYTES`` is refused as profiling refuses it; texts are cut for the
  model to a share of ``MAX_TEXT_CHARS`` (said in a note; the profile counts whole texts);
- the memory a measurement needs (rows x classes for the learners, classes x hash width for text)
  is estimated before it starts, and past ``memory_budget_mb()`` refused with the rows that fit.

Every refusal is an ``InputError`` naming the file and the column. ``measure`` runs a learner
function on the checked frame and turns whatever the libraries still raise into one such line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hybrid.errors import InputError
from hybrid.evidence.limits import MAX_CELL_BYTES

# Classes a measurement accepts at most: beyond the memory estimate, every fit and every score is
# per class, and a label with thousands of classes is most often an identifier or free text.
MAX_PILOT_CLASSES = 2_000
# Characters of text hashed for the model, over all rows: the tokeniser holds every word of every
# text at once, about 60 bytes a word, so 32 million characters stay well under 1 GB.
MAX_TEXT_CHARS = 32_000_000
# One text is cut to at most this many characters for the model (and to less on many rows).
MAX_TEXT_CELL_CHARS = 10_000
# A numeric column filled on fewer than this share of its rows is sparse (see the module doc).
SPARSE_SHARE = 0.8
# The memory a measurement may use, in MB (``HYBRID_EVIDENCE_MEMORY_MB`` lifts it).
EVIDENCE_MEMORY_MB = 512
BLANK = "(blank)"
_NESTED = (dict, list, tuple, set, np.ndarray)


def memory_budget_mb() -> float:
    """``HYBRID_EVIDENCE_MEMORY_MB`` if set to a positive number, else ``EVIDENCE_MEMORY_MB``."""
    raw = os.environ.get("HYBRID_EVIDENCE_MEMORY_MB")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"HYBRID_EVIDENCE_MEMORY_MB: not a number ({raw!r})") from None
        if value > 0:
            return value
    return float(EVIDENCE_MEMORY_MB)


@dataclass
class Pilot:
    """The checked frame, what was done to it, and the facts the estimate was made from."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    name: str = "data"
    text: str | None = None
    classes: int = 0


def _nested_text(value) -> str:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, set):
        value = sorted(map(str, value))
    return json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)


def _cell_text(value) -> str | None:
    """One cell as text, or None when missing: numbers as written, nested values as JSON, bytes
    decoded (a binary cell never shows up as ``b'...'``)."""
    if value is None:
        return None
    if isinstance(value, _NESTED):
        return _nested_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lengths(s: pd.Series) -> pd.Series:
    """Characters per cell (0 when missing), computed on the column's own buffers for a string
    column: a Python string per cell would copy every text once more."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.str.len().fillna(0).astype("int64")
    return s.map(lambda v: len(v) if isinstance(v, str) else 0)


def _short(s: pd.Series, limit: int = 2000) -> list:
    """The first 300 cells for role detection, texts cut to ``limit`` characters (300 texts of
    900 KB were 270 MB of sample)."""
    head = s.head(300)
    if isinstance(head.dtype, pd.StringDtype):
        head = head.str.slice(0, limit)
    return [v[:limit] if isinstance(v, str) else v for v in head.tolist()]


def _is_nested(s: pd.Series) -> bool:
    if s.dtype != object:
        return False
    return bool(s.map(lambda v: isinstance(v, _NESTED)).any())


def _as_text(s: pd.Series) -> pd.Series:
    """An object column of one kind: str or None."""
    return pd.Series([_cell_text(v) for v in s.to_numpy()], index=s.index, dtype=object)


def _check_cells(s: pd.Series, column: str, name: str) -> None:
    """Refuse a cell over MAX_CELL_BYTES, as profiling does (DuckDB's line cap plus this)."""
    lengths = _lengths(s)
    if not len(lengths) or int(lengths.max()) * 4 <= MAX_CELL_BYTES:
        return
    for v in s.to_numpy():
        if isinstance(v, str) and len(v) * 4 > MAX_CELL_BYTES:
            size = len(v.encode("utf-8", errors="replace"))
            if size > MAX_CELL_BYTES:
                raise InputError(
                    f"{name}: column {column!r} has a cell of {size:,} bytes, more than the "
                    f"{MAX_CELL_BYTES:,} a cell may hold"
                )


def _repeats(other: pd.Series, y_text: pd.Series, labeled: pd.Series) -> bool:
    """True when ``other`` holds the label's value on every labeled row (first 50 rows checked
    first, so a wide file costs nothing)."""
    head = labeled.head(50)
    if not other.head(50)[head].astype(str).str.strip().equals(y_text.head(50)[head].str.strip()):
        return False
    return other[labeled].astype(str).str.strip().equals(y_text[labeled].str.strip())


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def estimate_bytes(kind: str, learner: str, rows: int, classes: int) -> int:
    """The peak memory one fit needs, from the sizes only (measured with ``ru_maxrss``):

    - text: the linear SVM's weights, one row of ``text_features(classes)`` per class in float64,
      twice over (weights and their average), plus a score per test row and class;
    - tabular: gradient boosting keeps raw scores, gradients and hessians per row and class
      (float64 + 2 x float32), logistic regression about as much; with a copy during fitting.
    """
    from hybrid.evidence.learning import text_features

    k = max(classes, 2)
    if kind == "text":
        return 16 * k * text_features(k) + 8 * rows * k
    return 32 * rows * k


def check_pilot(
    frame: pd.DataFrame,
    label: str,
    *,
    text: str | None = None,
    source: str | None = None,
    model: str | None = None,
    folds: int = 3,
    name: str = "data",
) -> Pilot:
    """The pilot made safe for the learners, or an ``InputError`` naming the file and column.

    ``folds`` is the number of cross-validation folds the measurement makes (a class needs a row
    in each). Columns the learners would leave out anyway (identifiers) are left alone here.
    """
    from hybrid.evidence.learning import MIN_ROWS, check_learner, numeric_values
    from hybrid.evidence.roles import detect_roles

    notes: list[str] = []
    frame = frame.rename(columns=str)
    if frame.columns.duplicated().any():
        dup = str(frame.columns[frame.columns.duplicated()][0])
        raise InputError(f"{name}: column {dup!r} appears twice in the header; rename one")
    if label not in frame.columns:
        return Pilot(frame, notes, name)  # the learner names the missing column
    frame = frame.copy(deep=False)  # columns are replaced, never written into
    for c in frame.columns:
        s = frame[c]
        if isinstance(s.dtype, pd.BooleanDtype):
            frame[c] = (
                s.astype(object)
                .where(s.notna(), None)
                .map(lambda v: None if v is None else ("true" if v else "false"))
            )
        elif s.dtype == object:
            if c == label and _is_nested(s):
                raise InputError(
                    f"{name}: label column {label!r} holds lists or objects; a label is one value"
                )
            kinds = {type(v) for v in s.to_numpy()[:2000]} - {str, type(None)}
            if kinds or _is_nested(s):
                frame[c] = _as_text(s)
            _check_cells(frame[c], c, name)
        elif isinstance(s.dtype, pd.StringDtype):
            _check_cells(s, c, name)
    y = frame[label]
    labeled = y.notna() & (y.astype(str).str.strip() != "")
    y_text = y.astype(str)
    # A column equal to the label on every labeled row reads the answer (a duplicated header).
    for c in list(frame.columns):
        if c == label or c == source:
            continue
        if not _repeats(frame[c], y_text, labeled):
            continue
        frame = frame.drop(columns=c)
        notes.append(
            f"column {c!r} left out: it repeats the label column {label!r} on every row (a "
            "duplicated header?); the model would read the answer from it"
        )
    if int(labeled.sum()) < MIN_ROWS:
        return Pilot(frame, notes, name)  # the learner says how many rows it needs
    counts = y_text.loc[labeled].value_counts()
    small = counts[counts < folds]
    if len(small) and len(counts) - len(small) >= 2:
        drop = labeled & y_text.isin(set(small.index))
        frame = frame.loc[~drop].reset_index(drop=True)
        notes.append(
            f"{_plural(len(small), 'class')} with fewer than {folds} rows "
            f"({_plural(int(drop.sum()), 'row')}) left out of the folds: each fold needs a row "
            "of every class"
        )
        counts = counts[counts >= folds]
    elif len(small) and len(counts) >= 2:
        raise InputError(
            f"{name}: label column {label!r}: {len(small):,} of its {len(counts):,} classes have "
            f"fewer than {folds} rows (one per fold), leaving fewer than two to learn; is it an "
            "identifier?"
        )
    classes = len(counts)
    if classes > MAX_PILOT_CLASSES:
        raise InputError(
            f"{name}: label column {label!r} has {classes:,} classes, more than the "
            f"{MAX_PILOT_CLASSES:,} a measurement accepts; merge rare classes into one first"
        )
    sample = {c: _short(frame[c]) for c in frame.columns}
    roles = detect_roles(list(frame.columns), sample, file=name, label=label, text=text)
    kind = "text" if roles.text else "tabular"
    try:
        learner = check_learner(model, kind)
    except InputError:
        learner = model or "linear"
    rows = int(counts.sum())
    if kind == "text":
        frame, cut_notes = _cut_texts(frame, roles.text, name)
        notes += cut_notes
    else:
        frame, col_notes = _tabular_columns(frame, label, source, roles, numeric_values)
        notes += col_notes
    _check_memory(kind, learner, rows, classes, label, name)
    metadata = {label, source, roles.source, roles.slice, *roles.annotators} - {None}
    _check_distinct(frame, metadata, roles.text, folds, name, min_rows=MIN_ROWS)
    return Pilot(frame, notes, name, roles.text, classes)


def _cut_texts(frame: pd.DataFrame, column: str, name: str) -> tuple[pd.DataFrame, list[str]]:
    s = frame[column]
    rows = max(1, len(s))
    limit = int(min(MAX_TEXT_CELL_CHARS, max(100, MAX_TEXT_CHARS // rows)))
    long = _lengths(s) > limit
    if not long.any():
        return frame, []
    if isinstance(s.dtype, pd.StringDtype):
        frame[column] = s.str.slice(0, limit)
    else:
        frame[column] = s.map(lambda v: v[:limit] if isinstance(v, str) else v)
    return frame, [
        f"{_plural(int(long.sum()), 'text')} in column {column!r} cut to their first "
        f"{limit:,} characters for the model (at most {MAX_TEXT_CHARS:,} characters are hashed "
        "over all rows); the profile counts whole texts"
    ]


def _tabular_columns(frame, label, source, roles, numeric_values) -> tuple[pd.DataFrame, list]:
    notes: list[str] = []
    blanks: list[str] = []
    metadata = {label, source, roles.source, roles.slice, *roles.annotators} - {None}
    for c in list(frame.columns):
        if c in metadata:
            continue
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            continue
        try:
            nums = numeric_values(s)
        except (TypeError, ValueError):
            nums = None
        if nums is not None:
            filled = nums.notna()
            distinct = nums[filled].nunique()
            if distinct == 0:
                frame = frame.drop(columns=c)
                notes.append(f"column {c!r} left out: no values (every cell empty or infinite)")
            elif distinct == 1 and filled.all():
                frame = frame.drop(columns=c)
                notes.append(f"column {c!r} left out: the same value on every row")
            elif filled.mean() < SPARSE_SHARE:
                low = float(nums[filled].min())
                span = float(nums[filled].max()) - low
                frame[c] = nums.fillna(low - 1.0 - span)
                notes.append(
                    f"column {c!r} is filled on {filled.mean():.0%} of rows: its empty cells are "
                    "read as a value below every filled one"
                )
            else:
                # Handed on as numbers: the learner's own reading then takes them as they are
                # instead of parsing every cell of the column a second time.
                frame[c] = nums
            continue
        text = s.astype("string")
        empty = text.isna() | (text.str.strip() == "")
        if empty.all():
            frame = frame.drop(columns=c)
            notes.append(f"column {c!r} left out: every cell empty")
            continue
        if text[~empty].nunique() == 1 and not empty.any():
            frame = frame.drop(columns=c)
            notes.append(f"column {c!r} left out: the same value on every row")
            continue
        if empty.any():
            blanks.append(f"{c!r} ({int(empty.sum()):,})")
            frame[c] = pd.Series(
                [BLANK if e else str(v) for v, e in zip(text, empty, strict=True)],
                index=frame.index,
                dtype=object,
            )
    if blanks:
        notes.append(
            f"blank cells read as the category '{BLANK}' in column "
            + ", ".join(blanks[:10])
            + (f" and {len(blanks) - 10} more" if len(blanks) > 10 else "")
        )
    return frame, notes


def _check_memory(kind: str, learner: str, rows: int, classes: int, label: str, name: str):
    budget = memory_budget_mb() * 2**20
    need = estimate_bytes(kind, learner, rows, classes)
    if need <= budget:
        return
    fit = 0
    if kind != "text" or 16 * max(classes, 2) * 2**14 < budget:
        fixed = estimate_bytes(kind, learner, 0, classes)
        per_row = max(1, estimate_bytes(kind, learner, 1, classes) - fixed)
        fit = int((budget - fixed) // per_row)
    rows_hint = (
        f"use at most {fit:,} rows (--max-rows {fit} on the command line) or merge rare classes"
        if fit >= 100
        else "merge rare classes into one"
    )
    raise InputError(
        f"{name}: {rows:,} rows x {classes:,} classes of label column {label!r} need about "
        f"{need / 2**20:,.0f} MB to measure, more than the {memory_budget_mb():,.0f} MB a "
        f"measurement may use; {rows_hint}, or raise HYBRID_EVIDENCE_MEMORY_MB"
    )


def _check_distinct(frame, metadata: set, text, folds, name, *, min_rows: int) -> None:
    """Cross-validation keeps identical rows on one side of every split, so it needs at least
    ``folds`` different rows; refuse fewer by name instead of sklearn's "number of groups"."""
    if len(frame) < min_rows:
        return  # the learner says how many rows it needs
    if text:
        distinct = frame[text].fillna("").astype(str).str.lower().str.split().str.join(" ")
        count = distinct.nunique()
        what = f"different {'text' if count == 1 else 'texts'} in column {text!r}"
    else:
        cols = [c for c in frame.columns if c not in metadata]
        usable = [c for c in cols if frame[c].nunique(dropna=False) < len(frame)]
        if not usable:
            return
        count = pd.util.hash_pandas_object(frame[usable], index=False).nunique()
        what = "different rows once identical features are merged"
    if count < folds:
        raise InputError(
            f"{name}: only {count} {what}; {folds} cross-validation folds need at least "
            f"{folds}, since identical rows always stay on one side of a split"
        )


def measure(fn: Callable, data, label: str, *args, **kwargs):
    """``fn(data, label, *args, **kwargs)`` (``learning_curve``, ``exchange_rate`` or
    ``synthetic_response``) on the checked pilot, with the pilot's notes first in the result's.

    A path is read with the profiler's checks and sampled to ``max_rows`` first. Whatever the
    learning libraries still raise on a file (a ValueError, TypeError or MemoryError) becomes one
    ``InputError`` naming the file, never a traceback.
    """
    from hybrid.evidence.learning import MAX_ROWS, Cancelled
    from hybrid.evidence.profile import read_table

    name = kwargs.get("name") or (data if isinstance(data, str) else str(data))
    kwargs["name"] = name
    if not isinstance(data, pd.DataFrame):
        max_rows = kwargs.get("max_rows", MAX_ROWS)
        data = read_table(Path(data), max_rows=max_rows, seed=kwargs.get("seed", 0), name=name)
    source = kwargs.get("source", args[0] if args else None)
    folds = kwargs.get("cv", 3)
    try:
        pilot = check_pilot(
            data,
            label,
            text=kwargs.get("text"),
            source=source,
            model=kwargs.get("model"),
            folds=folds,
            name=name,
        )
        result = fn(pilot.frame, label, *args, **kwargs)
    except (InputError, Cancelled):
        raise
    except MemoryError:
        raise InputError(
            f"{name}: not enough memory to measure on this file; sample fewer rows (--max-rows "
            "on the command line) or raise the machine's memory"
        ) from None
    except (ValueError, TypeError, ArithmeticError, IndexError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise InputError(f"{name}: the model cannot be trained on this file ({first})") from None
    notes = getattr(result, "notes", None)
    if isinstance(notes, list):
        notes[:0] = [n for n in pilot.notes if n not in notes]
    return result
