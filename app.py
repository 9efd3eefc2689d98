"""The dashboard's entry point: ``streamlit run app.py``.

A router only: it registers every page in ``ui.nav.PAGES``, grouped into the
Decide walk-through and the later Explore and Share sections, and runs the current one. Each page
sets itself up through ``ui.state`` so it also runs on its own (``AppTest.from_file``).
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

sections: dict[str, list] = {}
for spec in nav.PAGES:
    sections.setdefault(spec.section, []).append(
        st.Page(
            spec.path,
            title=spec.title,
            icon=spec.icon,
            url_path="" if spec.url_path == "start" else spec.url_path,
            default=spec.url_path == "start",
        )
    )
# The default page is served at the root URL; its own link (/start) opens it too instead of
# "Page not found". Hidden, so the navigation lists Start once.
sections["Decide"].append(
    st.Page(nav.PAGES[0].path, title=nav.PAGES[0].title, url_path="start", visibility="hidden")
)
st.session_state[NAV] = True
# One flat list in walk-through order: Streamlit's sectioned sidebar puts section headers inside
# the <ul>, which screen readers (and axe-core) reject as a broken list.
st.navigation([p for pages in sections.values() for p in pages], expanded=True).run()
