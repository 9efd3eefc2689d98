"""The dashboard's entry point: ``streamlit run app.py``.

A router only: it registers every page in ``ui.nav.PAGES``, grouped into the
Decide walk-through and the later Explore and Share sections, and runs the current one. Each page
sets itself up through ``ui.state`` so it also runs on its own (``AppTest.from_file``).
"""

from __future__ import annotations

import streamlit as st

from ui import nav
from ui.state import NAV

st.set_page_config(page_title="Human vs synthetic data planner", layout="wide")

sections: dict[str, list] = {}
for spec in nav.PAGES:
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.url_path == "start")
    )
st.session_state[NAV] = True
st.navigation(sections, expanded=True).run()
