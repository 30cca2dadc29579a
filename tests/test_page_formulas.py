"""Formulas that used to live in pages, now in features/ (issue 17 §2), and reference data found
through the hardware profile rather than its name."""

from __future__ import annotations

import dataclasses
import math

import pytest

from dashboard.features.flash_attention import compare_with_reference, rates_from_hardware, reference_block_n
from dashboard.features.hardware import load_hardware
from dashboard.features.offload import experts_per_window
from dashboard.features.reference import reference_path, reference_rows


def test_experts_per_window_hand_computed() -> None:
    # 10 ms over 52.8 GB/s = 528 MB; a 352,321,536 B Mixtral expert (bf16) → 1 whole expert
    assert experts_per_window(0.010, 52.8e9, 352_321_536) == 1
    # 100 ms → 5.28e9 / 3.523e8 = 14.99 → 14
    assert experts_per_window(0.100, 52.8e9, 352_321_536) == 14
    assert experts_per_window(0.1, 52.8e9, 0.0) == 0 and experts_per_window(0.1, 0.0, 1.0) == 0
    assert experts_per_window(0.0, 1e9, 1.0) == 0


def test_fa3_block_n_for_wide_heads() -> None:
    assert reference_block_n(64, 128) == 128 and reference_block_n(128, 128) == 128
    assert reference_block_n(192, 128) == 80 and reference_block_n(256, 128) == 80
    assert reference_block_n(256, 64) == 64  # a block the user chose is kept


def test_reference_data_is_keyed_by_the_profile() -> None:
    h200, b200 = load_hardware("h200"), load_hardware("b200")
    assert h200.reference_data == "h200" and b200.reference_data == ""
    gemm = reference_rows(h200, "gemm")
    assert gemm and {"m", "n", "k", "tflops", "dtype"} <= set(gemm[0])
    assert reference_rows(b200, "gemm") == [] and reference_path(b200, "gemm") is None
    assert reference_rows(h200, "no_such_dataset") == []
    # a profile whose *name* says H200 but which declares no measurements gets none (no substring match)
    renamed = dataclasses.replace(b200, name="not an H200", slug="h200-lookalike")
    assert reference_rows(renamed, "attention_prefill") == []
    # and a custom profile that declares the set gets it
    custom = dataclasses.replace(b200, reference_data="h200")
    assert len(reference_rows(custom, "attention_prefill")) == len(reference_rows(h200, "attention_prefill")) > 0
    steps = reference_rows(h200, "steps")
    assert steps and isinstance(steps[0], dict)


def test_attention_reference_comparison() -> None:
    """The page's stated accuracy: at 1600 MHz, φ = 0.2, against cuDNN causal prefill with L ≥ 4096
    the model's RMS error is ≈ 20 % (worst row ≈ 40 %)."""
    h200 = load_hardware("h200")
    rows = reference_rows(h200, "attention_prefill")
    rates = rates_from_hardware(h200, "bf16", clock_mhz=1600, fp32_ops_per_clk_per_sm=128)  # the page defaults
    cmp = compare_with_reference(rows, rates, block_m=128, block_n=128, overlap=0.2)
    assert len(cmp) == sum(1 for r in rows if r["causal"]) > 0
    for c in cmp:
        assert c["model_over_measured"] == pytest.approx(c["model_tflops"] / c["measured_tflops"])
    long = [c["model_over_measured"] for c in cmp if c["backend"] == "cudnn" and c["seq_len"] >= 4096]
    rms = math.sqrt(sum((x - 1) ** 2 for x in long) / len(long))
    assert len(long) == 13 and rms == pytest.approx(0.20, abs=0.02)
    assert max(abs(x - 1) for x in long) == pytest.approx(0.39, abs=0.02)


def test_gemm_pipeline_stages_that_fit() -> None:
    from dashboard.features.mma import GemmTiling

    # 128×256 tile, BK 64, bf16: (128 + 256)·64·2 = 48 KiB per stage; 228 KiB of SMEM → 4 stages
    t = GemmTiling(block_m=128, block_n=256, block_k=64, wg_m=64, wg_n=256, stages=6, k_inst=16)
    assert t.stages_that_fit(228 * 1024, 2.0) == 4
    assert t.stages_that_fit(48 * 1024, 2.0) == 1 and t.stages_that_fit(48 * 1024 - 1, 2.0) == 0
    assert t.stages_that_fit(228 * 1024, 1.0) == 9  # fp8 halves the stage
