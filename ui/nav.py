"""The dashboard's pages, in navigation order: app.py registers every one of them, and
tests/test_nav.py checks that each listed file exists and each file in pages/ is listed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

import streamlit as st

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
    PageSpec(
        "Decide",
        "pages/5_recommendation.py",
        "Recommendation",
        ":material/recommend:",
        "recommendation",
    ),
    PageSpec("Decide", "pages/6_workplan.py", "Work plan", ":material/assignment:", "workplan"),
    PageSpec("Decide", "pages/7_rounds.py", "Rounds", ":material/autorenew:", "rounds"),
    PageSpec("Explore", "pages/8_compare.py", "Compare", ":material/compare_arrows:", "compare"),
    PageSpec(
        "Explore", "pages/9_sensitivity.py", "Sensitivity", ":material/swap_vert:", "sensitivity"
    ),
    PageSpec(
        "Explore", "pages/10_collapse.py", "Collapse simulator", ":material/blur_on:", "collapse"
    ),
    PageSpec("Explore", "pages/11_library.py", "Library", ":material/folder_open:", "library"),
    PageSpec("Share", "pages/12_report.py", "Report", ":material/description:", "report"),
)


def navigation(position: Literal["sidebar", "hidden"] = "sidebar"):
    """Register every page with Streamlit's ``st.navigation`` and return the one the URL asks for.

    The Start page is the default, served at the root URL; its own link (/start) opens it too
    instead of "Page not found" (a hidden second entry, so the navigation lists Start once). One
    flat list in walk-through order: Streamlit's sectioned sidebar puts section headers inside the
    <ul>, which screen readers (and axe-core) reject as a broken list. Paths are absolute, so the
    same pages register whether app.py or a page file is the script Streamlit started.
    """
    pages = [
        st.Page(
            ROOT / spec.path,
            title=spec.title,
            icon=spec.icon,
            url_path="" if spec.url_path == "start" else spec.url_path,
            default=spec.url_path == "start",
        )
        for spec in PAGES
    ]
    start = PAGES[0]
    pages.append(
        st.Page(ROOT / start.path, title=start.title, url_path="start", visibility="hidden")
    )
    return st.navigation(pages, position=position, expanded=True)


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
