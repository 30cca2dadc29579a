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
(long prompts split across steps). ``chunked_prefill=False`` is the prefill-first policy of vLLM V0:
when a waiting prompt fits whole, the step prefills whole prompts only; otherwise it decodes.

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

**Data parallelism.** ``dp`` identical engines behind a router (``round_robin`` or
``least_outstanding_tokens``) in one event heap ordered by ``(time, kind, seq)``: arrivals, then
step ends, then schedule decisions at equal times (a request that arrives when a step ends joins the
next step). No module-level state; the same inputs and seed give the same result.

**Utilisation.** ``cm.step_summary(stats)`` returns ``(step_time_s(stats), FLOPs, HBM bytes)`` per
GPU from one pass over the cost model's op list (the same FLOPs and bytes ``cm.price(stats)``
reports), so MFU and HBM utilisation are exact, not sampled. Step prices are cached by composition
(a dict per run), so repeated compositions cost one lookup.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from dashboard.features.batch import BatchStats, attention_pairs
from dashboard.features.cost_model import CostModel
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.features.memory import memory_breakdown
from dashboard.sim.metrics import SLA, summarize
from dashboard.sim.workload import ARRIVALS, LENGTH_DISTS, Workload, WorkloadConfig, make_workload, workload_from_trace

__all__ = [
    "ARRIVALS",
    "LENGTH_DISTS",
    "PREEMPT_ORDERS",
    "ROUTERS",
    "SLA",
    "SchedulerConfig",
    "SimResult",
    "Workload",
    "WorkloadConfig",
    "kv_blocks_for",
    "make_workload",
    "simulate",
    "workload_from_trace",
]

Router = Literal["round_robin", "least_outstanding_tokens"]
ROUTERS: tuple[str, ...] = ("round_robin", "least_outstanding_tokens")
PREEMPT_ORDERS: tuple[str, ...] = ("last_arrived", "last_admitted")

_WAITING, _PREFILL, _DECODE, _DONE = 0, 1, 2, 3
_ARRIVE, _STEP_END, _SCHEDULE = 0, 1, 2


