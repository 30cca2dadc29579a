"""Real workloads at scale (issue 15): trace replay and sweeps on a process pool vs local Ray.

Prints:
* trace replay: a synthetic 100,000-request multi-turn Mooncake-style trace (shared system prompts,
  512-token prefix ids) parsed from JSONL and replayed in the simulator (Llama-3.1-8B, 8 DP engines
  of one H200 each), wall time (target ≤ 15 s on the 2-core reference machine) and the prefix-hit
  figures;
* a 200-cell sweep (2 models × 5 GPUs × 2 workloads × 10 seeds, small cells) on the process pool
  and on a local Ray cluster (``ray.init(num_cpus=2)``): wall time, the per-task overhead
  (wall × workers / cells − mean task time) and whether the rows are identical.
Run with ``python benchmarks/bench_workloads.py [--quick]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.services.sweep import parse_spec, run_sweep
from dashboard.sim.trace_synth import synthetic_multiturn_trace
from dashboard.sim.traces import load_trace, trace_to_mooncake_jsonl
from dashboard.sim_scheduler import SchedulerConfig, simulate


def bench_trace(n: int) -> None:
    t0 = time.perf_counter()
    tw = synthetic_multiturn_trace(
        n, block_size=512, system_len=512, user_len=128, conversation_rate=33.0, think_time_s=20.0, seed=1
    )  # about 100 req/s
    text = trace_to_mooncake_jsonl(tw)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    tr = load_trace(text.encode())
    t_parse = time.perf_counter() - t0
    cm = CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))
    sched = SchedulerConfig.from_engine("vllm", cm.hw, 1)  # prefix caching on: the trace's hash_ids drive it
    t0 = time.perf_counter()
    res = simulate(cm, tr.workload, sched, dp=3, router="vllm_least_loaded", record_steps=False)
    t_sim = time.perf_counter() - t0
    s = res.summary
    print(
        f"trace: {n:,} requests, {len(text) / 1e6:.1f} MB JSONL, mean prompt {sum(tr.workload.prompt) / n:.0f} tok, "
        f"ideal prefix-hit share {tr.shared_prefix_tokens() / sum(tr.workload.prompt):.3f}"
    )
    print(
        f"  generate {t_gen:.2f} s, parse {t_parse:.2f} s, simulate {t_sim:.2f} s "
        f"({s['num_steps']:,} steps), replay total (parse + simulate) {t_parse + t_sim:.2f} s "
        f"— target ≤ 15 s: {'PASS' if t_parse + t_sim <= 15 else 'MISS'}"
    )
    print(
        f"  TTFT p50/p99 {s['ttft_ms']['p50']:.1f}/{s['ttft_ms']['p99']:.1f} ms, "
        f"prefix_cache_hit_rate {s['prefix_cache_hit_rate']:.3f}, preemptions {s['preemptions']}"
    )
    if n <= 20_000:  # the CPU tier on a deliberately small HBM cache (3,000 blocks per engine)
        from dataclasses import replace

        from dashboard.features.kv_offload import CpuTierConfig

        small = replace(sched, num_kv_blocks=3000)
        for tier in (None, CpuTierConfig(capacity_gib=64)):
            r = simulate(cm, tr.workload, small, dp=3, router="vllm_least_loaded", record_steps=False, cpu_tier=tier)
            k = r.summary.get("kv_cpu_tier", {})
            print(
                f"  HBM cache 3,000 blocks/engine, CPU tier {'64 GiB' if tier else 'off   '}: hit rate "
                f"{r.summary['prefix_cache_hit_rate']:.3f} (CPU {k.get('cpu_hit_rate', 0):.3f}), TTFT mean "
                f"{r.summary['ttft_ms']['mean']:.1f} ms, p99 {r.summary['ttft_ms']['p99']:.1f} ms"
            )


def bench_sweep(cells_seeds: int) -> None:
    spec = parse_spec(
        {
            "models": ["llama-3.1-8b", "qwen2.5-7b"],
            "hardware": ["h200", "h100-sxm", "a100-80g", "l40s", "b200"],
            "workloads": [
                {"input_len": 256, "output_len": 16, "request_rate": 20, "num_requests": 20},
                {"input_len": 128, "output_len": 8, "concurrency": 4, "num_requests": 20},
            ],
            "seeds": list(range(cells_seeds)),
            "max_num_batched_tokens": [1024],
            "max_num_seqs": [64],
        }
    )
    workers = min(2, os.cpu_count() or 1)
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as d:
        for backend in ("pool", "ray"):
            t0 = time.perf_counter()
            df = run_sweep(spec, Path(d) / f"{backend}.csv", workers=workers, backend=backend)
            wall = time.perf_counter() - t0
            task = float(df["task_s"].mean())
            overhead = wall * workers / len(df) - task
            out[backend] = df.drop(columns=["task_s"]).sort_values("cell_key").reset_index(drop=True)
            print(
                f"sweep on {backend:<4}: {len(df)} cells, {workers} workers, wall {wall:.2f} s, "
                f"mean task {task * 1e3:.1f} ms, per-task overhead {overhead * 1e3:.1f} ms"
            )
    same = out["pool"].equals(out["ray"])  # type: ignore[union-attr]
    print(f"identical rows on pool and Ray: {same}")


def main() -> int:
    quick = "--quick" in sys.argv
    bench_trace(10_000 if quick else 100_000)
    bench_sweep(2 if quick else 10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
