"""Custom runtime planner: hand-computed FLOPs (GEMM, causal prefill attention — quadratic in the
prompt — and decode attention), efficiency overrides, compute-only vs roofline, and the page."""

from __future__ import annotations

from itertools import pairwise

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.services.estimation import (
    compute_only_hardware,
    decode_sample_contexts,
    op_category,
    phase_ops,
    token_curves,
    with_kernel_efficiencies,
)
from dashboard.state.custom_runtime_planner import CustomRuntimeInputs

PAGE = str(DASHBOARD_DIR / "custom_runtime_planner.py")
K = "custom_runtime_planner__"
# Llama-3.1-8B: 32 layers, 32 query heads, 8 KV heads, head_dim 128, hidden 4096
ATTN = 2 * 32 * (128 + 128) * 32  # FLOPs per causal (query, key) pair, all layers


def _run(target) -> AppTest:
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page() -> AppTest:
    return _run(AppTest.from_file(PAGE, default_timeout=120))


def _metric(at, label: str) -> float:
    for m in at.metric:
        if m.label == label:
            return float(m.value.replace(",", ""))
    raise KeyError(label)


def _op(at, phase: str, op: str, col: str) -> float:
    df = at.dataframe[0].value
    return float(df[(df.phase == phase) & (df.op == op)][col].item())


# ----------------------------------------------------------------------------- services
def test_decode_sample_contexts_match_generation_time() -> None:
    assert decode_sample_contexts(100, 1) == []
    pts = decode_sample_contexts(100, 5, samples=16)  # 4 steps → 4 unit-width points
    assert pts == [(100, 1.0), (101, 1.0), (102, 1.0), (103, 1.0)]
    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    cm = CostModel(m, hw)
    rows, tot = phase_ops(cm, batch=3, input_len=700, output_len=300, kv_len=100)
    assert tot["decode_s"] == pytest.approx(cm.generation_time_s(3, 800, 300), rel=1e-12)
    assert tot["prefill_s"] == pytest.approx(cm.step_latency_s(3, 700, 100), rel=1e-12)
    assert {r.phase for r in rows} == {"prefill", "decode"}


def test_compute_only_view_is_flops_over_peak() -> None:
    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    hw = with_kernel_efficiencies(hw, gemm=0.5, attention=0.25)
    cm = CostModel(m, compute_only_hardware(hw))
    cost = cm.step(StepSpec(prefill_seqs=1, prefill_len=2048))
    ops = {o.name: o for o in cost.ops}
    # qkv_proj: 2 · 2048 · (32 + 2·8)·128 · 4096 · 32 layers = 3.2985e12 FLOPs at 0.5 · 989.4 TFLOP/s
    assert ops["qkv_proj"].flops == 2 * 2048 * 6144 * 4096 * 32
    assert ops["qkv_proj"].time_s == pytest.approx(ops["qkv_proj"].flops / (0.5 * hw.peak_flops("bf16")), rel=1e-9)
    assert ops["attn_prefill"].time_s == pytest.approx(
        ops["attn_prefill"].flops / (0.25 * hw.peak_flops("bf16")), rel=1e-9
    )
    # memory-only ops cost ~nothing: 1.07 GB at 1e8 GB/s (the hard limit) = 1.1e-8 s vs 3.3 ms for qkv_proj
    assert ops["attn_norm"].time_s < 1e-7
    # never slower than the full roofline with the same efficiencies
    full = CostModel(m, hw).step(StepSpec(prefill_seqs=1, prefill_len=2048))
    assert cost.latency_s < full.latency_s
    assert with_kernel_efficiencies(hw) is hw


