"""What a person reads on every page uses human names: no internal keys (``synthetic_share``), no
raw floats (``4.20388``, more than four digits after the point), no e-notation (``4.5e+02``), no
command-line flags (``--label``, ``python -m hybrid``), no list literals (``[[33.0, ...``) and no
spreadsheet neutralising leaking onto the screen (``'+7.2``).

Every page runs on its own (``AppTest.from_file``) on the bundled example with a measured synthetic
response (the numbers a pilot measurement writes, as raw as it writes them), and Compare with a
second saved scenario so its inputs table shows them. The text read is every title, heading,
paragraph, caption, alert, metric, table cell and column name, button and expander label.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hybrid.model.scenario import Scenario, load_scenario
from ui import nav

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
TIMEOUT = 180

# What a pilot measurement writes (hybrid.evidence.synthetic_response), unrounded.
MEASURED_RESPONSE = {
    "value": 0.874145237,
    "saturation": 4.20388,
    "systematic_share": 0.402595,
    "floor": 0.130143,
    "floor_exponent": 1.9744,
    "accuracy": 0.8,
    "human_rows": 280,
    "synthetic_rows": 1200,
    "points": [[33.0, 0.0, 0.888888888888888], [33.0, 75.0, 0.9122222222222222]],
    "plateau": True,
    "measured_ratio": 4.285714285714286,
}

PATTERNS = {
    "command-line flag": re.compile(r"(?<![\w-])--[a-z][a-z-]+|python -m\b|\s-o\s"),
    "e-notation": re.compile(r"\b\d+(?:\.\d+)?[eE][-+]?\d+\b"),
    "raw float": re.compile(r"(?<![\d,.])\d+\.\d{5,}"),
    "list literal": re.compile(r"\[\[|\]\]"),
    "neutralised cell": re.compile(r"^'[-+=@]"),
    # snake_case words, but not file names (support_tickets.csv) or URL paths.
    "internal key": re.compile(r"(?<![\w./-])[a-z]+_[a-z_]+\b(?!\.[a-z]{2,5}\b)(?![/(])"),
}


# Known and fixed elsewhere: the rationale's "4.5e+02 generated rows per human row" is issue 20's
# (the rationale text, branch i20a). Remove this entry when that lands; the check then covers it.
KNOWN_ELSEWHERE = ("generated rows per human row",)


def offending(text: str) -> list[str]:
    """Each problem in ``text`` as "kind: the offending words"."""
    found = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(text):
            start = max(0, m.start() - 30)
            found.append(f"{kind}: …{text[start : m.end() + 30]}…")
    return found


def measured() -> Scenario:
    data = load_scenario(EXAMPLE).model_dump(mode="json")
    data["dataset"]["synthetic_response"] = MEASURED_RESPONSE
    return Scenario.from_dict(data)


def page_texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows, one string per element or table cell."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        out += [str(m.label), str(m.value), str(m.delta or "")]
    for d in at.dataframe:
        frame = d.value
        out += [str(c) for c in frame.columns if not str(c).startswith("_")]
        for col in frame.columns:
            if str(col).startswith("_"):
                continue
            out += [v for v in frame[col].tolist() if isinstance(v, str)]
    for kind in ("button", "expander"):
        out += [str(getattr(e, "label", "")) for e in getattr(at, kind)]
    out += [str(e.value) for e in at.sidebar.markdown]
    # Markdown escapes and inline code marks are not what a reader sees.
    return [re.sub(r"\\(.)", r"\1", t).replace("`", "") for t in out]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("HYBRID_DATABASE_URL", raising=False)
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))
    yield tmp_path
    from ui import compute

    try:
        compute.library().close()
    finally:
        compute._library.clear()


@pytest.mark.parametrize("spec", nav.PAGES, ids=[p.url_path for p in nav.PAGES])
def test_page_text_is_for_a_person(data_dir, spec):
    at = AppTest.from_file(str(ROOT / spec.path), default_timeout=TIMEOUT)
    at.session_state["hd.scenario"] = measured()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if spec.url_path == "compare":
        from ui import compute

        compute.library().save("Bigger budget", load_scenario(EXAMPLE), author="Lee")
        at.run()
        at.multiselect(key="compare.pick").set_value(
            ["Current scenario", "Saved: Bigger budget"]
        ).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("Input" in d.value.columns for d in at.dataframe)
    problems = [
        p
        for text in page_texts(at)
        for p in offending(text)
        if not any(known in p for known in KNOWN_ELSEWHERE)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "saturation 4.20388",
        "floor 0.130143",
        "points [[33.0, 0.0, 0.888888888888888] ...",
        "'+7.2",
        "no label column found: name it with --label",
        "as the command line's evidence --scenario does",
        "Profile it where it lives (python -m hybrid profile FILE -o stats.yaml)",
        "4.5e+02 generated rows per human row",
        "binding: domain_judgment = 2",
    ],
)
def test_the_check_sees_each_kind_of_problem(text):
    assert offending(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Synthetic share 78%",
        "$13,141.69",
        "0.915",
        "support_tickets.csv",
        "metric 0.890 → 0.915",
        "4 points, 1,000 rows → 0.780 to 8,000 rows → 0.867",
        "Points gained 7.2",
        "-0.3",
    ],
)
def test_the_check_passes_what_a_person_reads(text):
    assert not offending(text), offending(text)
