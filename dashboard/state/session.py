"""The session state: one :class:`SessionState` under one Streamlit key, persisted across pages.

Widget keys are scratch; these dataclasses are the source of truth. Page inputs are page-owned
dataclasses stored in :attr:`SessionState.pages` by page id (validated in their ``__post_init__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.common.json_config import DEFAULT_MODEL_JSON, format_model_json
from dashboard.features.dtypes import WEIGHT_DTYPES
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.features.presets import DEFAULT_MODEL

__all__ = ["DEFAULT_HARDWARE", "HardwareState", "ModelState", "SessionState", "Settings"]

DEFAULT_HARDWARE = "h200"
SESSION_KEY = "app_state"


@dataclass
class ModelState:
    """Current model: preset slug (or ``"custom"``) and the config JSON text in the editor."""

    preset: str = DEFAULT_MODEL
    json_text: str = field(default_factory=lambda: format_model_json(DEFAULT_MODEL_JSON))
    last_valid_json: str = field(default_factory=lambda: format_model_json(DEFAULT_MODEL_JSON))
    error: str | None = None


@dataclass
class HardwareState:
    """Current hardware: a preset slug or ``custom:<name>``, spec overrides, saved custom profiles."""

    preset: str = DEFAULT_HARDWARE
    overrides: dict[str, float] = field(default_factory=dict)
    custom: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Settings:
    """Formats, parallelism defaults and UI language shared by all pages."""

    # the sidebar's defaults refer to their one declaration (dashboard/features/params.py)
    weight_dtype: str = like(Dtypes, "weight")
    activation_dtype: str = like(Dtypes, "activation")
    kv_dtype: str = like(Dtypes, "kv")
    # "same" as weight_dtype, or the checkpoint's own (gpt-oss: bf16)
    attention_weight_dtype: str = like(Dtypes, "attention_weight", "same", choices=("same", *WEIGHT_DTYPES))
    tp: int = like(ParallelConfig, "tp")
    ep: int = like(ParallelConfig, "ep")
    language: str = param("en", choices=("en", "zh"), label="Language")
    # engine preset (dashboard/data/engines) or fitted profile <hw>+<engine> (data/profiles)
    engine: str = param("vllm", label="Serving engine", help="a preset or a fitted <hw>+<engine> profile")

    def __post_init__(self) -> None:
        validate_params(self)
        from dashboard.services.engine_choice import engine_choices

        if self.engine not in (choices := engine_choices()):
            raise ValueError(f"engine must be one of {', '.join(choices)}")


@dataclass
class SessionState:
    """Everything a session keeps: model, hardware, settings, each page's inputs, page results."""

    model: ModelState = field(default_factory=ModelState)
    hardware: HardwareState = field(default_factory=HardwareState)
    settings: Settings = field(default_factory=Settings)
    pages: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    query_loaded: bool = False

    _ALIASES = {"cfg_text": ("model", "json_text")}

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style read used by the seed's example page (``cfg_text`` is the model JSON)."""
        if key in self._ALIASES:
            obj, attr = self._ALIASES[key]
            return getattr(getattr(self, obj), attr)
        if key in self.pages:
            return self.pages[key]
        return self.results.get(key, default)
