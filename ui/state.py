"""The one scenario in the session, the widgets that edit it, and the link that carries it.

Rules every page follows:

- ``st.session_state["hd.scenario"]`` holds the single, always valid ``Scenario``. Pages read it
  with ``current()`` and never keep copies of its values.
- Widgets are not the source of truth. Each bound widget is re-seeded from the scenario on every
  run (``seed_widget``), so leaving a page, which makes Streamlit forget the widget, loses nothing.
- A change goes through ``try_update``: the whole scenario is revalidated, and the recommendation is
  computed (cached) before the change is accepted. A rejected value stays in its widget with an
  error under it (``hd.errors``), and the scenario keeps its last valid value.
- ``sync_url`` writes the scenario into ``?s=`` (``hybrid.urlstate``) after every run, and the first
  run of a session reads it back, so a link reopens the same scenario. A link that cannot be
  opened shows its reason above a blank scenario.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import streamlit as st

from hybrid.errors import InputError
from hybrid.money import money, money_entry, parse_money
from hybrid.vocabulary import LABEL_TITLES
from ui.nav import navigation as app_navigation
from ui.theme import CSS, md_escape

# The scenario model, the link codec and the analysis (pydantic, numpy, SciPy: about half a second
# cold) are imported where they are used, so a page that calls ``page_setup`` first draws its
# heading before any of them is loaded (benchmarks/bench_pages.py).
if TYPE_CHECKING:
    from hybrid.model.scenario import Scenario
    from ui import compute

SCENARIO = "hd.scenario"
ERRORS = "hd.errors"  # widget key -> (the value the user typed, what is wrong with it)
NOTICE = "hd.notice"  # a message about the link or a replaced scenario, shown above the page
POLICY_TEXT = "hd.policy_text"  # an uploaded policy's YAML, or absent for data/policy.yaml
POLICY_NAME = "hd.policy_name"
EPOCH = "hd.epoch"  # bumped when the whole scenario is replaced; part of some widget keys
ORIGIN = (
    "hd.origin"  # where the scenario came from: ("example", stem) or ("library", name, version)
)
NAV = "hd.nav"  # set by app.py: page links work only under st.navigation
ROUTED = "hd.routed"  # set once a page run outside app.py has registered the app's navigation
TIMING = "hd.timing"  # page -> last script time in ms
URL_PARAM = "s"
DEFAULT_EXAMPLE = "support-intent-fine-tuning"

BLANK: dict[str, Any] = {
    "name": "Untitled scenario",
    "data_use": "fine_tuning",
    "factors": {
        "error_cost": 3,
        "domain_judgment": 3,
        "edge_cases": 3,
        "iteration_maturity": 3,
        "cultural_sensitivity": 1,
    },
    "economics": {
        "budget": 50000,
        "currency": "USD",
        "human_cost_per_example": 2.0,
        "synthetic_cost_per_example": 0.05,
        "review_cost_per_example": 0.5,
        "synthetic_label_accuracy": 0.85,
        "review_catch_rate": 0.9,
        "target_metric": 0.85,
        "learning_curve": {"points": [[1000, 0.70], [2000, 0.75], [4000, 0.79], [8000, 0.815]]},
    },
}


def blank() -> Scenario:
    from hybrid.model.scenario import Scenario

    return Scenario.from_dict(BLANK, "blank scenario")


def example(stem: str) -> Scenario:
    from hybrid.model.scenario import Scenario
    from ui import compute

    for s, text in compute.examples():
        if s == stem:
            return Scenario.from_yaml(text, f"example {stem}")
    raise InputError(f"example {stem!r}: not found")


# --- the scenario ---------------------------------------------------------------------------------


def _ss() -> Any:
    return st.session_state


def scenario_origin() -> tuple:
    """Where the session's scenario came from (``ORIGIN``): ("example", stem), ("library", name,
    version), ("link",) or ("blank",); () before the first run."""
    return _ss().get(ORIGIN, ())


def current() -> Scenario:
    """The session's scenario: from the link on the first run, else the default example."""
    ss = _ss()
    if SCENARIO not in ss:
        _initialise()
    return ss[SCENARIO]


