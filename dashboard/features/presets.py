"""Model presets: the real Hugging Face configs shipped under ``dashboard/data/models``."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.features.hardware import normalise_slug
from dashboard.features.model_profile import ModelConfigError, ModelProfile, parse_hf_config
from dashboard.features.safe_io import path_refused_hint, paths_allowed, read_text_capped

__all__ = [
    "DEFAULT_MODEL",
    "MODELS_DIR",
    "list_model_presets",
    "load_model",
    "model_config",
    "model_preset_info",
    "resolve_model_slug",
]

MODELS_DIR = Path(__file__).resolve().parent.parent / "data" / "models"
DEFAULT_MODEL = "llama-3.1-8b"


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    data = json.loads((MODELS_DIR / "index.json").read_text())
    info = {m["slug"]: m for m in data["models"]}
    keys: dict[str, str] = {}
    for slug, m in info.items():
        keys[normalise_slug(slug)] = slug
        for a in m.get("aliases", []):
            keys.setdefault(normalise_slug(a), slug)
        keys.setdefault(normalise_slug(m.get("hf_id", "")), slug)
        keys.setdefault(normalise_slug(m.get("hf_id", "").split("/")[-1]), slug)
    return info, keys


def list_model_presets() -> list[str]:
    """Preset slugs in the order of the index."""
    return list(_index()[0])


def model_preset_info(slug: str) -> dict[str, Any]:
    """Index entry of a preset (HF id, display name, published parameter counts with sources)."""
    return dict(_index()[0][resolve_model_slug(slug)])


def resolve_model_slug(ref: str) -> str:
    """Slug for a preset name, alias or HF id (case- and punctuation-insensitive)."""
    hit = _index()[1].get(normalise_slug(ref))
    if hit is None:
        raise ModelConfigError(f"unknown model {ref!r}; presets: {', '.join(list_model_presets())}", ("model",))
    return hit


def model_config(slug: str) -> dict[str, Any]:
    """The preset's Hugging Face ``config.json`` as a dict (a fresh copy)."""
    return json.loads((MODELS_DIR / f"{resolve_model_slug(slug)}.json").read_text())


def load_model(ref: str | Path | dict[str, Any] | ModelProfile) -> ModelProfile:
    """Resolve a preset slug/alias/HF id, a ``config.json`` path, or a config dict to a profile.

    A *string* is a file path only on the command line (inside
    :func:`dashboard.features.safe_io.allow_paths`); elsewhere (URL parameters, text fields, CSV
    cells) it must name a preset. A :class:`~pathlib.Path` object is always read as a file.
    Files are size-capped (``safe_io.MAX_FILE_BYTES``) before they are read.
    """
    if isinstance(ref, ModelProfile):
        return ref
    if isinstance(ref, dict):
        return parse_hf_config(ref)
    if isinstance(ref, Path):
        return _load_model_file(ref, str(ref))
    if not isinstance(ref, str):
        raise ModelConfigError(f"model must be a preset name, got {type(ref).__name__}", ("model",))
    text = ref.strip()
    if paths_allowed() and (text.lower().endswith(".json") or Path(text).exists()):
        return _load_model_file(Path(text), text)
    if len(text) > 200:
        raise ModelConfigError(f"unknown model {text[:77] + '...'!r}", ("model",))
    try:
        slug = resolve_model_slug(text)
    except ModelConfigError:
        if paths_allowed():
            raise
        hint = path_refused_hint(text)
        if not hint:
            raise
        raise ModelConfigError(f"unknown model {text!r}{hint}", ("model",)) from None
    return parse_hf_config(model_config(slug), name=slug)


def _load_model_file(path: Path, text: str) -> ModelProfile:
    try:
        cfg = json.loads(read_text_capped(path))
    except FileNotFoundError:
        raise ModelConfigError(f"model config file not found: {text}", ("model",)) from None
    except OSError as exc:
        raise ModelConfigError(f"model config {text}: cannot read ({exc.strerror})", ("model",)) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ModelConfigError(f"model config {text} is not valid JSON: {exc}", ("model",)) from None
    except ValueError as exc:
        raise ModelConfigError(f"model config: {exc}", ("model",)) from None
    return parse_hf_config(cfg, name=path.stem)
