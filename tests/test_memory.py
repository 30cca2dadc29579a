"""Memory model: weights per GPU, KV bytes per token, capacity (hand-computed / cited)."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.features.hardware import load_hardware
from dashboard.features.memory import (
    MemoryBreakdown,
    kv_bytes_per_sequence,
    kv_bytes_per_token_per_gpu,
    memory_breakdown,
)
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model

H200 = load_hardware("h200")


def test_llama_8b_kv_per_token() -> None:
    """32 layers × (K,V) × 8 KV heads × 128 × 2 bytes = 128 KiB per token (vLLM reports the same)."""
    assert kv_bytes_per_token_per_gpu(load_model("llama-3.1-8b"), ParallelConfig(), "bf16") == 131072


def test_deepseek_v3_mla_latent_not_split_by_tp() -> None:
    """61 layers × (512 + 64) × 2 bytes = 70,272 B per token, the same on every TP rank."""
    m = load_model("deepseek-v3")
    assert kv_bytes_per_token_per_gpu(m, ParallelConfig(tp=1), "bf16") == 70272
    assert kv_bytes_per_token_per_gpu(m, ParallelConfig(tp=8), "bf16") == 70272


def test_gqa_kv_split_and_replication() -> None:
    m = load_model("llama-3.1-70b")  # 8 KV heads
    one = kv_bytes_per_token_per_gpu(m, ParallelConfig(tp=1), "bf16")
    assert kv_bytes_per_token_per_gpu(m, ParallelConfig(tp=8), "bf16") == one / 8
    assert kv_bytes_per_token_per_gpu(m, ParallelConfig(tp=16), "bf16") == one / 8  # replicated beyond 8


def test_sliding_window_layers_capped() -> None:
    m = load_model("gpt-oss-120b")
    par = ParallelConfig()
    per_tok = kv_bytes_per_token_per_gpu(m, par, "bf16")
    full_only = kv_bytes_per_token_per_gpu(m, par, "bf16", include_sliding=False)
    assert full_only == per_tok / 2
    assert kv_bytes_per_sequence(m, par, "bf16", 8192) == full_only * 8192 + (per_tok - full_only) * 128


def test_weights_per_gpu_llama_8b() -> None:
    mem = memory_breakdown(load_model("llama-3.1-8b"), H200)
    assert mem.weight_bytes == pytest.approx(8.03e9 * 2, rel=0.01)
    half = memory_breakdown(load_model("llama-3.1-8b"), H200, ParallelConfig(tp=2))
    assert half.weight_bytes == pytest.approx(mem.weight_bytes / 2, rel=0.01)


def test_fp8_kv_doubles_capacity() -> None:
    m = load_model("llama-3.1-70b")
    a = memory_breakdown(m, H200, ParallelConfig(tp=4))
    b = memory_breakdown(m, H200, ParallelConfig(tp=4), Dtypes(kv="fp8"))
    assert b.max_kv_tokens == pytest.approx(2 * a.max_kv_tokens, rel=0.001)


def test_deepseek_fp8_tp8_fits_and_single_gpu_does_not() -> None:
    m = load_model("deepseek-v3")
    fits = memory_breakdown(m, H200, ParallelConfig(tp=8), Dtypes(weight="fp8"))
    assert fits.fits and 75 * 2**30 < fits.weight_bytes < 85 * 2**30  # ≈ 671 GB fp8 / 8 + bf16 embeddings
    assert not memory_breakdown(m, H200, ParallelConfig(tp=1), Dtypes(weight="fp8")).fits


def test_reserved_fraction_and_capacity_override() -> None:
    m = load_model("llama-3.1-8b")
    a = memory_breakdown(m, H200, reserved_fraction=0.1)
    b = memory_breakdown(m, H200, reserved_fraction=0.2)
    assert a.kv_budget_bytes - b.kv_budget_bytes == pytest.approx(0.1 * H200.hbm_capacity_gb * 2**30)
    small = memory_breakdown(m, H200, hbm_capacity_gib=16)
    assert not small.fits
    with pytest.raises(ValueError):
        memory_breakdown(m, H200, reserved_fraction=1.0)


def _breakdown(**kw: float) -> MemoryBreakdown:
    base: dict[str, Any] = {
        "total_params": 1,
        "active_params": 1,
        "active_params_incl_embedding": 1,
        "capacity_bytes": 100.0,
        "usable_bytes": 90.0,
        "weight_bytes": 40.0,
        "activation_bytes": 5.0,
        "runtime_reserve_bytes": 5.0,
        "kv_budget_bytes": 40.0,
        "kv_bytes_per_token": 1.0,
        "kv_bytes_per_sequence": 12.0,
        "context": 12,
        "max_kv_tokens": 40,
        "max_sequences": 3,
        "fits": True,
        "headroom_fraction": 40 / 90,
    }
    base.update(kw)
    return MemoryBreakdown(**base)


def test_memory_components_sum_to_capacity() -> None:
    """Where the memory goes (hand-computed: 3 sequences × 12 B of KV = 36 B, 40 − 36 = 4 B free,
    100 − 90 = 10 B reserved)."""
    mem = _breakdown()
    c = mem.components()
    assert c == {"weights": 40.0, "activations": 5.0, "runtime": 5.0, "kv": 36.0, "free": 4.0, "reserved": 10.0}
    assert sum(c.values()) == pytest.approx(mem.capacity_bytes)
    # a model that does not fit: no free KV space (never negative)
    assert _breakdown(kv_budget_bytes=-5.0, max_sequences=0, fits=False).components()["free"] == 0.0
