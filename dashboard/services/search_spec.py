"""Speculative decoding as a search dimension: off, or on with each ``k`` of a list.

Each engine is priced by the steady-state model of :mod:`dashboard.services.search_steady` with the
speculative step of :class:`~dashboard.features.speculative.SpeculativeCostModel` in place of the
plain step: a request then needs ``(O − 1) / E`` decode steps instead of ``O − 1`` (``E`` the
expected tokens per step), each step carrying draft + verification of ``k+1`` tokens per decode +
rejection sampling, so

* ``O_eff = 1 + round((O − 1) / E)`` decode slots per request feed the steady state (Little's law,
  prefill capacity, queueing unchanged), with decode contexts spread over ``[I, I + O)``;
* TPOT = mean step × ``(O_eff − 1) / (O − 1)`` (time per output token), output tokens/s = requests/s × ``O``;
* memory: the draft's weights and KV (:func:`~dashboard.features.speculative.speculative_memory_breakdown`).

Acceptance for other ``k`` than the configured one: the per-position rates are cut or extended
with their last value (:func:`config_for_k`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import GIB, HardwareProfile
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.speculative import SpeculativeConfig, SpeculativeCostModel, speculative_memory_breakdown
from dashboard.services.search_steady import EngineSteadyState, steady_state

__all__ = ["config_for_k", "memory_check_speculative", "search_with_speculation", "steady_state_speculative"]


def config_for_k(cfg: SpeculativeConfig, k: int) -> SpeculativeConfig:
    """``cfg`` with ``k`` draft tokens: acceptance rates cut to ``k`` or extended with the last rate."""
    rates = cfg.acceptance_rates
    new = rates[:k] if k <= len(rates) else rates + (rates[-1],) * (k - len(rates))
    return replace(cfg, num_speculative_tokens=k, acceptance_rates=new)


class _SpecSteps:
    """Duck-typed cost model for :func:`steady_state`: its decode contexts over ``[I, I + O_eff)``
    map back to ``[I, I + O)`` and each step is priced as a speculative step."""

    def __init__(self, scm: SpeculativeCostModel, input_len: int, stretch: float) -> None:
        self.scm = scm
        self.i = input_len
        self.stretch = stretch

    def stats_for_batch(self, chunks: Sequence[tuple[int, int]], decode_contexts: Sequence[int]) -> Any:
        return (tuple(chunks), tuple(int(self.i + (c - self.i) * self.stretch) for c in decode_contexts))

    def step_time_s(self, stats: Any) -> float:
        chunks, contexts = stats
        return self.scm.mixed_step_time_s(contexts, chunks)


def steady_state_speculative(
    cm: CostModel,
    cfg: SpeculativeConfig,
    input_len: int,
    output_len: int,
    concurrency: int,
    budget: int,
    cache: dict | None = None,
) -> EngineSteadyState:
    """Steady state of one engine with speculative decoding (module docstring); ``cache`` memoises
    the speculative cost model and step times per cost model."""
    memo = cache if cache is not None else {}
    key = ("__spec__", cfg)
    scm = memo.get(key)
    if scm is None:
        scm = memo[key] = SpeculativeCostModel(cm, cfg)
    e = cfg.expected_tokens
    o_eff = 1 + round((output_len - 1) / e) if output_len > 1 else 1
    stretch = (output_len - 1) / (o_eff - 1) if o_eff > 1 else 1.0
    sub = memo.setdefault(("__spec_steps__", cfg), {})
    st = steady_state(_SpecSteps(scm, input_len, stretch), input_len, o_eff, concurrency, budget, sub)
    ratio = (o_eff - 1) / (output_len - 1) if output_len > 1 else 1.0
    return replace(
        st, output_len=output_len, mean_step_s=st.mean_step_s * ratio, output_tok_s=st.requests_per_s * output_len
    )


def memory_check_speculative(
    model: ModelProfile,
    hw: HardwareProfile,
    par: ParallelConfig,
    dtypes: Dtypes,
    workload: Any,
    conc: int,
    budget: int,
    reserved: float,
    cfg: SpeculativeConfig,
) -> tuple[str | None, dict[str, Any]]:
    """As the search's memory check, with the draft's weights and KV in the budget and ``k``
    lookahead KV slots per sequence."""
    ctx = workload.input_len + workload.output_len + cfg.k
    mem, draft = speculative_memory_breakdown(
        model,
        hw,
        cfg,
        par,
        dtypes,
        context=ctx,
        reserved_fraction=reserved,
        max_batched_tokens=budget + conc * (cfg.k + 1),
        max_seqs=conc,
    )
    capacity = mem.max_sequences * par.attention_dp
    info = {
        "weights_gib_per_gpu": mem.weight_bytes / GIB,
        "max_sequences": capacity,
        "kv_gib_per_seq": mem.kv_bytes_per_sequence / GIB,
        "draft_gib_per_gpu": draft["weight_bytes"] / GIB,
    }
    if not mem.fits:
        return f"OOM: with the {cfg.method} draft one sequence of {ctx} tokens does not fit", info
    if capacity < conc:
        return f"OOM: KV cache (with the draft's) holds {capacity} sequences of {ctx} tokens < concurrency {conc}", info
    return None, info


def search_with_speculation(
    model: ModelProfile,
    hw: HardwareProfile,
    gpus: int,
    workload: Any,
    sla: Any = None,
    dtypes: Dtypes | None = None,
    space: Any = None,
    econ: Any = None,
    speculative: SpeculativeConfig | None = None,
    k_values: Sequence[int] = (),
    include_off: bool = True,
) -> Any:
    """The aggregated search with speculation as a dimension: off (if ``include_off``) and
    ``speculative`` at each ``k`` of ``k_values`` (default: its own ``k``). Rows carry
    ``speculative`` (method or ``"off"``) and ``num_speculative_tokens`` (0 when off)."""
    from dashboard.services.search import SearchResult, _best_key, pareto_rows, search_aggregated

    variants: list[SpeculativeConfig | None] = [None] if include_off or speculative is None else []
    if speculative is not None:
        for k in sorted(set(k_values or (speculative.k,))):
            variants.append(config_for_k(speculative, int(k)))
    feasible: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    inputs: dict[str, Any] = {}
    elapsed = 0.0
    engines = 0
    for v in variants:
        res = search_aggregated(model, hw, gpus, workload, sla, dtypes, space, econ, speculative=v)
        tag = {"speculative": v.method if v else "off", "num_speculative_tokens": v.k if v else 0}
        feasible += [{**r, **tag} for r in res.feasible]
        rejected += [{**r, **tag} for r in res.rejected]
        inputs = res.inputs
        elapsed += res.elapsed_s
        engines += res.engines_priced
    best = max(feasible, key=_best_key) if feasible else None
    priced = [r for r in feasible + rejected if "output_tok_s_per_gpu" in r]
    front = [{**r, "feasible": r["reason_code"] is None} for r in pareto_rows(priced)]
    inputs = {
        **inputs,
        "speculative": speculative.as_dict() if speculative else None,
        "speculative_k_values": [v.k for v in variants if v is not None],
        "speculative_off": variants[0] is None,
    }
    return SearchResult(
        feasible=feasible,
        rejected=rejected,
        best=best,
        pareto=front,
        inputs=inputs,
        elapsed_s=elapsed,
        engines_priced=engines,
    )
