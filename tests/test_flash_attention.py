"""FA3 component model: FLOP/exp counts, tile-granular causal waste, rates from the profile, and
the H200 reference check. Cited values: Shah et al., FlashAttention-3 (2024), arXiv:2407.08608 —
"the H100 SXM5 GPU has 989 TFLOPS of FP16 matmul but only 3.9 TFLOPS of special functions"."""

from __future__ import annotations

import math

import pytest

from dashboard.features.flash_attention import (
    AttentionShape,
    FlashRates,
    MicroarchMissingError,
    attention_cost,
    exp_count,
    kv_heads_for,
    load_attention_reference,
    qk_flops,
    rates_from_hardware,
    scaled_overrides,
    smem_footprint_bytes,
    sweep_shapes,
    tile_counts,
)
from dashboard.features.hardware import load_hardware


@pytest.fixture(scope="module")
def h100() -> FlashRates:
    # the datasheet tensor peak is quoted at 1830 MHz (132 × 4096 × 1.83 GHz = 989.4 TF)
    return rates_from_hardware(load_hardware("h100-sxm"), "bf16", clock_mhz=1830, fp32_ops_per_clk_per_sm=128)


def test_rates_reproduce_fa3_paper_h100_figures(h100: FlashRates) -> None:
    assert h100.tensor_flops_per_s / 1e12 == pytest.approx(989.4, abs=0.1)  # "989 TFLOPS of FP16 matmul"
    assert h100.sfu_ops_per_s / 1e12 == pytest.approx(3.9, abs=0.05)  # "3.9 TFLOPS of special functions"
    assert h100.smem_bytes_per_s == pytest.approx(128 * 132 * 1.83e9)


def test_dense_counts_match_closed_forms(h100: FlashRates) -> None:
    s = AttentionShape(batch=2, q_heads=16, kv_heads=4, head_dim=128, q_len=1024, kv_len=1024, causal=False)
    c = attention_cost(s, h100)
    assert qk_flops(2, 16, 1024, 1024, 128) == 2 * 2 * 16 * 1024 * 1024 * 128
    assert c.component("qk_gemm").ops == pytest.approx(qk_flops(2, 16, 1024, 1024, 128))
    assert c.component("pv_gemm").ops == pytest.approx(qk_flops(2, 16, 1024, 1024, 128))
    assert c.component("softmax_exp").ops == pytest.approx(exp_count(2, 16, 1024, 1024)) == 2 * 16 * 1024 * 1024
    # rescale: 3 FP32 ops per score + d_v per row per key block + d_v per row at the end
    assert c.component("rescale").ops == pytest.approx(2 * 16 * (3 * 1024 * 1024 + 1024 * 8 * 128 + 1024 * 128))
    assert c.tiles.mask_waste_fraction == 0.0
    assert c.useful_flops == pytest.approx(4 * 2 * 16 * 1024 * 1024 * 128)
    # HBM: Q and O of every query head, K and V of every KV head, once (bf16)
    assert c.component("tile_loads").hbm_bytes == pytest.approx(2 * 2 * (16 * 1024 * 256 + 4 * 1024 * 256))


def test_wave_efficiency() -> None:
    """One CTA per (batch, head, query block): 1·32·⌈4096/128⌉ = 1024 CTAs on 132 SMs → 8 waves, 1024/1056."""
    rates = rates_from_hardware(load_hardware("h200"), "bf16", fp32_ops_per_clk_per_sm=128)
    c = attention_cost(AttentionShape(1, 32, 8, 128, 4096, 4096), rates)
    assert c.ctas == 1024 and c.wave_efficiency == pytest.approx(1024 / 1056)
    qk = c.component("qk_gemm")
    assert qk.time_s == pytest.approx(qk.ops / (132 * 4096 * 1.98e9) / (1024 / 1056))


