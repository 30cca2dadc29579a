"""Numbers for people (issue 14 §3): a value rounded to a few significant digits, thousands grouped.

``format_sig(30.6929) == "30.7"``, ``format_sig(3928.69) == "3,930"``, ``format_sig(0.012345) == "0.0123"``,
``format_sig(1234567) == "1,230,000"``; NaN/None → ``"—"``. No exponent notation below 10^15 (a card
shows "1,230,000", never "1.23e+06")."""

from __future__ import annotations

import math

__all__ = ["format_sig"]


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
    r = round(v, places)
    if places <= 0:
        return f"{int(r):,}"
    return f"{r:,.{places}f}".rstrip("0").rstrip(".")
