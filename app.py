"""The dashboard's entry point: ``streamlit run app.py``.

A router only: it registers every page in ``ui.nav.PAGES`` (the Decide walk-through, then the
Explore and Share pages) with ``st.navigation`` and runs the current one. Each page sets itself up
through ``ui.state`` so it also runs on its own (``AppTest.from_file``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import nav
from ui.state import NAV

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"

# The favicon is a file the app serves itself: a page's ``:material/...:`` icon would otherwise
# become the browser-tab icon, fetched from an outside font host on every page.
st.set_page_config(
    page_title="Human vs synthetic data planner", page_icon=str(FAVICON), layout="wide"
)

st.session_state[NAV] = True
nav.navigation().run()
