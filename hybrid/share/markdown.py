"""Markdown that user text cannot break: ``md_escape`` for every user string in a Markdown report
or table cell, ``MdRaw`` for markup that is already safe. A module of its own so that the report
renderers and the work plan's Markdown share it without importing each other."""

from __future__ import annotations

import re
from typing import Any

from hybrid.safetext import shown


class MdRaw(str):
    """Markdown that is already safe (our own markup or a fenced block): not escaped again."""


_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=])")
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def md_escape(value: Any) -> str:
    """Make user text inert inside Markdown paragraphs and table cells.

    Newlines and other line breaks become spaces (a newline would end a table row), ``&``, ``<``
    and ``>`` become entities (no raw HTML, no comments), and the characters that start emphasis,
    code, links, tables, strikethrough or math are backslash-escaped, as is a leading heading,
    list or quote marker.
    """
    if value is None:
        return ""
    if isinstance(value, MdRaw):
        return str(value)
    s = str(value)
    s = re.sub(r"[\r\n\u0085\u2028\u2029\t\v\f]+", " ", s)
    s = shown(s)  # escape, lines, bell, bidi overrides: written as visible escapes
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_INLINE.sub(r"\\\1", s)
    s = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
