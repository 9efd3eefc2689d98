"""Statistics files: a profile written where the data lives (YAML or JSON) and read back; the
format is in docs/profiling.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from hybrid.errors import InputError
from hybrid.evidence.roles import Roles
from hybrid.evidence.sketch import DupSketch
from hybrid.evidence.stats import MIN_CLASS_COUNT, RARE_FACTOR, STATS_FORMAT, STATS_VERSION, Profile


def write_stats(profile: Profile, path: str | Path) -> None:
    """YAML by default; JSON when the name ends in .json. Written whole or not at all."""
    import yaml

    from hybrid.atomic import write_text

    p = Path(path)
    data = profile.to_stats()
    if p.suffix.lower() == ".json":
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
        )
    write_text(p, text)


def read_stats(path: str | Path, name: str | None = None) -> Profile:
    from hybrid import safeload

    shown = name or str(path)
    raw = safeload.read_bytes(path, safeload.MAX_STATS_BYTES, shown)
    if str(path).lower().endswith(".json"):
        data = safeload.load_json(raw, shown, max_bytes=safeload.MAX_STATS_BYTES)
    else:
        data = safeload.load_yaml(
            raw, shown, max_bytes=safeload.MAX_STATS_BYTES, max_nodes=MAX_STATS_VALUES
        )
    return stats_to_profile(data, shown)


# Values in one statistics file (YAML): each costs about 500 bytes while PyYAML composes the
# document, so this keeps reading one under about 500 MB (2.4 million classes took 2.4 GB).
MAX_STATS_VALUES = 1_000_000
# Distinct values in one count section (classes, source values, slices, annotator values). A
# label with more is an identifier; the scenario's ``Dataset.classes`` accepts up to a million.
MAX_STATS_CLASSES = 400_000


def _cap(value: int, field: str) -> int:
    from hybrid.model.scenario import MAX_COUNT

    if value > MAX_COUNT:
        raise InputError(f"{field}: {value:,} is more than the {MAX_COUNT:,} a count may be")
    return value


def _int(data: dict, key: str, where: str, default: int | None = None) -> int:
    v = data.get(key, default)
    if v is None and default is None and key not in data:
        raise InputError(f"{where}.{key}: required field is missing")
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise InputError(f"{where}.{key}: must be a whole number >= 0 (got {v!r})")
    return _cap(v, f"{where}.{key}")


def _counts(data: object, where: str) -> dict[str, int]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping of value -> count")
    if len(data) > MAX_STATS_CLASSES:
        raise InputError(
            f"{where}: {len(data):,} distinct values, more than the {MAX_STATS_CLASSES:,} a "
            "statistics file may list"
        )
    out: dict[str, int] = {}
    for key, v in data.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InputError(f"{where}.{key}: count must be a whole number >= 0 (got {v!r})")
        name = str(key)
        if name in out:
            # YAML keys 1 and '1' are two keys that read as one value name
            raise InputError(f"{where}: the value {name!r} is listed twice (as text and number?)")
        out[name] = _cap(v, f"{where}.{key}")
    return out


def _section(data: dict, key: str, where: str) -> dict | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise InputError(f"{where}.{key}: expected a mapping")
    return v


def stats_to_profile(data: object, where: str = "statistics") -> Profile:
    """Validate a statistics mapping (written by the profiler or by hand) into a Profile."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping at the top level")
    if data.get("format") != STATS_FORMAT:
        raise InputError(f"{where}.format: must be {STATS_FORMAT!r} (got {data.get('format')!r})")
    if data.get("version") != STATS_VERSION:
        raise InputError(f"{where}.version: must be {STATS_VERSION} (got {data.get('version')!r})")
    prof = Profile()
    prof.rows = _int(data, "rows", where)
    inputs = data.get("inputs") or [{"name": where}]
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise InputError(f"{where}.inputs: expected a list of mappings")
    prof.inputs = [dict(i) for i in inputs]
    cols = data.get("columns") or {}
    if not isinstance(cols, dict):
        raise InputError(f"{where}.columns: expected a mapping of column -> {{missing: n}}")
    for c, v in cols.items():
        if not isinstance(v, dict):
            raise InputError(f"{where}.columns.{c}: expected a mapping like {{missing: 0}}")
        entry = {"missing": _int(v, "missing", f"{where}.columns.{c}", 0)}
        if v.get("max_bytes") is not None:
            entry["max_bytes"] = _int(v, "max_bytes", f"{where}.columns.{c}")
        prof.columns[str(c)] = entry
    settings = _section(data, "settings", where) or {}
    prof.min_class_count = _int(settings, "min_class_count", f"{where}.settings", MIN_CLASS_COUNT)
    rf = settings.get("rare_factor", RARE_FACTOR)
    if not isinstance(rf, (int, float)) or not 0 < rf <= 1:
        raise InputError(f"{where}.settings.rare_factor: must be in (0, 1] (got {rf!r})")
    prof.rare_factor = float(rf)
    label = ann_cols = source = text = slice_ = None
    lab = _section(data, "label", where)
    if lab:
        label = _column_name(lab, f"{where}.label")
        prof.class_counts = _counts(lab.get("counts"), f"{where}.label.counts")
        prof.label_missing = _int(lab, "missing", f"{where}.label", 0)
        by_source = lab.get("by_source") or {}
        if not isinstance(by_source, dict):
            raise InputError(f"{where}.label.by_source: expected a mapping")
        prof.class_source_counts = {
            str(c): _counts(d, f"{where}.label.by_source.{c}") for c, d in by_source.items()
        }
    ann = _section(data, "annotators", where)
    if ann:
        aw = f"{where}.annotators"
        ann_cols = ann.get("columns")
        if not isinstance(ann_cols, list) or len(ann_cols) < 2:
            raise InputError(f"{aw}.columns: list two or more column names")
        ann_cols = [str(a) for a in ann_cols]
        prof.annotator_rows = _int(ann, "rows", aw)
        counts = ann.get("counts") or {}
        if not isinstance(counts, dict) or set(map(str, counts)) != set(ann_cols):
            raise InputError(f"{aw}.counts: give value counts for each of {', '.join(ann_cols)}")
        for a in ann_cols:
            prof.annotator_counts[a] = _counts(counts.get(a), f"{aw}.counts.{a}")
            # annotators.rows counts rows with two or more annotations; with three or more
            # annotators one of them may be missing on some of those rows.
            total = sum(prof.annotator_counts[a].values())
            if total > prof.annotator_rows or (len(ann_cols) == 2 and total != prof.annotator_rows):
                raise InputError(
                    f"{aw}.counts.{a}: adds up to {total}, "
                    f"but annotators.rows is {prof.annotator_rows}"
                )
        agreements = ann.get("agreements") or []
        if not isinstance(agreements, list):
            raise InputError(f"{aw}.agreements: expected a list of {{columns: [a, b], agree: n}}")
        for i, entry in enumerate(agreements):
            ew = f"{aw}.agreements[{i}]"
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("columns"), list)
                or len(entry["columns"]) != 2
            ):
                raise InputError(f"{ew}: expected {{columns: [a, b], agree: n}}")
            n = _int(entry, "agree", ew)
            shared = _int(entry, "rows", ew) if "rows" in entry else prof.annotator_rows
            if shared > prof.annotator_rows:
                raise InputError(f"{ew}.rows: {shared} is more than annotators.rows")
            if n > shared:
                raise InputError(f"{ew}.agree: {n} is more than the {shared} rows the pair shares")
            pair = (str(entry["columns"][0]), str(entry["columns"][1]))
            prof.annotator_agree[pair] = n
            prof.annotator_pair_rows[pair] = shared
        expected = [
            (ann_cols[i], ann_cols[j])
            for i in range(len(ann_cols))
            for j in range(i + 1, len(ann_cols))
        ]
        if sorted(prof.annotator_agree) != sorted(expected):
            raise InputError(
                f"{aw}.agreements: need one entry for each pair of {', '.join(ann_cols)} "
                f"({len(expected)}), got {len(prof.annotator_agree)}"
            )
        if any(n != prof.annotator_rows for n in prof.annotator_pair_rows.values()):
            w = ann.get("weighted_agree")
            top = float(sum(prof.annotator_agree.values()))
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= top:
                raise InputError(
                    f"{aw}.weighted_agree: a number from 0 to {top:g} is needed when some pairs "
                    f"share "
                    f"fewer than annotators.rows rows (got {w!r})"
                )
            prof.annotator_weighted_agree = float(w)
        else:
            prof.annotator_pair_rows = {}  # complete data
    src = _section(data, "source", where)
    if src:
        source = _column_name(src, f"{where}.source")
        prof.source_counts = _counts(src.get("counts"), f"{where}.source.counts")
        prof.source_missing = _int(src, "missing", f"{where}.source", 0)
    txt = _section(data, "text", where)
    if txt:
        text = _column_name(txt, f"{where}.text")
        prof.text_rows = _int(txt, "rows", f"{where}.text", 0)
        prof.text_bytes = _int(txt, "bytes", f"{where}.text", 0)
    slc = _section(data, "slice", where)
    if slc:
        slice_ = _column_name(slc, f"{where}.slice")
        prof.slice_counts = _counts(slc.get("counts"), f"{where}.slice.counts")
        prof.slice_missing = _int(slc, "missing", f"{where}.slice", 0)
    prof.roles = Roles(label, tuple(ann_cols or ()), source, text, slice_)
    dup = _section(data, "duplicates", where)
    if dup:
        prof.hash_id = str(dup.get("hash") or "")
        if dup.get("sketch") is not None:
            prof.sketch = DupSketch.from_dict(dup["sketch"], f"{where}.duplicates.sketch")
        if dup.get("duplicate_rows") is not None:
            prof.duplicate_rows_given = _int(dup, "duplicate_rows", f"{where}.duplicates")
        if dup.get("near_duplicate_rows") is not None:
            prof.near_duplicate_rows_given = _int(dup, "near_duplicate_rows", f"{where}.duplicates")
    notes = data.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise InputError(f"{where}.notes: expected a list of text notes")
    if len(notes) > MAX_NOTES or any(len(n) > MAX_NOTE_CHARS for n in notes):
        raise InputError(
            f"{where}.notes: at most {MAX_NOTES} notes of at most {MAX_NOTE_CHARS:,} characters"
        )
    prof.notes = list(notes)
    _check_names(prof, where)
    if ann:
        _check_agreement_possible(prof, f"{where}.annotators")
    for section, column, counts, missing in (
        ("label", label, prof.class_counts, prof.label_missing),
        ("source", source, prof.source_counts, prof.source_missing),
        ("slice", slice_, prof.slice_counts, prof.slice_missing),
    ):
        total = sum(counts.values()) + missing
        if column and total != prof.rows:
            raise InputError(
                f"{where}.{section}: counts plus missing add up to {total}, but rows is {prof.rows}"
            )
    _check_consistent(prof, where)
    return prof


