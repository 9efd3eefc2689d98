"""Factors: the four decision factors, data use and cultural sensitivity, and what each answer does
to the guardrails, live."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Factors: how far can synthetic data be trusted here?",
    "Answer each question for your task. The guardrails below move as you answer; they bound how "
    "much "
    "of the new data may be synthetic, how much of it humans review, and how much goes to expert "
    "labels.",
)

from hybrid.errors import InputError
from hybrid.explain.rationale import FACTOR_TITLES, LABEL_TITLES
from hybrid.model.policy import parse_policy, regulated_keyword
from hybrid.model.scenario import DATA_USE_TITLES, DATA_USES, Factors
from ui import charts, compute, nav
from ui.theme import md_escape

PAGE = "pages/2_factors.py"
MAX_POLICY_FILE = 256 * 1024

USE_TITLES = DATA_USE_TITLES

# What a 1 and a 5 look like, from tasks a team will recognise.
LOOKS_LIKE = {
    "error_cost": (
        "Paraphrase augmentation for a chat assistant: a clumsy paraphrase costs nothing.",
        "Medical notes: a missed adverse event hides a drug reaction from safety reviewers.",
    ),
    "domain_judgment": (
        "Paraphrase augmentation: anyone fluent can tell whether two sentences mean the same.",
        "Medical notes: only a clinician can say whether a note describes an adverse event.",
    ),
    "edge_cases": (
        "Code mid-training: the common idioms carry the metric; a rare API barely moves it.",
        "Safety classifier: the rare, novel attack is exactly what it exists to catch.",
    ),
    "iteration_maturity": (
        "A new safety classifier: the team is still deciding what counts as harmful; no human "
        "baseline.",
        "Code mid-training: tests, benchmarks and human baselines already measure quality.",
    ),
    "cultural_sensitivity": (
        "Code mid-training: a sorting function is the same in every culture.",
        "A hate-speech classifier across regions: slurs and reclaimed words depend on the "
        "community.",
    ),
}


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _on_policy_upload(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        return
    data = upload.getvalue()
    try:
        if len(data) > MAX_POLICY_FILE:
            raise InputError(f"{upload.name}: {len(data):,} bytes is too large for a policy file")
        text = data.decode("utf-8", errors="strict")
        parse_policy(text, upload.name)
    except UnicodeDecodeError:
        state.set_error(key, None, f"{upload.name}: not UTF-8 text")
        return
    except InputError as exc:
        state.set_error(key, None, str(exc))
        return
    problem = state.check(state.current(), text)
    if problem:
        state.set_error(key, None, f"with this policy the current scenario fails: {problem}")
        return
    state.set_error(key, None, None)
    st.session_state[state.POLICY_TEXT] = text
    st.session_state[state.POLICY_NAME] = upload.name


def _reset_policy() -> None:
    st.session_state.pop(state.POLICY_TEXT, None)
    st.session_state.pop(state.POLICY_NAME, None)


policy = compute.policy(state.policy_text())
rails = compute.rails(scenario.model_dump_json(), state.policy_text())
a = state.analysis()

# --- the guardrails now ---------------------------------------------------------------------------
with st.container(border=True):
    st.subheader("Guardrails from your answers")
    left, right = st.columns([1, 1], gap="large")
    with left:
        m1, m2 = st.columns(2)
        m1.metric(
            "Synthetic cap",
            _pct(rails.max_synthetic_share),
            help="The largest share of the new examples that may be synthetic.",
        )
        m2.metric(
            "Review at least",
            _pct(rails.min_review_coverage),
            help="Share of synthetic examples humans check.",
        )
        m3, m4 = st.columns(2)
        m3.metric(
            "Expert anchor at least", _pct(rails.min_anchor_share), help="Of the plan's spend."
        )
        if a is not None:
            m4.metric(
                "Recommended",
                LABEL_TITLES[a.rec.label],
                f"{a.rec.plan.synthetic_share:.0%} synthetic",
                delta_color="off",
                delta_arrow="off",
                help="The recommendation for these answers, as the Recommendation page shows it.",
            )
        st.markdown(
            f"The synthetic cap is set by **{md_escape(charts.bound_title(rails.cap_source))}**: "
            f"{md_escape(rails.cap_source.rule.reason)}"
        )
        word = regulated_keyword(scenario, policy)
        matched = (
            f"the domain matches \u201c{word}\u201d" if word else "no regulated word in the domain"
        )
        answers = {
            "auto": f"From the domain ({matched})",
            "yes": "Yes, regulated",
            "no": "No, not regulated",
        }
        now = {None: "auto", True: "yes", False: "no"}[scenario.regulated]
        state.seed_widget("w.regulated", now)
        st.radio(
            "Regulated domain?",
            list(answers),
            format_func=answers.get,
            key="w.regulated",
            on_change=state.widget_changed,
            args=(
                "w.regulated",
                lambda raw: {"regulated": {"auto": None, "yes": True, "no": False}[raw]},
            ),
            help=(
                "A regulated domain adds the policy's regulated-domain rule once the cost of label "
                "errors is "
                f"{policy.regulated.min_error_cost} or more. By default the domain text decides, "
                f"by whole "
                "words from the policy (medical, legal, claims, ...); your answer here overrides "
                "it."
            ),
        )
        if rails.regulated:
            if any(b.key == "regulated" for b in rails.bounds):
                st.warning(
                    f"Regulated domain "
                    f"({md_escape(matched if scenario.regulated is None else 'your answer')}) "
                    "with costly errors: "
                    f"{md_escape(policy.regulated.rule.reason)}",
                    icon=":material/gavel:",
                )
            else:
                st.info(
                    f"The domain is regulated; the regulated-domain rule applies once the cost of "
                    f"label "
                    f"errors is {policy.regulated.min_error_cost} or more.",
                    icon=":material/gavel:",
                )
    with right:
        st.plotly_chart(
            charts.guardrail_chart(rails),
            theme=None,
            key="factors.guardrails",
            config={"displayModeBar": False},
        )

# --- data use -------------------------------------------------------------------------------------
with st.container(border=True):
    st.subheader("What is the new data for?")
    use = state.choice(
        "Data use",
        "data_use",
        DATA_USES,
        format_func=lambda u: USE_TITLES.get(u, u),
        label_visibility="collapsed",
    )
    rule = policy.data_use[use]
    st.markdown(f"**{USE_TITLES[use]}**: {md_escape(rule.reason)}")
    st.caption(
        f"This use allows at most {_pct(rule.max_synthetic_share)} synthetic, needs at least "
        f"{_pct(rule.min_review_coverage)} review and {_pct(rule.min_anchor_share)} of spend on "
        f"expert labels. "
        "Preference data and evaluation sets come out human-led under the default policy."
    )

# --- the factors, one by one ----------------------------------------------------------------------
for number, name in enumerate(
    ("error_cost", "domain_judgment", "edge_cases", "iteration_maturity", "cultural_sensitivity"),
    start=1,
):
    fpol = getattr(policy.factors, name)
    with st.container(border=True):
        st.subheader(f"{number}. {FACTOR_TITLES[name].capitalize()}")
        ask, answer = st.columns([1, 1], gap="large")
        with ask:
            st.markdown(f"#### {md_escape(fpol.question)}")
            low, high = LOOKS_LIKE[name]
            st.markdown(f"**A 1 looks like:** {md_escape(low)}")
            st.markdown(f"**A 5 looks like:** {md_escape(high)}")
        with answer:
            level = state.choice(
                f"Your answer ({Factors.model_fields[name].description})",
                f"factors.{name}",
                [1, 2, 3, 4, 5],
            )
            rule = fpol.levels[level]
            binds = rails.cap_source.key == name
            st.markdown(f"**{level}:** {md_escape(rule.reason)}")
            effect = (
                f"At {level}: at most {_pct(rule.max_synthetic_share)} synthetic, review at least "
                f"{_pct(rule.min_review_coverage)}, expert anchor at least "
                f"{_pct(rule.min_anchor_share)} of spend."
            )
            if binds:
                st.warning(
                    effect + " **This answer sets the synthetic cap.**", icon=":material/lock:"
                )
            else:
                st.caption(effect)
            st.caption(
                "Cap at each answer: "
                + " · ".join(
                    (
                        f"**{lv} → {_pct(r.max_synthetic_share)}**"
                        if lv == level
                        else f"{lv} → {_pct(r.max_synthetic_share)}"
                    )
                    for lv, r in sorted(fpol.levels.items())
                )
            )

# --- the policy -----------------------------------------------------------------------------------
with st.expander("The guardrail policy behind these numbers"):
    custom = state.policy_text() is not None
    st.markdown(
        "The numbers come from "
        + (
            f"an uploaded policy, "
            f"**{md_escape(st.session_state.get(state.POLICY_NAME, 'uploaded'))}**."
            if custom
            else "the default policy, `data/policy.yaml`."
        )
        + " Every level carries a one-line reason. To use your own, download the default, edit it "
        "and upload it. "
        "An uploaded policy applies to this session only: a shared link uses the default policy."
    )
    c1, c2 = st.columns(2)
    with c1:
        key = "factors.policy_upload"
        st.file_uploader(
            "Upload a policy (YAML)",
            type=["yaml", "yml"],
            key=key,
            on_change=_on_policy_upload,
            args=(key,),
        )
        state.field_error(key, "Policy")
    with c2:
        st.download_button(
            "Download the default policy",
            data=compute.default_policy_text(),
            file_name="policy.yaml",
            mime="application/x-yaml",
            key="factors.policy_download",
        )
        if custom:
            st.button(
                "Use the default policy again", key="factors.policy_reset", on_click=_reset_policy
            )

state.finish(PAGE, nav.neighbours(PAGE))
