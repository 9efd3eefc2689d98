"""Dataset: the data the team already has. Upload it (or a statistics file) to fill the fields, or
type the numbers; either way every field stays editable."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly, scikit-learn's readers; about a
# second cold) come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Dataset: what do we already have?",
    "Upload the labeled data (or a statistics file) to fill these numbers, or type them. Unknown "
    "values "
    "can stay empty: the policy's documented defaults fill them.",
)

from hybrid.share.urlstate import MAX_EXAMPLES
from ui import compute, evidence, nav, object_storage, upload
from ui.theme import md_escape

PAGE = "pages/3_dataset.py"


def _size_updates(raw):
    ds = state.current().dataset
    total = 0 if raw is None else int(raw)
    share = _share(ds)
    synthetic = round(total * share)
    return {"dataset.human_examples": total - synthetic, "dataset.synthetic_examples": synthetic}


def _share_updates(raw):
    ds = state.current().dataset
    total = 0 if ds is None else ds.human_examples + ds.synthetic_examples
    share = 0.0 if raw is None else float(raw)
    if not 0.0 <= share <= 1.0:
        from hybrid.errors import InputError

        raise InputError(f"the share must be between 0 and 1 (got {share:g})")
    synthetic = round(total * share)
    return {"dataset.human_examples": total - synthetic, "dataset.synthetic_examples": synthetic}


def _share(ds) -> float:
    if ds is None or ds.human_examples + ds.synthetic_examples == 0:
        return 0.0
    return ds.synthetic_examples / (ds.human_examples + ds.synthetic_examples)


upload.section()
object_storage.section()
evidence.section()

ds = scenario.dataset
with st.container(border=True):
    st.subheader("The numbers")
    c1, c2, c3 = st.columns(3, gap="large")
    total = 0 if ds is None else ds.human_examples + ds.synthetic_examples
    state.number(
        "Dataset size (labeled rows in hand)",
        "dataset.size",
        integer=True,
        min_value=0,
        max_value=MAX_EXAMPLES,
        step=1000,
        key="w.dataset.size",
        model_value=total,
        to_updates=_size_updates,
        where=c1,
        help="Rows with labels today, human-labeled and synthetic together. They place today's "
        "metric on the learning curve.",
    )
    state.number(
        "Share already synthetic (0 to 1)",
        "dataset.share",
        min_value=0.0,
        max_value=1.0,
        step=0.05,
        fmt="%.2f",
        key="w.dataset.share",
        model_value=round(_share(ds), 4),
        to_updates=_share_updates,
        where=c1,
        help=(
            f"Synthetic rows in hand count as "
            f"{compute.policy(state.policy_text()).model.existing_synthetic_value.value:g} "
            "of a human row each (the policy's default) until the exchange-rate test measures them."
        ),
    )
    ds = state.current().dataset
    if ds is not None:
        c1.caption(
            f"= {ds.human_examples:,} human-labeled + {ds.synthetic_examples:,} synthetic rows"
        )
    state.number(
        "Label classes",
        "dataset.classes",
        integer=True,
        min_value=2,
        max_value=1_000_000,
        optional=True,
        placeholder="unknown (binary assumed)",
        where=c2,
        help="More classes make a wrong label less damaging per example (symmetric label noise).",
    )
    state.number(
        "Tail share: rows in rare classes (0 to 1)",
        "dataset.tail_share",
        min_value=0.0,
        max_value=1.0,
        step=0.01,
        fmt="%.2f",
        optional=True,
        placeholder="unknown",
        where=c2,
        help="Raises the weight of edge cases in the metric (never lowers the weight your "
        "edge-case answer set).",
    )
    state.number(
        "Annotator agreement (0 to 1)",
        "dataset.annotator_agreement",
        min_value=0.0,
        max_value=1.0,
        step=0.01,
        fmt="%.2f",
        optional=True,
        placeholder="unknown (3% human error assumed)",
        where=c3,
        help="Observed agreement between two human annotators on the same rows; it sets how noisy "
        "human labels are.",
    )
    state.text(
        "Where these numbers came from (optional)",
        "dataset.source",
        optional=True,
        max_chars=500,
        where=c3,
        placeholder="e.g. profile of tickets-2025.csv",
    )

GENERATION_TITLES = {
    "generated": "Generated from human examples",
    "augmented": "Augmented human rows",
    "prelabel": "Model pre-labels on real inputs",
}

ds = state.current().dataset
response = None if ds is None else ds.synthetic_response
measured = ds is not None and (
    response is not None
    or ds.synthetic_exchange_rate is not None
    or ds.synthetic_tail_coverage is not None
)
with st.expander("How synthetic rows are made, and what they are worth", expanded=measured):
    state.choice(
        "Kind of synthetic data",
        "economics.generation",
        list(GENERATION_TITLES),
        format_func=GENERATION_TITLES.get,
        help="How fast generated rows stop adding anything depends on how they are made: new "
        "inputs from a "
        "generator seeded with human examples, transformations of human rows, or model labels on "
        "real, "
        "unlabeled inputs (policy defaults per kind, until a pilot measures it).",
    )
    if response is not None:
        st.markdown(
            md_escape(
                f"Planning on the response measured on the pilot: a synthetic row is worth "
                f"{response.value:.2f} "
                f"human rows before saturation, about {response.saturation:.3g} per human row "
                f"still add something, "
                f"and training on them alone would lose {100 * response.floor:.1f} points to "
                f"repeated errors."
            )
        )
        st.button(
            "Stop using the measured response",
            key="dataset.response.clear",
            on_click=state.try_update,
            args=({"dataset.synthetic_response": None},),
            icon=":material/undo:",
        )
    st.caption(
        "Measured values replace the policy's defaults. “Measure what synthetic rows add” above "
        "fills them "
        "from an uploaded pilot file; an exchange rate measured elsewhere can be typed."
    )
    e1, e2 = st.columns(2)
    state.number(
        "Synthetic exchange rate (human rows one synthetic row is worth)",
        "dataset.synthetic_exchange_rate",
        min_value=0.001,
        max_value=10.0,
        step=0.05,
        fmt="%.3f",
        optional=True,
        placeholder="not measured",
        where=e1,
    )
    state.number(
        "Synthetic tail coverage (0 to 1)",
        "dataset.synthetic_tail_coverage",
        min_value=0.0,
        max_value=1.0,
        step=0.05,
        fmt="%.3f",
        optional=True,
        placeholder="not measured",
        where=e2,
    )

rails = compute.rails(state.current().model_dump_json(), state.policy_text())
a = state.analysis()
with st.container(border=True):
    st.subheader("What these numbers do")
    m1, m2, m3 = st.columns(3)
    if a is not None:
        m1.metric(
            "Today's metric",
            f"{a.rec.today_metric:.3f}",
            help="Read off the learning curve at the rows in hand.",
        )
    m2.metric(
        "Edge cases' share of the metric",
        f"{rails.tail_weight:.0%}",
        help="From the edge-case answer, raised by the tail share.",
    )
    if a is not None:
        m3.metric(
            "A synthetic row is worth",
            f"{a.exchange_rate:.2f} human rows",
            help="At the recommended review coverage, in the common cases.",
        )
    st.caption(
        md_escape(
            "Human rows in hand set where the plan starts on the learning curve; "
            "the tail share and agreement change what a synthetic row is worth."
        )
    )

state.finish(PAGE, nav.neighbours(PAGE))
