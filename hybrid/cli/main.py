"""``python -m hybrid``: the command line over the same functions the dashboard uses.

Each command module exposes ``register(subparsers)``, adding its sub-command with
``set_defaults(func=...)``; a command function takes the parsed arguments and returns an exit code.
Bad input raises ``InputError``; here it becomes one line on stderr and exit code 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from hybrid.errors import InputError

# Modules that add sub-commands; a missing optional module is skipped so one broken command
# cannot take the others down.
COMMAND_MODULES = (
    "hybrid.cli.recommend",
    "hybrid.cli.data",
    "hybrid.cli.scenarios",
    "hybrid.cli.report",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default exits 2 with usage; keep that
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m hybrid", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
