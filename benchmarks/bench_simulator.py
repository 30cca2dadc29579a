"""Speed of the scheduler simulator (issue 16 targets on a 2-core machine: 10,000 requests ≤ 1.5 s,
100,000 requests ≤ 10 s).

Workload: 1024 prompt / 256 output tokens, Poisson arrivals at 95 % of the saturated request rate,
Llama-3.1-8B on one H200, chunked prefill with a 2048-token budget (the seed's scheduler rules, so
the figure compares across versions); then the same 10,000 requests under the ``vllm`` engine
profile (full-prompt admission, async scheduling, shared prefix blocks, overheads). The saturated
rate is measured first (2000 requests at t = 0, same scheduler). Wall time is the best of
``--repeats`` runs (default 3 for 10k, 1 for 100k); run with ``python benchmarks/bench_simulator.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, make_workload, simulate

TARGETS = {10_000: 1.5, 100_000: 10.0}


def _best(fn, repeats: int) -> tuple[float, list[float], object]:
    """Best wall time of ``repeats`` runs, all runs, the result; also records the CPU time of the
    best run in ``_best.cpu`` (on a shared machine the CPU time is the steadier figure)."""
    runs = []
    cpus = []
    res = None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        res = fn()
        runs.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    _best.cpu = min(cpus)  # type: ignore[attr-defined]
    return min(runs), runs, res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-100k", action="store_true")
    args = ap.parse_args(argv)
    cm = CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))
    sched = SchedulerConfig(max_num_batched_tokens=2048)
    probe = simulate(cm, WorkloadConfig(num_requests=2000, input_len=1024, output_len=256), sched, record_steps=False)
    sat = probe.summary["request_throughput_req_s"]
    rate = 0.95 * sat
    print(f"saturated rate (probe, 2000 requests at t=0): {sat:.2f} req/s → Poisson rate {rate:.2f} req/s")
    ok = True
    for n in (10_000, 100_000):
        if n == 100_000 and args.skip_100k:
            continue
        wl = make_workload(WorkloadConfig(num_requests=n, input_len=1024, output_len=256, request_rate=rate, seed=0))
        wall, runs, res = _best(
            lambda wl=wl: simulate(cm, wl, sched, record_steps=False), args.repeats if n < 50_000 else 1
        )
        s = res.summary  # type: ignore[attr-defined]
        hit = wall <= TARGETS[n]
        ok &= hit
        print(
            f"{n:>7,} requests: {wall:.3f} s wall, {_best.cpu:.3f} s CPU (runs {', '.join(f'{r:.3f}' for r in runs)}), "  # type: ignore[attr-defined]
            f"{s['num_steps']:,} steps, "
            f"{s['num_steps'] / wall:,.0f} steps/s; target ≤ {TARGETS[n]} s: {'PASS' if hit else 'MISS'}"
        )
        print(
            f"         simulated: duration {s['duration_s']:.1f} s, output {s['output_throughput_tok_s']:.0f} tok/s, "
            f"TTFT p50/p99 {s['ttft_ms']['p50']:.1f}/{s['ttft_ms']['p99']:.1f} ms, "
            f"TPOT p50/p99 {s['tpot_ms']['p50']:.2f}/{s['tpot_ms']['p99']:.2f} ms"
        )
    try:
        vsched = SchedulerConfig.from_engine("vllm", cm.hw, max_num_batched_tokens=2048)
    except (TypeError, AttributeError):  # a version without engine profiles
        return 0
    wl = make_workload(WorkloadConfig(num_requests=10_000, input_len=1024, output_len=256, request_rate=rate, seed=0))
    wall, runs, res = _best(lambda: simulate(cm, wl, vsched, record_steps=False), args.repeats)
    s = res.summary  # type: ignore[attr-defined]
    print(
        f" 10,000 requests, vllm engine rules: {wall:.3f} s, {s['num_steps']:,} steps; TTFT p50/p99 "
        f"{s['ttft_ms']['p50']:.1f}/{s['ttft_ms']['p99']:.1f} ms, TPOT p50 {s['tpot_ms']['p50']:.2f} ms"
    )
    print(
        "machine load (1-minute average):",
        f"{os.getloadavg()[0]:.1f}",
        "— targets",
        "met" if ok else "missed",
        "on wall time",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
