"""A vLLM-style continuous-batching scheduler simulator priced by the shared cost model.

Public entry: :func:`simulate` (and the configs :class:`SchedulerConfig`, :class:`SLA`,
:class:`~dashboard.sim.workload.WorkloadConfig`, :class:`~dashboard.sim.workload.Workload`).

**Time.** Every simulated step lasts exactly the cost model's price of that step's composition:
``cm.step_time_s(stats)`` where ``stats`` is the :class:`~dashboard.features.batch.BatchStats` of
the step's prefill chunks ``(new, prefix)`` and decode contexts, with ``sampled`` = the sequences
that emit a token this step. The simulator keeps the sums of that dataclass incrementally (running
sums of decode contexts instead of a per-request loop each step) and builds the same
``BatchStats`` that ``cm.stats_for_batch(chunks, decode_contexts, sampled)`` would; a ``validate``
flag recomputes it the slow way each step and asserts equality (the tests use it). There is no
other latency formula here; a calibrated hardware profile makes the simulator calibrated too.

**Scheduler** (vLLM V1, ``vllm/v1/core/sched/scheduler.py``): a token budget
``max_num_batched_tokens`` and ``max_num_seqs`` per step. Running requests are served first — every
decode (one token each), then partially prefilled prompts continuing their chunks — and waiting
requests (FCFS; preempted ones at the front) then fill the remaining budget with prefill chunks
(long prompts split across steps). ``chunked_prefill=False`` has V1 semantics: a waiting prompt is
admitted whole, in the same step as the decodes, when it fits the remaining budget (a prompt longer
than the whole budget is refused with a ``ValueError``: without chunking vLLM requires
``max_num_batched_tokens ≥ max_model_len`` and TensorRT-LLM ``max_num_tokens`` ≥ the prompt).

**Engine rules** (:class:`SchedulerConfig` fields, set from an engine profile by
:meth:`SchedulerConfig.from_engine`, see :mod:`dashboard.features.engine`): ``admission``
(``max_utilization``: blocks for the chunk; ``full_prompt``: the whole remaining prompt must fit
in free blocks, vLLM V1; ``guaranteed_no_evict``: prompt + output blocks reserved at admission,
never preempted, TRT-LLM), ``async_scheduling`` (a request arriving while step n runs is scheduled
at step n+2 at the earliest, unless the engine would otherwise idle; the host cost of a step is
hidden while shorter than the GPU step), serving overheads (``per_request_s`` delays a request's
entry into the scheduler, so it adds to TTFT and E2E; a step lasts ``max(gpu, host)`` with async
scheduling, ``gpu + host`` without, ``host = per_step_s + per_step_per_seq_s·running``), the
preemption victim (:mod:`dashboard.sim.policies`), and ``prefix_caching``.

**Prefix caching** (``prefix_caching=True``, :mod:`dashboard.sim.blocks`): blocks are shared by
reference count; a request's prefix blocks (``Workload.hash_ids``, or with ``prefix_cache_hit`` a
prefix of ``floor(h·prompt/block_size)`` blocks common to every prompt) are looked up at admission
and counted once however many requests hold them; blocks become cached once computed; freed ones
stay cached (LRU) until an allocation evicts them; a preempted request's computed blocks stay
cached, so on resumption it re-hits those that survive. With ``prefix_caching=False`` the old
model applies: ``prefix_cache_hit`` marks that share of each prompt computed, in private blocks.

A request holds ``ceil(tokens_in_cache / block_size)`` KV blocks (vLLM allocates blocks for the
tokens it schedules). When a step's blocks are not free, the running request that arrived last (or,
with ``preempt="last_admitted"``, was admitted last, as vLLM's ``running.pop()``) is preempted by
recompute (blocks freed, ``num_computed_tokens = 0``, back to the front of the waiting queue; no
new prompts are admitted in that step; on resumption its prompt and generated tokens are prefilled
again and the last chunk emits its next token). A prefix-cache hit fraction ``h`` marks ``floor(h·prompt/block_size)`` full blocks of
each prompt as already computed (they still occupy blocks; at least one token is always computed).

Token semantics: a request of ``P`` prompt and ``O`` output tokens emits its first token when its
last prefill chunk runs (TTFT), then ``O − 1`` decodes; a decode attends ``P + g`` tokens (``g``
tokens generated so far, itself included). TPOT = (last token − first token) / (O − 1).

**Data parallelism.** ``dp`` identical engines behind a router (``round_robin``,
``least_outstanding_tokens`` or ``vllm_least_loaded``) in one event heap ordered by
``(time, kind, seq)``: arrivals, then step ends, then schedule decisions at equal times (a request
that arrives when a step ends joins the next step). **Attention DP / wide EP** (``ep > tp``): each
engine runs ``ep/tp`` DP ranks, each with its own scheduler, queues, KV blocks, budget and
``max_num_seqs``, stepping on one clock; a step costs what the busiest rank costs, priced as every
rank padded to that rank's composition (the rank's ``BatchStats`` scaled by ``ep/tp``, as the cost
model spreads a step's tokens over the ranks). Requests are routed to ranks. No module-level state;
the same inputs and seed give the same result. ``progress(done, total)`` is called every few
thousand events; returning ``False`` stops the run (:class:`SimulationStopped`).

**Utilisation.** ``cm.step_summary(stats)`` returns ``(step_time_s(stats), FLOPs, HBM bytes)`` per
GPU from one pass over the cost model's op list (the same FLOPs and bytes ``cm.price(stats)``
reports), so MFU and HBM utilisation are exact, not sampled. Step prices are cached by composition
(a dict per run), so repeated compositions cost one lookup.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from dashboard.features.batch import BatchStats
from dashboard.features.cost_model import CostModel
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.features.engine import EngineProfile, host_step_s, load_engine, step_wall_s
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import tpot_s
from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import check_value, like, param, param_specs, validate_params
from dashboard.features.request import CostSettings
from dashboard.sim.accounting import price_step, scale_stats, step_stats
from dashboard.sim.metrics import SLA, summarize
from dashboard.sim.policies import PREEMPT_ORDERS, ROUTERS, Routing, pick_engine, pick_victim
from dashboard.sim.state import DECODE, DONE, PREFILL, WAITING, EngineState, Req
from dashboard.sim.workload import ARRIVALS, LENGTH_DISTS, Workload, WorkloadConfig, make_workload, workload_from_trace

__all__ = [
    "ADMISSIONS",
    "ARRIVALS",
    "LENGTH_DISTS",
    "PREEMPT_ORDERS",
    "ROUTERS",
    "SLA",
    "SchedulerConfig",
    "SimResult",
    "SimulationStopped",
    "Workload",
    "WorkloadConfig",
    "kv_blocks_for",
    "make_workload",
    "simulate",
    "workload_from_trace",
]

ADMISSIONS: tuple[str, ...] = ("max_utilization", "full_prompt", "guaranteed_no_evict")
_ARRIVE, _STEP_END, _SCHEDULE = 0, 1, 2


class SimulationStopped(Exception):
    """The ``progress`` callback asked the simulation to stop."""


@dataclass(frozen=True)
class SchedulerConfig:
    """One engine's scheduler (vLLM names). ``num_kv_blocks=None`` takes the count from the
    memory model: the engine's KV-capacity rule when ``engine`` is set (at ``memory_fraction`` if
    given), else the generic rule at ``gpu_memory_utilization``; divided by the bytes of one block.
    ``preempt`` picks the recompute victim (:mod:`dashboard.sim.policies`). The engine-rule fields
    (``admission``, ``async_scheduling``, ``prefix_caching``, overheads) default to the seed's
    behaviour; :meth:`from_engine` sets them from an engine profile."""

    # declared once (dashboard/features/params.py): pages, URL, CLI and JSON derive from these
    max_num_batched_tokens: int = param(
        2048, lo=1, hi=1 << 20, unit="tokens", label="Token budget per step", help="vLLM --max-num-batched-tokens"
    )
    max_num_seqs: int = param(
        256, lo=1, hi=65_536, unit="sequences", label="Max running sequences", help="vLLM --max-num-seqs"
    )
    block_size: int = param(16, lo=1, hi=1024, unit="tokens", label="KV block size", help="vLLM --block-size")
    num_kv_blocks: int | None = param(
        None, lo=1, hi=1 << 31, unit="blocks", label="KV blocks", help="None: from the memory model"
    )
    chunked_prefill: bool = True
    prefix_cache_hit: float = param(
        0.0,
        lo=0.0,
        hi=1.0,
        open_hi=True,
        unit="fraction",
        label="Prefix-cache hit rate",
        help="share of each prompt already cached",
    )
    gpu_memory_utilization: float = param(
        0.9,
        lo=0.0,
        hi=1.0,
        open_lo=True,
        unit="fraction",
        label="GPU memory utilisation",
        help="vLLM --gpu-memory-utilization",
    )
    preempt: str = param("last_arrived", choices=PREEMPT_ORDERS, label="Preemption victim")
    admission: str = param("max_utilization", choices=ADMISSIONS, label="Admission rule")
    async_scheduling: bool = False
    prefix_caching: bool = False
    per_request_s: float = param(0.0, lo=0.0, hi=10.0, unit="s", label="Per-request overhead")
    per_step_s: float = param(0.0, lo=0.0, hi=10.0, unit="s", label="Per-step overhead")
    per_step_per_seq_s: float = param(0.0, lo=0.0, hi=10.0, unit="s", label="Per-step per-sequence overhead")
    engine: EngineProfile | None = None
    memory_fraction: float | None = like(CostSettings, "memory_fraction")

    def __post_init__(self) -> None:
        validate_params(self)
        if self.max_num_batched_tokens < self.max_num_seqs:
            raise ValueError(
                f"max_num_batched_tokens ({self.max_num_batched_tokens}) must be ≥ max_num_seqs "
                f"({self.max_num_seqs}), as vLLM requires"
            )

    @classmethod
    def from_engine(cls, engine: EngineProfile | str | None, hw: Any, tp: int = 1, **overrides: Any) -> SchedulerConfig:
        """The scheduler an engine runs on ``hw`` with its defaults (``max_num_batched_tokens``,
        ``max_num_seqs``, ``block_size`` per GPU; admission, async scheduling, preemption victim,
        prefix caching, chunked prefill, overheads); ``overrides`` (any field, ``None`` ignored)
        replace them, e.g. a user's ``--max-num-batched-tokens``."""
        eng = load_engine(engine)
        d = eng.scheduler_defaults(hw, tp)
        ov = eng.overheads
        kw: dict[str, Any] = {
            "max_num_batched_tokens": d["max_num_batched_tokens"],
            "max_num_seqs": d["max_num_seqs"],
            "block_size": d["block_size"],
            "chunked_prefill": eng.chunked_prefill,
            "preempt": eng.preempt,
            "admission": eng.admission,
            "async_scheduling": eng.async_scheduling,
            "prefix_caching": eng.prefix_caching,
            "per_request_s": ov.per_request_s,
            "per_step_s": ov.per_step_s,
            "per_step_per_seq_s": ov.per_step_per_seq_s,
            "engine": eng,
        }
        if eng.kv_rule.fraction is not None:
            kw["gpu_memory_utilization"] = eng.kv_rule.fraction
        names = {f.name for f in fields(cls)}
        for k, v in overrides.items():
            if k not in names:
                raise ValueError(f"unknown scheduler field {k!r}")
            if v is not None:
                kw[k] = v
        if kw["max_num_batched_tokens"] < kw["max_num_seqs"] and overrides.get("max_num_seqs") is None:
            kw["max_num_seqs"] = kw["max_num_batched_tokens"]  # vLLM: max_num_seqs = min(max_num_seqs, budget)
        return cls(**kw)

    def settings(self) -> dict[str, Any]:
        """The scheduler settings as JSON-ready values (engine by name)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "engine"}
        out["engine"] = self.engine.name if self.engine is not None else None
        return out


@dataclass
class SimResult:
    """Per-request arrays (request order), the step timeline and the summary.

    ``requests``: ``arrival_s, engine, prompt, output, first_scheduled_s, first_token_s,
    finish_s, prefill_s`` (duration of the steps carrying its prefill before the first token),
    ``ttft_s, tpot_s, e2e_s, queue_s, preemptions, cached_tokens, generated, itl_max_s`` (its longest
    inter-token gap, e.g. a preemption stall). ``engine`` is the DP engine (or DP rank with
    attention DP) that served it.
    ``steps``: ``engine, start_s, dur_s, prefill_tokens, prefill_seqs, decode_seqs, running,
    waiting, kv_blocks_used, preemptions`` (with attention DP: totals over the engine's ranks).
    ``itl_values_s``/``itl_weights``: the inter-token latency distribution (value, count).
    """

    requests: dict[str, np.ndarray]
    steps: dict[str, np.ndarray]
    itl_values_s: np.ndarray
    itl_weights: np.ndarray
    summary: dict[str, Any]
    num_kv_blocks: int
    config: dict[str, Any] = field(default_factory=dict)
    step_stats: list[BatchStats] = field(default_factory=list)

    def requests_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.requests)


def kv_blocks_for(cm: CostModel, sched: SchedulerConfig, context: int) -> int:
    """KV blocks of one engine from the shared memory model: the KV budget left beside the
    weights, activations (a step of ``max_num_batched_tokens``) and runtime memory — under the
    engine's rule when ``sched.engine`` is set, else the generic one at ``gpu_memory_utilization``
    — divided by the bytes of ``block_size`` tokens at ``context``. With attention DP (ep > tp)
    the engine's ``ep/tp`` ranks each hold this many blocks for their own sequences; the total
    over ranks is returned."""
    if sched.engine is not None:
        mem = memory_breakdown(
            cm.model,
            cm.hw,
            cm.par,
            cm.dt,
            context=max(1, context),
            engine=sched.engine,
            memory_fraction=sched.memory_fraction,
            max_batched_tokens=sched.max_num_batched_tokens,
            max_seqs=sched.max_num_seqs,
        )
    else:
        mem = memory_breakdown(
            cm.model,
            cm.hw,
            cm.par,
            cm.dt,
            context=max(1, context),
            reserved_fraction=1.0 - (sched.memory_fraction or sched.gpu_memory_utilization),
            max_batched_tokens=sched.max_num_batched_tokens,
            max_seqs=sched.max_num_seqs,
        )
    if mem.kv_budget_bytes <= 0:
        return 0
    per_group = int(mem.kv_budget_bytes // (mem.kv_bytes_per_token * sched.block_size))
    return per_group * cm.par.attention_dp


def simulate(
    cm: CostModel,
    workload: Workload | WorkloadConfig,
    sched: SchedulerConfig | None = None,
    *,
    dp: int = 1,
    router: str = "round_robin",
    sla: SLA | None = None,
    record_steps: bool = True,
    validate: bool = False,
    keep_stats: bool = False,
    max_steps: int | None = None,
    engine: EngineProfile | str | None = None,
    progress: Callable[[int, int], Any] | None = None,
    speculative: Any = None,
    spec_seed: int | None = None,
    cpu_tier: Any = None,
    prefix_keys: Sequence[Sequence[Hashable]] | None = None,
    precomputed: Sequence[int] | None = None,
) -> SimResult:
    """Run ``workload`` on ``dp`` engines of ``cm`` under ``sched``; see the module docstring.

    ``engine`` (a profile or preset name) builds ``sched`` with :meth:`SchedulerConfig.from_engine`
    when ``sched`` is None. ``record_steps`` keeps the per-step timeline; ``keep_stats`` also keeps
    each step's priced ``BatchStats`` (``SimResult.step_stats``); ``validate`` recomputes every
    step's stats with ``cm.stats_for_batch`` and checks the KV block accounting (slow; for tests).
    ``progress(done_requests, total)`` is called every 1024 events; returning ``False`` raises
    :class:`SimulationStopped`. ``max_steps`` (None: no limit) bounds the steps.

    ``precomputed`` (one count per request): prompt tokens whose KV arrives with the request (PD
    disaggregation: computed by a prefill engine and transferred); on its first admission they are
    in the cache (they take blocks, are not prefix-cache hits), at most ``prompt − 1`` so the engine
    runs one step for the request before it samples; a preempted request recomputes them.

    ``prefix_keys`` (one sequence per request): the keys of its leading KV blocks for the shared
    prefix cache (``prefix_caching=True``); a :class:`~dashboard.sim.traces.TraceWorkload` with
    ``hash_ids`` supplies them itself (:func:`~dashboard.sim.traces.kv_block_keys`).

    ``speculative`` (a :class:`~dashboard.features.speculative.SpeculativeConfig`) runs decodes
    with speculative decoding (:mod:`dashboard.sim.spec_decode`); accepted tokens are drawn with
    ``spec_seed`` (default: the workload config's seed, else 0).

    ``cpu_tier`` (a :class:`~dashboard.features.kv_offload.CpuTierConfig`, with prefix caching)
    adds a host-memory KV tier (:mod:`dashboard.sim.kv_cpu_tier`): cached blocks evicted from HBM
    are written there and a prefix hit in it is loaded over the host link instead of recomputed.

    Raises ``ValueError`` for a configuration that cannot serve the workload (no KV blocks, a
    request larger than the whole KV cache, an unknown router)."""
    if sched is None:
        sched = SchedulerConfig.from_engine(engine, cm.hw, cm.par.tp) if engine is not None else SchedulerConfig()
    if spec_seed is None:
        spec_seed = workload.seed if isinstance(workload, WorkloadConfig) else 0
    if hasattr(workload, "hash_ids") and hasattr(workload, "workload"):  # a TraceWorkload
        tw: Any = workload
        trace_wl: Workload = tw.workload
        workload = trace_wl
        if prefix_keys is None and tw.hash_ids is not None and tw.hash_block_size:
            from dashboard.sim.traces import kv_block_keys

            prefix_keys = [
                kv_block_keys(ids, tw.hash_block_size, sched.block_size, p)
                for ids, p in zip(tw.hash_ids, trace_wl.prompt, strict=True)
            ]
    if isinstance(workload, WorkloadConfig):
        workload = make_workload(workload)
    check_value("dp", dp, param_specs(ParallelConfig)["dp"], "int")  # declared once
    Routing(router)  # declared once: ValueError naming the field
    bs = sched.block_size
    longest = max(p + o for p, o in zip(workload.prompt, workload.output, strict=True))
    if speculative is not None:
        from dashboard.sim.spec_decode import spec_kv_blocks

        if not sched.chunked_prefill:
            raise ValueError("speculative decoding is simulated with chunked prefill (vLLM V1's scheduler)")
        longest += speculative.k  # KV slots for the drafts of the last step
        nblocks = (
            sched.num_kv_blocks if sched.num_kv_blocks is not None else spec_kv_blocks(cm, sched, speculative, longest)
        )
    else:
        nblocks = sched.num_kv_blocks if sched.num_kv_blocks is not None else kv_blocks_for(cm, sched, longest)
    ranks = cm.par.attention_dp
    per_rank = nblocks // ranks
    if per_rank < 1:
        raise ValueError(
            f"no KV block of block_size={bs} tokens fits beside the weights on this hardware "
            "(0 blocks); lower block_size, raise TP, use a smaller dtype or more HBM"
        )
    if not sched.chunked_prefill and max(workload.prompt) > sched.max_num_batched_tokens:
        raise ValueError(
            f"max_num_batched_tokens ({sched.max_num_batched_tokens}) must be at least the longest prompt "
            f"({max(workload.prompt)} tokens) without chunked prefill, as vLLM and TensorRT-LLM require "
            "(raise it or enable chunked prefill)"
        )
    need_max = -(-(longest - 1) // bs)
    if need_max > per_rank:
        raise ValueError(
            f"a request of {longest} tokens needs {need_max} KV blocks of {bs} tokens, "
            f"but the cache holds only {per_rank}" + (" per DP rank" if ranks > 1 else "")
        )
    if prefix_keys is not None and len(prefix_keys) != workload.num_requests:
        raise ValueError(f"prefix_keys has {len(prefix_keys)} entries for {workload.num_requests} requests")
    if precomputed is not None and (len(precomputed) != workload.num_requests or min(precomputed, default=0) < 0):
        raise ValueError("precomputed needs one non-negative token count per request")
    sim = _Sim(
        cm, workload, sched, per_rank, dp, ranks, router, record_steps, validate, max_steps, progress, prefix_keys
    )
    sim.keep_stats = keep_stats
    if precomputed is not None:
        for r, k in zip(sim.reqs, precomputed, strict=True):
            r.pre = min(int(k), r.prompt - 1)
    if cpu_tier is not None:
        from dashboard.sim.kv_cpu_tier import attach_cpu_tier

        attach_cpu_tier(sim, cpu_tier, longest)
    if speculative is not None:
        from dashboard.sim.spec_decode import SpecState

        sim.spec = SpecState(cm, speculative, spec_seed)
        sim.validate = False  # the incremental decode sums are not used
    sim.run()
    return sim.result(sla)


class _Sim:
    def __init__(
        self,
        cm: CostModel,
        wl: Workload,
        sched: SchedulerConfig,
        per_rank: int,
        dp: int,
        ranks: int,
        router: str,
        record: bool,
        validate: bool,
        max_steps: int | None,
        progress: Callable[[int, int], Any] | None,
        prefix_keys: Sequence[Sequence[Hashable]] | None = None,
    ) -> None:
        self.cm = cm
        self.wl = wl
        self.sched = sched
        self.ranks = ranks
        self.nblocks = per_rank * ranks
        self.window = cm.window
        self.engines = [EngineState(i, sched.block_size, per_rank, cm.window) for i in range(dp * ranks)]
        self.groups = [self.engines[g * ranks : (g + 1) * ranks] for g in range(dp)]
        self.router = router
        self.rr = 0
        self.record = record
        self.validate = validate
        self.max_steps = max_steps
        self.progress = progress
        n = wl.num_requests
        self.reqs = [Req(i, wl.arrival_s[i], wl.prompt[i], wl.output[i]) for i in range(n)]
        if sched.prefix_caching:
            self._set_keys(wl, prefix_keys)
        self.heap: list[tuple[float, int, int, int]] = []
        self.seq = 0
        self.closed = wl.concurrency
        self.issued = 0
        self.done = 0
        self.cache: dict[BatchStats, tuple[float, float, float]] = {}  # stats → (seconds, FLOPs, bytes)
        self.itl_vals: list[float] = []
        self.itl_w: list[int] = []
        self.steps: dict[str, list[float]] = {
            k: []
            for k in (
                "engine",
                "start_s",
                "dur_s",
                "prefill_tokens",
                "prefill_seqs",
                "decode_seqs",
                "running",
                "waiting",
                "kv_blocks_used",
                "preemptions",
            )
        }
        self.n_steps = 0
        self.n_preempt = 0
        self.n_admitted = 0
        self.peak_blocks = 0
        self.flops = 0.0
        self.bytes = 0.0
        self.t_end = 0.0
        self.keep_stats = False
        self.step_stats: list[BatchStats] = []
        self.group_pending: list[Any] = [None] * dp
        self.busy = [False] * dp
        self.spec: Any = None  # dashboard.sim.spec_decode.SpecState when speculating
        self.gne = sched.admission == "guaranteed_no_evict"
        self.tier_cfg: Any = None  # dashboard.features.kv_offload.CpuTierConfig with a CPU KV tier

    def _set_keys(self, wl: Workload, prefix_keys: Sequence[Sequence[Hashable]] | None) -> None:
        """Block keys of each request's shareable prefix: ``prefix_keys``, else the workload's trace
        ``hash_ids`` (one key per full KV block they cover, :func:`~dashboard.sim.traces.kv_block_keys`),
        else with ``prefix_cache_hit`` h a prefix of ``floor(h·prompt/block_size)`` blocks common to all."""
        bs = self.sched.block_size
        h = self.sched.prefix_cache_hit
        ids: Any = prefix_keys
        if ids is None:
            ids = getattr(wl, "hash_ids", None)
            hbs = getattr(wl, "hash_block_size", None)
            if ids is not None and hbs:
                from dashboard.sim.traces import kv_block_keys

                ids = [kv_block_keys(tuple(x), hbs, bs, r.prompt) for x, r in zip(ids, self.reqs, strict=True)]
        for i, r in enumerate(self.reqs):
            if ids is not None and ids[i]:
                r.keys = tuple(ids[i])
            elif h > 0:
                r.keys = tuple(range(int(h * r.prompt) // bs))

    # ------------------------------------------------------------------ events
    def push(self, t: float, kind: int, payload: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, kind, self.seq, payload))

    def run(self) -> None:
        n = len(self.reqs)
        ovh = self.sched.per_request_s
        if self.closed:
            first = min(self.closed, n)
            for i in range(first):
                self.reqs[i].arrival = 0.0
                self.push(ovh, _ARRIVE, i)
            self.issued = first
        else:
            self.heap = [(self.reqs[i].arrival + ovh, _ARRIVE, i, i) for i in range(n)]
            heapq.heapify(self.heap)
            self.seq = n
            self.issued = n
        heap = self.heap
        pop = heapq.heappop
        groups = self.groups
        progress = self.progress
        max_steps = self.max_steps
        events = 0
        while heap:
            t, kind, _, payload = pop(heap)
            if kind == _STEP_END:
                self.finish_step(payload, t)
                if heap and heap[0][0] <= t:  # arrivals / other step ends at t go first
                    self.push(t, _SCHEDULE, payload)
                elif not self.start_step(payload, groups[payload], t):
                    self.busy[payload] = False
            elif kind == _SCHEDULE:
                if not self.start_step(payload, groups[payload], t):
                    self.busy[payload] = False
            else:
                self.arrive(self.reqs[payload], t, t - ovh)
            events += 1
            if progress is not None and not events & 1023 and progress(self.done, n) is False:
                raise SimulationStopped(f"stopped after {self.done} of {n} requests")
            if max_steps is not None and self.n_steps > max_steps:
                raise ValueError(f"simulation exceeded {max_steps} steps")
        if progress is not None:
            progress(self.done, n)
        if self.done != n:  # pragma: no cover - a scheduler bug, not user input
            raise RuntimeError(f"simulation ended with {self.done} of {n} requests finished")

    def arrive(self, r: Req, t: float, arrival: float) -> None:
        """``r`` reaches the scheduler at ``t`` (its client sent it at ``arrival``)."""
        eng = pick_engine(self.router, self.engines, self.rr)
        self.rr += 1
        g = eng.idx // self.ranks
        r.engine = eng.idx
        r.arrival = arrival
        if self.sched.async_scheduling and self.group_pending[g] is not None:
            r.min_step = eng.nstep + 2  # the next step was scheduled when this one started
        eng.waiting.append(r)
        eng.outstanding += r.prompt + r.out
        if not self.busy[g]:
            self.busy[g] = True
            self.push(t, _SCHEDULE, g)

    # ------------------------------------------------------------------ scheduling
    def preempt(self, eng: EngineState, r: Req) -> None:
        if r.state == DECODE and self.spec is not None:
            eng.spec_dec.remove(r)
        elif r.state == DECODE:
            eng.leave_decode(r)
        else:
            eng.prefilling.remove(r)
        kv = eng.kv
        if self.sched.prefix_caching:
            self._cache_computed(kv, r)
            kv.release(r.refs)
            r.refs = []
        kv.give(r.blocks)
        eng.outstanding += r.computed
        r.blocks = 0
        r.computed = 0
        r.resv = 0
        r.state = WAITING
        r.preempts += 1
        self.n_preempt += 1
        eng.waiting.appendleft(r)

    def _cache_computed(self, kv: Any, r: Req) -> None:
        """Turn ``r``'s fully computed private blocks into cached blocks it references."""
        bs = self.sched.block_size
        nfull = min(r.computed // bs, len(r.refs) + r.blocks)
        keys, rid = r.keys, r.rid
        for j in range(len(r.refs), nfull):
            k = keys[j] if j < len(keys) else ("own", rid, j)
            if not kv.register(k):
                break
            r.refs.append(k)
            r.blocks -= 1

    def victim(self, eng: EngineState, among: list[Req] | None = None) -> Req | None:
        pool: Any = among if among is not None else [*eng.decoders.values(), *eng.prefilling, *eng.spec_dec]
        return pick_victim(self.sched.preempt, eng, pool)

    def start_step(self, g: int, ranks: list[EngineState], t: float) -> bool:
        """Schedule one step of engine ``g`` (all its DP ranks) at ``t``; False if idle."""
        if self.ranks == 1:
            part = self.schedule_rank(ranks[0], t)
            if part is None:
                return False
            parts = [part]
        else:
            parts = [p for p in (self.schedule_rank(eng, t) for eng in ranks) if p is not None]
            if not parts:
                return False
        sched = self.sched
        if len(parts) == 1:
            eng, chunks, n_dec, priced, n_pre = parts[0]
            if self.spec is None:
                cache = self.cache
                hit = cache.get(priced)
                if hit is None:  # one pass over the cost model's ops; cached by composition
                    hit = self.cm.step_summary(scale_stats(priced, self.ranks) if self.ranks > 1 else priced)
                    if len(cache) > 200_000:
                        cache.clear()
                    cache[priced] = hit
                gpu, flops, nbytes = hit
            else:
                gpu, flops, nbytes = self._spec_summary(eng, chunks, priced.sampled - n_dec)
                n_dec += len(eng.spec_batch)
            running = eng.running()
            p_tok, p_seqs, waiting = priced.prefill_tokens, priced.prefill_seqs, len(eng.waiting)
        else:
            best = None
            for part in parts:
                if self.spec is None:
                    hit = price_step(self.cm, self.cache, part[3], self.ranks)
                else:
                    hit = self._spec_summary(part[0], part[1], part[3].sampled - part[2])
                if best is None or hit[0] > best[0][0]:
                    best = (hit, part[3])
            (gpu, flops, nbytes), priced = best  # type: ignore[misc]
            running = sum(e.running() for e in ranks)
            p_tok = sum(p[3].prefill_tokens for p in parts)
            p_seqs = sum(p[3].prefill_seqs for p in parts)
            n_dec = sum(p[2] + len(p[0].spec_batch) for p in parts)
            n_pre = sum(p[4] for p in parts)
            waiting = sum(len(e.waiting) for e in ranks)
        if self.tier_cfg is not None:  # KV loaded from the CPU tier for this step's admissions
            gpu = self._kv_load(ranks, gpu)
        host = (
            host_step_s(sched.per_step_s, sched.per_step_per_seq_s, running)
            if sched.per_step_s or sched.per_step_per_seq_s
            else 0.0
        )
        dur = step_wall_s(gpu, host, sched.async_scheduling)
        self.n_steps += 1
        self.flops += flops
        self.bytes += nbytes
        if self.keep_stats:
            self.step_stats.append(priced)
        ranks[0].busy_s += dur  # engine busy time (its ranks step together)
        used = 0
        for e in ranks:
            used += e.num_blocks - e.kv.free
        if used > self.peak_blocks:
            self.peak_blocks = used
        if self.record:
            s = self.steps
            s["engine"].append(g)
            s["start_s"].append(t)
            s["dur_s"].append(dur)
            s["prefill_tokens"].append(p_tok)
            s["prefill_seqs"].append(p_seqs)
            s["decode_seqs"].append(n_dec)
            s["running"].append(running)
            s["waiting"].append(waiting)
            s["kv_blocks_used"].append(used)
            s["preemptions"].append(n_pre)
        for part in parts:
            part[0].pending = (part[1], part[2], dur, part[3].prefill_tokens)
        self.group_pending[g] = parts
        self.push(t + dur, _STEP_END, g)
        return True

    def schedule_rank(self, eng: EngineState, t: float) -> Any:
        """One rank's share of a step: decodes, continuing prefill chunks, then admissions."""
        sched = self.sched
        bs = sched.block_size
        kv = eng.kv
        step_idx = eng.nstep + 1
        budget = sched.max_num_batched_tokens
        preempted_before = self.n_preempt
        chunks: list[tuple[Req, int, int]] = []  # (req, new, prefix)
        gne = self.gne
        n_dec = len(eng.decoders)
        if n_dec:
            r_next = eng.dctr + 1
            if self.window is not None:
                for r, ver in eng.sat_at.pop(r_next, ()):
                    if r.ver == ver and r.state == DECODE:
                        r.sat = True
                        eng.n_sat += 1
                        eng.s_unsat_off1 -= r.off + 1
            if not gne:
                need = eng.res[(-r_next) % bs]
                while need > kv.free:
                    v = self.victim(eng)
                    if v is None:
                        break
                    self.preempt(eng, v)
                    need = eng.res[(-r_next) % bs]
                n_dec = len(eng.decoders)
                if n_dec and need:
                    kv.take(need)
            budget -= n_dec
        if self.spec is not None:
            from dashboard.sim.spec_decode import spec_schedule

            budget = spec_schedule(self, eng, budget)
        # continuing partial prefills
        if eng.prefilling and budget > 0:
            pending = list(eng.prefilling)
            i = 0
            while i < len(pending) and budget > 0:
                r = pending[i]
                if r.state != PREFILL:
                    i += 1
                    continue
                new = min(r.prompt + r.g - r.computed, budget)
                need = 0 if gne else -(-(r.computed + new) // bs) - r.blocks - len(r.refs)
                ok = True
                while need > kv.free:
                    v = self.victim(eng, [x for x in pending[i:] if x.state == PREFILL])
                    self.preempt(eng, v)  # type: ignore[arg-type]
                    if v is r:
                        ok = False
                        break
                if ok:
                    if need:
                        kv.take(need)
                        r.blocks += need
                    chunks.append((r, new, r.computed))
                    budget -= new
                i += 1
        if eng.waiting and self.n_preempt == preempted_before:
            self._admit(eng, t, step_idx, chunks, n_dec, budget)
        if not chunks and not n_dec and not eng.spec_batch:
            return None
        eng.nstep = step_idx
        stats = step_stats(eng, chunks, n_dec, self.window)
        if self.validate:
            self._check(eng, chunks, n_dec, stats)
        return eng, chunks, n_dec, stats, self.n_preempt - preempted_before

    def _admit(
        self, eng: EngineState, t: float, step_idx: int, chunks: list[tuple[Req, int, int]], n_dec: int, budget: int
    ) -> None:
        """Admit waiting requests (FCFS, preempted ones first) into the remaining budget under the
        engine's admission rule."""
        sched = self.sched
        bs = sched.block_size
        kv = eng.kv
        waiting = eng.waiting
        running = eng.running()
        rule = sched.admission
        caching = sched.prefix_caching
        while waiting and budget > 0 and running < sched.max_num_seqs:
            r = waiting[0]
            if r.min_step > step_idx and (chunks or n_dec):
                break  # async scheduling: arrived after this step was scheduled
            total = r.prompt + r.g  # tokens to have in the cache before it samples
            hit_keys: list[Any] = []
            idle = 0
            if caching:
                limit = (total - 1) // bs  # at least one token is computed
                keys: Sequence[Hashable] = r.keys
                if r.preempts:
                    keys = [*keys, *(("own", r.rid, j) for j in range(len(keys), limit))]
                nh, idle = kv.probe(keys, limit)
                hit_keys = list(keys[:nh])
                nc = kv.tier.count(keys, nh, limit) if kv.tier is not None else 0  # CPU-tier hits
                computed = (nh + nc) * bs
            else:
                self._admit_hit(r)
                computed = r.computed
            if r.pre and not r.preempts and computed < r.pre:
                computed = r.pre  # KV transferred from a prefill engine (PD)
            rem = total - computed
            if sched.chunked_prefill:
                new = min(rem, budget)
            elif rem <= budget:
                new = rem
            else:
                break
            held = len(hit_keys) + r.blocks
            if rule == "guaranteed_no_evict":
                full = -(-(r.prompt + r.out - 1) // bs)
                need = full - held
                check = need
            else:
                need = -(-(computed + new) // bs) - held
                check = -(-total // bs) - held if rule == "full_prompt" else need
            if max(check, need) + idle > kv.free:
                break
            waiting.popleft()
            if caching:
                if nc:
                    kv.tier.hit(keys[nh : nh + nc])
                    eng.load_blocks += nc
                    if r.preempts == 0:
                        r.cpu_cached = nc * bs
                kv.acquire(hit_keys)
                r.refs = hit_keys
                r.computed = computed
                if r.preempts == 0:
                    r.cached = (nh + nc) * bs
            elif computed > r.computed:
                r.computed = computed  # PD: KV transferred with the request
            kv.take(need)
            r.blocks += need
            if rule == "guaranteed_no_evict":
                r.resv = -(-(r.prompt + r.out - 1) // bs)
            eng.outstanding -= r.computed  # prefix-cache hit: already in the cache
            if math.isnan(r.first_sched):
                r.first_sched = t
            self.n_admitted += 1
            r.admitted = self.n_admitted
            r.state = PREFILL
            eng.prefilling.append(r)
            running += 1
            chunks.append((r, new, r.computed))
            budget -= new

    def _kv_load(self, ranks: list[EngineState], gpu: float) -> float:
        from dashboard.sim.kv_cpu_tier import step_with_kv_load

        return step_with_kv_load(self, ranks, gpu)

    def _spec_summary(self, eng: EngineState, chunks: list[tuple[Req, int, int]], completing: int) -> Any:
        from dashboard.sim.spec_decode import spec_step_summary

        return spec_step_summary(self, eng, chunks, completing)

    def _admit_hit(self, r: Req) -> None:
        """Private-copy prefix model (``prefix_caching=False``): mark the hit share computed."""
        if r.computed == 0 and self.sched.prefix_cache_hit > 0:
            bs = self.sched.block_size
            hit = int(self.sched.prefix_cache_hit * r.prompt) // bs * bs
            hit = min(hit, (r.prompt + r.g - 1) // bs * bs)
            if hit > 0:
                r.computed = hit
                if r.preempts == 0:
                    r.cached = hit

    def _check(self, eng: EngineState, chunks: list[tuple[Req, int, int]], n_dec: int, stats: BatchStats) -> None:
        r_next = eng.dctr + 1
        ctxs = [r.off + 1 + r_next for r in eng.decoders.values()] if n_dec else []
        completing = sum(1 for r, new, prefix in chunks if prefix + new == r.prompt + r.g)
        ref = self.cm.stats_for_batch([(new, prefix) for _, new, prefix in chunks], ctxs, sampled=n_dec + completing)
        if ref != stats:  # pragma: no cover - the incremental sums drifted
            raise AssertionError(f"incremental BatchStats {stats} != stats_for_batch {ref}")
        for r in eng.decoders.values():
            g = r.base_g + eng.dctr - r.d_entry
            assert r.prompt + g == r.off + 1 + r_next
        rr = r_next if n_dec else eng.dctr  # decode blocks are already allocated for this round
        bs = self.sched.block_size
        held = sum((r.resv or -(-(r.off + 1 + rr) // bs)) - len(r.refs) for r in eng.decoders.values())
        held += sum(r.blocks for r in eng.prefilling)
        held += eng.kv.cached_in_use
        assert held == eng.num_blocks - eng.kv.free, (held, eng.num_blocks - eng.kv.free)
        assert eng.kv.free >= len(eng.kv.lru) >= 0

    def finish_step(self, g: int, t: float) -> None:
        parts = self.group_pending[g]
        self.group_pending[g] = None
        if len(parts) == 1:
            self.finish_rank(parts[0][0], t)
            return
        for part in parts:
            self.finish_rank(part[0], t)

    def finish_rank(self, eng: EngineState, t: float) -> None:
        chunks, n_dec, dur, p_tok = eng.pending
        eng.pending = None
        eng.outstanding -= p_tok + n_dec
        if self.spec is not None:
            from dashboard.sim.spec_decode import spec_finish

            spec_finish(self, eng, t)
        if n_dec:
            prev_end = eng.last_round_end
            eng.dctr += 1
            r_now = eng.dctr
            fresh = [r for r, ver in eng.fresh if r.ver == ver and r.state == DECODE]
            eng.fresh = []
            for r in fresh:
                gap = t - r.t_last_tok
                self.itl_vals.append(gap)
                self.itl_w.append(1)
                r.itl_max = max(r.itl_max, gap)
            eng.round_itl.append(t - prev_end)
            cont = n_dec - len(fresh)
            if cont:
                self.itl_vals.append(t - prev_end)
                self.itl_w.append(cont)
            eng.last_round_end = t
            for r, ver in eng.finish_at.pop(r_now, ()):
                if r.ver == ver and r.state == DECODE:
                    eng.leave_decode(r)
                    self._finish(eng, r, t)
        caching = self.sched.prefix_caching
        for r, new, _prefix in chunks:
            if r.state != PREFILL:
                continue
            r.computed += new
            if caching and len(r.refs) < len(r.keys):
                self._cache_computed(eng.kv, r)
            if r.g == 0:
                r.prefill_s += dur
            if r.computed == r.prompt + r.g:
                eng.prefilling.remove(r)
                r.g += 1
                if r.g == 1:
                    r.t_first = t
                else:
                    gap = t - r.t_last_tok
                    self.itl_vals.append(gap)
                    self.itl_w.append(1)
                    r.itl_max = max(r.itl_max, gap)
                r.t_last_tok = t
                if r.g >= r.out:
                    self._finish(eng, r, t)
                elif self.spec is not None:
                    r.state = DECODE
                    eng.spec_dec.append(r)
                else:
                    eng.enter_decode(r, t)

    def _finish(self, eng: EngineState, r: Req, t: float) -> None:
        if r.state == DONE or r.g != r.out:  # pragma: no cover - a scheduler bug, not user input
            raise RuntimeError(f"request {r.rid} finished twice or with {r.g} of {r.out} tokens")
        r.state = DONE
        r.t_finish = t
        r.t_last_tok = t
        if r.refs:
            eng.kv.release(r.refs)
            r.refs = []
        eng.kv.give(r.blocks)
        r.blocks = 0
        r.resv = 0
        eng.outstanding -= 1
        self.done += 1
        self.t_end = max(self.t_end, t)
        if self.closed and self.issued < len(self.reqs):
            i = self.issued
            self.issued += 1
            self.push(t + self.sched.per_request_s, _ARRIVE, i)

    # ------------------------------------------------------------------ results
    def result(self, sla: SLA | None) -> SimResult:
        rq = self.reqs
        arr = np.array([r.arrival for r in rq])
        first = np.array([r.t_first for r in rq])
        fin = np.array([r.t_finish for r in rq])
        out = np.array([r.out for r in rq], dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            tpot = tpot_s(fin - first, out)
        requests = {
            "arrival_s": arr,
            "engine": np.array([r.engine for r in rq], dtype=np.int64),
            "prompt": np.array([r.prompt for r in rq], dtype=np.int64),
            "output": out,
            "first_scheduled_s": np.array([r.first_sched for r in rq]),
            "first_token_s": first,
            "finish_s": fin,
            "prefill_s": np.array([r.prefill_s for r in rq]),
            "ttft_s": first - arr,
            "tpot_s": tpot,
            "e2e_s": fin - arr,
            "queue_s": np.array([r.first_sched for r in rq]) - arr,
            "preemptions": np.array([r.preempts for r in rq], dtype=np.int64),
            "cached_tokens": np.array([r.cached for r in rq], dtype=np.int64),
            "cpu_cached_tokens": np.array([r.cpu_cached for r in rq], dtype=np.int64),
            "generated": np.array([r.g for r in rq], dtype=np.int64),
            "itl_max_s": np.array([r.itl_max if r.out > 1 else math.nan for r in rq]),
        }
        steps = {k: np.asarray(v) for k, v in self.steps.items()}
        cm = self.cm
        busy = sum(e.busy_s for e in self.engines)
        peak = cm.hw.peak_flops(gemm_compute_dtype(cm.dt.weight, cm.dt.activation))
        util = {
            "flops_per_gpu": self.flops,
            "bytes_per_gpu": self.bytes,
            "peak_flops": peak,
            "hbm_bytes_per_s": cm.hw.hbm_bytes_per_s,
            "busy_s": busy,
            "engine_gpus": cm.par.engine_gpus,
        }
        summary = summarize(
            requests,
            steps,
            np.asarray(self.itl_vals),
            np.asarray(self.itl_w, dtype=np.float64),
            util,
            dp=len(self.groups),
            num_steps=self.n_steps,
            preemptions=self.n_preempt,
            peak_blocks=self.peak_blocks,
            num_blocks=self.nblocks,
            sla=sla,
        )
        summary["prefix_cache_evictions"] = sum(e.kv.evictions for e in self.engines)
        if self.spec is not None:
            from dashboard.sim.spec_decode import spec_summary

            summary.update(spec_summary(self))
        if self.tier_cfg is not None:
            from dashboard.sim.kv_cpu_tier import tier_summary

            summary.update(tier_summary(self))
        return SimResult(
            requests=requests,
            steps=steps,
            itl_values_s=np.asarray(self.itl_vals),
            itl_weights=np.asarray(self.itl_w, dtype=np.float64),
            summary=summary,
            num_kv_blocks=self.nblocks,
            config={"scheduler": self.sched, "dp": len(self.groups), "router": self.router, "ranks": self.ranks},
            step_stats=self.step_stats,
        )
