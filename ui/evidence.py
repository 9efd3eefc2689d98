"""The Dataset page's "Measure on this data" block: evidence from the uploaded file.

Two measurements by ``hybrid.evidence.learning`` on the file ``ui.upload`` keeps in its private
folder:

- the learning curve of the human rows (one fixed, fast model on growing subsets,
  cross-validated), which can replace the scenario's learning-curve points; too few human rows is
  a message with the minimum, never a curve trained on synthetic rows;
- what synthetic rows add on top of human rows (the human curve and the augmentation curve, fitted
  in the decision model's own form), shown only when the profile found a source column with both
  human and synthetic rows. It runs ``hybrid.evidence.calibrate.calibrate``, the function behind
  ``python -m hybrid evidence --scenario``, so "Use" writes the same calibrated dataset section and
  learning curve as the command line, field for field.

A "Use" that replaces values in use says what it replaced, with an Undo button beside it.

A measurement runs inside the script run that handled the button, under ``st.status`` with an
``st.progress`` bar fed by the evidence function's ``progress`` callback (once per model fit).

Cancelling. Leaving the page, pressing Stop, touching any widget or closing the tab makes Streamlit
ask the running script to stop (with ``runner.fastReruns``, the default, the next run starts at
once in a new thread and the old one is told to stop). Streamlit honours that request at the next
``st`` call of the old run, by raising ``StopException``/``RerunException`` there. The progress
callback updates the bar before every model fit, so the measurement ends at the next fit, inside
``hybrid.evidence.learning``; nothing here catches those exceptions (they derive from
``BaseException``, and only ``Exception`` is caught). ``should_stop`` is true when Stop was pressed
(a session flag the button's callback sets); the evidence function then raises ``Cancelled``
before the next fit. (Nothing reads Streamlit's private request state.)

Results are kept in the session per (file SHA-256, label, text, source and annotator columns,
metric), so switching pages loses nothing and the same measurement is never run twice; a cache
miss always shows the progress. Nothing is written to the scenario until "Use ..." is pressed,
and then only through ``ui.state.try_update`` (validated, with the error shown under the button if
rejected).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from hybrid.errors import InputError
from hybrid.evidence.pilot import measure
from hybrid.safetext import neutralise_frame
from ui import charts, state, theme, upload
from ui.theme import html_text, md_escape

PREVIOUS = "hd.evidence.previous"  # what the last "Use" replaced: {"what", "updates", "said"}
RESULTS = "hd.evidence.results"  # key -> Measured, for this session
LAST = "hd.evidence.last"  # "curve" / "rate" -> key of the latest measurement of that kind
CANCEL = "hd.evidence.cancel"  # set by the Stop button's callback; read by should_stop
STOPPED = "hd.evidence.stopped"  # a message about the last run that did not finish
PENDING = (
    "hd.evidence.pending"  # "curve" / "rate": a Measure button was pressed; run it in this run
)
METRIC = "hd.evidence.metric"  # the chosen score, kept while the widget is forgotten
METRIC_KEY = "evidence.metric"
CURVE_ERROR = "evidence.curve.use"
RATE_ERROR = "evidence.rate.use"
# The Costs page's learning-curve table (pages/4_costs.py imports these): a new curve written from
# here must rebuild that table and drop its pending edits.
CURVE_COUNTER = "hd.curve.counter"
CURVE_KEY = "w.curve"
MODE_KEY = "costs.curve_mode"
MAX_KEPT = 12

METRIC_TITLES = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro F1",
}
TITLES = {"curve": "the learning curve", "rate": "what synthetic rows add"}


@dataclass
class Measured:
    """One finished measurement and what it was run on."""

    what: str  # "curve" or "rate"
    file: str
    metric: str
    result: Any  # LearningCurveResult or SyntheticResponseResult
    seconds: float
    note: str = ""
    scenario: Any = None  # the calibrated scenario ("rate" only): what "Use" writes


def evidence_module():
    """``hybrid.evidence.learning``, imported when a measurement is first drawn or run."""
    from hybrid.evidence import learning

    return learning


# --- what to measure on ---------------------------------------------------------------------------


def columns() -> dict[str, Any] | None:
    """The uploaded data file and its columns, or None when there is nothing to train on."""
    ss = st.session_state
    up, found = ss.get(upload.UPLOAD), ss.get(upload.PROFILE)
    if not up or not found or not found.get("data"):
        return None
    roles = found["roles"]
    counts = found.get("source_counts") or {}
    return {
        "file": up["name"],
        "digest": up["digest"],
        "path": up["path"],
        "label": roles.get("label"),
        "text": roles.get("text"),
        "source": roles.get("source"),
        "annotators": list(roles.get("annotators") or []),
        "human": int(counts.get("human", 0)),
        "synthetic": int(counts.get("synthetic", 0)),
    }


def _key(what: str, cols: dict[str, Any], metric: str) -> tuple:
    annotators = tuple(cols.get("annotators") or ())
    return (what, cols["digest"], cols["label"], cols["text"], cols["source"], annotators, metric)


def _results() -> dict[tuple, Measured]:
    return st.session_state.setdefault(RESULTS, {})


def _keep(key: tuple, measured: Measured) -> None:
    results = _results()
    results.pop(key, None)
    results[key] = measured
    while len(results) > MAX_KEPT:
        results.pop(next(iter(results)))
    st.session_state.setdefault(LAST, {})[measured.what] = key


def latest(what: str) -> tuple[tuple, Measured] | None:
    """The latest measurement of ``what`` ("curve" or "rate") in this session."""
    key = st.session_state.get(LAST, {}).get(what)
    found = _results().get(key) if key else None
    return (key, found) if found else None


# --- running a measurement ------------------------------------------------------------------------


def should_stop() -> bool:
    """True once Stop was pressed (its callback sets the session flag, read here by the run that
    is still measuring). Leaving the page needs no check here: the progress bar's next update
    ends the run."""
    return bool(st.session_state.get(CANCEL))


def _press_stop() -> None:
    st.session_state[CANCEL] = True
    st.session_state[STOPPED] = "Stopped: the measurement was cancelled; nothing was changed."


def _frame(cols: dict[str, Any], evidence) -> pd.DataFrame:
    from hybrid.evidence.profile import read_table

    return read_table(cols["path"], max_rows=evidence.MAX_ROWS, name=cols["file"])


def _measure_curve(cols, metric, evidence, progress, stop) -> tuple[Any, str]:
    # ``learning_curve`` trains on the human rows only (the curve is the metric against
    # human-labeled examples), the same as the command line; too few is an InputError.
    frame = _frame(cols, evidence)
    result = measure(
        evidence.learning_curve,
        frame,
        cols["label"],
        text=cols["text"] or None,
        metric=metric,
        name=cols["file"],
        progress=progress,
        should_stop=stop,
        source=cols["source"] or None,
    )
    note = f"all {result.input_rows:,} rows (no source column: every row counts as human-labeled)"
    if result.human_only:
        note = (
            f"the {result.input_rows:,} human-labeled rows only (synthetic rows left out: the "
            f"curve is the "
            "metric against human-labeled examples)"
        )
    return result, note


def _measure_rate(cols, metric, evidence, progress, stop) -> tuple[Any, str, Any]:
    from hybrid.evidence.calibrate import calibrate
    from ui import compute

    calibration = calibrate(
        cols["path"],
        state.current(),
        compute.policy(state.policy_text()),
        label=cols["label"],
        source=cols["source"],
        text=cols["text"] or None,
        annotators=cols["annotators"] or None,
        metric=metric,
        max_rows=evidence.MAX_ROWS,
        name=cols["file"],
        progress=progress,
        should_stop=stop,
    )
    return calibration.result, "", calibration.scenario


def run(what: str, cols: dict[str, Any], metric: str) -> Measured | None:
    """Measure ``what`` on the upload inside a status box with a progress bar; keep the result.

    Leaving the page ends this run at the next progress update (see the module docstring)."""
    evidence = evidence_module()
    ss = st.session_state
    ss[CANCEL] = False
    ss.pop(STOPPED, None)
    title = TITLES[what]
    t0 = time.perf_counter()
    with st.status(f"Measuring {title} on {md_escape(cols['file'])}…", expanded=True) as status:
        bar = st.progress(0.0, text=f"Reading {md_escape(cols['file'])}…")
        stop_slot = st.empty()
        stop_slot.button(
            "Stop", key=f"evidence.stop.{what}", on_click=_press_stop, icon=":material/stop:"
        )

        def progress(fraction: float, message: str) -> None:
            # An st call: Streamlit raises StopException/RerunException here once the user has left.
            bar.progress(min(1.0, max(0.0, float(fraction))), text=md_escape(message))

        calibrated = None
        try:
            if what == "curve":
                result, note = _measure_curve(cols, metric, evidence, progress, should_stop)
            else:
                result, note, calibrated = _measure_rate(
                    cols, metric, evidence, progress, should_stop
                )
        except evidence.Cancelled:
            stop_slot.empty()
            status.update(label=f"Stopped: {title} was not measured", state="error", expanded=False)
            ss[STOPPED] = f"Stopped: {title} was not measured; nothing was changed."
            return None
        except InputError as exc:
            stop_slot.empty()
            status.update(
                label=f"{title.capitalize()} could not be measured", state="error", expanded=True
            )
            st.error(md_escape(str(exc)), icon=":material/error:")
            return None
        except Exception as exc:  # noqa: BLE001 - the user's file, never a traceback (Stop/Rerun are BaseException)
            stop_slot.empty()
            status.update(
                label=f"{title.capitalize()} could not be measured", state="error", expanded=True
            )
            st.error(
                md_escape(
                    f"{cols['file']}: the model could not be trained ({type(exc).__name__}: {exc})"
                ),
                icon=":material/error:",
            )
            return None
        seconds = time.perf_counter() - t0
        stop_slot.empty()
        status.update(
            label=f"Measured {title} in {seconds:.1f} s", state="complete", expanded=False
        )
    measured = Measured(what, cols["file"], metric, result, seconds, note, calibrated)
    _keep(_key(what, cols, metric), measured)
    return measured


# --- writing into the scenario --------------------------------------------------------------------


def curve_points(measured: Measured) -> list[list[float]]:
    return [[float(n), round(float(m), 4)] for n, m in measured.result.points]


def rate_values(measured: Measured) -> dict[str, Any]:
    """What "Use these measurements" writes: the calibrated scenario's dataset section and
    learning curve (``hybrid.evidence.calibrate``), the fields ``evidence --scenario`` fills."""
    calibrated = measured.scenario
    return {
        "dataset": calibrated.dataset.model_dump(),
        "economics.learning_curve": calibrated.economics.learning_curve.model_dump(),
    }


def _in_use(values: dict[str, Any]) -> dict[str, Any]:
    """The scenario's current values at the paths of ``values``."""
    data = state.current().model_dump()
    out = {}
    for path in values:
        node: Any = data
        for part in path.split("."):
            node = None if node is None else node.get(part)
        out[path] = node
    return out


