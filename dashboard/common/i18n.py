"""One catalogue for every user-visible string, in English and Simplified Chinese.

Strings live in ``dashboard/common/strings/*.py`` modules, each defining ``STRINGS = {key: {"en":
..., "zh": ...}}``; pages add their own module. :func:`tr` looks a key up and formats it.
A missing translation falls back to English, a missing key to the key itself (a test checks that
every key has both languages).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Any

__all__ = ["LANGUAGES", "catalogue", "page_text", "tr"]

LANGUAGES = {"en": "English", "zh": "简体中文"}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    from dashboard.common import strings

    merged: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(strings.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"dashboard.common.strings.{info.name}")
        for key, value in getattr(mod, "STRINGS", {}).items():
            if key in merged and merged[key] != value:
                raise ValueError(f"string key {key!r} defined twice with different text")
            merged[key] = value
    return merged


def tr(key: str, lang: str = "en", **fmt: Any) -> str:
    """Translated text for ``key`` in ``lang`` ("en" or "zh"), formatted with ``fmt``."""
    entry = catalogue().get(key)
    text = key if entry is None else entry.get(lang) or entry.get("en") or key
    return text.format(**fmt) if fmt else text


def page_text(text: str, lang: str, prefix: str = "page") -> str:
    """A page title/description (or ``prefix="section"``: a navigation section) given in English,
    in ``lang`` when the catalogue has it (``<prefix>:<English>``), else unchanged."""
    entry = catalogue().get(f"{prefix}:{text}")
    return (entry.get(lang) or text) if entry else text