def _initialise() -> None:
    ss = _ss()
    ss.setdefault(ERRORS, {})
    ss.setdefault(EPOCH, 0)
    token = st.query_params.get(URL_PARAM)
    if token:
        from hybrid.share.urlstate import decode

        try:
            scenario = decode(token)
            problem = check(scenario)
            if problem:
                raise InputError(problem)
        except InputError as exc:
            ss[SCENARIO] = blank()
            ss[NOTICE] = (
                f"This link could not be opened: {exc}. You are looking at a blank scenario "
                f"instead."
            )
            ss[ORIGIN] = ("blank",)
            return
        ss[SCENARIO] = scenario
        ss[ORIGIN] = ("link",)
    else:
        ss[SCENARIO] = example(DEFAULT_EXAMPLE)
        ss[ORIGIN] = ("example", DEFAULT_EXAMPLE)


def policy_text() -> str | None:
    return _ss().get(POLICY_TEXT)


_SESSION_POLICY = object()


def check(scenario: Scenario, text: Any = _SESSION_POLICY) -> str | None:
    """None when a recommendation can be computed for ``scenario`` (under the session's policy, or
    the policy ``text`` given), else what is wrong."""
    from ui import compute

    pol = policy_text() if text is _SESSION_POLICY else text
    try:
        compute.analysis_for(scenario, pol)
    except InputError as exc:
        return friendly(str(exc))
    except Exception as exc:  # the core is pure; any other failure is a bug, but never a traceback
        return f"no recommendation can be computed for these numbers ({type(exc).__name__}: {exc})"
    return None


def analysis() -> compute.Analysis | None:
    """The current scenario's recommendation and curves (cached); None if it cannot be computed."""
    from ui import compute

    try:
        return compute.analysis_for(current(), policy_text())
    except Exception:  # noqa: BLE001 - check() has already told the user what is wrong
        return None


def analysis_or_stop(
    scenario: Scenario, page: str, nav: tuple[tuple[str, str], ...] = ()
) -> compute.Analysis:
    """The analysis a results page draws; when there is none, says why, finishes the page and
    stops."""
    a = analysis()
    if a is None:
        st.error(
            md_escape(check(scenario) or "No recommendation can be computed."),
            icon=":material/error:",
        )
        finish(page, nav)
        st.stop()
    return a


