"""User text made safe where it lands: terminals, HTML, Markdown, PDF, CSV and Excel.

- **Control characters** (C0 and C1 controls, DEL, and the Unicode bidirectional overrides and
  isolates that reorder what a reader sees: U+061C, U+200E/F, U+202A-E, U+2066-9) never reach a
  terminal or a document raw: ``shown`` replaces each with a visible escape such as ``\\u001b`` or
  ``\\u202e``, and ``has_controls`` lets an entry point refuse them.
- **Formula-leading cells** in every CSV or Excel file the project writes are neutralised as the
  OWASP "CSV Injection" guidance says: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of running
  it. Numbers are left alone (a negative number is a number, not a formula), and so is text that
  is one plain negative number (``-0.50``, ``-5%``, ``-1,200``), which a spreadsheet reads as that
  number;
  every other text cell is checked.

Pure: no Streamlit.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that move the cursor, ring the bell, start an escape sequence or reorder text.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The same plus tab and line breaks: none belongs in a name.
NAME_CONTROL_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# One plain negative number, with thousands separators, a decimal part, an exponent or a percent
# sign.
PLAIN_NUMBER_RE = re.compile(r"-\d[\d,]*(\.\d+)?([eE][-+]?\d+)?%?|-\.\d+([eE][-+]?\d+)?%?")


def file_stem(name: str) -> str:
    """A portable file stem for a scenario name: ASCII letters, digits, dots, underscores and
    dashes, at most 100 characters (the name itself travels inside the file).

    The one rule for every file named after a scenario (a library export, a report, a download),
    so one scenario's files carry one name.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")
    return (stem[:100].strip("-._")) or "scenario"


def has_controls(text: str) -> bool:
    """True when ``text`` holds a character no name may hold (see ``NAME_CONTROL_RE``)."""
    return bool(NAME_CONTROL_RE.search(text))


def _escape(m: re.Match[str]) -> str:
    c = m.group(0)
    return f"\\u{ord(c):04x}"  # a valid escape in JSON, Python and JavaScript strings alike


def shown(text: object) -> str:
    """``text`` with every control character, line break and bidi override written as a visible
    escape (``\\u001b``, ``\\u202e``), for a terminal line, a title or a heading."""
    return NAME_CONTROL_RE.sub(_escape, "" if text is None else str(text))


def terminal(text: object) -> str:
    """Text for a terminal: like ``shown`` but line breaks and tabs are kept (for multi-line
    output); every other control character and bidi override is written as a visible escape."""
    return CONTROL_RE.sub(_escape, "" if text is None else str(text))


# What json.dumps(ensure_ascii=False) writes raw but a reader of the file should see as an escape.
_JSON_RAW_RE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps``) with every DEL, C1 control, bidi control and line separator
    written as a ``\\uXXXX`` escape. Such characters can only stand inside JSON strings, where the
    escape is the same value to every JSON reader; an editor or terminal showing the file then
    shows the escape instead of text reordered or hidden. Other non-ASCII text stays as itself."""
    return _JSON_RAW_RE.sub(_escape, text)


def neutralise_cell(value: Any) -> Any:
    """A cell as a spreadsheet should get it: text that starts like a formula is prefixed with an
    apostrophe (OWASP CSV injection), and control characters and bidi overrides (ESC, BEL,
    U+202E) are written as visible escapes, as in the text, JSON and HTML outputs, so a CSV
    opened in a terminal or a spreadsheet cannot rewrite or reorder what is shown. Tabs and line
    breaks stay (CSV quotes them). Every other value is returned unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER_RE.fullmatch(value):
        value = "'" + value
    return CONTROL_RE.sub(_escape, value)


def neutralise_frame(frame):
    """A copy of a pandas DataFrame (or a dict of columns, or a list of row dicts) with every text
    cell and column name
    passed through ``neutralise_cell``; numbers and the index are untouched."""
    if isinstance(frame, dict):  # column -> list of values
        return {neutralise_cell(k): [neutralise_cell(v) for v in vs] for k, vs in frame.items()}
    if isinstance(frame, list):
        return [
            {neutralise_cell(k): neutralise_cell(v) for k, v in row.items()}
            if isinstance(row, dict)
            else row
            for row in frame
        ]
    out = frame.copy()
    out.columns = [neutralise_cell(c) for c in out.columns]
    for col in out.columns:
        series = out[col]
        if series.dtype == object or str(series.dtype).startswith(("string", "str")):
            out[col] = series.map(neutralise_cell)
    return out
