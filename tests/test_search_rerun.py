"""The search re-run: simulated percentiles of the best configurations, SLA on the chosen percentile."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import ParallelConfig
from dashboard.features.presets import load_model
from dashboard.services.search import SLA, SearchSpace, Workload, evaluate_config, search_aggregated
from dashboard.services.search_rerun import pick_best, rerun_rows
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, simulate

L8B = load_model("llama-3.1-8b")
H200 = load_hardware("h200")


def test_rerun_row_is_the_simulator_under_the_engine() -> None:
    row = evaluate_config(L8B, H200, 1, 1, 1, 32, 2048, Workload(512, 64))
    assert row["max_num_batched_tokens"] == 2048 and row["max_num_seqs"] == 32
    [r] = rerun_rows(
        L8B,
        H200,
        [row],
        512,
        64,
        engine="vllm",
        request_rate=20.0,
        num_requests=200,
        percentile=90,
        sla=SLA(ttft_ms=1e4, tpot_ms=1e4),
    )
    # the same run by hand: vLLM rules, max_num_seqs = 32, budget 2048, Poisson 20 req/s, ±10 % lengths
    sched = SchedulerConfig.from_engine("vllm", H200, 1, max_num_seqs=32, max_num_batched_tokens=2048)
    wl = WorkloadConfig(
        num_requests=200,
        input_len=512,
        output_len=64,
        input_dist="uniform",
        output_dist="uniform",
        input_spread=0.1,
        output_spread=0.1,
        request_rate=20.0,
        seed=0,
    )
    res = simulate(CostModel(L8B, H200, ParallelConfig()), wl, sched, router="vllm_least_loaded", record_steps=False)
    ttft = res.requests["ttft_s"][20:] * 1e3  # the first n/10 = 20 requests are warm-up
    assert r["ttft_ms_p90"] == pytest.approx(np.percentile(ttft, 90), rel=1e-12)
    assert r["ttft_ms_p50"] <= r["ttft_ms_p90"] <= r["ttft_ms_p99"]
    assert r["sim_meets_sla"] is True and r["engine"] == "vllm" and r["arrival"] == "poisson"
    assert r["sim_output_tok_s_per_gpu"] == pytest.approx(res.summary["output_throughput_tok_s_per_gpu"])


def test_sla_checked_on_the_chosen_percentile() -> None:
    res = search_aggregated(
        L8B,
        H200,
        1,
        Workload(1024, 128),
        SLA(ttft_ms=5000, tpot_ms=100),
        space=SearchSpace(tp=(1,), concurrency=(64,), budgets=(2048,), engine="vllm"),
    )
    rows = res.feasible[:1]
    [p50] = rerun_rows(L8B, H200, rows, 1024, 128, percentile=50, num_requests=300, concurrency=64)
    tight = SLA(ttft_ms=(p50["ttft_ms_p50"] + p50["ttft_ms_p99"]) / 2)
    [a] = rerun_rows(L8B, H200, rows, 1024, 128, percentile=50, sla=tight, num_requests=300, concurrency=64)
    [b] = rerun_rows(L8B, H200, rows, 1024, 128, percentile=99, sla=tight, num_requests=300, concurrency=64)
    assert a["sim_meets_sla"] and not b["sim_meets_sla"] and "TTFT" in b["sim_reason"]
    assert pick_best([b]) is None and pick_best([a, b]) is a
    with pytest.raises(ValueError, match="not both"):
        rerun_rows(L8B, H200, rows, 1024, 128, request_rate=1.0, concurrency=2)
