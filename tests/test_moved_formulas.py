"""Formulas moved out of pages (issue 17 §2, "no page computes a metric"), pinned to hand-computed
values. The pages call these; `tests/test_no_page_metrics.py` keeps the arithmetic out of them."""

from __future__ import annotations

import dataclasses
import math

import pytest

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import GIB, load_hardware
from dashboard.features.kv_offload import KvTierTraffic
from dashboard.features.metrics import flops_per_s, tokens_per_s
from dashboard.features.mma import (
    GEMM_DTYPES,
    GemmProblem,
    GemmTiling,
    caps_from_hardware,
    compare_gemm_with_reference,
    solve_gemm,
)
from dashboard.features.offload import (
    HostLinkConfig,
    Popularity,
    expert_shard_bytes,
    host_copy_of_pcie,
    measured_pageable_factor,
    offload_step,
)
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.services.estimation import PhaseOp, memory_component_rows, phase_op_table, runtime_summary
from dashboard.services.expert_offload import evaluate_experts, prefetch_buffer_bytes, reload_times
from dashboard.services.multi_model import evaluate_model_row
from dashboard.services.search_inferencemax import decode_phase_stage, evaluate_scenarios

MIXTRAL_SHARD = 352_321_536  # one Mixtral-8x7B expert in bf16: 3 · 4096 · 14336 · 2 B


def test_tokens_and_flops_per_second() -> None:
    assert tokens_per_s(80, 0.2) == pytest.approx(400.0)
    assert tokens_per_s(80, 0.0) == 0.0 and tokens_per_s(80, -1.0) == 0.0
    assert flops_per_s(2e14, 0.2) == pytest.approx(1e15)
    assert flops_per_s(1.0, 0.0) == 0.0


def test_runtime_summary_hand_computed() -> None:
    comp = {"prefill_s": 0.1, "decode_s": 0.3, "prefill_flops": 2e14, "decode_flops": 1e14}
    roof = {"prefill_s": 0.2, "decode_s": 0.9, "prefill_flops": 2e14, "decode_flops": 1e14}
    s = runtime_summary(comp, roof, batch=4, output_len=10, first_step_s=0.2, peak_flops_per_s=1e15)
    assert s.ttft_s == 0.2
    assert s.tpot_s == pytest.approx(0.9 / 9)  # decode phase over O − 1 = 9 steps
    assert s.decode_tokens_per_s == pytest.approx(40.0)  # 4 / 0.1
    assert s.compute_tokens_per_s == pytest.approx(100.0)  # 4 · 10 / (0.1 + 0.3)
    assert s.achieved_flops_per_s == pytest.approx(1e15)  # 2e14 / 0.2
    assert s.prefill_mfu == pytest.approx(1.0)
    assert s.decode_tokens == 36
    one = runtime_summary(comp, roof, batch=4, output_len=1, first_step_s=0.25, peak_flops_per_s=1e15)
    assert one.tpot_s == 0.25 and one.decode_tokens == 0  # one token: the prefill step stands in
    none = runtime_summary({**comp, "prefill_s": 0.0, "decode_s": 0.0}, roof, batch=4, output_len=10,
                           first_step_s=0.2, peak_flops_per_s=1e15)  # fmt: skip
    assert none.compute_tokens_per_s == 0.0


def test_phase_op_table_shares() -> None:
    comp = {"prefill_s": 0.1, "decode_s": 0.3, "prefill_flops": 2e14, "decode_flops": 1e14}
    rows_c = [
        PhaseOp("prefill", "qkv_proj", "gemm", 5e13, 1e9, 0.0, 0.01, "compute"),
        PhaseOp("decode", "down_proj", "gemm", 3.6e10, 1e9, 0.0, 0.02, "memory"),
    ]
    rows_r = [PhaseOp("prefill", "qkv_proj", "gemm", 5e13, 1e9, 0.0, 0.03, "memory")]
    t = phase_op_table(rows_c, rows_r, comp, decode_tokens=36)
    assert t[0]["flops_%"] == pytest.approx(25.0)  # 5e13 of 2e14
    assert t[0]["roofline_ms"] == pytest.approx(30.0) and t[0]["roofline_bound"] == "memory"
    assert t[0]["decode_GFLOP_per_token"] is None
    assert t[1]["flops_%"] == pytest.approx(0.036)  # 3.6e10 of 1e14
    assert t[1]["decode_GFLOP_per_token"] == pytest.approx(1.0)  # 3.6e10 / 36 tokens
    assert t[1]["roofline_ms"] == 0.0 and t[1]["roofline_bound"] == ""


