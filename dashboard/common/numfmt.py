"""Numbers for people (issue 14 §3): a value rounded to a few significant digits, thousands grouped.

``format_sig(30.6929) == "30.7"``, ``format_sig(3928.69) == "3,930"``, ``format_sig(0.012345) == "0.0123"``,
``format_sig(1234567) == "1,230,000"``; NaN/None → ``"—"``. No exponent notation below 10^15 (a card
shows "1,230,000", never "1.23e+06")."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["card_value", "format_sig"]

_CARD = re.compile(r"^(-?)([\d,]*\.?\d+)(\s*(?:%|[A-Za-zµ/]+)?)$")


def format_sig(x: float | int | None, digits: int = 3) -> str:
    """``x`` rounded to ``digits`` significant digits (trailing zeros of the fraction dropped)."""
    if x is None:
        return "—"
    v = float(x)
    if math.isnan(v):
        return "—"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    places = digits - 1 - mag  # decimal places that keep ``digits`` significant digits (< 0: round to tens…)
    r = Decimal(repr(v)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # 68.625 → 68.63
    if places <= 0:
        return f"{int(r):,}"
    return f"{r:,.{places}f}".rstrip("0").rstrip(".")


def card_value(text: str, digits: int = 4) -> str:
    """A metric card's value with at most ``digits`` significant digits: ``"1,011.1"`` → ``"1,011"``,
    ``"203.89 ms"`` → ``"203.9 ms"``; integers (counts: ``"131,072"``), text that is not one plain
    number (``"4 / 4"``, ``"TP4"``, ``"—"``) and short values (``"0.060"``, ``"94.4%"``) are returned
    unchanged."""
    m = _CARD.match(text.strip()) if isinstance(text, str) else None
    if not m:
        return text
    sign, num, unit = m.groups()
    if "." not in num:  # an integer (a count) stays exact: its digits are all significant
        return text
    mantissa = num.replace(",", "").replace(".", "").lstrip("0")
    if len(mantissa) <= digits:
        return text
    return format_sig(float(sign + num.replace(",", "")), digits) + unit
