"""Reading files: content sniffing, encodings, delimiters, Excel, and the DuckDB connection and
views a scan reads from.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np

from hybrid.errors import InputError
from hybrid.evidence.limits import (
    MAX_CELL_BYTES,
    MAX_COLUMNS,
    MAX_CSV_LINE_BYTES,
    MAX_EXCEL_CELLS,
    MAX_EXCEL_ROWS,
    MAX_XLSX_BYTES,
    MAX_XLSX_STRINGS_BYTES,
)
from hybrid.evidence.stats import STATS_FORMAT

DEFAULT_MEMORY_LIMIT = os.environ.get("HYBRID_DUCKDB_MEMORY", "512MB")
DATA_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xlsx": "excel",
    ".xlsm": "excel",
}


@dataclass
class ScanInput:
    """A file (or a registered view) opened for the scan: how to read it (``from_sql``), its
    columns and types, a sample of its first rows, and an estimate of its rows."""

    path: Path
    name: str
    kind: str
    encoding: str = "utf-8"
    delimiter: str = ","
    columns: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    sample: dict[str, list] = field(default_factory=dict)
    est_rows: int = 0
    view: str | None = None


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """A column or view name quoted for DuckDB SQL, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


_LOCAL = threading.local()
_EXCEL_VIEW = "__hybrid_excel"


@contextmanager
def duckdb_connection(memory_limit: str | None = None, threads: int | None = None):
    """A DuckDB connection for this thread, kept between calls with the default settings.

    Opening and closing a connection costs about as much as profiling 50,000 rows, and a page
    profiles one upload after another on the same thread. Connections are not shared between
    threads (DuckDB connections are not thread-safe); other settings get a fresh one.
    """
    if memory_limit is None and threads is None:
        con = getattr(_LOCAL, "con", None)
        if con is None:
            con = _LOCAL.con = _new_connection(None, None)
        try:
            yield con
        finally:
            con.unregister(_EXCEL_VIEW)
        return
    con = _new_connection(memory_limit, threads)
    try:
        yield con
    finally:
        con.close()


