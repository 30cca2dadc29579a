"""Validation helpers shared by the page-input dataclasses (pure; raise ``ValueError`` with the
field name so pages can show one clear line)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["check_float", "check_float_tuple", "check_int", "check_int_tuple", "parse_float_list", "parse_int_list"]


def check_int(name: str, v: Any, lo: int, hi: int) -> None:
    """Raise ``ValueError`` unless ``v`` is an int (not a bool) in ``[lo, hi]``."""
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ValueError(f"{name} must be an integer between {lo:,} and {hi:,}, got {v!r}")


def check_float(name: str, v: Any, lo: float, hi: float, *, open_lo: bool = False) -> None:
    """Raise ``ValueError`` unless ``v`` is a finite number in ``[lo, hi]`` (``(lo, hi]`` if ``open_lo``)."""
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if ok:
        ok = (lo < v if open_lo else lo <= v) and v <= hi
    if not ok:
        bracket = "(" if open_lo else "["
        raise ValueError(f"{name} must be a number in {bracket}{lo:g}, {hi:g}], got {v!r}")


def check_int_tuple(name: str, vs: Any, lo: int, hi: int, max_items: int = 64) -> None:
    if not isinstance(vs, tuple) or not vs or len(vs) > max_items:
        raise ValueError(f"{name} needs 1 to {max_items} values")
    for v in vs:
        check_int(name, v, lo, hi)


def check_float_tuple(name: str, vs: Any, lo: float, hi: float, max_items: int = 64) -> None:
    if not isinstance(vs, tuple) or not vs or len(vs) > max_items:
        raise ValueError(f"{name} needs 1 to {max_items} values")
    for v in vs:
        check_float(name, v, lo, hi)


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
