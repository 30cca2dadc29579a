"""Issue 14 §2: sweep points that measure a steady state — requests per point, the warm-up/drain
window (a hand-checked case and Little's law on a real run) and the saturation point (against a
compute bound and the simulator)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.features.cost_model import CostModel
from dashboard.features.engine import load_engine
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.services.search_steady import steady_state
from dashboard.services.simulation import SimJob, run_job, sweep_jobs
from dashboard.services.sweep_points import (
    engine_saturation,
    in_flight_at_rate,
    point_requests,
    saturation,
    steady_stats,
    steady_window,
)
from dashboard.sim.metrics import SLA
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig

MODEL, HW = load_model("llama-3.1-8b"), load_hardware("h200")


def _cm() -> CostModel:
    return CostModel(MODEL, HW, ParallelConfig(), Dtypes(), 0.0)


def _requests(arr, fin, out) -> dict[str, np.ndarray]:
    arr, fin = np.asarray(arr, float), np.asarray(fin, float)
    e2e = fin - arr
    return {
        "arrival_s": arr,
        "finish_s": fin,
        "output": np.asarray(out, float),
        "prompt": np.full(arr.size, 100.0),
        "ttft_s": e2e / 4,
        "tpot_s": e2e / 40,
        "e2e_s": e2e,
        "queue_s": np.zeros(arr.size),
    }


def test_window_of_a_hand_made_closed_loop() -> None:
    # C = 2 clients, 6 requests of 2 s each: r0, r1 at t=0; each finish issues the next request
    arr = [0, 0, 1, 2, 3, 4]
    fin = [1, 2, 3, 4, 5, 6]
    w = steady_window(np.array(arr, float), np.array(fin, float))
    # warm-up: arrivals before the first finish (t=1): r0, r1; drain: finishing after the last arrival (t=4): r4, r5
    assert (w.warmup, w.drain, w.t_start, w.t_end) == (2, 2, 2.0, 4.0)  # window: r1 (last warm-up) done → t=4
    assert w.measured.tolist() == [False, False, True, True, False, False]
    s = steady_stats(_requests(arr, fin, [10] * 6), gpus=2, sla=SLA(e2e_ms=2500))
    # throughput: the 2 requests finishing in (2, 4] (r2, r3) over 2 s = C / E2E; latencies of r2, r3 only
    assert s["request_throughput_req_s"] == pytest.approx(1.0)
    assert s["output_throughput_tok_s"] == pytest.approx(10.0)
    assert s["output_throughput_tok_s_per_gpu"] == pytest.approx(5.0)
    assert s["e2e_p50_ms"] == pytest.approx(2000) and s["measured_requests"] == 2
    assert s["sla_attainment"] == 1.0 and s["goodput_req_s"] == pytest.approx(1.0)
    # a request that never finished is drain; too few measured requests: no steady window
    w2 = steady_window(np.array([0, 0, 1.0]), np.array([1, math.nan, 2.0]))
    assert (w2.warmup, w2.drain, w2.steady) == (2, 1, False)
    assert steady_stats(_requests([0, 0, 1], [1, 3, 2], [1, 1, 1]), gpus=1)["steady"] is False


def test_closed_loop_run_excludes_one_wave_each_side_and_obeys_littles_law() -> None:
    sched = SchedulerConfig(max_num_seqs=64, max_num_batched_tokens=2048)
    wl = WorkloadConfig(num_requests=point_requests(24, 16), input_len=512, output_len=64, concurrency=16)
    row = run_job(SimJob(model=MODEL, hardware=HW, workload=wl, scheduler=sched, steady=True))
    assert wl.num_requests == 64  # 4 × concurrency beats the minimum of 24
    assert (row["warmup_requests"], row["drain_requests"], row["measured_requests"]) == (16, 16, 32)
    # a closed loop with no think time: throughput = clients / mean E2E (Little's law)
    assert row["request_throughput_req_s"] == pytest.approx(16 / (row["e2e_mean_ms"] / 1e3), rel=0.05)


def test_saturation_against_a_compute_bound_and_the_simulator() -> None:
    cm = _cm()
    sched = SchedulerConfig.from_engine(load_engine("vllm"), HW, 1)
    sat = engine_saturation(cm, sched, 1024, 256)
    # every token costs at least 2 · active params FLOPs: rate ≤ peak / (2 · N · (I + O))
    bound = HW.peak_flops("bf16") / (2 * MODEL.active_params() * (1024 + 256))
    assert 0.3 * bound < sat.rate_req_s < bound
    assert sat.output_tok_s == pytest.approx(sat.rate_req_s * 256)
    # the knee: the first concurrency with 90 % of the saturation throughput
    b = sched.max_num_batched_tokens
    assert steady_state(cm, 1024, 256, sat.knee_concurrency, b).requests_per_s >= 0.9 * sat.rate_req_s
    assert steady_state(cm, 1024, 256, sat.knee_concurrency - 1, b).requests_per_s < 0.9 * sat.rate_req_s
    # the simulator's closed loop at C_max (steady window) sustains about the same rate
    wl = WorkloadConfig(
        num_requests=4 * sat.max_concurrency, input_len=1024, output_len=256, concurrency=sat.max_concurrency
    )
    row = run_job(SimJob(model=MODEL, hardware=HW, workload=wl, scheduler=sched, steady=True))
    assert row["request_throughput_req_s"] == pytest.approx(sat.rate_req_s, rel=0.2)
    # Little's law at half the saturation rate: the in-flight count is well below C_max
    c_half = in_flight_at_rate(cm, 1024, 256, b, 0.5 * sat.rate_req_s, sat)
    assert 1 < c_half < sat.knee_concurrency
    assert in_flight_at_rate(cm, 1024, 256, b, 2 * sat.rate_req_s, sat) == sat.max_concurrency
    # max_num_seqs caps C_max
    assert saturation(cm, 1024, 256, b, 32).max_concurrency == 32


def test_sweep_points_are_sized_for_their_load() -> None:
    base = SimJob(model=MODEL, hardware=HW, workload=WorkloadConfig(num_requests=60, input_len=512, output_len=64))
    jobs = sweep_jobs(base, ["fixed"], [2048], ["chunked"], [2, 50], "concurrency", 1)
    assert [j.workload.num_requests for j in jobs] == [60, 200] and all(j.steady for j in jobs)
    sched = replace(base.scheduler, max_num_batched_tokens=2048, max_num_seqs=min(base.scheduler.max_num_seqs, 2048))
    sat = engine_saturation(base.cost_model(), sched, 512, 64)
    rates = [1.0, 0.8 * sat.rate_req_s]
    jobs = sweep_jobs(base, ["fixed"], [2048], ["chunked"], rates, "rate", 1)
    want = [point_requests(60, in_flight_at_rate(base.cost_model(), 512, 64, 2048, r, sat)) for r in rates]
    assert [j.workload.num_requests for j in jobs] == want and want[0] == 60 and want[1] > 60
    old = sweep_jobs(base, ["fixed"], [2048], ["chunked"], [50], "concurrency", 1, steady=False)
    assert old[0].workload.num_requests == 60 and not old[0].steady


def test_simulator_page_marks_saturation_and_counts_the_window() -> None:
    at = AppTest.from_file(str(DASHBOARD_DIR / "vllm_simulator_dashboard.py"), default_timeout=180)
    at.query_params["concurrencies"] = "2,16"
    at.query_params["budgets"] = "2048"
    at.query_params["max_num_batched_tokens"] = "2048"
    at.query_params["max_num_seqs"] = "256"
    at.run()
    assert not at.exception
    assert any("Saturation" in c.value and "% of saturation" in c.value for c in at.caption)
    at.button(key="vllm_simulator_dashboard.grid__run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("warm-up" in c.value for c in at.caption)
    tables = [d.value for d in at.dataframe if "measured_requests" in d.value]
    assert tables, "the sweep table lists the measured requests"
    t = tables[0].sort_values("concurrency")
    # C=2: max(24, 8) = 24 requests, 2 + 2 excluded; C=16: max(24, 64) = 64, 16 + 16 excluded
    assert t["measured_requests"].tolist() == [20, 32]
    assert t["warmup_requests"].tolist() == [2, 16] and t["drain_requests"].tolist() == [2, 16]
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"knee: concurrency' in sp for sp in specs), "the sweep chart marks the knee"
