"""Streamlit helpers shared by the dashboard's pages: session state and the URL (``state``), cached
calls into the decision core (``compute``), Plotly figures (``charts``), colours and escaping
(``theme``) and the page list (``nav``). The decision core, ``hybrid``, never imports Streamlit."""
