"""The shared cost model: FLOP/byte counts pinned to hand computations, physics sanity, references."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.features.batch import StepSpec, attention_pairs, batch_stats, uniform_batch_stats
from dashboard.features.cost_model import CostModel, expected_distinct_experts
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig, ParallelError
from dashboard.features.presets import load_model

H200 = load_hardware("h200")
L8B = load_model("llama-3.1-8b")


def _op(cost, name):
    return next(o for o in cost.ops if o.name == name)


def test_attention_pairs_closed_forms() -> None:
    assert attention_pairs(4, 0) == 10  # 1+2+3+4
    assert attention_pairs(2, 3) == 4 + 5
    assert attention_pairs(4, 0, window=2) == 1 + 2 + 2 + 2
    assert attention_pairs(3, 5, window=4) == 12
    brute = sum(min(j, 7) for j in range(11, 11 + 9))
    assert attention_pairs(9, 10, window=7) == brute
    brute = sum(min(j, 16) for j in range(4, 4 + 30))
    assert attention_pairs(30, 3, window=16) == brute


def test_uniform_and_general_batch_agree() -> None:
    spec = StepSpec(prefill_seqs=3, prefill_len=100, prefix_len=50, decode_seqs=5, decode_context=700)
    a = uniform_batch_stats(spec, window=128)
    b = batch_stats([(100, 50)] * 3, [700] * 5, window=128)
    assert a == b


def test_expected_distinct_experts() -> None:
    assert expected_distinct_experts(8, 2, 1) == pytest.approx(2.0)
    assert expected_distinct_experts(256, 8, 10_000) == pytest.approx(256.0)
    # E(1-(1-k/E)^T) for E=64, k=4, T=8
    assert expected_distinct_experts(64, 4, 8) == pytest.approx(64 * (1 - (1 - 4 / 64) ** 8))


def test_decode_reads_all_weights_once() -> None:
    """One decode token streams every linear weight (bf16) once: 2 × (non-embedding params + lm_head)."""
    cm = CostModel(L8B, H200)
    cost = cm.step(StepSpec(decode_seqs=1, decode_context=1))
    weights = 2 * (L8B.total_params() - L8B.embedding_params())
    gemm_bytes = sum(o.bytes for o in cost.ops if o.kind in ("gemm", "gemm16"))
    assert gemm_bytes == pytest.approx(weights, rel=0.01)


def test_prefill_gemm_flops_hand_computed() -> None:
    cm = CostModel(L8B, H200)
    cost = cm.step(StepSpec(prefill_seqs=2, prefill_len=1000))
    assert _op(cost, "qkv_proj").flops == 32 * 2 * 2000 * 6144 * 4096
    assert _op(cost, "lm_head").flops == 2 * 2 * 128256 * 4096  # sampled tokens only
    assert _op(cost, "attn_prefill").flops == 32 * 2 * 32 * (2 * 1000 * 1001 / 2) * 256


def test_attention_flops_quadratic_in_length() -> None:
    cm = CostModel(L8B, H200)
    f1 = _op(cm.step(StepSpec(prefill_seqs=1, prefill_len=4096)), "attn_prefill").flops
    f2 = _op(cm.step(StepSpec(prefill_seqs=1, prefill_len=8192)), "attn_prefill").flops
    assert f2 / f1 == pytest.approx(4.0, rel=0.001)


def test_decode_attention_bytes_scale_with_context_and_batch() -> None:
    cm = CostModel(L8B, H200)
    a = _op(cm.step(StepSpec(decode_seqs=8, decode_context=4096)), "attn_decode").bytes
    b = _op(cm.step(StepSpec(decode_seqs=8, decode_context=8192)), "attn_decode").bytes
    kv = 32 * 8 * 4096 * 2 * 8 * 128 * 2  # layers × seqs × ctx × (K,V) × kv heads × d × bf16
    assert a == pytest.approx(kv, rel=0.01)
    assert b == pytest.approx(2 * kv, rel=0.01)


def test_tensor_parallel_splits_work_and_adds_allreduce() -> None:
    s = StepSpec(prefill_seqs=1, prefill_len=2048)
    c1 = CostModel(L8B, H200).step(s)
    c2 = CostModel(L8B, H200, ParallelConfig(tp=2)).step(s)
    assert _op(c2, "gate_up_proj").flops == pytest.approx(_op(c1, "gate_up_proj").flops / 2)
    ar = _op(c2, "attn_allreduce")
    assert ar.comm_bytes == 32 * 2048 * 4096 * 2 and ar.bound == "comm"
    assert c2.latency_s < c1.latency_s


def test_overlap_hides_communication() -> None:
    s = StepSpec(prefill_seqs=4, prefill_len=2048)
    m70 = load_model("llama-3.1-70b")
    t0 = CostModel(m70, H200, ParallelConfig(tp=8), overlap=0.0).step(s)
    t1 = CostModel(m70, H200, ParallelConfig(tp=8), overlap=1.0).step(s)
    assert t1.latency_s < t0.latency_s
    assert t0.latency_s - t1.latency_s == pytest.approx(t0.comm_s, rel=1e-6)


def test_fp8_weights_speed_up_memory_bound_decode() -> None:
    s = StepSpec(decode_seqs=1, decode_context=512)
    bf16 = CostModel(L8B, H200).step(s).latency_s
    fp8 = CostModel(L8B, H200, dtypes=Dtypes(weight="fp8")).step(s).latency_s
    assert 0.5 < fp8 / bf16 < 0.75


def test_moe_decode_reads_only_touched_experts() -> None:
    m = load_model("mixtral-8x7b")
    cm = CostModel(m, H200)
    one = _op(cm.step(StepSpec(decode_seqs=1, decode_context=100)), "experts_gate_up")
    many = _op(cm.step(StepSpec(decode_seqs=256, decode_context=100)), "experts_gate_up")
    per_expert = 2 * 14336 * 4096 * 2
    assert one.bytes == pytest.approx(32 * 2 * per_expert, rel=0.01)  # top-2 of 8 experts
    assert many.bytes == pytest.approx(32 * 8 * per_expert, rel=0.02)  # all 8 touched


def test_mla_decode_reads_latent_cache() -> None:
    m = load_model("deepseek-v3")
    cm = CostModel(m, H200, ParallelConfig(tp=8), Dtypes(weight="fp8"))
    dec = _op(cm.step(StepSpec(decode_seqs=4, decode_context=1000)), "attn_decode")
    latent = 61 * 4 * 1000 * (512 + 64) * 2
    assert dec.bytes == pytest.approx(latent, rel=0.02)


def test_sliding_window_caps_decode_reads() -> None:
    m = load_model("gpt-oss-120b")
    cm = CostModel(m, H200)
    short = cm.stats_for(StepSpec(decode_seqs=1, decode_context=64))
    long = cm.stats_for(StepSpec(decode_seqs=1, decode_context=100_000))
    assert long.w_dec_ctx_sum == 128 and short.w_dec_ctx_sum == 64


def test_invalid_layouts_are_rejected() -> None:
    with pytest.raises(ParallelError, match="tp=3"):
        CostModel(L8B, H200, ParallelConfig(tp=3))
    with pytest.raises(ParallelError, match="mixture-of-experts"):
        CostModel(L8B, H200, ParallelConfig(tp=2, ep=2))
    with pytest.raises(ValueError):
        StepSpec(prefill_seqs=-1)


def test_decode_step_against_h200_measurement() -> None:
    """Spec-sheet profile vs a measured H200 step (shared/data/h200-reference/steps_llama3.1-8b.csv):
    Llama-3.1-8B decode of 64 sequences at 1024 context took 8.07 ms; the uncalibrated model is within 10 %."""
    cm = CostModel(L8B, H200)
    assert cm.step(StepSpec(decode_seqs=64, decode_context=1024)).latency_s * 1e3 == pytest.approx(8.07, rel=0.10)


def test_memory_bound_decode_near_bandwidth_floor() -> None:
    """A batch-1 decode cannot beat weights / HBM bandwidth (16 GB / 4.8 TB/s = 3.3 ms)."""
    t = CostModel(L8B, H200).step(StepSpec(decode_seqs=1, decode_context=128)).latency_s
    assert 3.3e-3 < t < 8e-3


def test_step_overhead_and_efficiency_are_profile_data() -> None:
    s = StepSpec(decode_seqs=1, decode_context=128)
    slow = dataclasses.replace(H200, efficiency=dataclasses.replace(H200.efficiency, step_overhead_us=1000.0))
    assert CostModel(L8B, slow).step(s).latency_s - CostModel(L8B, H200).step(s).latency_s == pytest.approx(1e-3)