def test_exponentials_take_half_the_matmul_time_at_d128(h100: FlashRates) -> None:
    """FA3 paper: at head_dim 128 there are 512× more matmul FLOPs than exponentials, and
    989 / 3.9 ≈ 253, so exp time ≈ 0.5 × matmul time; at d = 64 they are equal."""
    for d, ratio in ((128, 989.4 / (512 * 3.865)), (64, 989.4 / (256 * 3.865))):
        s = AttentionShape(batch=1, q_heads=32, kv_heads=32, head_dim=d, q_len=4096, kv_len=4096, causal=False)
        c = attention_cost(s, h100)
        mm = c.component("qk_gemm").time_s + c.component("pv_gemm").time_s
        assert c.component("softmax_exp").time_s / mm == pytest.approx(ratio, rel=1e-3)
    assert abs(989.4 / (512 * 3.865) - 0.5) < 0.005


@pytest.mark.parametrize("br", [64, 128, 176])
def test_causal_waste_single_tile(br: int) -> None:
    """L = Br = Bc: one diagonal tile, useful = Br(Br+1)/2 → waste (Br − 1)/(2·Br)."""
    tc = tile_counts(br, br, br, br, True)
    assert tc.executed_pairs == br * br
    assert tc.useful_pairs == br * (br + 1) // 2
    assert tc.mask_waste_fraction == pytest.approx((br - 1) / (2 * br))


