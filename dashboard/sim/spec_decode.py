"""Speculative decoding inside the scheduler simulator (hooks called by :mod:`dashboard.sim_scheduler`).

With a :class:`~dashboard.features.speculative.SpeculativeConfig`, decoding requests leave the
simulator's incremental one-token-per-round decode set and are stepped explicitly here, as vLLM V1
schedules them (``vllm/v1/core/sched/scheduler.py``): each running request asks for
``1 + k`` tokens (its last sampled token plus ``k`` drafts, ``num_tokens_with_spec −
num_computed_tokens``), which count against ``max_num_batched_tokens`` (clipped to what is left of
the budget) and get KV slots for all ``1 + k`` positions before the step runs (blocks allocated for
the scheduled tokens, the lookahead slots included; preemption by recompute when they are not free).

**Time.** A step with speculative decodes lasts
:meth:`~dashboard.features.speculative.SpeculativeCostModel.mixed_step_time_s`: the draft's passes
+ the target's verification forward of the ``k+1`` tokens per decode beside the step's prefill
chunks + rejection sampling, all priced by the shared cost model.

**Tokens.** After the step each decode emits ``1 + m`` tokens, ``m`` accepted drafts drawn from the
acceptance model with a generator seeded by the run's seed (at most the scheduled drafts and the
tokens it still owes). Its KV then holds ``computed + 1 + m`` tokens (the rejected drafts' slots are
reused). The emitted tokens stream as one chunk, so ITL has one gap per decode step per request (the
way ``vllm bench serve`` measures it, gap between streamed chunks) while TPOT stays
``(last token − first token) / (output − 1)``. The run reports the realised mean acceptance length
(``1 + accepted / drafts``, vLLM's ``spec_decode_acceptance_length``) and acceptance rate.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.features.speculative import (
    SpeculativeConfig,
    SpeculativeCostModel,
    accepted_distribution,
    speculative_memory_breakdown,
)

if TYPE_CHECKING:  # pragma: no cover
    from dashboard.features.cost_model import CostModel

__all__ = ["SpecState", "spec_finish", "spec_kv_blocks", "spec_schedule", "spec_step_summary", "spec_summary"]

_DECODE = 2  # dashboard.sim_scheduler's decode state


class SpecState:
    """Per-run speculative state: the step pricer, the seeded acceptance sampler and counters."""

    def __init__(self, cm: CostModel, cfg: SpeculativeConfig, seed: int) -> None:
        self.cfg = cfg
        self.k = cfg.k
        self.scm = SpeculativeCostModel(cm, cfg)
        self.rng = np.random.default_rng([int(seed), 13])
        self.rates = cfg.acceptance_rates
        self.drafts = 0  # decode steps that drafted (vLLM's num_drafts)
        self.draft_tokens = 0
        self.accepted = 0
        self.cache: dict[Any, tuple[float, float, float]] = {}
        self._cdf: dict[int, list[float]] = {}
        self._u: list[float] = []
        self._pos = 0

    def draw_emitted(self, q: int) -> int:
        """Tokens (``1 + accepted``) of one decode that verified ``q − 1`` drafts: inverse CDF of
        :func:`accepted_distribution` on uniforms drawn in blocks from the seeded generator."""
        cdf = self._cdf.get(q)
        if cdf is None:
            p = accepted_distribution(self.rates[: q - 1])
            cdf = self._cdf[q] = np.cumsum(p / p.sum())[:-1].tolist()
        if self._pos >= len(self._u):
            self._u = self.rng.random(4096).tolist()
            self._pos = 0
        u = self._u[self._pos]
        self._pos += 1
        return bisect_right(cdf, u) + 1

    def draw_many(self, q: int, n: int) -> list[int]:
        """``n`` draws of :meth:`draw_emitted` at once (the same uniforms, in the same order)."""
        cdf = self._cdf.get(q)
        if cdf is None:
            self.draw_emitted(q)  # builds the CDF (and consumes one uniform, like a single draw)
            self._pos -= 1
            cdf = self._cdf[q]
        out: list[int] = []
        while len(out) < n:
            if self._pos >= len(self._u):
                self._u = self.rng.random(4096).tolist()
                self._pos = 0
            take = min(n - len(out), len(self._u) - self._pos)
            us = self._u[self._pos : self._pos + take]
            self._pos += take
            out.extend((np.searchsorted(cdf, us, side="right") + 1).tolist())
        return out


def spec_kv_blocks(cm: CostModel, sched: Any, cfg: SpeculativeConfig, context: int) -> int:
    """KV blocks of one engine as :func:`dashboard.sim_scheduler.kv_blocks_for` counts them (the
    engine's KV rule when ``sched.engine`` is set), with the draft's weights taken from the KV
    budget and its KV bytes added to every token."""
    kw: dict[str, Any]
    if getattr(sched, "engine", None) is not None:
        kw = {"engine": sched.engine, "memory_fraction": sched.memory_fraction}
    else:
        frac = getattr(sched, "memory_fraction", None) or sched.gpu_memory_utilization
        kw = {"reserved_fraction": 1.0 - frac}
    mem, _ = speculative_memory_breakdown(
        cm.model,
        cm.hw,
        cfg,
        cm.par,
        cm.dt,
        context=max(1, context),
        max_batched_tokens=sched.max_num_batched_tokens,
        max_seqs=sched.max_num_seqs,
        **kw,
    )
    if mem.kv_budget_bytes <= 0:
        return 0
    return int(mem.kv_budget_bytes // (mem.kv_bytes_per_token * sched.block_size)) * cm.par.attention_dp


def spec_schedule(sim: Any, eng: Any, budget: int) -> int:
    """Schedule the engine's decodes with ``1 + k`` tokens each (running order) into
    ``eng.spec_batch``; allocate their KV slots, preempting when needed. Returns the budget left."""
    st: SpecState = sim.spec
    bs = sim.sched.block_size
    k1 = st.k + 1
    dec = eng.spec_dec
    if budget >= len(dec) * k1:
        # fast path: every decode gets its k+1 tokens; allocate all their new blocks at once when
        # they are free (the same blocks the per-request loop below would take one by one)
        needs = [-(-(r.computed + k1) // bs) - r.blocks - len(r.refs) for r in dec]
        total = 0
        for nd in needs:
            if nd > 0:
                total += nd
        if total <= eng.kv.free:
            if total:
                eng.kv.take(total)
                for r, nd in zip(dec, needs, strict=True):
                    if nd > 0:
                        r.blocks += nd
            eng.spec_batch = [(r, k1) for r in dec]
            return budget - len(dec) * k1
    batch: list[tuple[Any, int]] = []
    for r in list(dec):
        if budget <= 0:
            break
        if r.state != _DECODE:
            continue  # preempted for an earlier request this step
        q = min(st.k + 1, budget)
        need = -(-(r.computed + q) // bs) - r.blocks - len(r.refs)
        while need > eng.kv.free:
            v = sim.victim(eng)
            if v is None:
                break
            sim.preempt(eng, v)
            if v is r:
                break
        if r.state != _DECODE:
            continue
        if need > 0:
            eng.kv.take(need)
            r.blocks += need
        batch.append((r, q))
        budget -= q
    eng.spec_batch = batch
    return budget


def spec_step_summary(
    sim: Any, eng: Any, chunks: list[tuple[Any, int, int]], completing: int
) -> tuple[float, float, float]:
    """``(seconds, FLOPs, bytes)`` of a step with ``eng.spec_batch`` decodes beside ``chunks``
    (FLOPs and bytes: the target's verification forward, for utilisation)."""
    st: SpecState = sim.spec
    scm = st.scm
    pre = tuple((new, prefix) for _, new, prefix in chunks)
    if scm.windowless:  # the step depends on the contexts through n, Σ and max only
        n, csum, cmax = 0, 0, 0
        for r, _ in eng.spec_batch:
            c = r.computed
            n += 1
            csum += c
            if c > cmax:
                cmax = c
        key: Any = (n, csum, cmax, pre, completing)
        hit = st.cache.get(key)
        if hit is None:
            hit = scm.summary_sums(n, float(csum), float(cmax), pre, completing)
    else:
        contexts = tuple(sorted(r.computed for r, _ in eng.spec_batch))
        key = (contexts, pre, completing)
        hit = st.cache.get(key)
        if hit is None:
            vstats = scm.verify_stats(contexts, pre, completing)
            t_verify, flops, nbytes = scm.cm.step_summary(vstats)
            hit = (t_verify + scm.draft_time_s(contexts, pre) + scm.rejection_time_s(len(contexts)), flops, nbytes)
    if len(st.cache) > 100_000:
        st.cache.clear()
    st.cache[key] = hit
    return hit


def spec_finish(sim: Any, eng: Any, t: float) -> None:
    """Apply a finished step's speculative decodes: tokens emitted, KV advanced, ITL per chunk."""
    st: SpecState = sim.spec
    batch = eng.spec_batch
    eng.spec_batch = []
    if not batch:
        return
    itl_vals, itl_w = sim.itl_vals, sim.itl_w
    drafts = drafted = accepted = 0
    done = []
    gaps: dict[float, int] = {}  # inter-chunk gaps, aggregated (most decodes share the last step's end)
    draws = st.draw_many(batch[0][1], len(batch)) if all(q == batch[0][1] for _, q in batch) else None
    for i, (r, q) in enumerate(batch):
        if r.state != _DECODE:
            continue
        e = draws[i] if draws is not None else st.draw_emitted(q)
        drafts += 1
        drafted += q - 1
        accepted += e - 1
        left = r.out - r.g
        if e > left:
            e = left
        r.g += e
        r.computed += e
        eng.outstanding -= e
        gap = t - r.t_last_tok
        gaps[gap] = gaps.get(gap, 0) + 1
        if gap > r.itl_max:
            r.itl_max = gap
        r.t_last_tok = t
        if e == left:
            done.append(r)
    for gap, cnt in gaps.items():
        itl_vals.append(gap)
        itl_w.append(cnt)
    st.drafts += drafts
    st.draft_tokens += drafted
    st.accepted += accepted
    if done:
        gone = {id(r) for r in done}
        eng.spec_dec = [r for r in eng.spec_dec if id(r) not in gone]
        for r in done:
            sim._finish(eng, r, t)


def spec_summary(sim: Any) -> dict[str, Any]:
    """The run's realised speculative figures (vLLM ``spec_decode_*`` names)."""
    st: SpecState = sim.spec
    return {
        "spec_method": st.cfg.method,
        "spec_num_speculative_tokens": st.k,
        "spec_decode_num_drafts": st.drafts,
        "spec_decode_draft_tokens": st.draft_tokens,
        "spec_decode_accepted_tokens": st.accepted,
        "spec_decode_acceptance_length": 1.0 + st.accepted / st.drafts if st.drafts else float("nan"),
        "spec_decode_acceptance_rate": 100.0 * st.accepted / st.draft_tokens if st.draft_tokens else float("nan"),
        "spec_expected_acceptance_length": st.cfg.expected_tokens,
    }
