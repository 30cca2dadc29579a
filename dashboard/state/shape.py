"""Cross-field check shared by page states whose token counts add up to one context."""

from __future__ import annotations

from typing import Any

from dashboard.features.request import MAX_TOKENS

__all__ = ["check_context_fits"]


def check_context_fits(obj: Any, *names: str) -> None:
    """Raise ``ValueError`` naming the fields when their sum (the longest context a sequence
    reaches, e.g. ``input_len + output_len``) exceeds ``MAX_TOKENS`` (2^24, the bound every token
    count of :class:`~dashboard.features.request.RequestShape` shares)."""
    total = sum(int(getattr(obj, n)) for n in names)
    if total > MAX_TOKENS:
        raise ValueError(f"{' + '.join(names)} must be at most {MAX_TOKENS:,} tokens, got {total:,}")
