"""Model-collapse simulator: a heavy-tailed distribution refitted on its own samples, generation
after
generation, replacing its data or accumulating it, with a share of fresh human data each generation.

The simulation is ``hybrid.collapse`` (a Zipf categorical over K categories, refitted by maximum
likelihood on counts); this page only sets its parameters, caches runs (``ui.whatif.collapse_runs``)
and draws tail coverage, categories still seen, total-variation distance and tail mass for both
modes on the same charts."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
state.page_setup(
    "Model-collapse simulator",
    "What happens to rare cases when each model generation trains on the previous one's output, "
    "and how much "
    "fresh human data stops it.",
)

import time

import pandas as pd

from hybrid.errors import InputError
from hybrid.safetext import neutralise_frame
from ui import baseline, whatif
from ui import whatif_charts as charts
from ui.theme import md_escape

PAGE = "pages/10_collapse.py"
SAMPLE_SIZES = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]
CATEGORY_COUNTS = [100, 300, 1_000, 3_000, 10_000, 30_000, 100_000]
MODE_TITLES = {"replace": "Replace", "accumulate": "Accumulate"}
# The per-generation table: CollapseResult.to_rows keys -> column titles, and number formats.
TABLE_COLUMNS = {
    "generation": "Generation",
    "mode": "Mode",
    "fresh_share": "Fresh human data",
    "training_examples": "Training examples",
    "tail_coverage": "Tail coverage",
    "categories_alive": "Categories still seen",
    "categories_alive_share": "Share of categories still seen",
    "tail_mass": "Tail mass",
    "tail_mass_vs_true": "Tail mass vs. true",
    "tv_distance": "Total-variation distance",
}
TABLE_FORMATS = {
    "Fresh human data": "percent",
    "Training examples": "localized",
    "Tail coverage": "percent",
    "Share of categories still seen": "percent",
    "Tail mass": "%.3f",
    "Tail mass vs. true": "%.2f",
    "Total-variation distance": "percent",
}


def _si(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else (f"{n // 1000}k" if n >= 1000 else str(n))


baseline.render_delta(state.current(), state.policy_text())

with st.container(border=True):
    st.markdown(
        "**What this shows.** Training on generated data, generation after generation, narrows the "
        "distribution: "
        "a rare case the model happens not to generate is gone from the next model's training "
        "data, and without "
        "fresh human data it never comes back. Here a “model” is a frequency table over K "
        "categories with a long, "
        "Zipf-shaped tail of rare ones; each generation is refitted on samples from the last. "
        "**Replace** trains "
        "each generation only on the previous generation's output; **accumulate** keeps all "
        "earlier data. The "
        "fresh-human-data slider mixes that share of new real samples into every generation: the "
        "correction signal."
    )
    st.caption(
        "Sources: Shumailov et al., “AI models collapse when trained on recursively generated "
        "data”, Nature 2024 "
        "(replacing data loses the tails); Gerstgrasser et al., “Is Model Collapse Inevitable? "
        "Breaking the Curse "
        "of Recursion by Accumulating Real and Synthetic Data”, 2024 (accumulating keeps the error "
        "bounded); "
        "Dohmatob et al., “A Tale of Tails: Model Collapse as a Change of Scaling Laws”, ICML 2024 "
        "(tail "
        "truncation)."
    )

with st.container(border=True):
    c1, c2, c3 = st.columns(3, gap="large")
    c1.slider(
        "Fresh human data in each generation",
        min_value=0,
        max_value=100,
        step=1,
        format="%d%%",
        help="Share of each generation's training examples that are new real samples; the rest are "
        "generated.",
        **whatif.kept("collapse.fresh", 0),
    )
    c1.slider(
        "Generations", min_value=1, max_value=100, step=1, **whatif.kept("collapse.generations", 20)
    )
    c2.select_slider(
        "Training examples per generation",
        SAMPLE_SIZES,
        format_func=_si,
        **whatif.kept("collapse.samples", 100_000),
    )
    c2.select_slider(
        "Categories K (distinct patterns)",
        CATEGORY_COUNTS,
        format_func=lambda k: f"{k:,}",
        **whatif.kept("collapse.categories", 10_000),
    )
    c3.slider(
        "Zipf exponent (higher: more mass in the head)",
        min_value=0.5,
        max_value=2.0,
        step=0.05,
        format="%.2f",
        **whatif.kept("collapse.zipf", 1.1),
    )
    # Side by side in a third of the row, the toggles' names were cut to "Repl…" and "Acc…".
    c1.toggle(
        "Show replace",
        help="Each generation trains only on the last one's output.",
        **whatif.kept("collapse.show.replace", True),
    )
    c2.toggle(
        "Show accumulate",
        help="Each generation keeps all earlier data.",
        **whatif.kept("collapse.show.accumulate", True),
    )
    c3.number_input(
        "Random seed", min_value=0, max_value=2**31 - 1, step=1, **whatif.kept("collapse.seed", 0)
    )

fresh = int(whatif.kept_value("collapse.fresh", 0))
generations = int(whatif.kept_value("collapse.generations", 20))
samples = int(whatif.kept_value("collapse.samples", 100_000))
k = int(whatif.kept_value("collapse.categories", 10_000))
zipf = float(whatif.kept_value("collapse.zipf", 1.1))
seed = int(whatif.kept_value("collapse.seed", 0))
modes = [m for m in ("replace", "accumulate") if whatif.kept_value(f"collapse.show.{m}", True)]

t0 = time.perf_counter()
try:
    runs = whatif.collapse_runs(k, round(zipf, 4), samples, generations, fresh / 100.0, seed)
except InputError as exc:
    st.error(md_escape(str(exc)), icon=":material/error:")
    state.finish(PAGE)
    st.stop()
st.session_state["hd.collapse.ms"] = (time.perf_counter() - t0) * 1000.0

if not modes:
    st.info("Turn on “Show replace”, “Show accumulate” or both.", icon=":material/visibility:")
    state.finish(PAGE)
    st.stop()

# --- headline
# ----------------------------------------------------------------------------------------
cols = st.columns(len(modes), gap="medium")
for col, mode in zip(cols, modes, strict=True):
    r = runs[mode]
    alive, cov = int(r.alive[-1]), float(r.tail_coverage[-1])
    with col, st.container(border=True):
        st.markdown(f"**{MODE_TITLES[mode]}, after {generations} generations**")
        m1, m2, m3 = st.columns(3)
        # Accumulating never loses a category: the ones missing were never sampled, not lost.
        missing, said = ("unseen", "not yet seen") if mode == "accumulate" else ("lost", "lost")
        m1.metric(
            "Categories seen",
            f"{alive:,}",
            f"{k - alive:,} {missing}" if alive < k else f"all {k:,}",
            delta_color="off",
            delta_arrow="off",
            help=f"{alive:,} of the {k:,} categories can still be produced; {k - alive:,} are "
            f"{said}.",
        )
        m2.metric(
            "Tail coverage",
            f"{cov:.0%}",
            help="Share of the true tail's probability on categories the model can still produce.",
        )
        m3.metric(
            "TV distance",
            f"{float(r.tv_distance[-1]):.1%}",
            help="Total-variation distance from the true distribution: 0% is identical, 100% "
            "disjoint.",
        )
sentences = []
if "replace" in modes:
    r = runs["replace"]
    lost = k - int(r.alive[-1])
    text = (
        f"Replace: after {generations} generations the model can no longer produce {lost:,} of "
        f"{k:,} categories"
    )
    if "reference" in runs:
        text += (
            f" ({k - int(runs['reference'].alive[-1]):,} with no fresh human data, the dotted grey "
            f"line)"
        )
    text += (
        f"; {1.0 - float(r.tail_coverage[-1]):.0%} of real rare cases are ones it cannot produce."
    )
    sentences.append(text)
    if fresh == 0:
        sentences.append(
            "Move the fresh-human-data slider to see how much new real data stops the loss."
        )
if "accumulate" in modes:
    a = runs["accumulate"]
    sentences.append(
        f"Accumulate: {int(a.alive[-1]):,} categories seen; a category once seen is never lost."
    )
st.markdown(f"#### {md_escape(' '.join(sentences))}")

# --- charts
# ----------------------------------------------------------------------------------------
figs = charts.collapse_charts(runs, modes)
left, right = st.columns(2, gap="large")
left.plotly_chart(
    figs["coverage"], theme=None, key="collapse.coverage", config={"displayModeBar": False}
)
right.plotly_chart(
    figs["alive"], theme=None, key="collapse.alive", config={"displayModeBar": False}
)
left, right = st.columns(2, gap="large")
left.plotly_chart(figs["tv"], theme=None, key="collapse.tv", config={"displayModeBar": False})
right.plotly_chart(
    figs["tail_mass"], theme=None, key="collapse.tail_mass", config={"displayModeBar": False}
)
st.caption(
    "Tail coverage: share of the true tail's probability (the rarest 90% of categories) on "
    "categories the model "
    "can still produce. Categories still seen: those with probability above zero. Total-variation "
    "distance: half "
    "the summed absolute difference from the true distribution (0% = identical). Tail mass wanders "
    "rather than "
    "falls on average; the damage is that it piles onto fewer categories."
)
with st.expander("Every generation as a table"):
    table = pd.DataFrame([row for mode in modes for row in runs[mode].to_rows()])
    table["mode"] = table["mode"].map(MODE_TITLES)
    table = table.rename(columns=TABLE_COLUMNS)[list(TABLE_COLUMNS.values())]
    st.dataframe(
        neutralise_frame(table),
        hide_index=True,
        width="stretch",
        key="collapse.table",
        column_config={
            title: st.column_config.NumberColumn(title, format=fmt)
            for title, fmt in TABLE_FORMATS.items()
        },
    )

state.finish(PAGE)
