"""Colours, type sizes and text escaping shared by every page and chart.

Colours come from the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), which
stays distinguishable under the common colour-vision deficiencies. Each meaning has one colour
everywhere: human data is blue, synthetic data orange, human review green, the recommended mix
black. Charts repeat the meaning with line dashes or labels so colour is never the only cue.
"""

from __future__ import annotations

import html
import string

from hybrid.palette import (  # noqa: F401 (theme.X for pages)
    HUMAN,
    PLAN_COLORS,
    RECOMMENDED,
    REVIEW,
    SYNTHETIC,
    TARGET,
)

BAND = "rgba(0, 114, 178, 0.18)"  # the learning curve's uncertainty band, a pale human blue
MUTED = "#BBBBBB"  # rules that do not bind, budget left unspent

PLAN_TITLES = {
    "all-human": "All-human",
    "all-synthetic": "All-synthetic",
    "recommended": "Recommended mix",
}
LAYER_COLOURS = {"expert_anchor": HUMAN, "synthetic_extension": SYNTHETIC, "human_review": REVIEW}
LAYER_TITLES = {
    "expert_anchor": "Expert anchor (human labels)",
    "synthetic_extension": "Synthetic extension",
    "human_review": "Human review",
}

# Sizes for a shared screen read from the back of a meeting room.
CHART_FONT = 17
CHART_TITLE_FONT = 22
CHART_HEIGHT = 540

# Static CSS only: user text never goes through this.
CSS = """
<style>
[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
/* Captions dark enough to read on a projector (WCAG AA contrast; Streamlit's default is 3.7:1). */
div[data-testid="stCaptionContainer"], div[data-testid="stCaptionContainer"] p {
  color: #4B4F5C !important; opacity: 1 !important;
}
/* Metrics never elide: the value shrinks with the column, labels and deltas wrap. */
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: clamp(1.5rem, 2.1vw, 2.6rem); }
[data-testid="stMetricValue"] > div,
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div,
[data-testid="stMetricDelta"] div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;
}
[data-testid="stSidebar"] [data-testid="stMetricValue"] { font-size: 1.6rem; }
div[data-testid="stCaptionContainer"] p { font-size: 0.98rem; }
[data-testid="stButtonGroup"] button { min-width: 3.4rem; min-height: 2.7rem; }
[data-testid="stButtonGroup"] button p { font-size: 1.15rem; }
button[data-variant="segmented_control"][aria-checked="true"] {
  background-color: #0072B2 !important; border-color: #0072B2 !important; color: #FFFFFF !important;
}
button[data-variant="segmented_control"][aria-checked="true"] p {
  color: #FFFFFF !important; font-weight: 700;
}
[data-testid="stPageLink"] a {
  border: 1px solid #0072B2; border-radius: 0.5rem; padding: 0.45rem 1.1rem;
}
[data-testid="stPageLink"] a p { font-size: 1.1rem; font-weight: 600; }
</style>
"""

_MD_SPECIAL = set(string.punctuation)


def md_escape(text: object) -> str:
    """User text made inert for Streamlit markdown: every ASCII punctuation mark is
    backslash-escaped
    (CommonMark allows it), so no emphasis, link, HTML, LaTeX ``$``, ``:colour[...]`` directive or
    emoji shortcode can be formed; line breaks become spaces."""
    s = " ".join(str(text).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in s)


def html_text(text: object) -> str:
    """User text for Plotly labels, which render a subset of HTML."""
    return html.escape(" ".join(str(text).split()), quote=True)
