"""The baseline: a scenario the meeting measures every later change against.

``set_baseline(scenario)`` keeps a copy in the session (the current scenario, a saved one, an
example); ``baseline()`` returns it; ``render_delta()`` draws a compact sidebar block listing what
moved between the baseline's recommendation and the current one: the label, the synthetic share,
the cost per point and the spend, each with an arrow and a signed change, and which inputs differ.
Both recommendations come from the cached ``ui.compute`` analysis under the session's policy.

``render_delta`` draws at most once per script run (it remembers the run's start time that
``state.page_setup`` records), so a page may call it at the top while the shared sidebar calls it
too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st

from hybrid.explain.rationale import LABEL_TITLES
from hybrid.model.scenario import Scenario
from hybrid.money import money
from hybrid.whatif.compare import deltas, differing_inputs
from ui import compute
from ui.theme import md_escape
from ui.whatif import input_title

BASELINE = "hd.baseline"  # {"scenario": Scenario, "title": str, "set_at": "HH:MM UTC"}
_DRAWN = "hd.baseline.drawn"  # the run (hd.t0) whose sidebar already shows the block
MAX_INPUTS_LISTED = 4


def set_baseline(scenario: Scenario, title: str | None = None) -> None:
    """Make ``scenario`` (a copy) the baseline; ``title`` says where it came from."""
    st.session_state[BASELINE] = {
        "scenario": scenario.model_copy(deep=True),
        "title": title or scenario.name,
        "set_at": datetime.now(UTC).strftime("%H:%M UTC"),
    }


def clear_baseline() -> None:
    st.session_state.pop(BASELINE, None)


def baseline() -> Scenario | None:
    entry = st.session_state.get(BASELINE)
    return entry["scenario"] if entry else None


def baseline_title() -> str | None:
    entry = st.session_state.get(BASELINE)
    return entry["title"] if entry else None


def _arrow(change: float) -> str:
    return "▲" if change > 0 else "▼"


def delta_lines(base: Scenario, cur: Scenario, policy_text: str | None) -> list[str] | None:
    """Plain-text lines, one per headline number that moved; [] when nothing moved; None when
    either recommendation cannot be computed."""
    try:
        b = compute.analysis_for(base, policy_text).rec
        c = compute.analysis_for(cur, policy_text).rec
    except Exception:  # noqa: BLE001 - the page itself reports why the current one fails
        return None
    moved = {d.field: d for d in deltas(b, c)}
    lines: list[str] = []
    if "label" in moved:
        lines.append(f"Recommendation: {LABEL_TITLES[b.label]} → {LABEL_TITLES[c.label]}")
    if "synthetic_share" in moved:
        d = moved["synthetic_share"]
        pts = 100 * (d.change or 0.0)
        lines.append(
            f"Synthetic share: {d.baseline:.0%} → {d.current:.0%} ({_arrow(pts)} {pts:+.0f} pts)"
        )
    same_currency = b.currency == c.currency
    for key, title in (("cost_per_point", "Cost per point"), ("spend", "Spend")):
        if key not in moved:
            continue
        d = moved[key]
        old = "no gain" if d.baseline is None else money(float(d.baseline), b.currency)
        new = "no gain" if d.current is None else money(float(d.current), c.currency)
        if d.change is not None and same_currency:
            sign = "+" if d.change > 0 else "−"
            lines.append(
                f"{title}: {old} → {new} ({_arrow(d.change)} "
                f"{sign}{money(abs(d.change), c.currency)})"
            )
        else:
            lines.append(f"{title}: {old} → {new}")
    return lines


def _changed_inputs(base: Scenario, cur: Scenario) -> list[str]:
    titles: list[str] = []
    for path in differing_inputs([base, cur]):
        t = input_title(path)
        if t not in titles:
            titles.append(t)
    return titles


def _clear() -> None:
    clear_baseline()


def render_delta(cur: Scenario, policy_text: str | None, where: Any = None) -> None:
    """The sidebar block: what moved from the baseline to ``cur`` (or how to set one).

    The caller passes the current scenario and policy so this module need not import ``ui.state``
    (which imports it for the shared sidebar).
    """
    ss = st.session_state
    run = ss.get("hd.t0")
    if run is not None and ss.get(_DRAWN) == run:
        return
    ss[_DRAWN] = run
    where = where or st.sidebar
    entry = ss.get(BASELINE)
    if not entry:
        where.caption(
            "No baseline set. Set one on the Compare or Library page to see what each change moves."
        )
        return
    base = entry["scenario"]
    with where.container(border=True):
        st.markdown("**Since the baseline**")
        st.caption(md_escape(f"Baseline: {entry['title']} (set {entry['set_at']})"))
        lines = delta_lines(base, cur, policy_text)
        changed = _changed_inputs(base, cur)
        if lines is None:
            st.caption("No comparison: one of the two has no recommendation.")
        elif not lines:
            st.markdown(
                "No change in the recommendation." if changed else "No change from the baseline."
            )
        else:
            st.markdown("\n".join(f"- {md_escape(line)}" for line in lines))
        if changed:
            shown = ", ".join(changed[:MAX_INPUTS_LISTED])
            more = (
                f" and {len(changed) - MAX_INPUTS_LISTED} more"
                if len(changed) > MAX_INPUTS_LISTED
                else ""
            )
            st.caption(md_escape(f"Inputs changed: {shown}{more}."))
        st.button("Clear baseline", key="baseline.clear", on_click=_clear, type="tertiary")
