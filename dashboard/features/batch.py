"""What one engine step processes: prefill chunks and decodes, reduced to the sums the cost model needs.

A step (one forward pass of the engine) carries prefill chunks — ``new`` prompt tokens that follow
``prefix`` tokens already in the KV cache — and decodes, each attending ``context`` cached tokens.
:class:`BatchStats` keeps the sums every op formula reads, computed once per step, for full
attention and for one sliding window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape

__all__ = ["MAX_STEP_SEQS", "BatchStats", "StepSpec", "attention_pairs", "batch_stats", "uniform_batch_stats"]


def attention_pairs(new: int, prefix: int, window: int | None = None) -> float:
    """Causal (query, key) pairs of a chunk of ``new`` tokens after ``prefix`` cached tokens.

    Token j (1-based over prefix+new) sees min(j, window) keys, itself included, so without a
    window the count is new·prefix + new·(new+1)/2. FLOPs of attention are 2·heads·pairs·(d_qk+d_v).
    """
    if new <= 0:
        return 0.0
    end = prefix + new
    if window is None or end <= window:
        return new * prefix + new * (new + 1) / 2
    if prefix >= window:
        return float(new * window)
    ramp = (window * (window + 1) - prefix * (prefix + 1)) / 2
    return ramp + (end - window) * window


#: most prefill chunks or decodes in one priced step (``modeling step``; far above a real batch)
MAX_STEP_SEQS = 1 << 20


@dataclass(frozen=True)
class StepSpec:
    """The uniform step of the ``modeling step`` CLI and the calibration files.

    ``prefill_seqs`` chunks of ``prefill_len`` new tokens each after ``prefix_len`` cached tokens,
    plus ``decode_seqs`` decodes each attending ``decode_context`` cached tokens.
    """

    # declared once (dashboard/features/params.py): the ``modeling step`` flags derive from these
    prefill_seqs: int = param(0, lo=0, hi=MAX_STEP_SEQS, unit="sequences", label="Prefill chunks")
    prefill_len: int = like(RequestShape, "input_len", 0, lo=0, label="New tokens per prefill chunk")
    prefix_len: int = like(RequestShape, "context", 0, lo=0, label="Cached prefix per prefill chunk")
    decode_seqs: int = param(0, lo=0, hi=MAX_STEP_SEQS, unit="sequences", label="Decoding sequences")
    decode_context: int = like(RequestShape, "context", 0, lo=0, label="Context per decode")

    def __post_init__(self) -> None:
        validate_params(self)
        if (self.prefill_seqs > 0) != (self.prefill_len > 0):
            raise ValueError("prefill_seqs and prefill_len must both be positive or both zero")
        if self.prefill_seqs == 0 and self.decode_seqs == 0:
            raise ValueError("a step needs prefill_seqs > 0 or decode_seqs > 0")


@dataclass(frozen=True)
class BatchStats:
    """Sums over one step. ``w_*`` fields apply a sliding window (equal to the full ones if none)."""

    prefill_seqs: int
    prefill_tokens: int
    prefix_tokens: int
    decode_seqs: int
    sampled: int
    pairs: float
    kv_read: float
    dec_ctx_sum: float
    dec_ctx_max: float
    w_pairs: float
    w_kv_read: float
    w_dec_ctx_sum: float
    w_dec_ctx_max: float

    @property
    def tokens(self) -> int:
        """Tokens through the GEMMs this step (prefill tokens + one per decode)."""
        return self.prefill_tokens + self.decode_seqs


def uniform_batch_stats(spec: StepSpec, window: int | None = None) -> BatchStats:
    """Closed form of :func:`batch_stats` for a :class:`StepSpec` (no per-sequence loop)."""
    b, q, p, d, c = spec.prefill_seqs, spec.prefill_len, spec.prefix_len, spec.decode_seqs, spec.decode_context
    wc = c if window is None else min(c, window)
    wp = p if window is None else min(p, window)
    return BatchStats(
        prefill_seqs=b,
        prefill_tokens=b * q,
        prefix_tokens=b * p,
        decode_seqs=d,
        sampled=b + d,
        pairs=b * attention_pairs(q, p),
        kv_read=float(b * (p + q)),
        dec_ctx_sum=float(d * c),
        dec_ctx_max=float(c if d else 0),
        w_pairs=b * attention_pairs(q, p, window),
        w_kv_read=float(b * (wp + q)),
        w_dec_ctx_sum=float(d * wc),
        w_dec_ctx_max=float(wc if d else 0),
    )


def batch_stats(
    chunks: Iterable[tuple[int, int]],
    decode_contexts: Sequence[float],
    window: int | None = None,
    sampled: int | None = None,
) -> BatchStats:
    """Sums for a mixed step: ``chunks`` are ``(new, prefix)`` pairs, ``decode_contexts`` the
    cached tokens each decode attends. ``sampled`` (tokens that reach the lm_head) defaults to one
    per chunk and one per decode; a scheduler passes the number of chunks that end their prompt.
    """
    seqs = toks = pre = 0
    pairs = wpairs = kv = wkv = 0.0
    for new, prefix in chunks:
        if new <= 0:
            continue
        seqs += 1
        toks += new
        pre += prefix
        pairs += attention_pairs(new, prefix)
        kv += prefix + new
        if window is None:
            wpairs, wkv = pairs, kv
        else:
            wpairs += attention_pairs(new, prefix, window)
            wkv += min(prefix, window) + new
    d = len(decode_contexts)
    csum = float(sum(decode_contexts)) if d else 0.0
    cmax = float(max(decode_contexts)) if d else 0.0
    if window is None:
        wcsum, wcmax = csum, cmax
    else:
        wcsum = float(sum(min(c, window) for c in decode_contexts))
        wcmax = min(cmax, float(window))
    return BatchStats(
        prefill_seqs=seqs,
        prefill_tokens=toks,
        prefix_tokens=pre,
        decode_seqs=d,
        sampled=seqs + d if sampled is None else sampled,
        pairs=pairs,
        kv_read=kv,
        dec_ctx_sum=csum,
        dec_ctx_max=cmax,
        w_pairs=wpairs,
        w_kv_read=wkv,
        w_dec_ctx_sum=wcsum,
        w_dec_ctx_max=wcmax,
    )
