"""A scenario in a link: compact, versioned, and safe to decode from anyone.

The dashboard keeps the current scenario in the page URL (``?s=...``) so that a link reopens
exactly that scenario. The encoding is

    "1." + base64url( zlib( JSON of scenario.model_dump(exclude_defaults=True) ) )

with the padding stripped. The leading ``1.`` is the format version: a link from a later format
fails with a message saying so instead of decoding into something else.

A link is user input from anywhere (a chat message, an email, a hostile page), so ``decode``
trusts nothing: it caps the link length and the decompressed size (a zlib bomb cannot exhaust
memory), refuses NaN and infinities, and validates the result as a ``Scenario`` plus the ranges
the dashboard can edit (``check_editable``). Every failure is an ``InputError`` whose message a
person can act on. Pure: no Streamlit, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from hybrid.errors import InputError
from hybrid.model.scenario import MAX_COUNT, MAX_MONEY, Scenario

FORMAT_VERSION = 1
PREFIX = f"{FORMAT_VERSION}."
# Browsers accept far longer URLs, but proxies and chat tools cut around 8 KB. A typical scenario
# encodes to about 400 characters; even a long learning curve stays well under this.
MAX_LINK_CHARS = 6000
# Decompressed JSON is refused beyond this; a real scenario is under 2 KB.
MAX_JSON_BYTES = 64 * 1024
# The largest numbers the dashboard's inputs edit (beyond them a value is a typo or an attack): the
# schema's limits, under the names the pages use for their inputs' bounds.
MAX_EXAMPLES = MAX_COUNT
__all__ = ["MAX_EXAMPLES", "MAX_MONEY", "check_editable", "decode", "encode"]
# Learning-curve points the Costs page's table edits.
MAX_CURVE_POINTS = 200


def encode(scenario: Scenario) -> str:
    """The link token for ``scenario``; raises InputError when it would exceed
    ``MAX_LINK_CHARS``."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    token = PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
    if len(token) > MAX_LINK_CHARS:
        raise InputError(
            f"this scenario is too large for a link ({len(token):,} characters, at most "
            f"{MAX_LINK_CHARS:,}); save it to the library or download it as YAML instead"
        )
    return token


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a scenario can hold")


def decode(token: object) -> Scenario:
    """The scenario in a link token; InputError with a clear message for anything else."""
    if not isinstance(token, str) or not token.strip():
        raise InputError("the link holds no scenario")
    token = token.strip()
    if len(token) > MAX_LINK_CHARS:
        raise InputError(f"the link is too long to be a scenario ({len(token):,} characters)")
    version, dot, body = token.partition(".")
    if not dot:
        raise InputError("the link is damaged: it has no format version")
    if version != str(FORMAT_VERSION):
        if version.isdigit() and int(version) > FORMAT_VERSION:
            raise InputError(
                f"the link was made by a newer version of the dashboard (format {version}); "
                "update the dashboard to open it"
            )
        raise InputError(f"the link is damaged: unknown format {version[:12]!r}")
    try:
        packed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InputError(
            "the link is damaged: it is not valid base64 (was it cut short?)"
        ) from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_JSON_BYTES)
    except zlib.error:
        raise InputError(
            "the link is damaged: the data does not decompress (was it cut short?)"
        ) from None
    if inflater.unconsumed_tail:
        raise InputError(
            f"the link holds more than {MAX_JSON_BYTES // 1024} KB of data: not a scenario"
        )
    if not inflater.eof:
        raise InputError("the link is damaged: the data is incomplete (was it cut short?)")
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise InputError("the link is damaged: the data is not UTF-8 text") from None
    except RecursionError:
        raise InputError("the link is damaged: the data is nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"the link is damaged: not valid scenario data ({exc})") from None
    if not isinstance(data, dict):
        raise InputError("the link is damaged: expected scenario fields")
    scenario = Scenario.from_dict(data, source="link")
    check_editable(scenario, source="link")
    return scenario


def check_editable(scenario: Scenario, source: str = "scenario") -> None:
    """Refuse values valid for the model but beyond what the dashboard's inputs can show.

    Money and counts are bounded by the schema itself (``scenario.MAX_MONEY``, ``MAX_COUNT``); the
    one limit it does not hold is how many learning-curve points the page's table edits.
    """
    points = scenario.economics.learning_curve.points or []
    if len(points) > MAX_CURVE_POINTS:
        raise InputError(
            f"{source}: economics.learning_curve.points: at most {MAX_CURVE_POINTS} points "
            f"(got {len(points)})"
        )
