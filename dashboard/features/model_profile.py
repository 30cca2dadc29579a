"""Model profiles parsed from Hugging Face ``config.json`` files.

A :class:`ModelProfile` is the architecture-only view of a decoder-only transformer that every
formula in :mod:`dashboard.features` reads. It is built by :func:`parse_hf_config` from a real
Hugging Face config (Llama 2/3.x, Mistral, Qwen2/2.5, Qwen3, Mixtral, Qwen2/3-MoE, DeepSeek-V2/V3/R1
with MLA, gpt-oss with alternating sliding-window attention).

Parameter counts follow the tensors in the published checkpoints (see ``tests/test_model_profile.py``
for the cited totals). Units: counts are plain numbers of parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from dashboard.features.safe_io import short_repr as _short

__all__ = [
    "LayerGroup",
    "ModelConfigError",
    "ModelProfile",
    "parse_hf_config",
]

AttentionType = Literal["gqa", "mla"]


class ModelConfigError(ValueError):
    """Raised when a config cannot be turned into a :class:`ModelProfile`.

    ``fields`` lists the config keys that are missing or invalid, so that the UI and the CLI
    can name them in one line.
    """

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


@dataclass(frozen=True)
class LayerGroup:
    """Layers that share one shape: same attention window and same MLP kind.

    ``window`` is the sliding-window length in tokens, or ``None`` for full attention.
    """

    count: int
    window: int | None
    moe: bool


@dataclass(frozen=True)
class ModelProfile:
    """Architecture of a decoder-only transformer (one entry per HF config field we need)."""

    name: str
    model_type: str
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    tie_word_embeddings: bool = False
    max_position_embeddings: int = 4096
    gated_mlp: bool = True
    qkv_bias: bool = False
    o_bias: bool = False
    qk_norm: bool = False
    attention_sinks: bool = False
    # Multi-head latent attention (DeepSeek-V2/V3)
    attention_type: AttentionType = "gqa"
    q_lora_rank: int | None = None
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    # Mixture of experts
    num_experts: int = 0
    num_experts_per_tok: int = 0
    num_shared_experts: int = 0
    moe_intermediate_size: int = 0
    shared_expert_intermediate_size: int = 0
    first_k_dense: int = 0
    moe_layer_freq: int = 1
    expert_bias: bool = False
    router_bias: bool = False
    # Sliding window: per-layer kinds, "full" or "sliding"
    sliding_window: int | None = None
    layer_types: tuple[str, ...] = field(default_factory=tuple)
    # Multi-token-prediction layers (DeepSeek-V3): kept apart from the main model
    num_mtp_layers: int = 0
    weights_dtype: str = "bf16"
    # quantization_config.modules_to_not_convert / ignore (module-name patterns kept 16-bit)
    unquantized_modules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_bounds(self)
        positive = {
            "hidden_size": self.hidden_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "vocab_size": self.vocab_size,
        }
        bad = tuple(k for k, v in positive.items() if not isinstance(v, int) or v <= 0)
        if bad:
            raise ModelConfigError(f"must be positive integers: {', '.join(bad)}", bad)
        if self.attention_type == "gqa":
            if self.head_dim <= 0:
                raise ModelConfigError("head_dim must be positive", ("head_dim",))
            if self.num_attention_heads % self.num_key_value_heads:
                raise ModelConfigError(
                    "num_attention_heads must be a multiple of num_key_value_heads",
                    ("num_attention_heads", "num_key_value_heads"),
                )
        if self.layer_types and len(self.layer_types) != self.num_hidden_layers:
            raise ModelConfigError("layer_types must list one entry per layer", ("layer_types",))
        if self.num_experts and not (0 < self.num_experts_per_tok <= self.num_experts):
            raise ModelConfigError(
                "num_experts_per_tok must be between 1 and the number of experts",
                ("num_experts_per_tok",),
            )

    # ------------------------------------------------------------------ structure
    @property
    def is_moe(self) -> bool:
        return self.num_experts > 0

    @property
    def is_mla(self) -> bool:
        return self.attention_type == "mla"

    def layer_is_moe(self, index: int) -> bool:
        """Whether decoder layer ``index`` (0-based) uses the MoE block."""
        if not self.is_moe or index < self.first_k_dense:
            return False
        return (index - self.first_k_dense) % max(1, self.moe_layer_freq) == 0

    def layer_window(self, index: int) -> int | None:
        """Attention window of layer ``index`` in tokens (``None`` = full attention)."""
        if self.sliding_window and self.layer_types and self.layer_types[index] == "sliding":
            return self.sliding_window
        if self.sliding_window and not self.layer_types:
            return self.sliding_window
        return None

    def layer_groups(self) -> tuple[LayerGroup, ...]:
        """Layers grouped by (window, MoE) so formulas run once per distinct shape (memoised)."""
        return self._layer_groups

    @cached_property
    def _layer_groups(self) -> tuple[LayerGroup, ...]:
        counts: dict[tuple[int | None, bool], int] = {}
        for i in range(self.num_hidden_layers):
            key = (self.layer_window(i), self.layer_is_moe(i))
            counts[key] = counts.get(key, 0) + 1
        return tuple(LayerGroup(count=c, window=w, moe=m) for (w, m), c in counts.items())

    @property
    def num_moe_layers(self) -> int:
        return sum(g.count for g in self.layer_groups() if g.moe)

    @property
    def num_dense_layers(self) -> int:
        return self.num_hidden_layers - self.num_moe_layers

    @property
    def q_head_dim(self) -> int:
        """Per-head width of queries and keys (MLA: nope + rope)."""
        return self.qk_nope_head_dim + self.qk_rope_head_dim if self.is_mla else self.head_dim

    @property
    def v_dim(self) -> int:
        """Per-head width of values."""
        return self.v_head_dim if self.is_mla else self.head_dim

    @property
    def shared_expert_size(self) -> int:
        """Total intermediate width of the shared expert(s) of one MoE layer."""
        if self.shared_expert_intermediate_size:
            return self.shared_expert_intermediate_size
        return self.num_shared_experts * self.moe_intermediate_size

    # ------------------------------------------------------------------ parameter counts
    def attention_params_per_layer(self) -> int:
        """Parameters of one attention block (projections, biases, q/k norms, sinks)."""
        h, hq = self.hidden_size, self.num_attention_heads
        if self.is_mla:
            qk = self.q_head_dim
            if self.q_lora_rank:
                q = h * self.q_lora_rank + self.q_lora_rank + self.q_lora_rank * hq * qk
            else:
                q = h * hq * qk
            kv_a = h * (self.kv_lora_rank + self.qk_rope_head_dim) + self.kv_lora_rank
            kv_b = self.kv_lora_rank * hq * (self.qk_nope_head_dim + self.v_head_dim)
            o = hq * self.v_head_dim * h
            return q + kv_a + kv_b + o
        d, hkv = self.head_dim, self.num_key_value_heads
        qkv_out = (hq + 2 * hkv) * d
        total = h * qkv_out + hq * d * h
        if self.qkv_bias:
            total += qkv_out
        if self.o_bias:
            total += h
        if self.qk_norm:
            total += 2 * d
        if self.attention_sinks:
            total += hq
        return total

    def mlp_params(self, intermediate: int) -> int:
        """One (gated) MLP of width ``intermediate``: 3·h·I for SwiGLU, 2·h·I otherwise."""
        return (3 if self.gated_mlp else 2) * self.hidden_size * intermediate

    def expert_params(self) -> int:
        """One routed expert, biases included where the checkpoint has them (gpt-oss)."""
        p = self.mlp_params(self.moe_intermediate_size)
        if self.expert_bias:
            p += 2 * self.moe_intermediate_size + self.hidden_size
        return p

    def router_params(self) -> int:
        return self.hidden_size * self.num_experts + (self.num_experts if self.router_bias else 0)

    def moe_layer_params(self, active: bool = False) -> int:
        """Parameters of one MoE block; ``active`` counts only the top-k routed experts."""
        n = self.num_experts_per_tok if active else self.num_experts
        shared = self.mlp_params(self.shared_expert_size) if self.shared_expert_size else 0
        return self.router_params() + n * self.expert_params() + shared

    def norm_params_per_layer(self) -> int:
        return 2 * self.hidden_size

    def embedding_params(self) -> int:
        return self.vocab_size * self.hidden_size

    def lm_head_params(self) -> int:
        return 0 if self.tie_word_embeddings else self.vocab_size * self.hidden_size

    def _layer_params(self, active: bool) -> int:
        total = 0
        for g in self.layer_groups():
            mlp = self.moe_layer_params(active) if g.moe else self.mlp_params(self.intermediate_size)
            total += g.count * (self.attention_params_per_layer() + mlp + self.norm_params_per_layer())
        return total

    def total_params(self) -> int:
        """All parameters of the main model (MTP layers excluded), embeddings included."""
        return self._layer_params(active=False) + self.embedding_params() + self.lm_head_params() + self.hidden_size

    def active_params(self, include_input_embedding: bool = False) -> int:
        """Parameters touched per token: top-k routed experts only, lm_head included, and by default
        the input embedding excluded (a table lookup reads one row per token, not the table).

        This is how OpenAI's gpt-oss card counts (gpt-oss-120b: 5.13 B active) and how we read
        DeepSeek's "37B activated"; Mistral and Qwen include the embedding (Mixtral-8x7B 12.9 B,
        Qwen3-30B-A3B 3.3 B): ``include_input_embedding=True`` gives that convention, which pages
        show beside the default. A tied table still counts once, as the lm_head.
        """
        emb = self.embedding_params() if include_input_embedding else 0
        if self.tie_word_embeddings and not include_input_embedding:
            emb = self.embedding_params()  # the tied table still serves as the lm_head
        return self._layer_params(active=True) + emb + self.lm_head_params() + self.hidden_size

    def mtp_params(self) -> int:
        """Approximate parameters of the MTP module(s), reported separately."""
        if not self.num_mtp_layers:
            return 0
        per = (
            self.attention_params_per_layer()
            + (self.moe_layer_params() if self.is_moe else self.mlp_params(self.intermediate_size))
            + 2 * self.hidden_size * self.hidden_size  # eh_proj
            + 4 * self.hidden_size  # enorm, hnorm, block norms
        )
        return self.num_mtp_layers * per

    # ------------------------------------------------------------------ seed-compatible helpers
    def prefill_flops_per_token(self, batch: int = 1, seq_len: int = 1024) -> float:
        """Average forward FLOPs per prompt token for ``batch`` prompts of ``seq_len`` tokens.

        Counts every matmul (2 FLOPs per multiply-add) including causal attention and the lm_head
        on the last token of each prompt, counted by the cost model's op list
        (:func:`dashboard.features.cost_model.forward_flops`).
        """
        from dashboard.features.cost_model import forward_flops  # the op list the cost model times

        if batch <= 0 or seq_len <= 0:
            raise ValueError("batch and seq_len must be positive")
        total = forward_flops(self, new_tokens=seq_len, context_before=0, seqs=batch, sampled=batch)
        return total / (batch * seq_len)

    def decode_flops_per_token(self, batch: int = 1, context: int = 1024) -> float:
        """Forward FLOPs of one decode token attending ``context`` cached tokens (per sequence)."""
        from dashboard.features.cost_model import forward_flops  # the op list the cost model times

        if batch <= 0 or context < 0:
            raise ValueError("batch must be positive and context non-negative")
        return forward_flops(self, new_tokens=1, context_before=context, seqs=batch, sampled=batch) / batch

    def summary(self) -> dict[str, Any]:
        """Plain-data summary for tables and JSON output."""
        return {
            "name": self.name,
            "model_type": self.model_type,
            "layers": self.num_hidden_layers,
            "hidden_size": self.hidden_size,
            "attention": self.attention_type,
            "heads": self.num_attention_heads,
            "kv_heads": self.num_key_value_heads,
            "head_dim": self.q_head_dim,
            "experts": self.num_experts,
            "experts_per_token": self.num_experts_per_tok,
            "sliding_window": self.sliding_window,
            "vocab": self.vocab_size,
            "total_params_b": self.total_params() / 1e9,
            "active_params_b": self.active_params() / 1e9,
            "active_params_incl_embedding_b": self.active_params(include_input_embedding=True) / 1e9,
        }


# ---------------------------------------------------------------------------- validation

#: Accepted range of every integer field (inclusive). Far above any published model (the largest
#: shipped presets: hidden 7168, 126 layers, 256 experts, vocab 256k, 10M context) and far below
#: what makes one page rerun or CLI call take seconds (a loop over layers, a vocab-sized tensor).
INT_BOUNDS: dict[str, tuple[int, int]] = {
    "hidden_size": (1, 1 << 17),
    "num_hidden_layers": (1, 4096),
    "num_attention_heads": (1, 1 << 14),
    "num_key_value_heads": (1, 1 << 14),
    "head_dim": (0, 1 << 14),
    "intermediate_size": (0, 1 << 20),
    "vocab_size": (1, 1 << 24),
    "max_position_embeddings": (1, 1 << 30),
    "kv_lora_rank": (0, 1 << 16),
    "qk_nope_head_dim": (0, 1 << 14),
    "qk_rope_head_dim": (0, 1 << 14),
    "v_head_dim": (0, 1 << 14),
    "num_experts": (0, 1 << 16),
    "num_experts_per_tok": (0, 1 << 16),
    "num_shared_experts": (0, 1024),
    "moe_intermediate_size": (0, 1 << 20),
    "shared_expert_intermediate_size": (0, 1 << 20),
    "first_k_dense": (0, 4096),
    "moe_layer_freq": (1, 4096),
    "num_mtp_layers": (0, 64),
}
_OPTIONAL_INT_BOUNDS = {"q_lora_rank": (1, 1 << 16), "sliding_window": (1, 1 << 30)}
_BOOL_FIELDS = (
    "tie_word_embeddings",
    "gated_mlp",
    "qkv_bias",
    "o_bias",
    "qk_norm",
    "attention_sinks",
    "expert_bias",
    "router_bias",
)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_bounds(m: ModelProfile) -> None:
    """Types and ranges of every field (issue 11): raises :class:`ModelConfigError` naming them."""
    bad: list[str] = []
    for k, (lo, hi) in INT_BOUNDS.items():
        v = getattr(m, k)
        if not _is_int(v) or not lo <= v <= hi:
            bad.append(f"{k} (an integer in [{lo}, {hi:,}], got {_short(v)})")
    for k, (lo, hi) in _OPTIONAL_INT_BOUNDS.items():
        v = getattr(m, k)
        if v is not None and (not _is_int(v) or not lo <= v <= hi):
            bad.append(f"{k} (null or an integer in [{lo}, {hi:,}], got {_short(v)})")
    for k in _BOOL_FIELDS:
        if not isinstance(getattr(m, k), bool):
            bad.append(f"{k} (true or false, got {_short(getattr(m, k))})")
    if not isinstance(m.name, str) or not isinstance(m.model_type, str):
        bad.append("name/model_type (text)")
    if m.attention_type not in ("gqa", "mla"):
        bad.append("attention_type")
    if m.layer_types and any(t not in ("full", "sliding") for t in m.layer_types):
        bad.append("layer_types")
    if bad:
        names = tuple(b.split(" ", 1)[0] for b in bad)
        raise ModelConfigError(f"invalid config fields: {'; '.join(bad)}", names)
    if m.attention_type == "mla":
        need = {
            "kv_lora_rank": m.kv_lora_rank,
            "v_head_dim": m.v_head_dim,
            "qk_nope_head_dim + qk_rope_head_dim": m.qk_nope_head_dim + m.qk_rope_head_dim,
        }
        zero = [k for k, v in need.items() if v < 1]
        if zero:
            raise ModelConfigError(f"MLA needs positive {', '.join(zero)}", tuple(zero))
    if m.num_experts and m.moe_intermediate_size < 1:
        raise ModelConfigError("moe_intermediate_size must be positive for a MoE model", ("moe_intermediate_size",))


def plain_name(text: Any, limit: int = 120) -> str:
    """A model name as plain one-line text: control characters dropped, length bounded."""
    out = "".join(ch for ch in str(text) if ch.isprintable()).strip()
    return (out[: limit - 1] + "…") if len(out) > limit else (out or "custom")


# ---------------------------------------------------------------------------- parsing

_KNOWN_DENSE = {"llama", "mistral", "qwen2", "qwen3", "gemma", "phi3", "granite", "olmo2", "internlm2"}
_KNOWN_MOE = {"mixtral", "qwen2_moe", "qwen3_moe", "deepseek_v2", "deepseek_v3", "gpt_oss", "deepseek_v32"}


def _get(cfg: dict[str, Any], *names: str, default: Any = None) -> Any:
    for n in names:
        if n in cfg and cfg[n] is not None:
            return cfg[n]
    return default


def _int(cfg: dict[str, Any], missing: list[str], *names: str, default: int | None = None) -> int:
    v = _get(cfg, *names)
    if v is None:
        if default is None:
            missing.append(names[0])
            return 0
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        missing.append(names[0])
        return 0
    return int(v)


def _opt_int(cfg: dict[str, Any], bad: list[str], name: str, default: int | None = None) -> int | None:
    """An optional integer field: absent/null → ``default``; anything but an integral number is
    recorded in ``bad`` (never coerced from text, lists or booleans)."""
    v = cfg.get(name)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        bad.append(name)
        return default
    return int(v)


def _opt_bool(cfg: dict[str, Any], bad: list[str], names: tuple[str, ...], default: bool) -> bool:
    for n in names:
        v = cfg.get(n)
        if v is None:
            continue
        if not isinstance(v, bool):
            bad.append(n)
            return default
        return v
    return default


def _weights_dtype(cfg: dict[str, Any]) -> str:
    q = cfg.get("quantization_config") or {}
    if not isinstance(q, dict):
        return "bf16"
    method = str(q.get("quant_method", "")).lower()
    if method == "fp8" or "fp8" in str(q.get("fmt", "")).lower():
        return "fp8"
    if method == "mxfp4":
        return "mxfp4"
    if method in {"awq", "gptq"} or q.get("bits") == 4:
        return "int4"
    return "bf16"


def _unquantized_modules(cfg: dict[str, Any]) -> tuple[str, ...]:
    """Module-name patterns a quantised checkpoint keeps in 16 bits (``modules_to_not_convert``
    in transformers' MXFP4/AWQ configs, ``ignore`` / ``ignored_layers`` in compressed-tensors / vLLM)."""
    q = cfg.get("quantization_config") or {}
    if not isinstance(q, dict):
        return ()
    for key in ("modules_to_not_convert", "ignore", "ignored_layers"):
        v = q.get(key)
        if isinstance(v, list):
            return tuple(str(x) for x in v if isinstance(x, str))[:256]
    return ()


def parse_hf_config(cfg: Any, name: str | None = None) -> ModelProfile:
    """Build a :class:`ModelProfile` from a Hugging Face ``config.json`` dict.

    Explicit ``head_dim`` always wins over ``hidden_size / num_attention_heads`` (Qwen3, gpt-oss).
    Raises :class:`ModelConfigError` naming every missing or invalid field; never anything else
    for malformed input.
    """
    if not isinstance(cfg, dict):
        raise ModelConfigError("the model config must be a JSON object", ())
    if isinstance(cfg.get("text_config"), dict):  # multimodal wrappers keep the LM in text_config
        inner = dict(cfg["text_config"])
        inner.setdefault("architectures", cfg.get("architectures"))
        cfg = inner
    bad: list[str] = []  # optional fields present with a wrong type (issue 11)
    q_cfg = cfg.get("quantization_config")
    if q_cfg is not None and not isinstance(q_cfg, dict):
        bad.append("quantization_config")
    mt = _get(cfg, "model_type", default="")
    if not isinstance(mt, str):
        bad.append("model_type")
        mt = ""
    model_type = mt.lower()[:64]
    archs = [str(a).lower() for a in (cfg.get("architectures") or []) if isinstance(a, str)]
    missing: list[str] = []
    hidden = _int(cfg, missing, "hidden_size", "n_embd", "d_model")
    layers = _int(cfg, missing, "num_hidden_layers", "n_layer", "num_layers")
    heads = _int(cfg, missing, "num_attention_heads", "n_head", "num_heads")
    vocab = _int(cfg, missing, "vocab_size")
    kv_heads = _int(cfg, missing, "num_key_value_heads", default=heads or 1)
    is_mla = cfg.get("kv_lora_rank") is not None or model_type.startswith("deepseek_v")
    num_experts = _int(cfg, missing, "n_routed_experts", "num_local_experts", "num_experts", default=0)
    inter_default = None if num_experts == 0 else 0
    inter = _int(cfg, missing, "intermediate_size", "ffn_hidden_size", "n_inner", default=inter_default)
    if missing:
        known = model_type in _KNOWN_DENSE | _KNOWN_MOE
        hint = "" if known else f" (model_type {model_type or 'unset'!r} is not one we recognise)"
        raise ModelConfigError(f"config is missing or has invalid fields: {', '.join(missing)}{hint}", tuple(missing))
    head_dim_default = hidden // heads if heads else 0
    head_dim = _int(cfg, missing, "head_dim", default=head_dim_default)
    kwargs: dict[str, Any] = {}
    if is_mla:
        mla_missing: list[str] = []
        kwargs.update(
            attention_type="mla",
            q_lora_rank=_opt_int(cfg, mla_missing, "q_lora_rank"),
            kv_lora_rank=_int(cfg, mla_missing, "kv_lora_rank"),
            qk_nope_head_dim=_int(cfg, mla_missing, "qk_nope_head_dim"),
            qk_rope_head_dim=_int(cfg, mla_missing, "qk_rope_head_dim"),
            v_head_dim=_int(cfg, mla_missing, "v_head_dim"),
        )
        if mla_missing:
            raise ModelConfigError(f"MLA config is missing: {', '.join(mla_missing)}", tuple(mla_missing))
        kv_heads = heads
        head_dim = kwargs["qk_nope_head_dim"] + kwargs["qk_rope_head_dim"]
    if num_experts:
        topk = _int(cfg, missing, "num_experts_per_tok", "experts_per_token", "num_experts_per_token")
        moe_inter = _int(cfg, missing, "moe_intermediate_size", default=inter)
        if missing:
            raise ModelConfigError(f"MoE config is missing: {', '.join(missing)}", tuple(missing))
        first_dense = _opt_int(cfg, bad, "first_k_dense_replace", 0) or 0
        sparse_key = "moe_layer_freq" if cfg.get("moe_layer_freq") is not None else "decoder_sparse_step"
        decoder_sparse_step = _opt_int(cfg, bad, sparse_key, 1) or 1
        mlp_only = cfg.get("mlp_only_layers") or []
        if not isinstance(mlp_only, list) or not all(_is_int(i) for i in mlp_only):
            bad.append("mlp_only_layers")
            mlp_only = []
        if mlp_only:
            first_dense = (
                max(first_dense, len(mlp_only)) if list(mlp_only) == list(range(len(mlp_only))) else first_dense
            )
        kwargs.update(
            num_experts=num_experts,
            num_experts_per_tok=topk,
            num_shared_experts=_opt_int(cfg, bad, "n_shared_experts", 0) or 0,
            moe_intermediate_size=moe_inter,
            shared_expert_intermediate_size=_opt_int(cfg, bad, "shared_expert_intermediate_size", 0) or 0,
            first_k_dense=first_dense,
            moe_layer_freq=decoder_sparse_step,
            expert_bias=model_type == "gpt_oss",
            router_bias=model_type == "gpt_oss",
        )
        if not inter:
            inter = moe_inter
    max_pos = _opt_int(cfg, bad, "max_position_embeddings", 4096) or 4096
    window = _opt_int(cfg, bad, "sliding_window")
    use_sw = cfg.get("use_sliding_window")
    layer_types_raw = cfg.get("layer_types") or []
    if not isinstance(layer_types_raw, list) or not all(isinstance(t, str) for t in layer_types_raw):
        bad.append("layer_types")
        layer_types_raw = []
    layer_types: tuple[str, ...] = ()
    if layer_types_raw and isinstance(layer_types_raw, list):
        layer_types = tuple("sliding" if "sliding" in str(t) else "full" for t in layer_types_raw)
        if "sliding" not in layer_types:
            window = None
    elif use_sw is False or (model_type in {"qwen2", "qwen3", "qwen2_moe", "qwen3_moe"} and not use_sw):
        window = None  # Qwen configs carry a sliding_window value that is disabled by default
    if window and window >= max_pos:
        window = None
    if window is not None and window <= 0:
        window = None
    tie = _opt_bool(cfg, bad, ("tie_word_embeddings",), False)
    attn_bias = _opt_bool(cfg, bad, ("attention_bias", "qkv_bias"), model_type in {"qwen2", "qwen2_moe"})
    act = _get(cfg, "hidden_act", "activation_function", default="silu")
    if not isinstance(act, str):
        bad.append("hidden_act")
        act = "silu"
    mtp = _opt_int(cfg, bad, "num_nextn_predict_layers", 0) or 0
    if bad:
        raise ModelConfigError(f"config has fields of the wrong type: {', '.join(bad)}", tuple(bad))
    return ModelProfile(
        name=plain_name(name or _get(cfg, "_name_or_path", "name", default=model_type or "custom")),
        model_type=model_type or (archs[0] if archs else "custom"),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        head_dim=head_dim,
        intermediate_size=inter,
        vocab_size=vocab,
        tie_word_embeddings=tie,
        max_position_embeddings=max_pos,
        gated_mlp=act.lower() not in {"gelu_new", "relu", "gelu_pytorch_tanh"}
        or model_type in _KNOWN_DENSE | _KNOWN_MOE,
        qkv_bias=attn_bias or model_type == "gpt_oss",
        o_bias=model_type == "gpt_oss",
        qk_norm=model_type in {"qwen3", "qwen3_moe"},
        attention_sinks=model_type == "gpt_oss",
        sliding_window=int(window) if window else None,
        layer_types=layer_types,
        num_mtp_layers=mtp,
        weights_dtype=_weights_dtype(cfg),
        unquantized_modules=_unquantized_modules(cfg),
        **kwargs,
    )


def kv_heads_per_gpu(model: ModelProfile, tp: int) -> int:
    """KV heads stored on each GPU under tensor parallelism (replicated when Hkv < TP)."""
    if model.is_mla:
        return 1
    return max(1, math.ceil(model.num_key_value_heads / tp))
