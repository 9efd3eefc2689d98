"""The options several commands share (hybrid/cli/arguments.py): one spelling, one check, one
help text, and the CLI's numbers held equal to the model's."""

from __future__ import annotations

import argparse

import pytest

from hybrid.cli import arguments, rounds
from hybrid.cli.arguments import POLICY_HELP, amount, between, fraction, whole
from hybrid.cli.main import build_parser, main
from tests.conftest import EXAMPLES


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {o: a for a in parser._actions for o in a.option_strings}


def test_commands_on_one_scenario_take_the_same_three_arguments():
    commands = subcommands()
    for name in ("recommend", "rounds", "workplan"):
        dests = [a.dest for a in commands[name]._actions]
        assert "scenario" in dests, name
        assert options(commands[name])["--json"].nargs == 0, name
    for name in ("recommend", "rounds", "workplan", "report"):
        assert options(commands[name])["--policy"].help == POLICY_HELP, name


def test_monte_carlo_options_are_checked_alike():
    commands = subcommands()
    for name, high in (("rounds", 20_000), ("report", 200_000)):
        draws = options(commands[name])["--draws"]
        assert draws.type(str(high)) == high
        with pytest.raises(argparse.ArgumentTypeError, match=f"from 100 to {high:,}"):
            draws.type(str(high + 1))
        seed = options(commands[name])["--seed"]
        assert seed.type("0") == 0
        with pytest.raises(argparse.ArgumentTypeError, match="from 0 to"):
            seed.type("-1")


def test_the_rounds_command_holds_the_models_draws():
    from hybrid.whatif import rounds as model

    assert rounds.DRAWS == model.DEFAULT_DRAWS
    assert rounds.MAX_DRAWS == model.MAX_DRAWS
    assert arguments.MIN_DRAWS == 100


def test_rounds_refuses_too_many_draws_before_any_work(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["rounds", str(EXAMPLES[0]), "--draws", "20001"])
    assert exc.value.code == 2
    assert "--draws: must be from 100 to 20,000" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (whole(1, 5), "x" * 100, "expected a whole number"),
        (whole(1, 5), "6", "must be from 1 to 5"),
        (between(0.0, 0.5), "0.5", "must be between 0 and 0.5"),
        (between(0.0, 0.5), "nan", "must be between"),
        (fraction, "1.5", "must be a fraction from 0 to 1"),
        (fraction, "nan", "must be a fraction"),
        (amount, "-1", "finite amount"),
        (amount, "inf", "finite amount"),
        (amount, "ten", "expected an amount of money"),
    ],
)
def test_a_bad_value_is_one_short_line(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message) as exc:
        parse(text)
    assert len(str(exc.value)) < 100 and "\n" not in str(exc.value)


def test_good_values_pass():
    assert whole(1, 5)("5") == 5
    assert between(0.5, 1.0)("0.95") == 0.95
    assert fraction("0") == 0.0 and fraction("1") == 1.0
    assert amount("0") == 0.0 and amount("1e6") == 1e6
