"""Helpers shared by the AppTest page tests: run checks, page switches and reading what is shown."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from hybrid.model.scenario import Scenario


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def go(at: AppTest, page: str) -> AppTest:
    return ok(at.switch_page(page).run())


def scenario(at: AppTest) -> Scenario:
    return at.session_state["hd.scenario"]


def main_metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.main.metric if m.label == label]
    assert found, f"no metric {label!r} in {[m.label for m in at.main.metric]}"
    return found[0]


def sidebar_metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.sidebar.metric if m.label == label)


def plain(markdown: str) -> str:
    """Markdown with the backslash escapes of user and core text removed, as a reader sees it."""
    return re.sub(r"\\(.)", r"\1", markdown)


def errors(at: AppTest) -> str:
    return " | ".join(plain(e.value) for e in at.error)


def warnings(at: AppTest) -> str:
    return " | ".join(plain(w.value) for w in at.warning)
