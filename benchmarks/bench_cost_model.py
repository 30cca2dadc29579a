"""Speed of one cost-model step evaluation (target: ≤ 50 µs after the model is loaded).

Prints µs per ``CostModel.step_time_s`` call (the fast path used by the simulator and the search)
and per ``CostModel.step`` (full per-op breakdown) for dense, MoE, MLA and sliding-window models.
Run: ``python benchmarks/bench_cost_model.py``.
"""

from __future__ import annotations

import time

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model

CASES = [
    ("llama-3.1-8b", 1, 1, "bf16"),
    ("llama-3.1-70b", 8, 1, "bf16"),
    ("qwen3-30b-a3b", 4, 4, "bf16"),
    ("deepseek-v3", 8, 8, "fp8"),
    ("gpt-oss-120b", 4, 1, "bf16"),
]


def bench(n: int = 5000) -> list[tuple[str, float, float]]:
    hw = load_hardware("h200")
    rows = []
    for slug, tp, ep, wd in CASES:
        cm = CostModel(load_model(slug), hw, ParallelConfig(tp=tp, ep=ep), Dtypes(weight=wd))
        spec = StepSpec(prefill_seqs=2, prefill_len=512, prefix_len=1024, decode_seqs=64, decode_context=2048)
        stats = cm.stats_for(spec)
        for _ in range(200):
            cm.step_time_s(stats)
        t0 = time.process_time()
        for _ in range(n):
            cm.step_time_s(stats)
        fast = (time.process_time() - t0) / n * 1e6
        t0 = time.process_time()
        for _ in range(n // 5):
            cm.step(spec)
        full = (time.process_time() - t0) / (n // 5) * 1e6
        rows.append((f"{slug} tp={tp} ep={ep} {wd}", fast, full))
    return rows


if __name__ == "__main__":
    print(f"{'case':<36}{'step_time_s µs':>16}{'step() µs':>12}")
    for name, fast, full in bench():
        flag = "" if fast <= 50 else "  (above the 50 µs target)"
        print(f"{name:<36}{fast:>16.1f}{full:>12.1f}{flag}")