def test_memory_component_rows() -> None:
    from dashboard.features.memory import memory_breakdown

    mem = memory_breakdown(load_model("llama-3.1-8b"), load_hardware("h200"), ParallelConfig(), Dtypes(), context=4096)
    rows = {r["component"]: r for r in memory_component_rows(mem)}
    assert list(rows) == ["weights", "activations", "runtime", "kv", "free", "reserved"]
    for k, b in mem.components().items():
        assert rows[k]["bytes"] == b and rows[k]["GiB"] == pytest.approx(b / GIB)
        assert rows[k]["pct_of_HBM"] == pytest.approx(100.0 * b / mem.capacity_bytes)
    assert sum(r["pct_of_HBM"] for r in rows.values()) == pytest.approx(100.0)


def test_attention_hot_share() -> None:
    from dashboard.features.flash_attention import AttentionShape, attention_cost, rates_from_hardware

    rates = rates_from_hardware(load_hardware("h200"), "bf16", clock_mhz=1600, fp32_ops_per_clk_per_sm=128)
    c = attention_cost(
        AttentionShape(batch=1, q_heads=32, kv_heads=8, head_dim=128, q_len=4096, kv_len=4096), rates, 0.2
    )
    hot = c.component(c.hot)
    assert dataclasses.replace(c, time_s=2 * hot.time_s).hot_share == pytest.approx(0.5)
    assert dataclasses.replace(c, time_s=0.0).hot_share == 0.0


def test_expert_reload_times_mixtral() -> None:
    model = load_model("mixtral-8x7b")
    r = reload_times(model, ep=2, shard_bytes=MIXTRAL_SHARD, rate_bytes_per_s=52.8e9, window_s=0.1,
                     step_h2d_bytes=3 * MIXTRAL_SHARD)  # fmt: skip
    load = MIXTRAL_SHARD / 52.8e9  # 6.673 ms
    assert r.load_s == pytest.approx(load) and r.load_s == pytest.approx(6.6727e-3, rel=1e-4)
    assert r.per_window_gpu == 14 and r.per_window_engine == 28  # ⌊0.1 · 52.8e9 / shard⌋ = 14, × EP
    assert r.needed_shards == pytest.approx(3.0) and r.needed_s == pytest.approx(3 * load)
    assert r.local_experts == 4  # 8 experts / EP 2
    assert r.layer_reload_s == pytest.approx(4 * load)
    assert r.all_layers_reload_s == pytest.approx(4 * 32 * load)  # 32 MoE layers
    zero = reload_times(model, 1, 0.0, 0.0, 0.1, 1e9)
    assert zero.load_s == 0.0 and zero.needed_shards == 0.0 and zero.per_window_gpu == 0


def test_prefetch_buffer_and_verdict() -> None:
    model, hw = load_model("mixtral-8x7b"), load_hardware("h200")
    cm = CostModel(model, hw, ParallelConfig(), Dtypes())
    shard = expert_shard_bytes(model, cm.par, "bf16")
    assert shard == MIXTRAL_SHARD
    uni = Popularity()
    assert prefetch_buffer_bytes(model, cm, 1, uni, 0) == 0.0
    # one token routes to top-2 = 2 distinct experts per layer; 2 layers ahead → 4 shards
    assert prefetch_buffer_bytes(model, cm, 1, uni, 2) == pytest.approx(4 * MIXTRAL_SHARD)
    link = HostLinkConfig()
    kw = {"batch": 8, "context": 4096, "reserved_fraction": 0.1, "prefetch_window": 1, "window_s": 0.01}
    v = evaluate_experts(cm, link, uni, budget_s=10.0, **kw)  # type: ignore[arg-type]
    assert v.fits and v.passed and v.step.step_s >= v.baseline_s > 0
    assert v.reload.load_s == pytest.approx(v.shard_bytes / v.rate_bytes_per_s)
    tight = evaluate_experts(cm, link, uni, budget_s=v.step.step_s * 0.5, **kw)  # type: ignore[arg-type]
    assert tight.fits and not tight.passed


