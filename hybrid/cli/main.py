"""``python -m hybrid``: the command line over the same functions the dashboard uses.

Each command module exposes ``register(subparsers)``, adding its sub-command with
``set_defaults(func=...)``; a command function takes the parsed arguments and returns an exit code.
Bad input raises ``InputError``; here it becomes one line on stderr and exit code 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hybrid.cli import data, engines, recommend, report, rounds, scenarios, storage, workplan
from hybrid.errors import InputError
from hybrid.safetext import shown

# The modules that add sub-commands, in --help order. Imported like any other module: one that
# fails to import is an error, not a command that silently goes missing.
COMMAND_MODULES = (recommend, data, scenarios, report, workplan, rounds)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        """A bad argument is one line, exit code 2, like every other bad input (argparse's default
        prints the whole usage first, six lines for ``report``, which buries the message)."""
        print(f"error: {shown(message)} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def program_name() -> str:
    """``hybrid`` when started by the installed console script, else ``python -m hybrid``."""
    return "hybrid" if Path(sys.argv[0]).name == "hybrid" else "python -m hybrid"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=program_name(),
        description="The command line over the same functions the dashboard uses.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    engines.add_engine_arguments(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with storage.storage_session(args):
            code = int(args.func(args) or 0)
        sys.stdout.flush()  # a full disk or closed pipe on stdout is reported here, not at exit
        return code
    except InputError as exc:
        print(f"error: {shown(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        # A backstop: every input is capped so that no command needs more than about 1 GB, but a
        # machine (or a ulimit) with less still gets one line, not a traceback: the file it was
        # reading and the setting of this command that needs less memory.
        print(f"error: {out_of_memory(args)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _detach_stdout()
        return 0
    except OSError as exc:  # writing the output failed (ENOSPC on > /dev/full, EIO, ...)
        _detach_stdout()
        print(f"error: cannot write the output ({exc.strerror or exc})", file=sys.stderr)
        return 2


# What lowers the memory of each command, by command name.
_MEMORY_KNOBS = {
    "learning-curve": "sample fewer rows with --max-rows",
    "evidence": "sample fewer rows with --max-rows",
    "report": "lower --draws",
    "profile": "lower HYBRID_DUCKDB_MEMORY or profile fewer files at once",
    "workplan": "slice by a column with fewer values, or give fewer rows in --data",
}


def out_of_memory(args: argparse.Namespace) -> str:
    """The one line for a command that ran out of memory: the file it read, the command, and
    the knob of that command that needs less (never a flag the command does not have)."""
    files = [getattr(args, "file", None), getattr(args, "data", None)]
    files += list(getattr(args, "files", None) or [])
    named = ", ".join(shown(str(f)) for f in files if f)
    command = getattr(args, "command", None) or "this command"
    knob = _MEMORY_KNOBS.get(command, "give it less data")
    where = f"{named}: " if named else ""
    return f"{where}not enough memory for {command}; {knob}, or free some memory"


def _detach_stdout() -> None:
    """Drop whatever is still buffered for a stdout that cannot take it, so the interpreter's own
    flush at exit does not print a second, raw error."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
