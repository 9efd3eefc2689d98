"""The Dataset page's upload: a dataset or a statistics file, profiled by
``hybrid.evidence.profile``.

The upload is written to a private temporary folder, profiled once per (file contents, column
choices) with ``st.cache_data``, and its numbers are merged into the scenario's dataset. After that
the fields are ordinary fields: editing one does not re-read the file. Anything wrong with the file
is an ``InputError`` shown under the uploader, never a traceback.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from hybrid.errors import InputError
from hybrid.safetext import neutralise_frame
from ui import state
from ui.theme import md_escape

UPLOAD = "hd.upload"  # {"name", "digest", "path"} of the current upload
PROFILE = "hd.upload.profile"  # summary rows, warnings, columns, roles, source counts, is it data
SUGGEST = "hd.upload.suggest"  # suggested edge-case level
KEY = "dataset.upload"
COLS = ("dataset.col.label", "dataset.col.annotators", "dataset.col.source", "dataset.col.text")
DATA_TYPES = [
    "csv",
    "tsv",
    "tab",
    "txt",
    "jsonl",
    "ndjson",
    "json",
    "parquet",
    "pq",
    "xlsx",
    "xlsm",
    "yaml",
    "yml",
]
_FOLDER: list[Path] = []


def _folder() -> Path:
    """A private (0700) temporary folder for this server process, removed when it exits."""
    if not _FOLDER:
        path = Path(tempfile.mkdtemp(prefix="hybrid-uploads-"))
        atexit.register(shutil.rmtree, path, True)
        _FOLDER.append(path)
    return _FOLDER[0]


def _store(name: str, data: bytes) -> dict[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    suffix = re.sub(r"[^A-Za-z0-9.]", "", "".join(Path(name).suffixes[-1:]))[:12] or ".dat"
    path = _folder() / f"{digest[:32]}{suffix.lower()}"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=_folder())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return {"name": name, "digest": digest, "path": str(path)}


@st.cache_data(show_spinner="Profiling the file…", max_entries=16)
def _profile(digest: str, name: str, _path: str, options: tuple[tuple[str, Any], ...]) -> Any:
    """Profile a file once per contents and column choices (``_path`` is not part of the key)."""
    from hybrid.evidence.profile import profile_file  # DuckDB loads when a file arrives

    kwargs = {k: v for k, v in options if v}
    return profile_file(_path, name=name, **kwargs)


def _options() -> tuple[tuple[str, Any], ...]:
    ss = st.session_state
    annot = ss.get("dataset.col.annotators") or None
    return (
        ("label", ss.get("dataset.col.label") or None),
        ("annotators", tuple(annot) if annot else None),
        ("source", ss.get("dataset.col.source") or None),
        ("text", ss.get("dataset.col.text") or None),
    )


def is_data_file(up: dict[str, str] | None) -> bool:
    """True when the upload has rows to train on, False for a statistics file (YAML, or JSON
    written by the profiler), which has only counts."""
    if not up:
        return False
    suffix = Path(up["name"]).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return False
    if suffix == ".json":
        from hybrid.evidence.stats import STATS_FORMAT

        marker = STATS_FORMAT.encode()
        try:
            with open(up["path"], "rb") as fh:
                head = fh.read(1 << 16)
        except OSError:
            return False
        if head.lstrip().startswith(b"{") and b'"format"' in head and marker in head:
            return False
    return True


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _rows(summary: dict) -> list[tuple[str, str]]:
    """The numbers a meeting cares about, from ``Profile.summary()``."""
    out = [("Rows", f"{summary.get('rows', 0):,}")]
    if summary.get("label_column"):
        out.append(
            ("Label column", f"{summary['label_column']} ({summary.get('classes') or 0} classes)")
        )
        rare = summary.get("rare_classes") or []
        tail = _pct(summary.get("tail_share"))
        out.append(
            (
                "Tail share",
                tail
                + (f" (rare: {', '.join(rare[:5])}{'…' if len(rare) > 5 else ''})" if rare else ""),
            )
        )
    agr = summary.get("agreement")
    if agr:
        kappa, alpha = agr.get("kappa"), agr.get("krippendorff_alpha")
        # Short rows: in one cell the kappa and the row count were cut off at laptop width.
        out.append(("Annotator agreement", f"{agr.get('observed_agreement', 0):.2f} observed"))
        if kappa is not None or alpha is not None:
            name, value = ("kappa", kappa) if kappa is not None else ("alpha", alpha)
            out.append(("Beyond chance", f"{name} {value:.2f} ({agr.get('band')})"))
        out.append(("Rows with two annotations", f"{agr.get('rows', 0):,}"))
    if summary.get("source_column"):
        counts = summary.get("source_counts") or {}
        out.append(
            (
                "Human / synthetic rows",
                f"{counts.get('human', 0):,} / {counts.get('synthetic', 0):,} (column "
                f"{summary['source_column']})",
            )
        )
    if summary.get("duplicate_share") is not None:
        out.append(("Exact duplicates", _pct(summary.get("duplicate_share"))))
    return out


def _apply() -> None:
    """Profile the current upload with the chosen columns and merge its numbers into the
    scenario."""
    ss = st.session_state
    up = ss.get(UPLOAD)
    from hybrid.evidence.profile import profile_to_dataset
    from hybrid.evidence.stats import suggest_edge_case_level

    if not up:
        return
    try:
        prof = _profile(up["digest"], up["name"], up["path"], _options())
        dataset = profile_to_dataset(prof)
        summary = prof.summary()
    except InputError as exc:
        state.set_error(KEY, None, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - a file the profiler chokes on is still the user's input
        state.set_error(
            KEY, None, f"{up['name']}: cannot be profiled ({type(exc).__name__}: {exc})"
        )
        return
    # The file is the dataset now: an agreement it does not measure (no annotator columns) is
    # unknown, not the previous scenario's.
    updates = {
        f"dataset.{k}": v
        for k, v in dataset.model_dump().items()
        if v is not None or k in ("annotator_agreement", "kappa")
    }
    problem = state.try_update(updates)
    state.set_error(
        KEY, None, f"the numbers from {up['name']} cannot be used: {problem}" if problem else None
    )
    roles = prof.roles
    ss[PROFILE] = {
        "rows": _rows(summary),
        "warnings": list(summary.get("warnings") or []),
        "columns": [str(c) for c in getattr(prof, "columns", {})],
        "roles": {
            "label": roles.label,
            "annotators": list(roles.annotators),
            "source": roles.source,
            "text": roles.text,
        },
        "source_counts": {k: int(v) for k, v in (summary.get("source_counts") or {}).items()},
        "data": is_data_file(up),  # rows to train on (the evidence block), not a statistics file
    }
    # The suggestion reads the class tail: with no label column there is no tail to read, and the
    # level it would show is only the policy default, not something this file measured.
    level = None
    if roles.label is not None:
        level = summary.get("suggested_edge_case_level")
        if level is None:
            level = suggest_edge_case_level(prof)
    ss[SUGGEST] = int(level) if level else None


def _on_upload() -> None:
    ss = st.session_state
    file = ss.get(KEY)
    if file is None:
        return
    use_bytes(file.name, file.getvalue())


def use_bytes(name: str, data: bytes) -> None:
    """Profile ``data`` as if uploaded under ``name`` (the uploader, or the Work plan page's
    bundled sample): the scenario's dataset fields are filled from it and the columns detected."""
    ss = st.session_state
    from hybrid.evidence.limits import check_upload_size

    try:
        check_upload_size(name, len(data))
    except InputError as exc:
        state.set_error(KEY, None, str(exc))
        return
    ss[UPLOAD] = _store(name, data)
    for k in COLS:  # a new file: let the profiler detect its columns again
        ss.pop(k, None)
    ss.pop(PROFILE, None)
    _apply()
    found = ss.get(PROFILE)
    if found:  # show the detected columns in the column pickers
        roles = found["roles"]
        ss["dataset.col.label"] = roles["label"] or ""
        ss["dataset.col.annotators"] = roles["annotators"]
        ss["dataset.col.source"] = roles["source"] or ""
        ss["dataset.col.text"] = roles["text"] or ""


