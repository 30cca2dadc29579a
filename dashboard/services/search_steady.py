"""Steady-state continuous batching of one engine, priced step by step with the shared cost model.

One engine (``max(tp, ep)`` GPUs) serves ``C`` concurrent clients in a closed loop (a client sends its
next request as soon as the previous one finishes). Each request has ``I`` prompt tokens and ``O``
output tokens. ``B`` is vLLM's ``max_num_batched_tokens``: the token budget of one step, decodes
included, so a step with ``D`` decodes has ``B − D`` tokens left for prefill (a copied
``--max-num-batched-tokens B`` reproduces the configuration). Below, ``B`` in the prefill formulas
is that prefill share ``B_p = max(1, B − D)``; since ``D`` depends on ``B_p`` the pair is found by a
few fixed-point rounds starting from ``B_p = B``.

Model (every time below is :meth:`CostModel.step_time_s` of a concrete step — no other latency
formula is used):

* A prompt needs ``n_c = ceil(I / B)`` chunk steps; its last chunk samples the first token, then it
  decodes for ``O − 1`` steps. A request therefore holds a slot for ``n_c + O − 1`` steps.
* Requests finish at ``λ`` per step (Little's law): ``λ = C / (n_c + O − 1)``, capped by the prefill
  capacity of the budget ``λ_max = k_max / n_c`` where ``k_max = floor(B / I)`` prompts fit one step
  when ``I ≤ B`` (else 1). Above the cap the engine is *saturated*: the extra clients queue for
  prefill (``Q = C − λ (n_c + O − 1)``, wait ``Q / λ`` steps).
* A step carries ``D = round(λ (O − 1))`` decodes at contexts spread over ``[I, I + O)``. A fraction
  ``f = λ n_c / k`` of steps also carries a prefill chunk (``k`` whole prompts per step when
  ``I ≤ B``, ``k = clamp(ceil(λ), 1, k_max)``; one ``B``-token chunk after ``i·B`` cached tokens
  otherwise); the rest are pure decode steps.
* Mean step ``T̄ = (f / n_c) Σ_i t_i + (1 − f) T_d`` with ``t_i`` the chunk steps and ``T_d`` the
  pure decode step. **TPOT = T̄** (each decoding request gets one token per step).
  **TTFT = Σ_i t_i + queue wait** (the prompt's own chunk steps, each carrying the ``D`` decodes).
* Throughput: ``λ / T̄`` requests/s per engine, ``× O`` output and ``× I`` input tokens/s.
* Attribution (for cost per token): ``T_d`` of each mean step is decode time, the rest
  ``T̄ − T_d`` is prefill time.

Assumptions: homogeneous requests, uniform arrivals (no burst), no preemption, prefix caching off,
the prompt's chunks get the whole budget (``I > B``), and no step residual for arrivals.
Units: seconds unless the name says ``_ms``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["EngineSteadyState", "StepPricer", "steady_state"]


@dataclass(frozen=True)
class EngineSteadyState:
    """Steady state of one engine at client concurrency ``concurrency`` and prefill budget ``budget``."""

    input_len: int
    output_len: int
    concurrency: int
    budget: int
    chunks_per_prompt: int  # n_c
    prompts_per_chunk_step: int  # k
    requests_per_step: float  # λ
    decodes_per_step: int  # D
    chunk_step_fraction: float  # f
    saturated: bool
    decode_step_s: float  # T_d
    chunk_steps_s: tuple[float, ...]  # t_i
    mean_step_s: float  # T̄ = TPOT
    queue_wait_s: float
    ttft_s: float
    requests_per_s: float
    output_tok_s: float
    input_tok_s: float
    decode_time_share: float  # T_d / T̄ (the rest is prefill)

    @property
    def tpot_s(self) -> float:
        return self.mean_step_s

    @property
    def e2e_s(self) -> float:
        """Request latency: TTFT + (O − 1) · TPOT."""
        return self.ttft_s + max(0, self.output_len - 1) * self.mean_step_s


def _decode_contexts(d: int, input_len: int, output_len: int) -> list[int]:
    """``d`` decode contexts spread evenly over ``[I, I + O)`` (two values: the mean and the
    maximum, so the sum and the longest sequence of the step are both right)."""
    if d <= 0:
        return []
    lo, hi = input_len, input_len + max(0, output_len - 1)
    if d == 1:
        return [(lo + hi) // 2]
    mean_total = d * (lo + hi) / 2.0
    rest = round((mean_total - hi) / (d - 1))
    return [rest] * (d - 1) + [hi]


class StepPricer(Protocol):
    """What :func:`steady_state` needs of a cost model: a batch's statistics and its step time
    (:class:`~dashboard.features.cost_model.CostModel`, or a wrapper such as the speculative one)."""

    def stats_for_batch(self, chunks: Sequence[tuple[int, int]], decode_contexts: Sequence[int]) -> Any: ...

    def step_time_s(self, stats: Any) -> float: ...


def steady_state(
    cm: StepPricer,
    input_len: int,
    output_len: int,
    concurrency: int,
    budget: int,
    cache: dict | None = None,
    prefix_len: int = 0,
) -> EngineSteadyState:
    """Price one engine's steady state (see the module docstring for the model).

    ``cache`` (optional dict) memoises step times by step composition; pass one dict per cost model.
    ``prefix_len`` tokens of every prompt are already in the KV cache (a prefix-cache hit): the
    ``input_len`` new tokens' chunks attend them and the decodes run at contexts
    ``[prefix + I, prefix + I + O)``.
    """
    if input_len < 1 or output_len < 1 or concurrency < 1 or budget < 1:
        raise ValueError("input_len, output_len, concurrency and budget must be positive integers")
    i_len, o_len, c, b = int(input_len), int(output_len), int(concurrency), int(budget)
    pre = max(0, int(prefix_len))
    memo = cache if cache is not None else {}

    def step(chunks: tuple[tuple[int, int], ...], d: int) -> float:
        key = (chunks, d, pre)
        hit = memo.get(key)
        if hit is None:
            stats = cm.stats_for_batch(list(chunks), _decode_contexts(d, pre + i_len, o_len))
            hit = cm.step_time_s(stats)
            memo[key] = hit
        return hit

    dec_steps = o_len - 1
    bp = b
    seen: set[int] = set()
    while True:  # B_p = B − D: a handful of rounds (D changes little once B_p is close)
        n_c = -(-i_len // bp)
        k_max = max(1, bp // i_len) if n_c == 1 else 1
        slot_steps = n_c + dec_steps
        lam_free = c / slot_steps
        lam_cap = k_max / n_c
        saturated = lam_free > lam_cap + 1e-12
        lam = min(lam_free, lam_cap)
        d = round(lam * dec_steps) if dec_steps > 0 else 0
        d = min(d, c, b - 1)
        nxt = max(1, b - d)
        if nxt == bp or nxt in seen or len(seen) > 8:
            break
        seen.add(bp)
        bp = nxt
    b = bp
    if n_c == 1:
        k = min(k_max, max(1, math.ceil(lam - 1e-9)))
        chunks_list = [((i_len, pre),) * k]
    else:
        k = 1
        chunks_list = []
        for i in range(n_c):
            new = min(b, i_len - i * b)
            chunks_list.append(((new, pre + i * b),))
    t_chunks = tuple(step(ch, d) for ch in chunks_list)
    t_dec = step((), d) if d > 0 else 0.0
    f = min(1.0, lam * n_c / k)
    mean_chunk = sum(t_chunks) / len(t_chunks)
    t_mean = f * mean_chunk + (1.0 - f) * t_dec
    ttft_service = sum(t_chunks)
    if saturated:
        queued = max(0.0, c - lam * slot_steps)
        wait = queued / lam * t_mean
    else:
        wait = 0.0
    req_s = lam / t_mean
    return EngineSteadyState(
        input_len=i_len,
        output_len=o_len,
        concurrency=c,
        budget=int(budget),
        chunks_per_prompt=n_c,
        prompts_per_chunk_step=k,
        requests_per_step=lam,
        decodes_per_step=d,
        chunk_step_fraction=f,
        saturated=saturated,
        decode_step_s=t_dec,
        chunk_steps_s=t_chunks,
        mean_step_s=t_mean,
        queue_wait_s=wait,
        ttft_s=ttft_service + wait,
        requests_per_s=req_s,
        output_tok_s=req_s * o_len,
        input_tok_s=req_s * i_len,
        decode_time_share=(t_dec / t_mean) if (t_mean > 0 and d > 0) else 0.0,
    )
