"""Issue 14 §3: numbers on metric cards have 3–4 significant digits (common/numfmt.py)."""

from __future__ import annotations

import math

from dashboard.common.numfmt import card_value, format_sig


def test_format_sig() -> None:
    assert format_sig(30.6929) == "30.7" and format_sig(3928.69) == "3,930" and format_sig(0.012345) == "0.0123"
    assert format_sig(1234567) == "1,230,000" and format_sig(784.62, 4) == "784.6" and format_sig(12.0) == "12"
    assert format_sig(None) == "—" and format_sig(math.nan) == "—" and format_sig(0) == "0"
    assert format_sig(math.inf) == "∞"


def test_card_values_are_rounded_never_rewritten() -> None:
    assert card_value("1,011.1") == "1,011" and card_value("203.89 ms") == "203.9 ms"
    assert card_value("-2.3456") == "-2.346" and card_value("0.001234567") == "0.001235"
    assert card_value("12,345.6") == "12,350"  # decimals rounded; an integer count is exact
    for unchanged in ("94.4%", "6", "0.060", "4 / 4", "—", "TP4 EP2", "99.96 %", "1.2e3", "131,072", "1798200"):
        assert card_value(unchanged) == unchanged
