"""Inputs of the multi-model comparison page.

The model list is one string field (``models``) so that it survives page switches and travels in
the URL: entries separated by ``;``, each ``<model>[@key=value,...]`` with keys ``layers``,
``hidden``, ``batch``, ``tp``, ``ep`` (0 or absent layers/hidden = the config's own value; ep 0 =
the sidebar's EP for MoE models, 1 for dense ones), e.g.
``llama-3.1-8b@batch=8;qwen3-8b@layers=24,tp=2``. ``<model>`` is a preset slug or
``pasted:<name>`` for a config pasted on the page (kept in ``pasted``; the URL carries them as one
encoded JSON object, ``pasted=<blob>``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, fields
from typing import Any

from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape
from dashboard.state.shape import check_context_fits

__all__ = [
    "MAX_MODELS",
    "ModelRow",
    "MultiModelInputs",
    "format_models_spec",
    "override_config",
    "parse_models_spec",
    "rows_from_records",
]

MAX_MODELS = 12
_KEYS = ("layers", "hidden", "batch", "tp", "ep")


@dataclass(frozen=True)
class ModelRow:
    """One model of the comparison; ``layers``/``hidden`` 0 = keep the config's value; ``ep`` 0 =
    the sidebar's EP (MoE models only)."""

    model: str
    layers: int = param(0, lo=0, hi=1024, unit="layers", label="Layers", help="0 = the config's")
    hidden: int = param(0, lo=0, hi=262_144, label="Hidden size", help="0 = the config's")
    batch: int = like(RequestShape, "batch")
    tp: int = like(ParallelConfig, "tp")
    ep: int = like(ParallelConfig, "ep", 0, lo=0, help="0 = the sidebar's EP (MoE models only)")

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ValueError("every row needs a model (a preset or a pasted config)")
        try:
            validate_params(self)
        except ValueError as exc:
            raise ValueError(f"{self.model}: {exc}") from None

    @property
    def label_suffix(self) -> str:
        parts = [
            f"L={self.layers}" if self.layers else "",
            f"h={self.hidden}" if self.hidden else "",
            f"B={self.batch}",
            f"TP={self.tp}",
            f"EP={self.ep}" if self.ep else "",
        ]
        return ", ".join(p for p in parts if p)


def parse_models_spec(text: str) -> tuple[ModelRow, ...]:
    """``"a@batch=8;b@layers=24,tp=2"`` → rows; raises ``ValueError`` naming the bad entry."""
    rows = []
    for entry in (e.strip() for e in str(text).split(";")):
        if not entry:
            continue
        model, _, opts = entry.partition("@")
        kw: dict[str, int] = {}
        for item in (o.strip() for o in opts.split(",") if o.strip()):
            key, eq, val = item.partition("=")
            key = key.strip().lower()
            if not eq or key not in _KEYS:
                raise ValueError(f"{entry!r}: expected key=value with keys {', '.join(_KEYS)}")
            try:
                kw[key] = int(val)
            except ValueError:
                raise ValueError(f"{entry!r}: {key} must be an integer, got {val.strip()!r}") from None
        rows.append(ModelRow(model=model.strip(), **kw))
    if not rows:
        raise ValueError("add at least one model")
    if len(rows) > MAX_MODELS:
        raise ValueError(f"compare at most {MAX_MODELS} models")
    return tuple(rows)


def _row_defaults() -> dict[str, Any]:
    """The declared defaults of a row's optional keys (``_KEYS``)."""
    return {f.name: f.default for f in fields(ModelRow) if f.name in _KEYS}


def format_models_spec(rows: tuple[ModelRow, ...] | list[ModelRow]) -> str:
    defaults = _row_defaults()
    out = []
    for r in rows:
        opts = [f"{k}={getattr(r, k)}" for k in _KEYS if getattr(r, k) != defaults[k]]
        out.append(r.model + ("@" + ",".join(opts) if opts else ""))
    return ";".join(out)


def _blank(value: Any) -> bool:
    """Empty cell of an edited table: None, NaN, pandas NA or blank text."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return str(value).strip() in ("", "<NA>", "nan", "None")


def _int_cell(value: Any, name: str, default: int, model: str) -> int:
    if _blank(value):
        return default
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{model}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise ValueError(f"{model}: {name} must be a finite integer, got {value!r}")
    return int(f)


def rows_from_records(records: list[dict[str, Any]]) -> tuple[ModelRow, ...]:
    """Rows of the editable table (blank cells → defaults); raises ``ValueError`` with the row."""
    rows = []
    for i, rec in enumerate(records, start=1):
        model = rec.get("model")
        if _blank(model):
            raise ValueError(f"row {i}: choose a model")
        model = str(model).strip()
        defaults = _row_defaults()
        rows.append(ModelRow(model=model, **{k: _int_cell(rec.get(k), k, d, model) for k, d in defaults.items()}))
    if not rows:
        raise ValueError("add at least one model")
    if len(rows) > MAX_MODELS:
        raise ValueError(f"compare at most {MAX_MODELS} models")
    return tuple(rows)


def override_config(cfg: dict[str, Any], layers: int = 0, hidden: int = 0) -> dict[str, Any]:
    """A copy of a Hugging Face config with ``num_hidden_layers`` / ``hidden_size`` replaced.

    Per-layer lists (``layer_types``) are cut or repeated to the new depth and
    ``first_k_dense_replace`` is capped by it. Without an explicit ``head_dim`` the head size
    follows ``hidden / num_attention_heads``. Multimodal wrappers are edited in ``text_config``.
    The result still has to go through ``parse_hf_config`` (which validates it).
    """
    out = copy.deepcopy(cfg)
    target = out["text_config"] if isinstance(out.get("text_config"), dict) else out
    if layers:
        target["num_hidden_layers"] = layers
        lt = target.get("layer_types")
        if isinstance(lt, list) and lt:
            target["layer_types"] = [lt[i % len(lt)] for i in range(layers)]
        if isinstance(target.get("first_k_dense_replace"), int):
            target["first_k_dense_replace"] = min(target["first_k_dense_replace"], layers)
    if hidden:
        target["hidden_size"] = hidden
    return out


@dataclass(frozen=True)
class MultiModelInputs:
    """Shared workload (prompt and output lengths) and the models to compare."""

    input_len: int = like(RequestShape, "input_len", 2048)
    output_len: int = like(RequestShape, "output_len", 256)
    models: str = param(
        "llama-3.1-8b@batch=8;qwen3-8b@batch=8;mistral-7b@batch=8",
        label="Models",
        help="<model>[@layers=,hidden=,batch=,tp=,ep=] entries separated by ';'",
    )
    pasted: tuple[tuple[str, str], ...] = ()  # (name, config JSON) pairs: structured state, not a parameter

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
        parse_models_spec(self.models)
        if not isinstance(self.pasted, tuple) or any(
            not (isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) for x in p)) for p in self.pasted
        ):
            raise ValueError("pasted configs must be (name, JSON text) pairs")

    @property
    def rows(self) -> tuple[ModelRow, ...]:
        return parse_models_spec(self.models)

    def pasted_dict(self) -> dict[str, str]:
        return dict(self.pasted)
