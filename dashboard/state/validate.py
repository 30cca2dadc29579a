"""Comma-list parsers of the page text inputs (pure; raise ``ValueError`` naming the bad item).

Bounds are not checked here: they live on the field declarations
(:mod:`dashboard.features.params`), and ``PageInputs.text`` passes a declared list field's lower bound
and item limit to these parsers."""

from __future__ import annotations

import math

__all__ = ["parse_float_list", "parse_int_list"]


def _items(text: str, max_items: int) -> list[str]:
    items = [x.strip() for x in str(text).replace(";", ",").split(",") if x.strip()]
    if not items:
        raise ValueError("enter at least one number")
    if len(items) > max_items:
        raise ValueError(f"at most {max_items} values")
    return items


def parse_float_list(text: str, *, min_value: float = 0.0, max_items: int = 64) -> tuple[float, ...]:
    """``"0.5, 1, 2"`` → ``(0.5, 1.0, 2.0)``; raises ValueError naming the bad item."""
    out = []
    for x in _items(text, max_items):
        try:
            v = float(x)
        except ValueError:
            raise ValueError(f"{x[:20]!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"{x[:20]!r} is not a finite number")
        if v < min_value:
            raise ValueError(f"{x[:20]} is below {min_value}")
        out.append(v)
    return tuple(out)


def parse_int_list(text: str, *, min_value: int = 1, max_items: int = 64) -> tuple[int, ...]:
    """``"1, 2, 4"`` → ``(1, 2, 4)``; raises ValueError naming the bad item (non-numbers,
    non-finite or astronomically large values, values below ``min_value``)."""
    out = []
    for x in _items(text, max_items):
        try:
            f = float(x)
        except ValueError:
            raise ValueError(f"{x[:20]!r} is not a number") from None
        if not math.isfinite(f) or abs(f) > 1e12:
            raise ValueError(f"{x[:20]!r} is not a number in range")
        v = int(f)
        if v < min_value:
            raise ValueError(f"{v} is below {min_value}")
        out.append(v)
    return tuple(out)
