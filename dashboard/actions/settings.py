"""Every write to the session state goes through these functions.

Each validates before it writes and returns an error message (or ``None``); on error the state
keeps its last valid value, so nothing the user entered earlier is lost.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from dashboard.common.json_config import format_model_json, parse_json_object
from dashboard.features.checkpoint import native_format
from dashboard.features.hardware import HardwareError, hardware_from_dict, hardware_to_dict, load_hardware
from dashboard.features.model_profile import ModelConfigError, ModelProfile, parse_hf_config
from dashboard.features.presets import model_config, resolve_model_slug
from dashboard.state.session import SessionState

__all__ = [
    "Actions",
    "apply_native_format",
    "apply_overrides",
    "resolve_hardware",
    "save_custom_hardware",
    "select_hardware",
    "select_model_preset",
    "set_hardware_override",
    "set_model_json",
    "set_page_input",
    "update_settings",
]


def select_model_preset(ss: SessionState, slug: str) -> str | None:
    try:
        slug = resolve_model_slug(slug)
        text = format_model_json(model_config(slug))
    except ModelConfigError as exc:
        return str(exc)
    ss.model.preset = slug
    ss.model.json_text = text
    ss.model.last_valid_json = text
    ss.model.error = None
    apply_native_format(ss, parse_hf_config(model_config(slug), name=slug))
    return None


def apply_native_format(ss: SessionState, model: ModelProfile) -> None:
    """Set the sidebar's formats to the checkpoint's native ones (DeepSeek-V3 fp8 W8A8, gpt-oss
    MXFP4 experts + bf16 attention, bf16 otherwise); the user can override them afterwards."""
    nf = native_format(model)
    ss.settings = dataclasses.replace(
        ss.settings,
        weight_dtype=nf.weight,
        activation_dtype=nf.activation,
        attention_weight_dtype="same" if nf.attention == nf.weight else nf.attention,
    )


def set_model_json(ss: SessionState, text: str | bytes) -> str | None:
    """Accept an edited or uploaded config if it parses to a model; else keep the last valid one."""
    try:
        cfg = parse_json_object(text)
        parse_hf_config(cfg)
    except (ValueError, ModelConfigError) as exc:
        ss.model.json_text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        ss.model.error = str(exc)
        return ss.model.error
    pretty = format_model_json(cfg)
    ss.model.json_text = pretty
    ss.model.last_valid_json = pretty
    ss.model.error = None
    ss.model.preset = "custom"
    return None


def select_hardware(ss: SessionState, ref: str) -> str | None:
    if ref.startswith("custom:"):
        if ref[7:] not in ss.hardware.custom:
            return f"no custom profile named {ref[7:]!r}"
    else:
        try:
            ref = load_hardware(ref).slug
        except HardwareError as exc:
            return str(exc)
    ss.hardware.preset = ref
    ss.hardware.overrides = {}
    ss.hardware.error = None
    return None


def _set_path(d: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    d[keys[-1]] = value


def apply_overrides(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(base))
    for path, value in overrides.items():
        _set_path(data, path, value)
    return data


def _base_profile_dict(ss: SessionState) -> dict[str, Any]:
    ref = ss.hardware.preset
    if ref.startswith("custom:") and ref[7:] in ss.hardware.custom:
        return dict(ss.hardware.custom[ref[7:]])
    return hardware_to_dict(load_hardware(ref))


def resolve_hardware(ss: SessionState):  # -> HardwareProfile
    """The profile in force: preset or saved custom profile, with the sidebar's edits applied."""
    data = _base_profile_dict(ss)
    if ss.hardware.overrides:
        data = apply_overrides(data, ss.hardware.overrides)
        if data.get("kind") == "spec":
            data["kind"] = "custom"
            data["name"] = f"{data['name']} (edited)"
    return hardware_from_dict(data)


def set_hardware_override(ss: SessionState, path: str, value: float) -> str | None:
    trial = dict(ss.hardware.overrides)
    trial[path] = value
    try:
        hardware_from_dict(apply_overrides(_base_profile_dict(ss), trial))
    except (HardwareError, TypeError, ValueError) as exc:
        ss.hardware.error = str(exc)
        return ss.hardware.error
    base_value = _get_path(_base_profile_dict(ss), path)
    if base_value == value:
        trial.pop(path)
    ss.hardware.overrides = trial
    ss.hardware.error = None
    return None


def _get_path(d: dict[str, Any], path: str) -> Any:
    cur: Any = d  # a nested JSON value
    for k in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(k)
    return cur


def add_custom_hardware(ss: SessionState, profile: dict[str, Any] | str | bytes, select: bool = True) -> str | None:
    """Register an uploaded or calibrated profile JSON under its name and (optionally) select it."""
    try:
        data = parse_json_object(profile) if isinstance(profile, (str, bytes)) else dict(profile)
        hw = hardware_from_dict(data)
    except (ValueError, HardwareError) as exc:
        ss.hardware.error = str(exc)
        return ss.hardware.error
    name = hw.name
    ss.hardware.custom[name] = hardware_to_dict(hw)
    if select:
        ss.hardware.preset = f"custom:{name}"
        ss.hardware.overrides = {}
    ss.hardware.error = None
    return None


def save_custom_hardware(ss: SessionState, name: str) -> str | None:
    name = name.strip()
    if not name:
        return "give the custom profile a name"
    try:
        data = hardware_to_dict(resolve_hardware(ss))
    except HardwareError as exc:
        return str(exc)
    data["name"] = name
    data["slug"] = "custom-" + "".join(c if c.isalnum() else "-" for c in name.lower())
    if data.get("kind") == "spec":
        data["kind"] = "custom"
    ss.hardware.custom[name] = data
    ss.hardware.preset = f"custom:{name}"
    ss.hardware.overrides = {}
    return None


def update_settings(ss: SessionState, **changes: Any) -> str | None:
    try:
        ss.settings = dataclasses.replace(ss.settings, **changes)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def set_page_input(ss: SessionState, page_id: str, field: str, value: Any) -> str | None:
    """Write one field of a page's input dataclass (validated by its ``__post_init__``)."""
    current = ss.pages.get(page_id)
    if current is None:
        return f"page {page_id!r} has no inputs"
    if getattr(current, field) == value:
        return None
    try:
        ss.pages[page_id] = dataclasses.replace(current, **{field: value})
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


class Actions:
    """The action functions bound to one session state (what ``bootstrap()`` returns)."""

    def __init__(self, ss: SessionState) -> None:
        self.ss = ss

    def select_model_preset(self, slug: str) -> str | None:
        return select_model_preset(self.ss, slug)

    def set_model_json(self, text: str | bytes) -> str | None:
        return set_model_json(self.ss, text)

    def select_hardware(self, ref: str) -> str | None:
        return select_hardware(self.ss, ref)

    def set_hardware_override(self, path: str, value: float) -> str | None:
        return set_hardware_override(self.ss, path, value)

    def add_custom_hardware(self, profile: dict[str, Any] | str | bytes, select: bool = True) -> str | None:
        return add_custom_hardware(self.ss, profile, select)

    def save_custom_hardware(self, name: str) -> str | None:
        return save_custom_hardware(self.ss, name)

    def update_settings(self, **changes: Any) -> str | None:
        return update_settings(self.ss, **changes)

    def set_page_input(self, page_id: str, field: str, value: Any) -> str | None:
        return set_page_input(self.ss, page_id, field, value)
