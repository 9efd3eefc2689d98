"""Terminal tables whose columns never run together: each column is as wide as its widest cell
and two spaces separate columns, however large a number gets (a budget of 999,999,999,999 once
printed ``0$200,000,000,000$200,000,000,000`` under fixed widths)."""

from __future__ import annotations

from collections.abc import Sequence

GAP = "  "


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    left: int = 1,
    indent: str = "",
    text_last: bool = False,
) -> list[str]:
    """``headers`` and ``rows`` (cells already formatted) as lines: the first ``left`` columns
    left-aligned (names), the rest right-aligned (numbers), except the last when ``text_last``
    (free text such as a note or a reason, left-aligned)."""
    widths = [len(h) for h in headers]
    for r in rows:
        if len(r) != len(headers):
            raise ValueError(f"a row has {len(r)} cells for {len(headers)} columns")
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = [
            c.ljust(w) if i < left or (text_last and i == len(cells) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return (indent + GAP.join(out)).rstrip()

    return [line(headers)] + [line(r) for r in rows]
