"""``python -m hybrid scenarios ...``: the scenario library from the command line.

The same ``ScenarioStore`` the dashboard uses, at ``$HYBRID_DATABASE_URL`` or the SQLite file under
``$HYBRID_DATA_DIR`` (default ``var/``). Export and import move a library between machines as plain
scenario YAML files. See docs/store.md. SQLAlchemy is imported when a command opens the library.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from hybrid.errors import InputError
from hybrid.safetext import shown

# Version numbers are database integers; anything larger cannot name a saved version.
MAX_VERSION = 2**31 - 1


def _version(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a version number, got {text[:40]!r}") from None
    if not 1 <= value <= MAX_VERSION:
        raise argparse.ArgumentTypeError(
            f"must be a version number from 1 to {MAX_VERSION:,} (got {text[:40]})"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scenarios",
        help="list, show, export, import and restore saved scenarios",
        description="Saved scenarios with their version history; see docs/store.md.",
    )
    actions = parser.add_subparsers(dest="action", required=True)

    p = actions.add_parser("list", help="the scenarios in the library")
    p.add_argument("--trash", action="store_true", help="list deleted scenarios instead")
    p.set_defaults(func=cmd_list)

    p = actions.add_parser("show", help="print a scenario as YAML")
    p.add_argument("name")
    p.add_argument("--version", type=_version, help="an earlier version (default: the latest)")
    p.set_defaults(func=cmd_show)

    p = actions.add_parser("history", help="every saved version of a scenario")
    p.add_argument("name")
    p.set_defaults(func=cmd_history)

    p = actions.add_parser("export", help="write scenarios as YAML files")
    p.add_argument("name", nargs="?", help="the scenario to export (or --all)")
    p.add_argument("--all", action="store_true", help="every scenario, one file each")
    p.add_argument("-o", "--output", help="file or folder (required with --all; default stdout)")
    p.add_argument("--version", type=_version, help="an earlier version (default: the latest)")
    p.set_defaults(func=cmd_export)

    p = actions.add_parser("import", help="add scenarios from a YAML file or a folder of them")
    p.add_argument("path")
    _author(p)
    p.set_defaults(func=cmd_import)

    p = actions.add_parser("restore", help="make an earlier version current (as a new version)")
    p.add_argument("name")
    p.add_argument("version", type=_version)
    _author(p)
    p.set_defaults(func=cmd_restore)

    p = actions.add_parser("rename", help="rename a scenario, keeping its history")
    p.add_argument("name")
    p.add_argument("new_name")
    _author(p)
    p.set_defaults(func=cmd_rename)

    p = actions.add_parser("duplicate", help="copy a scenario under a new name")
    p.add_argument("name")
    p.add_argument("new_name")
    _author(p)
    p.set_defaults(func=cmd_duplicate)

    p = actions.add_parser("delete", help="move a scenario to the trash (restorable)")
    p.add_argument("name")
    _author(p)
    p.set_defaults(func=cmd_delete)

    p = actions.add_parser("undelete", help="bring a scenario back from the trash")
    p.add_argument("name")
    p.add_argument("--as", dest="new_name", help="restore under another name")
    _author(p)
    p.set_defaults(func=cmd_undelete)


def _author(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--author", default=None, help="who is making the change (default: $HYBRID_AUTHOR or login)"
    )


def _open():
    from hybrid.store.scenarios import ScenarioStore

    return ScenarioStore()


def _default_author() -> str:
    from hybrid.store.scenarios import default_author

    return default_author()


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    from hybrid.safetext import shown

    rows = [[shown(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    with _open() as store:
        entries = store.trash() if args.trash else store.list_scenarios()
    if not entries:
        print("(the trash is empty)" if args.trash else "(no saved scenarios)")
        return 0
    if args.trash:
        rows = [
            [e.name, str(e.latest_version), _when(e.deleted_at), e.deleted_by or ""]
            for e in entries
        ]
        print(_table(["NAME", "VERSIONS", "DELETED", "BY"], rows))
    else:
        rows = [[e.name, str(e.latest_version), _when(e.updated_at), e.updated_by] for e in entries]
        print(_table(["NAME", "VERSION", "SAVED", "BY"], rows))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open() as store:
        text = store.export_yaml(args.name, args.version)
    sys.stdout.write(text)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with _open() as store:
        versions = store.history(args.name)
        events = store.events(args.name)
    rows = [
        [
            str(v.version),
            _when(v.saved_at),
            v.author,
            "" if v.based_on is None else str(v.based_on),
            v.note,
        ]
        for v in versions
    ]
    print(_table(["VERSION", "SAVED", "BY", "BASED ON", "NOTE"], rows))
    for e in events:
        print(shown(f"{_when(e.at)}  {e.actor}  {e.kind}: {e.detail}"))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.all == bool(args.name):
        raise InputError("scenarios export: give a scenario name or --all (not both)")
    with _open() as store:
        if args.all:
            if not args.output:
                raise InputError("scenarios export --all: needs -o FOLDER")
            if args.version is not None:
                raise InputError("scenarios export --all: --version applies to one scenario")
            written = store.export_all(args.output)
            for path in written:
                print(path)
            print(
                f"exported {len(written):,} scenario{'' if len(written) == 1 else 's'} to "
                f"{args.output}",
                file=sys.stderr,
            )
            return 0
        if not args.output:
            sys.stdout.write(store.export_yaml(args.name, args.version))
            return 0
        print(store.export(args.name, Path(args.output), args.version))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with _open() as store:
        results = store.import_path(args.path, args.author or _default_author())
    for r in results:
        print(shown(f"{r.status} {r.name!r} version {r.version} from {r.source}"))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    with _open() as store:
        saved = store.restore(args.name, args.version, args.author)
    print(shown(f"restored {saved.name!r} version {args.version} as version {saved.version}"))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with _open() as store:
        info = store.rename(args.name, args.new_name, args.author)
    print(shown(f"renamed {args.name!r} to {info.name!r}"))
    return 0


def cmd_duplicate(args: argparse.Namespace) -> int:
    with _open() as store:
        saved = store.duplicate(args.name, args.new_name, args.author)
    print(shown(f"duplicated {args.name!r} as {saved.name!r}"))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with _open() as store:
        info = store.delete(args.name, args.author)
    print(shown(f"moved {info.name!r} to the trash (undelete restores it)"))
    return 0


def cmd_undelete(args: argparse.Namespace) -> int:
    with _open() as store:
        info = store.undelete(args.name, args.author, args.new_name)
    print(shown(f"restored {info.name!r} from the trash"))
    return 0
