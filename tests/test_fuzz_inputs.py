"""Fuzzing the three kinds of text anyone can hand the app (issue 13): scenario YAML, statistics
files and link payloads. Whatever comes in, exactly two outcomes are allowed: a clean
``InputError`` or a valid result, and the whole run stays under an address-space limit.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hybrid.errors import InputError
from hybrid.evidence.statsfile import stats_to_profile
from hybrid.model.scenario import Scenario
from hybrid.safeload import load_json, load_yaml
from hybrid.share import urlstate
from tests.fuzz_helpers import address_space_limit, fuzz_settings

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = yaml.safe_load(
    (ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml").read_text(encoding="utf-8")
)
STATS = yaml.safe_load(
    (ROOT / "data" / "samples" / "support_tickets.stats.yaml").read_text(encoding="utf-8")
)
FUZZ = fuzz_settings(300)


@pytest.fixture(autouse=True, scope="module")
def memory_limit():
    """What the process uses now plus 1 GB of address space for the run."""
    with address_space_limit():
        yield


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["=cmd", "\x1b[2J", "\u202e", "1e999", "-", "", "fine_tuning", "USD"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _set(node, path, value):
    if not path:
        return value
    node = json.loads(json.dumps(node))
    cur = node
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value
    return node


@st.composite
def mutated(draw, base):
    """``base`` with one to three places (anywhere in the tree) replaced by arbitrary values."""
    data = base
    for _ in range(draw(st.integers(1, 3))):
        leaves = [p for p in _paths(data) if p and not isinstance(_get(data, p), (dict, list))]
        if leaves and draw(st.booleans()):  # a leaf value replaced by another scalar, mostly
            data = _set(data, draw(st.sampled_from(leaves)), draw(scalars))
        else:
            data = _set(data, draw(st.sampled_from(list(_paths(data)))), draw(values))
    return data


def _get(node, path):
    for p in path:
        node = node[p]
    return node


def _dump(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return "{}"


hostile_yaml = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda n, d: "a: &a ["
        + ",".join(["x"] * n)
        + "]\n"
        + "".join(
            f"b{i}: &b{i} [" + ",".join([f"*{'a' if i == 0 else 'b' + str(i - 1)}"] * n) + "]\n"
            for i in range(d)
        ),
        st.integers(1, 12),
        st.integers(0, 9),
    ),
    st.builds(
        lambda d, s: s + "[" * d + "]" * d, st.integers(0, 3000), st.sampled_from(["", "a: ", "- "])
    ),
)


def _only_input_errors(fn, *args):
    try:
        return fn(*args)
    except InputError:
        return None


@FUZZ
@given(st.one_of(mutated(SCENARIO).map(_dump), hostile_yaml))
def test_scenario_yaml(text):
    result = _only_input_errors(Scenario.from_yaml, text, "fuzz.yaml")
    if result is not None:
        assert Scenario.from_yaml(result.to_yaml()) == result  # a valid result is a usable scenario


@FUZZ
@given(
    st.one_of(
        mutated(STATS),
        hostile_yaml.map(lambda t: _only_input_errors(load_yaml, t, "fuzz.stats.yaml")),
    )
)
def test_statistics_files(data):
    prof = _only_input_errors(stats_to_profile, data, "fuzz.stats.yaml")
    if prof is not None:
        json.dumps(prof.summary(), default=str)  # a valid result can be summarised and shown


def _token(payload: bytes) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(payload, 9)).decode().rstrip("=")


links = st.one_of(
    st.text(max_size=200),
    mutated(SCENARIO).map(lambda d: _token(json.dumps(d, default=str).encode())),
    st.binary(max_size=400).map(_token),
    st.integers(0, 3000).map(lambda d: _token(b"[" * d + b"]" * d)),
    st.integers(1, 64).map(lambda mb: _token(b" " * (mb * 2**20))),
)


@FUZZ
@given(links)
def test_link_payloads(token):
    result = _only_input_errors(urlstate.decode, token)
    if result is not None:
        assert isinstance(result, Scenario)
        assert urlstate.decode(urlstate.encode(result)) == result


@FUZZ
@given(st.one_of(st.text(max_size=300), st.integers(0, 5000).map(lambda d: "[" * d + "]" * d)))
def test_json_loader(text):
    _only_input_errors(load_json, text, "fuzz.json")


@FUZZ
@given(st.text(min_size=1, max_size=60), st.integers(10, 120))
def test_yaml_and_json_text_is_capped_by_its_utf8_size(text, cap):
    """Both loaders count a string's UTF-8 bytes against the cap (the JSON loader counted its
    characters, so non-ASCII text up to four times the cap got through)."""
    over = len(text.encode("utf-8", "surrogatepass")) > cap
    for load in (load_json, load_yaml):
        try:
            load(text, "fuzz", max_bytes=cap)
        except InputError as exc:
            if over:
                assert "bytes is more than" in str(exc)
            continue
        assert not over, load.__name__
