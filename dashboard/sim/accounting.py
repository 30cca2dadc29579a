"""Step accounting of the simulator: the :class:`~dashboard.features.batch.BatchStats` of a step
built from its prefill chunks and the engine's incrementally kept decode sums (no per-decode
loop), and its price from the cost model (cached by composition).

With attention DP (``ranks = ep/tp > 1``) the cost model spreads a step's tokens evenly over the
ranks; a rank's own composition is priced as every rank padded to it (its stats scaled by
``ranks``, maxima unchanged), which is what the busiest rank costs.
"""

from __future__ import annotations

from typing import Any

from dashboard.features.batch import BatchStats, attention_pairs
from dashboard.features.cost_model import CostModel
from dashboard.sim.state import EngineState, Req

__all__ = ["price_step", "scale_stats", "step_stats"]


def step_stats(eng: EngineState, chunks: list[tuple[Req, int, int]], n_dec: int, window: int | None) -> BatchStats:
    """The step's ``BatchStats``: chunks ``(req, new, prefix)`` plus ``n_dec`` decodes of ``eng``
    at decode round ``eng.dctr + 1`` (``sampled`` = decodes + prompts that complete)."""
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
    return BatchStats(
        prefill_seqs=p_seqs,
        prefill_tokens=p_tok,
        prefix_tokens=pre,
        decode_seqs=n_dec,
        sampled=n_dec + completing,
        pairs=pairs,
        kv_read=kv,
        dec_ctx_sum=csum,
        dec_ctx_max=cmax,
        w_pairs=wpairs,
        w_kv_read=wkv,
        w_dec_ctx_sum=wcsum,
        w_dec_ctx_max=wcmax,
    )


def scale_stats(s: BatchStats, k: int) -> BatchStats:
    """``k`` copies of the composition ``s`` (counts and sums × k, maxima unchanged)."""
    return BatchStats(
        prefill_seqs=s.prefill_seqs * k,
        prefill_tokens=s.prefill_tokens * k,
        prefix_tokens=s.prefix_tokens * k,
        decode_seqs=s.decode_seqs * k,
        sampled=s.sampled * k,
        pairs=s.pairs * k,
        kv_read=s.kv_read * k,
        dec_ctx_sum=s.dec_ctx_sum * k,
        dec_ctx_max=s.dec_ctx_max,
        w_pairs=s.w_pairs * k,
        w_kv_read=s.w_kv_read * k,
        w_dec_ctx_sum=s.w_dec_ctx_sum * k,
        w_dec_ctx_max=s.w_dec_ctx_max,
    )


def price_step(
    cm: CostModel, cache: dict[BatchStats, Any], stats: BatchStats, ranks: int = 1
) -> tuple[float, float, float]:
    """``(seconds, FLOPs, HBM bytes)`` per GPU of a step (one pass over the cost model's ops),
    cached by composition; with ``ranks > 1`` the rank's stats are scaled to every rank."""
    hit = cache.get(stats)
    if hit is None:
        hit = cm.step_summary(scale_stats(stats, ranks) if ranks > 1 else stats)
        if len(cache) > 200_000:
            cache.clear()
        cache[stats] = hit
    return hit
