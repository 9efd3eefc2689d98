"""Reading a report's scenario back: every format embeds the scenario YAML, so opening a report in
the dashboard reproduces its numbers.
"""

from __future__ import annotations

import base64
import html as html_lib
import re

from hybrid.errors import InputError
from hybrid.model.scenario import Scenario
from hybrid.share.report import YAML_MARKER

_HTML_B64 = re.compile(
    r'<a id="scenario-download"[^>]*?href="data:application/yaml;base64,([A-Za-z0-9+/=]+)"'
)
_HTML_PRE = re.compile(r'<pre id="scenario-yaml"[^>]*>(.*?)</pre>', re.DOTALL)
_MD_BLOCK = re.compile(r"\A\s*(`{3,})yaml\n(.*?)\n\1[ \t]*$", re.DOTALL | re.MULTILINE)


def extract_yaml(report: str | bytes) -> str:
    """The scenario YAML embedded in an HTML, Markdown, JSON or PDF report."""
    if isinstance(report, (bytes, bytearray)):
        raw = bytes(report)
        if raw.startswith(b"%PDF"):
            return _pdf_yaml(raw)
        try:
            report = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                "report: neither a PDF nor UTF-8 text (expected a scenario YAML file or an "
                "HTML, Markdown, JSON or PDF report made by this tool)"
            ) from None
    text = report.lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        from hybrid.safeload import MAX_REPORT_BYTES, load_json

        obj = load_json(text, "report", max_bytes=MAX_REPORT_BYTES)
        if not isinstance(obj, dict) or not isinstance(obj.get("scenario_yaml"), str):
            raise InputError(
                "report: JSON, but not a report made by this tool (it carries no scenario)"
            )
        return obj["scenario_yaml"]
    if stripped[:200].lower().startswith(("<!doctype html", "<html")):
        m = _HTML_B64.search(text)
        if m:
            try:
                return base64.b64decode(m.group(1), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                pass
        m = _HTML_PRE.search(text)
        if m:
            return html_lib.unescape(m.group(1))
        raise InputError("report: no embedded scenario found in the HTML")
    i = text.find(YAML_MARKER)
    if i >= 0:
        m = _MD_BLOCK.search(text[i + len(YAML_MARKER) :])
        if m:
            return m.group(2) + "\n"
    raise InputError(
        "report: no embedded scenario found (expected an HTML, Markdown, JSON or PDF report)"
    )


def extract_scenario(report: str | bytes) -> Scenario:
    """The scenario a report was made from, validated exactly as a scenario file would be."""
    return Scenario.from_yaml(extract_yaml(report), "report's embedded scenario")


def _pdf_yaml(raw: bytes) -> str:
    """The attached scenario file of a PDF made by ``render_pdf`` (stored uncompressed)."""
    i = raw.find(b"/Type /EmbeddedFile")
    if i < 0:
        raise InputError("report: the PDF has no attached scenario")
    obj = raw.rfind(b" obj", 0, i)
    s = raw.find(b"stream", i)
    m = re.search(rb"/Length (\d+)", raw[obj:s]) if obj >= 0 and s >= 0 else None
    if m is None:
        raise InputError("report: the PDF's attached scenario cannot be read")
    start = s + len(b"stream")
    if raw[start : start + 2] == b"\r\n":
        start += 2
    elif raw[start : start + 1] in (b"\n", b"\r"):
        start += 1
    body = raw[start : start + int(m.group(1))]
    if b"/FlateDecode" in raw[obj:s]:
        from hybrid.safeload import MAX_SCENARIO_BYTES, inflate

        # Capped by output: a scenario is at most 1 MB, whatever the stream inflates to.
        body = inflate(body, "report: the PDF's attached scenario", MAX_SCENARIO_BYTES)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("report: the PDF's attached scenario is not UTF-8") from None