def _new_connection(memory_limit: str | None, threads: int | None):
    config = {
        "memory_limit": memory_limit or DEFAULT_MEMORY_LIMIT,
        "preserve_insertion_order": False,
        "temp_directory": os.path.join(tempfile.gettempdir(), "hybrid-duckdb"),
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    # DuckDB's own progress bar writes to stdout, which must stay clean for --json.
    con.execute("SET enable_progress_bar = false")
    return con


def check_file(path: Path, name: str) -> bytes:
    """The first 64 KB of a file that exists and is not empty, or one message naming it."""
    if not path.exists():
        raise InputError(f"{name}: file not found")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, expected a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if not head:
        raise InputError(f"{name}: the file is empty")
    return head


def _content_kind(head: bytes) -> str:
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"%PDF"):
        return "pdf"
    sample = head[:8192]
    if b"\x00" in sample:
        return "binary"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    if controls > max(2, len(sample) // 100):
        return "binary"
    return "text"


_KIND_WORDS = {
    "parquet": "a Parquet file",
    "zip": "a zip archive (an .xlsx workbook?)",
    "ole": "a legacy Office file (.xls); save it as .xlsx or CSV",
    "utf32": "UTF-32 text; save it as UTF-8",
    "utf16": "UTF-16 text; save it as UTF-8",
    "gzip": "gzip-compressed; decompress it first",
    "pdf": "a PDF document",
    "binary": "binary data, not text",
}


def classify_file(path: Path, name: str, head: bytes) -> str:
    """The kind of a file (csv, parquet, jsonl, excel, or stats for a statistics file) from its
    extension checked against its content; a mismatch is refused by name."""
    ext = path.suffix.lower()
    content = _content_kind(head)
    kind = DATA_EXTENSIONS.get(ext)
    if kind is None:
        if ext in (".yaml", ".yml"):
            return "stats"
        allowed = ", ".join(sorted(set(DATA_EXTENSIONS) | {".yaml", ".yml"}))
        raise InputError(
            f"{name}: unsupported file type {ext or '(no extension)'!r}; expected one of {allowed}"
        )
    if kind == "parquet":
        if content != "parquet":
            raise InputError(
                f"{name}: the extension says Parquet but the content is "
                f"{_KIND_WORDS.get(content, 'text')}; check the file or its extension"
            )
        return "parquet"
    if kind == "excel":
        if content != "zip":
            raise InputError(
                f"{name}: the extension says Excel (.xlsx) but the content is "
                f"{_KIND_WORDS.get(content, 'text')}; check the file or its extension"
            )
        return "excel"
    if content != "text":
        raise InputError(
            f"{name}: the extension says {ext} text but the content is {_KIND_WORDS[content]}"
        )
    if ext == ".json":
        stripped = head.lstrip()
        if stripped.startswith(b"{") and b'"format"' in head and STATS_FORMAT.encode() in head:
            return "stats"
        if stripped.startswith(b"["):
            raise InputError(
                f"{name}: a JSON array; give one JSON object per line (JSON Lines, .jsonl)"
            )
    return kind


def _detect_encoding(path: Path, name: str, head: bytes) -> str:
    """UTF-8 if the head decodes; Latin-1 when the bad bytes are printable Latin-1 letters.

    Bytes 0x80-0x9F are control characters in Latin-1 and never appear in real Latin-1 text, so
    their presence means some other encoding (often Windows-1252), which is refused by name.
    """
    bad = _first_non_utf8(path)
    if bad is None:
        return "utf-8"
    return latin1_or_refuse(path, name, bad)


def _first_non_utf8(path: Path) -> int | None:
    """The offset of the first byte that is not UTF-8, reading the whole file (16 MB at a time),
    or None. The whole file, not its head: one stray byte after the first 64 KB decided Latin-1
    for one command and UTF-8 for another (issue 23), so the decision is the file's, made once."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


# A valid two- to four-byte UTF-8 sequence: in a file that is not all UTF-8, it means UTF-8 text
# with stray bytes (mixed encodings), not Latin-1, where such pairs are mojibake ("cafÃ©").
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def latin1_or_refuse(path: Path, name: str, bad: int | None = None) -> str:
    """Latin-1 when no byte is a C1 control and no UTF-8 sequence is in the file; otherwise one
    line naming the offset. ``bad`` is the first non-UTF-8 byte's offset, when known."""
    if bad is None:
        bad = _first_non_utf8(path)
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            m = _UTF8_MULTIBYTE.search(chunk)
            if m is not None:
                raise InputError(
                    f"{name}: mixed encodings: UTF-8 text (from offset {offset + m.start()}) with "
                    f"a byte that is not UTF-8 at offset {bad}; save the file as UTF-8"
                )
            arr = np.frombuffer(chunk, dtype=np.uint8)
            c1 = np.flatnonzero((arr >= 0x80) & (arr <= 0x9F))
            if len(c1):
                pos = offset + int(c1[0])
                raise InputError(
                    f"{name}: undecodable bytes: not UTF-8 and not Latin-1 text (byte "
                    f"0x{int(arr[c1[0]]):02X} at offset {pos}); save the file as UTF-8"
                )
            offset += len(chunk)
    return "latin-1"


def _sniff_delimiter(first_line: str, ext: str) -> str:
    if ext in (".tsv", ".tab"):
        return "\t"
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    in_quote = False
    for ch in first_line:
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unique_names(raw: list[str], name: str) -> list[str]:
    """The header's names; one named twice is refused (which is the label?), a blank one named
    by its position."""
    out: list[str] = []
    seen: set[str] = set()
    where: dict[str, int] = {}
    for i, n in enumerate(raw):
        if n.strip() and n.strip() in where:
            raise InputError(
                f"{name}: the header names column {n.strip()!r} twice (columns "
                f"{where[n.strip()] + 1} and {i + 1}); rename one so each column has its own name"
            )
        where[n.strip()] = i
        n = n.strip() or f"column{i}"
        base, k = n, 1
        while n in seen:
            n = f"{base}_{k}"
            k += 1
        seen.add(n)
        out.append(n)
    return out


def _open_csv(inp: ScanInput, head: bytes) -> None:
    ext = inp.path.suffix.lower()
    inp.encoding = _detect_encoding(inp.path, inp.name, head)
    text = head.decode(inp.encoding, errors="ignore").lstrip("\ufeff")
    newline = text.find("\n")
    if newline < 0 and "\r" in text:
        raise InputError(
            f"{inp.name}: lines end in a carriage return alone (classic Mac line endings); save "
            "the file with Windows or Unix line endings"
        )
    first = text if newline < 0 else text[:newline]
    if not first.strip():
        raise InputError(
            f"{inp.name}: the first line is empty; expected a header row of column names"
        )
    if len(first) >= len(text) and len(head) >= 1 << 16:
        longest = max(first.count(d) for d in ",;\t|") + 1
        if longest > MAX_COLUMNS:
            raise InputError(
                f"{inp.name}: about {longest} columns, more than the {MAX_COLUMNS} the profiler "
                "accepts; select the columns that matter first"
            )
    delim = _sniff_delimiter(first, ext)
    inp.delimiter = delim
    try:
        header = next(csv.reader([first], delimiter=delim))
    except (csv.Error, StopIteration):
        raise InputError(f"{inp.name}: cannot read the header row") from None
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"{inp.name}: {len(header)} columns, more than the {MAX_COLUMNS} the profiler accepts; "
            "select the columns that matter first"
        )
    inp.columns = _unique_names(header, inp.name)
    inp.types = {c: "VARCHAR" for c in inp.columns}
    body = text[newline + 1 :] if newline >= 0 else ""
    lines = body.splitlines()
    complete = lines[:-1] if len(head) >= 1 << 16 and lines else lines
    if not any(line.strip() for line in complete) and len(head) < 1 << 16:
        raise InputError(f"{inp.name}: no data rows, only a header")
    sample: dict[str, list] = {c: [] for c in inp.columns}
    try:
        for row in csv.reader(complete[:500], delimiter=delim):
            for c, v in zip(inp.columns, row, strict=False):
                sample[c].append(v)
    except csv.Error:
        pass
    inp.sample = sample
    mean_line = max(1.0, (len(head) - len(first)) / max(1, len(complete)))
    inp.est_rows = int(inp.path.stat().st_size / mean_line) + 1