def _check_consistent(prof: Profile, where: str) -> None:
    """Counts that cannot all be true of one file are refused (docs/profiling.md): a part larger
    than the whole, or per-source class counts that the class and source counts rule out."""
    rows = prof.rows
    for c, entry in prof.columns.items():
        if entry.get("missing", 0) > rows:
            raise InputError(
                f"{where}.columns.{c}.missing: {entry['missing']:,} empty cells in {rows:,} rows"
            )
    for field, value in (
        ("annotators.rows", prof.annotator_rows),
        ("text.rows", prof.text_rows),
        ("duplicates.duplicate_rows", prof.duplicate_rows_given),
    ):
        if value is not None and value > rows:
            raise InputError(f"{where}.{field}: {value:,} is more than the file's {rows:,} rows")
    near = prof.near_duplicate_rows_given
    if near is not None and near > max(prof.text_rows, 0 if prof.roles.text else rows):
        raise InputError(
            f"{where}.duplicates.near_duplicate_rows: {near:,} is more than the "
            f"{prof.text_rows:,} rows with text"
        )
    by_source_total: dict[str, int] = {}
    for c, d in prof.class_source_counts.items():
        if c not in prof.class_counts:
            raise InputError(f"{where}.label.by_source.{c}: {c!r} is not among label.counts")
        if sum(d.values()) > prof.class_counts[c]:
            raise InputError(
                f"{where}.label.by_source.{c}: adds up to {sum(d.values()):,}, more than the "
                f"{prof.class_counts[c]:,} rows label.counts gives it"
            )
        for s_value, n in d.items():
            by_source_total[s_value] = by_source_total.get(s_value, 0) + n
    if prof.roles.source:
        for s_value, n in by_source_total.items():
            # the profiler writes rows without a source under ""
            have = prof.source_missing if s_value == "" else prof.source_counts.get(s_value, 0)
            if n > have:
                raise InputError(
                    f"{where}.label.by_source: {n:,} rows with source {s_value!r}, more than "
                    f"the {have:,} source.counts gives it"
                )