def _use(what: str, values: dict[str, Any], error_key: str, said: str) -> str | None:
    """Write ``values``; remember what they replaced, so that one click undoes it."""
    before = _in_use(values)
    problem = state.try_update(values)
    state.set_error(error_key, None, f"{said} cannot be used: {problem}" if problem else None)
    if not problem and before != _in_use(values):
        st.session_state[PREVIOUS] = {"what": what, "updates": before, "said": said}
    return problem


def undo() -> None:
    """Put back what the last "Use" replaced (a button callback)."""
    previous = st.session_state.pop(PREVIOUS, None)
    if previous is None:
        return
    problem = state.try_update(previous["updates"])
    if problem:
        st.session_state[PREVIOUS] = previous
    key = CURVE_ERROR if previous["what"] == "curve" else RATE_ERROR
    state.set_error(
        key, None, f"the previous values cannot be restored: {problem}" if problem else None
    )
    if not problem:
        _forget_edits(previous["updates"])


def _forget_edits(values: dict[str, Any]) -> None:
    """Drop pending widget edits of the fields just written, and rebuild the Costs page's
    learning-curve table."""
    ss = st.session_state
    errs = ss.setdefault(state.ERRORS, {})
    for path in values:
        errs.pop(f"w.{path}", None)
    errs.pop(CURVE_KEY, None)
    errs.pop(MODE_KEY, None)
    ss[CURVE_COUNTER] = ss.get(CURVE_COUNTER, 0) + 1


