"""Speed of the scheduler simulator (issue 5 target: < 2 s wall on a 2-core machine).

10,000 requests, 1024 prompt / 256 output tokens, Poisson arrivals at 95 % of the saturated
request rate, Llama-3.1-8B on one H200, chunked prefill with a 2048-token budget. The saturated rate
is measured first (all requests at t = 0, same scheduler). Prints wall time, steps/s and simulated
requests/s; run with ``python benchmarks/bench_simulator.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, make_workload, simulate


def main() -> int:
    cm = CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))
    sched = SchedulerConfig(max_num_batched_tokens=2048)
    probe = simulate(cm, WorkloadConfig(num_requests=2000, input_len=1024, output_len=256), sched, record_steps=False)
    sat = probe.summary["request_throughput_req_s"]
    rate = 0.95 * sat
    wl = make_workload(WorkloadConfig(num_requests=10_000, input_len=1024, output_len=256, request_rate=rate, seed=0))
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = simulate(cm, wl, sched)
        runs.append(time.perf_counter() - t0)
    wall = min(runs)
    s = res.summary
    print(f"saturated rate (probe, 2000 requests at t=0): {sat:.2f} req/s → Poisson rate {rate:.2f} req/s")
    print(f"wall time (best of 3): {wall:.3f} s   runs: {', '.join(f'{r:.3f}' for r in runs)}")
    print(f"steps: {s['num_steps']}   steps/s: {s['num_steps'] / wall:,.0f}   "
          f"simulated requests/s: {s['completed'] / wall:,.0f}")
    print(f"simulated: duration {s['duration_s']:.1f} s, output {s['output_throughput_tok_s']:.0f} tok/s, "
          f"TTFT p50/p99 {s['ttft_ms']['p50']:.1f}/{s['ttft_ms']['p99']:.1f} ms, "
          f"TPOT p50/p99 {s['tpot_ms']['p50']:.2f}/{s['tpot_ms']['p99']:.2f} ms, "
          f"MFU {s['mfu'] * 100:.1f} %, HBM {s['hbm_bw_utilization'] * 100:.1f} %")
    print("target < 2 s:", "PASS" if wall < 2.0 else "MISS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
