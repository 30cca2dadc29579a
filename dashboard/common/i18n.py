"""One catalogue for every user-visible string, in English and Simplified Chinese.

Strings live in ``dashboard/common/strings/*.py`` modules, each defining ``STRINGS = {key: {"en":
..., "zh": ...}}``; pages add their own module. :func:`tr` looks a key up and formats it.
A missing translation falls back to English, a missing key to the key itself (a test checks that
every key has both languages).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache
from typing import Any

__all__ = ["LANGUAGES", "catalogue", "localize_error", "localize_value", "option_label", "page_text", "tr"]

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


@lru_cache(maxsize=1)
def _error_patterns() -> list[tuple[re.Pattern[str], str]]:
    from dashboard.common.strings import errors

    return [(re.compile(p), key) for p, key in errors.PATTERNS]


def localize_error(error: Any, lang: str) -> str:
    """A domain error message (``str(exc)``, English, as the CLI prints it) in ``lang``: a message
    matching one of ``strings/errors.py``'s patterns is rebuilt from its catalogue entry with the
    matched parameters (numbers and field identifiers unchanged); messages joined by "; " are
    translated part by part, and "<name>: <known message>" keeps its name; anything else stays
    as it is."""
    text = str(error)
    if lang == "en" or not text:
        return text
    for pattern, key in _error_patterns():
        m = pattern.fullmatch(text)
        if m:
            params = {k: (v or "") for k, v in m.groupdict().items()}
            if lang == "zh" and key == "err.unknown_preset":
                params["what"] = {"model": "模型", "hardware": "硬件", "engine": "引擎"}[params["what"]]
                params["hint"] = "；文件路径只能在命令行中使用（请改为上传文件）" if params["hint"] else ""
                params["presets"] = f"；可选预设：{params['presets']}" if params["presets"] else ""
            if key == "reason.layout":
                params["why"] = localize_error(params["why"], lang)
            if lang == "zh" and key == "reason.oom_kv":
                params["pool"] = f"（{params['pool'].strip()[1:-1]}）" if params.get("pool") else ""
            if lang == "zh" and key == "err.sim_request_blocks" and params.get("dp"):
                params["dp"] = "（每个 DP rank）"
            if lang == "zh" and key == "err.param_number":
                params["range"] = f" {params['range']} 内的" if params.get("range") else ""
                params["kind"] = "整数" if params["kind"] == "an integer" else "有限数"
                params["unit"] = f"（{params['unit'].strip()[1:-1]}）" if params.get("unit") else ""
            return tr(key, lang, **params)
    parts = text.split("; ")
    if len(parts) > 1:
        return "；".join(localize_error(p, lang) for p in parts)
    head, sep, rest = text.partition(": ")  # "<field, row or file>: <a known message>"
    if sep and len(head) <= 80:
        inner = localize_error(rest, lang)
        if inner != rest:
            return f"{head}：{inner}"
    return text


def tr(key: str, lang: str = "en", **fmt: Any) -> str:
    """Translated text for ``key`` in ``lang`` ("en" or "zh"), formatted with ``fmt``. A parameter
    named ``error`` (an exception or a service's error message) goes through
    :func:`localize_error`, so every page's error line is in the page language."""
    if "error" in fmt and lang != "en":
        fmt["error"] = localize_error(fmt["error"], lang)
    entry = catalogue().get(key)
    text = key if entry is None else entry.get(lang) or entry.get("en") or key
    return text.format(**fmt) if fmt else text


def localize_value(value: Any, lang: str) -> Any:
    """A table cell in ``lang``: a string with a ``val.<value>``, ``opt.<value>`` or
    ``opcat.<value>`` catalogue entry reads as that entry; parts joined by " · " (a series id) each so; a known message (errors,
    rejection reasons, notes) goes through :func:`localize_error`. Other values are returned as
    they are (numbers, identifiers, names)."""
    if lang == "en" or not isinstance(value, str) or not value:
        return value
    cat = catalogue()
    for prefix in ("val.", "opt.", "opcat."):
        entry = cat.get(prefix + value)
        if entry:
            return entry.get(lang) or value
    if " · " in value:
        return " · ".join(str(localize_value(part, lang)) for part in value.split(" · "))
    return localize_error(value, lang)


def option_label(value: Any, lang: str) -> str:
    """How a select option whose stored value is ``value`` (an identifier kept in state, URLs and
    JSON) reads in ``lang``: the catalogue's ``opt.<value>`` entry, else ``str(value)``."""
    entry = catalogue().get(f"opt.{value}")
    return (entry.get(lang) or str(value)) if entry else str(value)


def page_text(text: str, lang: str, prefix: str = "page") -> str:
    """A page title/description (or ``prefix="section"``: a navigation section) given in English,
    in ``lang`` when the catalogue has it (``<prefix>:<English>``), else unchanged."""
    entry = catalogue().get(f"{prefix}:{text}")
    return (entry.get(lang) or text) if entry else text