def use_curve(key: tuple) -> None:
    """Make the measured points the scenario's learning curve (a button callback)."""
    measured = _results().get(key)
    if measured is None:
        return
    values = {
        "economics.learning_curve": {
            "points": curve_points(measured),
            "fitted": None,
            "measured_on": str(measured.file)[:500],
        }
    }
    if not _use("curve", values, CURVE_ERROR, "the measured points"):
        _forget_edits(values)


def use_rate(key: tuple) -> None:
    """Write the calibrated dataset section and learning curve (a button callback)."""
    measured = _results().get(key)
    if measured is None or measured.scenario is None:
        return
    values = rate_values(measured)
    if not _use("rate", values, RATE_ERROR, "the measurements"):
        _forget_edits(values)


def replaced_note(what: str, where: str) -> None:
    """Say what the last "Use" of ``what`` replaced, with the one-click Undo beside it."""
    previous = st.session_state.get(PREVIOUS)
    if not previous or previous["what"] != what:
        return
    replaced = (
        "the learning curve in use before"
        if what == "curve"
        else "the dataset numbers and learning curve in use before"
    )
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.info(f"These measurements replaced {replaced}.", icon=":material/swap_horiz:")
    right.button(
        "Undo: restore the previous values",
        key=f"evidence.undo.{what}.{where}",
        on_click=undo,
        icon=":material/undo:",
    )


