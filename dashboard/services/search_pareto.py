"""Pareto frontier and per-token economics of serving configurations (pure arithmetic on results).

* Pareto frontier (InferenceMAX's chart): maximise output tokens/s per GPU *and* tokens/s per user
  (interactivity, ``1000 / TPOT_ms``); a point is on the frontier when no other point is at least
  as good on both axes and better on one.
* Cost per million tokens from a price per GPU-hour ``P``: a GPU costs ``P / 3600`` $ per second;
  its time splits into decode time (share ``s_d``) and prefill time (``1 − s_d``), so
  ``$/M output = P / 3600 · s_d / (output tok/s per GPU) · 1e6`` and
  ``$/M input = P / 3600 · (1 − s_d) / (input tok/s per GPU) · 1e6``; the blended figure puts all
  GPU time on all tokens.
* Energy: GPUs drawing their TDP ``W``: output tokens per joule = output tok/s per GPU ÷ ``W``.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.features.metrics import cost_per_million_tokens, tokens_per_joule

__all__ = ["economics", "pareto_front"]


def pareto_front(xs: Sequence[float], ys: Sequence[float]) -> list[int]:
    """Indices of the points not dominated when maximising both ``x`` and ``y``, sorted by ``x``.

    Duplicated points keep one representative (the first)."""
    order = sorted(range(len(xs)), key=lambda i: (-xs[i], -ys[i], i))
    front: list[int] = []
    best_y = float("-inf")
    seen: set[tuple[float, float]] = set()
    for i in order:
        if ys[i] > best_y:
            if (xs[i], ys[i]) not in seen:
                front.append(i)
                seen.add((xs[i], ys[i]))
            best_y = ys[i]
    return sorted(front, key=lambda i: xs[i])


def economics(
    output_tok_s_per_gpu: float,
    input_tok_s_per_gpu: float,
    decode_time_share: float,
    usd_per_gpu_hour: float,
    tdp_w: float,
) -> dict[str, float | None]:
    """Cost per million tokens and tokens per joule of one GPU (see the module docstring)."""
    share = min(1.0, max(0.0, decode_time_share))
    total = output_tok_s_per_gpu + input_tok_s_per_gpu
    return {
        "cost_per_m_output_usd": cost_per_million_tokens(usd_per_gpu_hour, output_tok_s_per_gpu, share),
        "cost_per_m_input_usd": cost_per_million_tokens(usd_per_gpu_hour, input_tok_s_per_gpu, 1.0 - share),
        "cost_per_m_total_usd": cost_per_million_tokens(usd_per_gpu_hour, total, 1.0),
        "output_tok_per_joule": tokens_per_joule(output_tok_s_per_gpu, tdp_w),
        "total_tok_per_joule": tokens_per_joule(total, tdp_w),
    }
