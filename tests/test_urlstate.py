"""The scenario link: round-trips exactly, stays compact, and refuses anything else with
InputError."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hybrid.errors import InputError
from hybrid.model.scenario import DATA_USES, Scenario, load_scenario
from hybrid.share import urlstate
from hybrid.share.urlstate import MAX_LINK_CHARS, check_editable, decode, encode
from tests.conftest import name_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.yaml"))
TOKEN = re.compile(r"^1\.[A-Za-z0-9_-]+$")


def pack(payload: bytes, version: str = "1") -> str:
    return f"{version}." + base64.urlsafe_b64encode(zlib.compress(payload, 9)).decode().rstrip("=")


def valid_dict() -> dict:
    return json.loads(json.dumps(load_scenario(EXAMPLES[0]).model_dump(mode="json")))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_compactly(path):
    s = load_scenario(path)
    token = encode(s)
    assert TOKEN.match(token)
    assert len(token) < 600, "a typical scenario fits comfortably in a link"
    assert decode(token) == s
    assert encode(decode(token)) == token, "encoding is deterministic"


# --- Hypothesis: any valid scenario survives the link ---------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda t: t.strip()
)
name = name_text(min_size=1, max_size=60).filter(lambda t: t.strip())
fraction = st.floats(0.0, 1.0, allow_nan=False)
positive = st.floats(1e-6, 1e9, allow_nan=False, allow_infinity=False)
money = st.floats(0.0, 1e9, allow_nan=False, allow_infinity=False)
# The schema's smallest budget is a cent (hybrid.model.scenario.MIN_BUDGET).
budget = st.floats(0.01, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def curve(draw):
    sizes = draw(
        st.lists(st.floats(1.0, 1e9, allow_nan=False), min_size=3, max_size=12, unique=True)
    )
    metrics = draw(st.lists(fraction, min_size=len(sizes), max_size=len(sizes)))
    return {"points": [[n, m] for n, m in zip(sizes, metrics, strict=True)]}


@st.composite
def scenarios(draw):
    data = {
        "name": draw(name),
        "data_use": draw(st.sampled_from(DATA_USES)),
        "factors": {
            k: draw(st.integers(1, 5))
            for k in (
                "error_cost",
                "domain_judgment",
                "edge_cases",
                "iteration_maturity",
                "cultural_sensitivity",
            )
        },
        "economics": {
            "budget": draw(budget),
            "currency": draw(st.sampled_from(["USD", "EUR", "GBP", "JPY", "CHF"])),
            "human_cost_per_example": draw(positive),
            "synthetic_cost_per_example": draw(positive),
            "review_cost_per_example": draw(money),
            "synthetic_label_accuracy": draw(fraction),
            "review_catch_rate": draw(fraction),
            "target_metric": draw(fraction),
            "learning_curve": draw(curve()),
            "escaped_error_cost": draw(money),
            "tail_coverage": draw(st.none() | fraction),
            "confirm_cost_per_example": draw(st.none() | money),
            "fix_cost_per_example": draw(st.none() | money),
        },
    }
    econ = data["economics"]
    if econ["confirm_cost_per_example"] is not None and econ["fix_cost_per_example"] is not None:
        econ["fix_cost_per_example"] += econ[
            "confirm_cost_per_example"
        ]  # fixing includes confirming
    if draw(st.booleans()):
        data["domain"] = draw(text)
    if draw(st.booleans()):
        data["dataset"] = {
            "human_examples": draw(st.integers(0, 10**9)),
            "synthetic_examples": draw(st.integers(0, 10**9)),
            "classes": draw(st.none() | st.integers(2, 10**6)),
            "tail_share": draw(st.none() | fraction),
            "annotator_agreement": draw(st.none() | fraction),
            "kappa": draw(st.none() | st.floats(-1.0, 1.0)),
            "synthetic_exchange_rate": draw(st.none() | st.floats(0.01, 10.0)),
            "synthetic_tail_coverage": draw(st.none() | fraction),
            "source": draw(st.none() | text),
        }
    return Scenario.from_dict(data)


@given(scenarios())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_scenario_round_trips(s):
    token = encode(s)
    assert TOKEN.match(token) and len(token) <= MAX_LINK_CHARS
    assert decode(token) == s


# --- hostile and damaged links
# ---------------------------------------------------------------------


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_is_refused_cleanly(junk):
    try:
        decode(junk)
    except InputError:
        pass


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_mutated_links_never_crash(data):
    token = encode(load_scenario(EXAMPLES[-1]))
    i = data.draw(st.integers(0, len(token) - 1))
    c = data.draw(st.sampled_from("ABCxyz019-_.=%/+ "))
    cut = data.draw(st.integers(1, len(token)))
    for bad in (token[:i] + c + token[i + 1 :], token[:cut]):
        try:
            s = decode(bad)
        except InputError as exc:
            assert str(exc)
        else:
            assert isinstance(s, Scenario)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "holds no scenario"),
        (123, "holds no scenario"),
        ("", "holds no scenario"),
        ("   ", "holds no scenario"),
        ("abc", "no format version"),
        ("0.abc", "unknown format"),
        ("x.abc", "unknown format"),
        ("2.abc", "newer version"),
        ("1.%%%", "not valid base64"),
        ("1.abcd", "does not decompress"),
        ("1." + "A" * (MAX_LINK_CHARS + 1), "too long"),
        (pack(b"\xff\xfe\x00"), "not UTF-8"),
        (pack(b"[" * 60_000), "nested too deeply"),
        (pack(b'"just a string"'), "expected scenario fields"),
        (pack(b"[1, 2]"), "expected scenario fields"),
        (pack(b"{not json"), "not valid scenario data"),
        (pack(b'{"name": NaN}'), "not a number"),
        (pack(b'{"name": Infinity}'), "not a number"),
        (pack(b"\x00" * (4 * 1024 * 1024)), "more than"),
        (pack(b'{"name": "x"}'), "economics: required field is missing"),
    ],
)
def test_hostile_links_are_refused_with_a_clear_message(token, message):
    with pytest.raises(InputError, match=re.escape(message)):
        decode(token)


def test_a_truncated_link_is_damaged():
    token = encode(load_scenario(EXAMPLES[0]))
    with pytest.raises(InputError, match="damaged"):
        decode(token[: len(token) // 2])


def test_a_zip_bomb_does_not_inflate():
    bomb = zlib.compress(b" " * (4 * 1024 * 1024), 9)
    token = "1." + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(token) < MAX_LINK_CHARS, "the bomb fits in a link: 4 MB from about 5 KB"
    with pytest.raises(InputError, match="more than"):
        decode(token)


def test_invalid_fields_are_named():
    data = valid_dict()
    data["factors"]["error_cost"] = 9
    with pytest.raises(InputError, match=r"factors\.error_cost"):
        decode(pack(json.dumps(data).encode()))
    data = valid_dict()
    data["evil"] = "__import__('os')"
    with pytest.raises(InputError, match=r"evil: unknown field"):
        decode(pack(json.dumps(data).encode()))


def test_values_beyond_the_dashboard_are_refused():
    data = valid_dict()
    data["dataset"]["human_examples"] = 10**30
    with pytest.raises(InputError, match=r"dataset\.human_examples: must be at most"):
        decode(pack(json.dumps(data).encode()))
    data = valid_dict()
    data["economics"]["budget"] = 1e300
    with pytest.raises(InputError, match=r"economics\.budget: must be at most"):
        decode(pack(json.dumps(data).encode()))
    data = valid_dict()
    data["economics"]["learning_curve"]["points"] = [[i + 1, 0.5] for i in range(201)]
    with pytest.raises(InputError, match="at most 200 points"):
        decode(pack(json.dumps(data).encode()))


def test_check_editable_accepts_the_examples():
    for path in EXAMPLES:
        check_editable(load_scenario(path))


def test_a_scenario_too_large_for_a_link_says_so(monkeypatch):
    monkeypatch.setattr(urlstate, "MAX_LINK_CHARS", 100)
    with pytest.raises(InputError, match="too large for a link"):
        encode(load_scenario(EXAMPLES[0]))
