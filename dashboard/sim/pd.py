"""Prefill/decode disaggregation in the simulator: a prefill pool, the KV link, a decode pool.

Three stages, each priced by the shared cost model:

1. **Prefill pool** (``x`` engines of ``cm_prefill``): the workload with one output token per
   request (the prefill instance samples the first token and stops, as in vLLM's disaggregated
   serving); a request's prefill ends when its last prompt chunk completes.
2. **KV link**: each prefill engine sends the prompt's KV (every GPU its shard, in parallel, over its
   own link; :func:`~dashboard.features.kv_transfer.kv_transfer_s`) one transfer at a time, first
   come first served: a transfer starts when its prefill ends or the engine's link is free, whichever
   is later (contention when transfers overlap), and lasts ``T_kv``.
3. **Decode pool** (``y`` engines of ``cm_decode``): the request arrives when its KV has landed,
   with ``prompt − 1`` tokens already in the cache (``simulate(..., precomputed=...)``), so the decode
   engine runs one step for it that emits the first token the client sees, then its ``O − 1``
   decodes.

Per request: ``TTFT = decode engine's first token − arrival`` (prefill queue + prefill + link wait +
transfer + the decode engine's admission wait and first step), TPOT and ITL from the decode pool,
``E2E = finish − arrival``. The prefill and decode engines use one :class:`SchedulerConfig` each; the
per-request serving overhead is charged once (on the prefill side, where the request enters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dashboard.features.cost_model import CostModel
from dashboard.features.kv_transfer import LINK_NAMES, kv_transfer_s
from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.sim.workload import Workload, WorkloadConfig, make_workload

__all__ = ["PDPools", "PDResult", "simulate_pd"]


@dataclass
class PDResult:
    """Per-request arrays (``arrival_s, prefill_done_s, kv_start_s, kv_done_s, first_token_s,
    finish_s, ttft_s, tpot_s, e2e_s, kv_wait_s``), the two pools' results and a summary."""

    requests: dict[str, np.ndarray]
    prefill: Any
    decode: Any
    summary: dict[str, Any]


def _pct(v: np.ndarray) -> dict[str, float]:
    v = v[~np.isnan(v)] * 1e3
    if not v.size:
        return {"mean": math.nan, "p50": math.nan, "p90": math.nan, "p99": math.nan}
    return {
        "mean": float(v.mean()),
        "p50": float(np.percentile(v, 50)),
        "p90": float(np.percentile(v, 90)),
        "p99": float(np.percentile(v, 99)),
    }


# declared once (dashboard/features/params.py): ``modeling simulate --disaggregated`` flags
@dataclass(frozen=True)
class PDPools:
    """``prefill_engines`` engines send each prompt's KV over ``link`` to ``decode_engines`` engines."""

    prefill_engines: int = like(ParallelConfig, "dp", label="Prefill engines", help="with --disaggregated")
    decode_engines: int = like(ParallelConfig, "dp", label="Decode engines", help="with --disaggregated")
    link: str = param("ib", choices=LINK_NAMES, label="KV link", help="prefill → decode KV transfer")

    def __post_init__(self) -> None:
        validate_params(self)


def simulate_pd(
    cm_prefill: CostModel,
    cm_decode: CostModel,
    workload: Workload | WorkloadConfig,
    *,
    x: int = 1,
    y: int = 1,
    sched_prefill: Any = None,
    sched_decode: Any = None,
    link: str = "ib",
    router: str = "round_robin",
) -> PDResult:
    """Simulate ``x`` prefill engines and ``y`` decode engines serving ``workload`` (module docstring)."""
    from dashboard.sim_scheduler import SchedulerConfig, simulate

    if isinstance(workload, WorkloadConfig):
        workload = make_workload(workload)
    if workload.concurrency:
        raise ValueError("the disaggregated simulation takes open-loop arrivals (a request rate or a trace)")
    PDPools(prefill_engines=x, decode_engines=y, link=link)  # ValueError naming the field
    sp = sched_prefill or SchedulerConfig()
    sd = replace(sched_decode or SchedulerConfig(), per_request_s=0.0)  # the frontend cost is paid once, at prefill
    n = workload.num_requests
    pre_wl = Workload(workload.arrival_s, workload.prompt, (1,) * n)
    pre = simulate(cm_prefill, pre_wl, sp, dp=x, router=router, record_steps=False)
    done = np.asarray(pre.requests["first_token_s"])
    eng = np.asarray(pre.requests["engine"]) // max(1, cm_prefill.par.attention_dp)
    kv_t = np.array(
        [
            kv_transfer_s(cm_prefill.model, cm_prefill.hw, cm_prefill.par, cm_prefill.dt.kv, p, link)[0]
            for p in workload.prompt
        ]
    )
    start = np.empty(n)
    free = [0.0] * x
    for i in np.argsort(done, kind="stable"):  # each prefill engine's link serves transfers in order
        e = int(eng[i])
        start[i] = max(done[i], free[e])
        free[e] = start[i] + kv_t[i]
    landed = start + kv_t
    order = np.argsort(landed, kind="stable")
    dec_wl = Workload(
        tuple(landed[order].tolist()),
        tuple(workload.prompt[i] for i in order),
        tuple(workload.output[i] for i in order),
    )
    dec = simulate(
        cm_decode,
        dec_wl,
        sd,
        dp=y,
        router=router,
        record_steps=False,
        precomputed=[workload.prompt[i] - 1 for i in order],
    )
    first = np.empty(n)
    finish = np.empty(n)
    tpot = np.empty(n)
    first[order] = dec.requests["first_token_s"]
    finish[order] = dec.requests["finish_s"]
    tpot[order] = dec.requests["tpot_s"]
    arr = np.asarray(workload.arrival_s)
    req = {
        "arrival_s": arr,
        "prefill_done_s": done,
        "kv_start_s": start,
        "kv_done_s": landed,
        "kv_wait_s": start - done,
        "first_token_s": first,
        "finish_s": finish,
        "ttft_s": first - arr,
        "tpot_s": tpot,
        "e2e_s": finish - arr,
    }
    dur = float(np.nanmax(finish) - arr.min()) if n else 0.0
    gpus = x * cm_prefill.par.engine_gpus + y * cm_decode.par.engine_gpus
    out_tok = float(sum(workload.output))
    summary = {
        "completed": int(np.sum(~np.isnan(finish))),
        "num_requests": n,
        "duration_s": dur,
        "x": x,
        "y": y,
        "gpus": gpus,
        "link": link,
        "ttft_ms": _pct(req["ttft_s"]),
        "tpot_ms": _pct(req["tpot_s"]),
        "e2e_ms": _pct(req["e2e_s"]),
        "kv_transfer_ms": _pct(kv_t),
        "kv_wait_ms": _pct(req["kv_wait_s"]),
        "decode_first_step_ms": _pct(first - landed),
        "itl_ms": dec.summary.get("itl_ms"),
        "output_throughput_tok_s": out_tok / dur if dur > 0 else math.nan,
        "output_throughput_tok_s_per_gpu": out_tok / dur / gpus if dur > 0 else math.nan,
        "prefill_preemptions": pre.summary["preemptions"],
        "decode_preemptions": dec.summary["preemptions"],
    }
    return PDResult(requests=req, prefill=pre, decode=dec, summary=summary)