def curve_in_use(measured: Measured) -> bool:
    pts = state.current().economics.learning_curve.points
    return pts is not None and [list(map(float, p)) for p in pts] == curve_points(measured)


def rate_in_use(measured: Measured) -> bool:
    ds = state.current().dataset
    fit = measured.result.fit
    return ds is not None and fit is not None and ds.synthetic_response == fit


# --- charts ---------------------------------------------------------------------------------------


def _log_x(fig: go.Figure, ns: list[float]) -> None:
    lo, hi = min(ns) / 1.3, max(ns) * 1.3
    tickvals, ticktext = charts.log_ticks(lo, hi)
    fig.update_xaxes(
        type="log", tickvals=tickvals, ticktext=ticktext, range=[np.log10(lo), np.log10(hi)]
    )


# The measured charts sit in half of the page (two columns): 345 px at 1280 px, measured in
# Chromium. Laid out for the full width, their legend needed more rows than it was given and
# climbed over the title; laid out for 400 px, a legend entry still ran past the chart's edge.
HALF_WIDTH_PX = 345


def curve_figure(measured: Measured) -> go.Figure:
    r = measured.result
    ns = [float(n) for n, _ in r.points]
    fig = go.Figure()
    if r.fit is not None:
        n = np.geomspace(min(ns), max(ns), 80)
        fig.add_trace(
            go.Scatter(
                x=n,
                y=r.fit.predict(n),
                mode="lines",
                name="Fitted curve",
                line={"color": theme.HUMAN, "width": 3},
                hovertemplate="%{y:.3f} at n = %{x:,.0f}<extra>fit</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=ns,
            y=[m for _, m in r.points],
            mode="markers",
            name="Measured (mean of folds)",
            marker={"color": "#000000", "size": 11, "line": {"color": "white", "width": 1.5}},
            hovertemplate="%{y:.3f} at n = %{x:,.0f}<extra>measured</extra>",
        )
    )
    charts.apply_layout(
        fig,
        "Measured learning curve",
        "Training rows (log scale)",
        f"{METRIC_TITLES[r.metric].capitalize()} (fraction)",
        height=400,
        width_px=HALF_WIDTH_PX,
    )
    _log_x(fig, ns)
    fig.update_yaxes(tickformat=".2f")
    return fig


