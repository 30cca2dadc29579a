"""Pipeline parallelism: stage imbalance, p2p over the NIC, the virtual-engine step period, memory
per stage, and PP plans for models that do not fit one node."""

from __future__ import annotations

import pytest

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.parallel import ParallelConfig
from dashboard.features.pipeline import (
    PipelineCostModel,
    make_cost_model,
    p2p_time_s,
    stage_imbalance,
    stages_cross_nodes,
)
from dashboard.features.presets import load_model
from dashboard.services.planner import PlanRequest, plan, resimulate
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, kv_blocks_for, simulate

H100 = load_hardware("h100-sxm")
L405 = load_model("llama-3.1-405b")


def test_stage_imbalance_and_node_crossing() -> None:
    assert stage_imbalance(126, 1) == 1.0
    assert stage_imbalance(126, 2) == 1.0  # 63 + 63
    assert stage_imbalance(126, 4) == pytest.approx(32 * 4 / 126)  # 32, 32, 31, 31 layers
    assert stages_cross_nodes(H100, 8, 2) and not stages_cross_nodes(H100, 4, 2)


def test_p2p_time_hand_computed() -> None:
    # 1000 tokens × 16384 hidden × 2 B / TP 8 = 4.096 MB per GPU over 50 GB/s × 0.86, + 12 µs
    t = p2p_time_s(H100, 1000, 16384, "bf16", 8, cross_node=True)
    assert t == pytest.approx(4.096e6 / (50e9 * 0.86) + 12e-6)
    assert p2p_time_s(H100, 1000, 16384, "bf16", 8, cross_node=False) == pytest.approx(4.096e6 / (450e9 * 0.86) + 12e-6)


def test_virtual_engine_period_and_per_stage_work() -> None:
    par = ParallelConfig(tp=8, pp=2)
    cm = make_cost_model(L405, H100, par)
    assert isinstance(cm, PipelineCostModel) and type(make_cost_model(L405, H100, ParallelConfig(tp=8))) is CostModel
    base = CostModel(L405, H100, par)
    stats = cm.stats_for(StepSpec(decode_seqs=64, decode_context=2048))
    t_all, flops, nbytes = base.step_summary(stats)
    t_pp, f_pp, b_pp = cm.step_summary(stats)
    p2p = p2p_time_s(H100, 64, 16384, "bf16", 8, cross_node=True)
    assert t_pp == pytest.approx(2 * (t_all * 63 / 126 + p2p))
    assert f_pp == pytest.approx(flops / 2) and b_pp == pytest.approx(nbytes / 2)
    assert cm.latency_s(stats) == pytest.approx(t_all + p2p)
    assert cm.step_time_s(stats) == pytest.approx(t_pp)


def test_pp_splits_the_weights_so_405b_fits_two_h100_nodes() -> None:
    one = memory_breakdown(L405, H100, ParallelConfig(tp=8), context=4096)
    two = memory_breakdown(L405, H100, ParallelConfig(tp=8, pp=2), context=4096)
    assert not one.fits and two.fits
    assert two.weight_bytes == pytest.approx(one.weight_bytes / 2, rel=0.02)


def test_virtual_engines_carry_more_load_than_one() -> None:
    par = ParallelConfig(tp=8, pp=2)
    cm = make_cost_model(L405, H100, par)
    sched = SchedulerConfig(max_num_batched_tokens=4096, max_num_seqs=64)
    blocks = kv_blocks_for(cm, sched, 1024 + 128)
    wl = WorkloadConfig(num_requests=120, input_len=1024, output_len=128, concurrency=64)
    one = simulate(
        cm, wl, SchedulerConfig(max_num_batched_tokens=4096, max_num_seqs=64, num_kv_blocks=blocks), record_steps=False
    )
    two = simulate(
        cm,
        wl,
        SchedulerConfig(max_num_batched_tokens=4096, max_num_seqs=32, num_kv_blocks=blocks // 2),
        dp=2,
        record_steps=False,
    )
    # two micro-batches in flight: ~twice the throughput of one virtual engine with the same clients
    r = two.summary["output_throughput_tok_s"] / one.summary["output_throughput_tok_s"]
    assert 1.3 < r < 2.2


def test_planner_uses_pp_when_a_node_is_too_small() -> None:
    req = PlanRequest(
        hardware=("h100-sxm",),
        input_len=1024,
        output_len=128,
        request_rate=1.0,
        ttft_ms=5000.0,
        tpot_ms=150.0,
        max_gpus=32,
        disaggregated="off",
    )
    res = plan(L405, req)
    p = res.plans[0]
    assert p["pp"] >= 2 and p["tp"] == 8 and p["num_gpus"] == p["replicas"] * 8 * p["pp"]
    assert f"--pipeline-parallel-size {p['pp']}" in p["launch"]["vllm"]
    assert p["meets_sla"]
    again = resimulate(L405, p, req)
    assert again["ttft_ms"] == pytest.approx(p["ttft_ms"]) and again["tpot_ms"] == pytest.approx(p["tpot_ms"])
