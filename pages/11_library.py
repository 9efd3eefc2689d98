"""Library: save, open, rename, duplicate, delete (to the trash, restorable) and restore named
scenarios, each with its history of versions; import and export them as YAML.

The store is ``hybrid.store`` (SQLite under ``$HYBRID_DATA_DIR`` or PostgreSQL); the actions are
callbacks in ``ui.library``. A save never overwrites silently: when someone else saved a newer
version since this one was opened, the page says who and when and offers to save as a new version
anyway."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Scenario library",
    "Saved scenarios with their full history: who saved each version and when. Nothing is "
    "overwritten, and a "
    "deleted scenario waits in the trash.",
)

import pandas as pd

from hybrid.errors import InputError
from hybrid.safetext import neutralise_frame
from hybrid.store.scenarios import safe_filename
from ui import baseline
from ui import library as lib
from ui.theme import md_escape

PAGE = "pages/11_library.py"
ICONS = {
    "success": ":material/check_circle:",
    "error": ":material/error:",
    "info": ":material/info:",
}


show_message = lib.show_message


def _save_name_changed() -> None:
    lib.set_save_name(str(st.session_state["lib.save.name"]))


baseline.render_delta(state.current(), state.policy_text())

try:
    store = lib.store()
    entries = store.list_scenarios()
    trashed = store.trash()
except InputError as exc:
    st.error(md_escape(f"The scenario library is not available: {exc}"), icon=":material/error:")
    state.finish(PAGE)
    st.stop()

# --- who, and save
# ---------------------------------------------------------------------------------
left, right = st.columns([1, 2], gap="large")
with left, st.container(border=True):
    st.subheader("Your name")
    st.text_input(
        "Recorded on every save, rename and delete",
        max_chars=200,
        placeholder="e.g. Dana",
        **lib.author_widget_kwargs(),
    )
    st.caption("Remembered for this session.")
with right, st.container(border=True):
    st.subheader("Save the current scenario")
    st.session_state["lib.save.name"] = lib.save_name()
    c1, c2 = st.columns([1.2, 1])
    c1.text_input("Save as", max_chars=200, key="lib.save.name", on_change=_save_name_changed)
    c2.text_input("Note (optional)", max_chars=500, key="lib.save.note", placeholder="what changed")
    expected = lib.origin_version(lib.save_name())
    if expected:
        st.caption(
            md_escape(
                f"Opened from version {expected} of “{lib.save_name()}”: saving adds the next "
                f"version. If someone "
                "saved it since, you will be asked before anything is written."
            )
        )
    else:
        st.caption(
            "Saving creates a new library entry under this name (or asks first, if the name is "
            "taken)."
        )
    conflict = st.session_state.get(lib.CONFLICT)
    if conflict:
        with st.container(border=True):
            head, detail = lib.conflict_text(conflict)
            st.warning(
                f"**{md_escape(head)}**  \n{md_escape(detail)}", icon=":material/sync_problem:"
            )
            st.caption(
                "Save yours as the next version (both stay in the history), or cancel and save "
                "under another name."
            )
            b1, b2 = st.columns(2)
            b1.button(
                "Save mine as a new version anyway",
                key="lib.conflict.save",
                on_click=lib.save_anyway,
                type="primary",
                help="Both versions are kept in the history; nothing is lost.",
            )
            b2.button("Cancel", key="lib.conflict.cancel", on_click=lib.cancel_conflict)
    else:
        st.button(
            "Save",
            key="lib.save",
            on_click=lib.save_current,
            args=("lib.save.note",),
            type="primary",
        )
    show_message("save")

# --- saved scenarios
# -------------------------------------------------------------------------------
st.header("Saved scenarios")
show_message("entry")
if not entries:
    st.info(
        "The library is empty. Save the current scenario above, or import a YAML file below.",
        icon=":material/folder_open:",
    )
else:
    st.dataframe(
        neutralise_frame(
            pd.DataFrame(
                {
                    "Name": [e.name for e in entries],
                    "Versions": [e.latest_version for e in entries],
                    "Last saved by": [e.updated_by for e in entries],
                    "Last saved": [lib.when(e.updated_at) for e in entries],
                    "Created by": [e.created_by for e in entries],
                }
            )
        ),
        hide_index=True,
        width="stretch",
        key="lib.table",
    )
    names = [e.name for e in entries]
    if st.session_state.get("lib.pick") not in names:
        st.session_state["lib.pick"] = names[0]
    with st.container(border=True):
        st.selectbox("Scenario", names, key="lib.pick")
        name = st.session_state["lib.pick"]
        a1, a2, a3, a4 = st.columns(4)
        a1.button(
            "Open",
            key="lib.open",
            on_click=lib.open_saved,
            args=(name,),
            type="primary",
            help="Make it the current scenario on every page.",
        )
        a2.button("Set as baseline", key="lib.baseline", on_click=lib.baseline_saved, args=(name,))
        try:
            a3.download_button(
                "Download YAML",
                data=store.export_yaml(name),
                file_name=f"{safe_filename(name)}.yaml",
                mime="application/x-yaml",
                key="lib.download",
            )
        except InputError as exc:
            a3.caption(md_escape(str(exc)))
        a4.button(
            "Move to trash",
            key="lib.delete",
            on_click=lib.delete,
            args=(name,),
            help="Reversible: restore it from the trash below, with its history.",
        )
        r1, r2 = st.columns(2, vertical_alignment="bottom")
        with r1:
            c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
            c1.text_input("New name", key="lib.rename.to", max_chars=200)
            c2.button("Rename", key="lib.rename", on_click=lib.rename, args=(name, "lib.rename.to"))
        with r2:
            c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
            c1.text_input("Name of the copy", key="lib.duplicate.to", max_chars=200)
            c2.button(
                "Duplicate",
                key="lib.duplicate",
                on_click=lib.duplicate,
                args=(name, "lib.duplicate.to"),
            )

        st.markdown(f"**History of {md_escape(name)}**")
        try:
            history = store.history(name)
            events = store.events(name)
        except InputError as exc:
            history, events = [], []
            st.error(md_escape(str(exc)), icon=":material/error:")
        if history:
            st.dataframe(
                neutralise_frame(
                    pd.DataFrame(
                        {
                            "Version": [v.version for v in reversed(history)],
                            "Saved by": [v.author for v in reversed(history)],
                            "Saved": [lib.when(v.saved_at) for v in reversed(history)],
                            "Based on": [
                                "—" if v.based_on is None else f"version {v.based_on}"
                                for v in reversed(history)
                            ],
                            "Note": [v.note or "—" for v in reversed(history)],
                        }
                    )
                ),
                hide_index=True,
                width="stretch",
                key="lib.history",
            )
            versions = [v.version for v in reversed(history)]
            if st.session_state.get("lib.version") not in versions:
                st.session_state["lib.version"] = versions[0]
            h1, h2, h3 = st.columns([1.2, 1, 1], vertical_alignment="bottom")
            h1.selectbox(
                "Version", versions, format_func=lambda v: f"Version {v}", key="lib.version"
            )
            h2.button(
                "Restore this version",
                key="lib.restore",
                on_click=lib.restore_version,
                args=(name, "lib.version"),
                help="Saves its content as a new latest version; nothing in the history is lost.",
            )
            h3.button(
                "Open this version",
                key="lib.open_version",
                on_click=lib.open_version,
                args=(name, "lib.version"),
            )
        if events:
            st.caption(
                md_escape(
                    "Also: "
                    + "; ".join(
                        f"{e.kind} by {e.actor} at {lib.when(e.at)} ({e.detail})"
                        for e in events[-5:]
                    )
                )
            )

# --- trash ---------------------------------------------------------------------------------------
st.header("Trash")
show_message("trash")
if not trashed:
    st.caption("The trash is empty.")
else:
    st.dataframe(
        neutralise_frame(
            pd.DataFrame(
                {
                    "Name": [t.name for t in trashed],
                    "Versions": [t.latest_version for t in trashed],
                    "Deleted by": [t.deleted_by or "—" for t in trashed],
                    "Deleted": [lib.when(t.deleted_at) for t in trashed],
                }
            )
        ),
        hide_index=True,
        width="stretch",
        key="lib.trash.table",
    )
    t_names = list(dict.fromkeys(t.name for t in trashed))
    c1, c2, c3 = st.columns([1.3, 1.3, 1], vertical_alignment="bottom")
    c1.selectbox("Deleted scenario", t_names, key="lib.trash.pick")
    c2.text_input(
        "Restore under a new name (optional)",
        key="lib.trash.as",
        max_chars=200,
        help="Needed only if the name is taken again.",
    )
    c3.button(
        "Restore from the trash",
        key="lib.undelete",
        on_click=lib.undelete,
        args=("lib.trash.pick", "lib.trash.as"),
    )

# --- import and export
# -----------------------------------------------------------------------------
st.header("Import and export")
left, right = st.columns(2, gap="large")
with left, st.container(border=True):
    st.markdown("**Import**")
    key = f"lib.import.{st.session_state.get(lib.IMPORT_EPOCH, 0)}"
    st.file_uploader(
        "A scenario YAML file, or a zip of them",
        type=["yaml", "yml", "zip"],
        max_upload_size=20,
        key=key,
        on_change=lib.import_changed,
        args=(key,),
        help="Each scenario goes in under its name: new names are created, existing ones get a new "
        "version, "
        "identical content is left alone. Every file is checked before anything is written. One "
        "import holds "
        "up to 20 MB: a zip of at most 500 scenarios of 1 MB each. Datasets go on the Dataset "
        "page, which takes larger files.",
    )
    show_message("import")
with right, st.container(border=True):
    st.markdown("**Export**")
    st.download_button(
        "Download the current scenario as YAML",
        data=scenario.to_yaml(),
        file_name=f"{safe_filename(scenario.name)}.yaml",
        mime="application/x-yaml",
        key="lib.export.current",
    )
    if entries:
        try:
            st.download_button(
                f"Download all {len(entries)} saved scenarios as a zip",
                data=lib.export_zip(),
                file_name="scenarios.zip",
                mime="application/zip",
                key="lib.export.all",
            )
        except InputError as exc:
            st.error(md_escape(str(exc)), icon=":material/error:")
    st.caption(
        "The latest version of each; history stays here. Import the zip on another machine to move "
        "a library."
    )

state.finish(PAGE)
