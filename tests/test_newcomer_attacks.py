"""What a newcomer with a pilot of their own, and bad input, ran into (FINDINGS.md, branch i35):
each test fails on the code before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from hybrid.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
INTERNAL_READINGS = ("below_range", "interpolated", "extrapolated", "at_least")


def test_evidence_says_in_words_how_each_size_was_read(capsys):
    """F2: the exchange-rate lines ended in "(below_range)" and "(interpolated)"."""
    code = main(["evidence", str(SAMPLE), "--label", "label", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if "synthetic rows score" in line]
    assert lines
    for line in lines:
        assert not any(key in line for key in INTERNAL_READINGS), line
        assert "human curve" in line, line


@pytest.mark.parametrize("flag", ["--annotators", "--policy"])
def test_evidence_refuses_an_option_it_would_ignore(flag, capsys):
    """F13: without --scenario, --annotators and --policy were accepted and never read."""
    value = "nope1,nope2" if flag == "--annotators" else "no-such-policy.yaml"
    code = main(["evidence", str(SAMPLE), "--label", "label", "--quiet", flag, value])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and flag in err and "--scenario" in err
