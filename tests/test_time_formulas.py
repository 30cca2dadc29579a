"""Every timing term of the cost model pinned to a hand-computed value.

A synthetic accelerator with round numbers makes each term computable by hand:

* peaks: bf16 1000 TFLOP/s, fp8 2000 TFLOP/s; HBM 2000 GB/s at η_mem 0.5 → 1e12 B/s;
* η_gemm(M): 0.1 at M = 1 rising linearly in log2(M) to 0.6 at M = 1024 (so η(4) = 0.2, η(32) = 0.35);
  η_gemm_fp8 = 0.8 flat; η_attn(FLOPs per call): 0.2 at 1e6 → 0.8 at 1e12 (η(1e9) = 0.5);
* decode work unit 5 GB/s; kernel overhead 2 µs; step overhead 10 µs;
* links: NVLink 400 GB/s in a domain of 8, scale-out 100 GB/s, η_comm 0.5, 5 µs per collective;
* elementwise traffic × 3, 2 kernels per elementwise op.

The op records are built directly to test one formula at a time, then the enumeration
(:meth:`CostModel.ops`) is pinned field by field, then the step assembly (overlap φ, step overhead).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import (
    ALLGATHER,
    ALLREDUCE,
    ALLTOALL,
    ATTN_D,
    ATTN_P,
    ELEM,
    GEMM,
    GEMM16,
    GROUPED,
    AttentionDecodeOp,
    AttentionPrefillOp,
    CollectiveOp,
    CostModel,
    ElementwiseOp,
    GemmOp,
    GroupedGemmOp,
)
from dashboard.features.hardware import Curve, Efficiency, HardwareProfile
from dashboard.features.kv_transfer import kv_transfer_s, link_gb_s
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model

REL = 1e-12

EFF = Efficiency(
    gemm_compute=Curve(((1.0, 0.1), (1024.0, 0.6))),
    gemm_compute_fp8=Curve(((1.0, 0.8),)),
    memory=0.5,
    attention_prefill=Curve(((1e6, 0.2), (1e12, 0.8))),
    attention_decode_unit_gb_s=5.0,
    elementwise_traffic=3.0,
    elementwise_kernels=2.0,
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
    scale_up_domain=8,
    scale_out_gb_s=100.0,
    pcie_gb_s=50.0,
    efficiency=EFF,
)
HW_SPLIT_KV = HW.with_efficiency(attention_decode_unit_gb_s=None)
L8B = load_model("llama-3.1-8b")  # hidden 4096, 32 q / 8 kv heads of 128, MLP 14336, vocab 128256, 32 layers
QWEN_MOE = load_model("qwen3-30b-a3b")  # hidden 2048, 128 experts top-8 of 768, 48 layers, 32 q / 4 kv heads


def _cm(model=L8B, hw=HW, tp=1, ep=1, overlap=0.0, **dt) -> CostModel:
    return CostModel(model, hw, ParallelConfig(tp=tp, ep=ep), Dtypes(**dt), overlap=overlap)


# ---------------------------------------------------------------- one op at a time
def test_gemm_compute_bound_uses_eta_of_rows_and_kernel_overhead() -> None:
    t, bound = _cm().op_time(GemmOp("g", GEMM, 2, 7e11, 1e8, 0.0, 32.0))
    # 7e11 / (1e15 · η(32) = 0.35) = 2 ms  >  1e8 B / 1e12 B/s = 0.1 ms; + 2 layers · 2 µs
    assert t == pytest.approx(2e-3 + 4e-6, rel=REL)
    assert bound == "compute"


def test_gemm_memory_bound() -> None:
    t, bound = _cm().op_time(GemmOp("g", GEMM, 2, 1e9, 5e9, 0.0, 1.0))
    # compute 1e9 / (1e15 · 0.1) = 10 µs  <  5e9 / 1e12 = 5 ms
    assert t == pytest.approx(5e-3 + 4e-6, rel=REL)
    assert bound == "memory"


def test_grouped_gemm_runs_at_the_weight_dtype_peak_times_its_own_eta() -> None:
    cm = _cm(weight="fp8", activation="fp8")
    t, bound = cm.op_time(GroupedGemmOp("experts", GROUPED, 1, 1.6e12, 1.0, 0.0, 1024.0, 0.5))
    assert t == pytest.approx(1.6e12 / (2e15 * 0.5) + 2e-6, rel=REL)  # 1.6 ms at the fp8 peak and η = 0.5
    assert bound == "compute"


def test_grouped_gemm_soft_roofline() -> None:
    # t_c = 3e12 / (1e15 · 1.0) = 3 ms, t_m = 4e9 / 1e12 = 4 ms; p = 2 → sqrt(9 + 16) = 5 ms
    cm = _cm(hw=HW.with_efficiency(grouped_gemm_blend=2.0))
    t, bound = cm.op_time(GroupedGemmOp("experts", GROUPED, 3, 3e12, 4e9, 0.0, 100.0, 1.0))
    assert t == pytest.approx(5e-3 + 3 * 2e-6, rel=REL)
    assert bound == "memory"
    # p = 50 (the default): the hard max of a dense GEMM
    t, _ = _cm().op_time(GroupedGemmOp("experts", GROUPED, 1, 3e12, 4e9, 0.0, 100.0, 1.0))
    assert t == pytest.approx(4e-3 + 2e-6, rel=REL)


def test_16bit_gemm_path_ignores_the_weight_dtype() -> None:
    """Router and lm_head stay 16-bit: bf16 peak and the bf16 curve even under W8A8."""
    cm = _cm(weight="fp8", activation="fp8")
    low, _ = cm.op_time(GemmOp("g", GEMM, 1, 1.6e12, 1.0, 0.0, 1024.0))
    high, _ = cm.op_time(GemmOp("g16", GEMM16, 1, 1.6e12, 1.0, 0.0, 1024.0))
    assert low == pytest.approx(1e-3 + 2e-6, rel=REL)  # 1.6e12 / (2e15 · 0.8)
    assert high == pytest.approx(1.6e12 / (1e15 * 0.6) + 2e-6, rel=REL)  # 2.667 ms
    # and its own curve: η(32) = 0.35
    mid, _ = cm.op_time(GemmOp("g16", GEMM16, 3, 3.5e11, 1.0, 0.0, 32.0))
    assert mid == pytest.approx(1e-3 + 3 * 2e-6, rel=REL)


def test_elementwise_bytes_and_one_overhead_per_kernel() -> None:
    t, bound = _cm().op_time(ElementwiseOp("e", ELEM, 3, 0.0, 1e9, 0.0, 4.0))
    assert t == pytest.approx(1e-3 + 3 * 4 * 2e-6, rel=REL)
    assert bound == "memory"


def test_prefill_attention_uses_eta_of_flops_per_call() -> None:
    t, bound = _cm().op_time(AttentionPrefillOp("a", ATTN_P, 2, 1e12, 1e6, 0.0, 1e9))
    assert t == pytest.approx(1e12 / (1e15 * 0.5) + 4e-6, rel=REL)  # 2 ms + 2 · 2 µs
    assert bound == "compute"
    t, bound = _cm().op_time(AttentionPrefillOp("a", ATTN_P, 3, 1e6, 3e9, 0.0, 1e9))
    assert t == pytest.approx(3e-3 + 3 * 2e-6, rel=REL)
    assert bound == "memory"


def test_prefill_attention_runs_at_the_fp8_peak_only_with_fp8_kv_and_activations() -> None:
    t, _ = _cm(kv="fp8", activation="fp8").op_time(AttentionPrefillOp("a", ATTN_P, 2, 1e12, 1.0, 0.0, 1e9))
    assert t == pytest.approx(1e12 / (2e15 * 0.5) + 4e-6, rel=REL)
    t, _ = _cm(kv="fp8").op_time(AttentionPrefillOp("a", ATTN_P, 1, 1e12, 1.0, 0.0, 1e9))
    assert t == pytest.approx(1e12 / (1e15 * 0.5) + 2e-6, rel=REL)


def test_decode_work_unit_cap() -> None:
    op = AttentionDecodeOp("d", ATTN_D, 4, 1e6, 1e9, 0.0, 1e7)
    t, bound = _cm().op_time(op)
    # streaming 1e9 B takes 1 ms, but 4 layers × one 10 MB work unit at 5 GB/s take 8 ms
    assert t == pytest.approx(4 * 1e7 / 5e9 + 4 * 2e-6, rel=REL)
    assert bound == "memory"
    # split-KV kernels (no unit rate): the streaming time
    t, _ = _cm(hw=HW_SPLIT_KV).op_time(op)
    assert t == pytest.approx(1e-3 + 8e-6, rel=REL)
    # a small work unit does not bind: 4 × 1e5 / 5e9 = 80 µs < 1 ms
    t, _ = _cm().op_time(AttentionDecodeOp("d", ATTN_D, 4, 1e6, 1e9, 0.0, 1e5))
    assert t == pytest.approx(1e-3 + 8e-6, rel=REL)


def test_decode_attention_compute_rate_is_the_16bit_curve_at_the_gqa_group() -> None:
    # Llama-3.1-8B at tp=1: 32 / 8 = 4 query rows per KV head → η(4) = 0.2 → 2e14 FLOP/s
    t, bound = _cm(hw=HW_SPLIT_KV).op_time(AttentionDecodeOp("d", ATTN_D, 1, 1e12, 1.0, 0.0, 1.0))
    assert t == pytest.approx(1e12 / 2e14 + 2e-6, rel=REL)
    assert bound == "compute"


def test_allreduce_ring_term() -> None:
    cm = _cm(tp=4)
    t, bound = cm.op_time(CollectiveOp("ar", ALLREDUCE, 32, 0.0, 1e9, 0.0, 4))
    # 2(n−1)/n · bytes / (400 GB/s · 0.5) = 1.5 · 1e9 / 2e11 = 7.5 ms; + 32 · 5 µs
    assert t == pytest.approx(7.5e-3 + 32 * 5e-6, rel=REL)
    assert bound == "comm"
    t8, _ = _cm(tp=8).op_time(CollectiveOp("ar", ALLREDUCE, 1, 0.0, 1e9, 0.0, 8))
    assert t8 == pytest.approx(2 * 7 / 8 * 1e9 / 2e11 + 5e-6, rel=REL)


def test_allgather_ring_term() -> None:
    t, bound = _cm(tp=4).op_time(CollectiveOp("ag", ALLGATHER, 3, 0.0, 1e9, 0.0, 4))
    assert t == pytest.approx(0.75 * 1e9 / 2e11 + 3 * 5e-6, rel=REL)
    assert bound == "comm"


def test_alltoall_two_latencies_and_the_engine_wide_link() -> None:
    # ep = 16 spans two NVLink domains of 8: the slower scale-out link (100 GB/s · 0.5) carries it
    cm = _cm(QWEN_MOE, tp=1, ep=16)
    t, bound = cm.op_time(CollectiveOp("a2a", ALLTOALL, 48, 0.0, 1e9, 0.0, 16))
    assert t == pytest.approx(2 * 48 * 5e-6 + 1e9 / 5e10, rel=REL)
    assert bound == "comm"
    t, _ = _cm(QWEN_MOE, tp=1, ep=8).op_time(CollectiveOp("a2a", ALLTOALL, 1, 0.0, 1e9, 0.0, 8))
    assert t == pytest.approx(2 * 5e-6 + 1e9 / 2e11, rel=REL)


def test_link_bandwidth_by_group_size() -> None:
    assert HW.link_bytes_per_s(8) == 400e9
    assert HW.link_bytes_per_s(9) == 100e9
    assert HW.link_bytes_per_s(2) == 400e9


# ---------------------------------------------------------------- the op list, field by field
SPEC = StepSpec(prefill_seqs=1, prefill_len=100, prefix_len=50, decode_seqs=3, decode_context=1000)


def _ops(cm: CostModel, spec: StepSpec = SPEC) -> dict:
    return {op.name: op for op in cm.ops(cm.stats_for(spec))}


def test_dense_ops_fields_hand_computed() -> None:
    ops = _ops(_cm(tp=2))
    t = 103  # 100 prefill tokens + 3 decodes
    qkv = ops["qkv_proj"]
    assert isinstance(qkv, GemmOp) and qkv.kind == GEMM and qkv.count == 32 and qkv.rows == t
    n, k = (16 + 2 * 4) * 128, 4096  # 16 q + 2·4 kv heads per GPU
    assert qkv.flops == 32 * 2 * t * n * k
    assert qkv.weight_bytes == 32 * n * k * 2
    assert qkv.bytes == 32 * n * k * 2 + 32 * t * (k + n) * 2
    o = ops["o_proj"]
    assert o.flops == 32 * 2 * t * 4096 * 2048 and o.rows == t
    gu, dn = ops["gate_up_proj"], ops["down_proj"]
    assert gu.flops == 32 * 2 * t * 2 * 7168 * 4096 and dn.flops == 32 * 2 * t * 4096 * 7168
    # prefill attention: 100 new after 50 cached → 100·50 + 100·101/2 = 10050 pairs, 16 heads, d_qk + d_v = 256
    ap = ops["attn_prefill"]
    assert isinstance(ap, AttentionPrefillOp) and ap.flops_per_call == 2 * 16 * 10050 * 256
    assert ap.flops == 32 * ap.flops_per_call
    assert ap.bytes == 32 * (100 * 16 * 256 * 2 + 150 * 4 * 256 * 2)  # new q/o + cached and new K/V
    # decode attention: 3 × 1000 cached tokens through 4 KV heads; largest unit one sequence × one head
    ad = ops["attn_decode"]
    assert isinstance(ad, AttentionDecodeOp) and ad.unit_bytes == 1000 * 256 * 2
    assert ad.flops == 32 * 2 * 16 * 3000 * 256
    assert ad.bytes == 32 * (3000 * 4 * 256 * 2 + 3 * 16 * 256 * 2)
    # elementwise: minimal bytes × traffic 3, kernels × 2
    norm, rope = ops["attn_norm"], ops["rope_kv_write"]
    assert isinstance(norm, ElementwiseOp) and norm.kernels == 2.0 and rope.kernels == 4.0
    assert norm.bytes == 32 * 2 * t * 4096 * 2 * 3.0
    assert ops["residual_mlp_norm"].bytes == 32 * 5 * t * 4096 * 2 * 3.0
    assert ops["act_mul"].bytes == 32 * t * 3 * 7168 * 2 * 3.0
    # collectives: group = tp, bytes = tokens × hidden × 2 B per layer
    ar = ops["attn_allreduce"]
    assert isinstance(ar, CollectiveOp) and ar.group == 2 and ar.bytes == 32 * t * 4096 * 2
    assert ops["mlp_allreduce"].bytes == ar.bytes
    # lm_head on the 4 sampled rows (1 prefill + 3 decodes), vocab split by tp; with 16-bit weights
    # it is an ordinary GEMM, with fp8 weights it keeps the 16-bit path
    lm = ops["lm_head"]
    assert lm.kind == GEMM and lm.rows == 4 and lm.flops == 2 * 4 * 64128 * 4096
    assert lm.bytes == 64128 * 4096 * 2 + 4 * (4096 + 64128) * 2
    lm8 = _ops(_cm(tp=2, weight="fp8"))["lm_head"]
    assert lm8.kind == GEMM16 and lm8.weight_bytes == 64128 * 4096 * 2
    assert _ops(_cm(tp=2, weight="fp8"))["qkv_proj"].weight_bytes == 32 * 3072 * 4096 * 1
    ag = ops["logits_allgather"]
    assert ag.kind == ALLGATHER and ag.group == 2 and ag.bytes == 4 * 64128 * 4.0


def test_moe_ops_fields_hand_computed() -> None:
    cm = _cm(QWEN_MOE, tp=1, ep=4)
    ops = _ops(cm, StepSpec(decode_seqs=64, decode_context=512))
    # 64 tokens, top-8 of 128 experts over ep = 4: 512 routed pairs; the busiest rank carries
    # 1 + z₄·sqrt(3 / 512) of the mean (z₄ = Φ⁻¹(3.625 / 4.25), no systematic skew in this profile)
    imb = 1 + NormalDist().inv_cdf(3.625 / 4.25) * math.sqrt(3 / 512)
    assert imb == pytest.approx(1.0803, abs=1e-4)  # z₄ = 1.0494, sqrt(3/512) = 0.07655
    pairs = 64 * 8 / 4 * imb
    touched = 128 * (1 - (1 - 8 / 128) ** (64 * imb)) / 4
    up, dn = ops["experts_gate_up"], ops["experts_down"]
    assert isinstance(up, GroupedGemmOp) and up.kind == dn.kind == GROUPED
    rows = pairs / touched
    assert up.rows == pytest.approx(rows, rel=REL)
    # fewer rows than a 64-row tile: η = η_dense(64) = 0.4, × rows / 64 (padding), no K term
    assert rows < 64 and up.eta == pytest.approx(0.4 * rows / 64, rel=1e-9) and dn.eta == up.eta
    assert ops["moe_permute"].bytes == pytest.approx(48 * (16 + pairs) * 2048 * 2 * 3.0, rel=REL)
    assert ops["moe_unpermute"].bytes == ops["moe_permute"].bytes
    assert up.flops == pytest.approx(48 * 2 * pairs * 2 * 768 * 2048, rel=REL)
    assert up.weight_bytes == pytest.approx(48 * touched * 2 * 768 * 2048 * 2, rel=REL)
    assert dn.bytes == pytest.approx(48 * touched * 768 * 2048 * 2 + 48 * pairs * (2048 + 768) * 2, rel=REL)
    a2a = ops["ep_alltoall"]
    # dispatch + combine of each token's k copies, (ep − 1)/ep of them leave the GPU
    assert a2a.kind == ALLTOALL and a2a.group == 4
    assert a2a.bytes == pytest.approx(48 * 2 * (64 / 4) * 8 * 2048 * 2 * 3 / 4, rel=REL)
    assert ops["router"].kind == GEMM and ops["router"].rows == 16  # 64 tokens over 4 attention-DP groups
    assert ops["router"].flops == 48 * 2 * 16 * 128 * 2048


# ---------------------------------------------------------------- assembly: overlap φ and step overhead
def test_step_is_compute_plus_exposed_comm_plus_step_overhead() -> None:
    spec = StepSpec(decode_seqs=8, decode_context=2048)
    for phi in (0.0, 0.25, 1.0):
        cm = _cm(tp=4, overlap=phi)
        cost = cm.step(spec)
        compute = sum(o.time_s for o in cost.ops if o.bound != "comm")
        comm = sum(o.time_s for o in cost.ops if o.bound == "comm")
        assert cost.compute_s == pytest.approx(compute, rel=1e-9)
        assert cost.comm_s == pytest.approx(comm, rel=1e-9)
        assert cost.exposed_comm_s == pytest.approx((1 - phi) * comm, rel=1e-9)
        assert cost.latency_s == pytest.approx(compute + (1 - phi) * comm + 10e-6, rel=1e-9)
        assert cm.step_time_s(cm.stats_for(spec)) == pytest.approx(cost.latency_s, rel=REL)


def test_overlap_hides_at_most_the_compute_time() -> None:
    slow_link = HardwareProfile(
        slug="slow",
        name="slow link",
        peak_tflops={"bf16": 1000.0},
        hbm_capacity_gb=100.0,
        hbm_bandwidth_gb_s=2000.0,
        scale_up_gb_s=0.01,
        efficiency=EFF,
    )
    cm = _cm(hw=slow_link, tp=2, overlap=1.0)
    cost = cm.step(StepSpec(decode_seqs=1, decode_context=16))
    assert cost.comm_s > cost.compute_s
    assert cost.exposed_comm_s == pytest.approx(cost.comm_s - cost.compute_s, rel=REL)
    assert cost.latency_s == pytest.approx(cost.comm_s + 10e-6, rel=REL)


def test_overhead_accounting() -> None:
    cm = _cm(tp=2)
    cost = cm.step(SPEC)
    ops = _ops(cm)
    launches = sum(
        o.count * (o.kernels if isinstance(o, ElementwiseOp) else 1)
        for o in ops.values()
        if not isinstance(o, CollectiveOp)
    )
    assert cost.overhead_s == pytest.approx(launches * 2e-6 + 10e-6, rel=REL)
    assert cost.comm_bytes == pytest.approx(sum(o.bytes for o in ops.values() if isinstance(o, CollectiveOp)), rel=REL)
    assert cost.bytes == pytest.approx(sum(o.bytes for o in ops.values() if not isinstance(o, CollectiveOp)), rel=REL)
    assert cost.weight_bytes == pytest.approx(sum(o.weight_bytes for o in ops.values()), rel=REL)
    latency, flops, nbytes = cm.step_summary(cm.stats_for(SPEC))
    assert (latency, flops, nbytes) == pytest.approx((cost.latency_s, cost.flops, cost.bytes), rel=REL)


def test_bound_of_a_row_is_where_most_of_its_time_went() -> None:
    cost = _cm().step(StepSpec(prefill_seqs=4, prefill_len=4096))
    by = {o.name: o for o in cost.ops}
    assert by["qkv_proj"].bound == "compute"
    assert by["attn_norm"].bound == "memory"
    assert cost.by_bound()["compute"] == pytest.approx(sum(o.time_s for o in cost.ops if o.bound == "compute"))


# ---------------------------------------------------------------- KV transfer
def test_kv_transfer_by_hand() -> None:
    # Llama-3.1-8B: 32 layers · 2 · 8 KV heads · 128 · 2 B = 131,072 B per token; tp = 2 halves it
    secs, per_gpu = kv_transfer_s(L8B, HW, ParallelConfig(tp=2), "bf16", 1000, "ib")
    assert per_gpu == 1000 * 65_536
    assert secs == pytest.approx(65_536_000 / (100e9 * 0.5) + 5e-6, rel=REL)
    secs, _ = kv_transfer_s(L8B, HW, ParallelConfig(tp=2), "fp8", 1000, "nvlink")
    assert secs == pytest.approx(32_768_000 / (400e9 * 0.5) + 5e-6, rel=REL)
    secs, _ = kv_transfer_s(L8B, HW, ParallelConfig(), "bf16", 10, "pcie")
    assert secs == pytest.approx(1_310_720 / (50e9 * 0.5) + 5e-6, rel=REL)


def test_link_names() -> None:
    assert link_gb_s(HW, "NVLink") == 400.0 and link_gb_s(HW, "scale_up") == 400.0
    assert link_gb_s(HW, "infiniband") == link_gb_s(HW, "roce") == link_gb_s(HW, "scale_out") == 100.0
    assert link_gb_s(HW, "PCIe") == 50.0
    with pytest.raises(ValueError, match="unknown link 'ethernet'"):
        link_gb_s(HW, "ethernet")


def test_qk_norm_rope_and_per_model_elementwise_ops() -> None:
    # Qwen3-30B-A3B at tp = 1: 32 q + 4 kv heads of 128; 64 decode tokens; traffic × 3, 2 kernels per op
    ops = _ops(_cm(QWEN_MOE), StepSpec(decode_seqs=64, decode_context=512))
    qk, rope = ops["qk_norm"], ops["rope_kv_write"]
    assert qk.bytes == 48 * 2 * 64 * (32 + 4) * 128 * 2 * 3.0 and qk.kernels == 2 * 2.0
    assert rope.bytes == 48 * 64 * ((32 + 4) * 128 * 2 * 2 + 2 * 4 * 128 * (2 + 2)) * 3.0 and rope.kernels == 4.0
    assert qk.flops == qk.bytes / 3.0 / 2 * 2  # 2 FLOPs per element of the minimal bytes
    assert ops["residual_mlp_norm"].kernels == 2 * 2.0 and ops["attn_norm"].kernels == 2.0
    assert ops["embedding"].count == ops["final_norm"].count == 1
    # fp8 KV: the cache write moves 1 B per K/V element
    rope8 = _ops(_cm(QWEN_MOE, kv="fp8"), StepSpec(decode_seqs=64, decode_context=512))["rope_kv_write"]
    assert rope8.bytes == 48 * 64 * ((32 + 4) * 128 * 2 * 2 + 2 * 4 * 128 * (2 + 1)) * 3.0
    ag = _ops(_cm(tp=2), SPEC)["logits_allgather"]
    assert ag.count == 1 and ag.flops == 0.0 and ag.weight_bytes == 0.0
    a2a = _ops(_cm(QWEN_MOE, tp=1, ep=4), StepSpec(decode_seqs=64, decode_context=512))["ep_alltoall"]
    assert a2a.count == 48 and a2a.flops == 0.0 and a2a.weight_bytes == 0.0