def test_token_curves_shapes_and_monotonic_context() -> None:
    cm = CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))
    c = token_curves(cm, batch=8, input_len=1024, output_len=1000, kv_len=0, points=20)
    assert c["token"][0] == 1.0 and c["token"][-1] == 1000.0 and len(c["token"]) == 20
    assert c["latency_s"][0] == pytest.approx(cm.step_latency_s(8, 1024))  # token 1 = prefill
    dec = c["latency_s"][1:]
    assert all(b >= a for a, b in pairwise(dec))  # context grows
    assert c["tokens_per_s"][5] == pytest.approx(8 / c["latency_s"][5])
    assert c["elapsed_s"][-1] == pytest.approx(c["latency_s"][0] + cm.generation_time_s(8, 1024, 1000))
    assert token_curves(cm, batch=1, input_len=10, output_len=1)["token"] == [1.0]


def test_op_categories() -> None:
    assert op_category("attn_prefill", "attn_prefill") == "attention core"
    assert op_category("qkv_proj", "gemm") == "attention projections"
    assert op_category("experts_down", "grouped_gemm") == "MLP / experts"
    assert op_category("gate_up_proj", "gemm") == "MLP / experts"
    assert op_category("lm_head", "gemm16") == "lm_head"
    assert op_category("mlp_allreduce", "allreduce") == "communication"
    assert op_category("act_mul", "elementwise") == "elementwise"


def test_inputs_validation() -> None:
    with pytest.raises(ValueError, match="gemm_eff"):
        CustomRuntimeInputs(gemm_eff=2.0)
    with pytest.raises(ValueError, match="kv_len"):
        CustomRuntimeInputs(kv_len=-1)
    with pytest.raises(ValueError, match="kernel_overhead_us"):
        CustomRuntimeInputs(kernel_overhead_us=-5.0)


# ----------------------------------------------------------------------------- the page
def test_page_attention_flops_hand_computed_and_quadratic() -> None:
    at = _page()
    # causal pairs of one 2048-token prompt: 2048 · 2049 / 2
    a1 = _op(at, "prefill", "attn_prefill", "GFLOP")
    assert a1 == pytest.approx(ATTN * 2048 * 2049 / 2 / 1e9, rel=1e-9)  # 1100.05 GFLOP
    g1 = _op(at, "prefill", "gate_up_proj", "GFLOP")
    # decode phase: 511 steps at mean context 2048 + 255.5 tokens
    assert _op(at, "decode", "attn_decode", "GFLOP") == pytest.approx(ATTN * 511 * 2303.5 / 1e9, rel=1e-3)
    _run(at.number_input(key=K + "input_len").set_value(4096))
    a2 = _op(at, "prefill", "attn_prefill", "GFLOP")
    assert a2 / a1 == pytest.approx(4096 * 4097 / (2048 * 2049), rel=1e-9)  # ≈ 4: quadratic
    assert _op(at, "prefill", "gate_up_proj", "GFLOP") / g1 == pytest.approx(2.0)  # GEMMs: linear
    # a cached prefix adds new · prefix pairs (linear in the prefix)
    _run(at.number_input(key=K + "input_len").set_value(2048))
    _run(at.number_input(key=K + "kv_len").set_value(2048))
    assert _op(at, "prefill", "attn_prefill", "GFLOP") == pytest.approx(
        ATTN * (2048 * 2048 + 2048 * 2049 / 2) / 1e9, rel=1e-9
    )
    assert at.query_params["kv_len"] == "2048"


def test_page_metrics_and_compute_view_below_roofline() -> None:
    at = _page()
    df = at.dataframe[0].value
    assert (df.compute_ms <= df.roofline_ms * (1 + 1e-9)).all()
    assert df[df.phase == "prefill"]["flops_%"].sum() == pytest.approx(100.0)
    # cards show 4 significant digits (issue 14 §3)
    assert _metric(at, "Prefill TFLOP") == pytest.approx(df[df.phase == "prefill"].GFLOP.sum() / 1e3, rel=5e-4)
    assert _metric(at, "Prefill compute (ms)") <= _metric(at, "TTFT roofline (ms)")
    assert 0 < _metric(at, "Prefill MFU (%)") <= 100
    assert len(at.get("plotly_chart")) == 4
    assert {b.label for b in at.download_button} >= {"Download table (CSV)", "Download inputs + outputs (JSON)"}


