"""Driver of the MoE expert-offload page: host path, resident experts and the offload verdict of
one decode step, plus the reload arithmetic the page reports (issue 17 §2: no page computes a
metric).

Everything is per GPU of an engine of ``max(TP, EP)`` GPUs. The host path rate and the channel
bottleneck come from :func:`~dashboard.features.offload.host_to_device_rate`, residency from
:func:`~dashboard.features.offload.resident_capacity` (memory model), the step from the cost model
stretched by :func:`~dashboard.features.offload.offload_step`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.model_profile import ModelProfile
from dashboard.features.offload import (
    HostLinkConfig,
    OffloadResult,
    Popularity,
    ResidentCapacity,
    expected_touched,
    expert_shard_bytes,
    experts_per_window,
    host_to_device_rate,
    offload_step,
    resident_capacity,
)

__all__ = ["ExpertsVerdict", "ReloadTimes", "evaluate_experts", "prefetch_buffer_bytes", "reload_times"]


def prefetch_buffer_bytes(model: ModelProfile, cm: CostModel, batch: int, popularity: Popularity, window: int) -> float:
    """HBM one GPU sets aside for prefetching ``window`` MoE layers ahead: ``window`` layers of the
    worst-case working set (the distinct experts ``batch`` tokens touch with nothing resident) at
    one shard each, times expert-TP ÷ engine GPUs (the shard is the GPU's slice of an expert)."""
    par = cm.par
    shard = expert_shard_bytes(model, par, cm.dt.weight)
    worst = expected_touched(model.num_experts, model.num_experts_per_tok, batch, popularity, 0)
    return window * worst.distinct * shard * par.expert_tp / max(par.tp, par.ep)


@dataclass(frozen=True)
class ReloadTimes:
    """Reload arithmetic of one GPU over a host path of ``rate`` bytes/s (seconds, shards)."""

    load_s: float  # one expert shard: shard ÷ rate
    per_window_gpu: int  # whole shards one GPU loads in the window (⌊window · rate ÷ shard⌋)
    per_window_engine: int  # × EP distinct experts for the engine
    needed_shards: float  # shards one step reloads: h2d bytes of the step ÷ shard
    needed_s: float  # their load time
    local_experts: int  # E ÷ EP experts one GPU holds per layer
    layer_reload_s: float  # every local expert of one MoE layer
    all_layers_reload_s: float  # … of every MoE layer


def reload_times(
    model: ModelProfile, ep: int, shard_bytes: float, rate_bytes_per_s: float, window_s: float, step_h2d_bytes: float
) -> ReloadTimes:
    """:class:`ReloadTimes` for an expert shard of ``shard_bytes`` over ``rate_bytes_per_s`` (a
    zero shard or rate gives zero counts and times)."""
    load_s = shard_bytes / rate_bytes_per_s if rate_bytes_per_s > 0 else 0.0
    per_gpu = experts_per_window(window_s, rate_bytes_per_s, shard_bytes)
    needed = step_h2d_bytes / shard_bytes if shard_bytes > 0 else 0.0
    local = model.num_experts // ep
    return ReloadTimes(
        load_s=load_s,
        per_window_gpu=per_gpu,
        per_window_engine=per_gpu * ep,
        needed_shards=needed,
        needed_s=needed * load_s,
        local_experts=local,
        layer_reload_s=local * load_s,
        all_layers_reload_s=local * load_s * model.num_moe_layers,
    )


@dataclass(frozen=True)
class ExpertsVerdict:
    """One decode step of the expert-offload page."""

    rate_bytes_per_s: float  # sustained host → GPU rate
    bottleneck: str  # channel id that sets it
    channel_rates: dict[str, float]  # channel id → its h2d rate (B/s)
    shard_bytes: float
    capacity: ResidentCapacity
    baseline_s: float  # cost-model step, every expert resident
    step: OffloadResult  # the step with the resident experts of ``capacity``
    reload: ReloadTimes
    fits: bool  # the rest of the model fits beside the KV cache
    passed: bool  # fits and the stretched step meets the budget


def evaluate_experts(
    cm: CostModel,
    link: HostLinkConfig,
    popularity: Popularity,
    *,
    batch: int,
    context: int,
    reserved_fraction: float,
    prefetch_window: int,
    window_s: float,
    budget_s: float,
) -> ExpertsVerdict:
    """Host path, resident experts and the stretched decode step of ``batch`` sequences at
    ``context`` (see the module docstring); ``budget_s`` is the step's latency budget. Raises
    ``ValueError`` for a dense model or bad sizes."""
    model, hw, par, dtypes = cm.model, cm.hw, cm.par, cm.dt
    rate, bottleneck, rates = host_to_device_rate(hw, link)
    shard = expert_shard_bytes(model, par, dtypes.weight)
    buffers = prefetch_buffer_bytes(model, cm, batch, popularity, prefetch_window)
    cap = resident_capacity(model, hw, par, dtypes, batch, context, reserved_fraction, buffers)
    spec = StepSpec(decode_seqs=batch, decode_context=context)
    base = cm.step(spec).latency_s
    res = offload_step(cm, spec, link, cap.resident_per_layer, popularity, prefetch_window, 0.0, baseline_s=base)
    fits = cap.budget_bytes > 0
    return ExpertsVerdict(
        rate_bytes_per_s=rate,
        bottleneck=bottleneck,
        channel_rates=rates,
        shard_bytes=shard,
        capacity=cap,
        baseline_s=base,
        step=res,
        reload=reload_times(model, par.ep, shard, rate, window_s, res.h2d_bytes),
        fits=fits,
        passed=fits and res.step_s <= budget_s,
    )
