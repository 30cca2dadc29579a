"""KV-cache CPU tier: capacity, LRU, load time over the host link (hand-computed)."""

from __future__ import annotations

import pytest

from dashboard.features.hardware import load_hardware
from dashboard.features.kv_offload import CpuTierConfig, cpu_tier_blocks, kv_load_time_s, step_time_with_load_s
from dashboard.features.offload import HostLinkConfig
from dashboard.sim.kv_cpu_tier import CpuTier


def test_capacity_in_blocks():
    # Llama-3.1-8B bf16 KV: 2 · 8 heads · 128 · 2 B · 32 layers = 131,072 B/token; 16-token blocks = 2 MiB
    block = 16 * 131_072
    assert cpu_tier_blocks(CpuTierConfig(capacity_gib=64), block) == 64 * 1024 // 2


def test_load_time_is_latency_plus_bytes_over_the_measured_pinned_rate():
    hw = load_hardware("h200")
    # H200 PCIe Gen5 x16: 64 GB/s peak × 0.825 (measured pinned copy, 52.8 GB/s, h200-reference)
    cfg = CpuTierConfig(latency_s=20e-6, link=HostLinkConfig(link="pcie"))
    t = kv_load_time_s(hw, cfg, 1e9)
    assert t == pytest.approx(20e-6 + 1e9 / 52.8e9, rel=1e-3)
    assert kv_load_time_s(hw, cfg, 0) == 0.0
    # a CPU-tier hit of 1,000 tokens of 8B KV (131 MB) costs ≈ 2.5 ms, far below recomputing 1,000 tokens
    assert kv_load_time_s(hw, cfg, 1000 * 131_072) == pytest.approx(20e-6 + 131.072e6 / 52.8e9, rel=1e-3)


def test_overlap_modes():
    assert step_time_with_load_s(0.010, 0.004, "layerwise") == 0.010
    assert step_time_with_load_s(0.010, 0.004, "blocking") == pytest.approx(0.014)
    with pytest.raises(ValueError, match="connector mode"):
        step_time_with_load_s(1, 1, "magic")


@pytest.mark.parametrize("bad", [{"capacity_gib": 0}, {"capacity_gib": float("nan")}, {"latency_s": -1},
                                 {"mode": "x"}])
def test_bad_config_refused(bad):
    with pytest.raises(ValueError):
        CpuTierConfig(**bad)


def test_lru_tier_matches_contiguous_prefixes_and_evicts_oldest():
    tier = CpuTier(3)
    for k in ("a", "b", "c"):
        tier.put(k)
    assert tier.match(["a", "b", "x", "c"]) == 2  # stops at the first miss
    tier.put("d")  # evicts the least recently used: c (a and b were just refreshed)
    assert "c" not in tier and {"a", "b", "d"} <= {k for k in ("a", "b", "d") if k in tier}
    assert tier.evictions == 1 and tier.writes == 4 and tier.hits == 2
    assert CpuTier(0).match(["a"]) == 0
