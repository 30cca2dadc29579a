"""Simulation drivers (grids, process pool, seed aggregation) and the simulator figures."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.common import plots_sim
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.services.simulation import (
    SimJob,
    aggregate_seeds,
    check_work,
    estimate_steps,
    explode_slas,
    flatten_summary,
    grid_jobs,
    run_job,
    run_jobs,
    simulate_job,
    sweep_jobs,
)
from dashboard.sim_scheduler import SLA, SchedulerConfig, WorkloadConfig


@pytest.fixture(scope="module")
def base() -> SimJob:
    return SimJob(
        load_model("llama-3.1-8b"),
        load_hardware("h200"),
        WorkloadConfig(num_requests=24, input_len=256, output_len=16),
        scheduler=SchedulerConfig(num_kv_blocks=2000),
        sla=SLA(ttft_ms=500.0),
    )


def test_grid_jobs_labels_and_fields(base: SimJob) -> None:
    jobs = grid_jobs(base, {"workload.concurrency": [1, 8], "scheduler.max_num_batched_tokens": [512, 1024]})
    assert len(jobs) == 4
    assert dict(jobs[1].labels) == {"concurrency": 1, "max_num_batched_tokens": 1024}
    assert jobs[3].workload.concurrency == 8 and jobs[3].scheduler.max_num_batched_tokens == 1024


def test_run_jobs_pool_equals_inline_and_reports_progress(base: SimJob) -> None:
    jobs = grid_jobs(base, {"workload.concurrency": [2, 8], "workload.seed": [0, 1]})
    seen: list[tuple[int, int]] = []
    pooled = run_jobs(jobs, workers=2, progress=lambda d, n: seen.append((d, n)))
    inline = run_jobs(jobs, workers=1)
    pd.testing.assert_frame_equal(pd.DataFrame(pooled), pd.DataFrame(inline))
    assert seen[-1] == (4, 4) and len(seen) == 4
    # more clients → more throughput, longer TPOT
    assert pooled[2]["output_throughput_tok_s"] > pooled[0]["output_throughput_tok_s"]
    assert pooled[2]["tpot_mean_ms"] > pooled[0]["tpot_mean_ms"]


def test_run_job_row_matches_simulate(base: SimJob) -> None:
    row = run_job(base)
    res = simulate_job(base)
    assert row["error"] == ""
    assert row["ttft_p90_ms"] == res.summary["ttft_ms"]["p90"]
    assert row["goodput_req_s"] == res.summary["goodput_req_s"]
    flat = flatten_summary(res.summary)
    assert flat["e2e_p99_ms"] == res.summary["e2e_ms"]["p99"]
    multi = run_job(
        SimJob(
            base.model,
            base.hardware,
            base.workload,
            scheduler=base.scheduler,
            extra_slas=(SLA(ttft_ms=1e-3), SLA(ttft_ms=1e6, tpot_ms=1e6)),
        )
    )
    exploded = explode_slas([multi])
    assert [r["sla_attainment"] for r in exploded] == [0.0, 1.0]
    assert exploded[1]["goodput_req_s"] == pytest.approx(res.summary["request_throughput_req_s"])
    assert exploded[0]["sla"] == "TTFT≤0.001 ms" and "by_sla" not in exploded[0]
    bad = run_job(SimJob(base.model, base.hardware, base.workload, scheduler=SchedulerConfig(num_kv_blocks=2)))
    assert "KV blocks" in bad["error"]


def test_sweep_jobs_grid_and_aggregate(base: SimJob) -> None:
    jobs = sweep_jobs(base, ["fixed", "lognormal"], [128, 512], ["chunked", "prefill_first"], [50.0], "rate", 2)
    assert len(jobs) == 2 * 2 * 2 * 1 * 2
    j = jobs[-1]
    assert dict(j.labels) == {"dist": "lognormal", "policy": "prefill_first", "budget": 512, "load": 50.0, "seed": 1}
    assert j.scheduler.chunked_prefill is False and j.workload.request_rate == 50.0
    assert jobs[0].scheduler.max_num_seqs == 128  # capped at the budget
    rows = run_jobs(jobs, workers=1)
    # without chunked prefill a prompt longer than the budget is refused, as vLLM / TRT-LLM refuse it:
    # those runs carry the reason instead of numbers, and the aggregate leaves them out
    refused = [r for r in rows if r["error"]]
    assert {(r["policy"], r["budget"]) for r in refused} == {("prefill_first", 128)} and len(refused) == 4
    assert all("must be at least the longest prompt" in r["error"] for r in refused)
    agg = aggregate_seeds(rows, ["dist", "policy", "budget", "load"])
    assert len(agg) == 6 and set(agg["seeds"]) == {2}
    assert (agg["ttft_p90_ms_min"] <= agg["ttft_p90_ms"]).all()
    assert (agg["ttft_p90_ms"] <= agg["ttft_p90_ms_max"]).all()
    lognormal = agg[agg["dist"] == "lognormal"]
    assert (lognormal["ttft_p90_ms_max"] > lognormal["ttft_p90_ms_min"]).any()  # seeds differ
    fixed = agg[agg["dist"] == "fixed"]
    assert fixed["tpot_mean_ms"].notna().all()
    with pytest.raises(ValueError, match="policy"):
        sweep_jobs(base, ["fixed"], [128], ["fcfs"], [1.0], "rate", 1)


def test_work_estimate_refuses_huge_runs(base: SimJob) -> None:
    assert estimate_steps(base.workload, base.scheduler) == pytest.approx(24 * (1 + 16) / 24)
    rate = WorkloadConfig(num_requests=100, input_len=100, output_len=1000, request_rate=1.0)
    assert estimate_steps(rate, base.scheduler) == pytest.approx(100 / 1.0 / 0.005)  # 100 s of 5 ms steps
    huge = SimJob(
        base.model, base.hardware, WorkloadConfig(num_requests=20_000, input_len=1024, output_len=4096, concurrency=1)
    )
    with pytest.raises(ValueError, match="simulated steps"):
        check_work([huge])


def test_figures(base: SimJob) -> None:
    res = simulate_job(base)
    fig = plots_sim.step_timeline(res.steps, res.num_kv_blocks)
    assert isinstance(fig, go.Figure) and len(fig.data) == 6
    assert list(fig.data[0].y) == list(res.steps["prefill_tokens"])
    big = {k: list(range(5000)) for k in ("start_s", "dur_s", "prefill_tokens")}
    assert len(plots_sim.downsample_steps(big, 1000)["dur_s"]) == 1000
    cdf = plots_sim.latency_cdf({"TTFT": res.requests["ttft_s"] * 1e3})
    assert cdf.data[0].y[-1] == pytest.approx(100.0)
    df = pd.DataFrame(
        {
            "load": [1, 2, 1, 2],
            "y": [1.0, 2.0, 3.0, 4.0],
            "y_min": [0.5, 1.5, 2.5, 3.5],
            "y_max": [1.5, 2.5, 3.5, 4.5],
            "g": ["a", "a", "b", "b"],
        }
    )
    sw = plots_sim.sweep_lines(df, "load", "y", ["g"])
    assert len(sw.data) == 2 and list(sw.data[0].error_y.array) == [0.5, 0.5]
    hm = plots_sim.grid_heatmap([[1.0, float("nan")], [3.0, 4.0]], [1, 64], [512, 2048])
    assert hm.layout.xaxis.type == "category" and list(hm.data[0].text[0]) == ["1", ""]
    ml = plots_sim.metric_lines([1, 2], {"a": [1, 2]}, secondary={"b": [3, 4]})
    assert len(ml.data) == 2 and not math.isnan(ml.data[1].y[0])
