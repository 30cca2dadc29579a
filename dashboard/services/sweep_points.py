"""Sweep points that measure a steady state (issue 14 §2): how many requests a point runs, which of
its requests count, and where the engine saturates.

**Requests per point.** A closed-loop point at concurrency ``C`` runs ``max(minimum, 4·C)``
requests (:data:`REQUESTS_PER_CLIENT` = 4). An open-loop point at rate ``λ`` runs
``max(minimum, 4·C̄)`` with ``C̄ = ceil(λ · E2E(λ))`` its steady in-flight count (Little's law),
``E2E(λ)`` from the analytic steady state of :func:`~dashboard.services.search_steady.steady_state`
at the concurrency whose throughput is ``λ`` (:func:`in_flight_at_rate`); at or above saturation
``C̄`` is the engine's maximum concurrency.

**Warm-up and drain** (:func:`steady_window`), on arrival and finish times of one run:

* *warm-up* — requests that arrive **before the first request finishes**: until then nothing has
  left the system, so the in-flight count is still climbing to its steady value (in a closed loop:
  the first wave of ``C`` requests, all issued at t = 0 and prefilled together);
* *drain* — requests **still running at the last arrival** (they finish while the batch empties
  and no new work comes; in a closed loop the last ``C`` requests);
* the statistics (latency percentiles, SLA attainment, goodput, throughput) use the other requests
  only; throughputs count the requests that **finish inside the window** ``(t_start, t_end]`` —
  from the moment the last warm-up request has finished (the initial wave has left the system) to
  the last arrival — divided by its length (their whole output: in a steady state the completion
  rate times the mean output is the token rate). A closed loop of ``C`` clients then gives
  ``C / E2E`` (Little's law) even when a wave of equal requests finishes together.
  When fewer than :data:`MIN_MEASURED` requests (or no window) remain, the whole run is used and
  the row says ``steady = False``.

MFU, HBM utilisation and the step counts stay whole-run figures.

**Saturation** (:func:`saturation`): the maximum sustainable request rate of one engine is the
analytic steady-state throughput at its largest concurrency ``C_max = min(max_num_seqs, KV-capacity
sequences)`` — above it an open-loop queue grows without bound. The *knee* is the smallest
concurrency reaching :data:`KNEE_FRACTION` (90 %) of that rate: charts mark both.

No Streamlit here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.features.cost_model import CostModel
from dashboard.services.search_steady import steady_state
from dashboard.sim.metrics import SLA, dist_stats

__all__ = [
    "KNEE_FRACTION",
    "MIN_MEASURED",
    "REQUESTS_PER_CLIENT",
    "Saturation",
    "SteadyWindow",
    "engine_saturation",
    "in_flight_at_rate",
    "point_requests",
    "saturation",
    "steady_stats",
    "steady_window",
]

REQUESTS_PER_CLIENT = 4
KNEE_FRACTION = 0.9
MIN_MEASURED = 2


@dataclass(frozen=True)
class SteadyWindow:
    """Which requests of a run count (see the module docstring). ``measured``: boolean mask in
    request order; ``t_start``: the last finish of a warm-up request; ``t_end``: the last arrival
    (seconds)."""

    measured: np.ndarray
    warmup: int
    drain: int
    t_start: float
    t_end: float

    @property
    def steady(self) -> bool:
        return int(self.measured.sum()) >= MIN_MEASURED and self.t_end > self.t_start


def steady_window(arrival_s: np.ndarray, finish_s: np.ndarray) -> SteadyWindow:
    """Warm-up = arrivals strictly before the first finish; drain = requests whose finish is after
    the last arrival (unfinished ones included); the rest are measured."""
    arr = np.asarray(arrival_s, dtype=float)
    fin = np.asarray(finish_s, dtype=float)
    if arr.size == 0:
        return SteadyWindow(np.zeros(0, dtype=bool), 0, 0, math.nan, math.nan)
    first_finish = float(np.nanmin(fin)) if np.isfinite(fin).any() else math.inf
    t_end = float(arr.max())
    warm = arr < first_finish
    drain = ~warm & ~(fin <= t_end)  # NaN (never finished) counts as drain
    warm_fin = fin[warm]
    t_start = float(warm_fin.max()) if warm_fin.size and np.isfinite(warm_fin).all() else math.inf
    return SteadyWindow(~warm & ~drain, int(warm.sum()), int(drain.sum()), t_start, t_end)


def steady_stats(requests: dict[str, np.ndarray], gpus: int, sla: SLA | None = None) -> dict[str, Any]:
    """Flat summary columns of the measured requests of one run (the names of
    :data:`~dashboard.services.simulation.SUMMARY_COLUMNS`), plus ``steady``, ``warmup_requests``,
    ``drain_requests``, ``measured_requests`` and ``window_s``. Empty dict when there is no steady
    window (the caller keeps the whole-run figures)."""
    w = steady_window(requests["arrival_s"], requests["finish_s"])
    out: dict[str, Any] = {
        "steady": w.steady,
        "warmup_requests": w.warmup,
        "drain_requests": w.drain,
        "measured_requests": int(w.measured.sum()),
        "window_s": (w.t_end - w.t_start) if w.steady else math.nan,
    }
    if not w.steady:
        return out
    m = w.measured
    fin = requests["finish_s"]
    span = w.t_end - w.t_start
    done_in = (fin > w.t_start) & (fin <= w.t_end)
    out_tok = float(requests["output"][done_in].sum())
    in_tok = float(requests["prompt"][done_in].sum())
    out["request_throughput_req_s"] = float(done_in.sum()) / span
    out["output_throughput_tok_s"] = out_tok / span
    out["input_throughput_tok_s"] = in_tok / span
    out["output_throughput_tok_s_per_gpu"] = out_tok / span / max(1, gpus)
    for key, col in (("ttft", "ttft_s"), ("tpot", "tpot_s"), ("e2e", "e2e_s"), ("queue", "queue_s")):
        for stat, v in dist_stats(requests[col][m]).items():
            if stat != "max":
                out[f"{key}_{stat}_ms"] = v
    if sla is not None:
        ok = sla.met(requests["ttft_s"][m], requests["tpot_s"][m], requests["e2e_s"][m])
        out["sla_attainment"] = float(ok.sum()) / int(m.sum())
        out["goodput_req_s"] = out["sla_attainment"] * out["request_throughput_req_s"]
    return out


@dataclass(frozen=True)
class Saturation:
    """Where one engine saturates: ``rate_req_s`` (max sustainable request rate),
    ``output_tok_s`` at that rate, ``max_concurrency`` (``C_max``) and ``knee_concurrency``."""

    rate_req_s: float
    output_tok_s: float
    max_concurrency: int
    knee_concurrency: int

    def load_fraction(self, request_rate: float) -> float:
        """Offered load as a fraction of the saturation rate: ``request_rate ÷ rate_req_s`` (above 1
        the queue grows without bound); ``inf`` when the engine sustains no rate."""
        return request_rate / self.rate_req_s if self.rate_req_s > 0 else math.inf


def saturation(
    cm: CostModel,
    input_len: int,
    output_len: int,
    budget: int,
    max_num_seqs: int,
    kv_sequences: int | None = None,
) -> Saturation:
    """The saturation point of one engine (module docstring): the analytic steady-state throughput at
    ``C_max = min(max_num_seqs, kv_sequences)``, and the smallest concurrency reaching 90 % of it
    (bisection; throughput is non-decreasing in the concurrency)."""
    c_max = max(1, min(int(max_num_seqs), int(kv_sequences) if kv_sequences else int(max_num_seqs)))
    cache: dict = {}
    top = steady_state(cm, input_len, output_len, c_max, budget, cache=cache)
    target = KNEE_FRACTION * top.requests_per_s
    lo, hi = 1, c_max
    while lo < hi:
        mid = (lo + hi) // 2
        if steady_state(cm, input_len, output_len, mid, budget, cache=cache).requests_per_s >= target:
            hi = mid
        else:
            lo = mid + 1
    return Saturation(top.requests_per_s, top.output_tok_s, c_max, lo)


def engine_saturation(cm: CostModel, sched: Any, input_len: int, output_len: int, dp: int = 1) -> Saturation:
    """:func:`saturation` of ``dp`` engines run by scheduler ``sched`` (a
    :class:`~dashboard.sim_scheduler.SchedulerConfig`): ``C_max`` from ``max_num_seqs`` and the KV
    blocks (``sched.num_kv_blocks``, else the memory model's :func:`~dashboard.sim_scheduler.kv_blocks_for`)
    holding ``I + O`` tokens per sequence; rates and concurrencies × ``dp``."""
    from dashboard.sim_scheduler import kv_blocks_for

    ctx_len = int(input_len) + int(output_len)
    blocks = sched.num_kv_blocks or kv_blocks_for(cm, sched, ctx_len)
    kv_seqs = max(1, blocks // max(1, -(-ctx_len // sched.block_size)))
    one = saturation(cm, input_len, output_len, sched.max_num_batched_tokens, sched.max_num_seqs, kv_seqs)
    return Saturation(one.rate_req_s * dp, one.output_tok_s * dp, one.max_concurrency * dp, one.knee_concurrency * dp)


def in_flight_at_rate(cm: CostModel, input_len: int, output_len: int, budget: int, rate: float, sat: Saturation) -> int:
    """``C̄ = ceil(λ · E2E)``: the steady in-flight count at request rate ``rate`` (req/s), i.e.
    the smallest concurrency whose steady-state throughput reaches ``rate`` (Little's law);
    ``sat.max_concurrency`` at or above saturation."""
    if rate >= sat.rate_req_s:
        return sat.max_concurrency
    cache: dict = {}
    lo, hi = 1, sat.max_concurrency
    while lo < hi:
        mid = (lo + hi) // 2
        if steady_state(cm, input_len, output_len, mid, budget, cache=cache).requests_per_s >= rate:
            hi = mid
        else:
            lo = mid + 1
    return lo


def point_requests(minimum: int, in_flight: int) -> int:
    """Requests one sweep point runs: ``max(minimum, 4 · in_flight)``."""
    return max(int(minimum), REQUESTS_PER_CLIENT * max(1, int(in_flight)))
