"""Money as people read it: one formatter for the dashboard, the reports, the CLI text and the
rationale.

Two forms of the same rule:

- ``money(x, cur)``, the full figure: whole units from 100 up ("$55,385", "$1,385"), cents below
  100 ("$60.00", "$4.25"), and three significant digits below one unit ("$0.015": a synthetic
  example can cost a cent and a half). Millions are written out ("$2,500,000"), never abbreviated.
- ``money_compact(x, cur)``, for tight spots (metric tiles, chart labels, axis ticks): three
  significant digits with k, M or B from 10,000 up ("$10.8k", "$1.25M"), otherwise as ``money``
  ("$8,235" is as short as "$8.24k" and exact).
  Where the compact form is shown, the full figure belongs in the help text or the hover.

USD, EUR and GBP get their symbol in front; any other code follows the number ("1,385 CHF"). The
code is the user's text: callers that put it into HTML or Markdown escape it there.
"""

from __future__ import annotations

import math
import re

from hybrid.errors import InputError

SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3"}
_UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def currency_affixes(currency: str) -> tuple[str, str]:
    """(prefix, suffix) around a number: ("$", "") for USD, ("", " CHF") for a code without a
    symbol."""
    sym = SYMBOLS.get(currency, "")
    return (sym, "") if sym else ("", f" {currency}")


def _wrap(body: str, negative: bool, currency: str) -> str:
    pre, suf = currency_affixes(currency)
    return f"{'-' if negative else ''}{pre}{body}{suf}"


def _body(a: float) -> str:
    """The digits of a non-negative amount, full form."""
    if a >= 99.995:  # 99.996 would print as "100.00"; from there on whole units
        return f"{a:,.0f}"
    if a >= 1 or a == 0:
        return f"{a:,.2f}"
    decimals = 2 - math.floor(math.log10(a))  # three significant digits
    body = f"{a:.{decimals}f}".rstrip("0")
    whole, _, frac = body.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"  # $0.20, not $0.2


def money(x: float, currency: str) -> str:
    """The full figure: "$55,385", "$60.00", "$0.015", "-$1,385", "1,385 CHF"."""
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    a = abs(x)
    body = _body(a)
    return _wrap(body, x < 0 and body.strip("0.,") != "", currency)


def short_number(v: float) -> str:
    """A number in three significant digits with k, M or B: 10800 -> "10.8k", 2000 -> "2k", 950 ->
    "950"."""
    a = abs(float(v))
    sign = "-" if v < 0 else ""
    for i, (div, unit) in enumerate(_UNITS):
        if a >= div * 0.9995:
            digits = f"{a / div:.3g}"
            if float(digits) >= 1000 and i > 0:  # 999,950 rounds to 1000k: say 1M
                div, unit = _UNITS[i - 1]
                digits = f"{a / div:.3g}"
            return f"{sign}{_plain(digits)}{unit}"
    return f"{sign}{_plain(f'{a:.3g}')}"


def _plain(digits: str) -> str:
    """ "1e+03" style output of .3g written out, trailing zeros dropped ("60.0" -> "60")."""
    if "e" in digits:
        digits = f"{float(digits):.0f}"
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits


def money_compact(x: float, currency: str) -> str:
    """For tight spots: "$10.8k", "$1.25M", "$950", "$4.25". The full figure goes in help text."""
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    a = abs(x)
    if a < 9999.5:  # "$8,235" is as short as "$8.24k" and exact
        return money(x, currency)
    return _wrap(short_number(a), x < 0, currency)


def money_entry(x: float, currency: str) -> str:
    """An amount as an input field shows it, exactly and with separators: "$60,000", "$1,234.50"."""
    x = float(x)
    a = abs(x)
    body = f"{a:,.2f}" if round(a, 2) == a else f"{a:,.6f}".rstrip("0")
    if body.endswith(".00"):
        body = body[:-3]
    return _wrap(body, x < 0, currency)


_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_SCIENTIFIC = re.compile(r"-?\d+(?:\.\d*)?[eE][+-]?\d+")


def parse_money(text: str, currency: str) -> float:
    """What a person types into a money field: "60000", "60,000", "$60,000", "60k", "1.2M",
    "60 000 USD". Raises InputError with a sentence to show when it is not an amount."""

    raw = "" if text is None else str(text)
    t = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    shown = raw.strip()[:40]
    if not t:
        raise InputError("type an amount, such as 60,000 or 60k")
    for affix in filter(None, (SYMBOLS.get(currency, ""), currency)):
        if t.upper().startswith(affix.upper()):
            t = t[len(affix) :].strip()
        if t.upper().endswith(affix.upper()):
            t = t[: -len(affix)].strip()
    scientific = _SCIENTIFIC.fullmatch(t.replace(",", "").replace(" ", "").replace("_", ""))
    if scientific:
        # "1e12", as the scenario file takes it (and the cap is written): not a currency problem.
        value = float(scientific.group(0))
        if not math.isfinite(value):
            raise InputError(f"{shown!r} is far too large an amount")
        return value
    if any(sym in t for sym in SYMBOLS.values()) or any(c.isalpha() for c in t[:-1]):
        raise InputError(
            f"{shown!r} is not an amount in {currency}: type a number such as 60,000 or 60k"
        )
    t = t.replace(",", "").replace(" ", "").replace("_", "")
    mult = 1.0
    if t and t[-1].lower() in _SUFFIX:
        mult, t = _SUFFIX[t[-1].lower()], t[:-1]
    if not t or not all(c.isdigit() or c in ".-" for c in t) or t.count(".") > 1 or "-" in t[1:]:
        raise InputError(f"{shown!r} is not an amount: type a number such as 60,000 or 60k")
    try:
        value = float(t) * mult
    except ValueError:
        raise InputError(
            f"{shown!r} is not an amount: type a number such as 60,000 or 60k"
        ) from None
    if not math.isfinite(value):
        raise InputError(f"{shown!r} is not an amount")
    return value
