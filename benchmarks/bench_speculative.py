"""Speculative decoding (issue 13): TPOT and throughput vs batch with and without, and the
simulator's cost per step with speculation against plain decoding.

1. TPOT-vs-batch tables from :func:`dashboard.features.speculative.tpot_vs_batch` for EAGLE-3 on
   Llama-3.1-8B / H200 (mean acceptance length 3 at k = 3; context 1024 and 128), DeepSeek-V3 MTP
   on 8 × H200 FP8 (k = 1, α = 0.85), and a Llama-3.2-size draft for Llama-3.1-70B (TP4).
2. The simulator: the same closed-loop workload with and without EAGLE-3 — wall time per simulated
   step (the simulator's own cost; target ≤ 1.5× plain), simulated step duration, TPOT, ITL and the
   realised acceptance length. Run with ``python benchmarks/bench_speculative.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.features.speculative import crossover_batch, make_speculative_config, tpot_vs_batch
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, make_workload, simulate

BATCHES = (1, 4, 16, 64, 128, 256, 512, 1024)


def table(title: str, cm: CostModel, cfg, context: int, batches=BATCHES) -> None:
    rows = tpot_vs_batch(cm, cfg, batches, context)
    print(f"\n{title} (context {context}, E = {cfg.expected_tokens:.2f} tokens/step)")
    print(
        f"{'batch':>6}{'TPOT off ms':>13}{'TPOT on ms':>12}{'tok/s off':>12}{'tok/s on':>12}{'speedup':>9}"
        f"{'draft ms':>10}{'verify ms':>11}"
    )
    for r in rows:
        print(
            f"{r['batch']:>6}{r['plain_tpot_ms']:>13.3f}{r['spec_tpot_ms']:>12.3f}{r['plain_tok_s']:>12.0f}"
            f"{r['spec_tok_s']:>12.0f}{r['speedup']:>9.2f}{r['draft_ms']:>10.3f}{r['verify_ms']:>11.3f}"
        )
    cb = crossover_batch(rows)
    print(f"crossover batch (speculation stops paying): {cb if cb is not None else 'none in range'}")


def sim_cost(cm: CostModel, cfg, concurrency: int, n: int = 256) -> None:
    wl = make_workload(WorkloadConfig(num_requests=n, input_len=1024, output_len=256, concurrency=concurrency, seed=0))
    sched = SchedulerConfig(max_num_batched_tokens=2048)
    out = {}
    for name, spec in (("plain", None), ("eagle3", cfg)):
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            res = simulate(cm, wl, sched, record_steps=True, speculative=spec)
            best = min(best, time.perf_counter() - t0)
        out[name] = (best, res)
    (wp, rp), (ws, rs) = out["plain"], out["eagle3"]
    sp, ss = rp.summary, rs.summary
    per_p, per_s = wp / sp["num_steps"] * 1e6, ws / ss["num_steps"] * 1e6
    dur_p, dur_s = rp.steps["dur_s"].mean() * 1e3, rs.steps["dur_s"].mean() * 1e3
    print(
        f"concurrency {concurrency:>4}: wall/step {per_p:7.1f} µs plain, {per_s:7.1f} µs spec "
        f"({per_s / per_p:.2f}×; wall per output token {ws / wp:.2f}×) | simulated step {dur_p:.2f} → {dur_s:.2f} ms "
        f"({dur_s / dur_p:.2f}×) | TPOT {sp['tpot_ms']['mean']:.2f} → {ss['tpot_ms']['mean']:.2f} ms, ITL "
        f"{sp['itl_ms']['mean']:.2f} → {ss['itl_ms']['mean']:.2f} ms, acceptance length "
        f"{ss['spec_decode_acceptance_length']:.3f} (expected {ss['spec_expected_acceptance_length']:.3f})"
    )


def main() -> int:
    h200 = load_hardware("h200")
    l8 = CostModel(load_model("llama-3.1-8b"), h200)
    eagle3 = make_speculative_config("eagle3", 3, acceptance_length=3.0)
    table("EAGLE-3, Llama-3.1-8B, 1 × H200, k = 3", l8, eagle3, 1024)
    table("EAGLE-3, Llama-3.1-8B, 1 × H200, k = 3, short context (compute-bound at large batch)", l8, eagle3, 128)
    ds = CostModel(load_model("deepseek-v3"), h200, ParallelConfig(tp=8), Dtypes(weight="fp8"))
    table(
        "MTP, DeepSeek-V3, 8 × H200 FP8, k = 1, α = 0.85",
        ds,
        make_speculative_config("mtp", 1, acceptance=0.85),
        2048,
        (1, 4, 16, 64, 256),
    )
    l70 = CostModel(load_model("llama-3.1-70b"), h200, ParallelConfig(tp=4))
    table(
        "draft model Llama-3.1-8B for Llama-3.1-70B, 4 × H200, k = 4, α = 0.7",
        l70,
        make_speculative_config("draft_model", 4, acceptance=0.7, draft_model="llama-3.1-8b"),
        1024,
        (1, 4, 16, 64),
    )
    print("\nsimulator, Llama-3.1-8B / H200, 256 requests 1024 → 256 tokens, closed loop, EAGLE-3 k = 3, E = 3")
    for c in (1, 16, 64):
        sim_cost(l8, eagle3, c)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
