"""Helpers shared by the browser tests: skip without Chromium, find a Streamlit metric by its
label, check for tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.streamlit_server import CHROMIUM

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} not found: install Debian's chromium package (scripts/test does it)",
)


def metric(page, label: str, where: str = "stMain"):
    """The value element of the st.metric whose label is exactly ``label`` in ``where``."""
    box = page.locator(f'[data-testid="{where}"] [data-testid="stMetric"]').filter(
        has=page.locator(
            '[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
        )
    )
    return box.locator('[data-testid="stMetricValue"]').first


def no_exceptions(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.locator('[data-testid="stMain"]').inner_text()
