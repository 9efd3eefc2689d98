"""The PDF's charts are the report's plotly figures drawn by matplotlib (hybrid/share/static.py):
one chart definition for the HTML report and the PDF."""

import plotly.graph_objects as go
import pytest

from hybrid.model.scenario import load_scenario
from hybrid.share.figures import figures
from hybrid.share.pdf import render_pdf
from hybrid.share.report import build_report
from hybrid.share.static import png
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def data(policy):
    return build_report(load_scenario(EXAMPLES[0]), policy)


def test_every_report_figure_renders_as_a_png(data):
    for name, fig in figures(data).items():
        image, height = png(fig)
        assert image.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert height == pytest.approx(fig.layout.height / (700 / 180)), name


def test_the_pdf_embeds_the_three_figures_as_images(data):
    pdf = render_pdf(data)
    assert pdf.count(b"/Subtype /Image") == 3
    assert render_pdf(data) == pdf  # deterministic, image bytes included


def test_money_labels_are_not_read_as_mathtext():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2], text=["$1", "$2"]))
    fig.update_layout(title_text="from $1 to $2", height=300)
    assert png(fig)[0].startswith(b"\x89PNG")


def test_a_figure_outside_the_drawn_subset_is_refused():
    with pytest.raises(ValueError, match="not drawn"):
        png(go.Figure(go.Pie(values=[1, 2])))
