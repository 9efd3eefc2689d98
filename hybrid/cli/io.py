"""What several commands share at their edges: the ``--annotators`` list and strict JSON output.

Files are written with ``hybrid.atomic.write_text`` (whole or not at all).
"""

from __future__ import annotations

import json
import math

from hybrid.errors import InputError
from hybrid.safetext import json_text


def annotator_columns(value: str | None) -> list[str] | None:
    """``--annotators A,B``: two or more column names, or None when the flag is absent."""
    if value is None:
        return None
    cols = [c.strip() for c in value.split(",") if c.strip()]
    if len(cols) < 2:
        raise InputError(
            f"--annotators: name two or more columns separated by commas (got {value!r})"
        )
    return cols


def json_dump(obj: object) -> str:
    """Strict JSON: NaN and infinities become null, so any JSON parser reads the output; bidi
    controls in names from the data are written as escapes (safetext.json_text), in files too."""
    return json_text(json.dumps(_plain(obj), indent=2, ensure_ascii=False, allow_nan=False))


def _plain(value: object):
    """JSON-ready: numpy scalars as Python numbers, tuples as lists, non-finite floats as None."""
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else str(_plain(k))): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)
