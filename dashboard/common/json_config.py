"""Model JSON helpers used by the sidebar and the seed's example page.

``load_model_json`` parses text safely (``json.loads`` only, never ``eval``) and falls back to a
default; ``format_model_json`` pretty-prints; ``DEFAULT_MODEL_JSON`` is the Llama-3.1-8B preset's
real Hugging Face config.
"""

from __future__ import annotations

import json
from typing import Any

from dashboard.features.presets import DEFAULT_MODEL, model_config

__all__ = ["DEFAULT_MODEL_JSON", "MAX_JSON_BYTES", "format_model_json", "load_model_json", "parse_json_object"]

MAX_JSON_BYTES = 2_000_000
DEFAULT_MODEL_JSON: dict[str, Any] = model_config(DEFAULT_MODEL)


def parse_json_object(text: str | bytes) -> dict[str, Any]:
    """Parse ``text`` as one JSON object; raises ``ValueError`` with a one-line reason."""
    if isinstance(text, bytes):
        if len(text) > MAX_JSON_BYTES:
            raise ValueError(f"JSON is larger than {MAX_JSON_BYTES // 1000} kB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("file is not UTF-8 text") from None
    if len(text) > MAX_JSON_BYTES:
        raise ValueError(f"JSON is larger than {MAX_JSON_BYTES // 1000} kB")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("JSON is nested too deeply") from None
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object {...}")
    return obj


def load_model_json(text: str | bytes | None, default: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parsed JSON object from ``text``, or a copy of ``default`` when it is empty or invalid."""
    fallback = dict(default if default is not None else DEFAULT_MODEL_JSON)
    if not text or (isinstance(text, str) and not text.strip()):
        return fallback
    try:
        obj = parse_json_object(text)
    except ValueError:
        return fallback
    return obj or fallback


def format_model_json(obj: dict[str, Any]) -> str:
    """Stable pretty-printed JSON (2-space indent, keys in their given order)."""
    return json.dumps(obj, indent=2, ensure_ascii=False)
