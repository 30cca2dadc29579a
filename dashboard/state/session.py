"""The session state: one :class:`SessionState` under one Streamlit key, persisted across pages.

Widget keys are scratch; these dataclasses are the source of truth. Page inputs are page-owned
dataclasses stored in :attr:`SessionState.pages` by page id (validated in their ``__post_init__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.common.json_config import DEFAULT_MODEL_JSON, format_model_json
from dashboard.features.dtypes import ACT_DTYPES, KV_DTYPES, WEIGHT_DTYPES
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

    weight_dtype: str = "bf16"
    activation_dtype: str = "bf16"
    kv_dtype: str = "bf16"
    attention_weight_dtype: str = "same"  # "same" as weight_dtype, or the checkpoint's own (gpt-oss: bf16)
    tp: int = 1
    ep: int = 1
    language: str = "en"
    engine: str = "vllm"  # engine preset (dashboard/data/engines) or fitted profile <hw>+<engine> (data/profiles)

    def __post_init__(self) -> None:
        if self.weight_dtype not in WEIGHT_DTYPES:
            raise ValueError(f"weight dtype must be one of {', '.join(WEIGHT_DTYPES)}")
        if self.activation_dtype not in ACT_DTYPES:
            raise ValueError(f"activation dtype must be one of {', '.join(ACT_DTYPES)}")
        if self.kv_dtype not in KV_DTYPES:
            raise ValueError(f"KV dtype must be one of {', '.join(KV_DTYPES)}")
        if self.attention_weight_dtype != "same" and self.attention_weight_dtype not in WEIGHT_DTYPES:
            raise ValueError(f"attention weight dtype must be 'same' or one of {', '.join(WEIGHT_DTYPES)}")
        for name in ("tp", "ep"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1024:
                raise ValueError(f"{name} must be an integer between 1 and 1024")
        if self.language not in ("en", "zh"):
            raise ValueError("language must be 'en' or 'zh'")
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
