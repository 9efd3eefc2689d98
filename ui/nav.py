"""The dashboard's pages, in navigation order: app.py registers every one of them, and
tests/test_nav.py checks that each listed file exists and each file in pages/ is listed."""

from __future__ import annotations

from typing import NamedTuple


class PageSpec(NamedTuple):
    section: str
    path: str  # relative to the repository root, where app.py lives
    title: str
    icon: str
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Decide", "pages/1_start.py", "Start", ":material/flag:", "start"),
    PageSpec("Decide", "pages/2_factors.py", "Factors", ":material/tune:", "factors"),
    PageSpec("Decide", "pages/3_dataset.py", "Dataset", ":material/dataset:", "dataset"),
    PageSpec("Decide", "pages/4_costs.py", "Costs & curve", ":material/payments:", "costs"),
    PageSpec(
        "Decide",
        "pages/5_recommendation.py",
        "Recommendation",
        ":material/recommend:",
        "recommendation",
    ),
    PageSpec("Decide", "pages/11_workplan.py", "Work plan", ":material/assignment:", "workplan"),
    PageSpec("Decide", "pages/7_rounds.py", "Rounds", ":material/autorenew:", "rounds"),
    PageSpec("Explore", "pages/6_compare.py", "Compare", ":material/compare_arrows:", "compare"),
    PageSpec(
        "Explore", "pages/7_sensitivity.py", "Sensitivity", ":material/swap_vert:", "sensitivity"
    ),
    PageSpec(
        "Explore", "pages/8_collapse.py", "Collapse simulator", ":material/blur_on:", "collapse"
    ),
    PageSpec("Explore", "pages/9_library.py", "Library", ":material/folder_open:", "library"),
    PageSpec("Share", "pages/10_report.py", "Report", ":material/description:", "report"),
)


def neighbours(path: str) -> tuple[tuple[str, str], ...]:
    """(path, label) links to the previous and next pages of the Decide walk-through."""
    decide = [p for p in PAGES if p.section == "Decide"]
    idx = next((i for i, p in enumerate(decide) if p.path == path), None)
    if idx is None:
        return ()
    out = []
    if idx > 0:
        out.append((decide[idx - 1].path, f"← Back: {decide[idx - 1].title}"))
    if idx + 1 < len(decide):
        out.append((decide[idx + 1].path, f"Next: {decide[idx + 1].title} →"))
    return tuple(out)