def _set_edge(level: int) -> None:
    problem = state.try_update({"factors.edge_cases": level})
    state.set_error(KEY, None, problem)


def section() -> None:
    with st.container(border=True):
        st.subheader("Upload a dataset or a statistics file")
        left, right = st.columns([2, 3], gap="large")
        with left:
            st.file_uploader(
                "A labeled dataset (CSV, TSV, JSON lines, Parquet, Excel) or a statistics file "
                "(YAML or JSON)",
                type=DATA_TYPES,
                key=KEY,
                on_change=_on_upload,
            )
            state.field_error(KEY, "Upload")
            st.caption(
                "The file is profiled on this server and is not stored with the scenario: only the "
                "numbers are. Too large? Profile it on the machine where it lives with the "
                "command line's profile command, and upload the statistics file it writes."
            )
        with right:
            found = st.session_state.get(PROFILE)
            up = st.session_state.get(UPLOAD)
            if found and up:
                st.markdown(
                    f"**Profile of {md_escape(up['name'])}**: the fields below were filled from it."
                )
                st.dataframe(
                    neutralise_frame(
                        {
                            "Measured": [r[0] for r in found["rows"]],
                            "Value": [r[1] for r in found["rows"]],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                )
                for w in found["warnings"]:
                    st.caption(":material/warning: " + md_escape(w))
                level = st.session_state.get(SUGGEST)
                current = state.current().factors.edge_cases
                if level and level != current:
                    st.button(
                        f"Set the edge-case answer to {level} (now {current}), as the class tail "
                        f"suggests",
                        key="dataset.suggest",
                        on_click=_set_edge,
                        args=(level,),
                    )
                cols = found["columns"]
                roles = found["roles"]
                for key, role in zip(COLS, ("label", "annotators", "source", "text"), strict=True):
                    if key not in st.session_state:  # forgotten after visiting another page
                        value = roles[role]
                        st.session_state[key] = (
                            [c for c in value if c in cols]
                            if role == "annotators"
                            else (value if value in cols else "")
                        )
                if cols:
                    with st.expander("Columns used (detected; change them if wrong)"):
                        c1, c2 = st.columns(2)
                        auto = {
                            "format_func": lambda c: c or "(detect automatically)",
                            "on_change": _apply,
                        }
                        c1.selectbox("Label column", [""] + cols, key=COLS[0], **auto)
                        c2.selectbox(
                            "Human/synthetic source column", [""] + cols, key=COLS[2], **auto
                        )
                        c1.multiselect("Annotator columns", cols, key=COLS[1], on_change=_apply)
                        c2.selectbox("Text column", [""] + cols, key=COLS[3], **auto)
