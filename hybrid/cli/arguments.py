"""The argument types and option groups the commands share, so that an option several commands
take is spelled, checked and explained in one place.

A value argparse refuses is one line and exit code 2 (``hybrid.cli.main``), naming the option and
what it accepts; the types cut what they echo to 40 characters. Nothing here imports the model, so
``--help`` stays quick.
"""

from __future__ import annotations

import argparse
import math

POLICY_HELP = "guardrail policy YAML (default: data/policy.yaml)"
MAX_SEED = 2**32 - 1  # NumPy's legacy seeds are 32-bit; one range for every command
MIN_DRAWS = 100


def _echo(text: str) -> str:
    return text[:40]


def whole(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {_echo(text)!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be from {low:,} to {high:,} (got {_echo(text)})"
            )
        return value

    return parse


def _number(text: str, what: str = "a number") -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {_echo(text)!r}") from None


def between(low: float, high: float):
    """An argparse type: a number strictly between ``low`` and ``high``."""

    def parse(text: str) -> float:
        value = _number(text)
        if not low < value < high:
            raise argparse.ArgumentTypeError(
                f"must be between {low:g} and {high:g} (got {_echo(text)})"
            )
        return value

    return parse


def fraction(text: str) -> float:
    """An argparse type: a fraction from 0 to 1, both included (a measured metric)."""
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction from 0 to 1 (got {_echo(text)})")
    return value


def amount(text: str) -> float:
    """An argparse type: an amount of money, finite and at least 0."""
    value = _number(text, "an amount of money")
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            f"must be a finite amount of at least 0 (got {_echo(text)})"
        )
    return value


def add_scenario_arguments(p, *, json_help: str = "print one JSON object instead of text") -> None:
    """The scenario file, ``--policy`` and ``--json``: what every command on one scenario takes."""
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--policy", help=POLICY_HELP)
    p.add_argument("--json", action="store_true", help=json_help)


def add_monte_carlo_arguments(p, *, draws: int, max_draws: int, why: str = "") -> None:
    """``--draws`` (``MIN_DRAWS`` to ``max_draws``, default ``draws``) and ``--seed``: the options
    of every command that simulates futures. ``why`` follows the default in the help."""
    p.add_argument(
        "--draws",
        type=whole(MIN_DRAWS, max_draws),
        default=draws,
        help=f"Monte Carlo draws, {MIN_DRAWS:,} to {max_draws:,} (default {draws:,}{why})",
    )
    p.add_argument(
        "--seed", type=whole(0, MAX_SEED), default=0, help="Monte Carlo seed (default 0)"
    )
