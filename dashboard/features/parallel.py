"""Parallel layout and numeric formats of one serving engine."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.dtypes import ACT_DTYPES, KV_DTYPES, WEIGHT_DTYPES
from dashboard.features.model_profile import ModelProfile
from dashboard.features.params import param, validate_params

__all__ = ["MAX_DEGREE", "Dtypes", "GpuBudget", "ParallelConfig", "ParallelError", "validate_parallel"]

#: largest parallel degree (tp, ep, pp, dp) any input accepts: far above any deployment, far below
#: what exhausts the search or the simulator (docs/SECURITY.md, "Size bounds")
MAX_DEGREE = 1024


class ParallelError(ValueError):
    """A parallel layout that the model cannot use; the message names the field."""


@dataclass(frozen=True)
class ParallelConfig:
    """Tensor (tp), expert (ep), pipeline (pp) parallel degrees of one engine, and data-parallel
    replicas (dp) of that engine.

    An engine spans ``max(tp, ep) * pp`` GPUs. When ``ep > tp`` attention runs data-parallel over
    ``ep / tp`` groups (DeepSeek-style DP-attention + EP experts).
    """

    tp: int = param(1, lo=1, hi=MAX_DEGREE, unit="GPUs", label="Tensor parallel (TP)")
    ep: int = param(1, lo=1, hi=MAX_DEGREE, unit="GPUs", label="Expert parallel (EP)", help="MoE models only")
    pp: int = param(1, lo=1, hi=MAX_DEGREE, unit="stages", label="Pipeline parallel (PP)")
    dp: int = param(1, lo=1, hi=MAX_DEGREE, unit="engines", label="Data parallel (DP)", help="engine replicas")

    def __post_init__(self) -> None:
        try:
            validate_params(self)
        except ValueError as exc:
            raise ParallelError(str(exc)) from None
        if max(self.tp, self.ep) % min(self.tp, self.ep):
            raise ParallelError("ep and tp must divide one another")

    @property
    def engine_gpus(self) -> int:
        return max(self.tp, self.ep) * self.pp

    @property
    def total_gpus(self) -> int:
        return self.engine_gpus * self.dp

    @property
    def attention_dp(self) -> int:
        """Data-parallel attention groups inside one engine (1 unless ep > tp)."""
        return max(1, self.ep // self.tp)

    @property
    def expert_tp(self) -> int:
        """GPUs that split one expert's FFN (engine width ÷ ep)."""
        return max(self.tp, self.ep) // self.ep


@dataclass(frozen=True)
class Dtypes:
    """Independent formats of weights (linear layers), activations and the KV cache.

    ``attention_weight`` is the format of the attention projections when a checkpoint keeps them
    apart from the MLP/expert weights (gpt-oss: MXFP4 experts, bf16 attention); ``None`` means
    the same as ``weight``. Embeddings, lm_head, routers and norms are always 16-bit.
    """

    weight: str = param("bf16", choices=WEIGHT_DTYPES, label="Weight format", help="linear-layer weights")
    activation: str = param("bf16", choices=ACT_DTYPES, label="Activation format")
    kv: str = param("bf16", choices=KV_DTYPES, label="KV-cache format")
    attention_weight: str | None = param(
        None, choices=WEIGHT_DTYPES, label="Attention weight format", help="None: same as the weights"
    )

    def __post_init__(self) -> None:
        try:
            validate_params(self)
        except ValueError as exc:
            raise ParallelError(str(exc)) from None

    @property
    def attention(self) -> str:
        """Format of the attention projection weights."""
        return self.attention_weight or self.weight


@dataclass(frozen=True)
class GpuBudget:
    """How many GPUs a search may use (``gpus``: the search's output grows with it, about 70 MB of
    JSON at 1,024) and how many a plan may buy (``max_gpus``)."""

    gpus: int = param(8, lo=1, hi=MAX_DEGREE, unit="GPUs", label="GPU budget", help="at most this many GPUs")
    max_gpus: int = param(64, lo=1, hi=4096, unit="GPUs", label="Most GPUs per plan")

    def __post_init__(self) -> None:
        validate_params(self)


def validate_parallel(model: ModelProfile, parallel: ParallelConfig) -> None:
    """Raise :class:`ParallelError` if ``model`` cannot be split as ``parallel`` asks."""
    tp = parallel.tp
    if model.num_attention_heads % tp:
        raise ParallelError(f"tp={tp} does not divide num_attention_heads={model.num_attention_heads}")
    if not model.is_mla:
        hkv = model.num_key_value_heads
        if (hkv >= tp and hkv % tp) or (hkv < tp and tp % hkv):
            raise ParallelError(f"tp={tp} and num_key_value_heads={hkv} must divide one another")
    if parallel.ep > 1:
        if not model.is_moe:
            raise ParallelError("ep > 1 needs a mixture-of-experts model")
        if model.num_experts % parallel.ep:
            raise ParallelError(f"ep={parallel.ep} does not divide num_experts={model.num_experts}")
    if parallel.expert_tp > 1 and model.is_moe and model.moe_intermediate_size % parallel.expert_tp:
        raise ParallelError(
            f"expert TP {parallel.expert_tp} does not divide moe_intermediate_size={model.moe_intermediate_size}"
        )
    if model.intermediate_size and model.num_dense_layers and model.intermediate_size % tp:
        raise ParallelError(f"tp={tp} does not divide intermediate_size={model.intermediate_size}")
    if parallel.pp > model.num_hidden_layers:
        raise ParallelError(f"pp={parallel.pp} exceeds num_hidden_layers={model.num_hidden_layers}")
