"""One safe loader for every YAML and JSON document the project reads, and for every decompression.

Scenarios, policies, statistics files, report attachments, zip members and link payloads all come
from users, so each is parsed here under caps that bound the work a small file can cause:

- **size**: the text is refused past ``max_bytes`` before it is parsed (files are read with at most
  ``max_bytes + 1`` bytes, so a 2 GB file or ``/dev/zero`` costs nothing);
- **nesting**: YAML is first scanned as an event stream (no recursion) and refused past
  ``MAX_DEPTH`` levels, before PyYAML's recursive composer sees it; JSON is parsed by Python's
  decoder, which stops at its recursion limit, and then checked against the same depth;
- **alias expansion**: a YAML alias is a pointer, so ``a: &x [..]``, ``b: [*x, *x, ...]`` is small
  in memory but explodes when anything walks it (``str()``, a JSON dump, a page). The composed
  node graph is walked with memoised subtree sizes, and the document is refused when its fully
  expanded size passes ``max_nodes`` (or when an alias refers to itself);
- **numbers**: NaN and infinities are refused in JSON (``1e400`` included);
- **decompression** (``inflate``): zlib and deflate output is capped by output size, not input
  size, so a 1 MB input that inflates to 1 GiB is refused after ``max_out`` bytes.

Every refusal is an ``InputError`` naming the file (``source``) and the cap. Pure: no Streamlit.
The caps are documented in docs/profiling.md and docs/store.md.
"""

from __future__ import annotations

import json
import math
import zlib
from pathlib import Path

import yaml

from hybrid.errors import InputError

# Nesting deeper than this is refused. Real documents nest 5 or 6 levels.
MAX_DEPTH = 64
# Fully expanded YAML nodes (every alias counted as a copy of what it points to). A statistics file
# with a million label classes has about two million nodes.
MAX_NODES = 5_000_000
# Size caps, by kind of document. A scenario or policy is a few KB; a statistics file with its
# duplicate sketch is about 1 MB.
MAX_SCENARIO_BYTES = 1024 * 1024
MAX_POLICY_BYTES = 1024 * 1024
MAX_STATS_BYTES = 64 * 1024 * 1024
# A report (HTML inlines plotly.js, about 5 MB) read back for its embedded scenario.
MAX_REPORT_BYTES = 20 * 1024 * 1024
# Decompressed output of one zlib stream (a PDF attachment, a sketch array) is refused past this.
MAX_INFLATE_BYTES = 64 * 1024 * 1024

try:  # libyaml's C parser when PyYAML was built with it: the same events, far faster
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def check_size(source: str, nbytes: int, max_bytes: int) -> None:
    if nbytes > max_bytes:
        raise InputError(
            f"{source}: {nbytes:,} bytes is more than the {_mb(max_bytes)} this file may be"
        )


def checked_text(text: str | bytes, source: str, max_bytes: int) -> str:
    """``text`` as a string, refused by name when it is over ``max_bytes`` in UTF-8: bytes are
    counted and decoded (``decode_text``); a string is counted in characters first (cheap, and its
    UTF-8 length is at least that) and encoded only when it could be over. The one size check of
    the YAML and JSON loaders (the JSON loader counted characters only, so 4 MB of characters could
    be 16 MB of UTF-8)."""
    if isinstance(text, (bytes, bytearray)):
        check_size(source, len(text), max_bytes)
        return decode_text(bytes(text), source)
    check_size(source, len(text), max_bytes)
    if len(text) * 4 > max_bytes:
        check_size(source, len(text.encode("utf-8", "surrogatepass")), max_bytes)
    return text


def read_bytes(path: str | Path, max_bytes: int, source: str | None = None) -> bytes:
    """A file's bytes, refusing it past ``max_bytes`` without reading more than ``max_bytes + 1``
    (so a device like /dev/zero or a file still growing is refused, not slurped)."""
    p = Path(path)
    shown = source or str(p)
    try:
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > max_bytes:
        raise InputError(f"{shown}: more than the {_mb(max_bytes)} this file may be")
    return raw


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 (a leading byte-order mark is dropped); UTF-16 and UTF-32 are named, not guessed."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError(f"{source}: UTF-32 text; save it as UTF-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source}: UTF-16 text; save it as UTF-8")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (byte 0x{raw[exc.start]:02X} at offset {exc.start})"
        ) from None


def read_text(path: str | Path, max_bytes: int, source: str | None = None) -> str:
    return decode_text(read_bytes(path, max_bytes, source), source or str(path))


