"""KV-cache CPU tier: capacity, LRU, load time over the host link (hand-computed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.kv_offload import CpuTierConfig, cpu_tier_blocks, kv_load_time_s, step_time_with_load_s
from dashboard.features.offload import HostLinkConfig
from dashboard.features.presets import load_model
from dashboard.sim.kv_cpu_tier import CpuTier
from dashboard.sim.traces import load_trace
from dashboard.sim_scheduler import SchedulerConfig, simulate


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


@pytest.mark.parametrize("bad", [{"capacity_gib": 0}, {"capacity_gib": float("nan")}, {"latency_s": -1}, {"mode": "x"}])
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


# ---- in the simulator -------------------------------------------------------------------------


def _cm():
    return CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))


def _trace(*reqs):
    import json

    return load_trace(
        "\n".join(
            json.dumps({"timestamp": t, "input_length": i, "output_length": o, "hash_ids": h}) for t, i, o, h in reqs
        )
        + "\n",
        block_size=16,
    )


def test_trace_with_two_requests_sharing_three_blocks_hits_exactly_three_blocks():
    tw = _trace((0, 64, 2, [1, 2, 3, 4]), (1000, 64, 2, [1, 2, 3, 9]))
    cm = _cm()
    on = simulate(cm, tw.workload, SchedulerConfig.from_engine("vllm", cm.hw, 1), record_steps=False)
    assert list(on.requests["cached_tokens"]) == [0, 48]
    assert on.summary["prefix_cache_hit_rate"] == pytest.approx(48 / 128)
    off = simulate(
        cm,
        tw.workload,
        replace(SchedulerConfig.from_engine("vllm", cm.hw, 1), prefix_caching=False),
        record_steps=False,
    )
    assert list(off.requests["cached_tokens"]) == [0, 0] and off.summary["prefix_cache_hit_rate"] == 0


def test_cpu_tier_hit_costs_the_link_time_for_its_bytes_not_recompute():
    # request A (2048 tokens) fills the cache; B (unrelated, 2048 tokens) evicts A's blocks from a
    # tiny HBM cache into the CPU tier; C repeats A's prompt: with the tier, C loads A's 127 full
    # blocks over PCIe instead of recomputing them.
    a_ids = list(range(1, 129))
    b_ids = list(range(1001, 1129))
    tw = _trace((0, 2048, 1, a_ids), (1000, 2048, 1, b_ids), (2000, 2048, 1, a_ids))
    cm = _cm()
    sched = replace(
        SchedulerConfig.from_engine("vllm", cm.hw, 1),
        num_kv_blocks=128,
        async_scheduling=False,
        per_request_s=0.0,
        per_step_s=0.0,
        per_step_per_seq_s=0.0,
    )
    cfg = CpuTierConfig(capacity_gib=1, link=HostLinkConfig(link="pcie"), mode="blocking")
    with_tier = simulate(cm, tw.workload, sched, record_steps=True, cpu_tier=cfg)
    without = simulate(cm, tw.workload, sched, record_steps=True)
    assert list(without.requests["cached_tokens"]) == [0, 0, 0]  # B evicted A's blocks from HBM
    assert list(with_tier.requests["cpu_cached_tokens"]) == [0, 0, 127 * 16]
    t = with_tier.summary["kv_cpu_tier"]
    assert t["loaded_blocks"] == 127 and t["bytes_loaded"] == 127 * 16 * 131_072
    # C's step: 1 new token of prefill after a 2032-token prefix + the blocking load of 127 blocks
    load = kv_load_time_s(cm.hw, cfg, 127 * 16 * 131_072)
    compute = cm.step_time_s(cm.stats_for_batch(chunks=[(16, 2032)], decode_contexts=[], sampled=1))
    c_step = with_tier.steps["dur_s"][-1]
    assert c_step == pytest.approx(compute + load, rel=1e-6)
    # recomputing 2048 tokens costs more than loading them over PCIe
    assert without.requests["ttft_s"][2] > with_tier.requests["ttft_s"][2]


def test_replaying_a_trace_twice_with_one_seed_is_identical():
    from dashboard.sim.trace_synth import synthetic_multiturn_trace

    tw = synthetic_multiturn_trace(300, seed=5)
    cm = _cm()
    sched = replace(SchedulerConfig.from_engine("vllm", cm.hw, 1), num_kv_blocks=4000)
    a = simulate(cm, tw.workload, sched, record_steps=False, cpu_tier=CpuTierConfig(capacity_gib=8))
    b = simulate(cm, tw.workload, sched, record_steps=False, cpu_tier=CpuTierConfig(capacity_gib=8))
    assert a.summary == b.summary
    assert 0 < a.summary["prefix_cache_hit_rate"] <= tw.shared_prefix_tokens() / sum(tw.workload.prompt) + 1e-9


def test_kv_tier_traffic_hand_computed():
    from dashboard.features.kv_offload import kv_tier_traffic

    hw = load_hardware("h200")
    cfg = CpuTierConfig(link=HostLinkConfig(link="pcie"))
    # 2 req/s of 4096-in/256-out on 8B bf16 KV (131,072 B/token), half the prompt from the CPU tier
    tr = kv_tier_traffic(
        hw, cfg, kv_bytes_per_token=131_072, request_rate=2, prompt_tokens=4096, output_tokens=256, cpu_hit_rate=0.5
    )
    assert tr.h2d_bytes_per_s == 2 * 4096 * 0.5 * 131_072  # 0.537 GB/s
    assert tr.d2h_bytes_per_s == 2 * 4352 * 131_072
    assert tr.h2d_utilisation == pytest.approx(tr.h2d_bytes_per_s / 52.8e9, rel=1e-3)
    with pytest.raises(ValueError, match=r"cpu_hit_rate must be a finite number in \[0, 1\]"):
        kv_tier_traffic(hw, cfg, kv_bytes_per_token=1, request_rate=1, prompt_tokens=1, output_tokens=1, cpu_hit_rate=2)
