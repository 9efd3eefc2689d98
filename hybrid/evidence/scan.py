"""The scan: one streaming DuckDB pass per file with ``GROUPING SETS``, so a file is parsed once and
memory stays bounded by the number of groups, not rows.

``profile_input`` is the one way an opened input becomes a ``Profile`` (its column roles, the
scan, an unmarking source column let go), for a file (``profile.profile_file``) and for Arrow
data (``batches.profile_batches``) alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np

from hybrid.errors import InputError
from hybrid.evidence.limits import MAX_CELL_BYTES
from hybrid.evidence.readers import (
    ScanInput,
    duckdb_input_error,
    from_sql,
    latin1_or_refuse,
    sql_ident,
)
from hybrid.evidence.roles import Roles, detect_roles
from hybrid.evidence.sketch import DupSketch
from hybrid.evidence.stats import Profile

SAMPLE_FACTOR = 1.25


# OWASP "CSV Injection": spreadsheet programs evaluate a cell that starts with = + - @ (and tab
# or carriage return before them). A plain signed number ("-3", "+1.5") is not a formula.
FORMULA_RE = re.compile(r"^[\t\r ]*(=|@|[+\-](?![\d.\s]|$))")


def _as_text(expr: str, dtype: str) -> str:
    return expr if dtype == "VARCHAR" else f"CAST({expr} AS VARCHAR)"


@dataclass
class _Plan:
    """The one query of a scan, and where each statistic sits in its result."""

    inner: list[str]
    derived: list[str]
    sets: dict[str, list[str]]
    keys: list[str]
    other: list[str]
    aggs: list[str]
    # Per-column aggregates in a second, ungrouped pass (see WIDE_COLUMNS).
    column_aggs: list[str] = field(default_factory=list)


# Past this many columns with no role, their missing counts and cell sizes are taken in a second,
# ungrouped pass: in the grouped pass every aggregate is kept for every group of every grouping
# set, and 1,998 columns x 2,000 rows (8 MB) ran out of DuckDB's 512 MB (issue 23).
WIDE_COLUMNS = 200


def _plan(inp: ScanInput, roles: Roles, threshold: int | None) -> _Plan:
    """One ``GROUP BY GROUPING SETS`` over derived columns; every aggregate is ``count(*)``.

    Grouping sets (each a small hash table over one pass of the data):

    - ``main``: label, source and slice together (class counts, class x source, slices);
    - ``ann:i``: annotator i with a flag for complete rows and, for each later annotator, a flag
      for agreeing with it (marginals and pairwise agreement without a confusion table);
    - ``sketch``: text length, sampling key and row hash of the sampled rows (the rest fall into
      one group per length), giving text sizes, missing text and the duplicate sketch.

    Aggregates other than ``count(*)`` are evaluated for every grouping set, so they are used
    only for the columns that play no role (missing values and cell size).
    """
    cols, typ = inp.columns, inp.types
    q = {c: sql_ident(c) for c in cols}
    ann = list(roles.annotators)
    inner = [f"{_as_text(q[c], typ[c])} AS {sql_ident('__k_' + c)}" for c in roles.categorical()]
    row_hash = "hash(" + ", ".join(q[c] for c in cols) + ")"
    if len(ann) >= 2:
        # __na: how many annotator columns hold a value (NULL and '' are missing). Agreement is
        # measured on the rows with at least two annotations; rows nobody annotated (synthetic rows,
        # typically) and rows with one annotation have nothing to agree on.
        present = {a: f"coalesce({sql_ident('__k_' + a)}, '') <> ''" for a in ann}
        inner.append("(" + " + ".join(f"({present[a]})::INTEGER" for a in ann) + ") AS __na")
        for i in range(len(ann)):
            for j in range(i + 1, len(ann)):
                # NULL unless both hold a value, so "not NULL" also counts the pair's shared rows.
                inner.append(
                    f"CASE WHEN {present[ann[i]]} AND {present[ann[j]]} THEN "
                    f"{sql_ident('__k_' + ann[i])} = {sql_ident('__k_' + ann[j])} "
                    f"END AS __eq_{i}_{j}"
                )
    if roles.text:
        t = _as_text(q[roles.text], typ[roles.text])
        inner.append(f"strlen({t}) AS __tl")
        key = f"CASE WHEN coalesce({t}, '') <> '' THEN hash(lower({t})) ELSE {row_hash} END"
    else:
        key = row_hash
    inner.append(f"{key} AS __g")
    if threshold is None:
        derived = ["__g AS __gs", (f"{row_hash} AS __hs" if roles.text else "__g AS __hs")]
    else:
        cond = f"__g < {threshold}::UBIGINT"
        derived = [
            f"CASE WHEN {cond} THEN __g END AS __gs",
            f"CASE WHEN {cond} THEN {row_hash if roles.text else '__g'} END AS __hs",
        ]
    other = [c for c in cols if c not in roles.categorical() and c != roles.text]
    inner += [f"{q[c]} AS __o{i}" for i, c in enumerate(other)]

    sets: dict[str, list[str]] = {
        "main": [f"__k_{c}" for c in (roles.label, roles.source, roles.slice) if c]
    }
    for i, a in enumerate(ann):
        sets[f"ann:{i}"] = [f"__k_{a}", "__na"] + [f"__eq_{i}_{j}" for j in range(i + 1, len(ann))]
    sets["sketch"] = (["__tl"] if roles.text else []) + ["__gs", "__hs"]
    keys = list(dict.fromkeys(k for s in sets.values() for k in s))
    aggs = ["count(*) AS __n"]
    column_aggs: list[str] = []
    for i, c in enumerate(other):
        if typ[c] == "VARCHAR":
            column_aggs += [
                f"count(nullif(__o{i}, '')) AS __m{i}",
                f"max(strlen(__o{i})) AS __l{i}",
            ]
        else:
            column_aggs.append(f"count(__o{i}) AS __m{i}")
    if len(other) <= WIDE_COLUMNS:
        return _Plan(inner, derived, sets, keys, other, aggs + column_aggs)
    return _Plan(inner, derived, sets, keys, other, aggs, column_aggs)


def _column_pass(con, inp: ScanInput, plan: _Plan) -> _Part:
    """The per-column aggregates of a wide file, one row, one state per aggregate."""
    cols = ", ".join(f"{sql_ident(c)} AS __o{i}" for i, c in enumerate(plan.other))
    sql = f"SELECT {', '.join(plan.column_aggs)} FROM (SELECT {cols} FROM {from_sql(inp)})"
    try:
        return _fetch(con.execute(sql))
    except duckdb.Error as exc:
        raise duckdb_input_error(inp, exc) from None


def _scan_sql(plan: _Plan, src: str) -> str:
    def ref(k: str) -> str:
        return sql_ident(k) if k.startswith("__k_") else k

    keys = ", ".join(ref(k) for k in plan.keys)
    sets = ", ".join("(" + ", ".join(ref(k) for k in s) + ")" for s in plan.sets.values())
    body = (
        f"SELECT *, {', '.join(plan.derived)} FROM (SELECT *, {', '.join(plan.inner)} FROM {src})"
    )
    return (
        f"SELECT {keys}, GROUPING({keys}) AS __grp, {', '.join(plan.aggs)} FROM ({body}) "
        f"GROUP BY GROUPING SETS ({sets})"
    )


def _run_scan(con, inp: ScanInput, plan: _Plan) -> _Part:
    try:
        return _fetch(con.execute(_scan_sql(plan, from_sql(inp))))
    except duckdb.Error as exc:
        if inp.kind == "csv" and inp.encoding == "utf-8" and "nvalid unicode" in str(exc):
            inp.encoding = latin1_or_refuse(inp.path, inp.name)
            return _run_scan(con, inp, plan)
        raise duckdb_input_error(inp, exc) from None


class _Part:
    """Rows of a (small, grouped) query result, column by column: values and a null mask.

    Read with DuckDB's ``fetchnumpy()``, not through Arrow or pandas: on the command line those
    would cost more to import than the grouped result costs to read.
    """

    def __init__(self, data: dict[str, np.ndarray], null: dict[str, np.ndarray]):
        self.data = data
        self.null = null

    @property
    def num_rows(self) -> int:
        return len(self.data["__n"])

    def take(self, rows: np.ndarray) -> _Part:
        return _Part(
            {k: v[rows] for k, v in self.data.items()}, {k: v[rows] for k, v in self.null.items()}
        )

    def has(self, key: str) -> bool:
        return key in self.data

    def pylist(self, key: str) -> list:
        """The column as Python values, None where null."""
        return [
            None if m else v
            for v, m in zip(self.data[key].tolist(), self.null[key].tolist(), strict=False)
        ]

    def ints(self, key: str, fill: int = 0) -> np.ndarray:
        """An integer column as int64, nulls as ``fill``."""
        return np.where(self.null[key], fill, self.data[key]).astype(np.int64)

    def floats(self, key: str) -> np.ndarray:
        """A numeric column as floats, nulls as NaN."""
        return np.array([np.nan if v is None else float(v) for v in self.pylist(key)], dtype=float)


def _fetch(rel) -> _Part:
    data, null = {}, {}
    for name, arr in rel.fetchnumpy().items():
        # DuckDB returns a masked array for a column with nulls, a plain array otherwise.
        data[name] = np.ma.getdata(arr)
        null[name] = np.ma.getmaskarray(arr)
    return _Part(data, null)


class _Sets:
    """The rows of each grouping set of a scan result."""

    def __init__(self, result: _Part, plan: _Plan):
        self.plan = plan
        grp = result.data["__grp"]
        width = len(plan.keys)
        self.parts: dict[str, _Part] = {}
        for name, keys in plan.sets.items():
            mask = (1 << width) - 1
            for k in keys:
                mask &= ~(1 << (width - 1 - plan.keys.index(k)))
            self.parts[name] = result.take(np.flatnonzero(grp == mask))

    def values(self, name: str, key: str) -> list:
        return [None if v == "" else v for v in self.parts[name].pylist(key)]

    def counts(self, name: str) -> list[int]:
        return self.parts[name].pylist("__n")


def scan_input(con, inp: ScanInput, roles: Roles, k: int) -> Profile:
    """One pass over the file, then every statistic from the grouped result.

    Rows are sampled for the duplicate sketch by value (sampling key below a threshold), aiming at
    about ``1.25k`` distinct keys whatever the size of the file; a further pass with a higher
    threshold is needed only when heavy duplication leaves fewer than ``k`` distinct keys.
    """
    frac = min(1.0, SAMPLE_FACTOR * k / max(1, inp.est_rows))
    threshold = None if frac >= 1.0 else int(frac * 2.0**64)
    plan = _plan(inp, roles, threshold)
    sets = _Sets(_run_scan(con, inp, plan), plan)
    sketch = _sketch_of(sets.parts["sketch"], k)
    while threshold is not None and sketch.distinct_keys < k:
        frac = min(1.0, frac * max(2.0, 1.5 * k / max(sketch.distinct_keys, 1)))
        threshold = None if frac >= 1.0 else int(frac * 2.0**64)
        sketch = _sketch_of(_rescan_sketch(con, inp, _plan(inp, roles, threshold)), k)

    prof = Profile(roles=roles)
    counts = sets.counts("main")
    prof.rows = sum(counts)
    if prof.rows == 0:
        raise InputError(f"{inp.name}: no data rows, only a header")
    columns: dict[str, dict] = {}

    def note(col: str, vals: list, ns: list[int]) -> None:
        columns[col] = {
            "missing": sum(n for v, n in zip(vals, ns, strict=False) if v is None),
            "max_bytes": max((len(v.encode()) for v in vals if v is not None), default=None),
        }

    lab, src, slc = roles.label, roles.source, roles.slice
    main = {c: sets.values("main", f"__k_{c}") for c in (lab, src, slc) if c}
    for c, vals in main.items():
        note(c, vals, counts)
    for j, n in enumerate(counts):
        lv = main[lab][j] if lab else None
        sv = main[src][j] if src else None
        if lab:
            if lv is None:
                prof.label_missing += n
            else:
                prof.class_counts[lv] = prof.class_counts.get(lv, 0) + n
                if src:
                    d = prof.class_source_counts.setdefault(lv, {})
                    d[sv or ""] = d.get(sv or "", 0) + n
        if src:
            if sv is None:
                prof.source_missing += n
            else:
                prof.source_counts[sv] = prof.source_counts.get(sv, 0) + n
        if slc:
            cv = main[slc][j]
            if cv is None:
                prof.slice_missing += n
            else:
                prof.slice_counts[cv] = prof.slice_counts.get(cv, 0) + n

    ann = list(roles.annotators)
    seen_values: dict[str, set[str]] = {}
    for i, a in enumerate(ann):
        name = f"ann:{i}"
        vals = sets.values(name, f"__k_{a}")
        ns = sets.counts(name)
        note(a, vals, ns)
        seen_values[a] = {v for v in vals if v is not None}
        na = [int(x or 0) for x in sets.parts[name].pylist("__na")]
        marg: dict[str, int] = {}
        for v, n, m in zip(vals, ns, na, strict=False):
            if m >= 2 and v is not None and v != "":
                marg[v] = marg.get(v, 0) + n
        prof.annotator_counts[a] = marg
        if i == 0:
            # Every row shows up in annotator 0's groups, with or without its value.
            prof.annotator_rows = sum(n for n, m in zip(ns, na, strict=False) if m >= 2)
        for j in range(i + 1, len(ann)):
            eq = sets.parts[name].pylist(f"__eq_{i}_{j}")
            pair = (a, ann[j])
            prof.annotator_agree[pair] = sum(n for n, e in zip(ns, eq, strict=False) if e)
            prof.annotator_pair_rows[pair] = sum(
                n for n, e in zip(ns, eq, strict=False) if e is not None
            )
            # Krippendorff's coincidences weigh a row's agreeing pairs by 1 / (annotations - 1).
            prof.annotator_weighted_agree += sum(
                n / (m - 1) for n, e, m in zip(ns, eq, na, strict=False) if e
            )

    if roles.text:
        part = sets.parts["sketch"]
        ns = part.ints("__n")
        lengths = part.ints("__tl")
        has_text = lengths > 0
        prof.text_rows = int(ns[has_text].sum())
        prof.text_bytes = int((lengths * ns).sum())
        columns[roles.text] = {
            "missing": prof.rows - prof.text_rows,
            "max_bytes": int(lengths.max()) if has_text.any() else None,
        }
    wide = _column_pass(con, inp, plan) if plan.column_aggs else None
    for i, c in enumerate(plan.other):
        part = wide if wide is not None else sets.parts["main"]
        entry: dict = {"missing": prof.rows - int(np.nansum(part.floats(f"__m{i}")))}
        if inp.types[c] == "VARCHAR":
            longest = part.floats(f"__l{i}")
            entry["max_bytes"] = None if np.all(np.isnan(longest)) else int(np.nanmax(longest))
        columns[c] = entry
    prof.columns = {c: columns[c] for c in inp.columns if c in columns}
    for c, entry in prof.columns.items():
        if (entry.get("max_bytes") or 0) > MAX_CELL_BYTES:
            raise InputError(
                f"{inp.name}: column {c!r} has a cell of {entry['max_bytes'] / 1e6:.1f} MB; "
                f"cells over {MAX_CELL_BYTES / 1e6:g} MB are refused"
            )

    prof.sketch = sketch
    entry_in: dict = {"name": inp.name, "format": inp.kind, "rows": prof.rows}
    if inp.kind == "csv":
        entry_in["encoding"] = inp.encoding
        if inp.encoding != "utf-8":
            # said, not silent: every command decides the encoding the same way, from the whole
            # file (readers._detect_encoding)
            prof.notes.append(f"{inp.name}: read as {inp.encoding} text (it is not UTF-8)")
    prof.inputs = [entry_in]
    _check_formulas(inp.name, prof, seen_values)
    return prof


def profile_input(
    con,
    inp: ScanInput,
    *,
    sketch_k: int,
    roles: Roles | None = None,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
    text: str | None = None,
    slice: str | None = None,
) -> Profile:
    """The profile of an opened input, the one way a file (``profile.profile_file``) and Arrow
    data (``batches.profile_batches``) are profiled: its column roles (``roles`` when fixed, each
    checked to be a column; else the named ones, the rest found by ``detect_roles``), one scan
    (``scan_input``), and a source column found by name that marks too few rows let go
    (``drop_unmarked_source``)."""
    fixed = roles is not None
    if roles is not None:
        missing = [c for c in (*roles.categorical(), roles.text) if c and c not in inp.columns]
        if missing:
            raise InputError(f"{inp.name}: no column {missing[0]!r}")
    else:
        roles = detect_roles(
            inp.columns,
            inp.sample,
            file=inp.name,
            label=label,
            annotators=annotators,
            source=source,
            text=text,
            slice=slice,
        )
    prof = scan_input(con, inp, roles, sketch_k)
    return drop_unmarked_source(prof, source_named=source is not None or fixed)


def drop_unmarked_source(prof: Profile, *, source_named: bool) -> Profile:
    """A source column found by name that marks fewer than half the rows human or synthetic is
    not used as the source column (docs/profiling.md, "Column roles"); a note says so."""
    if source_named or not prof.roles.source:
        return prof
    kinds = prof.source_kinds()
    if kinds["human"] + kinds["synthetic"] < 0.5 * prof.rows:
        prof.notes.append(
            f"column {prof.roles.source!r} does not mark rows human or synthetic; "
            "not used as the source column"
        )
        prof.roles = Roles(
            prof.roles.label, prof.roles.annotators, None, prof.roles.text, prof.roles.slice
        )
        prof.source_counts, prof.source_missing, prof.class_source_counts = {}, 0, {}
    return prof


def _sketch_of(part: _Part, k: int) -> DupSketch:
    """The sketch from the sketch grouping set: rows with a sampling key, text when length > 0."""
    sampled = part.take(np.flatnonzero(~part.null["__gs"]))
    if sampled.has("__tl"):
        has_text = sampled.ints("__tl") > 0
    else:
        has_text = np.zeros(sampled.num_rows, dtype=bool)
    return DupSketch.build(
        sampled.data["__gs"], sampled.data["__hs"], has_text, sampled.data["__n"], k
    )


def _rescan_sketch(con, inp: ScanInput, plan: _Plan) -> _Part:
    """The sketch alone at a higher sampling threshold (heavily duplicated data only)."""
    cols = (["__tl"] if "__tl" in plan.keys else []) + ["__gs", "__hs"]
    body = (
        f"SELECT *, {', '.join(plan.derived)} FROM (SELECT *, {', '.join(plan.inner)} "
        f"FROM {from_sql(inp)})"
    )
    sql = (
        f"SELECT {', '.join(cols)}, count(*) AS __n FROM ({body}) WHERE __gs IS NOT NULL "
        f"GROUP BY {', '.join(cols)}"
    )
    try:
        return _fetch(con.execute(sql))
    except duckdb.Error as exc:
        raise duckdb_input_error(inp, exc) from None


def _check_formulas(name: str, prof: Profile, annotator_values: dict[str, set[str]]) -> None:
    """Refuse formula-looking values in the columns whose values are echoed into reports."""
    checks: list[tuple[str, Iterable[str]]] = []
    if prof.roles.label:
        checks.append((prof.roles.label, prof.class_counts))
    if prof.roles.source:
        checks.append((prof.roles.source, prof.source_counts))
    if prof.roles.slice:
        checks.append((prof.roles.slice, prof.slice_counts))
    checks += list(annotator_values.items())
    for col, values in checks:
        for v in values:
            if FORMULA_RE.match(v):
                raise InputError(
                    f"{name}: column {col!r} has a formula-looking value {v[:40]!r}; spreadsheet "
                    "programs run such cells when results are opened. Remove the leading "
                    "= + - @ or prefix the value with an apostrophe"
                )
