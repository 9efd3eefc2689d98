"""The Library page's actions: save (with conflict handling), open, rename, duplicate, delete,
restore, import and export, as Streamlit callbacks over ``hybrid.store``.

Rules:

- Every write records an author, typed once per session (``AUTHOR``); nothing is written without it.
- A save passes the version the scenario was opened from (``state.ORIGIN`` is
  ``("library", name, version)`` after opening or saving) as ``expected_version``, or 0 for a name
  the user did not open. When someone saved since, the store raises ``ConflictError`` and saves
  nothing; the page shows who and when, and offers "save as a new version anyway"
  (``on_conflict="new_version"``). Nothing is ever overwritten silently.
- Each action leaves one message for its section of the page (``MESSAGES``), shown next to the
  button that caused it; store errors are ``InputError`` messages, never tracebacks.
- An imported file is validated here first, so every error names the uploaded file (and, in a
  zip, the member), then written to a private temporary folder and imported in one transaction.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import streamlit as st

from hybrid.errors import InputError
from hybrid.model.scenario import Scenario
from hybrid.store.scenarios import (
    ConflictError,
    ImportResult,
    ScenarioStore,
    clean_name,
    safe_filename,
)
from ui import baseline, compute, state

AUTHOR = "hd.author"
MESSAGES = "hd.library.messages"  # section -> (kind, text)
CONFLICT = (
    "hd.library.conflict"  # the save waiting for "save anyway": name, note, scenario JSON, message
)
SAVE_NAME = "hd.library.save_name"
IMPORT_EPOCH = "hd.library.import_epoch"
MAX_FILE_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 500


# --- messages and author
# ---------------------------------------------------------------------------


def say(section: str, kind: str, text: str) -> None:
    st.session_state.setdefault(MESSAGES, {})[section] = (kind, text)


def take_message(section: str) -> tuple[str, str] | None:
    return st.session_state.setdefault(MESSAGES, {}).pop(section, None)


def author() -> str:
    return str(st.session_state.get(AUTHOR, "") or "").strip()


def _author_changed() -> None:
    st.session_state[AUTHOR] = str(st.session_state.get("lib.author", "")).strip()


def author_widget_kwargs() -> dict[str, Any]:
    st.session_state["lib.author"] = author()
    return {"key": "lib.author", "on_change": _author_changed}


def _need_author(section: str) -> str | None:
    name = author()
    if not name:
        say(
            section,
            "error",
            "Type your name under “Your name” first: the library records who changed what.",
        )
        return None
    try:
        return clean_name(name, "your name")
    except InputError as exc:
        say(section, "error", str(exc))
        return None


def store() -> ScenarioStore:
    return compute.library()


def origin_version(name: str) -> int:
    """The version of ``name`` this session opened or last saved, or 0 ("I am creating it")."""
    origin = st.session_state.get(state.ORIGIN, ())
    if origin and origin[0] == "library" and origin[1] == name and len(origin) > 2:
        return int(origin[2])
    return 0


def when(dt) -> str:
    return "—" if dt is None else f"{dt:%Y-%m-%d %H:%M} UTC"


# --- save ---------------------------------------------------------------------------------------


def _scenario_key() -> tuple[str, int]:
    return (state.current().name, int(st.session_state.get(state.EPOCH, 0)))


def save_name() -> str:
    """The name typed under "Save as" for this scenario; the scenario's own name once it is
    renamed or replaced."""
    entry = st.session_state.get(SAVE_NAME)
    if entry and tuple(entry["for"]) == _scenario_key():
        return str(entry["name"])
    return state.current().name


def set_save_name(name: str) -> None:
    st.session_state[SAVE_NAME] = {"for": _scenario_key(), "name": name}


def _after_save(name: str, version: int) -> None:
    st.session_state[state.ORIGIN] = ("library", name, version)
    if state.current().name != name:
        state.try_update({"name": name})
        st.session_state[state.ORIGIN] = ("library", name, version)
    st.session_state.pop(SAVE_NAME, None)


def save_current(note_key: str) -> None:
    """The Save button: a new version under the chosen name, or a reported conflict."""
    who = _need_author("save")
    if who is None:
        return
    st.session_state.pop(CONFLICT, None)
    scenario = state.current()
    note = str(st.session_state.get(note_key, "") or "").strip()
    try:
        name = clean_name(save_name())
        expected = origin_version(name)
        info = store().save(name, scenario, author=who, expected_version=expected, note=note)
    except ConflictError as exc:
        st.session_state[CONFLICT] = {
            "name": name,
            "note": note,
            "expected": expected,
            "scenario": scenario.model_dump_json(),
            "message": str(exc),
        }
        return
    except InputError as exc:
        say("save", "error", str(exc))
        return
    _after_save(info.name, info.version)
    say("save", "success", f"Saved “{info.name}” as version {info.version} (by {info.author}).")


def save_anyway() -> None:
    """After a conflict: keep both, saving this scenario as the next version."""
    pending = st.session_state.pop(CONFLICT, None)
    who = _need_author("save")
    if pending is None or who is None:
        return
    try:
        scenario = Scenario.model_validate_json(pending["scenario"])
        info = store().save(
            pending["name"],
            scenario,
            author=who,
            expected_version=pending["expected"],
            on_conflict="new_version",
            note=pending["note"],
        )
    except InputError as exc:
        say("save", "error", str(exc))
        return
    _after_save(info.name, info.version)
    say(
        "save",
        "success",
        f"Saved “{info.name}” as version {info.version}; the other version is kept in its history.",
    )


def conflict_text(pending: dict) -> tuple[str, str]:
    """A heading and the store's explanation (who saved what, when), without the CLI's advice."""
    detail = str(pending["message"]).split("; nothing was saved")[0] + "."
    if not pending["expected"]:
        head = "Not saved: a scenario with this name is already in the library."
    elif "no longer in the library" in detail:
        head = "Not saved: the scenario you opened was renamed or deleted since."
    else:
        head = "Not saved: someone else saved a newer version since you opened it."
    return head, detail + " Nothing was saved."


def cancel_conflict() -> None:
    st.session_state.pop(CONFLICT, None)
    say("save", "info", "Nothing was saved.")


_ICONS = {
    "success": ":material/check_circle:",
    "error": ":material/error:",
    "info": ":material/info:",
}


def show_message(section: str) -> None:
    msg = take_message(section)
    if msg:
        from ui.theme import md_escape

        kind, text = msg
        getattr(st, kind)(md_escape(text), icon=_ICONS[kind])


def save_panel(prefix: str) -> None:
    """ "Save the current scenario" for pages other than the Library (Compare): the same save, the
    same author and the same conflict question, in one row. Widget keys start with ``prefix``."""
    from ui.theme import md_escape

    name_key, author_key = f"{prefix}.name", f"{prefix}.author"
    st.session_state[name_key] = save_name()
    st.session_state[author_key] = author()
    c1, c2, c3 = st.columns([1.4, 1, 0.6], vertical_alignment="bottom")
    c1.text_input(
        "Save the current scenario as",
        max_chars=200,
        key=name_key,
        on_change=lambda: set_save_name(str(st.session_state[name_key])),
    )
    c2.text_input(
        "Your name",
        max_chars=200,
        key=author_key,
        placeholder="e.g. Dana",
        on_change=lambda: st.session_state.__setitem__(
            AUTHOR, str(st.session_state[author_key]).strip()
        ),
    )
    conflict = st.session_state.get(CONFLICT)
    if conflict:
        head, detail = conflict_text(conflict)
        st.warning(f"**{md_escape(head)}**  \n{md_escape(detail)}", icon=":material/sync_problem:")
        b1, b2 = st.columns(2)
        b1.button(
            "Save mine as a new version anyway",
            key=f"{prefix}.conflict.save",
            on_click=save_anyway,
            type="primary",
            help="Both versions are kept in the history; nothing is lost.",
        )
        b2.button("Cancel", key=f"{prefix}.conflict.cancel", on_click=cancel_conflict)
    else:
        c3.button(
            "Save",
            key=f"{prefix}.save",
            on_click=save_current,
            args=(f"{prefix}.note",),
            type="primary",
            help="A new version in the library (see the Library page for its history).",
        )
    show_message("save")


# --- one entry
# -------------------------------------------------------------------------------------


def open_saved(name: str, version: int | None = None) -> None:
    try:
        stored = store().get(name, version)
    except InputError as exc:
        say("entry", "error", str(exc))
        return
    v = stored.info.version
    problem = state.replace_scenario(stored.scenario, ("library", name, v))
    if problem:
        say("entry", "error", f"“{name}” version {v} could not be opened: {problem}")
        return
    st.session_state.pop(SAVE_NAME, None)
    say("entry", "success", f"Opened “{name}” version {v}. Every page now works on it.")


def baseline_saved(name: str, version: int | None = None) -> None:
    try:
        stored = store().get(name, version)
    except InputError as exc:
        say("entry", "error", str(exc))
        return
    baseline.set_baseline(stored.scenario, f"{name} v{stored.info.version} (saved)")
    say(
        "entry",
        "success",
        f"“{name}” version {stored.info.version} is the baseline: the sidebar shows what moves "
        f"from it.",
    )


def rename(name: str, key: str) -> None:
    who = _need_author("entry")
    if who is None:
        return
    new = str(st.session_state.get(key, "") or "")
    try:
        info = store().rename(name, new, author=who)
    except InputError as exc:
        say("entry", "error", str(exc))
        return
    origin = st.session_state.get(state.ORIGIN, ())
    if origin and origin[0] == "library" and origin[1] == name:
        if state.current().name == name:
            state.try_update({"name": info.name})
        st.session_state[state.ORIGIN] = ("library", info.name, *origin[2:])
        st.session_state.pop(SAVE_NAME, None)
    st.session_state["lib.pick"] = info.name
    st.session_state[key] = ""
    say("entry", "success", f"Renamed “{name}” to “{info.name}”; its history came with it.")


def duplicate(name: str, key: str) -> None:
    who = _need_author("entry")
    if who is None:
        return
    new = str(st.session_state.get(key, "") or "")
    try:
        info = store().duplicate(name, new, author=who)
    except InputError as exc:
        say("entry", "error", str(exc))
        return
    st.session_state["lib.pick"] = info.name
    st.session_state[key] = ""
    say("entry", "success", f"Duplicated “{name}” as “{info.name}” (version {info.version}).")


def delete(name: str) -> None:
    who = _need_author("entry")
    if who is None:
        return
    try:
        store().delete(name, author=who)
    except InputError as exc:
        say("entry", "error", str(exc))
        return
    say(
        "entry",
        "success",
        f"Moved “{name}” to the trash. It can be restored from the trash below, with its history.",
    )


def restore_version(name: str, key: str) -> None:
    who = _need_author("entry")
    if who is None:
        return
    version = st.session_state.get(key)
    if version is None:
        return
    try:
        info = store().restore(name, int(version), author=who)
    except InputError as exc:
        say("entry", "error", str(exc))
        return
    say(
        "entry",
        "success",
        f"Restored version {version} of “{name}” as its new version {info.version}; history only "
        f"grows.",
    )


def open_version(name: str, key: str) -> None:
    version = st.session_state.get(key)
    if version is not None:
        open_saved(name, int(version))


def undelete(key: str, new_name_key: str) -> None:
    who = _need_author("trash")
    if who is None:
        return
    name = st.session_state.get(key)
    if not name:
        return
    new = str(st.session_state.get(new_name_key, "") or "").strip() or None
    try:
        info = store().undelete(name, author=who, new_name=new)
    except InputError as exc:
        say("trash", "error", str(exc))
        return
    st.session_state["lib.pick"] = info.name
    say("trash", "success", f"Restored “{info.name}” from the trash, with its history.")


# --- import and export
# -----------------------------------------------------------------------------


def _parse(text_bytes: bytes, source: str) -> Scenario:
    if len(text_bytes) > MAX_FILE_BYTES:
        raise InputError(
            f"{source}: {len(text_bytes):,} bytes is too large for a scenario file (at most 1 MB)"
        )
    try:
        text = text_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text; a scenario file is YAML") from None
    scenario = Scenario.from_yaml(text, source)
    clean_name(scenario.name, f"{source}: name")
    return scenario


# Decompressed bytes of all of a zip's members together (each is also capped at MAX_FILE_BYTES).
# zipfile never inflates a member past its declared size, so checking declared sizes caps output.
MAX_ZIP_TOTAL_BYTES = 20 * 1024 * 1024


def _zip_members(data: bytes, source: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """The scenario files in a zip, and every other file in it with the reason it was skipped."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{source}: not a zip file") from None
    members, skipped = [], []
    for i in zf.infolist():
        if i.is_dir():
            continue
        # A name written on Windows may use backslashes; only the last part names the file, and
        # nothing is ever written under a member's own path.
        base = PurePosixPath(i.filename.replace("\\", "/")).name
        if "__MACOSX" in i.filename or base.startswith("._"):
            skipped.append((i.filename, "macOS metadata, not a scenario"))
        elif PurePosixPath(base).suffix.lower() not in (".yaml", ".yml"):
            skipped.append((i.filename, "not a .yaml or .yml file"))
        else:
            members.append(i)
    if not members:
        raise InputError(f"{source}: no .yaml or .yml files in this zip")
    if len(members) > MAX_ZIP_MEMBERS:
        raise InputError(
            f"{source}: {len(members):,} files is more than {MAX_ZIP_MEMBERS} scenarios at once"
        )
    total = sum(i.file_size for i in members)
    if total > MAX_ZIP_TOTAL_BYTES:
        raise InputError(
            f"{source}: its scenario files hold {total:,} bytes uncompressed, more than the "
            f"{MAX_ZIP_TOTAL_BYTES // 2**20} MB one import may"
        )
    out = []
    for i in members:
        where = f"{source}: {i.filename}"
        if i.file_size > MAX_FILE_BYTES:
            raise InputError(
                f"{where}: {i.file_size:,} bytes is too large for a scenario file (at most 1 MB)"
            )
        try:
            out.append((i.filename, zf.read(i)))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
            raise InputError(f"{where}: cannot be read ({exc})") from None
    return out, skipped