def test_custom_efficiencies_rescale_compute_time() -> None:
    at = _page()
    _run(at.checkbox(key=K + "custom_eff").check())
    assert at.number_input(key=K + "gemm_eff").value == pytest.approx(0.8, abs=0.05)  # seeded from the profile
    _run(at.number_input(key=K + "gemm_eff").set_value(0.8))
    t08 = _op(at, "prefill", "gate_up_proj", "compute_ms")
    a08 = _op(at, "prefill", "attn_prefill", "compute_ms")
    _run(at.number_input(key=K + "gemm_eff").set_value(0.4))
    assert _op(at, "prefill", "gate_up_proj", "compute_ms") == pytest.approx(2 * t08, rel=1e-9)
    assert _op(at, "prefill", "attn_prefill", "compute_ms") == pytest.approx(a08, rel=1e-9)
    _run(at.number_input(key=K + "attn_eff").set_value(0.3))
    a03 = _op(at, "prefill", "attn_prefill", "compute_ms")
    _run(at.number_input(key=K + "attn_eff").set_value(0.6))
    assert _op(at, "prefill", "attn_prefill", "compute_ms") == pytest.approx(a03 / 2, rel=1e-9)
    # HBM η only moves the roofline view of the memory-bound decode
    tpot = _metric(at, "TPOT roofline (ms)")
    dec_c = _metric(at, "Decode compute (ms)")
    _run(at.number_input(key=K + "mem_eff").set_value(0.4))
    # bandwidth term × 0.87 / 0.4 = 2.2; the fixed per-kernel cost does not scale
    assert _metric(at, "TPOT roofline (ms)") > 1.5 * tpot
    assert _metric(at, "Decode compute (ms)") == pytest.approx(dec_c, rel=1e-6)
    assert any("Custom efficiencies" in c.value for c in at.caption)


def test_extreme_inputs_never_raise() -> None:
    at = _page()
    _run(at.number_input(key=K + "output_len").set_value(1))
    assert set(at.dataframe[0].value.phase) == {"prefill"}
    # the largest context every step stays within the token bound (2^24): 8M cached + 4M prompt + 4M output
    for field, value in (("batch", 65536), ("input_len", 4_000_000), ("kv_len", 8_000_000), ("output_len", 4_000_000)):
        _run(at.number_input(key=K + field).set_value(value))
    # a context beyond the declared 2^24 tokens is refused with the fields named, the last value kept
    _run(at.number_input(key=K + "kv_len").set_value(16_000_000))
    assert any("kv_len + input_len + output_len" in e.value for e in at.error)
    assert at.session_state["app_state"].pages["custom_runtime_planner"].kv_len == 8_000_000
    assert _metric(at, "Prefill TFLOP") > 1e6
    _run(at.sidebar.number_input(key="sb_tp").set_value(3))  # invalid layout → message
    assert not at.exception


def test_inputs_persist_across_pages_and_load_from_url() -> None:
    url = AppTest.from_file(PAGE, default_timeout=120)
    url.query_params["input_len"] = "4096"
    url.query_params["kv_len"] = "512"
    url.query_params["points"] = "8"
    _run(url)
    v = url.session_state["app_state"].pages["custom_runtime_planner"]
    assert (v.input_len, v.kv_len, v.points) == (4096, 512, 8)
    assert _op(url, "prefill", "attn_prefill", "GFLOP") == pytest.approx(ATTN * (4096 * 512 + 4096 * 4097 / 2) / 1e9)
    nav = _run(AppTest.from_file(str(DASHBOARD_DIR / "app.py"), default_timeout=120))
    _run(nav.switch_page("custom_runtime_planner.py"))
    _run(nav.number_input(key=K + "batch").set_value(4))
    _run(nav.switch_page("quick_memory.py"))
    _run(nav.switch_page("custom_runtime_planner.py"))
    assert nav.number_input(key=K + "batch").value == 4
