"""Re-check search candidates with the scheduler simulator (:mod:`dashboard.sim_scheduler`).

The analytic steady state of :mod:`dashboard.services.search_steady` is fast and deterministic; the
simulator replays a closed-loop benchmark (``concurrency`` clients, vLLM V1 scheduling, KV blocks,
preemption) on the same cost model. For each candidate row it runs ``requests_per_client ×
concurrency`` requests (bounded) on ``dp`` engines with ``max_num_seqs = concurrency_per_engine`` and
``max_num_batched_tokens = budget`` (the search budget already counts decode tokens, as vLLM does),
and reports TTFT at the SLA percentile, mean TPOT and output tokens/s per GPU. The first
``concurrency`` requests (the start-up burst, all arriving at t = 0) are left out of the latency
statistics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import HardwareProfile
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig

__all__ = ["recheck_with_simulator", "simulator_available"]


def simulator_available() -> bool:
    try:
        import dashboard.sim_scheduler  # noqa: F401
    except ImportError:
        return False
    return True


def recheck_with_simulator(
    model: ModelProfile,
    hw: HardwareProfile,
    rows: Sequence[dict[str, Any]],
    input_len: int,
    output_len: int,
    dtypes: Dtypes | None = None,
    percentile: float = 50.0,
    requests_per_client: int = 3,
    max_requests: int = 3000,
    overlap: float = 0.0,
    reserved_fraction: float = 0.10,
    sla: Any = None,
) -> list[dict[str, Any]]:
    """Each row plus ``sim_ttft_ms`` (at ``percentile``), ``sim_tpot_ms``, ``sim_output_tok_s_per_gpu``,
    ``sim_preemptions`` (or ``sim_error``); with ``sla`` (a :class:`~dashboard.services.search.SLA`)
    also ``sim_meets_sla`` and ``sim_reason``."""
    from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, simulate

    dtypes = dtypes or Dtypes()
    out = []
    for row in rows:
        r = dict(row)
        try:
            cpe = int(row["concurrency_per_engine"])
            dp = int(row["dp"])
            conc = cpe * dp
            n = max(conc + 8, min(max_requests, requests_per_client * conc))
            cm = CostModel(model, hw, ParallelConfig(tp=int(row["tp"]), ep=int(row["ep"])), dtypes, overlap)
            sched = SchedulerConfig(
                max_num_batched_tokens=max(int(row["budget"]), cpe),
                max_num_seqs=cpe,
                gpu_memory_utilization=1.0 - reserved_fraction,
            )
            wl = WorkloadConfig(num_requests=n, input_len=input_len, output_len=output_len, concurrency=conc)
            res = simulate(cm, wl, sched, dp=dp, record_steps=False)
            req = res.requests
            skip = min(conc, len(req["ttft_s"]) - 1)
            ttft = np.asarray(req["ttft_s"])[skip:]
            tpot = np.asarray(req["tpot_s"])[skip:]
            tpot = tpot[~np.isnan(tpot)]
            r["sim_ttft_ms"] = float(np.percentile(ttft, percentile) * 1e3) if ttft.size else math.nan
            r["sim_tpot_ms"] = float(np.mean(tpot) * 1e3) if tpot.size else math.nan
            r["sim_output_tok_s_per_gpu"] = float(res.summary["output_throughput_tok_s_per_gpu"])
            r["sim_preemptions"] = int(res.summary["preemptions"])
            r["sim_requests"] = n
            if sla is not None:
                viol = sla.violations(r["sim_ttft_ms"], r["sim_tpot_ms"])
                r["sim_meets_sla"] = not viol
                r["sim_reason"] = "; ".join(t for _, t in viol) or None
        except (ValueError, KeyError) as exc:
            r["sim_error"] = str(exc)
        out.append(r)
    return out
