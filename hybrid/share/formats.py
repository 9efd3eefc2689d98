"""The report formats, their file extensions and MIME types, and safe file stems.

Kept apart from the renderers, with only the standard library, so that ``python -m hybrid --help``
can list the formats without importing plotly, Jinja2 or fpdf2.
"""

from __future__ import annotations

from hybrid.safetext import file_stem

FORMATS = ("html", "md", "json", "pdf")
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "pdf": "pdf", "yaml": "yaml"}
MIME_TYPES = {
    "html": "text/html",
    "md": "text/markdown",
    "json": "application/json",
    "pdf": "application/pdf",
    "yaml": "application/yaml",
}


# The one file-stem rule (hybrid.safetext.file_stem), under the name the report code uses.
slug = file_stem