def friendly(message: str) -> str:
    for prefix in ("scenario: ", "blank scenario: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def replace_scenario(scenario: Scenario, origin: tuple = ("edited",)) -> str | None:
    """Make ``scenario`` current (opening an example, a file, a library entry). Returns the
    problem instead when no recommendation can be computed for it."""
    from hybrid.share.urlstate import check_editable

    try:
        check_editable(scenario)
    except InputError as exc:
        return friendly(str(exc))
    problem = check(scenario)
    if problem:
        return problem
    ss = _ss()
    ss[SCENARIO] = scenario
    ss[ERRORS] = {}
    ss[EPOCH] = ss.get(EPOCH, 0) + 1
    ss[ORIGIN] = origin
    ss.pop(NOTICE, None)
    return None


def get_path(scenario: Scenario, path: str) -> Any:
    node: Any = scenario
    for part in path.split("."):
        if node is None:
            return None
        node = getattr(node, part)
    return node


def _set_path(data: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def try_update(updates: dict[str, Any]) -> str | None:
    """Apply ``{dotted.path: value}`` to the scenario if the result is valid and computable;
    otherwise return what is wrong and leave the scenario as it was."""
    ss = _ss()
    from hybrid.model.scenario import Scenario
    from hybrid.share.urlstate import check_editable

    data = current().model_dump()
    for path, value in updates.items():
        _set_path(data, path, value)
    try:
        new = Scenario.from_dict(data)
        check_editable(new)
    except InputError as exc:
        return friendly(str(exc))
    problem = check(new)
    if problem:
        return problem
    ss[SCENARIO] = new
    ss.pop(NOTICE, None)
    return None


# --- bound widgets --------------------------------------------------------------------------------


def _errors() -> dict[str, tuple[Any, str]]:
    return _ss().setdefault(ERRORS, {})


def seed_widget(key: str, model_value: Any) -> None:
    """Show the value the user typed if it was rejected, else the scenario's value."""
    errs = _errors()
    _ss()[key] = errs[key][0] if key in errs else model_value


def widget_changed(key: str, to_updates: Callable[[Any], dict[str, Any]]) -> None:
    """A bound widget's ``on_change``: apply its value through ``try_update``, or keep it with its
    error beside it when the scenario would be invalid."""
    raw = _ss()[key]
    try:
        updates = to_updates(raw)
        problem = try_update(updates)
    except InputError as exc:
        updates, problem = {}, friendly(str(exc))
    if problem and len(updates) == 1:
        # Shown beside the widget, under its own label: the field's internal path says nothing more.
        problem = problem.removeprefix(f"{next(iter(updates))}: ")
    if problem:
        _errors()[key] = (raw, problem)
    else:
        _errors().pop(key, None)


def field_error(key: str, label: str, where: Any = None) -> None:
    errs = _errors()
    if key in errs:
        (where or st).error(
            f"**{md_escape(label)}**: {md_escape(errs[key][1])}", icon=":material/error:"
        )


def set_error(key: str, raw: Any, message: str | None) -> None:
    if message:
        _errors()[key] = (raw, message)
    else:
        _errors().pop(key, None)


def _direct(
    path: str, clean: Callable[[Any], Any] | None = None
) -> Callable[[Any], dict[str, Any]]:
    return lambda raw: {path: clean(raw) if clean else raw}


def number(
    label: str,
    path: str,
    *,
    integer: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
    step: float | None = None,
    fmt: str | None = None,
    help: str | None = None,
    optional: bool = False,
    placeholder: str | None = None,
    where: Any = None,
    key: str | None = None,
    to_updates: Callable[[Any], dict[str, Any]] | None = None,
    model_value: Any = ...,
) -> None:
    """A number input bound to ``path`` (or to ``to_updates`` for a derived field)."""
    where = where or st
    key = key or f"w.{path}"
    cast = int if integer else float
    value = get_path(current(), path) if model_value is ... else model_value
    seed_widget(key, None if value is None else cast(value))
    extra: dict[str, Any] = {"value": None} if optional else {}
    where.number_input(
        label,
        min_value=None if min_value is None else cast(min_value),
        max_value=None if max_value is None else cast(max_value),
        step=None if step is None else cast(step),
        format=fmt,
        key=key,
        help=help,
        placeholder=placeholder,
        on_change=widget_changed,
        args=(key, to_updates or _direct(path)),
        **extra,
    )
    field_error(key, label, where)


def money_field(
    label: str,
    path: str,
    *,
    help: str | None = None,
    where: Any = None,
) -> None:
    """A money amount as text with its currency and thousands separators ("$60,000"): a number input
    cannot show separators. Typed text is read by ``hybrid.money.parse_money`` ("60000", "60k",
    "$60,000"); anything else shows an error under the field and keeps what was typed."""
    where = where or st
    key = f"w.{path}"
    scenario = current()
    currency = scenario.economics.currency
    value = get_path(scenario, path)
    seed_widget(key, "" if value is None else money_entry(float(value), currency))
    where.text_input(
        label,
        key=key,
        help=help,
        max_chars=40,
        on_change=widget_changed,
        args=(key, lambda raw: {path: parse_money(raw, current().economics.currency)}),
    )
    field_error(key, label, where)


def _text_clean(optional: bool) -> Callable[[Any], Any]:
    def clean(raw: Any) -> Any:
        text = "" if raw is None else str(raw).strip()
        return None if optional and not text else text

    return clean


def text(
    label: str,
    path: str,
    *,
    optional: bool = False,
    max_chars: int | None = None,
    help: str | None = None,
    placeholder: str | None = None,
    where: Any = None,
) -> None:
    where = where or st
    key = f"w.{path}"
    value = get_path(current(), path)
    seed_widget(key, "" if value is None else str(value))
    where.text_input(
        label,
        key=key,
        max_chars=max_chars,
        help=help,
        placeholder=placeholder,
        on_change=widget_changed,
        args=(key, _direct(path, _text_clean(optional))),
    )
    field_error(key, label, where)


def choice(
    label: str,
    path: str,
    options: Iterable[Any],
    *,
    format_func: Callable[[Any], str] = str,
    widget: str = "segmented",
    help: str | None = None,
    where: Any = None,
    label_visibility: str = "visible",
) -> Any:
    """A required choice bound to ``path``: a segmented control (large targets) or a selectbox."""
    where = where or st
    key = f"w.{path}"
    options = list(options)
    seed_widget(key, get_path(current(), path))
    common = dict(
        key=key,
        format_func=format_func,
        help=help,
        on_change=widget_changed,
        args=(key, _direct(path)),
        label_visibility=label_visibility,
    )
    if widget == "segmented":
        where.segmented_control(label, options, required=True, **common)
    else:
        where.selectbox(label, options, **common)
    field_error(key, label, where)
    return get_path(current(), path)


# --- page frame -----------------------------------------------------------------------------------


def page_setup(title: str, subtitle: str | None = None) -> Scenario:
    """Call first on every page: wide layout, the scenario, and any notice about it."""
    _ss()["hd.t0"] = time.perf_counter()
    _route_through_app()
    st.set_page_config(page_title=f"{title} - Human vs synthetic data planner", layout="wide")
    st.html(CSS)
    # The heading first: reading the scenario loads the model and may compute a recommendation
    # (a link is checked), which a person should not wait for to see which page opened.
    st.title(title)
    _ss()["hd.titled"] = time.perf_counter()  # the heading is out: benchmarks/bench_pages.py
    if subtitle:
        st.caption(subtitle)
    scenario = current()
    notice = _ss().get(NOTICE)
    if notice:
        st.error(md_escape(notice), icon=":material/link_off:")
    return scenario


def _route_through_app() -> None:
    """Send a page run that did not come through app.py back through it, once per session.

    Streamlit decides per server process whether a ``pages/`` folder next to the main script means
    its legacy directory-based navigation; a call to ``st.navigation`` turns that off (documented:
    "st.navigation ... the pages/ directory is ignored"). When the first visitor of a fresh server
    opens a page URL directly (``/recommendation?s=...``), Streamlit runs the page file without
    app.py, so ``NAV`` is unset. The page then registers the app's own navigation (the public
    ``st.navigation``, which resolves the same page from the URL and ends the legacy mode) and
    reruns; the rerun goes through app.py and lands on the same page. A page run on its own
    (``AppTest.from_file``) does the same once, harmlessly, and then renders as before.
    """
    ss = _ss()
    if ss.get(NAV) or ss.get(ROUTED):
        return
    ss[ROUTED] = True
    app_navigation(position="hidden")
    st.rerun()


def sync_url() -> None:
    """Write the current scenario into the page URL (only when it changed)."""
    from hybrid.share.urlstate import encode

    try:
        token = encode(current())
    except InputError as exc:
        if URL_PARAM in st.query_params:
            del st.query_params[URL_PARAM]
        st.sidebar.warning(md_escape(str(exc)))
        return
    if st.query_params.get(URL_PARAM) != token:
        st.query_params[URL_PARAM] = token


def link_token() -> str | None:
    from hybrid.share.urlstate import encode

    try:
        return encode(current())
    except InputError:
        return None


def finish(page: str, nav: tuple[tuple[str, str], ...] = ()) -> None:
    """Call last on every page: previous/next links, the sidebar summary, the URL."""
    if nav and _ss().get(NAV):
        token = link_token()
        params = {URL_PARAM: token} if token else None
        back = [n for n in nav if n[1].startswith("←")]
        forward = [n for n in nav if not n[1].startswith("←")]
        left, right = st.columns(2)
        for path, label in back:
            left.page_link(path, label=label, query_params=params)
        for path, label in forward:
            with right.container(horizontal_alignment="right"):
                st.page_link(path, label=label, query_params=params)
    sidebar_summary()
    sync_url()
    t0 = _ss().get("hd.t0")
    if t0 is not None:
        ms = (time.perf_counter() - t0) * 1000.0
        _ss().setdefault(TIMING, {})[page] = ms
        if os.environ.get("HYBRID_SHOW_TIMING"):  # developers only; benchmarks read TIMING
            st.sidebar.caption(f"Page computed in {ms:.0f} ms")


def sidebar_summary() -> None:
    from ui import baseline

    baseline.render_delta(current(), policy_text())
    scenario = current()
    a = analysis()
    with st.sidebar.container(border=True):
        st.markdown(f"**{md_escape(scenario.name)}**")
        if a is None:
            st.caption("No recommendation: fix the field marked in red.")
        else:
            st.metric("Recommendation", LABEL_TITLES[a.rec.label])
            st.metric("Synthetic share of new data", f"{a.rec.plan.synthetic_share:.0%}")
        st.metric("Budget", money(scenario.economics.budget, scenario.economics.currency))
        name = _ss().get(POLICY_NAME)
        if policy_text() is not None:
            st.caption(f"Custom policy: {md_escape(name or 'uploaded')}")
        st.caption("The page link reopens this scenario.")
