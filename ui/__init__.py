"""Streamlit helpers shared by the dashboard's pages: session state and the URL (``state``), cached
calls into the decision core (``compute``), Plotly figures (``charts``, ``whatif_charts``), colours
and escaping (``theme``), the page list (``nav``), the baseline, the upload and evidence blocks and
the library actions.

May import: ``hybrid`` (any package) and Streamlit; never ``pages/`` or ``app.py``. Within ``ui``
imports form no cycle (tests/test_import_graph.py); ``state`` sits above ``baseline`` and
``compute``.
"""
