"""Declared request shape and cost-model settings: the parameters every estimate takes.

The quick-estimation and memory pages, the ``modeling step``/``memory``/``search``/``plan`` flags and
the search/planner dataclasses all take a batch of identical requests (``batch`` sequences of
``input_len`` prompt and ``output_len`` generated tokens, or a ``context`` of cached tokens) and
the cost-model knobs ``overlap`` (φ, share of communication hidden behind compute) and
``reserved_fraction`` (share of HBM kept free, vLLM's ``1 − gpu_memory_utilization``). Each is
declared here once (:mod:`dashboard.features.params`); every other dataclass refers to it with
``like(RequestShape, "input_len")``.

Bounds: token counts ≤ 2²⁴ (16.7 M, above the longest published context window, Llama 4
Scout's 10 M tokens, https://ai.meta.com/blog/llama-4-multimodal-intelligence/); a batch ≤ 65,536
sequences (vLLM's ``max_num_seqs`` bound of :class:`~dashboard.sim_scheduler.SchedulerConfig`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import check_value, param, param_specs, validate_params

__all__ = ["MAX_BATCH", "MAX_TOKENS", "CostSettings", "RequestShape", "check_setting"]

#: longest token count any input accepts (prompt, output, context, prefix)
MAX_TOKENS = 1 << 24
#: most sequences in one batch
MAX_BATCH = 1 << 16


@dataclass(frozen=True)
class RequestShape:
    """``batch`` identical requests of ``input_len`` prompt tokens and ``output_len`` generated
    tokens; ``context`` is the number of tokens a sequence holds (prompt + output so far) when
    only the memory of one context length is asked for. All counts are integers (tokens,
    sequences); ``validate_params`` refuses ``1.5`` and anything outside the bounds."""

    batch: int = param(1, lo=1, hi=MAX_BATCH, unit="sequences", label="Batch size", help="concurrent sequences")
    input_len: int = param(2048, lo=1, hi=MAX_TOKENS, unit="tokens", label="Prompt tokens")
    output_len: int = param(256, lo=1, hi=MAX_TOKENS, unit="tokens", label="Output tokens")
    context: int = param(
        4096, lo=1, hi=MAX_TOKENS, unit="tokens", label="Context length", help="tokens each sequence holds"
    )

    def __post_init__(self) -> None:
        validate_params(self)


@dataclass(frozen=True)
class CostSettings:
    """Cost- and memory-model knobs. ``overlap`` φ ∈ [0, 1]: share of communication hidden behind
    compute (``CostModel(overlap=φ)``); ``reserved_fraction`` ∈ [0, 1): share of HBM left free by
    the generic KV rule of :func:`~dashboard.features.memory.memory_breakdown`; ``memory_fraction``
    ∈ (0, 1]: an engine's memory fraction overridden (``None``: the engine's)."""

    overlap: float = param(
        0.0, lo=0.0, hi=1.0, unit="fraction", label="Compute/communication overlap φ", help="0: none hidden"
    )
    reserved_fraction: float = param(
        0.10,
        lo=0.0,
        hi=1.0,
        open_hi=True,
        unit="fraction",
        label="Reserved HBM fraction",
        help="1 − gpu_memory_utilization",
    )
    memory_fraction: float | None = param(
        None,
        lo=0.0,
        hi=1.0,
        open_lo=True,
        unit="fraction",
        label="Engine memory fraction",
        help="vLLM gpu_memory_utilization, TRT-LLM free_gpu_memory_fraction, SGLang mem_fraction_static",
    )

    def __post_init__(self) -> None:
        validate_params(self)


#: the declarations functions of the cost and memory models check their arguments against
COST_SPECS = param_specs(CostSettings)


def check_setting(name: str, value: float | None) -> None:
    """``value`` of a :class:`CostSettings` field passed as a plain argument (``CostModel(overlap=)``,
    ``memory_breakdown(reserved_fraction=)``): ``ValueError`` naming it unless it fits the declaration."""
    check_value(name, value, COST_SPECS[name], "float", optional=name == "memory_fraction")