def test_causal_waste_many_tiles_and_uneven_blocks() -> None:
    # L multiple of B = Br = Bc: executed = L(L+B)/2, waste = (B − 1)/(L + B)
    L, B = 4096, 128
    tc = tile_counts(L, L, B, B, True)
    assert tc.executed_pairs == L * (L + B) // 2
    assert tc.mask_waste_fraction == pytest.approx((B - 1) / (L + B))
    assert tc.kv_tiles == (L // B) * (L // B + 1) // 2
    # Br = 128, Bc = 64, L = 256: q-block 0 visits 2 key blocks, q-block 1 visits 4 → 6 tiles of 128×64
    tc2 = tile_counts(256, 256, 128, 64, True)
    assert tc2.kv_tiles == 6 and tc2.executed_pairs == 6 * 128 * 64
    assert tc2.useful_pairs == 256 * 257 // 2
    # cached prefix: q_len 128 after 384 cached keys (bottom-right aligned): useful = 128·384 + 128·129/2
    tc3 = tile_counts(128, 512, 128, 128, True)
    assert tc3.useful_pairs == 128 * 384 + 128 * 129 // 2
    assert tc3.executed_pairs == 128 * 512


def test_doubling_sequence_quadruples_attention_flops(h100: FlashRates) -> None:
    a = attention_cost(AttentionShape(1, 32, 8, 128, 8192, 8192), h100)
    b = attention_cost(AttentionShape(1, 32, 8, 128, 16384, 16384), h100)
    assert b.useful_flops / a.useful_flops == pytest.approx(4.0, rel=1e-3)
    assert b.executed_flops / a.executed_flops == pytest.approx(4.0, rel=0.01)
    assert b.time_s / a.time_s == pytest.approx(4.0, rel=0.05)


def test_larger_tiles_raise_smem_arithmetic_intensity(h100: FlashRates) -> None:
    ai = [
        attention_cost(AttentionShape(1, 32, 8, 128, 8192, 8192, True, bm, bn), h100).tensor_arithmetic_intensity
        for bm, bn in ((64, 64), (128, 64), (128, 128), (128, 256))
    ]
    assert ai == sorted(ai) and ai[-1] > 1.3 * ai[0]
    # hand value, Br = Bc = 128, d = 128, bf16, dense: 4·Br·Bc·d FLOPs per
    # (Bc·2d fills + Br·d Q reads + 2 warp groups × Bc·2d K/V reads) × 2 B, plus Q fill + O staging per q-block
    s = AttentionShape(1, 1, 1, 128, 128, 128, False, 128, 128)
    c = attention_cost(s, h100)
    smem = (128 * 256 + 128 * 128 + 2 * 128 * 256 + 2 * 128 * 128) * 2
    assert c.component("tile_loads").ops == pytest.approx(smem)
    assert c.tensor_arithmetic_intensity == pytest.approx(4 * 128**3 / smem)


def test_smem_footprint_matches_fa3_configs() -> None:
    # FA3 head_dim 256 uses Br = 128, Bc = 80, 2 stages: 224 KiB, fits the 228 KiB of an H100 SM
    assert smem_footprint_bytes(AttentionShape(1, 1, 1, 256, 128, 128, True, 128, 80)) == 224 * 1024
    assert smem_footprint_bytes(AttentionShape(1, 1, 1, 128, 128, 128, True, 128, 128)) == 160 * 1024


def test_overlap_bounds_and_binding(h100: FlashRates) -> None:
    s = AttentionShape(1, 32, 8, 128, 8192, 8192)
    serial, full = attention_cost(s, h100, 0.0), attention_cost(s, h100, 1.0)
    assert full.time_s == pytest.approx(full.overlapped_s)
    assert full.time_s < serial.time_s <= serial.serial_s
    assert serial.binding == "tensor" and serial.hot in ("qk_gemm", "pv_gemm")
    small_d = attention_cost(AttentionShape(1, 64, 64, 64, 8192, 8192), h100, 0.0)
    assert small_d.binding == "softmax" and small_d.hot == "softmax_exp"


def test_overrides_replace_work_and_scale_in_sweep(h100: FlashRates) -> None:
    s = AttentionShape(1, 32, 8, 128, 4096, 4096)
    base = attention_cost(s, h100)
    exp = base.component("softmax_exp")
    c = attention_cost(s, h100, overrides={"softmax_exp": 2 * exp.ops})
    assert c.component("softmax_exp").overridden
    assert c.component("softmax_exp").time_s == pytest.approx(2 * exp.time_s)
    s64 = AttentionShape(1, 32, 8, 64, 4096, 4096)
    scaled = scaled_overrides(base, {"softmax_exp": 2 * exp.ops}, s64, h100)
    assert scaled["softmax_exp"] == pytest.approx(2 * attention_cost(s64, h100).component("softmax_exp").ops)
    with pytest.raises(ValueError, match="unknown component"):
        attention_cost(s, h100, overrides={"nope": 1.0})


def test_fixed_hidden_sweep_keeps_matmul_flops() -> None:
    shapes, notes = sweep_shapes(
        "heads_fixed_hidden",
        (64, 96, 128, 256),
        num_heads=32,
        hidden=4096,
        gqa_group=4,
        batch=1,
        q_len=2048,
        kv_len=2048,
        causal=True,
        block_m=128,
        block_n=128,
        dtype="bf16",
    )
    assert [s.q_heads for s in shapes] == [64, 32, 16] and len(notes) == 1 and "96" in notes[0]
    assert {s.q_heads * s.head_dim for s in shapes} == {4096}
    assert kv_heads_for(16, 4) == 4 and kv_heads_for(6, 4) == 3


def test_validation_messages() -> None:
    with pytest.raises(ValueError, match="multiple of kv_heads"):
        AttentionShape(1, 30, 8, 128, 128, 128)
    with pytest.raises(ValueError, match="kv_len"):
        AttentionShape(1, 8, 8, 128, 256, 128, causal=True)
    with pytest.raises(MicroarchMissingError, match="sfu_ops_per_clk_per_sm"):
        rates_from_hardware(load_hardware("mi300x"), "bf16", fp32_ops_per_clk_per_sm=128)


def test_h200_reference_cudnn_prefill() -> None:
    """At the measured sustained clock (1600 MHz, shared/data/h200-reference/README.md) and φ = 0.2,
    the model is within 40 % of every cuDNN causal prefill row with L ≥ 4096 (rms log error < 0.2)
    and over-predicts PyTorch's FA2 `flash` backend (no warp specialisation)."""
    rows = load_attention_reference()
    assert len(rows) == 34
    rates = rates_from_hardware(load_hardware("h200"), "bf16", clock_mhz=1600, fp32_ops_per_clk_per_sm=128)
    errs, fa2 = [], []
    for r in rows:
        if r["q_len"] < 4096:
            continue
        bn = 80 if r["head_dim"] == 256 else 128
        c = attention_cost(
            AttentionShape(
                r["batch"], r["q_heads"], r["kv_heads"], r["head_dim"], r["q_len"], r["kv_len"], True, 128, bn
            ),
            rates,
            0.2,
        )
        ratio = c.effective_tflops / r["tflops"]
        (errs if r["backend"] == "cudnn" else fa2).append(math.log(ratio))
    assert max(abs(e) for e in errs) < math.log(1.4)
    assert math.sqrt(sum(e * e for e in errs) / len(errs)) < 0.2
    assert sum(fa2) / len(fa2) > math.log(1.3)
