"""The report formats, their file extensions and MIME types, and safe file stems.

Kept apart from the renderers, with only the standard library, so that ``python -m hybrid --help``
can list the formats without importing plotly, Jinja2 or fpdf2.
"""

from __future__ import annotations

import re

FORMATS = ("html", "md", "json", "pdf")
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "pdf": "pdf", "yaml": "yaml"}
MIME_TYPES = {
    "html": "text/html",
    "md": "text/markdown",
    "json": "application/json",
    "pdf": "application/pdf",
    "yaml": "application/yaml",
}


def slug(text: str) -> str:
    """A safe file stem from user text: lowercase ASCII letters, digits and dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60].strip("-") or "scenario"