def rate_figure(measured: Measured) -> go.Figure:
    """The augmentation curves: each base of human rows, synthetic rows added, measured and
    fitted."""
    r = measured.result
    fig = go.Figure()
    bases = sorted({h for h, _, _ in r.augmentation_points})
    dashes = ["dot", "solid"]
    predict = _fitted_line(measured)
    for i, base in enumerate(bases):
        pts = [(s_, m) for h, s_, m in r.augmentation_points if h == base]
        name = f"{base:,} human rows + synthetic"
        fig.add_trace(
            go.Scatter(
                x=[s_ for s_, _ in pts],
                y=[m for _, m in pts],
                mode="markers",
                name=f"{name} (measured)",
                marker={
                    "size": 10,
                    "color": theme.SYNTHETIC if i == len(bases) - 1 else theme.HUMAN,
                    "symbol": "diamond" if i == len(bases) - 1 else "circle",
                },
                hovertemplate="%{y:.3f} with %{x:,.0f} synthetic rows<extra>"
                + html_text(name)
                + "</extra>",
            )
        )
        if predict is not None:
            xs = np.linspace(0, max(s_ for s_, _ in pts), 60)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=predict(base, xs),
                    mode="lines",
                    name=f"{base:,} human rows (fitted)",
                    line={
                        "color": theme.SYNTHETIC if i == len(bases) - 1 else theme.HUMAN,
                        "width": 2,
                        "dash": dashes[i % 2],
                    },
                    hoverinfo="skip",
                )
            )
    charts.apply_layout(
        fig,
        "Synthetic rows added to fixed human rows",
        "Synthetic rows added",
        f"{METRIC_TITLES[r.metric].capitalize()} (fraction)",
        height=400,
        width_px=HALF_WIDTH_PX,
    )
    fig.update_yaxes(tickformat=".3f")
    return fig


def _fitted_line(measured: Measured):
    """``(human rows, synthetic rows) -> metric`` from the fit, anchored at each base's own
    score."""
    from ui import compute

    return measured.result.fitted_curve(state.current(), compute.policy(state.policy_text()))


# --- the block ------------------------------------------------------------------------------------


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _show_curve(key: tuple, m: Measured) -> None:
    r = m.result
    st.markdown(f"**Learning curve** of {md_escape(m.file)}")
    c1, c2 = st.columns(2)
    top = r.points[-1]
    c1.metric(f"{METRIC_TITLES[r.metric].capitalize()} at {top[0]:,} rows", f"{top[1]:.3f}")
    c2.metric(
        "Back-test error",
        _fmt(r.backtest_error, 3),
        help="Fitted on the sizes up to a quarter of the data, the curve predicted the score at "
        "the "
        "largest size; this is how far off it was. Small: the curve extrapolates sensibly.",
    )
    st.plotly_chart(
        curve_figure(m), theme=None, key="evidence.curve.chart", config={"displayModeBar": False}
    )
    # One row per size, two columns: the numbers that "Use" writes. (One row across, the sizes as
    # the header, ran past the right edge of the half-page column at 1280 px.)
    table = pd.DataFrame(
        {
            "Training rows": [f"{int(n):,}" for n, _ in r.points],
            METRIC_TITLES[r.metric].capitalize(): [f"{float(v):.3f}" for _, v in r.points],
        }
    )
    st.dataframe(
        neutralise_frame(table),
        width="stretch",
        hide_index=True,
        height=min(36 * (len(table) + 1) + 4, 300),
        key="evidence.curve.table",
    )
    facts = [f"{r.cv}-fold cross-validation on {m.note}", r.model]
    if r.fit is not None:
        facts.append(f"fitted ceiling {r.fit.ceiling:.3f}")
    st.caption(md_escape("; ".join(facts) + f"; {m.seconds:.1f} s."))
    for note in r.notes:
        st.caption(":material/info: " + md_escape(note))
    if curve_in_use(m):
        st.success("The scenario's learning curve is these points.", icon=":material/check:")
        replaced_note("curve", "dataset")
    else:
        st.button(
            "Use these points as the learning curve",
            key="evidence.curve.use",
            type="primary",
            on_click=use_curve,
            args=(key,),
            icon=":material/trending_up:",
        )
        st.caption(
            "Replaces the learning-curve points on the Costs page (Undo puts them back); the "
            "recommendation is recomputed."
        )
    state.field_error(CURVE_ERROR, "Learning curve")