@dataclass(frozen=True)
class SchedulerConfig:
    """One engine's scheduler (vLLM names). ``num_kv_blocks=None`` takes the count from the
    memory model: KV budget at ``gpu_memory_utilization`` ÷ bytes of one block. ``preempt``
    picks the recompute victim among running requests: ``last_arrived`` (the latest arrival) or
    ``last_admitted`` (the latest admitted to the running set, re-admissions included: exactly
    vLLM V1's FCFS ``self.running.pop()``); both are the same until a preempted request resumes."""

    max_num_batched_tokens: int = 2048
    max_num_seqs: int = 256
    block_size: int = 16
    num_kv_blocks: int | None = None
    chunked_prefill: bool = True
    prefix_cache_hit: float = 0.0
    gpu_memory_utilization: float = 0.9
    preempt: str = "last_arrived"

    def __post_init__(self) -> None:
        if self.preempt not in PREEMPT_ORDERS:
            raise ValueError(f"preempt must be one of {', '.join(PREEMPT_ORDERS)}, got {self.preempt!r}")
        for name in ("max_num_batched_tokens", "max_num_seqs", "block_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.max_num_batched_tokens < self.max_num_seqs:
            raise ValueError(
                f"max_num_batched_tokens ({self.max_num_batched_tokens}) must be ≥ max_num_seqs "
                f"({self.max_num_seqs}), as vLLM requires"
            )
        if self.num_kv_blocks is not None and (
            isinstance(self.num_kv_blocks, bool) or not isinstance(self.num_kv_blocks, int) or self.num_kv_blocks < 1
        ):
            raise ValueError(f"num_kv_blocks must be a positive integer or None, got {self.num_kv_blocks!r}")
        if not 0.0 <= self.prefix_cache_hit < 1.0:
            raise ValueError(f"prefix_cache_hit must be in [0, 1), got {self.prefix_cache_hit!r}")
        if not 0.0 < self.gpu_memory_utilization <= 1.0:
            raise ValueError(f"gpu_memory_utilization must be in (0, 1], got {self.gpu_memory_utilization!r}")


@dataclass
class SimResult:
    """Per-request arrays (request order), the step timeline and the summary.

    ``requests``: ``arrival_s, engine, prompt, output, first_scheduled_s, first_token_s,
    finish_s, prefill_s`` (duration of the steps carrying its prefill before the first token),
    ``ttft_s, tpot_s, e2e_s, queue_s, preemptions, cached_tokens, generated, itl_max_s`` (its longest
    inter-token gap, e.g. a preemption stall).
    ``steps``: ``engine, start_s, dur_s, prefill_tokens, prefill_seqs, decode_seqs, running,
    waiting, kv_blocks_used, preemptions``. ``itl_values_s``/``itl_weights``: the inter-token
    latency distribution (value, count).
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

    def steps_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.steps)


def kv_blocks_for(cm: CostModel, sched: SchedulerConfig, context: int) -> int:
    """KV blocks of one engine from the shared memory model: the KV budget left beside the
    weights, activations (a step of ``max_num_batched_tokens``) and runtime reserve at
    ``gpu_memory_utilization``, divided by the bytes of ``block_size`` tokens at ``context``."""
    mem = memory_breakdown(
        cm.model, cm.hw, cm.par, cm.dt, context=max(1, context),
        reserved_fraction=1.0 - sched.gpu_memory_utilization,
        max_batched_tokens=sched.max_num_batched_tokens, max_seqs=sched.max_num_seqs,
    )
    if mem.kv_budget_bytes <= 0:
        return 0
    # with DP attention (ep > tp) each of the attention_dp groups holds the KV of its own sequences
    per_group = int(mem.kv_budget_bytes // (mem.kv_bytes_per_token * sched.block_size))
    return per_group * cm.par.attention_dp


class _Req:
    __slots__ = (
        "admitted",
        "arrival",
        "base_g",
        "blocks",
        "cached",
        "computed",
        "d_entry",
        "engine",
        "first_sched",
        "g",
        "itl_max",
        "off",
        "out",
        "preempts",
        "prefill_s",
        "prompt",
        "rid",
        "sat",
        "state",
        "t_finish",
        "t_first",
        "t_last_tok",
        "ver",
    )

    def __init__(self, rid: int, arrival: float, prompt: int, out: int) -> None:
        self.rid = rid
        self.arrival = arrival
        self.prompt = prompt
        self.out = out
        self.engine = -1
        self.state = _WAITING
        self.g = 0  # tokens generated (valid outside the decode set; inside: base_g + dctr − d_entry)
        self.computed = 0  # tokens in the KV cache (valid outside the decode set)
        self.blocks = 0  # KV blocks held (valid outside the decode set)
        self.base_g = 0
        self.d_entry = 0
        self.off = 0
        self.ver = 0
        self.sat = False
        self.first_sched = math.nan
        self.t_first = math.nan
        self.t_finish = math.nan
        self.t_last_tok = math.nan
        self.prefill_s = 0.0
        self.itl_max = 0.0  # longest gap between two of its tokens
        self.admitted = 0  # order of its latest admission to the running set
        self.preempts = 0
        self.cached = 0


class _Engine:
    """One engine: its queues, KV blocks and the incrementally kept decode sums."""

    def __init__(self, idx: int, sched: SchedulerConfig, num_blocks: int, window: int | None) -> None:
        self.idx = idx
        self.busy = False
        self.waiting: deque[_Req] = deque()
        self.prefilling: list[_Req] = []
        self.free = num_blocks
        self.num_blocks = num_blocks
        self.outstanding = 0
        self.busy_s = 0.0
        # decode set
        self.decoders: dict[int, _Req] = {}
        self.dctr = 0  # decode rounds completed
        self.s_off1 = 0  # Σ (off + 1) over decoders
        self.res = [0] * sched.block_size  # decoders per (off mod block_size)
        self.maxheap: list[int] = []  # −off, lazy deletion
        self.removed: dict[int, int] = {}
        self.finish_at: dict[int, list[tuple[_Req, int]]] = {}
        self.window = window
        self.sat_at: dict[int, list[tuple[_Req, int]]] = {}
        self.n_sat = 0
        self.s_unsat_off1 = 0
        self.fresh: list[tuple[_Req, int]] = []  # entered since the last round (first ITL from t_last_tok)
        self.last_round_end = 0.0
        self.round_itl: list[float] = []  # [r − 1]: end of decode round r − end of round r − 1
        # step in flight
        self.pending: Any = None
        # speculative decoding (dashboard/sim/spec_decode.py): decodes stepped explicitly
        self.spec_dec: list[_Req] = []
        self.spec_batch: list[tuple[_Req, int]] = []

    def running(self) -> int:
        return len(self.decoders) + len(self.prefilling) + len(self.spec_dec)

    # ---- decode set
    def enter_decode(self, r: _Req, t: float) -> None:
        e = self.dctr
        r.state = _DECODE
        r.ver += 1
        r.base_g = r.g
        r.d_entry = e
        off = r.prompt + r.g - 2 - e
        r.off = off
        self.decoders[r.rid] = r
        self.s_off1 += off + 1
        self.res[off % len(self.res)] += 1
        heapq.heappush(self.maxheap, -off)
        fin = e + r.out - r.g
        self.finish_at.setdefault(fin, []).append((r, r.ver))
        r.t_last_tok = t
        self.fresh.append((r, r.ver))
        if self.window is not None:
            rs = self.window - off - 1
            if rs <= e + 1:
                r.sat = True
                self.n_sat += 1
            else:
                r.sat = False
                self.s_unsat_off1 += off + 1
                self.sat_at.setdefault(rs, []).append((r, r.ver))

    def leave_decode(self, r: _Req) -> None:
        """Remove ``r`` from the decode set, materialising its g / computed / blocks."""
        del self.decoders[r.rid]
        off = r.off
        self.s_off1 -= off + 1
        self.res[off % len(self.res)] -= 1
        self.removed[-off] = self.removed.get(-off, 0) + 1
        if self.window is not None:
            if r.sat:
                self.n_sat -= 1
            else:
                self.s_unsat_off1 -= off + 1
        d = self.dctr
        r.g = r.base_g + d - r.d_entry
        r.computed = r.prompt + r.g - 1
        bs = len(self.res)
        r.blocks = -(-r.computed // bs)
        if d > r.d_entry:
            r.t_last_tok = self.last_round_end
            if d > r.d_entry + 1:  # rounds e+2 … d followed one of its own rounds
                gap = max(self.round_itl[r.d_entry + 1 : d])
                r.itl_max = max(r.itl_max, gap)
        r.ver += 1

    def max_off(self) -> int:
        h, rem = self.maxheap, self.removed
        while h:
            top = h[0]
            c = rem.get(top)
            if c:
                heapq.heappop(h)
                if c == 1:
                    del rem[top]
                else:
                    rem[top] = c - 1
            else:
                return -top
        return 0


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
    max_steps: int = 5_000_000,
    speculative: Any = None,
    spec_seed: int | None = None,
) -> SimResult:
    """Run ``workload`` on ``dp`` engines of ``cm`` under ``sched``; see the module docstring.

    ``record_steps`` keeps the per-step timeline; ``keep_stats`` also keeps each step's
    ``BatchStats`` (``SimResult.step_stats``); ``validate`` recomputes every step's stats with
    ``cm.stats_for_batch`` and checks the KV block accounting (slow; for tests).

    ``speculative`` (a :class:`~dashboard.features.speculative.SpeculativeConfig`) runs decodes
    with speculative decoding (:mod:`dashboard.sim.spec_decode`); accepted tokens are drawn with
    ``spec_seed`` (default: the workload config's seed, else 0).

    Raises ``ValueError`` for a configuration that cannot serve the workload (no KV blocks, a
    request larger than the whole KV cache, an unknown router)."""
    sched = sched or SchedulerConfig()
    if spec_seed is None:
        spec_seed = workload.seed if isinstance(workload, WorkloadConfig) else 0
    if isinstance(workload, WorkloadConfig):
        workload = make_workload(workload)
    if isinstance(dp, bool) or not isinstance(dp, int) or dp < 1:
        raise ValueError(f"dp must be a positive integer, got {dp!r}")
    if router not in ROUTERS:
        raise ValueError(f"router must be one of {', '.join(ROUTERS)}, got {router!r}")
    bs = sched.block_size
    longest = max(p + o for p, o in zip(workload.prompt, workload.output, strict=True))
    if speculative is not None:
        from dashboard.sim.spec_decode import spec_kv_blocks

        if not sched.chunked_prefill:
            raise ValueError("speculative decoding is simulated with chunked prefill (vLLM V1's scheduler)")
        longest += speculative.k  # KV slots for the drafts of the last step
        nblocks = sched.num_kv_blocks if sched.num_kv_blocks is not None else spec_kv_blocks(
            cm, sched, speculative, longest)
    else:
        nblocks = sched.num_kv_blocks if sched.num_kv_blocks is not None else kv_blocks_for(cm, sched, longest)
    if nblocks < 1:
        raise ValueError("no KV cache fits beside the weights on this hardware (0 blocks); "
                         "raise TP, use a smaller dtype or more HBM")
    need_max = -(-(longest - 1) // bs)
    if need_max > nblocks:
        raise ValueError(f"a request of {longest} tokens needs {need_max} KV blocks of {bs} tokens, "
                         f"but the cache holds only {nblocks}")
    sim = _Sim(cm, workload, sched, nblocks, dp, router, record_steps, validate, max_steps)
    sim.keep_stats = keep_stats
    if speculative is not None:
        from dashboard.sim.spec_decode import SpecState

        sim.spec = SpecState(cm, speculative, spec_seed)
        sim.validate = False  # the incremental decode sums are not used
    sim.run()
    return sim.result(sla)


class _Sim:
    def __init__(self, cm: CostModel, wl: Workload, sched: SchedulerConfig, nblocks: int, dp: int, router: str,
                 record: bool, validate: bool, max_steps: int) -> None:
        self.cm = cm
        self.wl = wl
        self.sched = sched
        self.nblocks = nblocks
        self.window = cm.window
        self.engines = [_Engine(i, sched, nblocks, cm.window) for i in range(dp)]
        self.router = router
        self.rr = 0
        self.record = record
        self.validate = validate
        self.max_steps = max_steps
        n = wl.num_requests
        self.reqs = [_Req(i, wl.arrival_s[i], wl.prompt[i], wl.output[i]) for i in range(n)]
        self.heap: list[tuple[float, int, int, int]] = []
        self.seq = 0
        self.closed = wl.concurrency
        self.issued = 0
        self.done = 0
        self.cache: dict[BatchStats, tuple[float, float, float]] = {}  # stats → (seconds, FLOPs, bytes)
        self.itl_vals: list[float] = []
        self.itl_w: list[int] = []
        self.steps: dict[str, list[float]] = {k: [] for k in (
            "engine", "start_s", "dur_s", "prefill_tokens", "prefill_seqs", "decode_seqs", "running", "waiting",
            "kv_blocks_used", "preemptions")}
        self.n_steps = 0
        self.n_preempt = 0
        self.n_admitted = 0
        self.peak_blocks = 0
        self.flops = 0.0
        self.bytes = 0.0
        self.t_end = 0.0
        self.keep_stats = False
        self.step_stats: list[BatchStats] = []
        self.spec: Any = None  # dashboard.sim.spec_decode.SpecState when speculating

    # ------------------------------------------------------------------ events
    def push(self, t: float, kind: int, payload: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, kind, self.seq, payload))

    def run(self) -> None:
        n = len(self.reqs)
        if self.closed:
            first = min(self.closed, n)
            for i in range(first):
                self.reqs[i].arrival = 0.0
                self.push(0.0, _ARRIVE, i)
            self.issued = first
        else:
            self.heap = [(self.reqs[i].arrival, _ARRIVE, i, i) for i in range(n)]
            heapq.heapify(self.heap)
            self.seq = n
            self.issued = n
        heap = self.heap
        pop = heapq.heappop
        engines = self.engines
        while heap:
            t, kind, _, payload = pop(heap)
            if kind == _STEP_END:
                eng = engines[payload]
                self.finish_step(eng, t)
                self.push(t, _SCHEDULE, payload)
            elif kind == _SCHEDULE:
                eng = engines[payload]
                if not self.start_step(eng, t):
                    eng.busy = False
            else:
                self.arrive(self.reqs[payload], t)
            if self.n_steps > self.max_steps:
                raise ValueError(f"simulation exceeded {self.max_steps} steps")
        if self.done != n:  # pragma: no cover - a scheduler bug, not user input
            raise RuntimeError(f"simulation ended with {self.done} of {n} requests finished")

    def arrive(self, r: _Req, t: float) -> None:
        engines = self.engines
        if len(engines) == 1:
            eng = engines[0]
        elif self.router == "round_robin":
            eng = engines[self.rr % len(engines)]
            self.rr += 1
        else:
            eng = min(engines, key=lambda e: (e.outstanding, e.idx))
        r.engine = eng.idx
        r.arrival = t
        eng.waiting.append(r)
        eng.outstanding += r.prompt + r.out
        if not eng.busy:
            eng.busy = True
            self.push(t, _SCHEDULE, eng.idx)

    # ------------------------------------------------------------------ scheduling
    def preempt(self, eng: _Engine, r: _Req) -> None:
        if r.state == _DECODE and self.spec is not None:
            eng.spec_dec.remove(r)
        elif r.state == _DECODE:
            eng.leave_decode(r)
        else:
            eng.prefilling.remove(r)
        eng.free += r.blocks
        eng.outstanding += r.computed
        r.blocks = 0
        r.computed = 0
        r.state = _WAITING
        r.preempts += 1
        self.n_preempt += 1
        eng.waiting.appendleft(r)

    def victim(self, eng: _Engine, among: list[_Req] | None = None) -> _Req | None:
        pool: Any = among if among is not None else [*eng.decoders.values(), *eng.prefilling, *eng.spec_dec]
        if self.sched.preempt == "last_admitted":
            return max(pool, key=lambda r: r.admitted, default=None)
        return max(pool, key=lambda r: (r.arrival, r.rid), default=None)

    def start_step(self, eng: _Engine, t: float) -> bool:
        """Schedule one step of ``eng`` at ``t``; False if it has nothing to do."""
        sched = self.sched
        bs = sched.block_size
        budget = sched.max_num_batched_tokens
        preempted_before = self.n_preempt
        chunks: list[tuple[_Req, int, int]] = []  # (req, new, prefix)
        do_decode = bool(eng.decoders)
        if not sched.chunked_prefill and eng.waiting and eng.running() < sched.max_num_seqs:
            # prefill-first: prefill whole prompts when one fits, else decode
            head = eng.waiting[0]
            self._admit_hit(head)
            rem = head.prompt + head.g - head.computed
            need = -(-(head.computed + rem) // bs) - head.blocks
            if need <= eng.free:
                do_decode = False
        if do_decode:
            r_next = eng.dctr + 1
            if self.window is not None:
                for r, ver in eng.sat_at.pop(r_next, ()):
                    if r.ver == ver and r.state == _DECODE:
                        r.sat = True
                        eng.n_sat += 1
                        eng.s_unsat_off1 -= r.off + 1
            need = eng.res[(-r_next) % bs]
            while need > eng.free:
                v = self.victim(eng)
                if v is None:
                    break
                self.preempt(eng, v)
                need = eng.res[(-r_next) % bs]
            n_dec = len(eng.decoders)
            if n_dec:
                eng.free -= need
                budget -= n_dec
            do_decode = n_dec > 0
        n_dec = len(eng.decoders) if do_decode else 0
        if self.spec is not None:
            from dashboard.sim.spec_decode import spec_schedule

            budget = spec_schedule(self, eng, budget)
        # continuing partial prefills (chunked mode only)
        if sched.chunked_prefill and eng.prefilling and budget > 0:
            pending = list(eng.prefilling)
            i = 0
            while i < len(pending) and budget > 0:
                r = pending[i]
                if r.state != _PREFILL:
                    i += 1
                    continue
                new = min(r.prompt + r.g - r.computed, budget)
                need = -(-(r.computed + new) // bs) - r.blocks
                ok = True
                while need > eng.free:
                    v = self.victim(eng, [x for x in pending[i:] if x.state == _PREFILL])
                    self.preempt(eng, v)  # type: ignore[arg-type]
                    if v is r:
                        ok = False
                        break
                if ok:
                    eng.free -= need
                    r.blocks += need
                    chunks.append((r, new, r.computed))
                    budget -= new
                i += 1
        # waiting requests
        if (not do_decode or sched.chunked_prefill) and self.n_preempt == preempted_before:
            waiting = eng.waiting
            running = eng.running()
            while waiting and budget > 0 and running < sched.max_num_seqs:
                r = waiting[0]
                self._admit_hit(r)
                rem = r.prompt + r.g - r.computed
                if sched.chunked_prefill:
                    new = min(rem, budget)
                elif rem <= budget or (not chunks and not n_dec):
                    new = rem
                else:
                    break
                need = -(-(r.computed + new) // bs) - r.blocks
                if need > eng.free:
                    break
                waiting.popleft()
                eng.free -= need
                r.blocks += need
                eng.outstanding -= r.computed  # prefix-cache hit: already in the cache
                if math.isnan(r.first_sched):
                    r.first_sched = t
                self.n_admitted += 1
                r.admitted = self.n_admitted
                r.state = _PREFILL
                eng.prefilling.append(r)
                running += 1
                chunks.append((r, new, r.computed))
                budget -= new
        if not chunks and not n_dec and not eng.spec_batch:
            return False
        # ---- the step's BatchStats (incremental sums; no per-decode loop)
        window = self.window
        p_seqs = len(chunks)
        p_tok = pre = 0
        pairs = kv = wpairs = wkv = 0.0
        completing = 0
        for r, new, prefix in chunks:
            p_tok += new
            pre += prefix
            pairs += attention_pairs(new, prefix)
            kv += prefix + new
            if window is not None:
                wpairs += attention_pairs(new, prefix, window)
                wkv += min(prefix, window) + new
            if prefix + new == r.prompt + r.g:
                completing += 1
        if window is None:
            wpairs, wkv = pairs, kv
        if n_dec:
            r_next = eng.dctr + 1
            csum = float(eng.s_off1 + n_dec * r_next)
            cmax = float(eng.max_off() + 1 + r_next)
            if window is None:
                wcsum, wcmax = csum, cmax
            else:
                n_unsat = n_dec - eng.n_sat
                wcsum = float(eng.s_unsat_off1 + n_unsat * r_next + eng.n_sat * window)
                wcmax = min(cmax, float(window))
        else:
            csum = cmax = wcsum = wcmax = 0.0
        stats = BatchStats(prefill_seqs=p_seqs, prefill_tokens=p_tok, prefix_tokens=pre, decode_seqs=n_dec,
                           sampled=n_dec + completing, pairs=pairs, kv_read=kv, dec_ctx_sum=csum, dec_ctx_max=cmax,
                           w_pairs=wpairs, w_kv_read=wkv, w_dec_ctx_sum=wcsum, w_dec_ctx_max=wcmax)
        if self.validate:
            self._check(eng, chunks, n_dec, stats)
        if self.keep_stats:
            self.step_stats.append(stats)
        hit = self.cache.get(stats) if self.spec is None else self._spec_summary(eng, chunks, completing)
        if hit is None:
            # (step_time_s(stats), FLOPs, HBM bytes) in one pass over the cost model's op list
            hit = self.cm.step_summary(stats)
            if len(self.cache) > 200_000:
                self.cache.clear()
            self.cache[stats] = hit
        dur, flops, nbytes = hit
        self.n_steps += 1
        self.flops += flops
        self.bytes += nbytes
        eng.busy_s += dur
        used = eng.num_blocks - eng.free
        self.peak_blocks = max(self.peak_blocks, used)
        if self.record:
            s = self.steps
            s["engine"].append(eng.idx)
            s["start_s"].append(t)
            s["dur_s"].append(dur)
            s["prefill_tokens"].append(p_tok)
            s["prefill_seqs"].append(p_seqs)
            s["decode_seqs"].append(n_dec + len(eng.spec_batch))
            s["running"].append(eng.running())
            s["waiting"].append(len(eng.waiting))
            s["kv_blocks_used"].append(used)
            s["preemptions"].append(self.n_preempt - preempted_before)
        eng.pending = (chunks, n_dec, dur, p_tok)
        self.push(t + dur, _STEP_END, eng.idx)
        return True

    def _spec_summary(self, eng: _Engine, chunks: list[tuple[_Req, int, int]], completing: int) -> Any:
        from dashboard.sim.spec_decode import spec_step_summary

        return spec_step_summary(self, eng, chunks, completing)

    def _admit_hit(self, r: _Req) -> None:
        """Apply the prefix-cache hit to a request that has nothing computed."""
        if r.computed == 0 and self.sched.prefix_cache_hit > 0:
            bs = self.sched.block_size
            hit = int(self.sched.prefix_cache_hit * r.prompt) // bs * bs
            hit = min(hit, (r.prompt + r.g - 1) // bs * bs)
            if hit > 0:
                r.computed = hit
                if r.preempts == 0:
                    r.cached = hit

    def _check(self, eng: _Engine, chunks: list[tuple[_Req, int, int]], n_dec: int, stats: BatchStats) -> None:
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
        held = sum(-(-(r.off + 1 + rr) // self.sched.block_size) for r in eng.decoders.values())
        held += sum(r.blocks for r in eng.prefilling)
        assert held == eng.num_blocks - eng.free, (held, eng.num_blocks - eng.free)
        assert eng.free >= 0

    def finish_step(self, eng: _Engine, t: float) -> None:
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
            fresh = [r for r, ver in eng.fresh if r.ver == ver and r.state == _DECODE]
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
                if r.ver == ver and r.state == _DECODE:
                    eng.leave_decode(r)
                    self._finish(eng, r, t)
        for r, new, _prefix in chunks:
            if r.state != _PREFILL:
                continue
            r.computed += new
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
                    r.state = _DECODE
                    eng.spec_dec.append(r)
                else:
                    eng.enter_decode(r, t)

    def _finish(self, eng: _Engine, r: _Req, t: float) -> None:
        if r.state == _DONE or r.g != r.out:  # pragma: no cover - a scheduler bug, not user input
            raise RuntimeError(f"request {r.rid} finished twice or with {r.g} of {r.out} tokens")
        r.state = _DONE
        r.t_finish = t
        r.t_last_tok = t
        eng.free += r.blocks
        r.blocks = 0
        eng.outstanding -= 1
        self.done += 1
        self.t_end = max(self.t_end, t)
        if self.closed and self.issued < len(self.reqs):
            i = self.issued
            self.issued += 1
            self.push(t, _ARRIVE, i)

    # ------------------------------------------------------------------ results
    def result(self, sla: SLA | None) -> SimResult:
        rq = self.reqs
        arr = np.array([r.arrival for r in rq])
        first = np.array([r.t_first for r in rq])
        fin = np.array([r.t_finish for r in rq])
        out = np.array([r.out for r in rq], dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            tpot = np.where(out > 1, (fin - first) / np.maximum(out - 1, 1), np.nan)
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
            requests, steps, np.asarray(self.itl_vals), np.asarray(self.itl_w, dtype=np.float64), util,
            dp=len(self.engines), num_steps=self.n_steps, preemptions=self.n_preempt,
            peak_blocks=self.peak_blocks, num_blocks=self.nblocks, sla=sla,
        )
        if self.spec is not None:
            from dashboard.sim.spec_decode import spec_summary

            summary.update(spec_summary(self))
        return SimResult(
            requests=requests, steps=steps, itl_values_s=np.asarray(self.itl_vals),
            itl_weights=np.asarray(self.itl_w, dtype=np.float64), summary=summary, num_kv_blocks=self.nblocks,
            config={"scheduler": self.sched, "dp": len(self.engines), "router": self.router},
            step_stats=self.step_stats,
        )
