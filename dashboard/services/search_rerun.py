"""Re-run the best search configurations in the scheduler simulator: the figures a user reads.

The analytic steady state (:mod:`dashboard.services.search_steady`) is the fast shortlist; it is
deterministic and optimistic about TTFT (no arrival bursts, no queueing behind other prompts' chunks).
Here the ``n`` best feasible configurations are replayed in :func:`dashboard.sim_scheduler.simulate`
under a serving engine's rules (:mod:`dashboard.features.engine`): ``max_num_seqs`` = the row's
concurrency per engine, ``max_num_batched_tokens`` = the row's ``budget`` (decodes included, vLLM's
meaning), the engine's KV rule, admission, async scheduling and overheads.

Arrival process of a re-run: ``concurrency`` (closed loop, that many clients over all DP engines) or
``request_rate`` (Poisson, requests/s over the deployment); by default Poisson at the rate the row
sustains in the analytic model. Prompt and output lengths are jittered uniformly by ``±jitter`` around
the workload's (0 = fixed lengths); the first ``min(n/10, concurrency)`` requests (warm-up) are left
out of the percentiles. Each row gains ``ttft_ms_p50/p90/p99``, ``tpot_ms_p50/p90/p99``,
``itl_ms_p50/p90/p99`` (simulated) beside the analytic ``ttft_ms``/``tpot_ms``, the scheduler
settings (``engine``, ``max_num_seqs``, ``max_num_batched_tokens``), simulated throughput, and the SLA
verdict on the chosen percentile (``sim_meets_sla``, ``sim_reason``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import HardwareProfile
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.params import param, validate_params

__all__ = ["DEFAULT_RERUN", "RerunSettings", "pick_best", "rerun_rows", "simulated_points"]

DEFAULT_RERUN = 5


# declared once (dashboard/features/params.py): the search page and ``modeling search`` flags
@dataclass(frozen=True)
class RerunSettings:
    """How many of the best feasible configurations the simulator re-runs (``rerun``; each re-run is
    a full simulation, hence the small bound) and with how many requests (``rerun_requests``;
    ``None``: ``10 × concurrency`` clipped to 200–2,000)."""

    rerun: int = param(
        DEFAULT_RERUN,
        lo=0,
        hi=32,
        unit="configurations",
        label="Simulator re-runs",
        help="re-run the N best feasible configurations in the simulator (0: analytic only)",
    )
    percentile: float = param(
        90.0,
        lo=0.0,
        hi=100.0,
        open_lo=True,
        open_hi=True,
        unit="%",
        label="Re-run percentile",
        help="the SLA is checked on this simulated percentile",
    )
    rerun_requests: int | None = param(
        None, lo=1, hi=100_000, unit="requests", label="Requests per re-run", help="default 10 × concurrency, 200-2000"
    )

    def __post_init__(self) -> None:
        validate_params(self)


_PCTS = (50.0, 90.0, 99.0)


def _pkey(p: float) -> str:
    return f"p{p:g}".replace(".", "_")


def rerun_rows(
    model: ModelProfile,
    hw: HardwareProfile,
    rows: Sequence[dict[str, Any]],
    input_len: int,
    output_len: int,
    dtypes: Dtypes | None = None,
    *,
    engine: Any = "vllm",
    memory_fraction: float | None = None,
    request_rate: float | None = None,
    concurrency: int | None = None,
    percentile: float = 90.0,
    sla: Any = None,
    num_requests: int | None = None,
    jitter: float = 0.1,
    seed: int = 0,
    overlap: float = 0.0,
    progress: Callable[[int, int], Any] | None = None,
    speculative: Any = None,
) -> list[dict[str, Any]]:
    """Each row re-run in the simulator (see the module docstring); a row that cannot run gets
    ``sim_error`` instead. ``sla`` is a :class:`~dashboard.services.search.SLA`. ``speculative``
    (a SpeculativeConfig): rows with ``num_speculative_tokens > 0`` run speculative decoding with
    that many draft tokens."""
    from dashboard.features.engine import load_engine
    from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, simulate

    RerunSettings(percentile=percentile, rerun_requests=num_requests)  # ValueError naming the field
    if request_rate is not None and concurrency is not None:
        raise ValueError("give a request rate or a concurrency for the re-run, not both")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter must be in [0, 1]")
    eng = load_engine(engine)
    dtypes = dtypes or Dtypes()
    pcts = tuple(sorted({*_PCTS, float(percentile)}))
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        r = dict(row)
        try:
            tp, ep, dp = int(row["tp"]), int(row["ep"]), int(row["dp"])
            cpe, budget = int(row["concurrency_per_engine"]), int(row["budget"])
            conc_total = concurrency if concurrency is not None else None
            rate = request_rate
            if conc_total is None and rate is None:
                rate = row.get("requests_per_s")
                if not rate or not math.isfinite(rate):
                    conc_total = cpe * dp
            load = conc_total if conc_total is not None else cpe * dp
            n = num_requests or min(2000, max(200, 10 * load))
            seqs = min(cpe, budget)
            cm = CostModel(model, hw, ParallelConfig(tp=tp, ep=ep), dtypes, overlap)
            sched = SchedulerConfig.from_engine(
                eng, hw, tp, max_num_seqs=seqs, max_num_batched_tokens=budget, memory_fraction=memory_fraction
            )
            dist = "uniform" if jitter > 0 else "fixed"
            wl = WorkloadConfig(
                num_requests=n,
                input_len=input_len,
                output_len=output_len,
                input_dist=dist,
                output_dist=dist,
                input_spread=jitter,
                output_spread=jitter,
                request_rate=None if conc_total is not None else rate,
                concurrency=conc_total,
                seed=seed,
            )
            spec = None
            n_spec = int(row.get("num_speculative_tokens") or 0)
            if speculative is not None and n_spec > 0:
                from dashboard.services.search_spec import config_for_k

                spec = config_for_k(speculative, n_spec)
            res = simulate(
                cm, wl, sched, dp=dp, router=eng.dp_router, record_steps=False, speculative=spec, spec_seed=seed
            )
            req = res.requests
            skip = min(n // 10, load)
            ttft = np.asarray(req["ttft_s"])[skip:] * 1e3
            tpot = np.asarray(req["tpot_s"])[skip:] * 1e3
            tpot = tpot[~np.isnan(tpot)]
            itl_v, itl_w = res.itl_values_s, res.itl_weights
            from dashboard.sim.metrics import weighted_percentiles

            itl = weighted_percentiles(itl_v, itl_w, pcts) if itl_w.size and itl_w.sum() > 0 else [math.nan] * len(pcts)
            for j, p in enumerate(pcts):
                k = _pkey(p)
                r[f"ttft_ms_{k}"] = float(np.percentile(ttft, p)) if ttft.size else math.nan
                r[f"tpot_ms_{k}"] = float(np.percentile(tpot, p)) if tpot.size else math.nan
                r[f"itl_ms_{k}"] = float(itl[j]) * 1e3
            s = res.summary
            r.update(
                {
                    "engine": eng.name,
                    "max_num_seqs": seqs,
                    "max_num_batched_tokens": budget,
                    "arrival": "closed_loop" if conc_total is not None else "poisson",
                    "sim_request_rate": rate if conc_total is None else None,
                    "sim_concurrency": conc_total,
                    "sim_requests": n,
                    "sim_output_tok_s_per_gpu": float(s["output_throughput_tok_s_per_gpu"]),
                    "sim_request_throughput": float(s["request_throughput_req_s"]),
                    "sim_preemptions": int(s["preemptions"]),
                    "sim_num_kv_blocks": int(res.num_kv_blocks),
                    "percentile": float(percentile),
                }
            )
            if sla is not None:
                k = _pkey(float(percentile))
                viol = sla.violations(r[f"ttft_ms_{k}"], r[f"tpot_ms_{k}"])
                r["sim_meets_sla"] = not viol
                r["sim_reason"] = "; ".join(t for _, t in viol) or None
        except (ValueError, KeyError) as exc:
            r["sim_error"] = str(exc)
        out.append(r)
        if progress is not None:
            progress(i + 1, len(rows))
    return out


def pick_best(rerun: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The re-run row with the most simulated output tokens/s per GPU among those that meet the
    SLA in simulation (rows without an SLA verdict count as meeting it); None if none does."""
    ok = [r for r in rerun if "sim_error" not in r and r.get("sim_meets_sla", True)]
    return max(ok, key=lambda r: (r["sim_output_tok_s_per_gpu"], -r["ttft_ms_p90"])) if ok else None


def simulated_points(rerun: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Re-run rows as chart points in simulated figures: ``tps_per_user = 1000 / tpot_ms_p50``,
    ``output_tok_s_per_gpu`` = the simulated throughput per GPU, ``ttft_ms``/``tpot_ms`` = the
    simulated p90 (the analytic figures are kept under ``analytic_*``)."""
    out = []
    for r in rerun:
        if "sim_error" in r or not r.get("tpot_ms_p50"):
            continue
        out.append(
            {
                **r,
                "analytic_ttft_ms": r.get("ttft_ms"),
                "analytic_tpot_ms": r.get("tpot_ms"),
                "tps_per_user": 1000.0 / r["tpot_ms_p50"],
                "output_tok_s_per_gpu": r["sim_output_tok_s_per_gpu"],
                "ttft_ms": r["ttft_ms_p90"],
                "tpot_ms": r["tpot_ms_p90"],
            }
        )
    return out
