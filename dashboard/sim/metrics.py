"""Summaries of a simulation: latency percentiles, throughput, goodput under an SLA, utilisation.

Percentiles use linear interpolation (``numpy.percentile``), as ``vllm bench serve`` reports them.
The inter-token latency (ITL) distribution is weighted: ``values[i]`` occurs ``weights[i]`` times.
Throughputs divide by the duration from the first arrival to the last completion. MFU is
``FLOPs per GPU / (duration · peak FLOP/s)`` and HBM utilisation ``bytes per GPU / (duration ·
HBM bytes/s)`` (the average over the engines; ``busy_*`` variants divide by the busy time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.features.metrics import hbm_utilisation, mfu
from dashboard.features.params import param, validate_params

__all__ = ["PERCENTILES", "SLA", "dist_stats", "summarize", "weighted_percentiles"]

PERCENTILES = (50, 90, 99)


@dataclass(frozen=True)
class SLA:
    """Per-request targets in milliseconds (``None`` = no target). A request meets the SLA when
    every given target holds; goodput counts those requests per second."""

    # declared once (dashboard/features/params.py); the search's SLA refers to these
    ttft_ms: float | None = param(
        None, lo=0.0, hi=1e9, open_lo=True, unit="ms", label="TTFT target", help="empty: no constraint"
    )
    tpot_ms: float | None = param(
        None, lo=0.0, hi=1e9, open_lo=True, unit="ms", label="TPOT target", help="empty: no constraint"
    )
    e2e_ms: float | None = param(
        None, lo=0.0, hi=1e9, open_lo=True, unit="ms", label="End-to-end target", help="empty: no constraint"
    )

    def __post_init__(self) -> None:
        validate_params(self)

    def met(self, ttft_s: np.ndarray, tpot_s: np.ndarray, e2e_s: np.ndarray) -> np.ndarray:
        ok = np.ones(len(ttft_s), dtype=bool)
        if self.ttft_ms is not None:
            ok &= ttft_s * 1e3 <= self.ttft_ms
        if self.tpot_ms is not None:
            ok &= np.nan_to_num(tpot_s, nan=0.0) * 1e3 <= self.tpot_ms
        if self.e2e_ms is not None:
            ok &= e2e_s * 1e3 <= self.e2e_ms
        return ok


def dist_stats(x_s: np.ndarray) -> dict[str, float]:
    """``{mean, p50, p90, p99, max}`` in milliseconds of seconds ``x_s`` (NaNs dropped)."""
    x = np.asarray(x_s, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"mean": math.nan, "p50": math.nan, "p90": math.nan, "p99": math.nan, "max": math.nan}
    p = np.percentile(x, PERCENTILES)
    return {
        "mean": float(x.mean() * 1e3),
        "p50": float(p[0] * 1e3),
        "p90": float(p[1] * 1e3),
        "p99": float(p[2] * 1e3),
        "max": float(x.max() * 1e3),
    }


def weighted_percentiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Percentiles ``qs`` (0–100) of ``values`` each repeated ``weights`` times (inverted CDF on
    the expanded sample, linear between neighbours as numpy does)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = w > 0
    v, w = v[keep], w[keep]
    if v.size == 0:
        return [math.nan for _ in qs]
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cum = np.cumsum(w)  # 1-based position of the last copy of each value
    n = cum[-1]
    out = []
    for q in qs:
        pos = q / 100.0 * (n - 1)  # 0-based fractional index into the expanded sample
        lo = math.floor(pos)
        frac = pos - lo
        i_lo = int(np.searchsorted(cum, lo + 1))
        i_hi = int(np.searchsorted(cum, min(lo + 2, n)))
        out.append(float(v[i_lo] + (v[i_hi] - v[i_lo]) * frac))
    return out


def summarize(
    requests: dict[str, np.ndarray],
    steps: dict[str, np.ndarray],
    itl_values: np.ndarray,
    itl_weights: np.ndarray,
    util: dict[str, Any],
    *,
    dp: int,
    num_steps: int,
    preemptions: int,
    peak_blocks: int,
    num_blocks: int,
    sla: SLA | None,
) -> dict[str, Any]:
    """The summary dictionary of :class:`~dashboard.sim_scheduler.SimResult` (JSON-ready)."""
    arr = requests["arrival_s"]
    fin = requests["finish_s"]
    done = ~np.isnan(fin)
    completed = int(done.sum())
    t0 = float(arr.min()) if arr.size else 0.0
    duration = float(np.nanmax(fin) - t0) if completed else 0.0
    dur = duration if duration > 0 else math.nan
    in_tok = int(requests["prompt"][done].sum())
    out_tok = int(requests["output"][done].sum())
    gpus = dp * int(util["engine_gpus"])
    itl_mean = float(np.average(itl_values, weights=itl_weights)) if itl_weights.sum() > 0 else math.nan
    itl_p = weighted_percentiles(itl_values, itl_weights, PERCENTILES)
    itl = {
        "mean": itl_mean * 1e3,
        "p50": itl_p[0] * 1e3,
        "p90": itl_p[1] * 1e3,
        "p99": itl_p[2] * 1e3,
        "max": float(np.max(itl_values)) * 1e3 if itl_values.size else math.nan,
    }
    out: dict[str, Any] = {
        "completed": completed,
        "num_requests": int(arr.size),
        "duration_s": duration,
        "total_input_tokens": in_tok,
        "total_output_tokens": out_tok,
        "request_throughput_req_s": completed / dur,
        "input_throughput_tok_s": in_tok / dur,
        "output_throughput_tok_s": out_tok / dur,
        "total_throughput_tok_s": (in_tok + out_tok) / dur,
        "output_throughput_tok_s_per_gpu": out_tok / dur / gpus,
        "input_throughput_tok_s_per_gpu": in_tok / dur / gpus,
        "gpus": gpus,
        "ttft_ms": dist_stats(requests["ttft_s"]),
        "tpot_ms": dist_stats(requests["tpot_s"]),
        "itl_ms": itl,
        "e2e_ms": dist_stats(requests["e2e_s"]),
        "queue_ms": dist_stats(requests["queue_s"]),
        "num_steps": num_steps,
        "preemptions": preemptions,
        "num_kv_blocks": num_blocks,
        "peak_kv_blocks_used": peak_blocks,
        "peak_kv_usage": peak_blocks / num_blocks if num_blocks else math.nan,
        "cached_prompt_tokens": int(requests["cached_tokens"].sum()),
        # tokens served from the prefix cache (any tier) at first admission ÷ prompt tokens
        "prefix_cache_hit_rate": float(requests["cached_tokens"].sum() / max(1, requests["prompt"].sum())),
    }
    busy = float(util["busy_s"])
    denom = dur * dp
    out["mfu"] = mfu(util["flops_per_gpu"], denom, util["peak_flops"])
    out["hbm_bw_utilization"] = hbm_utilisation(util["bytes_per_gpu"], denom, util["hbm_bytes_per_s"])
    out["busy_fraction"] = busy / denom
    out["busy_mfu"] = mfu(util["flops_per_gpu"], busy, util["peak_flops"])
    out["busy_hbm_bw_utilization"] = hbm_utilisation(util["bytes_per_gpu"], busy, util["hbm_bytes_per_s"])
    out["flops_per_gpu"] = util["flops_per_gpu"]
    out["bytes_per_gpu"] = util["bytes_per_gpu"]
    if steps and steps.get("dur_s") is not None and len(steps["dur_s"]):
        out["mean_step_ms"] = float(np.mean(steps["dur_s"]) * 1e3)
        out["mean_batch_tokens"] = float(np.mean(steps["prefill_tokens"] + steps["decode_seqs"]))
    if sla is not None:
        ok = sla.met(requests["ttft_s"], requests["tpot_s"], requests["e2e_s"]) & done
        out["sla"] = {"ttft_ms": sla.ttft_ms, "tpot_ms": sla.tpot_ms, "e2e_ms": sla.e2e_ms}
        out["sla_attainment"] = float(ok.sum() / max(1, arr.size))
        out["goodput_req_s"] = float(ok.sum()) / dur
    return out
