"""Limits on what users may send: upload size, columns, cell and line lengths."""

from __future__ import annotations

import os

from hybrid.errors import InputError

MAX_UPLOAD_MB = 200
MAX_COLUMNS = 2000
MAX_CELL_BYTES = 1_000_000
MAX_CSV_LINE_BYTES = 4_000_000
# Excel is read whole into memory (openpyxl), unlike CSV, Parquet and JSON Lines, which DuckDB
# streams; so its rows and cells are capped, and a sheet past a cap is refused, never truncated.
MAX_EXCEL_ROWS = 500_000
MAX_EXCEL_CELLS = 5_000_000
# Declared uncompressed size of all workbook parts, and of the shared-strings table alone (read
# whole when the workbook opens).
MAX_XLSX_BYTES = 512 * 1024 * 1024
MAX_XLSX_STRINGS_BYTES = 64 * 1024 * 1024


def max_upload_mb() -> float:
    """The upload limit in MB: ``HYBRID_MAX_UPLOAD_MB`` if set to a positive number, else
    ``MAX_UPLOAD_MB``. Read on every call, so a deployment can change it without a restart."""
    raw = os.environ.get("HYBRID_MAX_UPLOAD_MB")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"HYBRID_MAX_UPLOAD_MB: not a number ({raw!r})") from None
        if value > 0:
            return value
    return float(MAX_UPLOAD_MB)


def check_upload_size(name: str, nbytes: int) -> None:
    """Refuse an upload over the limit before reading a byte of it."""
    limit = max_upload_mb()
    if nbytes > limit * 1024 * 1024:
        raise InputError(
            f"{name}: {nbytes / 1024 / 1024:.1f} MB is over the {limit:g} MB upload limit; "
            "profile it where it lives (python -m hybrid profile FILE -o stats.yaml) and upload "
            "the statistics file instead"
        )
