"""One definition per derived serving metric. Pages, the CLI, the search and the simulator call
these; none of them divides latencies or utilisations its own way.

Definitions (units in the names: ``_s`` seconds, ``_ms`` milliseconds, bytes, FLOPs, W, $):

* **TPOT** (time per output token): the decode phase of a request divided by its ``O − 1`` decode
  steps, ``(t_last − t_first) / (O − 1)``; undefined (NaN) for a one-token output. This is vLLM's
  ``benchmark_serving`` definition (it excludes the first token, which TTFT covers).
* **ITL** (inter-token latency): the gaps between consecutive output tokens of one request,
  ``t_{i+1} − t_i``; their mean over a request equals its TPOT.
* **tok/s per user** (interactivity): ``1 / TPOT``; **decode tok/s** of a batch: ``batch / TPOT``;
  **tok/s** of a phase or run: ``tokens / seconds``; achieved **FLOP/s**: ``FLOPs / seconds``.
* **MFU**: ``FLOPs / (seconds · peak FLOP/s)`` against the dense tensor peak of the GEMM format.
* **HBM bandwidth utilisation**: ``bytes / (seconds · HBM bytes/s)``.
* **Memory needed** per GPU: weights + activation workspace + runtime reserve + KV cache of
  ``sequences`` sequences of ``context`` tokens; the capacity it needs before the reserved
  fraction (``1 − gpu_memory_utilization``) is ``needed / (1 − reserved)``.
* **$/M tokens**: a GPU-hour costs ``P`` $, so ``P / 3600 · share / (tok/s per GPU) · 1e6`` where
  ``share`` is the fraction of GPU time charged to those tokens (1 for a blended figure).
* **Tokens per joule**: tok/s per GPU ÷ W per GPU (at TDP unless a measured draw is given).

Every function takes plain floats (and TPOT/ITL numpy arrays too) and returns a float (or array);
a zero or negative denominator returns NaN (utilisation, TPOT) or ``None`` (cost, energy, rates
shown as "—"), never raises.
"""

from __future__ import annotations

import math
from typing import Any, overload

import numpy as np

__all__ = [
    "cost_per_million_tokens",
    "decode_tokens_per_s",
    "flops_per_s",
    "hbm_utilisation",
    "itl_s",
    "kv_cache_utilisation",
    "memory_needed_bytes",
    "mfu",
    "tokens_per_joule",
    "tokens_per_s",
    "tokens_per_s_per_user",
    "tpot_s",
]


@overload
def tpot_s(decode_s: float, output_tokens: int) -> float: ...
@overload
def tpot_s(decode_s: np.ndarray, output_tokens: np.ndarray) -> np.ndarray: ...


def tpot_s(decode_s: Any, output_tokens: Any) -> Any:
    """Time per output token after the first: ``decode_s / (output_tokens − 1)``; NaN when
    ``output_tokens ≤ 1``. ``decode_s`` is the time from the first to the last token (seconds).
    Scalars give a float, numpy arrays an array (element-wise)."""
    if isinstance(decode_s, np.ndarray) or isinstance(output_tokens, np.ndarray):
        steps = np.asarray(output_tokens, dtype=float) - 1.0
        return np.where(steps > 0, np.asarray(decode_s, dtype=float) / np.maximum(steps, 1.0), np.nan)
    steps = output_tokens - 1
    return decode_s / steps if steps > 0 else math.nan


def itl_s(token_times_s: Any) -> np.ndarray:
    """Inter-token latencies of one request: consecutive differences of its output-token
    timestamps (seconds, length ``O − 1``)."""
    return np.diff(np.asarray(token_times_s, dtype=float))


def tokens_per_s_per_user(tpot: Any) -> Any:
    """Interactivity: output tokens per second one user sees, ``1 / TPOT`` (TPOT in seconds);
    ``None`` for a non-positive or undefined TPOT. Array-likes (numpy, pandas) give an array with
    NaN there."""
    if hasattr(tpot, "__len__"):
        t = np.asarray(tpot, dtype=float)
        return np.where(t > 0, 1.0 / np.where(t > 0, t, 1.0), np.nan)
    return 1.0 / tpot if tpot > 0 else None


def decode_tokens_per_s(batch: float, tpot: float) -> float:
    """Output tokens per second of a batch decoding together: ``batch / TPOT``; 0 when TPOT ≤ 0."""
    return batch / tpot if tpot > 0 else 0.0


def tokens_per_s(tokens: float, seconds: float) -> float:
    """Throughput of ``tokens`` produced (or processed) in ``seconds``: ``tokens / seconds``; 0 when
    ``seconds ≤ 0``. Output tok/s of a phase, of a step, of a run."""
    return tokens / seconds if seconds > 0 else 0.0


def flops_per_s(flops: float, seconds: float) -> float:
    """Achieved FLOP rate ``flops / seconds``; 0 when ``seconds ≤ 0`` (:func:`mfu` divides it by the peak)."""
    return flops / seconds if seconds > 0 else 0.0


def kv_cache_utilisation(blocks_used: Any, num_blocks: int) -> Any:
    """Share of an engine's KV cache in use: used blocks ÷ its ``num_blocks`` (0–1). Array-likes
    give an array (element-wise); a non-positive ``num_blocks`` counts as 1 block."""
    return np.asarray(blocks_used, dtype=float) / max(1, num_blocks)


def mfu(flops: float, seconds: float, peak_flops_per_s: float) -> float:
    """Model FLOPs utilisation ``flops / (seconds · peak)``; NaN when time or peak is not positive."""
    if seconds <= 0 or peak_flops_per_s <= 0:
        return math.nan
    return flops / (seconds * peak_flops_per_s)


def hbm_utilisation(nbytes: float, seconds: float, hbm_bytes_per_s: float) -> float:
    """HBM bandwidth utilisation ``bytes / (seconds · bandwidth)``; NaN when a denominator is not
    positive."""
    if seconds <= 0 or hbm_bytes_per_s <= 0:
        return math.nan
    return nbytes / (seconds * hbm_bytes_per_s)


def memory_needed_bytes(
    weight_bytes: float,
    kv_bytes_per_sequence: float,
    sequences: float,
    activation_bytes: float = 0.0,
    runtime_reserve_bytes: float = 0.0,
    reserved_fraction: float = 0.0,
) -> float:
    """HBM one GPU needs: ``(weights + activations + reserve + sequences · KV per sequence) /
    (1 − reserved_fraction)`` bytes (the capacity to buy, the reserved share left unused)."""
    from dashboard.features.request import check_setting

    check_setting("reserved_fraction", reserved_fraction)
    used = weight_bytes + activation_bytes + runtime_reserve_bytes + sequences * kv_bytes_per_sequence
    return used / (1.0 - reserved_fraction)


def cost_per_million_tokens(usd_per_gpu_hour: float, tokens_per_s_per_gpu: float, share: float = 1.0) -> float | None:
    """Dollars per million tokens: ``P / 3600 · share / rate · 1e6``; ``share`` (clamped to
    [0, 1]) is the fraction of GPU time charged to these tokens. ``None`` when the rate is 0."""
    if tokens_per_s_per_gpu <= 0:
        return None
    share = min(1.0, max(0.0, share))
    return usd_per_gpu_hour / 3600.0 * share / tokens_per_s_per_gpu * 1e6


def tokens_per_joule(tokens_per_s_per_gpu: float, watts_per_gpu: float) -> float | None:
    """Tokens per joule: tok/s per GPU ÷ W per GPU; ``None`` when the power is not positive."""
    return tokens_per_s_per_gpu / watts_per_gpu if watts_per_gpu > 0 else None