def test_offload_result_rates() -> None:
    model, hw = load_model("mixtral-8x7b"), load_hardware("h200")
    cm = CostModel(model, hw, ParallelConfig(), Dtypes())
    r = offload_step(cm, StepSpec(decode_seqs=8, decode_context=1024), HostLinkConfig(), 4)
    r = dataclasses.replace(r, tokens=8, step_s=0.02, baseline_step_s=0.01)
    assert r.tokens_per_s == pytest.approx(400.0) and r.baseline_tokens_per_s == pytest.approx(800.0)
    r = dataclasses.replace(r, cold_bytes_per_layer=1e6, transfer_s=0.01, h2d_bytes=4e6)
    assert r.fetch_per_layer_s == pytest.approx(2.5e-3)  # a quarter of the bytes → a quarter of 10 ms
    assert dataclasses.replace(r, h2d_bytes=0.0).fetch_per_layer_s == 0.0


def test_kv_tier_link_shares() -> None:
    tr = KvTierTraffic(10e9, 5e9, 50e9, 0.2, 0.1)
    assert tr.link_share(5e9) == pytest.approx(0.1)
    assert tr.total_h2d_share(5e9) == pytest.approx(0.3)  # (10 + 5) / 50
    assert tr.total_h2d_share(45e9) > 1.0


def test_host_copy_reference_ratios() -> None:
    # H200 pinned h2d 52.8 GB/s of PCIe Gen5 x16's 64 GB/s = 0.825 (the profiles' link efficiency);
    # pageable 19.4 / pinned 52.8 = 0.368 (their pageable factor)
    assert host_copy_of_pcie()["h2d_pinned"] == pytest.approx(0.825, abs=5e-4)
    assert measured_pageable_factor() == pytest.approx(0.368, abs=5e-4)


def test_decode_phase_stage() -> None:
    dec = {"tflop": 0.5, "gb": 20.0, "mfu": 0.1, "hbm_util": 0.8, "compute_share": 0.2, "memory_share": 0.7,
           "comm_share": 0.1}  # fmt: skip
    s = decode_phase_stage({"decode_step": dec, "output_len": 11, "batch": 8, "decode_ms": 200.0})
    assert s["time_ms"] == 200.0 and s["tflop"] == pytest.approx(5.0) and s["gb"] == pytest.approx(200.0)
    assert s["tokens_per_s"] == pytest.approx(400.0)  # 8 · 10 tokens in 0.2 s
    assert s["mfu"] == 0.1 and s["memory_share"] == 0.7
    assert decode_phase_stage({"decode_step": dec, "output_len": 1, "batch": 8, "decode_ms": 0.0})["tokens_per_s"] == 0


def test_inferencemax_worst_against_sla() -> None:
    model = load_model("llama-3.1-8b")
    rows = [
        {"name": "a", "hardware": "h200", "tp": 1, "dp": 1, "batch": 8, "seq_len": 1024, "output_len": 128},
        {"name": "b", "hardware": "h200", "tp": 1, "dp": 1, "batch": 64, "seq_len": 4096, "output_len": 128},
    ]
    out = evaluate_scenarios(model, rows, ttft_ms=100.0, tpot_ms=10.0)
    res, tot = out["results"], out["totals"]
    assert tot["worst_ttft_ms"] == max(r["ttft_ms"] for r in res)
    assert tot["worst_ttft_over_sla"] == pytest.approx(tot["worst_ttft_ms"] / 100.0)
    assert tot["worst_tpot_over_sla"] == pytest.approx(max(r["tpot_ms"] for r in res) / 10.0)
    no_sla = evaluate_scenarios(model, rows)["totals"]
    assert no_sla["worst_ttft_over_sla"] is None and no_sla["worst_tpot_over_sla"] is None
    assert evaluate_scenarios(model, [])["totals"]["worst_ttft_ms"] is None