def _csv_sql(inp: ScanInput) -> str:
    """The CSV reader with every dialect choice made here, so DuckDB does not sniff.

    Sniffing a sample can guess the dialect from rows that are not representative and turns a
    ragged row into an unhelpful "could not detect the dialect"; with the dialect fixed, DuckDB
    reports the line and the field counts. Every column is read as text: hashes and class names
    then do not depend on type guesses that differ between shards.
    """
    spec = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in inp.columns) + "}"
    enc = "" if inp.encoding == "utf-8" else f", encoding={_sql_str(inp.encoding)}"
    return (
        f"read_csv({_sql_str(str(inp.path))}, auto_detect=false, header=true, "
        f"delim={_sql_str(inp.delimiter)}, quote='\"', escape='\"', columns={spec}, "
        f"max_line_size={MAX_CSV_LINE_BYTES}{enc})"
    )


def from_sql(inp: ScanInput) -> str:
    """What a query reads the input from: DuckDB's reader for its kind, or its view."""
    if inp.kind == "csv":
        return _csv_sql(inp)
    if inp.kind == "parquet":
        return f"read_parquet({_sql_str(str(inp.path))})"
    if inp.kind == "jsonl":
        return (
            f"read_json({_sql_str(str(inp.path))}, format='newline_delimited', records='true', "
            # never a MAP: a different key on each line is a column each (refused past the
            # column cap by name), not DuckDB's "Binder Error ... non-record JSON"
            "maximum_object_size=64000000, map_inference_threshold=-1)"
        )
    assert inp.view is not None
    return sql_ident(inp.view)


def describe_input(con, inp: ScanInput) -> None:
    """Fill in the input's columns, their types and a sample of its first 500 rows."""
    try:
        rel = con.execute(f"DESCRIBE SELECT * FROM {from_sql(inp)}")
        desc = rel.fetchall()
    except duckdb.Error as exc:
        raise duckdb_input_error(inp, exc) from None
    if len(desc) > MAX_COLUMNS:
        raise InputError(
            f"{inp.name}: {len(desc)} columns, more than the {MAX_COLUMNS} the profiler accepts; "
            "select the columns that matter first"
        )
    inp.columns = [r[0] for r in desc]
    inp.types = {r[0]: str(r[1]) for r in desc}
    try:
        rows = con.execute(f"SELECT * FROM {from_sql(inp)} LIMIT 500").fetchall()
    except duckdb.Error as exc:
        raise duckdb_input_error(inp, exc) from None
    inp.sample = {c: [r[i] for r in rows] for i, c in enumerate(inp.columns)}