def import_upload(filename: str, data: bytes, who: str) -> list[ImportResult]:
    """Import one uploaded YAML file or a zip of them; InputError names the file at fault.

    Every file of a zip is accounted for: the results hold the imported ones (created, updated or
    unchanged) and, with status ``skipped`` and the reason as the name, every file that is not a
    scenario."""
    skipped: list[tuple[str, str]] = []
    if filename.lower().endswith(".zip"):
        members, skipped = _zip_members(data, filename)
        files = [
            (PurePosixPath(m.replace("\\", "/")).name, body, f"{filename}: {m}")
            for m, body in members
        ]
    else:
        files = [(filename, data, filename)]
    parsed = [(name, source, _parse(body, source)) for name, body, source in files]
    with tempfile.TemporaryDirectory(prefix="hybrid-import-") as tmp:
        folder = Path(tmp)
        used: set[str] = set()
        sources: dict[str, str] = {}
        for name, source, scenario in parsed:
            stem, n = safe_filename(Path(name).stem), 2
            candidate = stem
            while candidate.lower() in used:
                candidate, n = f"{stem}-{n}", n + 1
            used.add(candidate.lower())
            target = folder / f"{candidate}.yaml"
            target.write_text(scenario.to_yaml(), encoding="utf-8")
            sources[str(target)] = source
        results = store().import_path(folder, author=who)
    results = [
        ImportResult(sources.get(r.source, r.source), r.name, r.version, r.status) for r in results
    ]
    return results + [
        ImportResult(f"{filename}: {m}", reason, 0, "skipped") for m, reason in skipped
    ]