# --- YAML ---------------------------------------------------------------------------------------


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputError:
    where = ""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 1}, column {mark.column + 1}"
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return InputError(f"{source}: {problem}{where}")


def _check_depth(text: str, source: str, max_depth: int, max_nodes: int = MAX_NODES) -> None:
    """Depth and the number of written values, from the parser's events (streamed: nothing is
    built), so a document too large to compose is refused before PyYAML composes it (about 500
    bytes a value once composed)."""
    depth = 0
    values = 0
    for ev in yaml.parse(text, Loader=_Loader):
        if isinstance(ev, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            values += 1
            if values > max_nodes:
                raise InputError(f"{source}: more than {max_nodes:,} values; refused")
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                line = ev.start_mark.line + 1 if ev.start_mark is not None else "?"
                raise InputError(
                    f"{source}: nested more than {max_depth} levels deep (at line {line})"
                )
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _expanded_nodes(root: yaml.Node, source: str, max_nodes: int) -> int:
    """Nodes in the document with every alias expanded, without expanding anything: subtree sizes
    are memoised by node identity, and a node met again while it is still open is a
    self-reference."""
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            if isinstance(node, yaml.MappingNode):
                children = [c for pair in node.value for c in pair]
            else:
                children = node.value
            total = 1 + sum(size[id(c)] for c in children)
            if total > max_nodes:
                raise InputError(
                    f"{source}: expands to more than {max_nodes:,} values (YAML aliases repeating "
                    "other values); refused"
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in open_:
            raise InputError(
                f"{source}: a YAML alias refers to the value that contains it; refused"
            )
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        open_.add(key)
        stack.append((node, True))
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
        )
        for child in children:
            if id(child) not in size:
                if id(child) in open_:
                    raise InputError(
                        f"{source}: a YAML alias refers to the value that contains it; refused"
                    )
                stack.append((child, False))
    return size[id(root)]


def load_yaml(
    text: str | bytes,
    source: str,
    *,
    max_bytes: int = MAX_SCENARIO_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> object:
    """Parse one YAML document with ``safe_load`` semantics under the caps; InputError otherwise."""
    text = checked_text(text, source, max_bytes)
    try:
        _check_depth(text, source, max_depth, max_nodes)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_nodes(node, source, max_nodes)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except InputError:
        raise
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so it is never a traceback
        raise InputError(f"{source}: nested too deeply") from None
    except (ValueError, OverflowError, TypeError) as exc:
        # PyYAML's constructors raise these for a few malformed scalars (a timestamp past year
        # 9999, a base64 !!binary that is not base64, an unhashable key).
        raise InputError(f"{source}: a value cannot be read ({exc})") from None


# --- JSON ---------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def _json_depth(obj: object, max_depth: int) -> int:
    deepest = 0
    stack = [(obj, 1)]
    while stack:
        value, d = stack.pop()
        if isinstance(value, (dict, list)):
            if d > max_depth:
                return d
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def load_json(
    text: str | bytes,
    source: str,
    *,
    max_bytes: int = MAX_SCENARIO_BYTES,
    max_depth: int = MAX_DEPTH,
) -> object:
    """Strict JSON under the caps: no NaN or infinities; InputError naming ``source`` otherwise."""
    text = checked_text(text, source, max_bytes)
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{source}: nested more than {max_depth} levels deep") from None
    except ValueError as exc:  # a constant or a number out of range, or an int of over 4300 digits
        raise InputError(f"{source}: not valid JSON ({exc})") from None
    if _json_depth(data, max_depth) > max_depth:
        raise InputError(f"{source}: nested more than {max_depth} levels deep")
    return data


# --- decompression
# ---------------------------------------------------------------------------------


def inflate(
    data: bytes, source: str, max_out: int = MAX_INFLATE_BYTES, wbits: int = zlib.MAX_WBITS
) -> bytes:
    """zlib-decompress ``data`` producing at most ``max_out`` bytes; InputError past the cap or for
    damaged or incomplete data, or trailing bytes after the stream."""
    d = zlib.decompressobj(wbits)
    try:
        out = d.decompress(data, max_out)
    except zlib.error:
        raise InputError(f"{source}: compressed data is damaged") from None
    if d.unconsumed_tail:
        raise InputError(f"{source}: decompresses to more than {_mb(max_out)}; refused")
    if not d.eof:
        raise InputError(f"{source}: compressed data is incomplete")
    return out