def _show_rate(key: tuple, m: Measured) -> None:
    r = m.result
    fit = r.fit
    st.markdown(f"**What synthetic rows add** in {md_escape(m.file)}")
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "Worth per row",
        _fmt(None if fit is None else fit.value),
        help="Human rows one correctly labeled synthetic row is worth before saturation sets in.",
    )
    c2.metric(
        "Saturation point",
        "—" if fit is None else f"{fit.saturation:.3g} per human row",
        help="The fitted saturation point: about this many synthetic rows per human row still add "
        "something; beyond, they repeat what the human rows already taught (D = k × human "
        "rows). Not the measured paying range, which is how far this pilot saw them pay.",
    )
    c3.metric(
        "Lost to repeated errors",
        "—" if fit is None else f"{100 * fit.floor:.1f} pts",
        help="Points a model trained on these synthetic rows alone, unreviewed, would lose to the "
        "generator's repeated errors; review and human rows lower it.",
    )
    if fit is not None:
        st.caption(
            md_escape(
                f"Fitted at a generator accuracy of {fit.accuracy:.1%} (the Costs page's, as the "
                f"scenario "
                "states it): the worth per row and the repeated errors are what is left once label "
                "errors at "
                "that rate are accounted for, so a different accuracy gives a different fit of the "
                "same points."
            )
        )
    st.plotly_chart(
        rate_figure(m), theme=None, key="evidence.rate.chart", config={"displayModeBar": False}
    )
    if r.declines:
        st.warning(
            md_escape(
                "Adding these synthetic rows lowered the metric: the plan will not buy more of "
                "them than pays."
            ),
            icon=":material/trending_down:",
        )
    elif r.plateau:
        st.info(
            md_escape(
                "The synthetic rows' gain has levelled off: past that point the plan buys human "
                "rows instead."
            ),
            icon=":material/trending_flat:",
        )
    with st.expander("Measured points"):
        st.dataframe(
            neutralise_frame(
                {
                    "Human rows": [int(h) for h, _, _ in r.augmentation_points],
                    "Synthetic rows": [int(s_) for _, s_, _ in r.augmentation_points],
                    METRIC_TITLES[r.metric].capitalize(): [
                        round(v, 3) for _, _, v in r.augmentation_points
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    se = r.errors
    split = (
        f"Scored on the {r.test_rows:,} human rows marked held out (never shown to the generator), "
        f"{r.train_rows:,} others training"
        if r.held_out
        else f"Cross-fitted: each of {r.test_rows:,} human rows held out once, with up to "
        f"{r.train_rows:,} "
        "others training"
    )
    errs = []
    if "value" in se:
        errs.append(f"worth ±{se['value']:.2f}")
    if "floor" in se:
        errs.append(f"repeated-error loss ±{100 * se['floor']:.1f} points")
    st.caption(
        md_escape(
            f"{split} (no duplicate on both sides); synthetic rows added to fixed human rows; "
            f"{r.model}; "
            f"{m.seconds:.1f} s." + (f" Standard errors: {', '.join(errs)}." if errs else "")
        )
    )
    for note in r.notes:
        st.caption(":material/info: " + md_escape(note))
    if fit is None:
        st.caption(
            "The response could not be fitted on this file, so the scenario keeps the policy "
            "defaults."
        )
    elif rate_in_use(m):
        st.success("The scenario plans on this measured response.", icon=":material/check:")
        replaced_note("rate", "dataset")
    else:
        st.button(
            "Use these measurements",
            key="evidence.rate.use",
            type="primary",
            on_click=use_rate,
            args=(key,),
            icon=":material/swap_horiz:",
        )
        st.caption(
            "Sets the dataset counts, the human learning curve and the measured synthetic "
            "response: the same values the command line's evidence command writes. Undo puts "
            "back what they replace."
        )
    state.field_error(RATE_ERROR, "Measurements")


def _seed_metric() -> None:
    ss = st.session_state
    if METRIC_KEY not in ss:  # forgotten after visiting another page
        ss[METRIC_KEY] = ss.get(METRIC, "accuracy")


def _request(what: str) -> None:
    """A Measure button's callback. The measurement itself runs in the script body, where its
    progress can be drawn; a flag carries the request there, because a button's return value does
    not survive a rerun that happens before the block is drawn (``ui.state.page_setup`` may rerun
    once to leave Streamlit's pages-directory mode)."""
    st.session_state[PENDING] = what


def _metric_changed() -> None:
    st.session_state[METRIC] = st.session_state[METRIC_KEY]


def section() -> None:
    """The block under the upload, shown once a data file (not a statistics file) is profiled."""
    cols = columns()
    if cols is None:
        return
    with st.container(border=True):
        st.subheader("Measure on this data")
        if not cols["label"]:
            st.info(
                "Measuring needs a label column: pick one under “Columns used” above.",
                icon=":material/info:",
            )
            return
        can_rate = bool(cols["source"]) and cols["human"] > 0 and cols["synthetic"] > 0
        st.caption(
            md_escape(
                "Train one fixed, fast model on this file ("
                + (
                    f"hashed words of column “{cols['text']}” and a linear SVM"
                    if cols["text"]
                    else "gradient-boosted trees on the columns"
                )
                + f", predicting “{cols['label']}”). "
                "A few thousand rows take from seconds (the learning curve) to a minute or two "
                "(what synthetic "
                "rows add, dozens of fits). Progress shows here; leaving the page or pressing Stop "
                "cancels. Nothing changes in the scenario until you press Use."
            )
        )
        _seed_metric()
        b0, b1, b2 = st.columns([1.2, 1.3, 1.6], vertical_alignment="bottom")
        metric = b0.selectbox(
            "Score",
            list(METRIC_TITLES),
            key=METRIC_KEY,
            format_func=METRIC_TITLES.get,
            on_change=_metric_changed,
            help="Use the metric your target is in (Costs page).",
        )
        b1.button(
            "Measure the learning curve",
            key="evidence.curve.run",
            icon=":material/show_chart:",
            width="stretch",
            on_click=_request,
            args=("curve",),
        )
        if can_rate:
            b2.button(
                "Measure what synthetic rows add",
                key="evidence.rate.run",
                icon=":material/balance:",
                width="stretch",
                on_click=_request,
                args=("rate",),
            )
        else:
            b2.caption(
                "No source column marks rows human and synthetic, so what synthetic rows add "
                "cannot be measured on this file."
            )
        ss = st.session_state
        what = ss.pop(PENDING, None)
        if what in TITLES and (what == "curve" or can_rate):
            key = _key(what, cols, metric)
            if key in _results():  # measured before in this session: shown at once
                ss.setdefault(LAST, {})[what] = key
            else:
                run(what, cols, metric)
        stopped = ss.pop(STOPPED, None)  # shown once
        if stopped:
            st.warning(md_escape(stopped), icon=":material/stop_circle:")
        curve, rate = _results().get(_key("curve", cols, metric)), None
        if can_rate:
            rate = _results().get(_key("rate", cols, metric))
        if curve is None and rate is None:
            return
        left, right = st.columns(2, gap="large")
        if curve is not None:
            with left:
                _show_curve(_key("curve", cols, metric), curve)
        if rate is not None:
            with right if curve is not None else left:
                _show_rate(_key("rate", cols, metric), rate)


def costs_note() -> None:
    """On the Costs page: the latest measured curve, one click from being the scenario's curve."""
    found = latest("curve")
    if found is None:
        return
    key, m = found
    err = m.result.backtest_error
    facts = f"{len(m.result.points)} points, back-test error {_fmt(err, 3)}"
    if curve_in_use(m):
        st.caption(
            md_escape(f"These points were measured on {m.file} ({facts}), on the Dataset page.")
        )
        replaced_note("curve", "costs")
        return
    st.info(
        md_escape(f"Measured on {m.file}: {facts} ({METRIC_TITLES[m.metric]})."),
        icon=":material/science:",
    )
    st.button(
        "Use the measured points",
        key="costs.use_measured",
        on_click=use_curve,
        args=(key,),
        icon=":material/trending_up:",
    )
    state.field_error(CURVE_ERROR, "Learning curve")
