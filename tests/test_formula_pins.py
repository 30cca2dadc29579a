"""Op enumeration (MLA, MoE, shared experts, sliding windows, attention-DP), the cost model's
conveniences and the memory model pinned to hand-computed values.

Shapes used (from the shipped configs):

* DeepSeek-V3: hidden 7168, 128 heads, MLA with q_lora 1536, kv_lora 512, rope 64, nope 128, v 128;
  61 layers (3 dense MLP of 18432, 58 MoE: 256 experts top-8 of 2048 + one shared 2048), vocab 129280.
* DeepSeek-V2-Lite: hidden 2048, 16 heads, MLA without q_lora, 27 layers (1 dense of 10944, 26 MoE:
  64 experts top-6 of 1408 + shared 2816), vocab 102400.
* gpt-oss-120b: hidden 2880, 64 q / 8 kv heads of 64, 36 MoE layers (128 experts top-4 of 2880),
  half of them with a 128-token sliding window, vocab 201088.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from dashboard.features.batch import StepSpec, batch_stats
from dashboard.features.cost_model import (
    ALLTOALL,
    ATTN_D,
    GEMM,
    GEMM16,
    GROUPED,
    CostModel,
    ElementwiseOp,
    forward_flops,
)
from dashboard.features.hardware import GIB, Curve, Efficiency, HardwareProfile
from dashboard.features.memory import (
    RUNTIME_RESERVE_GIB,
    activation_bytes,
    kv_bytes_per_sequence,
    kv_bytes_per_token_per_gpu,
    memory_breakdown,
    weight_bytes_per_gpu,
)
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model

REL = 1e-12
EFF = Efficiency(
    gemm_compute=Curve(((1.0, 0.1), (1024.0, 0.6))),
    memory=0.5,
    attention_prefill=Curve(((1.0, 0.5),)),
    elementwise_traffic=1.0,
    elementwise_kernels=1.0,
    kernel_overhead_us=2.0,
    step_overhead_us=10.0,
    comm=0.5,
    comm_latency_us=5.0,
)
HW = HardwareProfile(
    slug="round",
    name="Round numbers",
    peak_tflops={"bf16": 1000.0, "fp8": 2000.0},
    hbm_capacity_gb=100.0,
    hbm_bandwidth_gb_s=2000.0,
    scale_up_gb_s=400.0,
    efficiency=EFF,
)
DSV3 = load_model("deepseek-v3")
DSV2L = load_model("deepseek-v2-lite")
OSS = load_model("gpt-oss-120b")
L8B = load_model("llama-3.1-8b")


def _imbalance(ep: int, pairs: float) -> float:
    """Busiest-rank load over the mean with no systematic skew: ``1 + z_ep · sqrt((ep − 1) / P)``,
    ``z_ep = Φ⁻¹((ep − 0.375) / (ep + 0.25))`` (moe_cost's formula, written out)."""
    return 1 + NormalDist().inv_cdf((ep - 0.375) / (ep + 0.25)) * math.sqrt((ep - 1) / pairs)


def _ops(cm: CostModel, spec: StepSpec) -> dict:
    return {op.name: op for op in cm.ops(cm.stats_for(spec))}


# ---------------------------------------------------------------- MLA
def test_mla_decode_ops_deepseek_v3_tp8() -> None:
    cm = CostModel(DSV3, HW, ParallelConfig(tp=8, ep=8), Dtypes(weight="fp8"))
    ops = _ops(cm, StepSpec(decode_seqs=4, decode_context=1000))
    L = 61
    assert ops["q_a_proj"].flops == L * 2 * 4 * 1536 * 7168 and ops["q_a_proj"].kind == GEMM
    assert ops["q_a_proj"].weight_bytes == L * 1536 * 7168 * 1  # fp8
    assert ops["q_a_norm"].bytes == L * 2 * 4 * 1536 * 2
    assert ops["q_b_proj"].flops == L * 2 * 4 * (16 * 192) * 1536
    assert ops["kv_a_proj"].flops == L * 2 * 4 * 576 * 7168
    rope = ops["rope_kv_write"]
    assert rope.bytes == L * 4 * (2 * 16 * 64 * 2 + 576 * (2 + 2)) and rope.kernels == 2.0
    # absorbed decode: q projected into the latent (64 rows = 4 seqs × 16 heads), one latent per token
    qa = ops["q_absorb"]
    assert qa.rows == 64 and qa.flops == L * 2 * 64 * 512 * 128
    assert qa.bytes == L * 512 * 128 * 1 + L * 64 * (128 + 512) * 2
    ad = ops["attn_decode"]
    assert ad.kind == ATTN_D and ad.unit_bytes == 1000 * 576 * 2
    assert ad.flops == L * 2 * 16 * 4000 * (2 * 512 + 64)
    assert ad.bytes == L * (4000 * 576 * 2 + 4 * 16 * 576 * 2)
    assert ops["v_absorb"].flops == L * 2 * 64 * 128 * 512
    assert ops["o_proj"].flops == L * 2 * 4 * 7168 * (16 * 128)
    assert "kv_b_proj" not in ops and "attn_prefill" not in ops
    assert ops["attn_allreduce"].bytes == L * 4 * 7168 * 2 and ops["attn_allreduce"].group == 8
    # 3 dense layers: 18432 / 8 = 2304 per GPU
    assert ops["gate_up_proj"].count == 3 and ops["gate_up_proj"].flops == 3 * 2 * 4 * 2 * 2304 * 7168
    assert ops["act_mul"].bytes == 3 * 4 * 3 * 2304 * 2
    # 58 MoE layers: 16-bit router, 4 × 8 / 8 = 4 routed pairs per GPU, shared expert 2048 / 8 = 256
    router = ops["router"]
    assert router.kind == GEMM16 and router.flops == 58 * 2 * 4 * 256 * 7168
    assert router.weight_bytes == 58 * 256 * 7168 * 2
    # the busiest of 8 EP ranks: 1 + z₈·sqrt(7 / 32) of the mean over 32 routed pairs
    imb = _imbalance(8, 32)
    pairs = 4 * imb
    touched = 256 * (1 - (1 - 8 / 256) ** (4 * imb)) / 8
    up = ops["experts_gate_up"]
    assert up.kind == GROUPED and up.rows == pytest.approx(pairs / touched, rel=REL)
    assert up.bytes == pytest.approx(58 * touched * 2 * 2048 * 7168 * 1 + 58 * pairs * (7168 + 2 * 2048) * 2, rel=REL)
    assert ops["experts_act"].bytes == pytest.approx(58 * pairs * 3 * 2048 * 2, rel=REL)
    assert ops["shared_gate_up"].flops == 58 * 2 * 4 * 2 * 256 * 7168
    assert ops["shared_act"].bytes == 58 * 4 * 3 * 256 * 2
    assert ops["shared_down"].flops == 58 * 2 * 4 * 7168 * 256
    a2a = ops["ep_alltoall"]
    assert a2a.kind == ALLTOALL and a2a.bytes == pytest.approx(58 * 2 * (4 / 8) * 8 * 7168 * 2 * 7 / 8, rel=REL)
    assert ops["moe_allreduce"].bytes == 58 * 4 * 7168 * 2
    assert ops["lm_head"].rows == 4 and ops["lm_head"].flops == 2 * 4 * 16160 * 7168


def test_mla_prefill_runs_unabsorbed() -> None:
    cm = CostModel(DSV3, HW, ParallelConfig(tp=8, ep=8))
    ops = _ops(cm, StepSpec(prefill_seqs=1, prefill_len=100, prefix_len=50))
    # up-project the 150 cached + new latents to 16 heads × (nope 128 + v 128)
    kvb = ops["kv_b_proj"]
    assert kvb.rows == 150 and kvb.flops == 61 * 2 * 150 * 4096 * 512
    ap = ops["attn_prefill"]
    assert ap.flops_per_call == 2 * 16 * 10050 * (192 + 128)
    assert ap.bytes == 61 * (100 * 16 * 320 * 2 + 150 * 16 * 320 * 2)
    assert "q_absorb" not in ops and "attn_decode" not in ops


def test_mla_without_q_lora_and_attention_dp() -> None:
    # DeepSeek-V2-Lite at tp = 1, ep = 4: attention runs data-parallel over 4 groups
    cm = CostModel(DSV2L, HW, ParallelConfig(tp=1, ep=4))
    ops = _ops(cm, StepSpec(decode_seqs=8, decode_context=300))
    assert "q_a_proj" not in ops
    q = ops["q_proj"]
    assert q.rows == 2 and q.flops == 27 * 2 * 2 * (16 * 192) * 2048  # 8 decodes / 4 groups
    ad = ops["attn_decode"]
    assert ad.flops == 27 * 2 * 16 * (2400 / 4) * (2 * 512 + 64)
    assert ad.bytes == 27 * ((2400 / 4) * 576 * 2 + 2 * 16 * 576 * 2)
    assert ops["q_absorb"].rows == 2 * 16
    # experts see all 8 tokens of the engine: 8 × 6 / 4 = 12 pairs per GPU on average, × the
    # busiest-rank factor over 48 routed pairs
    imb = _imbalance(4, 48)
    touched = 64 * (1 - (1 - 6 / 64) ** (8 * imb)) / 4
    dn = ops["experts_down"]
    assert dn.flops == pytest.approx(26 * 2 * 12 * imb * 1408 * 2048, rel=REL)
    assert dn.weight_bytes == pytest.approx(26 * touched * 1408 * 2048 * 2, rel=REL)
    assert ops["ep_alltoall"].bytes == pytest.approx(26 * 2 * (8 / 4) * 6 * 2048 * 2 * 3 / 4, rel=REL)
    assert ops["shared_gate_up"].flops == 26 * 2 * 2 * 2 * 2816 * 2048
    assert "attn_allreduce" not in ops and "logits_allgather" not in ops
    assert ops["lm_head"].rows == 2  # 8 sampled rows over 4 groups


# ---------------------------------------------------------------- sliding windows
def test_sliding_window_layers_read_at_most_the_window() -> None:
    cm = CostModel(OSS, HW, ParallelConfig(tp=2))
    s = batch_stats([(100, 500)], [1000, 60], window=128)
    rows = [op for op in cm.ops(s) if op.name in ("attn_decode", "attn_prefill")]
    # one record per window kind (18 windowed + 18 full layers), heads per GPU 32 q / 4 kv, d 64
    dec = {op.unit_bytes: op for op in rows if op.kind == ATTN_D}
    assert set(dec) == {128 * 128 * 2, 1000 * 128 * 2}
    assert dec[128 * 128 * 2].flops == 18 * 2 * 32 * (128 + 60) * 128
    assert dec[1000 * 128 * 2].flops == 18 * 2 * 32 * 1060 * 128
    pre = sorted((op for op in rows if op.kind != ATTN_D), key=lambda o: o.flops)
    # windowed: each of the 100 new tokens sees 128 keys; full: 100·500 + 100·101/2
    assert pre[0].flops_per_call == 2 * 32 * (100 * 128) * 128
    assert pre[1].flops_per_call == 2 * 32 * (100 * 500 + 5050) * 128
    assert pre[0].bytes == 18 * (100 * 32 * 128 * 2 + s.w_kv_read * 4 * 128 * 2)


def test_unsupported_multiple_windows_and_empty_step() -> None:
    cm = CostModel(L8B, HW)
    # an empty step launches nothing: only the step overhead
    empty = batch_stats([], [], None, 0)
    assert cm.ops(empty) == []
    assert cm.step_time_s(empty) == pytest.approx(10e-6, rel=REL)


# ---------------------------------------------------------------- conveniences
def test_step_totals_hand_computed() -> None:
    cm = CostModel(L8B, HW)
    cost = cm.step(StepSpec(decode_seqs=1, decode_context=1))
    # one decode reads every 16-bit linear weight once: 2 B × (params − embedding − norms);
    # norms (2 × 4096 per layer + the final 4096) move as elementwise activations
    weights = 2 * (L8B.total_params() - L8B.embedding_params() - 32 * 2 * 4096 - 4096)
    assert cost.weight_bytes == weights
    assert cost.tokens == 1
    # elementwise FLOPs: 2 per element read (norms, RoPE, activation, residuals)
    ew = [o for o in cm.ops(cm.stats_for(StepSpec(decode_seqs=1, decode_context=1))) if isinstance(o, ElementwiseOp)]
    assert all(o.flops == o.bytes / 2 * 2 for o in ew)
    d = cost.as_dict()
    assert d["latency_ms"] == pytest.approx(cost.latency_s * 1e3) and d["weight_bytes"] == weights
    assert d["overhead_ms"] == pytest.approx(cost.overhead_s * 1e3) and d["tokens"] == 1
    assert d["compute_ms"] == pytest.approx(cost.compute_s * 1e3) and d["comm_ms"] == 0.0
    assert d["exposed_comm_ms"] == 0.0 and d["flops"] == cost.flops and d["bytes"] == cost.bytes
    assert d["comm_bytes"] == 0.0
    row = d["ops"][0]
    op = cost.ops[0]
    assert row == {
        "name": op.name,
        "kind": op.kind,
        "count": op.count,
        "flops": op.flops,
        "bytes": op.bytes,
        "comm_bytes": 0.0,
        "weight_bytes": op.weight_bytes,
        "time_ms": op.time_s * 1e3,
        "bound": op.bound,
    }


def test_prefill_chunks_sum_and_decode_integration() -> None:
    cm = CostModel(L8B, HW)
    one = cm.step_latency_s(2, 300)
    assert cm.prefill_time_s(2, 300) == one and cm.prefill_time_s(2, 300, chunk=300) == one
    chunked = cm.step_latency_s(2, 128) + cm.step_latency_s(2, 128, 128) + cm.step_latency_s(2, 44, 256)
    assert cm.prefill_time_s(2, 300, chunk=128) == pytest.approx(chunked, rel=REL)
    assert cm.decode_time_s(3, 500) == cm.step_latency_s(decode_seqs=3, decode_context=500)
    # 9 decode steps after the first token, 3 midpoint samples of width 3 at contexts 101, 104, 107
    gen = 3 * sum(cm.decode_time_s(2, c) for c in (101, 104, 107))
    assert cm.generation_time_s(2, 100, 10, samples=3) == pytest.approx(gen, rel=REL)
    assert cm.generation_time_s(2, 100, 1) == 0.0
    assert cm.tpot_s(2, 100, 10, samples=3) == pytest.approx(gen / 9, rel=REL)
    assert cm.tpot_s(2, 100, 1) == cm.decode_time_s(2, 100)
    # more samples than steps: one sample per step
    assert cm.generation_time_s(1, 10, 3, samples=16) == pytest.approx(
        cm.decode_time_s(1, 10) + cm.decode_time_s(1, 11), rel=REL
    )


def test_forward_flops_hand_computed() -> None:
    # Llama-3.1-8B prefill of one 1-token sequence with no context: GEMMs 2·(params − embeddings)
    # + attention 2·32·1·256 per layer + elementwise 2 per element moved
    cm = CostModel(L8B, HW)
    spec = StepSpec(prefill_seqs=1, prefill_len=1)
    assert forward_flops(L8B, 1, 0, 1) == pytest.approx(cm.step(spec).flops, rel=REL)
    gemm = 2 * (L8B.total_params() - L8B.embedding_params() - 32 * 2 * 4096 - 4096)
    attn = 32 * 2 * 32 * 1 * 256
    ew = sum(o.flops for o in cm.ops(cm.stats_for(spec)) if isinstance(o, ElementwiseOp))
    assert forward_flops(L8B, 1, 0, 1) == pytest.approx(gemm + attn + ew, rel=REL)
    # decode form (1 new token after context) and the lm_head on 0 sampled rows
    dec = forward_flops(L8B, 1, 99, 2)
    assert dec == pytest.approx(CostModel(L8B, HW).step(StepSpec(decode_seqs=2, decode_context=99)).flops, rel=REL)
    no_head = forward_flops(L8B, 1, 99, 2, sampled=0)
    assert dec - no_head == pytest.approx(2 * 2 * 128256 * 4096, rel=REL)


def test_overlap_bounds() -> None:
    with pytest.raises(ValueError, match="overlap"):
        CostModel(L8B, HW, overlap=1.5)
    with pytest.raises(ValueError, match="overlap"):
        CostModel(L8B, HW, overlap=-0.1)
    CostModel(L8B, HW, overlap=1.0)
    CostModel(L8B, HW, overlap=0.0)


# ---------------------------------------------------------------- memory model
def test_weight_bytes_mla_moe_hand_computed() -> None:
    par = ParallelConfig(tp=8, ep=8)
    got = weight_bytes_per_gpu(DSV3, par, "fp8")
    h, hq = 7168, 16
    attn = (h * 576 + h * 1536 + 1536 * hq * 192 + 512 * hq * 256 + hq * 128 * h) * 1
    norms = DSV3.norm_params_per_layer() * 2
    dense = 3 * 18432 * h / 8 * 1
    moe = 32 * 3 * 2048 * h * 1 + 3 * 2048 * h / 8 * 1 + 256 * h * 2
    per_layer = (3 * (attn + dense + norms) + 58 * (attn + moe + norms)) / 61
    emb = 2 * 129280 * h / 8 * 2
    assert got == pytest.approx(per_layer * 61 + emb + h * 2, rel=REL)


def test_weight_bytes_pipeline_and_dense() -> None:
    h = 4096
    attn = (h * (32 + 16) * 128 + 32 * 128 * h) * 2
    mlp = 3 * h * 14336 * 2
    norms = L8B.norm_params_per_layer() * 2
    emb = 128256 * h * 2
    assert weight_bytes_per_gpu(L8B, ParallelConfig(), "bf16") == pytest.approx(
        32 * (attn + mlp + norms) + 2 * emb + h * 2, rel=REL
    )
    # pp = 3: ceil(32 / 3) = 11 layers on the largest stage, embedding or lm_head (the larger) once
    assert weight_bytes_per_gpu(L8B, ParallelConfig(pp=3), "bf16") == pytest.approx(
        11 * (attn + mlp + norms) + emb + h * 2, rel=REL
    )
    # tp = 2 halves linears and embeddings; 8 kv heads over 2 = 4
    attn2 = (h * (16 + 8) * 128 + 16 * 128 * h) * 2
    assert weight_bytes_per_gpu(L8B, ParallelConfig(tp=2), "bf16") == pytest.approx(
        32 * (attn2 + mlp / 2 + norms) + emb + h * 2, rel=REL
    )


def test_kv_bytes_hand_computed() -> None:
    assert kv_bytes_per_token_per_gpu(DSV3, ParallelConfig(tp=8), "fp8") == 61 * 576 * 1
    assert kv_bytes_per_token_per_gpu(L8B, ParallelConfig(pp=3), "bf16") == 11 * 2 * 8 * 128 * 2
    # gpt-oss: 18 full + 18 windowed layers of 2 · 8 kv heads · 64 · 2 B = 2048 B per layer
    assert kv_bytes_per_token_per_gpu(OSS, ParallelConfig(), "bf16", include_sliding=False) == 18 * 2048
    assert kv_bytes_per_sequence(OSS, ParallelConfig(), "bf16", 1000) == 18 * 2048 * 1000 + 18 * 2048 * 128
    assert kv_bytes_per_sequence(OSS, ParallelConfig(), "bf16", 100) == 36 * 2048 * 100


def test_activation_bytes_hand_computed() -> None:
    # Llama-3.1-8B tp=1 bf16: per token (2·4096 + max(2·14336, 6144)) · 2 B; fp32 logits of 16 rows
    assert activation_bytes(L8B, ParallelConfig(), "bf16", 1000, 16) == 1000 * (8192 + 28672) * 2 + 16 * 128256 * 4
    # tp = 4: MLP 3584 per GPU; qkv (32 + 16)·128 / 4 = 1536
    assert activation_bytes(L8B, ParallelConfig(tp=4), "fp8", 10, 2) == 10 * (8192 + 7168) * 1 + 2 * 128256 / 4 * 4
    # MoE: widest MLP is max(18432 dense, top-8 · 2048) / 8 = 2304, but the qkv width
    # (128 + 2 · 128) · 192 / 8 = 9216 > 2 · 2304 sets it
    assert activation_bytes(DSV3, ParallelConfig(tp=8, ep=8), "bf16", 1, 0) == (2 * 7168 + 9216) * 2
    # DeepSeek-V2-Lite: 2 · 10944 > qkv (16 + 32) · 192 = 9216
    assert activation_bytes(DSV2L, ParallelConfig(), "bf16", 1, 0) == (2 * 2048 + 2 * 10944) * 2


def test_memory_breakdown_hand_computed() -> None:
    mb = memory_breakdown(
        L8B, HW, ParallelConfig(), Dtypes(), context=1000, reserved_fraction=0.1, max_batched_tokens=1000, max_seqs=16
    )
    cap = 100 * GIB
    usable = cap * 0.9
    weights = weight_bytes_per_gpu(L8B, ParallelConfig(), "bf16")
    act = 1000 * (8192 + 28672) * 2 + 16 * 128256 * 4
    reserve = RUNTIME_RESERVE_GIB * GIB
    budget = usable - weights - act - reserve
    per_seq = 131_072 * 1000
    assert mb.capacity_bytes == cap and mb.usable_bytes == pytest.approx(usable, rel=REL)
    assert mb.weight_bytes == weights and mb.activation_bytes == act and mb.runtime_reserve_bytes == reserve
    assert mb.kv_budget_bytes == pytest.approx(budget, rel=REL)
    assert mb.kv_bytes_per_sequence == per_seq and mb.kv_bytes_per_token == 131_072 and mb.context == 1000
    assert mb.max_kv_tokens == math.floor(budget / 131_072)
    assert mb.max_sequences == math.floor(budget / per_seq)
    assert mb.fits and mb.headroom_fraction == pytest.approx(budget / usable, rel=REL)
    assert mb.total_params == L8B.total_params() and mb.active_params == L8B.active_params()
    d = mb.as_dict()
    assert d["weight_bytes_per_gpu"] == weights and d["kv_bytes_per_token_per_gpu"] == 131_072
    assert d["max_sequences"] == mb.max_sequences
    # capacity override, reserved fraction 0 and a custom runtime reserve
    mb2 = memory_breakdown(
        L8B,
        HW,
        context=1000,
        reserved_fraction=0.0,
        hbm_capacity_gib=20.0,
        runtime_reserve_gib=0.5,
        max_batched_tokens=1000,
        max_seqs=16,
    )
    budget2 = 20 * GIB - weights - act - 0.5 * GIB
    assert mb2.usable_bytes == 20 * GIB and mb2.kv_budget_bytes == pytest.approx(budget2, rel=REL)
    assert mb2.max_sequences == math.floor(budget2 / per_seq)


def test_memory_breakdown_does_not_fit_and_rejects_bad_input() -> None:
    mb = memory_breakdown(L8B, HW, hbm_capacity_gib=16.0, context=1000)
    assert mb.kv_budget_bytes < 0 and mb.max_kv_tokens == 0 and mb.max_sequences == 0 and not mb.fits
    # exactly one sequence fits: fits is True
    weights = weight_bytes_per_gpu(L8B, ParallelConfig(), "bf16")
    act = activation_bytes(L8B, ParallelConfig(), "bf16", 8192, 256)
    need = (weights + act + RUNTIME_RESERVE_GIB * GIB + 131_072 * 1000) / GIB
    one = memory_breakdown(L8B, HW, reserved_fraction=0.0, hbm_capacity_gib=need * (1 + 1e-9), context=1000)
    assert one.max_sequences == 1 and one.fits
    with pytest.raises(ValueError, match="reserved_fraction"):
        memory_breakdown(L8B, HW, reserved_fraction=1.0)
    with pytest.raises(ValueError, match="reserved_fraction"):
        memory_breakdown(L8B, HW, reserved_fraction=-0.01)
    with pytest.raises(ValueError, match="context"):
        memory_breakdown(L8B, HW, context=0)


# ---------------------------------------------------------------- helpers shared with kernel tables
def test_gemm_curve_per_format() -> None:
    from dashboard.features.cost_model import gemm_curve

    c16, c8, c4 = Curve(((1.0, 0.5),)), Curve(((1.0, 0.6),)), Curve(((1.0, 0.7),))
    eff = Efficiency(gemm_compute=c16, gemm_compute_fp8=c8, gemm_compute_fp4=c4)
    assert gemm_curve(eff, "fp4") is c4 and gemm_curve(eff, "fp8") is c8 and gemm_curve(eff, "int8") is c8
    assert gemm_curve(eff, "bf16") is c16
    no4 = Efficiency(gemm_compute=c16, gemm_compute_fp8=c8)
    assert gemm_curve(no4, "fp4") is c8  # falls back to the next wider format
    only16 = Efficiency(gemm_compute=c16)
    assert gemm_curve(only16, "fp4") is c16 and gemm_curve(only16, "fp8") is c16


def test_gemm_roofline_hand_computed() -> None:
    from dashboard.features.cost_model import gemm_roofline_s

    # 1024 × 4096 × 4096 bf16 on the round profile: 2mnk / (1e15 · η(1024) = 0.6) = 57.27 µs,
    # bytes (nk + mk)·2 + mn·2 = 50.3 MB / 1e12 = 50.3 µs → compute-bound, + 2 µs
    m, n, k = 1024, 4096, 4096
    tc = 2 * m * n * k / (1e15 * 0.6)
    tm = ((n * k + m * k) * 2 + m * n * 2) / 1e12
    assert tc > tm
    assert gemm_roofline_s(HW, m, n, k) == pytest.approx(tc + 2e-6, rel=REL)
    # 8 rows, fp8 operands, fp32 out: memory-bound at η(8) = 0.25 on the bf16 curve (no fp8 curve)
    m = 8
    tm = ((n * k + m * k) * 1 + m * n * 4) / 1e12
    assert gemm_roofline_s(HW, m, n, k, "fp8", 1.0, 4.0) == pytest.approx(tm + 2e-6, rel=REL)
    tc = 2 * m * n * k / (2e15 * 0.25)
    assert tc < tm


def test_stats_for_batch_applies_the_model_window() -> None:
    cm = CostModel(OSS, HW)
    s = cm.stats_for_batch([(100, 500)], [1000, 60], sampled=2)
    assert s == batch_stats([(100, 500)], [1000, 60], window=128, sampled=2)
    assert s.w_dec_ctx_max == 128 and s.dec_ctx_max == 1000 and s.sampled == 2


def test_step_latency_is_the_step_of_the_same_spec() -> None:
    cm = CostModel(L8B, HW, ParallelConfig(tp=2))
    for args, spec in (
        ((2, 128), StepSpec(prefill_seqs=2, prefill_len=128)),
        ((2, 128, 64), StepSpec(prefill_seqs=2, prefill_len=128, prefix_len=64)),
        ((1, 10, 0, 3, 700), StepSpec(1, 10, 0, 3, 700)),
    ):
        assert cm.step_latency_s(*args) == pytest.approx(cm.step(spec).latency_s, rel=REL)
    assert cm.step_latency_s(decode_seqs=3, decode_context=500) == pytest.approx(
        cm.step(StepSpec(decode_seqs=3, decode_context=500)).latency_s, rel=REL
    )


def test_default_sampling_of_the_decode_phase() -> None:
    cm = CostModel(L8B, HW)
    # 32 decode steps after the first token, 16 midpoint samples of width 2 at contexts 101, 103, …, 131
    want = 2 * sum(cm.decode_time_s(4, 101 + 2 * i) for i in range(16))
    assert cm.generation_time_s(4, 100, 33) == pytest.approx(want, rel=REL)
    assert cm.tpot_s(4, 100, 33) == pytest.approx(want / 32, rel=REL)
    assert cm.prefill_time_s(2, 300, chunk=128) == pytest.approx(
        sum(
            cm.step(StepSpec(prefill_seqs=2, prefill_len=n, prefix_len=p)).latency_s
            for n, p in ((128, 0), (128, 128), (44, 256))
        ),
        rel=REL,
    )


def test_step_cost_dict_with_communication() -> None:
    cost = CostModel(L8B, HW, ParallelConfig(tp=2), overlap=0.5).step(StepSpec(decode_seqs=8, decode_context=512))
    d = cost.as_dict()
    assert cost.comm_s > 0 and cost.comm_bytes > 0
    assert d["comm_ms"] == pytest.approx(cost.comm_s * 1e3, rel=REL)
    assert d["exposed_comm_ms"] == pytest.approx(cost.exposed_comm_s * 1e3, rel=REL)
    assert d["exposed_comm_ms"] == pytest.approx(0.5 * d["comm_ms"], rel=REL)
    assert d["comm_bytes"] == cost.comm_bytes and d["weight_bytes"] == cost.weight_bytes
    ar = next(o for o in d["ops"] if o["name"] == "attn_allreduce")
    assert ar["bound"] == "comm" and ar["bytes"] == 0.0 and ar["comm_bytes"] == 32 * 8 * 4096 * 2
    assert cost.by_bound()["comm"] == pytest.approx(cost.comm_s, rel=REL)


# ---------------------------------------------------------------- memory model: defaults, messages, engines
def test_memory_defaults_and_messages() -> None:
    mb = memory_breakdown(L8B, HW)
    assert mb.context == 4096
    assert mb.usable_bytes == pytest.approx(100 * GIB * 0.9, rel=REL)
    assert mb.activation_bytes == activation_bytes(L8B, ParallelConfig(), "bf16", 8192, 256)
    assert mb.runtime_reserve_bytes == RUNTIME_RESERVE_GIB * GIB == 1.5 * GIB
    for kwargs, msg in (
        # the bounds of CostSettings' declarations (dashboard/features/request.py)
        ({"reserved_fraction": 1.0}, r"^reserved_fraction must be a finite number in \[0, 1\) \(fraction\), got 1\.0$"),
        ({"memory_fraction": 0.0}, r"^memory_fraction must be a finite number in \(0, 1\] \(fraction\), got 0\.0$"),
        ({"memory_fraction": 1.01}, r"^memory_fraction must be a finite number in \(0, 1\] \(fraction\), got 1\.01$"),
        ({"context": 0}, r"^context must be a positive number of tokens$"),
    ):
        with pytest.raises(ValueError, match=msg):
            memory_breakdown(L8B, HW, **kwargs)
    memory_breakdown(L8B, HW, memory_fraction=1.0, engine="vllm")
    memory_breakdown(L8B, HW, context=1)


def test_memory_with_an_engine_rule() -> None:
    from dashboard.features.engine import load_engine

    par = ParallelConfig(tp=2)
    w = weight_bytes_per_gpu(L8B, par, "bf16")
    for name in ("vllm", "trtllm", "sglang"):
        eng = load_engine(name)
        d = eng.scheduler_defaults(HW, 2)
        act = activation_bytes(L8B, par, "bf16", d["max_num_batched_tokens"], d["max_num_seqs"])
        mb = memory_breakdown(L8B, HW, par, context=2048, engine=name)
        f = eng.memory_fraction(HW, tp=2, pp=1, max_num_batched_tokens=d["max_num_batched_tokens"])
        budget = eng.kv_capacity_bytes(
            HW,
            w,
            act,
            tp=2,
            pp=1,
            fraction=f,
            capacity_bytes=100 * GIB,
            max_num_batched_tokens=d["max_num_batched_tokens"],
        )
        assert mb.activation_bytes == act and mb.kv_budget_bytes == pytest.approx(budget, rel=REL), name
        assert mb.runtime_reserve_bytes == (eng.kv_rule.non_torch_gib + eng.kv_rule.cuda_graph_gib) * GIB
        usable = 100 * GIB if eng.kv_rule.kind == "fraction_of_free" else 100 * GIB * f
        assert mb.usable_bytes == pytest.approx(usable, rel=REL), name
    # vLLM's rule by hand: 0.9 · C − W − A − 0.5 GiB non-torch
    eng = load_engine("vllm")
    d = eng.scheduler_defaults(HW, 2)
    act = activation_bytes(L8B, par, "bf16", d["max_num_batched_tokens"], d["max_num_seqs"])
    mb = memory_breakdown(
        L8B, HW, par, context=2048, engine="vllm", memory_fraction=0.8, max_seqs=64, max_batched_tokens=4096
    )
    act = activation_bytes(L8B, par, "bf16", 4096, 64)
    assert mb.kv_budget_bytes == pytest.approx(0.8 * 100 * GIB - w - act - 0.5 * GIB, rel=REL)
    assert mb.max_sequences == math.floor(mb.kv_budget_bytes / (65_536 * 2048))
    # the context warning past max_position_embeddings (131072 for Llama-3.1)
    assert memory_breakdown(L8B, HW, context=131_072).warnings == ()
    assert (
        "exceeds the model's max_position_embeddings (131,072)"
        in memory_breakdown(L8B, HW, context=131_073).warnings[0]
    )


# ---------------------------------------------------------------- gaps the mutation run found
def test_weight_bytes_moe_bf16_attention_format_and_pipeline_tp() -> None:
    # Mixtral-8x7B (no shared expert) bf16, ep = 2: 4 local experts of 3·4096·14336 + a router
    mix = load_model("mixtral-8x7b")
    h = 4096
    attn = (h * (32 + 16) * 128 + 32 * 128 * h) * 2
    moe = 4 * 3 * h * 14336 * 2 + h * 8 * 2
    norms = 2 * h * 2
    emb = 32000 * h * 2
    assert weight_bytes_per_gpu(mix, ParallelConfig(ep=2), "bf16") == 32 * (attn + moe + norms) + 2 * emb + h * 2
    # gpt-oss-120b: MXFP4 experts, attention kept in bf16 (the checkpoint's format), tp = 2 splits both
    got = weight_bytes_per_gpu(OSS, ParallelConfig(tp=2), "mxfp4", "bf16")
    mx = 0.5 + 1 / 32
    h, hq, hkv, d = 2880, 32, 4, 64
    attn = (h * (hq + 2 * hkv) * d + hq * d * h) * 2
    expert = OSS.expert_params() / 2 * mx
    moe = 128 * expert + OSS.router_params() * 2
    per_layer = attn + moe + 2 * h * 2
    emb = 2 * 201088 * h / 2 * 2
    assert got == pytest.approx(36 * per_layer + emb + h * 2, rel=REL)
    assert got > weight_bytes_per_gpu(OSS, ParallelConfig(tp=2), "mxfp4")  # bf16 attention weighs more
    # pp = 2 with tp = 2: 16 Llama layers, one vocab table split two ways
    h = 4096
    attn2 = (h * (16 + 8) * 128 + 16 * 128 * h) * 2
    layer = attn2 + 3 * h * 14336 / 2 * 2 + 2 * h * 2
    assert weight_bytes_per_gpu(L8B, ParallelConfig(tp=2, pp=2), "bf16") == pytest.approx(
        16 * layer + 128256 * h / 2 * 2 + h * 2, rel=REL
    )
    # MLA without q_lora (DeepSeek-V2-Lite, tp = 2, bf16): q = h · 8 heads · 192
    h, hq = 2048, 8
    attn = (h * 576 + h * hq * 192 + 512 * hq * 256 + hq * 128 * h) * 2
    dense = 3 * 10944 * h / 2 * 2
    moe = 64 * 3 * 1408 * h / 2 * 2 + 3 * 2816 * h / 2 * 2 + 64 * h * 2  # experts split by expert-TP 2
    per = (1 * (attn + dense + 2 * h * 2) + 26 * (attn + moe + 2 * h * 2)) / 27
    assert weight_bytes_per_gpu(DSV2L, ParallelConfig(tp=2), "bf16") == pytest.approx(
        per * 27 + 2 * 102400 * h / 2 * 2 + h * 2, rel=REL
    )


def test_activation_of_a_wide_moe() -> None:
    # gpt-oss-120b: top-4 × 2880 = 11520 > dense 2880 → 2 · 11520 per token wins over qkv (64 + 16)·64
    assert activation_bytes(OSS, ParallelConfig(), "bf16", 10, 0) == 10 * (2 * 2880 + 2 * 11520) * 2


def test_distinct_experts_edges() -> None:
    from dashboard.features.cost_model import expected_distinct_experts

    assert expected_distinct_experts(8, 2, 0) == 0.0
    assert expected_distinct_experts(0, 2, 5) == 0.0
    assert expected_distinct_experts(1, 1, 5) == 1.0
    assert expected_distinct_experts(8, 2, 0.5) == pytest.approx(8 * (1 - 0.75**0.5))


def test_context_warning_text() -> None:
    from dashboard.features.memory import context_warnings

    assert context_warnings(L8B, 131_072) == ()
    assert context_warnings(L8B, 131_073) == (
        "context 131,073 tokens exceeds the model's max_position_embeddings (131,072); "
        "the model was not trained for it and engines refuse it without RoPE scaling",
    )


def test_price_sums_rows_that_share_a_name() -> None:
    """Windowed models enumerate attention twice, DeepSeek its MLP norms twice (dense and MoE
    layers): the breakdown sums them per name."""
    for cm, spec in (
        (
            CostModel(OSS, HW, ParallelConfig(tp=2)),
            StepSpec(prefill_seqs=1, prefill_len=300, decode_seqs=3, decode_context=900),
        ),
        (CostModel(DSV3, HW, ParallelConfig(tp=8, ep=8)), StepSpec(decode_seqs=4, decode_context=1000)),
    ):
        s = cm.stats_for(spec)
        rows: dict[str, list] = {}
        for op in cm.ops(s):
            rows.setdefault(op.name, []).append(op)
        cost = cm.price(s)
        assert [o.name for o in cost.ops] == list(rows)
        assert any(len(v) > 1 for v in rows.values())
        for o in cost.ops:
            recs = rows[o.name]
            comm = o.kind in ("allreduce", "alltoall", "allgather")
            assert o.kind == recs[0].kind and o.count == sum(r.count for r in recs)
            assert o.flops == pytest.approx(sum(r.flops for r in recs), rel=REL)
            assert o.bytes == pytest.approx(0.0 if comm else sum(r.bytes for r in recs), rel=REL)
            assert o.comm_bytes == pytest.approx(sum(r.bytes for r in recs) if comm else 0.0, rel=REL)
            assert o.weight_bytes == pytest.approx(sum(r.weight_bytes for r in recs), rel=REL)
            assert o.time_s == pytest.approx(sum(cm.op_time(r)[0] for r in recs), rel=REL)
        d = next(o for o in cost.ops if o.name == "residual_add")
        assert d.count == (61 if cm.model is DSV3 else 36)


def test_decode_compute_bound_pays_one_overhead_per_layer() -> None:
    from dashboard.features.cost_model import ATTN_D as KIND
    from dashboard.features.cost_model import AttentionDecodeOp

    hw = HW.with_efficiency(attention_decode_unit_gb_s=None)
    cm = CostModel(L8B, hw)  # 4 query rows per KV head → η(4) = 0.2 → 2e14 FLOP/s
    t, bound = cm.op_time(AttentionDecodeOp("d", KIND, 3, 1e12, 1.0, 0.0, 1.0))
    assert bound == "compute" and t == pytest.approx(1e12 / 2e14 + 3 * 2e-6, rel=REL)


def test_memory_breakdown_wiring_the_mutation_run_checked() -> None:
    from dashboard.features.engine import load_engine
    from dashboard.features.memory import kv_bytes_per_token_per_gpu as per_token
    from dashboard.features.model_profile import parse_hf_config
    from dashboard.features.presets import model_config
    from dashboard.state.multi_model_dashboard import override_config

    # attention projections in their own format reach the weights
    dt = Dtypes(weight="mxfp4", attention_weight="bf16")
    mb = memory_breakdown(OSS, HW, ParallelConfig(tp=2), dt, context=1024)
    assert mb.weight_bytes == weight_bytes_per_gpu(OSS, ParallelConfig(tp=2), "mxfp4", "bf16")
    # max_position_embeddings is reported and flagged strictly above it
    assert mb.max_position_embeddings == OSS.max_position_embeddings == 131_072
    assert not memory_breakdown(L8B, HW, context=131_072).exceeds_max_position
    assert memory_breakdown(L8B, HW, context=131_073).exceeds_max_position
    # no capacity: no headroom (and no division by zero)
    assert memory_breakdown(L8B, HW, hbm_capacity_gib=0.0).headroom_fraction == 0.0
    # SGLang's reserve depends on the chunk, tp·pp and the CUDA-graph batch (tp ≥ 4): all passed through
    par = ParallelConfig(tp=4, pp=2)
    sg = load_engine("sglang")
    d = sg.scheduler_defaults(HW, 4)
    for mbt in (None, 16_384):
        chunk = mbt or d["max_num_batched_tokens"]
        f = sg.memory_fraction(HW, tp=4, pp=2, max_num_batched_tokens=chunk)
        w = weight_bytes_per_gpu(L8B, par, "bf16")
        act = activation_bytes(L8B, par, "bf16", chunk, d["max_num_seqs"])
        got = memory_breakdown(
            L8B, HW, par, context=1024, engine="sglang", max_batched_tokens=mbt, hbm_capacity_gib=80.0
        )
        assert got.kv_budget_bytes == pytest.approx(
            sg.kv_capacity_bytes(HW, w, act, fraction=f, capacity_bytes=80 * GIB), rel=REL
        )
    assert sg.memory_fraction(HW, tp=4, pp=2, max_num_batched_tokens=16_384) != sg.memory_fraction(
        HW, tp=4, pp=2, max_num_batched_tokens=d["max_num_batched_tokens"]
    )
    assert sg.memory_fraction(HW, tp=4, pp=2) != sg.memory_fraction(HW, tp=1, pp=1)
    # a graph reserve adds to the non-torch one
    eng = load_engine("vllm").with_overrides(cuda_graph_gib=1.0)
    assert memory_breakdown(L8B, HW, engine=eng).runtime_reserve_bytes == (0.5 + 1.0) * GIB
    # windowed layers: a 3-layer gpt-oss-20b (2 sliding + 1 full): full-attention layers only without them
    small = parse_hf_config(override_config(model_config("gpt-oss-20b"), layers=3), name="x")
    full = sum(g.count for g in small.layer_groups() if g.window is None)
    windowed = sum(g.count for g in small.layer_groups() if g.window is not None)
    assert full != windowed
    assert per_token(small, ParallelConfig(), "bf16", include_sliding=False) == full * 2 * 8 * 64 * 2
    assert per_token(small, ParallelConfig(), "bf16") == 3 * 2 * 8 * 64 * 2


def test_gemm_roofline_default_operand_formats() -> None:
    from dashboard.features.cost_model import gemm_roofline_s

    # 8 rows, bf16 in and out by default: memory-bound, bytes (nk + mk)·2 + mn·2
    m, n, k = 8, 4096, 4096
    assert gemm_roofline_s(HW, m, n, k) == pytest.approx(((n * k + m * k) * 2 + m * n * 2) / 1e12 + 2e-6, rel=REL)
