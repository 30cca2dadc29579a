"""Capacity planner: which GPU type, how many, which layout and at what cost serve a request rate
(or a number of concurrent users) within a latency SLA — with the commands that launch the answer.

Pipeline, per GPU type (every latency from the shared cost model, every verdict from the simulator):

1. **Formats**: the checkpoint's native per-module formats (:mod:`dashboard.features.checkpoint`),
   KV cache as asked (default bf16 = the engines' ``auto``).
2. **Layouts** of one engine (= one *replica*): TP ∈ {1, 2, 4, 8} inside one node; for MoE models also
   EP over the TP group and DP-attention ranks (``dp`` data-parallel ranks inside the engine with
   ``ep = tp · dp``, vLLM ``--data-parallel-size --enable-expert-parallel``); PP ∈ {1, 2, 4} stages
   across nodes for models whose weights do not fit one node (:mod:`dashboard.features.pipeline`).
   A layout must hold the weights, the workspace and at least one sequence of ``I + O`` tokens
   (:func:`~dashboard.features.memory.memory_breakdown`).
3. **Analytic shortlist**: for each layout and chunked-prefill budget the steady-state model of
   :mod:`dashboard.services.search_steady` gives, per client concurrency ``c`` (powers of two up to
   what the KV cache holds), the request rate one replica completes and its TTFT/TPOT. The replica's
   *capacity* is the highest rate whose steady TTFT and TPOT meet the SLA. The fewest replicas that
   carry the rate at that capacity is the analytic lower bound ``n₀ = ⌈R / capacity⌉``; candidates
   are ``n₀ … n₀ + 3`` replicas (queueing needs headroom), priced ``replicas × GPUs × $/GPU-hour``.
4. **Simulation**: candidates are simulated in increasing cost order (one replica at ``R / n``
   Poisson arrivals — the rate split evenly — ``simulate()`` of :mod:`dashboard.sim_scheduler` with
   the engine's scheduler limits); the first one whose TTFT, TPOT at the asked percentile meet the
   SLA with a 10 % margin (``SLA_MARGIN``: one finite sample estimates a p90 to ±10–20 %, and the
   cheapest candidate that passes is biased towards a lucky sample) is that GPU type's plan and has
   ``meets_sla: true``. Because the price of a candidate is known before it is simulated,
   the plan is the cheapest *simulated-feasible* candidate, and raising the GPU limit only adds
   candidates — it never makes the cheapest plan more expensive.

Economics (rate mode: the deployment serves ``R`` requests/s of ``I`` in / ``O`` out tokens):
``usd_per_hour = num_gpus × price``; ``usd_per_m_output_tokens = usd_per_hour / (3600 · R · O) · 10⁶``
charges the whole bill to output tokens (and ``usd_per_m_input_tokens`` the whole bill to input
tokens — the two are alternative views, not a split); ``tokens_per_joule`` = output tokens per
second ÷ (GPUs × TDP watts), GPUs at TDP. Concurrency mode uses the simulated throughput instead of
``R``. Percentiles are taken over the requests after the first 10 % (warm-up of an empty engine; in
concurrency mode after the first wave of ``concurrency`` requests, which all arrive at t = 0).

Disaggregated plans (``--disaggregated on|auto``): a prefill pool and a decode pool of the same GPU
type. The prefill pool is simulated on prompts alone (one output token: its TTFT is the prefill
latency with queueing); the decode pool is simulated with the prompt already in the cache (a prefix
hit of all but the last block: its TPOT is the decode latency under KV pressure); TTFT = prefill
TTFT percentile + KV transfer over the scale-out NIC (:func:`~dashboard.features.kv_transfer`) +
the decode pool's first-step percentile (a sum of percentiles: an upper bound).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.features.checkpoint import native_format
from dashboard.features.cost_model import CostModel
from dashboard.features.engine import load_engine
from dashboard.features.hardware import HardwareProfile, load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import cost_per_million_tokens, tokens_per_joule
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, GpuBudget, ParallelConfig, ParallelError, validate_parallel
from dashboard.features.params import like, param, validate_params
from dashboard.features.pipeline import make_cost_model
from dashboard.features.request import RequestShape
from dashboard.services.launch import LaunchSpec, launch_commands
from dashboard.services.search import SLA
from dashboard.services.search_steady import steady_state
from dashboard.sim.metrics import weighted_percentiles
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, kv_blocks_for, simulate

__all__ = [
    "DISAGG_MODES",
    "PLAN_KEYS",
    "EngineLayout",
    "PlanRequest",
    "PlanResult",
    "default_prices",
    "engine_layouts",
    "layout_label",
    "plan",
    "price_table",
    "resimulate",
    "scheduler_limits",
    "simulate_pd_plan",
    "simulate_plan",
]

PLAN_KEYS = (
    "hardware",
    "engine",
    "num_gpus",
    "replicas",
    "tp",
    "ep",
    "dp",
    "pp",
    "weight_dtype",
    "kv_dtype",
    "max_num_seqs",
    "max_num_batched_tokens",
    "mode",
    "prefill",
    "decode",
    "ttft_ms",
    "tpot_ms",
    "itl_ms",
    "output_tok_s_per_gpu",
    "usd_per_hour",
    "usd_per_m_input_tokens",
    "usd_per_m_output_tokens",
    "tokens_per_joule",
    "meets_sla",
    "launch",
)
DISAGG_MODES = ("auto", "on", "off")
_PRICES_FILE = Path(__file__).resolve().parent.parent / "data" / "prices.json"
_BUDGETS = (2048, 8192)
_CONCURRENCY = tuple(2**i for i in range(11))  # 1 … 1024
_EXTRA_REPLICAS = 3  # candidates n0 … n0 + 3 per layout
_MAX_SIMS_PER_HW = 6
_GPU_MEM_UTIL = 0.9
_WARMUP = 0.1
#: a plan is accepted when its simulated percentiles are within this share of the targets: one
#: finite Poisson sample estimates a p90 to ±10–20 % (more near saturation), and picking the
#: cheapest candidate that passes favours lucky samples
SLA_MARGIN = 0.9


def price_table() -> dict[str, dict[str, Any]]:
    """The shipped price table: ``{slug: {"usd_per_gpu_hour", "date", "source"}}``."""
    return json.loads(_PRICES_FILE.read_text())["prices"]


def default_prices() -> dict[str, float]:
    """``{hardware slug: US$ per GPU-hour}`` from the shipped table."""
    return {k: float(v["usd_per_gpu_hour"]) for k, v in price_table().items()}


def _num(name: str, v: Any, lo: float = 0.0, integer: bool = False, hi: float = 1e9) -> None:
    bad = isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo < v <= hi
    if integer and not isinstance(v, int):
        bad = True
    if bad:
        raise ValueError(f"{name} must be a {'whole' if integer else 'positive'} number in ({lo:g}, {hi:g}], got {v!r}")


@dataclass(frozen=True)
class PlanRequest:
    """What the planner is asked (the ``modeling plan`` flags). Exactly one of ``request_rate``
    (requests/s) and ``concurrency`` (concurrent clients, closed loop) is given."""

    # declared once (dashboard/features/params.py): the plan page, the ``modeling plan`` flags and
    # the JSON derive from these
    hardware: tuple[str, ...] = param(
        ("h100-sxm", "h200", "b200"), label="GPU types", help="hardware presets or profiles to compare"
    )
    engine: str = param("vllm", choices=("vllm", "sglang", "trtllm"), label="Serving engine")
    input_len: int = like(RequestShape, "input_len")
    output_len: int = like(RequestShape, "output_len")
    request_rate: float | None = like(WorkloadConfig, "request_rate", help="Poisson arrivals")
    concurrency: int | None = like(WorkloadConfig, "concurrency")
    ttft_ms: float | None = like(SLA, "ttft_ms")
    tpot_ms: float | None = like(SLA, "tpot_ms")
    percentile: float = like(SLA, "ttft_percentile", 90.0, label="SLA percentile", help="TTFT and TPOT")
    max_gpus: int = like(GpuBudget, "max_gpus")
    disaggregated: str = param(
        "auto", choices=DISAGG_MODES, label="Disaggregated prefill/decode", help="auto: try both"
    )
    kv_dtype: str = like(Dtypes, "kv", choices=("bf16", "fp16", "fp8"))
    speculative: Any = None  # a features.speculative.SpeculativeConfig (issue 13), or None

    def __post_init__(self) -> None:
        validate_params(self)
        if (self.request_rate is None) == (self.concurrency is None):
            raise ValueError("give exactly one of request_rate and concurrency")

    def sla_met(self, ttft_ms: float, tpot_ms: float, margin: float = 1.0) -> bool:
        """Both targets met, each scaled by ``margin`` (the planner's verdict uses ``SLA_MARGIN``)."""
        return (self.ttft_ms is None or ttft_ms <= self.ttft_ms * margin) and (
            self.tpot_ms is None or tpot_ms <= self.tpot_ms * margin
        )


@dataclass
class PlanResult:
    """``plans`` (dicts with :data:`PLAN_KEYS`, SLA-meeting first, cheapest output token first) and
    ``rejected`` (``{"hardware", "reason"}``); ``elapsed_s`` and ``simulations`` are diagnostics."""

    plans: list[dict[str, Any]]
    rejected: list[dict[str, str]]
    elapsed_s: float = 0.0
    simulations: int = 0
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The ``modeling plan --json`` document: exactly ``plans`` and ``rejected``."""
        return {"plans": self.plans, "rejected": self.rejected}


@dataclass(frozen=True)
class EngineLayout:
    tp: int
    dp: int
    ep: int
    pp: int

    @property
    def gpus(self) -> int:
        return self.tp * self.dp * self.pp

    def parallel(self) -> ParallelConfig:
        # DP-attention ranks inside one engine are the cost model's ``ep > tp`` groups
        return ParallelConfig(tp=self.tp, ep=self.ep if self.ep > 1 else 1, pp=self.pp)


@dataclass
class _Candidate:
    hw: HardwareProfile
    layout: EngineLayout
    budget: int
    max_num_seqs: int
    replicas: int
    usd_per_hour: float
    capacity_req_s: float
    cm: CostModel
    dtypes: Dtypes


# ---------------------------------------------------------------------------- engine defaults
def scheduler_limits(engine: str, hw: HardwareProfile) -> tuple[int, int, int]:
    """``(max_num_batched_tokens, max_num_seqs, block_size)``: the engine profile's defaults on ``hw``."""
    d = load_engine(engine).scheduler_defaults(hw)
    return int(d["max_num_batched_tokens"]), int(d["max_num_seqs"]), int(d["block_size"])


# ---------------------------------------------------------------------------- layouts
def _node_gpus(hw: HardwareProfile) -> int:
    return max(1, min(8, int(hw.scale_up_domain)))


def engine_layouts(
    model: ModelProfile, hw: HardwareProfile, max_gpus: int, dtypes: Dtypes | None = None
) -> list[EngineLayout]:
    """Engine layouts: TP ∈ {1, 2, 4, 8} inside a node, MoE EP over the TP group or DP-attention
    ranks; PP ∈ {2, 4} stages of a full node each (TP inside a node, PP across nodes) only when a
    full node without PP cannot hold the weights and one sequence."""
    node = _node_gpus(hw)
    tps = [t for t in (1, 2, 4, 8) if t <= node]
    out: list[EngineLayout] = []
    for pp in (1, 2, 4):
        if pp > 1 and (dtypes is None or _fits_one_node(model, hw, node, dtypes)):
            break
        for tp in tps:
            shapes = [(tp, 1, 1)]
            if model.is_moe:
                if tp > 1:
                    shapes.append((tp, 1, tp))
                if tp == 1:
                    shapes += [(1, d, d) for d in (2, 4, 8) if d <= node]
            for t, d, e in shapes:
                lay = EngineLayout(t, d, e, pp)
                if lay.gpus > max_gpus or (pp > 1 and t != node):
                    continue  # PP only across full nodes (TP inside a node, PP across nodes)
                try:
                    validate_parallel(model, lay.parallel())
                except ParallelError:
                    continue
                out.append(lay)
    return out


def _fits_one_node(model: ModelProfile, hw: HardwareProfile, node: int, dtypes: Dtypes) -> bool:
    for par in (ParallelConfig(tp=node), ParallelConfig(tp=node, ep=node) if model.is_moe else None):
        if par is None:
            continue
        try:
            if memory_breakdown(
                model,
                hw,
                par,
                dtypes,
                context=1,
                reserved_fraction=1 - _GPU_MEM_UTIL,
                max_batched_tokens=2048,
                max_seqs=1,
            ).fits:
                return True
        except ParallelError:
            continue
    return False


# ---------------------------------------------------------------------------- analytic shortlist
def _capacity(
    cm: CostModel,
    model: ModelProfile,
    hw: HardwareProfile,
    lay: EngineLayout,
    dtypes: Dtypes,
    req: PlanRequest,
    budget: int,
    max_seqs: int,
) -> tuple[float, int, str | None]:
    """Highest request rate one replica completes in steady state within the SLA, the concurrency
    that reaches it, and why nothing does (``None`` when some concurrency does)."""
    i_len, o_len = req.input_len, req.output_len
    ctx = i_len + o_len
    if req.speculative is not None:  # the draft's weights and KV come out of the KV budget
        from dashboard.features.speculative import speculative_memory_breakdown

        mem = speculative_memory_breakdown(
            model,
            hw,
            req.speculative,
            lay.parallel(),
            dtypes,
            context=ctx + req.speculative.k,
            engine=req.engine,  # the engine's KV rule, as the simulator's verdict uses
            max_batched_tokens=budget,
            max_seqs=max_seqs,
        )[0]
    else:
        mem = memory_breakdown(
            model,
            hw,
            lay.parallel(),
            dtypes,
            context=ctx,
            engine=req.engine,  # the engine's KV rule, as the simulator's verdict uses
            max_batched_tokens=budget,
            max_seqs=max_seqs,
        )
    kv_seqs = mem.max_sequences * lay.parallel().attention_dp
    if kv_seqs < 1:
        need = (mem.weight_bytes + mem.activation_bytes + mem.runtime_reserve_bytes) / 2**30
        return 0.0, 0, f"OOM: weights + workspace need {need:.1f} GiB/GPU of {mem.usable_bytes / 2**30:.1f} usable"
    best, best_c, why = 0.0, 0, "no concurrency meets the SLA"
    memo: dict = {}
    for c in _CONCURRENCY:
        if c > min(kv_seqs, max_seqs):
            break
        # with PP the engine runs pp virtual engines of c / pp clients each (features/pipeline.py)
        cv = max(1, c // lay.pp)
        if req.speculative is not None:
            from dashboard.services.search_spec import steady_state_speculative

            st = steady_state_speculative(cm, req.speculative, i_len, o_len, cv, budget, memo)
        else:
            st = steady_state(cm, i_len, o_len, cv, budget, memo)
        ttft, tpot = st.ttft_s * 1e3, st.tpot_s * 1e3
        if req.sla_met(ttft, tpot):
            if st.requests_per_s * lay.pp > best:
                best, best_c = st.requests_per_s * lay.pp, c
        elif c == 1:
            why = f"even one request misses the SLA (TTFT {ttft:.0f} ms, TPOT {tpot:.1f} ms)"
    return best, best_c, (None if best > 0 else why)


def _economics(
    req: PlanRequest, usd_per_hour: float, gpus: int, hw: HardwareProfile, out_tok_s: float
) -> dict[str, Any]:
    """``output_tok_s_per_gpu``, ``usd_per_hour``, ``usd_per_m_input_tokens``,
    ``usd_per_m_output_tokens`` (the whole bill on each token type) and ``tokens_per_joule``
    (output tokens per GPU-joule at TDP) of a deployment delivering ``out_tok_s`` output tokens/s."""
    out_g = out_tok_s / gpus if gpus else 0.0
    in_g = out_g * req.input_len / req.output_len
    price = usd_per_hour / gpus if gpus else 0.0
    return {
        "output_tok_s_per_gpu": out_g,
        "usd_per_hour": usd_per_hour,
        "usd_per_m_input_tokens": cost_per_million_tokens(price, in_g),
        "usd_per_m_output_tokens": cost_per_million_tokens(price, out_g),
        "tokens_per_joule": tokens_per_joule(out_g, hw.tdp_w),
    }


def _pricing_basis(req: PlanRequest, replicas: int, sim_out_tok_s: float | None) -> float:
    """Output tokens/s the deployment delivers (rate mode: the offered rate)."""
    if req.request_rate is not None:
        return req.request_rate * req.output_len
    return sim_out_tok_s if sim_out_tok_s else 0.0


def _candidates(
    model: ModelProfile, hw: HardwareProfile, req: PlanRequest, price: float, dtypes: Dtypes
) -> tuple[list[_Candidate], str | None]:
    budget_default, seqs_default, _ = scheduler_limits(req.engine, hw)
    budgets = sorted({min(b, budget_default) for b in _BUDGETS} | {budget_default})
    out: list[_Candidate] = []
    reasons: list[str] = []
    for lay in engine_layouts(model, hw, req.max_gpus, dtypes):
        try:
            cm = make_cost_model(model, hw, lay.parallel(), dtypes)
        except (ParallelError, ValueError) as exc:
            reasons.append(str(exc))
            continue
        for b in budgets:
            seqs = min(seqs_default, b)
            cap, conc, why = _capacity(cm, model, hw, lay, dtypes, req, b, seqs)
            if why:
                reasons.append(f"{layout_label(lay)}: {why}")
                continue
            if req.request_rate is not None:
                n0 = max(1, math.ceil(req.request_rate / cap - 1e-9))
            else:
                n0 = max(1, math.ceil((req.concurrency or 1) / conc))  # PlanRequest sets one of the two
            if n0 * lay.gpus > req.max_gpus:
                reasons.append(
                    f"{layout_label(lay)}: {n0} replicas ({n0 * lay.gpus} GPUs) needed, more than {req.max_gpus}"
                )
                continue
            for n in range(n0, n0 + _EXTRA_REPLICAS + 1):
                gpus = n * lay.gpus
                if gpus > req.max_gpus:
                    break
                out.append(_Candidate(hw, lay, b, seqs, n, gpus * price, cap, cm, dtypes))
    if not out:
        hint = reasons[-1] if reasons else f"no layout within {req.max_gpus} GPUs"
        return [], hint if len(reasons) <= 1 else f"{hint} (and {len(reasons) - 1} more layouts/budgets)"
    # cheapest first; among equal cost the layout with the most analytic headroom
    out.sort(key=lambda c: (c.usd_per_hour, -c.capacity_req_s * c.replicas, c.layout.gpus, -c.budget))
    return out, None


def layout_label(lay: EngineLayout | Mapping[str, Any]) -> str:
    """``TP4``, ``TP1 DP8 EP8``, ``TP8 PP2``: an engine layout or a plan's ``tp/dp/ep/pp``."""

    def g(k: str) -> int:
        return int(lay.get(k, 1) if isinstance(lay, Mapping) else getattr(lay, k))

    return "TP{}".format(g("tp")) + "".join(f" {k.upper()}{g(k)}" for k in ("dp", "ep", "pp") if g(k) > 1)


# ---------------------------------------------------------------------------- simulation
def _num_requests(rate: float | None, req: PlanRequest, conc: int | None) -> int:
    """Requests per verdict simulation: 30 s of arrivals, 200–400 requests (rate mode); five
    rounds of the clients, 200–1200 requests (concurrency mode)."""
    if rate is not None:
        return int(min(400, max(200, rate * 30.0)))
    return int(min(1200, max(200, 5 * (conc or 1))))


def _engine_sched(
    req: PlanRequest, cm: CostModel, max_num_batched_tokens: int, max_num_seqs: int, **overrides: Any
) -> SchedulerConfig:
    """The engine's scheduler (admission, async scheduling, overheads, KV rule: the engine profile)
    with the plan's limits."""
    budget = max(max_num_batched_tokens, max_num_seqs)
    # every emitted launch enables chunked prefill (vLLM's default, SGLang --chunked-prefill-size, TRT-LLM
    # enable_chunked_prefill: true in the YAML), so the verdict is simulated with it, whatever the preset's default
    overrides.setdefault("chunked_prefill", True)
    return SchedulerConfig.from_engine(
        req.engine, cm.hw, cm.par.tp, max_num_batched_tokens=budget, max_num_seqs=max_num_seqs, **overrides
    )


def simulate_plan(
    cm: CostModel, req: PlanRequest, replicas: int, max_num_batched_tokens: int, max_num_seqs: int, seed: int = 0
) -> dict[str, float]:
    """Simulate one replica at its share of the load; TTFT/TPOT/ITL at ``req.percentile`` (ms),
    output tokens/s of the replica. Raises ``ValueError`` when the replica cannot hold a request."""
    pp = cm.par.pp
    sched = _engine_sched(req, cm, max_num_batched_tokens, max(1, max_num_seqs // pp))
    if pp > 1:  # pp virtual engines, each with 1/pp of the KV cache (features/pipeline.py)
        blocks = kv_blocks_for(cm, sched, req.input_len + req.output_len) // pp
        if blocks < 1:
            raise ValueError("no KV cache fits beside the weights of a pipeline stage")
        sched = replace(sched, num_kv_blocks=blocks)
    if req.request_rate is not None:
        rate = req.request_rate / replicas
        wl = WorkloadConfig(
            num_requests=_num_requests(rate, req, None),
            input_len=req.input_len,
            output_len=req.output_len,
            request_rate=rate,
            seed=seed,
        )
    else:
        conc = max(1, math.ceil((req.concurrency or 1) / replicas))  # PlanRequest sets one of the two
        wl = WorkloadConfig(
            num_requests=_num_requests(None, req, conc),
            input_len=req.input_len,
            output_len=req.output_len,
            concurrency=conc,
            seed=seed,
        )
    res = simulate(cm, wl, sched, dp=pp, record_steps=False, speculative=req.speculative)
    rq = res.requests
    n = len(rq["ttft_s"])
    # warm-up: an empty engine at first; closed-loop clients all send their first request at t = 0
    skip = max(int(n * _WARMUP), wl.concurrency or 0)
    keep = slice(min(skip, n - 1), n)
    q = req.percentile
    ttft = float(np.nanpercentile(rq["ttft_s"][keep], q)) * 1e3
    tpot_v = rq["tpot_s"][keep]
    tpot = float(np.nanpercentile(tpot_v, q)) * 1e3 if np.isfinite(tpot_v).any() else 0.0
    itl = weighted_percentiles(res.itl_values_s, res.itl_weights, (q,))[0] * 1e3 if len(res.itl_values_s) else 0.0
    if req.speculative is not None:
        extra = {"spec_acceptance_length": float(res.summary["spec_decode_acceptance_length"])}
    else:
        extra = {}
    return {
        **extra,
        "ttft_ms": ttft,
        "tpot_ms": tpot,
        "itl_ms": float(itl),
        "output_tok_s": float(res.summary["output_throughput_tok_s"]),
        "completed": int(res.summary["completed"]),
        "num_requests": n,
    }


# ---------------------------------------------------------------------------- assembling a plan
def _plan_dict(
    model: ModelProfile, model_id: str, c: _Candidate, req: PlanRequest, sim: dict[str, float], ok: bool
) -> dict[str, Any]:
    lay = c.layout
    gpus = c.replicas * lay.gpus
    out_tok_s = _pricing_basis(req, c.replicas, sim["output_tok_s"] * c.replicas)
    nf = native_format(model)
    spec = LaunchSpec(
        model_id=model_id,
        tp=lay.tp,
        dp=lay.dp,
        ep=lay.ep,
        pp=lay.pp,
        max_num_seqs=c.max_num_seqs,
        max_num_batched_tokens=c.budget,
        max_model_len=req.input_len + req.output_len,
        gpu_memory_utilization=_GPU_MEM_UTIL,
        kv_dtype=c.dtypes.kv,
        weight_dtype=c.dtypes.weight,
        checkpoint_dtype=nf.weight,
        replicas=c.replicas,
        name=_k8s_name(model_id),
        gpus_per_node=_node_gpus(c.hw),
    )
    extra: dict[str, Any] = {}
    if req.speculative is not None:
        from dashboard.features.speculative import (
            speculative_config_to_sglang_args,
            speculative_config_to_trtllm_yaml,
            speculative_config_to_vllm_json,
        )

        spec = replace(
            spec,
            speculative_config=speculative_config_to_vllm_json(req.speculative, model),
            sglang_speculative=tuple(speculative_config_to_sglang_args(req.speculative, model)),
            trtllm_speculative=speculative_config_to_trtllm_yaml(req.speculative, model),
        )
        extra["speculative"] = {
            **req.speculative.as_dict(),
            "acceptance_length_simulated": sim.get("spec_acceptance_length"),
        }
    return {
        "hardware": c.hw.slug,
        "engine": req.engine,
        "num_gpus": gpus,
        "replicas": c.replicas,
        "tp": lay.tp,
        "ep": lay.ep,
        "dp": lay.dp,
        "pp": lay.pp,
        "weight_dtype": c.dtypes.weight,
        "kv_dtype": c.dtypes.kv,
        "max_num_seqs": c.max_num_seqs,
        "max_num_batched_tokens": c.budget,
        "mode": "aggregated",
        "prefill": None,
        "decode": None,
        "ttft_ms": sim["ttft_ms"],
        "tpot_ms": sim["tpot_ms"],
        "itl_ms": sim["itl_ms"],
        **_economics(req, c.usd_per_hour, gpus, c.hw, out_tok_s),
        "meets_sla": ok,
        "launch": launch_commands(spec),
        **extra,
    }


def _k8s_name(model_id: str) -> str:
    base = model_id.rsplit("/", 1)[-1].lower()
    name = "".join(ch if ch.isalnum() else "-" for ch in base).strip("-")[:40].strip("-")
    return name or "llm"


def _sort_key(p: dict[str, Any]) -> tuple[int, float, float]:
    cost = p["usd_per_m_output_tokens"]
    return (0 if p["meets_sla"] else 1, cost if cost is not None else math.inf, p["num_gpus"])


def _pd_capacity_prefill(
    cm: CostModel,
    model: ModelProfile,
    hw: HardwareProfile,
    lay: EngineLayout,
    dtypes: Dtypes,
    req: PlanRequest,
    budget: int,
    max_seqs: int,
) -> float:
    """Prompts/s one prefill engine completes with its steady-state TTFT within 60 % of the TTFT
    target (the rest is left to the KV transfer and the decode pool's first step)."""
    mem = memory_breakdown(
        model,
        hw,
        lay.parallel(),
        dtypes,
        context=req.input_len + 1,
        engine=req.engine,  # the engine's KV rule, as the simulator's verdict uses
        max_batched_tokens=budget,
        max_seqs=max_seqs,
    )
    kv_seqs = mem.max_sequences * lay.parallel().attention_dp
    best = 0.0
    memo: dict = {}
    for c in _CONCURRENCY:
        if c > min(kv_seqs, max_seqs):
            break
        st = steady_state(cm, req.input_len, 1, c, budget, memo)
        if req.ttft_ms is None or st.ttft_s * 1e3 <= 0.6 * req.ttft_ms:
            best = max(best, st.requests_per_s)
    return best


def _pd_capacity_decode(
    cm: CostModel,
    model: ModelProfile,
    hw: HardwareProfile,
    lay: EngineLayout,
    dtypes: Dtypes,
    req: PlanRequest,
    max_seqs: int,
) -> tuple[float, int]:
    """Requests/s one decode engine carries with its mean TPOT within the target: ``c`` running
    sequences at TPOT ``t`` finish ``c / (t · O)`` requests per second; ``c`` limited by the KV cache
    (``I + O`` tokens each) and ``max_num_seqs``."""
    ctx = req.input_len + req.output_len
    mem = memory_breakdown(
        model,
        hw,
        lay.parallel(),
        dtypes,
        context=ctx,
        engine=req.engine,  # the engine's KV rule, as the simulator's verdict uses
        max_batched_tokens=max_seqs,
        max_seqs=max_seqs,
    )
    kv_seqs = mem.max_sequences * lay.parallel().attention_dp
    best, best_c = 0.0, 0
    for c in _CONCURRENCY:
        if c > min(kv_seqs, max_seqs):
            break
        tpot = cm.tpot_s(c, req.input_len, req.output_len)
        if req.tpot_ms is None or tpot * 1e3 <= req.tpot_ms:
            rate = c / (tpot * max(1, req.output_len))
            if rate > best:
                best, best_c = rate, c
    return best, best_c


@dataclass
class _PDCandidate:
    hw: HardwareProfile
    pre: EngineLayout
    dec: EngineLayout
    n_p: int
    n_d: int
    budget: int
    seqs_p: int
    seqs_d: int
    usd_per_hour: float
    cm_p: CostModel
    cm_d: CostModel
    dtypes: Dtypes

    @property
    def gpus(self) -> int:
        return self.n_p * self.pre.gpus + self.n_d * self.dec.gpus


def _pd_candidates(
    model: ModelProfile, hw: HardwareProfile, req: PlanRequest, price: float, dtypes: Dtypes
) -> tuple[list[_PDCandidate], str | None]:
    """Prefill × decode pools of the same GPU type (rate mode only), cheapest first: for the 2
    prefill layouts with the fewest GPUs per unit of analytic capacity, the fewest engines whose
    simulated TTFT percentile (Poisson prompts, prefill only) is within 70 % of the target; for the
    3 most efficient decode layouts, ``n₀`` and ``n₀ + 1`` engines (``n₀`` from the analytic decode
    capacity within the TPOT target)."""
    if req.request_rate is None:
        return [], "disaggregated plans need a request rate"
    budget, seqs_default, _ = scheduler_limits(req.engine, hw)
    pre: list[tuple[float, EngineLayout, CostModel]] = []
    dec: list[tuple[float, EngineLayout, CostModel, int]] = []
    for lay in engine_layouts(model, hw, req.max_gpus):
        if lay.pp > 1:
            continue
        try:
            cm = CostModel(model, hw, lay.parallel(), dtypes)
        except (ParallelError, ValueError):
            continue
        cap_p = _pd_capacity_prefill(cm, model, hw, lay, dtypes, req, budget, min(seqs_default, budget))
        if cap_p > 0:
            pre.append((lay.gpus / cap_p, lay, cm))
        cap_d, c_d = _pd_capacity_decode(cm, model, hw, lay, dtypes, req, seqs_default)
        if cap_d > 0:
            dec.append((lay.gpus / cap_d, lay, cm, c_d))
    if not pre or not dec:
        return [], (
            "no prefill layout meets 60 % of the TTFT target" if not pre else "no decode layout meets the TPOT target"
        )
    rate = req.request_rate
    out: list[_PDCandidate] = []
    seqs_p = min(seqs_default, budget)
    # the prefill pool is sized in the simulator (prefill-only runs are cheap): the fewest engines
    # whose TTFT percentile stays within 70 % of the target (the rest: KV transfer + first decode step)
    target_p = None if req.ttft_ms is None else 0.7 * req.ttft_ms * SLA_MARGIN
    pools: list[tuple[EngineLayout, CostModel, int]] = []
    for gp, lp, cmp in sorted(pre, key=lambda x: x[0])[:2]:
        n_p0 = max(1, math.ceil(rate * gp / lp.gpus - 1e-9))
        n_p = _smallest_prefill_pool(
            cmp, req, n_p0, min(3 * n_p0 + 1, (req.max_gpus - 1) // lp.gpus), budget, seqs_p, target_p
        )
        if n_p is not None:
            pools.append((lp, cmp, n_p))
    if not pools:
        return [], f"no prefill pool within {req.max_gpus} GPUs keeps TTFT within 70 % of the target"
    for lp, cmp, n_p in pools:
        for gd, ld, cmd, _c in sorted(dec, key=lambda x: x[0])[:3]:
            n_d0 = max(1, math.ceil(rate * gd / ld.gpus - 1e-9))
            for n_d in (n_d0, n_d0 + 1):
                c = _PDCandidate(hw, lp, ld, n_p, n_d, budget, seqs_p, seqs_default, 0.0, cmp, cmd, dtypes)
                if c.gpus <= req.max_gpus:
                    c.usd_per_hour = c.gpus * price
                    out.append(c)
    out.sort(key=lambda c: (c.usd_per_hour, c.n_p + c.n_d))
    return out, (None if out else f"no prefill + decode pools within {req.max_gpus} GPUs")


def _pct(x: np.ndarray, q: float) -> float:
    """Percentile ``q`` in ms of seconds ``x`` after the warm-up share (NaNs ignored)."""
    x = x[int(len(x) * _WARMUP) :]
    return float(np.nanpercentile(x, q)) * 1e3 if np.isfinite(x).any() else 0.0


def _prefill_sim(cm: CostModel, req: PlanRequest, n_p: int, budget: int, seqs: int, seed: int = 0) -> Any:
    """One prefill engine at ``R / n_p`` Poisson prompts, each sampling one token (its TTFT is the
    prefill latency with queueing). Prefill-only steps are cheap and the queue near saturation is
    heavy-tailed, so the sample is long (1000–3000 prompts)."""
    rate = (req.request_rate or 0.0) / n_p
    sp = _engine_sched(req, cm, budget, seqs)
    n_req = int(min(3000, max(1000, rate * 300.0)))
    return simulate(
        cm,
        WorkloadConfig(num_requests=n_req, input_len=req.input_len, output_len=1, request_rate=rate, seed=seed),
        sp,
        record_steps=False,
    )


def _smallest_prefill_pool(
    cm: CostModel, req: PlanRequest, lo: int, hi: int, budget: int, seqs: int, target_ms: float | None
) -> int | None:
    """The fewest prefill engines in ``[lo, hi]`` whose simulated TTFT percentile is within
    ``target_ms`` (more engines, less queueing: a bisection, ``log2(hi − lo)`` simulations)."""
    if hi < lo:
        return None
    if target_ms is None:
        return lo

    def ok(n: int) -> bool:
        try:
            return _pct(_prefill_sim(cm, req, n, budget, seqs).requests["ttft_s"], req.percentile) <= target_ms
        except ValueError:
            return False

    if not ok(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def simulate_pd_plan(c: _PDCandidate, model: ModelProfile, req: PlanRequest, seed: int = 0) -> dict[str, float]:
    """Simulate one prefill engine (prompts alone, one output token) and one decode engine (the
    prompt already cached: a prefix hit of all but the last block) at their shares of the rate;
    TTFT = prefill TTFT + KV transfer over the scale-out NIC + the decode engine's first step."""
    from dashboard.features.kv_transfer import kv_transfer_s

    rate = req.request_rate or 0.0
    rp = _prefill_sim(c.cm_p, req, c.n_p, c.budget, c.seqs_p, seed)
    hit = max(0.0, min(0.999, 1.0 - 1.0 / max(1, req.input_len)))
    sd = _engine_sched(req, c.cm_d, c.budget, c.seqs_d, prefix_cache_hit=hit)
    n_req = _num_requests(rate / c.n_d, req, None)
    rd = simulate(
        c.cm_d,
        WorkloadConfig(
            num_requests=n_req, input_len=req.input_len, output_len=req.output_len, request_rate=rate / c.n_d, seed=seed
        ),
        sd,
        record_steps=False,
    )
    q = req.percentile
    t_kv, _ = kv_transfer_s(model, c.hw, c.pre.parallel(), c.dtypes.kv, req.input_len, "ib")
    ttft_p, ttft_d = _pct(rp.requests["ttft_s"], q), _pct(rd.requests["ttft_s"], q)
    itl = weighted_percentiles(rd.itl_values_s, rd.itl_weights, (q,))[0] * 1e3 if len(rd.itl_values_s) else 0.0
    return {
        "ttft_ms": ttft_p + t_kv * 1e3 + ttft_d,
        "tpot_ms": _pct(rd.requests["tpot_s"], q),
        "itl_ms": float(itl),
        "prefill_ttft_ms": ttft_p,
        "kv_transfer_ms": t_kv * 1e3,
        "decode_first_step_ms": ttft_d,
        "output_tok_s": float(rd.summary["output_throughput_tok_s"]),
    }


def _pool(lay: EngineLayout, n: int, seqs: int, budget: int) -> dict[str, Any]:
    return {
        "replicas": n,
        "tp": lay.tp,
        "ep": lay.ep,
        "dp": lay.dp,
        "pp": lay.pp,
        "num_gpus": n * lay.gpus,
        "max_num_seqs": seqs,
        "max_num_batched_tokens": max(budget, seqs),
    }


def _pd_plan_dict(
    model: ModelProfile, model_id: str, c: _PDCandidate, req: PlanRequest, sim: dict[str, float], ok: bool
) -> dict[str, Any]:
    """A disaggregated plan: top-level ``tp/ep/dp/pp/max_num_*`` are the decode pool's, ``replicas``
    counts both pools' engines, ``num_gpus`` both pools' GPUs; ``prefill``/``decode`` hold each pool
    (and the TTFT parts)."""
    gpus = c.gpus
    out_tok_s = _pricing_basis(req, 1, None)
    nf = native_format(model)
    common = LaunchSpec(
        model_id=model_id,
        max_model_len=req.input_len + req.output_len,
        gpu_memory_utilization=_GPU_MEM_UTIL,
        kv_dtype=c.dtypes.kv,
        weight_dtype=c.dtypes.weight,
        checkpoint_dtype=nf.weight,
        name=_k8s_name(model_id),
        gpus_per_node=_node_gpus(c.hw),
    )
    pre = replace(
        common,
        tp=c.pre.tp,
        dp=c.pre.dp,
        ep=c.pre.ep,
        pp=c.pre.pp,
        replicas=c.n_p,
        max_num_seqs=c.seqs_p,
        max_num_batched_tokens=c.budget,
    )
    dec = replace(
        common,
        tp=c.dec.tp,
        dp=c.dec.dp,
        ep=c.dec.ep,
        pp=c.dec.pp,
        replicas=c.n_d,
        max_num_seqs=c.seqs_d,
        max_num_batched_tokens=max(c.budget, c.seqs_d),
    )
    prefill = {
        **_pool(c.pre, c.n_p, c.seqs_p, c.budget),
        "ttft_ms": sim["prefill_ttft_ms"],
        "kv_transfer_ms": sim["kv_transfer_ms"],
    }
    decode = {
        **_pool(c.dec, c.n_d, c.seqs_d, c.budget),
        "first_step_ms": sim["decode_first_step_ms"],
        "tpot_ms": sim["tpot_ms"],
    }
    return {
        "hardware": c.hw.slug,
        "engine": req.engine,
        "num_gpus": gpus,
        "replicas": c.n_p + c.n_d,
        "tp": c.dec.tp,
        "ep": c.dec.ep,
        "dp": c.dec.dp,
        "pp": c.dec.pp,
        "weight_dtype": c.dtypes.weight,
        "kv_dtype": c.dtypes.kv,
        "max_num_seqs": c.seqs_d,
        "max_num_batched_tokens": max(c.budget, c.seqs_d),
        "mode": "disaggregated",
        "prefill": prefill,
        "decode": decode,
        "ttft_ms": sim["ttft_ms"],
        "tpot_ms": sim["tpot_ms"],
        "itl_ms": sim["itl_ms"],
        **_economics(req, c.usd_per_hour, gpus, c.hw, out_tok_s),
        "meets_sla": ok,
        "launch": launch_commands(dec, pre, dec),
    }


def plan(
    model: ModelProfile,
    req: PlanRequest,
    prices: Mapping[str, float] | None = None,
    model_id: str | None = None,
    hardware: Sequence[HardwareProfile] | None = None,
) -> PlanResult:
    """Plan ``model`` for ``req`` (see the module docstring). ``prices`` overrides the shipped
    table per hardware slug; ``hardware`` passes profiles instead of loading ``req.hardware``.

    ``disaggregated``: ``off`` aggregated plans only, ``on`` disaggregated only, ``auto`` both: the
    disaggregated candidates of a GPU type are simulated only when cheaper than its aggregated plan,
    so a disaggregated plan is listed where it saves money."""
    t0 = time.perf_counter()
    table = {**default_prices(), **(prices or {})}
    for k, v in table.items():
        _num(f"price of {k}", v, lo=-1e-12, hi=1e6)
    model_id = model_id or model.name
    hws = list(hardware) if hardware is not None else [load_hardware(h) for h in req.hardware]
    dtypes0 = native_format(model).dtypes(req.kv_dtype)
    modes = [
        m
        for m, on in (
            ("aggregated", req.disaggregated != "on"),
            ("disaggregated", req.disaggregated != "off" and req.request_rate is not None),
        )
        if on
    ]
    if req.disaggregated == "on" and req.request_rate is None:
        raise ValueError("disaggregated=on needs a request rate (the pools are sized for a rate)")
    plans: list[dict[str, Any]] = []
    rejected: list[dict[str, str]] = []
    sims = 0
    for hw in hws:
        price = table.get(hw.slug)
        if price is None:
            rejected.append({"hardware": hw.slug, "reason": f"no price for {hw.slug}: add one to the price table"})
            continue
        dtypes = dtypes0
        if dtypes.activation == "fp8" and not hw.peak_tflops.get("fp8"):
            dtypes = replace(dtypes, activation="bf16")  # no fp8 tensor cores: weight-only fp8 (Marlin)
        found_any = False
        agg_cost: float | None = None
        closest: dict[str, Any] | None = None
        reasons: list[str] = []
        for mode in modes:
            cands: Sequence[_Candidate | _PDCandidate]
            if mode == "aggregated":
                cands, why = _candidates(model, hw, req, price, dtypes)
            else:
                cands, why = _pd_candidates(model, hw, req, price, dtypes)
            if not cands:
                reasons.append(f"{mode}: {why or 'no candidate'}")
                continue
            found: dict[str, Any] | None = None
            last_err = ""
            limit = _MAX_SIMS_PER_HW if mode == "aggregated" else _MAX_SIMS_PER_HW // 2
            if mode == "disaggregated" and agg_cost is not None:
                # only pools cheaper than this GPU type's aggregated plan can change the ranking
                cands = [c for c in cands if c.usd_per_hour < agg_cost - 1e-9]
                if not cands:
                    continue
            for c in cands[:limit]:
                try:
                    if isinstance(c, _Candidate):  # mode "aggregated"
                        sim = simulate_plan(c.cm, req, c.replicas, c.budget, c.max_num_seqs)
                    else:
                        sim = simulate_pd_plan(c, model, req)
                except ValueError as exc:
                    last_err = str(exc)
                    continue
                sims += 1 if isinstance(c, _Candidate) else 2
                ok = req.sla_met(sim["ttft_ms"], sim["tpot_ms"], SLA_MARGIN)
                p = (
                    _plan_dict(model, model_id, c, req, sim, ok)
                    if isinstance(c, _Candidate)
                    else _pd_plan_dict(model, model_id, c, req, sim, ok)
                )
                if ok:
                    found = p
                    break
                if closest is None or _sort_key(p) < _sort_key(closest):
                    closest = p
            if found is not None:
                plans.append(found)
                found_any = True
                if mode == "aggregated":
                    agg_cost = found["usd_per_hour"]
            else:
                top = closest or {}
                detail = (
                    f"closest: TTFT p{req.percentile:g} {top['ttft_ms']:.0f} ms, TPOT p{req.percentile:g} "
                    f"{top['tpot_ms']:.1f} ms on {top['num_gpus']} GPUs"
                    if top
                    else last_err
                )
                reasons.append(
                    f"{mode}: the {min(len(cands), limit)} cheapest candidates miss the SLA in the simulator ({detail})"
                )
        if not found_any:
            if closest is not None:
                plans.append(closest)
            rejected.append({"hardware": hw.slug, "reason": "; ".join(reasons) or "no candidate"})
    plans.sort(key=_sort_key)
    return PlanResult(plans=plans, rejected=rejected, elapsed_s=time.perf_counter() - t0, simulations=sims)


def resimulate(model: ModelProfile, p: Mapping[str, Any], req: PlanRequest, seed: int = 0) -> dict[str, float]:
    """Simulate a plan from its JSON alone (``hardware``, layouts, formats, scheduler limits):
    what "the plan meets its SLA when its configuration is simulated on its own" checks."""
    hw = load_hardware(p["hardware"])
    nf = native_format(model)
    dt = Dtypes(
        weight=p["weight_dtype"],
        activation=nf.activation if p["weight_dtype"] == nf.weight else "bf16",
        kv=p["kv_dtype"],
        attention_weight=None if nf.attention == nf.weight or p["weight_dtype"] != nf.weight else nf.attention,
    )
    if dt.activation == "fp8" and not hw.peak_tflops.get("fp8"):
        dt = replace(dt, activation="bf16")

    def lay(d: Mapping[str, Any]) -> EngineLayout:
        return EngineLayout(int(d["tp"]), int(d["dp"]), int(d["ep"]), int(d["pp"]))

    if p["mode"] == "aggregated":
        cm = make_cost_model(model, hw, lay(p).parallel(), dt)
        return simulate_plan(
            cm, req, int(p["replicas"]), int(p["max_num_batched_tokens"]), int(p["max_num_seqs"]), seed=seed
        )
    pre, dec = p["prefill"], p["decode"]
    lp, ld = lay(pre), lay(dec)
    c = _PDCandidate(
        hw,
        lp,
        ld,
        int(pre["replicas"]),
        int(dec["replicas"]),
        int(pre["max_num_batched_tokens"]),
        int(pre["max_num_seqs"]),
        int(dec["max_num_seqs"]),
        float(p["usd_per_hour"]),
        CostModel(model, hw, lp.parallel(), dt),
        CostModel(model, hw, ld.parallel(), dt),
        dt,
    )
    return simulate_pd_plan(c, model, req, seed=seed)
