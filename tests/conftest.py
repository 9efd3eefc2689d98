import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st

from hybrid.model.policy import load_policy
from hybrid.model.scenario import Scenario

# CI runs the property tests on a fixed sequence of examples so a landing never depends on luck;
# local runs explore new examples every time (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# HYBRID_DATABASE_URL (scripts/test sets it to a throwaway PostgreSQL cluster) is for the store
# tests only: they read it from HYBRID_TEST_DATABASE_URL, and every other test (pages, browser, CLI
# subprocesses) keeps its own SQLite library instead of sharing one PostgreSQL schema.
if os.environ.get("HYBRID_DATABASE_URL"):
    os.environ.setdefault("HYBRID_TEST_DATABASE_URL", os.environ.pop("HYBRID_DATABASE_URL"))


ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.yaml"))


@pytest.fixture(scope="session")
def policy():
    return load_policy()


@pytest.fixture
def drawn(monkeypatch):
    """Every text the PDF draws with multi_cell, and every table, while rendering: (texts,
    tables), each table as (header, rows)."""
    from fpdf import FPDF

    from hybrid.share import pdf as pdf_module

    texts: list[str] = []
    tables: list[tuple[list[str], list]] = []
    multi_cell = FPDF.multi_cell
    table = pdf_module._Pdf.table

    def record_text(self, w, h=None, text="", *args, **kwargs):
        texts.append(str(text))
        return multi_cell(self, w, h, text, *args, **kwargs)

    def record_table(self, header, rows, *args, **kwargs):
        tables.append((list(header), [list(r) for r in rows]))
        return table(self, header, rows, *args, **kwargs)

    monkeypatch.setattr(FPDF, "multi_cell", record_text)
    monkeypatch.setattr(pdf_module._Pdf, "table", record_table)
    return texts, tables


def make_scenario(**overrides) -> Scenario:
    """A typical fine-tuning scenario; keyword overrides use dotted paths, e.g.
    factors__error_cost."""
    data = {
        "name": "typical",
        "data_use": "fine_tuning",
        "factors": {
            "error_cost": 2,
            "domain_judgment": 2,
            "edge_cases": 2,
            "iteration_maturity": 4,
        },
        "dataset": {"human_examples": 4000, "classes": 10},
        "economics": {
            "budget": 50000,
            "human_cost_per_example": 2.0,
            "synthetic_cost_per_example": 0.05,
            "review_cost_per_example": 0.4,
            "synthetic_label_accuracy": 0.9,
            "target_metric": 0.9,
            "learning_curve": {
                "points": [[1000, 0.78], [2000, 0.815], [4000, 0.845], [8000, 0.867]]
            },
        },
    }
    for key, value in overrides.items():
        node = data
        parts = key.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return Scenario.from_dict(data)


@pytest.fixture
def scenario():
    return make_scenario()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say how many PostgreSQL store tests ran, so a CI log shows they were not skipped."""
    counts = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for rep in terminalreporter.stats.get(outcome, []):
            if "[postgresql" in getattr(rep, "nodeid", ""):
                counts[outcome] = counts.get(outcome, 0) + 1
    if counts:
        url = os.environ.get("HYBRID_TEST_DATABASE_URL", "") or "(HYBRID_DATABASE_URL not set)"
        parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        terminalreporter.write_line(f"PostgreSQL store tests against {url.split('?')[0]}: {parts}")


# Text a scenario name may hold: anything but the C0 control characters and DEL, which the schema
# refuses at entry (hybrid.model.scenario._no_controls; tests/test_hostile_input.py shows the
# refusal). Bidi controls, C1 controls and every other character are drawn and must round-trip.
NAME_CHARS = st.characters(
    exclude_categories=("Cs",), exclude_characters=[chr(i) for i in range(32)] + ["\x7f"]
)


def name_text(min_size: int = 0, max_size: int = 40):
    return st.text(NAME_CHARS, min_size=min_size, max_size=max_size)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, started with the flags every browser test uses
    (scripts/streamlit_server.py), one per test module."""
    from playwright.sync_api import sync_playwright

    from scripts.streamlit_server import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
