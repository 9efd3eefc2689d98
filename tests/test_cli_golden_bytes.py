"""`python -m hybrid recommend FILE --json` for every bundled example, compared byte for byte with
the output recorded in tests/golden/. The recordings were taken before the package was reorganised
into subpackages, so a refactor that claims to keep behaviour must keep these bytes; a change to the
model or the policy that moves them must re-record them on purpose (see tests/golden/README.md)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_recommend_json_is_byte_identical(example):
    out = subprocess.run(
        [sys.executable, "-m", "hybrid", "recommend", str(example), "--json"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout == (GOLDEN / f"{example.stem}.recommend.json").read_bytes()


def test_every_example_has_a_recording():
    assert sorted(p.name for p in GOLDEN.glob("*.recommend.json")) == sorted(
        f"{p.stem}.recommend.json" for p in EXAMPLES
    )