# Notes are shown as written; a statistics file carries a handful.
MAX_NOTES = 200
MAX_NOTE_CHARS = 2000


def _check_names(prof: Profile, where: str) -> None:
    """Column, class, source and slice names are shown on pages, in reports and in CSV downloads:
    refuse control characters and formula-leading values, as for data files."""
    from hybrid.evidence.scan import FORMULA_RE
    from hybrid.safetext import has_controls

    groups: list[tuple[str, object]] = [
        ("columns", prof.columns),
        ("label.counts", prof.class_counts),
        ("source.counts", prof.source_counts),
        ("slice.counts", prof.slice_counts),
        (
            "roles",
            [
                c
                for c in (prof.roles.label, prof.roles.source, prof.roles.text, prof.roles.slice)
                if c
            ]
            + list(prof.roles.annotators),
        ),
    ]
    groups += [(f"annotators.counts.{a}", d) for a, d in prof.annotator_counts.items()]
    for section, names in groups:
        for n in names:
            if has_controls(n):
                raise InputError(f"{where}.{section}: {n!r} holds control characters")
            if FORMULA_RE.match(n):
                raise InputError(
                    f"{where}.{section}: {n[:40]!r} looks like a spreadsheet formula; remove the "
                    "leading = + - @ or prefix it with an apostrophe"
                )


def _check_agreement_possible(prof: Profile, where: str) -> None:
    """Two annotators can agree on a value at most min(count_a, count_b) times and must agree at
    least count_a + count_b - rows times; counts outside those bounds cannot come from any data."""
    rows = prof.annotator_rows
    complete = not prof.annotator_pair_rows
    for (a, b), n in prof.annotator_agree.items():
        ca, cb = prof.annotator_counts.get(a, {}), prof.annotator_counts.get(b, {})
        most = sum(min(v, cb.get(k, 0)) for k, v in ca.items())
        # With missing annotations the counts cover more rows than the pair shares: no lower bound.
        least = sum(max(0, v + cb.get(k, 0) - rows) for k, v in ca.items()) if complete else 0
        if not least <= n <= most:
            raise InputError(
                f"{where}.agreements: {a} and {b} agree on {n:,} rows, but their value counts "
                f"allow "
                f"only {least:,} to {most:,} agreeing rows; the counts contradict each other"
            )


def _column_name(section: dict, where: str) -> str:
    col = section.get("column")
    if not isinstance(col, str) or not col:
        raise InputError(f"{where}.column: name the column (a non-empty string)")
    return col
