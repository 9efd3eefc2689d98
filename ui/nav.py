"""The dashboard's pages. app.py registers the ones whose files exist, so a later page (compare,
sensitivity, collapse, library, report) appears in the navigation as soon as its file lands."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


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
    PageSpec("Decide", "pages/5_recommendation.py", "Recommendation", ":material/recommend:", "recommendation"),
    PageSpec("Explore", "pages/6_compare.py", "Compare", ":material/compare_arrows:", "compare"),
    PageSpec("Explore", "pages/7_sensitivity.py", "Sensitivity", ":material/swap_vert:", "sensitivity"),
    PageSpec("Explore", "pages/8_collapse.py", "Collapse simulator", ":material/blur_on:", "collapse"),
    PageSpec("Explore", "pages/9_library.py", "Library", ":material/folder_open:", "library"),
    PageSpec("Share", "pages/10_report.py", "Report", ":material/description:", "report"),
)


def available(root: Path = ROOT) -> list[PageSpec]:
    return [p for p in PAGES if (root / p.path).is_file()]


def neighbours(path: str, root: Path = ROOT) -> tuple[tuple[str, str], ...]:
    """(path, label) links to the previous and next pages of the Decide walk-through."""
    decide = [p for p in available(root) if p.section == "Decide"]
    idx = next((i for i, p in enumerate(decide) if p.path == path), None)
    if idx is None:
        return ()
    out = []
    if idx > 0:
        out.append((decide[idx - 1].path, f"← Back: {decide[idx - 1].title}"))
    if idx + 1 < len(decide):
        out.append((decide[idx + 1].path, f"Next: {decide[idx + 1].title} →"))
    return tuple(out)
