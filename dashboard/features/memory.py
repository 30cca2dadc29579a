"""Memory model: what one GPU of an engine holds, and how many KV tokens fit beside it.

* Weights per GPU: attention and dense-MLP linears split by TP (MLA's ``q_a``/``kv_a`` down
  projections are replicated), routed experts split by EP and then by expert-TP, embeddings and
  lm_head vocab-parallel, norms and routers replicated; layers divided by PP. Linear layers use the
  weight dtype (scale overhead included for int4/fp4); embeddings, lm_head, routers and norms stay
  16-bit, as FP8/INT4 checkpoints ship them.
* KV cache per token: full-attention layers ``2 · Hkv_local · d · bytes``; MLA stores one latent of
  ``kv_lora_rank + qk_rope_head_dim`` per token per layer, not split by TP; sliding-window layers
  hold at most ``window`` tokens per sequence.
* Activation workspace for a step of ``max_batched_tokens`` tokens and the logits of
  ``max_seqs`` sampled rows, plus a fixed runtime reserve (CUDA context, NCCL buffers, graphs).

Units: bytes unless the name says otherwise; capacities in GiB as datasheets state them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from dashboard.features.dtypes import dtype_bytes
from dashboard.features.engine import EngineProfile, load_engine
from dashboard.features.hardware import GIB, HardwareProfile
from dashboard.features.model_profile import ModelProfile, kv_heads_per_gpu
from dashboard.features.parallel import Dtypes, ParallelConfig, validate_parallel
from dashboard.features.request import check_setting

__all__ = [
    "MemoryBreakdown",
    "context_warnings",
    "kv_bytes_per_sequence",
    "kv_bytes_per_token_per_gpu",
    "memory_breakdown",
    "weight_bytes_per_gpu",
]

RUNTIME_RESERVE_GIB = 1.5  # CUDA context + cuBLAS workspace + NCCL buffers + CUDA graphs (typical vLLM)


def weight_bytes_per_gpu(
    model: ModelProfile, parallel: ParallelConfig, weight_dtype: str, attention_dtype: str | None = None
) -> float:
    """Bytes of weights on one GPU (largest pipeline stage, layers split evenly).

    ``attention_dtype`` (default: ``weight_dtype``) is the format of the attention projections
    when the checkpoint keeps them apart from the MLP/expert weights (gpt-oss: MXFP4 experts,
    bf16 attention)."""
    wb, hb = dtype_bytes(weight_dtype), 2.0
    awb = dtype_bytes(attention_dtype) if attention_dtype else wb
    tp, pp = parallel.tp, parallel.pp
    h = model.hidden_size
    if model.is_mla:
        hq = model.num_attention_heads // tp
        rep = h * (model.kv_lora_rank + model.qk_rope_head_dim)
        if model.q_lora_rank:  # q_a down-projection replicated, q_b split by heads
            rep += h * model.q_lora_rank
            q = model.q_lora_rank * hq * model.q_head_dim
        else:
            q = h * hq * model.q_head_dim
        kvb = model.kv_lora_rank * hq * (model.qk_nope_head_dim + model.v_head_dim)
        o = hq * model.v_head_dim * h
        attn = (rep + q + kvb + o) * awb
    else:
        hkv = kv_heads_per_gpu(model, tp)
        hq = model.num_attention_heads // tp
        attn = (h * (hq + 2 * hkv) * model.head_dim + hq * model.head_dim * h) * awb
    norms = model.norm_params_per_layer() * hb
    per_layer_total = 0.0
    for g in model.layer_groups():
        if g.moe:
            local_experts = model.num_experts / parallel.ep
            expert = model.expert_params() / parallel.expert_tp * wb
            shared = model.mlp_params(model.shared_expert_size) / tp * wb if model.shared_expert_size else 0.0
            mlp = local_experts * expert + shared + model.router_params() * hb
        else:
            mlp = model.mlp_params(model.intermediate_size) / tp * wb
        per_layer_total += g.count * (attn + mlp + norms)
    per_layer_avg = per_layer_total / model.num_hidden_layers
    layers_per_stage = -(-model.num_hidden_layers // pp)
    emb = (model.embedding_params() + model.lm_head_params()) / tp * hb
    # embeddings live on the first stage and lm_head on the last; charge the larger stage both when pp == 1
    emb_stage = (
        emb if pp == 1 else max(model.embedding_params(), model.lm_head_params() or model.embedding_params()) / tp * hb
    )
    return per_layer_avg * layers_per_stage + emb_stage + model.hidden_size * hb


def kv_bytes_per_token_per_gpu(
    model: ModelProfile, parallel: ParallelConfig, kv_dtype: str, include_sliding: bool = True
) -> float:
    """KV-cache bytes one token adds on one GPU, all layers of its pipeline stage.

    Sliding-window layers are counted per token (as if within the window) when
    ``include_sliding``; :func:`kv_bytes_per_sequence` applies the window cap.
    """
    b = dtype_bytes(kv_dtype)
    if model.is_mla:
        per_layer = (model.kv_lora_rank + model.qk_rope_head_dim) * b
    else:
        per_layer = 2 * kv_heads_per_gpu(model, parallel.tp) * model.head_dim * b
    layers = sum(g.count for g in model.layer_groups() if include_sliding or g.window is None)
    return per_layer * -(-layers // parallel.pp)


def kv_bytes_per_sequence(model: ModelProfile, parallel: ParallelConfig, kv_dtype: str, context: int) -> float:
    """KV bytes of one sequence of ``context`` tokens on one GPU (window caps applied)."""
    full = kv_bytes_per_token_per_gpu(model, parallel, kv_dtype, include_sliding=False)
    all_layers = kv_bytes_per_token_per_gpu(model, parallel, kv_dtype, include_sliding=True)
    sliding = all_layers - full
    window = model.sliding_window or context
    return full * context + sliding * min(context, window)


@dataclass(frozen=True)
class MemoryBreakdown:
    """Per-GPU memory budget. Byte fields are per GPU."""

    total_params: int
    active_params: int  # input embedding excluded (model-card convention)
    active_params_incl_embedding: int  # the other convention (Mistral, Qwen cards)
    capacity_bytes: float
    usable_bytes: float  # capacity × (1 − reserved fraction)
    weight_bytes: float
    activation_bytes: float
    runtime_reserve_bytes: float
    kv_budget_bytes: float  # what is left for the KV cache (may be negative)
    kv_bytes_per_token: float  # full-attention layers + sliding layers within their window
    kv_bytes_per_sequence: float  # at ``context``
    context: int
    max_kv_tokens: int
    max_sequences: int
    fits: bool
    headroom_fraction: float  # KV budget ÷ usable bytes
    #: the model's ``max_position_embeddings``; ``context`` above it is priced but flagged
    max_position_embeddings: int = 0
    exceeds_max_position: bool = False
    warnings: tuple[str, ...] = ()

    def components(self) -> dict[str, float]:
        """Where the GPU's memory goes when ``max_sequences`` sequences of ``context`` tokens are
        resident (bytes per GPU, summing to ``capacity_bytes`` when the model fits): weights,
        activations, runtime reserve, ``kv`` = max_sequences · KV per sequence, ``free`` = the rest
        of the KV budget (≥ 0), ``reserved`` = capacity − usable (``1 − gpu_memory_utilization``)."""
        kv_used = self.max_sequences * self.kv_bytes_per_sequence
        return {
            "weights": self.weight_bytes,
            "activations": self.activation_bytes,
            "runtime": self.runtime_reserve_bytes,
            "kv": kv_used,
            "free": max(0.0, self.kv_budget_bytes - kv_used),
            "reserved": self.capacity_bytes - self.usable_bytes,
        }

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["weight_bytes_per_gpu"] = self.weight_bytes
        d["kv_bytes_per_token_per_gpu"] = self.kv_bytes_per_token
        return d


def activation_bytes(
    model: ModelProfile, parallel: ParallelConfig, act_dtype: str, max_batched_tokens: int, max_seqs: int
) -> float:
    """Peak transient memory of one step: the widest per-token tensors of a layer for
    ``max_batched_tokens`` tokens (residual + input + MLP intermediate), and fp32 logits of
    ``max_seqs`` sampled rows."""
    ab = dtype_bytes(act_dtype)
    tp = parallel.tp
    inter = max(model.intermediate_size, model.moe_intermediate_size * max(1, model.num_experts_per_tok)) // tp
    qkv = (model.num_attention_heads + 2 * model.num_key_value_heads) * model.q_head_dim // tp
    per_token = (2 * model.hidden_size + max(2 * inter, qkv)) * ab
    logits = max_seqs * model.vocab_size / tp * 4.0
    return max_batched_tokens * per_token + logits


def memory_breakdown(
    model: ModelProfile,
    hardware: HardwareProfile,
    parallel: ParallelConfig | None = None,
    dtypes: Dtypes | None = None,
    context: int = 4096,
    reserved_fraction: float = 0.10,
    max_batched_tokens: int | None = None,
    max_seqs: int | None = None,
    runtime_reserve_gib: float = RUNTIME_RESERVE_GIB,
    hbm_capacity_gib: float | None = None,
    engine: EngineProfile | str | None = None,
    memory_fraction: float | None = None,
) -> MemoryBreakdown:
    """Weights, workspace and KV budget of one GPU; ``fits`` is False when no sequence of
    ``context`` tokens fits beside the weights (an answer, not an error).

    Without ``engine`` (the original rule): KV budget = ``(1 − reserved_fraction)·C − W − A −
    runtime_reserve_gib``, with ``reserved_fraction`` vLLM's ``1 − gpu_memory_utilization`` and
    ``A`` the activations of a step of ``max_batched_tokens`` (8192) and ``max_seqs`` (256).

    With ``engine`` (an :class:`~dashboard.features.engine.EngineProfile` or preset name): the
    engine's own KV-capacity rule (:meth:`EngineProfile.kv_capacity_bytes`) at its memory fraction
    or ``memory_fraction`` (``--gpu-memory-utilization``/``--kv-fraction``); ``max_batched_tokens``/
    ``max_seqs`` default to the engine's scheduler defaults on ``hardware``; ``reserved_fraction``
    and ``runtime_reserve_gib`` are ignored (the engine's non-torch/graph memory replaces them).
    """
    parallel = parallel or ParallelConfig()
    dtypes = dtypes or Dtypes()
    validate_parallel(model, parallel)
    check_setting("reserved_fraction", reserved_fraction)
    check_setting("memory_fraction", memory_fraction)
    if context <= 0:
        raise ValueError("context must be a positive number of tokens")
    cap = (hbm_capacity_gib if hbm_capacity_gib is not None else hardware.hbm_capacity_gb) * GIB
    weights = weight_bytes_per_gpu(model, parallel, dtypes.weight, dtypes.attention_weight)
    if engine is None:
        mbt = 8192 if max_batched_tokens is None else max_batched_tokens
        ms = 256 if max_seqs is None else max_seqs
        usable = cap * (1.0 - reserved_fraction)
        act = activation_bytes(model, parallel, dtypes.activation, mbt, ms)
        reserve = runtime_reserve_gib * GIB
        budget = usable - weights - act - reserve
    else:
        eng = load_engine(engine)
        d = eng.scheduler_defaults(hardware, parallel.tp)
        mbt = d["max_num_batched_tokens"] if max_batched_tokens is None else max_batched_tokens
        ms = d["max_num_seqs"] if max_seqs is None else max_seqs
        act = activation_bytes(model, parallel, dtypes.activation, mbt, ms)
        f = (
            memory_fraction
            if memory_fraction is not None
            else eng.memory_fraction(hardware, tp=parallel.tp, pp=parallel.pp, max_num_batched_tokens=mbt)
        )
        usable = cap if eng.kv_rule.kind == "fraction_of_free" else cap * f
        reserve = (eng.kv_rule.non_torch_gib + eng.kv_rule.cuda_graph_gib) * GIB
        budget = eng.kv_capacity_bytes(
            hardware,
            weights,
            act,
            tp=parallel.tp,
            pp=parallel.pp,
            fraction=f,
            capacity_bytes=cap,
            max_num_batched_tokens=mbt,
        )
    per_seq = kv_bytes_per_sequence(model, parallel, dtypes.kv, context)
    per_tok = per_seq / context
    warnings = context_warnings(model, context)
    max_tokens = int(budget // per_tok) if budget > 0 else 0
    max_seqs_fit = int(budget // per_seq) if budget > 0 else 0
    return MemoryBreakdown(
        total_params=model.total_params(),
        active_params=model.active_params(),
        active_params_incl_embedding=model.active_params(include_input_embedding=True),
        capacity_bytes=cap,
        usable_bytes=usable,
        weight_bytes=weights,
        activation_bytes=act,
        runtime_reserve_bytes=reserve,
        kv_budget_bytes=budget,
        kv_bytes_per_token=per_tok,
        kv_bytes_per_sequence=per_seq,
        context=context,
        max_kv_tokens=max_tokens,
        max_sequences=max_seqs_fit,
        fits=max_seqs_fit >= 1,
        headroom_fraction=budget / usable if usable else 0.0,
        max_position_embeddings=model.max_position_embeddings,
        exceeds_max_position=context > model.max_position_embeddings,
        warnings=warnings,
    )


def context_warnings(model: ModelProfile, context: int) -> tuple[str, ...]:
    """A one-line warning when ``context`` tokens exceed the model's ``max_position_embeddings``
    (the memory is still computed: ``fits`` answers only whether the bytes fit)."""
    limit = model.max_position_embeddings
    if context > limit:
        return (
            f"context {context:,} tokens exceeds the model's max_position_embeddings ({limit:,}); "
            "the model was not trained for it and engines refuse it without RoPE scaling",
        )
    return ()