def import_changed(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        return
    st.session_state[IMPORT_EPOCH] = (
        st.session_state.get(IMPORT_EPOCH, 0) + 1
    )  # clears the uploader
    who = _need_author("import")
    if who is None:
        return
    try:
        results = import_upload(upload.name, upload.getvalue(), who)
    except InputError as exc:
        say("import", "error", f"Nothing was imported. {exc}")
        return
    counts = {
        s: sum(1 for r in results if r.status == s)
        for s in ("created", "updated", "unchanged", "skipped")
    }
    done = [r for r in results if r.status != "skipped"]
    names = ", ".join(f"“{r.name}” ({r.status}, version {r.version})" for r in done[:6])
    more = f" and {len(done) - 6} more" if len(done) > 6 else ""
    skipped = [r for r in results if r.status == "skipped"]
    why = ""
    if skipped:
        listed = "; ".join(f"{r.source}: {r.name}" for r in skipped[:6])
        why = (
            f" Skipped {len(skipped)} file(s) that are not scenarios: {listed}"
            + (" …" if len(skipped) > 6 else "")
            + "."
        )
    say(
        "import",
        "success",
        f"Imported {upload.name}: {counts['created']} new, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, "
        f"{counts['skipped']} skipped. {names}{more}.{why}",
    )


def export_zip() -> bytes:
    """Every live scenario's latest version as YAML files in one zip (file names as the CLI's)."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="hybrid-export-") as tmp:
        written = store().export_all(tmp)
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in written:
                zf.writestr(path.name, path.read_text(encoding="utf-8"))
    return buf.getvalue()
