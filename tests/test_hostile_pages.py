"""The dashboard under hostile text and a broken library (issue 13), with Streamlit's AppTest.

- Every table on every page is safe to download as CSV (the table toolbar's "Download as CSV"):
  with a scenario name and policy reasons that are spreadsheet formulas, no text cell and no column
  name starts with ``= + - @``, a tab or a carriage return unless it is one plain number (OWASP
  "CSV Injection"); the hostile text is shown neutralised, not dropped.
- A corrupt library file: Start, Library and Compare render without an exception box, and the
  Library names the problem.
- A name with control characters typed into the dashboard is refused with a message naming the
  field, and the scenario keeps its old name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from apptest_helpers import errors, ok, plain
from streamlit.testing.v1 import AppTest

from hybrid.safetext import FORMULA_START, PLAIN_NUMBER_RE
from hybrid.share.urlstate import encode
from tests.conftest import make_scenario
from ui.state import URL_PARAM

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 90
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
FORMULA = '=HYPERLINK("http://evil/","x")'


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HYBRID_DATABASE_URL", raising=False)


def _unsafe(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not PLAIN_NUMBER_RE.fullmatch(value)
    )


def _cells(frame: pd.DataFrame) -> list[object]:
    out: list[object] = [str(c) for c in frame.columns]
    for col in frame.columns:
        out.extend(frame[col].tolist())
    return out


def test_every_table_is_safe_to_download_as_csv():
    policy = (ROOT / "data" / "policy.yaml").read_text(encoding="utf-8")
    hostile_policy = policy.replace(
        'reason: "', f'reason: "{FORMULA.replace(chr(34), chr(92) + chr(34))} '
    )
    assert hostile_policy != policy
    scenario = make_scenario(name=FORMULA, domain="@SUM(A1)")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params[URL_PARAM] = encode(scenario)
    ok(at.run())
    ok(at.switch_page("pages/2_factors.py").run())
    at.file_uploader(key="factors.policy_upload").set_value(
        ("evil-policy.yaml", hostile_policy.encode(), "application/x-yaml")
    )
    ok(at.run())
    assert not at.error, errors(at)
    seen_tables, neutralised = 0, 0
    for page in PAGES:
        ok(at.switch_page(page).run())
        for table in at.dataframe:
            frame = table.value
            if not isinstance(frame, pd.DataFrame):
                continue
            seen_tables += 1
            cells = _cells(frame)
            bad = [c for c in cells if _unsafe(c)]
            assert not bad, (
                f"{page}: formula-leading cells a CSV download would carry raw: {bad[:3]}"
            )
            neutralised += sum(isinstance(c, str) and c.startswith("'" + FORMULA) for c in cells)
    assert seen_tables >= 6, seen_tables
    # The policy's reasons reached the tables (Recommendation's guardrails, Sensitivity's ranges)
    # as text a spreadsheet shows rather than runs.
    assert neutralised >= 2, neutralised


def test_a_corrupt_library_file_leaves_every_page_working(tmp_path, monkeypatch):
    data = tmp_path / "corrupt"
    data.mkdir()
    (data / "hybrid.sqlite").write_bytes(os.urandom(8192))
    monkeypatch.setenv("HYBRID_DATA_DIR", str(data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    for page in (
        "pages/1_start.py",
        "pages/8_compare.py",
        "pages/11_library.py",
        "pages/5_recommendation.py",
    ):
        ok(at.switch_page(page).run())
        assert at.title or at.header, page
    ok(at.switch_page("pages/11_library.py").run())
    assert "not a database" in errors(at), errors(at)
    assert "hybrid.sqlite" in errors(at)


def test_a_name_with_control_characters_typed_in_the_page_is_refused():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    ok(at.switch_page("pages/1_start.py").run())
    before = at.session_state["hd.scenario"].name
    name_inputs = [t for t in at.text_input if t.label == "Scenario name"]
    assert name_inputs, [t.label for t in at.text_input]
    name_inputs[0].input("pay\x1b]0;owned\x07").run()
    ok(at)
    shown = errors(at)
    assert "must not contain control characters" in shown, shown
    assert "\x1b" not in shown and "\x07" not in shown
    assert at.session_state["hd.scenario"].name == before
    ok(at.switch_page("pages/5_recommendation.py").run())  # the app keeps working
    assert at.title and "Recommendation" in plain(at.title[0].value)
