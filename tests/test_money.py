"""The one money formatter: full figures for text and help, compact ones for tight spots."""

from __future__ import annotations

import pytest

from hybrid.money import currency_affixes, money, money_compact, short_number


@pytest.mark.parametrize(
    "value, full, compact",
    [
        (55_385, "$55,385", "$55.4k"),
        (1_384.62, "$1,385", "$1,385"),  # no cents beside whole dollars
        (10_849, "$10,849", "$10.8k"),
        (999_950, "$999,950", "$1M"),  # not "$1000k"
        (2_500_000, "$2,500,000", "$2.5M"),
        (60, "$60.00", "$60.00"),
        (4.25, "$4.25", "$4.25"),
        (0.2, "$0.20", "$0.20"),
        (0.015, "$0.015", "$0.015"),  # a synthetic example's price keeps its digits
        (0, "$0.00", "$0.00"),
        (-1_384.6, "-$1,385", "-$1,385"),
    ],
)
def test_money_full_and_compact(value, full, compact):
    assert money(value, "USD") == full
    assert money_compact(value, "USD") == compact


def test_currencies_without_a_symbol_follow_the_number():
    assert money(1234.6, "CHF") == "1,235 CHF"
    assert money_compact(12_345, "EUR") == "\u20ac12.3k"
    assert currency_affixes("GBP") == ("\u00a3", "")
    assert currency_affixes("JPY") == ("", " JPY")
    assert money(float("nan"), "USD") == "n/a"


def test_short_numbers_for_axis_ticks():
    assert [short_number(v) for v in (100, 2000, 50_000, 1_000_000, 1.5e9)] == [
        "100",
        "2k",
        "50k",
        "1M",
        "1.5B",
    ]
