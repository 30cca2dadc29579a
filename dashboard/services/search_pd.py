"""Prefill/decode (PD) disaggregated serving: x prefill engines at TP_p, y decode engines at TP_d.

Both pools share one GPU budget: ``x·g_p + y·g_d ≤ N`` (``g = max(tp, ep)``). Every step time is
:meth:`CostModel.step_time_s`; memory is :func:`memory_breakdown`; KV bytes are
:func:`kv_bytes_per_sequence` (MLA latent included).

Prefill engine (layout ``p``, chunk budget ``B``), prefill-only steps:

* ``I > B``: a prompt runs in ``n_c = ceil(I/B)`` chunk steps ``t_i`` (chunk ``i`` after ``i·B``
  cached tokens); service ``S_p = Σ t_i``, rate ``μ_p = 1 / S_p`` requests/s.
* ``I ≤ B``: ``k = floor(B/I)`` prompts per step; ``μ_p = k / t(k prompts)``. A prompt's service
  time is the step it rides in, with ``k_eff = clamp(round(ρ_p·k), 1, k)`` prompts at utilisation ρ_p.

Decode engine (layout ``d``, ``C_d`` sequences): one step of ``C_d`` decodes at contexts spread over
``[I, I+O)`` gives ``TPOT = t_d``; rate ``μ_d = C_d / ((O − 1)·TPOT)`` requests/s.

Rate matching: the system serves ``R = min(x·μ_p, y·μ_d)`` requests/s.

* Decode-bound (``y·μ_d < x·μ_p``): prefill utilisation ``ρ_p = R / (x·μ_p) < 1``; the prefill
  queue wait is M/D/1, ``W = ρ_p / (2(1 − ρ_p)) · S_p``.
* Prefill-bound: the decode pool is under-filled, ``C_eff = R·(O−1)·TPOT / y`` sequences per decode
  engine (TPOT re-priced once at ``ceil(C_eff)``); the ``y·(C_d − C_eff)`` clients that are not
  decoding wait for prefill: ``W = y·(C_d − C_eff) / R`` (Little's law).

``TTFT = S_p + W + T_kv + W_kv + 1.5·TPOT``: after its KV arrives the request joins the decode
engine's running batch at the next step boundary (on average half a step away) and its first token
is emitted by that step (one more step, the decode step of ``C_d`` sequences), as the decode
instance streams every token in vLLM's disaggregated serving. The KV of a prompt moves from the
prefill to the decode engine over the chosen link: ``T_kv = kv_bytes_per_sequence(p, I) / (link GB/s · η_comm) + comm latency`` — every
GPU of the prefill engine sends its own shard in parallel over its own link (one NIC per GPU for
InfiniBand/RoCE; NVLink inside a node; PCIe for host-staged copies); link bandwidths and η_comm are
hardware-profile data. **Link contention**: transfers that overlap share the link. Each prefill
engine sends ``R/x`` transfers/s of ``T_kv`` each (utilisation ``ρ_s = R·T_kv/x``); each decode
engine receives ``R/y`` of them over its ``g_d`` GPUs' links (``ρ_r = R·T_kv·g_p/(y·g_d)``). With
``ρ = max(ρ_s, ρ_r)`` the link is a queue (M/D/1): ``W_kv = ρ/(2(1 − ρ))·T_kv``; the link also caps
the rate at ``R ≤ min(x, y·g_d/g_p)/T_kv`` (``bound = "link"``, where the queue is closed-loop like
the prefill-bound case). Output tokens/s per GPU = ``R·O / (x·g_p + y·g_d)``.

Rate-matching slack = ``|x·μ_p − y·μ_d| / max(x·μ_p, y·μ_d)`` (0 = perfectly matched pools).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import GIB, HardwareProfile
from dashboard.features.kv_transfer import LINKS, kv_transfer_s, link_gb_s
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import tokens_per_s_per_user
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, GpuBudget, ParallelConfig
from dashboard.services.search import (
    SLA,
    Economics,
    SearchResult,
    SearchSpace,
    Workload,
    enumerate_layouts,
    pareto_rows,
    search_aggregated,
    search_inputs,
)
from dashboard.services.search_pareto import economics
from dashboard.services.search_steady import _decode_contexts

__all__ = ["LINKS", "DecodeEngine", "PrefillEngine", "combine", "kv_transfer_s", "link_gb_s", "search_disaggregated"]


@dataclass(frozen=True)
class PrefillEngine:
    tp: int
    ep: int
    budget: int
    gpus: int
    rate_rps: float  # μ_p, requests/s at full load
    service_s: float  # S_p at full load
    prompts_per_step: int  # k (1 when the prompt is chunked)
    kv_transfer_s: float
    kv_bytes_per_gpu: float
    oom: str | None = None


@dataclass(frozen=True)
class DecodeEngine:
    tp: int
    ep: int
    concurrency: int
    gpus: int
    tpot_s: float
    rate_rps: float  # μ_d
    oom: str | None = None


def _step(cm: CostModel, memo: dict, chunks: tuple[tuple[int, int], ...], d: int, i_len: int, o_len: int) -> float:
    key = (chunks, d)
    hit = memo.get(key)
    if hit is None:
        hit = cm.step_time_s(cm.stats_for_batch(list(chunks), _decode_contexts(d, i_len, o_len)))
        memo[key] = hit
    return hit


def instance_counts(n: int, dense_up_to: int = 16) -> list[int]:
    """Pool sizes tried for up to ``n`` instances: every count up to ``dense_up_to``, then powers of
    two and ``n`` itself, so a 512-GPU search stays bounded (≈ 22 sizes per pool instead of 512)."""
    if n <= 2 * dense_up_to:
        return list(range(1, n + 1))
    out = set(range(1, dense_up_to + 1))
    p = dense_up_to
    while p <= n:
        out.add(p)
        p *= 2
    out.add(n)
    return sorted(out)


def _prefill_engine(
    cm: CostModel,
    model: ModelProfile,
    hw: HardwareProfile,
    par: ParallelConfig,
    dtypes: Dtypes,
    wl: Workload,
    budget: int,
    link: str,
    reserved: float,
    memo: dict,
) -> PrefillEngine:
    i_len = wl.input_len
    n_c = -(-i_len // budget)
    k = max(1, budget // i_len) if n_c == 1 else 1
    mem = memory_breakdown(
        model,
        hw,
        par,
        dtypes,
        context=i_len,
        reserved_fraction=reserved,
        max_batched_tokens=min(budget, k * i_len),
        max_seqs=k,
    )
    t_kv, kv_b = kv_transfer_s(model, hw, par, dtypes.kv, i_len, link)
    g = par.engine_gpus
    if not mem.fits or mem.max_sequences * par.attention_dp < k:
        return PrefillEngine(
            par.tp,
            par.ep,
            budget,
            g,
            0.0,
            0.0,
            k,
            t_kv,
            kv_b,
            oom=f"OOM (prefill): {mem.weight_bytes / GIB:.1f} GiB weights/GPU, "
            f"{mem.max_sequences * par.attention_dp} prompts of {i_len} fit",
        )
    if n_c == 1:
        s = _step(cm, memo, ((i_len, 0),) * k, 0, i_len, 1)
        rate = k / s
    else:
        s = sum(_step(cm, memo, ((min(budget, i_len - i * budget), i * budget),), 0, i_len, 1) for i in range(n_c))
        rate = 1.0 / s
    return PrefillEngine(par.tp, par.ep, budget, g, rate, s, k, t_kv, kv_b)


def _decode_engine(
    cm: CostModel,
    model: ModelProfile,
    hw: HardwareProfile,
    par: ParallelConfig,
    dtypes: Dtypes,
    wl: Workload,
    conc: int,
    reserved: float,
    memo: dict,
) -> DecodeEngine:
    ctx = wl.input_len + wl.output_len
    mem = memory_breakdown(
        model, hw, par, dtypes, context=ctx, reserved_fraction=reserved, max_batched_tokens=conc, max_seqs=conc
    )
    cap = mem.max_sequences * par.attention_dp
    g = par.engine_gpus
    if not mem.fits or cap < conc:
        return DecodeEngine(
            par.tp,
            par.ep,
            conc,
            g,
            0.0,
            0.0,
            oom=f"OOM (decode): KV cache holds {cap} sequences of {ctx} tokens < {conc}",
        )
    t = _step(cm, memo, (), conc, wl.input_len, wl.output_len)
    return DecodeEngine(par.tp, par.ep, conc, g, t, conc / ((wl.output_len - 1) * t))


def combine(pe: PrefillEngine, de: DecodeEngine, x: int, y: int, wl: Workload, tpot_at: Any = None) -> dict[str, Any]:
    """Rate-match ``x`` prefill engines with ``y`` decode engines (module docstring); ``tpot_at(c)``
    re-prices TPOT at ``c`` sequences per decode engine when prefill-bound (default: keep TPOT)."""
    o1 = wl.output_len - 1
    cap_p, cap_d = x * pe.rate_rps, y * de.rate_rps
    t_kv = pe.kv_transfer_s
    recv = pe.gpus / de.gpus  # bytes per receiving GPU relative to a sending GPU
    cap_link = min(x, y / recv) / t_kv if t_kv > 0 else math.inf
    rate = min(cap_p, cap_d, cap_link)
    tpot = de.tpot_s
    if cap_link < min(cap_p, cap_d):
        bound = "link"
        rho_p = rate / cap_p
        service = pe.service_s
        c_eff = min(float(de.concurrency), rate * o1 * tpot / y)
        wait = max(0.0, y * (de.concurrency - c_eff) / rate)  # clients queued for the link (closed loop)
    elif cap_d < cap_p:
        bound = "decode"
        rho_p = rate / cap_p
        k_eff = min(pe.prompts_per_step, max(1, round(rho_p * pe.prompts_per_step)))
        service = pe.service_s if k_eff == pe.prompts_per_step or tpot_at is None else tpot_at(("prefill", k_eff))
        wait = rho_p / (2.0 * (1.0 - rho_p)) * service
        c_eff = float(de.concurrency)
    else:
        bound = "prefill"
        rho_p = 1.0
        service = pe.service_s
        c_eff = rate * o1 * tpot / y
        if tpot_at is not None and c_eff < de.concurrency:
            tpot = tpot_at(("decode", max(1, math.ceil(c_eff))))
            c_eff = min(float(de.concurrency), rate * o1 * tpot / y)
        wait = max(0.0, y * (de.concurrency - c_eff) / rate)
    rho_link = rate * t_kv * max(1.0 / x, recv / y)
    kv_wait = rho_link / (2.0 * (1.0 - rho_link)) * t_kv if rho_link < 1.0 - 1e-9 else 0.0
    first_step = 1.5 * tpot  # join the decode batch at the next step boundary, then one step
    ttft = service + wait + t_kv + kv_wait + first_step
    gpus = x * pe.gpus + y * de.gpus
    out_tok_s = rate * wl.output_len
    return {
        "x": x,
        "tp_p": pe.tp,
        "ep_p": pe.ep,
        "y": y,
        "tp_d": de.tp,
        "ep_d": de.ep,
        "budget": pe.budget,
        "decode_concurrency": de.concurrency,
        "gpus": gpus,
        "concurrency": y * de.concurrency,
        "bound": bound,
        "prefill_util": rate / cap_p if cap_p else 0.0,
        "decode_util": rate / cap_d if cap_d else 0.0,
        "rate_slack": abs(cap_p - cap_d) / max(cap_p, cap_d),
        "prefill_capacity_rps": cap_p,
        "decode_capacity_rps": cap_d,
        "requests_per_s": rate,
        "ttft_ms": ttft * 1e3,
        "prefill_ms": service * 1e3,
        "queue_ms": wait * 1e3,
        "kv_transfer_ms": t_kv * 1e3,
        "kv_share_of_ttft": (t_kv + kv_wait) / ttft if ttft > 0 else 0.0,
        "kv_link_util": rho_link,
        "kv_queue_ms": kv_wait * 1e3,
        "decode_first_step_ms": first_step * 1e3,
        "kv_mb_per_gpu": pe.kv_bytes_per_gpu / 1e6,
        "tpot_ms": tpot * 1e3,
        "tps_per_user": tokens_per_s_per_user(tpot),
        "e2e_ms": (ttft + o1 * tpot) * 1e3,
        "output_tok_s": out_tok_s,
        "output_tok_s_per_gpu": out_tok_s / gpus,
        "input_tok_s_per_gpu": rate * wl.input_len / gpus,
        # GPU time split by pool: prefill GPUs serve input tokens, decode GPUs output tokens
        "decode_time_share": (y * de.gpus) / gpus,
        # aggregated-compatible names (best.tp/dp are the decode pool's)
        "tp": de.tp,
        "ep": de.ep,
        "dp": y,
    }


def search_disaggregated(
    model: ModelProfile,
    hw: HardwareProfile,
    gpus: int,
    workload: Workload,
    sla: SLA | None = None,
    dtypes: Dtypes | None = None,
    space: SearchSpace | None = None,
    econ: Economics | None = None,
    link: str = "ib",
    compare_aggregated: bool = True,
    max_instances: int | None = None,
) -> SearchResult:
    """Every (x, TP_p, y, TP_d, budget, decode concurrency) on at most ``gpus`` GPUs.

    ``best`` maximises output tokens/s per GPU among SLA-feasible combinations; ``extra`` holds the
    best aggregated configuration on the same GPUs (``aggregated_best``) when ``compare_aggregated``.
    """
    t0 = time.perf_counter()
    GpuBudget(gpus=gpus)  # ValueError naming gpus
    if gpus < 2:
        raise ValueError("disaggregated serving needs at least 2 GPUs (one prefill and one decode engine)")
    if workload.output_len < 2:
        raise ValueError("disaggregated serving needs output_len ≥ 2 (a decode phase)")
    link_gb_s(hw, link)
    sla = sla or SLA()
    dtypes = dtypes or Dtypes()
    space = space or SearchSpace()
    econ = econ or Economics()
    layouts, bad = enumerate_layouts(model, gpus - 1, space)
    feasible: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = [
        {
            "tp_p": tp,
            "ep_p": ep,
            "tp_d": tp,
            "ep_d": ep,
            "x": None,
            "y": None,
            "reason_code": "layout",
            "reason": f"layout: {why}",
            "reasons": ["layout"],
        }
        for tp, ep, why in bad
    ]
    cms: dict[tuple[int, int], tuple[CostModel, dict]] = {}
    pre: list[PrefillEngine] = []
    dec: list[DecodeEngine] = []
    for tp, ep in layouts:
        par = ParallelConfig(tp=tp, ep=ep)
        cm = CostModel(model, hw, par, dtypes, space.overlap)
        memo: dict = {}
        cms[(tp, ep)] = (cm, memo)
        for b in sorted(set(space.budgets)):
            pre.append(_prefill_engine(cm, model, hw, par, dtypes, workload, b, link, space.reserved_fraction, memo))
        for c in sorted(set(space.concurrency)):
            dec.append(_decode_engine(cm, model, hw, par, dtypes, workload, c, space.reserved_fraction, memo))

    def reject(row: dict[str, Any], code: str, text: str, codes: Sequence[str]) -> None:
        row.update({"reason_code": code, "reason": text, "reasons": list(codes)})
        rejected.append(row)

    combos = 0
    dense = 16 if gpus <= 64 else 4  # pool sizes tried densely; beyond, powers of two (bounded work)
    i_len, o_len = workload.input_len, workload.output_len
    for pe in pre:
        cm_p, memo_p = cms[(pe.tp, pe.ep)]
        for de in dec:
            cm_d, memo_d = cms[(de.tp, de.ep)]

            # one re-pricing function per engine pair (not per combination); _step memoises
            def tpot_at(what: tuple[str, int], cm_d=cm_d, memo_d=memo_d, cm_p=cm_p, memo_p=memo_p) -> float:
                kind, n = what
                if kind == "decode":
                    return _step(cm_d, memo_d, (), n, i_len, o_len)
                return _step(cm_p, memo_p, ((i_len, 0),) * n, 0, i_len, 1)

            oom = pe.oom or de.oom
            xs = instance_counts((gpus - de.gpus) // pe.gpus, dense)
            for x in xs:
                if max_instances and x > max_instances:
                    break
                y_top = (gpus - x * pe.gpus) // de.gpus
                for y in instance_counts(y_top, dense):
                    if max_instances and y > max_instances:
                        break
                    combos += 1
                    if oom:
                        reject(
                            {
                                "x": x,
                                "tp_p": pe.tp,
                                "ep_p": pe.ep,
                                "y": y,
                                "tp_d": de.tp,
                                "ep_d": de.ep,
                                "budget": pe.budget,
                                "decode_concurrency": de.concurrency,
                                "gpus": x * pe.gpus + y * de.gpus,
                                "concurrency": y * de.concurrency,
                            },
                            "oom",
                            oom,
                            ["oom"],
                        )
                        continue
                    row = combine(pe, de, x, y, workload, tpot_at)
                    row.update(
                        economics(
                            row["output_tok_s_per_gpu"],
                            row["input_tok_s_per_gpu"],
                            row["decode_time_share"],
                            econ.usd_per_gpu_hour,
                            hw.tdp_w,
                        )
                    )
                    viol = sla.violations(row["ttft_ms"], row["tpot_ms"])
                    if viol:
                        reject(row, viol[0][0], "; ".join(t for _, t in viol), [c for c, _ in viol])
                    else:
                        row.update(reason_code=None, reason=None, reasons=[])
                        feasible.append(row)
    best = (
        max(feasible, key=lambda r: (r["output_tok_s_per_gpu"], r["output_tok_s"], -r["ttft_ms"])) if feasible else None
    )
    priced = [r for r in feasible + rejected if "output_tok_s_per_gpu" in r]
    front = [{**r, "feasible": r["reason_code"] is None} for r in pareto_rows(priced)]
    extra: dict[str, Any] = {"link": link, "link_gb_s": link_gb_s(hw, link), "combinations": combos}
    if compare_aggregated:
        agg = search_aggregated(model, hw, gpus, workload, sla, dtypes, space, econ)
        extra["aggregated_best"] = agg.best
        extra["aggregated_pareto"] = agg.pareto
        if best and agg.best:
            extra["speedup_vs_aggregated"] = best["output_tok_s_per_gpu"] / agg.best["output_tok_s_per_gpu"]
    inputs = search_inputs(model, hw, gpus, workload, sla, dtypes, space, econ, link=link, disaggregated=True)
    return SearchResult(
        feasible=feasible,
        rejected=rejected,
        best=best,
        pareto=front,
        inputs=inputs,
        elapsed_s=time.perf_counter() - t0,
        engines_priced=len(pre) + len(dec),
        extra=extra,
    )