def test_gemm_measured_over_model() -> None:
    hw = load_hardware("h200")
    fmt, in_bytes, _k = GEMM_DTYPES["bf16"]
    caps = caps_from_hardware(hw, fmt, reg_bytes_per_clk_per_sm=1536)
    tiling = GemmTiling()
    rows = [{"label": "x", "m": 4096, "n": 4096, "k": 4096, "tflops": 600.0}]
    (c,) = compare_gemm_with_reference(rows, in_bytes, 2.0, tiling, caps)
    mod = solve_gemm(GemmProblem(4096, 4096, 4096, in_bytes, 2.0), tiling, caps)
    assert mod.tflops > 0 and c["model_tflops"] == pytest.approx(mod.tflops)
    assert c["measured_over_model"] == pytest.approx(600.0 / mod.tflops)
    assert (c["M"], c["N"], c["K"]) == (4096, 4096, 4096)


def test_kv_of_one_sequence_llama_8b() -> None:
    # Llama-3.1-8B bf16: 32 layers · 8 KV heads · 128 · (K + V) · 2 B = 128 KiB per token;
    # 8192 + 1024 tokens → 1.125 GiB
    r = evaluate_model_row(load_model("llama-3.1-8b"), load_hardware("h200"), Dtypes(), batch=8, tp=1, ep=1,
                           input_len=8192, output_len=1024, label="x")  # fmt: skip
    assert r["kv_gib_per_sequence_per_gpu"] == pytest.approx(1.125)
    assert r["prefill_tflops"] > 0 and not math.isnan(r["prefill_tflops"])


def test_host_cost_and_step_wall_time() -> None:
    from dashboard.features.engine import Overheads, host_step_s, step_wall_s
    from dashboard.services.serving_predict import ServingParams

    assert host_step_s(0.004, 1e-4, 9) == pytest.approx(0.0049)  # 4 ms + 9 sequences × 0.1 ms
    assert Overheads(per_step_s=0.004, per_step_per_seq_s=1e-4).host_step_s(9) == pytest.approx(0.0049)
    assert step_wall_s(0.010, 0.004, True) == 0.010  # async: the host work hides behind the GPU step
    assert step_wall_s(0.003, 0.004, True) == 0.004  # … unless it is longer
    assert step_wall_s(0.010, 0.004, False) == pytest.approx(0.014)  # sync: back to back
    ov = ServingParams(per_request_s=0.02, per_step_s=0.004, per_step_per_seq_s=1e-4).overheads()
    assert (ov.per_request_s, ov.per_step_s, ov.per_step_per_seq_s) == (0.02, 0.004, 1e-4)


def test_measured_over_model_and_saturation_load() -> None:
    from dashboard.features.mma import measured_over_model
    from dashboard.services.sweep_points import Saturation

    assert measured_over_model(600.0, 750.0) == pytest.approx(0.8)
    assert math.isnan(measured_over_model(600.0, 0.0))
    sat = Saturation(rate_req_s=20.0, output_tok_s=5000.0, max_concurrency=256, knee_concurrency=64)
    assert sat.load_fraction(15.0) == pytest.approx(0.75)
    assert Saturation(0.0, 0.0, 1, 1).load_fraction(1.0) == math.inf


def test_kv_cache_utilisation() -> None:
    from dashboard.features.metrics import kv_cache_utilisation

    u = kv_cache_utilisation([0, 250, 1000], 1000)
    assert list(u) == [0.0, 0.25, 1.0]
    assert list(kv_cache_utilisation([3], 0)) == [3.0]  # no blocks: counted as one


def test_workload_mean_lengths() -> None:
    from dashboard.sim.workload import Workload

    wl = Workload((0.0, 1.0, 2.0), (100, 200, 600), (10, 20, 3))
    assert wl.mean_prompt_len == pytest.approx(300.0) and wl.mean_output_len == pytest.approx(11.0)