def _cell_to_str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path, name: str) -> tuple[list[str], list[list[str | None]]]:
    """The first worksheet as strings; formulas are refused because their values are unknown."""
    import openpyxl

    _check_xlsx_members(path, name)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        _count_sheet(wb, ws, name)
        # The sheet's stored dimension (<dimension ref="A1:C10"/>) is written by whatever made the
        # file and may be wrong; read-only openpyxl stops at it. Read every row instead.
        ws.reset_dimensions()
        rows_iter = ws.iter_rows()
        header_cells = next(rows_iter, None)
        if header_cells is None:
            raise InputError(f"{name}: the first worksheet is empty")
        header = [_cell_to_str(c.value) or "" for c in header_cells]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InputError(f"{name}: the first worksheet has no header row")
        if len(header) > MAX_COLUMNS:
            raise InputError(
                f"{name}: {len(header)} columns, more than the {MAX_COLUMNS} the profiler "
                "accepts; select the columns that matter first"
            )
        data: list[list[str | None]] = []
        width = len(header)
        for r, cells in enumerate(rows_iter, start=2):
            if r > MAX_EXCEL_ROWS + 1:
                raise InputError(
                    f"{name}: more than {MAX_EXCEL_ROWS:,} data rows in the first worksheet, the "
                    f"most "
                    "the profiler reads from Excel; save it as CSV or Parquet and profile that"
                )
            values: list[str | None] = []
            for c in cells[:width]:
                if getattr(c, "data_type", None) == "f":
                    ref = getattr(c, "coordinate", f"row {r}")
                    raise InputError(
                        f"{name}: cell {ref} holds a formula ({str(c.value)[:40]}); the profiler "
                        "reads values only: paste the sheet as values and save again"
                    )
                values.append(_cell_to_str(c.value))
            values += [None] * (width - len(values))
            if any(v is not None and v != "" for v in values):
                data.append(values)
    finally:
        wb.close()
    if not data:
        raise InputError(f"{name}: no data rows, only a header")
    return _unique_names(header, name), data


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?(row|c)[\s>/]")


