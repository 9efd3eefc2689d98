"""The bundled examples' answers, pinned: ``python -m hybrid recommend FILE --json`` for every file
in data/examples/, run in a fresh process (so the answer is the same in another process too),
compared with the recording in tests/golden/ (see its README for re-recording on purpose).

Text (every key, string, true/false/null and the shape of every list) must match exactly. Numbers
must match to a relative 1e-9 (absolute 1e-12 near zero). Why a tolerance: the same code on another
machine differs in the last binary digit or two (``0.598869212452387`` against
``0.5988692124523874``, a relative 7e-16), from the order of floating-point sums and the maths
library; comparing bytes failed all seven examples on such a machine. Why 1e-9: it is six orders
of magnitude above that noise and far below anything a person sees (shares to 0.01, metrics to
0.001, money to the dollar), so a real change in the model or the policy still fails (see
``test_the_comparer_sees_a_real_change``).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.yaml"))
REL = 1e-9
ABS = 1e-12


def differences(got, want, where: str = "$") -> list[str]:
    """Where ``got`` differs from ``want``: text exactly, numbers within REL/ABS, one line each."""
    number = (int, float)
    if isinstance(want, bool) or isinstance(got, bool) or want is None or got is None:
        return [] if got is want else [f"{where}: {got!r} != {want!r}"]
    if isinstance(want, number) and isinstance(got, number):
        if math.isclose(got, want, rel_tol=REL, abs_tol=ABS):
            return []
        return [f"{where}: {got!r} != {want!r}"]
    if type(got) is not type(want):
        return [f"{where}: {type(got).__name__} {got!r} != {type(want).__name__} {want!r}"]
    if isinstance(want, dict):
        if list(got) != list(want):
            return [f"{where}: keys {list(got)} != {list(want)}"]
        return [d for k in want for d in differences(got[k], want[k], f"{where}.{k}")]
    if isinstance(want, list):
        if len(got) != len(want):
            return [f"{where}: {len(got)} items != {len(want)}"]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in differences(g, w, f"{where}[{i}]")
        ]
    return [] if got == want else [f"{where}: {got!r} != {want!r}"]


def recommend_json(example: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "hybrid", "recommend", str(example), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_recommend_matches_its_recording(example):
    want = json.loads((GOLDEN / f"{example.stem}.recommend.json").read_text(encoding="utf-8"))
    problems = differences(recommend_json(example), want)
    assert not problems, "\n".join(problems)


def test_every_example_has_a_recording():
    assert sorted(p.name for p in GOLDEN.glob("*.recommend.json")) == sorted(
        f"{p.stem}.recommend.json" for p in EXAMPLES
    )


def test_the_comparer_ignores_last_digit_noise():
    want = {"share": 0.5988692124523874, "zero": 0.0, "n": 3, "label": "hybrid", "ok": True}
    got = {"share": 0.598869212452387, "zero": 1e-15, "n": 3, "label": "hybrid", "ok": True}
    assert differences(got, want) == []


def test_the_comparer_sees_a_real_change():
    """Every kind of change fails: a number moved in its seventh digit (a cent on $13,141.69),
    changed text, a flag, a missing or reordered key, a list of another length, a null."""
    want = json.loads((GOLDEN / "support-intent-fine-tuning.recommend.json").read_text("utf-8"))
    cases = {
        "number": ("layers", "expert_anchor", want["layers"]["expert_anchor"] + 0.01),
        "share": ("mix", "synthetic_share", 0.79),
        "text": ("guardrails", "binding", "budget"),
        "flag": ("plans", "all-human", None),
    }
    for name, (a, b, value) in cases.items():
        got = json.loads(json.dumps(want))
        if name == "flag":
            got[a][b]["reaches_target"] = not got[a][b]["reaches_target"]
        else:
            got[a][b] = value
        assert differences(got, want), name
    got = json.loads(json.dumps(want))
    got["mix"] = dict(reversed(list(got["mix"].items())))
    assert differences(got, want)
    got = json.loads(json.dumps(want))
    del got["guardrails"]["reason"]
    assert differences(got, want)
    assert differences({"x": [1.0, 2.0]}, {"x": [1.0]})
    assert differences({"x": None}, {"x": 0.0}) and differences({"x": 0}, {"x": False})
    assert differences({"x": "1"}, {"x": 1})