def _check_xlsx_members(path: Path, name: str) -> None:
    """Refuse a workbook whose parts would inflate past the caps, before openpyxl inflates any.

    zipfile never inflates a member past its declared size, so declared sizes bound the output."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_BYTES:
        raise InputError(
            f"{name}: the workbook inflates to {total / 2**20:,.0f} MB, more than the "
            f"{MAX_XLSX_BYTES // 2**20} MB the profiler reads from Excel; save it as CSV or Parquet"
        )
    for i in infos:
        if (
            i.filename.lower().endswith("sharedstrings.xml")
            and i.file_size > MAX_XLSX_STRINGS_BYTES
        ):
            raise InputError(
                f"{name}: its shared strings inflate to {i.file_size / 2**20:,.0f} MB, more than "
                f"{MAX_XLSX_STRINGS_BYTES // 2**20} MB; save it as CSV or Parquet"
            )


def _count_sheet(wb, ws, name: str) -> None:
    """Count the sheet's rows and cells from its XML (a fast streaming scan, no parsing), and
    refuse past MAX_EXCEL_ROWS or MAX_EXCEL_CELLS before any row is read: never a truncation."""
    sheet_path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if sheet_path is None or archive is None:  # another openpyxl layout: rows are counted as read
        return
    counts = {b"row": 0, b"c": 0}
    tail = b""
    try:
        with archive.open(sheet_path) as fh:
            while chunk := fh.read(1 << 20):
                buf = tail + chunk
                cut = max(
                    0, len(buf) - 64
                )  # a tag starting past here may be cut; counted next time
                for m in _SHEET_TAG.finditer(buf, 0, len(buf)):
                    if m.start() >= cut:
                        break
                    counts[m.group(1)] += 1
                tail = buf[cut:]
                if counts[b"row"] > MAX_EXCEL_ROWS + 1 or counts[b"c"] > MAX_EXCEL_CELLS:
                    tail = b""
                    break
        for m in _SHEET_TAG.finditer(tail):
            counts[m.group(1)] += 1
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise InputError(f"{name}: the first worksheet cannot be read ({exc})") from None
    rows, cells = counts[b"row"], counts[b"c"]
    if rows > MAX_EXCEL_ROWS + 1:
        raise InputError(
            f"{name}: more than {MAX_EXCEL_ROWS:,} data rows in the first worksheet, the most the "
            "profiler reads from Excel; save it as CSV or Parquet (no row cap) and profile that"
        )
    if cells > MAX_EXCEL_CELLS:
        raise InputError(
            f"{name}: more than {MAX_EXCEL_CELLS:,} cells in the first worksheet, the most the "
            "profiler reads from Excel; save it as CSV or Parquet and profile that"
        )


def open_input(con, path: Path, name: str, kind: str, head: bytes) -> ScanInput:
    """A checked file of ``kind`` opened for the scan: encoding and delimiter sniffed (CSV), the
    first worksheet read into a view (Excel), rows counted or estimated, columns described."""
    inp = ScanInput(path=path, name=name, kind=kind)
    if kind == "csv":
        _open_csv(inp, head)
        return inp
    if kind == "excel":
        import pandas as pd

        columns, data = _read_excel(path, name)
        frame = pd.DataFrame(data, columns=columns, dtype=object)
        inp.view = _EXCEL_VIEW
        con.register(inp.view, frame)
        inp.est_rows = len(frame)
    elif kind == "parquet":
        try:
            inp.est_rows = int(
                con.execute(f"SELECT count(*) FROM {from_sql(inp)}").fetchall()[0][0]
            )
        except duckdb.Error as exc:
            raise duckdb_input_error(inp, exc) from None
    else:
        inp.encoding = _detect_encoding(path, name, head)
        if inp.encoding != "utf-8":
            raise InputError(f"{name}: JSON Lines must be UTF-8 text")
        inp.est_rows = int(path.stat().st_size / max(1, len(head) / max(1, head.count(b"\n")))) + 1
    describe_input(con, inp)
    return inp


def _first_bad_json_line(inp: ScanInput) -> str | None:
    """The first line of a JSON Lines file that is not one JSON object, found by reading it line by
    line (DuckDB reports the line where it noticed, which can be the one after)."""
    import json

    try:
        with inp.path.open("rb") as fh:
            for n, raw in enumerate(fh, start=1):
                if len(raw) > 64_000_000:
                    return f"line {n} is longer than 64 MB"
                if not raw.strip():
                    continue
                try:
                    value = json.loads(raw)
                except (ValueError, RecursionError) as exc:
                    why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                    return f"not valid JSON Lines at line {n} ({why})"
                if not isinstance(value, dict):
                    kind = "an array" if isinstance(value, list) else "not an object"
                    return f"line {n} is {kind}; JSON Lines needs one JSON object per line"
    except OSError:
        return None
    return None


_LINE_RE = re.compile(r"on Line: (\d+)|in line (\d+)")


def duckdb_input_error(inp: ScanInput, exc: Exception) -> InputError:
    """Turn a DuckDB reader error into one line that names the file and the problem."""
    msg = str(exc)
    if inp.kind == "jsonl" and ("JSON" in msg or "record" in msg):
        found = _first_bad_json_line(inp)
        if found:
            return InputError(f"{inp.name}: {found}")
    m = _LINE_RE.search(msg)
    line = next((g for g in m.groups() if g), None) if m else None
    at = f"line {line}" if line else "a line"
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", msg)
    if cols:
        return InputError(
            f"{inp.name}: ragged rows: {at} has {cols.group(2)} fields, the header has "
            f"{cols.group(1)}"
        )
    if "unterminated quote" in msg:
        return InputError(
            f'{inp.name}: {at} has an unterminated quote (a " inside a field must be doubled)'
        )
    if "Maximum line size" in msg:
        return InputError(
            f"{inp.name}: {at} is longer than {MAX_CSV_LINE_BYTES / 1e6:g} MB; cells over "
            f"{MAX_CELL_BYTES / 1e6:g} MB are refused"
        )
    if "Invalid unicode" in msg or "not utf-8" in msg.lower():
        return InputError(f"{inp.name}: undecodable bytes near {at}: the file is not UTF-8 text")
    if "sniffing" in msg or "detect the CSV" in msg:
        return InputError(
            f"{inp.name}: cannot parse as delimited text (rows do not split into the same "
            "columns); check the delimiter and quoting"
        )
    if "Malformed JSON" in msg or "JSON" in msg and "parse" in msg.lower():
        return InputError(f"{inp.name}: not valid JSON Lines at {at}")
    if "Parquet" in msg or "parquet" in msg:
        return InputError(f"{inp.name}: not a readable Parquet file")
    if "Out of Memory" in msg or "memory" in msg.lower() and "limit" in msg.lower():
        return InputError(
            f"{inp.name}: ran out of the profiler's memory ({DEFAULT_MEMORY_LIMIT}); set "
            "HYBRID_DUCKDB_MEMORY higher"
        )
    first = msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
    return InputError(f"{inp.name}: cannot be read ({first[:200]})")
