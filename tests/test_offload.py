"""Offload model (dashboard/features/offload.py): closed forms, Monte Carlo checks of the skewed
routing expectation, hand-computed transfer times, the layer schedule, HBM capacity, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.common import plots_offload
from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel, expected_distinct_experts
from dashboard.features.hardware import load_hardware
from dashboard.features.memory import kv_bytes_per_token_per_gpu
from dashboard.features.offload import (
    DEFAULT_LINK_EFFICIENCY,
    DEFAULT_PAGEABLE_FACTOR,
    HostLinkConfig,
    Popularity,
    expected_touched,
    expert_bytes,
    expert_shard_bytes,
    host_copy_reference,
    host_to_device_rate,
    inclusion_probabilities,
    layer_schedule,
    monte_carlo_touched,
    offload_step,
    resident_capacity,
)
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.state.experts_calculation import ExpertsInputs
from dashboard.state.host_bandwidth import HostBandwidthInputs

H200 = load_hardware("h200")
MIXTRAL = load_model("mixtral-8x7b")
QWEN_MOE = load_model("qwen3-30b-a3b")
DECODE1 = StepSpec(decode_seqs=1, decode_context=1024)


# ---------------------------------------------------------------- H200 reference copies
def test_reference_copies_match_the_h200_profile() -> None:
    ref = host_copy_reference()
    # shared/data/h200-reference/host_device_copy.csv: 1 GiB copies
    assert ref["h2d_pinned"] == pytest.approx(52.80, abs=0.01)
    assert ref["d2h_pinned"] == pytest.approx(55.24, abs=0.01)
    assert ref["h2d_pageable"] == pytest.approx(19.44, abs=0.01)
    assert ref["d2h_pageable"] == pytest.approx(15.19, abs=0.01)
    # sanity of the H200 profile: PCIe Gen5 x16 = 64 GB/s per direction; pinned copies reach 82–86 % of it
    assert H200.pcie_gb_s == 64
    assert 0.80 <= ref["h2d_pinned"] / H200.pcie_gb_s <= 0.90
    assert 0.80 <= ref["d2h_pinned"] / H200.pcie_gb_s <= 0.90
    # pageable ≈ 0.27–0.37 × pinned
    assert 0.27 <= ref["d2h_pageable"] / ref["d2h_pinned"] <= ref["h2d_pageable"] / ref["h2d_pinned"] <= 0.37
    assert abs(DEFAULT_LINK_EFFICIENCY - 0.825) < 1e-3
    assert abs(DEFAULT_PAGEABLE_FACTOR - 0.368) < 1e-3


def test_model_reproduces_the_measured_copy_rates() -> None:
    alone = HostLinkConfig(gpus_per_socket=1)  # the measurement: one GPU copying, the socket's DDR to itself
    rate, where, _ = host_to_device_rate(H200, alone)
    assert where == "link"
    assert rate / 1e9 == pytest.approx(host_copy_reference()["h2d_pinned"], rel=0.01)
    rate_pg, where_pg, _ = host_to_device_rate(H200, HostLinkConfig(gpus_per_socket=1, pinned=False))
    assert where_pg == "cpu_staging"
    assert rate_pg / 1e9 == pytest.approx(host_copy_reference()["h2d_pageable"], rel=0.01)


# ---------------------------------------------------------------- popularity and touched experts
def test_uniform_closed_form_reuses_cost_model() -> None:
    # E=8, k=2: T=1 touches 2; T=2 touches 8·(1 − (3/4)²) = 3.5; half resident → half of them cold
    assert expected_touched(8, 2, 1).distinct == pytest.approx(2.0)
    t = expected_touched(8, 2, 2, Popularity("uniform"), resident=4)
    assert t.distinct == pytest.approx(3.5)
    assert t.cold == pytest.approx(1.75)
    assert t.hot == pytest.approx(1.75)
    for e, k, tok in ((256, 8, 1), (256, 8, 37), (128, 8, 1000), (8, 2, 3)):
        assert expected_touched(e, k, tok).distinct == pytest.approx(expected_distinct_experts(e, k, tok), rel=1e-12)
    # Zipf with s = 0 is uniform
    assert expected_touched(64, 4, 10, Popularity("zipf", 0.0)).distinct == pytest.approx(64 * (1 - (1 - 4 / 64) ** 10))


def test_skewed_formula_with_flat_weights_equals_uniform() -> None:
    flat = Popularity("histogram", weights=(1.0, 1.0, 1.0, 1.0))
    assert expected_touched(32, 4, 9, flat, 8).distinct == pytest.approx(expected_distinct_experts(32, 4, 9), rel=1e-9)


def test_popularity_probabilities() -> None:
    p = Popularity("zipf", 1.0).probabilities(4)
    assert p.sum() == pytest.approx(1.0)
    assert p == pytest.approx(np.array([1, 1 / 2, 1 / 3, 1 / 4]) / (1 + 1 / 2 + 1 / 3 + 1 / 4))
    # histogram buckets are spread over the experts: 2 buckets over 4 experts
    h = Popularity("histogram", weights=(3.0, 1.0)).probabilities(4)
    assert h == pytest.approx([0.375, 0.375, 0.125, 0.125])
    # a histogram longer than the expert count still sums to 1, sorted most popular first
    h2 = Popularity("histogram", weights=(0.0, 5.0, 1.0, 1.0, 1.0)).probabilities(3)
    assert h2.sum() == pytest.approx(1.0) and list(h2) == sorted(h2, reverse=True)


def test_inclusion_probabilities_sum_to_k() -> None:
    for s in (0.0, 0.8, 1.5, 3.0):
        pi = inclusion_probabilities(Popularity("zipf", s).probabilities(256), 8)
        assert pi.sum() == pytest.approx(8.0, rel=1e-6)
        assert (pi <= 1.0).all() and (pi >= 0).all()
    assert inclusion_probabilities(np.full(10, 0.1), 3) == pytest.approx(np.full(10, 0.3))
    # fewer positive experts than k: all of them picked
    assert list(inclusion_probabilities(np.array([0.5, 0.5, 0.0]), 2)) == [1.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("e", "k", "tokens", "pop", "resident"),
    [
        (256, 8, 16, Popularity("zipf", 1.0), 32),
        (128, 8, 64, Popularity("zipf", 1.2), 16),
        (8, 2, 4, Popularity("zipf", 1.5), 2),
        (64, 6, 8, Popularity("histogram", weights=(10.0, 5.0, 1.0, 1.0)), 8),
    ],
)
def test_skewed_expectation_matches_seeded_monte_carlo(e, k, tokens, pop, resident) -> None:
    analytic = expected_touched(e, k, tokens, pop, resident)
    mc = monte_carlo_touched(e, k, tokens, pop, resident, trials=400, seed=7)
    assert analytic.distinct == pytest.approx(mc.distinct, rel=0.02)
    assert analytic.cold == pytest.approx(mc.cold, rel=0.04)
    # skew makes a step touch fewer distinct experts than uniform routing would
    assert analytic.distinct < expected_distinct_experts(e, k, tokens)


def test_uniform_monte_carlo_matches_closed_form() -> None:
    mc = monte_carlo_touched(256, 8, 32, Popularity(), 64, trials=300, seed=1)
    assert mc.distinct == pytest.approx(expected_distinct_experts(256, 8, 32), rel=0.01)
    assert mc.cold == pytest.approx(expected_distinct_experts(256, 8, 32) * 192 / 256, rel=0.02)


def test_more_resident_experts_fewer_cold() -> None:
    pop = Popularity("zipf", 1.0)
    colds = [expected_touched(128, 8, 32, pop, h).cold for h in (0, 16, 32, 64, 128)]
    assert colds == sorted(colds, reverse=True)
    assert colds[-1] == 0.0


# ---------------------------------------------------------------- bytes and channel times (hand-computed)
def test_expert_bytes_by_hand() -> None:
    # Mixtral-8x7B expert: 3 · 4096 · 14336 = 176,160,768 params, bf16 → 352,321,536 B
    assert expert_bytes(MIXTRAL, "bf16") == 352_321_536
    # DeepSeek-V3 expert: 3 · 7168 · 2048 = 44,040,192 params, fp8 → 1 B each; expert-TP 4 splits it
    ds = load_model("deepseek-v3")
    assert expert_bytes(ds, "fp8") == 44_040_192
    assert expert_shard_bytes(ds, ParallelConfig(tp=8, ep=2), "fp8") == 44_040_192 / 4
    assert expert_bytes(load_model("llama-3.1-8b"), "bf16") == 0.0


def test_transfer_time_by_hand() -> None:
    cm = CostModel(MIXTRAL, H200, ParallelConfig(), Dtypes())
    res = offload_step(cm, DECODE1, HostLinkConfig(), resident=0)
    # one token, top-2 of 8, nothing resident → 2 cold experts per layer, 32 MoE layers
    assert res.touched.cold == pytest.approx(2.0)
    assert res.h2d_bytes == pytest.approx(2 * 352_321_536 * 32)
    by = {c.channel: c for c in res.channels}
    # PCIe: 64 GB/s × 0.825 = 52.8 GB/s → 22.548 GB / 52.8 GB/s = 0.42706 s
    assert by["link"].rate_gb_s == pytest.approx(52.8)
    assert by["link"].time_s == pytest.approx(22_548_578_304 / 52.8e9, rel=1e-9)
    # host DDR: 307.2 GB/s × 0.75 ÷ 4 GPUs = 57.6 GB/s
    assert by["host_ddr"].rate_gb_s == pytest.approx(57.6)
    assert by["host_ddr"].time_s == pytest.approx(22_548_578_304 / 57.6e9, rel=1e-9)
    assert res.bottleneck == "link" and res.transfer_s == by["link"].time_s
    # compute per layer comes from the shared cost model
    assert res.compute_per_layer_s == pytest.approx(cm.step(DECODE1).latency_s / 32, rel=1e-12)
    assert res.baseline_step_s == pytest.approx(cm.step(DECODE1).latency_s, rel=1e-12)
    # link-bound with w = 1: step = L·t_x + t_c
    tx = by["link"].time_s / 32
    assert res.step_s == pytest.approx(32 * tx + res.compute_per_layer_s, rel=1e-9)
    assert res.inflation > 10


def test_doubling_link_bandwidth_halves_transfer_time() -> None:
    cm = CostModel(MIXTRAL, H200, ParallelConfig(), Dtypes())
    a = offload_step(cm, DECODE1, HostLinkConfig(gpus_per_socket=1), 0)
    b = offload_step(cm, DECODE1, HostLinkConfig(gpus_per_socket=1, link_gb_s=128.0), 0)
    assert a.bottleneck == b.bottleneck == "link"
    assert b.transfer_s == pytest.approx(a.transfer_s / 2, rel=1e-9)
    # with 4 GPUs per socket the DDR share (57.6 GB/s) caps the doubled link (105.6 GB/s)
    c = offload_step(cm, DECODE1, HostLinkConfig(link_gb_s=128.0), 0)
    assert c.bottleneck == "host_ddr"


def test_pageable_and_c2c_channels() -> None:
    cm = CostModel(MIXTRAL, H200, ParallelConfig(), Dtypes())
    pinned = offload_step(cm, DECODE1, HostLinkConfig(), 0)
    pageable = offload_step(cm, DECODE1, HostLinkConfig(pinned=False), 0)
    assert pageable.transfer_s > 2.5 * pinned.transfer_s
    by = {c.channel: c for c in pageable.channels}
    assert by["host_ddr"].bytes == pytest.approx(3 * pinned.h2d_bytes)  # source read + staging write + DMA read
    gb200 = load_hardware("gb200")
    rate, where, rates = host_to_device_rate(gb200, HostLinkConfig())
    assert rates["link"] == pytest.approx(450e9 * DEFAULT_LINK_EFFICIENCY)  # NVLink-C2C
    assert where == "host_ddr" and rate == pytest.approx(512e9 * 0.75 / 2)  # one Grace per two GPUs
    with pytest.raises(ValueError, match="C2C"):
        host_to_device_rate(H200, HostLinkConfig(link="c2c"))


def test_kv_writeback_bytes_and_duplex() -> None:
    llama = load_model("llama-3.1-8b")
    cm = CostModel(llama, H200, ParallelConfig(), Dtypes())
    spec = StepSpec(decode_seqs=16, decode_context=2048)
    res = offload_step(cm, spec, HostLinkConfig(), resident=0, kv_writeback_ratio=0.5)
    # 32 layers · 2 · 8 KV heads · 128 · 2 B = 131,072 B per token; 16 tokens × 0.5
    assert kv_bytes_per_token_per_gpu(llama, ParallelConfig(), "bf16") == 131_072
    assert res.kv_writeback_bytes == pytest.approx(16 * 131_072 * 0.5)
    assert res.h2d_bytes == 0 and res.step_s == pytest.approx(res.baseline_step_s)
    # the write-back shares the link with the fetches: full duplex takes the larger direction, half duplex the sum
    mcm = CostModel(MIXTRAL, H200, ParallelConfig(), Dtypes())
    big = StepSpec(prefill_seqs=4, prefill_len=8192)
    fd = offload_step(mcm, big, HostLinkConfig(), 4, kv_writeback_ratio=1.0)
    hd = offload_step(mcm, big, HostLinkConfig(full_duplex=False), 4, kv_writeback_ratio=1.0)
    link_fd = next(c for c in fd.channels if c.channel == "link")
    link_hd = next(c for c in hd.channels if c.channel == "link")
    assert link_fd.time_s == pytest.approx(max(fd.h2d_bytes, fd.kv_writeback_bytes) / 52.8e9)
    assert link_hd.time_s == pytest.approx((hd.h2d_bytes + hd.kv_writeback_bytes) / 52.8e9)


def test_all_resident_means_no_stall_and_required_bandwidth() -> None:
    cm = CostModel(QWEN_MOE, H200, ParallelConfig(), Dtypes())
    spec = StepSpec(decode_seqs=32, decode_context=4096)
    full = offload_step(cm, spec, HostLinkConfig(), QWEN_MOE.num_experts, Popularity("zipf", 1.0))
    assert full.h2d_bytes == 0 and full.inflation == pytest.approx(1.0) and full.hidden
    part = offload_step(cm, spec, HostLinkConfig(), 64, Popularity("zipf", 1.0))
    link = next(c for c in part.channels if c.channel == "link")
    assert link.required_gb_s == pytest.approx(part.h2d_bytes / part.baseline_step_s / 1e9)
    assert link.achieved_gb_s == pytest.approx(part.h2d_bytes / part.step_s / 1e9)
    assert link.achieved_gb_s <= link.rate_gb_s + 1e-9


# ---------------------------------------------------------------- the layer schedule
def test_schedule_closed_forms() -> None:
    layers, tc = 10, 1.0
    # on demand: every fetch exposed
    s0 = layer_schedule([tc] * layers, [0.4] * layers, 0)
    assert s0[-1].compute_end == pytest.approx(layers * (tc + 0.4))
    # w = 1, t_x ≤ t_c: only the first fetch is exposed
    s1 = layer_schedule([tc] * layers, [0.4] * layers, 1)
    assert s1[-1].compute_end == pytest.approx(0.4 + layers * tc)
    # w = 1, t_x > t_c: link-bound, L·t_x + t_c
    s2 = layer_schedule([tc] * layers, [1.5] * layers, 1)
    assert s2[-1].compute_end == pytest.approx(layers * 1.5 + tc)
    # a wider window lets fetches of MoE layers run during leading dense layers (DeepSeek: 3 dense first)
    fetch = [0.0] * 3 + [1.2] * 7
    w1 = layer_schedule([tc] * layers, fetch, 1)[-1].compute_end
    w4 = layer_schedule([tc] * layers, fetch, 4)[-1].compute_end
    assert w4 < w1
    assert w4 >= sum(fetch)  # the link is serial


def test_prefetch_window_reduces_stall_in_offload_step() -> None:
    cm = CostModel(QWEN_MOE, H200, ParallelConfig(), Dtypes())
    spec = StepSpec(decode_seqs=8, decode_context=1024)
    fast = HostLinkConfig(link_gb_s=5000.0, ddr_gb_s=50_000.0)  # fetches shorter than compute
    on_demand = offload_step(cm, spec, fast, 96, Popularity("zipf", 1.0), prefetch_window=0)
    prefetch = offload_step(cm, spec, fast, 96, Popularity("zipf", 1.0), prefetch_window=2)
    assert prefetch.step_s < on_demand.step_s
    assert on_demand.step_s == pytest.approx(on_demand.baseline_step_s + on_demand.transfer_s, rel=1e-9)


# ---------------------------------------------------------------- HBM capacity
def test_resident_capacity() -> None:
    ds = load_model("deepseek-v3")
    dt = Dtypes(weight="fp8")
    small = resident_capacity(ds, H200, ParallelConfig(), dt, batch=1, context=4096)
    big = resident_capacity(ds, H200, ParallelConfig(), dt, batch=64, context=4096)
    assert 0 < big.resident_per_layer < small.resident_per_layer < ds.num_experts
    assert not small.all_fit
    # budget arithmetic: usable − non-expert − KV − other, shards of 44,040,192 B
    assert small.budget_bytes == pytest.approx(
        small.usable_bytes - small.non_expert_bytes - small.kv_bytes - small.other_bytes
    )
    assert small.resident_shards == int(small.budget_bytes // 44_040_192)
    # more EP ranks: each GPU holds fewer experts per layer, the engine holds more
    ep8 = resident_capacity(ds, H200, ParallelConfig(ep=8), dt, batch=1, context=4096)
    assert ep8.resident_per_layer > small.resident_per_layer
    qwen = resident_capacity(QWEN_MOE, H200, ParallelConfig(), Dtypes(), batch=8, context=4096)
    assert qwen.all_fit and qwen.resident_per_layer == QWEN_MOE.num_experts
    with pytest.raises(ValueError, match="not a mixture-of-experts"):
        resident_capacity(load_model("llama-3.1-8b"), H200, ParallelConfig(), Dtypes(), 1, 1024)
    none_fit = resident_capacity(ds, H200, ParallelConfig(), dt, batch=4096, context=131072)
    assert none_fit.budget_bytes < 0 and none_fit.resident_per_layer == 0


# ---------------------------------------------------------------- validation and extremes
@pytest.mark.parametrize(
    "kwargs",
    [
        {"link_efficiency": 0.0},
        {"link_efficiency": 1.5},
        {"pageable_factor": -1.0},
        {"link": "usb"},
        {"link_gb_s": float("nan")},
        {"gpus_per_socket": -1},
        {"ddr_efficiency": True},
    ],
)
def test_link_config_rejects_bad_values(kwargs) -> None:
    with pytest.raises(ValueError):
        HostLinkConfig(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "pareto"},
        {"kind": "zipf", "exponent": -1.0},
        {"kind": "histogram", "weights": ()},
        {"kind": "histogram", "weights": (0.0, 0.0)},
        {"kind": "histogram", "weights": (1.0, -2.0)},
    ],
)
def test_popularity_rejects_bad_values(kwargs) -> None:
    with pytest.raises(ValueError):
        Popularity(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch": 0},
        {"context": -5},
        {"phase": "train"},
        {"kv_writeback_ratio": 2.0},
        {"batch_sweep": ()},
        {"popularity": "histogram", "histogram": ()},
        {"link_efficiency": 0.0},
        {"prefetch_window": -1},
    ],
)
def test_host_page_inputs_validate(kwargs) -> None:
    with pytest.raises(ValueError):
        HostBandwidthInputs(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tp_size": 0},
        {"window_ms": 0.0},
        {"sla_ms": -1.0},
        {"weight_dtype": "fp64"},
        {"popularity": "histogram"},
        {"reserved_fraction": 0.95},
        {"moe_model": ""},
    ],
)
def test_experts_page_inputs_validate(kwargs) -> None:
    with pytest.raises(ValueError):
        ExpertsInputs(**kwargs)


def test_extreme_inputs_stay_finite() -> None:
    cm = CostModel(load_model("deepseek-v3"), H200, ParallelConfig(), Dtypes(weight="fp8"))
    for spec in (
        StepSpec(decode_seqs=65_536, decode_context=2_000_000),
        StepSpec(prefill_seqs=65_536, prefill_len=2_000_000),
        DECODE1,
    ):
        for pop in (Popularity("zipf", 5.0), Popularity("histogram", weights=(1.0, 0.0, 0.0)), Popularity()):
            r = offload_step(cm, spec, HostLinkConfig(link_efficiency=0.01, pinned=False), 10_000, pop, 1000, 1.0)
            assert math.isfinite(r.step_s) and r.step_s >= r.baseline_step_s > 0
            assert r.resident == 256 and r.h2d_bytes == 0
            r0 = offload_step(cm, spec, HostLinkConfig(), 0, pop, 0, 0.0)
            assert math.isfinite(r0.step_s) and r0.touched.cold <= 256
    with pytest.raises(ValueError):
        offload_step(cm, StepSpec(), HostLinkConfig(), 0)


def test_plot_builders() -> None:
    cm = CostModel(QWEN_MOE, H200, ParallelConfig(), Dtypes())
    r = offload_step(cm, StepSpec(decode_seqs=16, decode_context=1024), HostLinkConfig(), 32)
    fig = plots_offload.channel_times(r.channels, r.baseline_step_s * 1e3)
    assert list(fig.data[0].x) == [c.label for c in r.channels]
    tps, req = plots_offload.throughput_curves([1, 2], [10.0, 20.0], [1.0, 2.0], [5.0, 6.0], 52.8, "PCIe")
    assert len(tps.data) == 2 and len(req.data) == 1
    tl = plots_offload.layer_timeline(r.schedule, max_layers=4)
    assert {d.name for d in tl.data} >= {"compute", "fetch (link)"}
    rc = plots_offload.residency_curve([0, 64, 128], [100.0, 50.0, 20.0], 30.0, 64, 20.0)
    assert list(rc.data[0].y) == [100.0, 50.0, 20.0]
    wc = plots_offload.window_curve([1.0, 2.0], [3, 6], 1.0)
    assert list(wc.data[0].y) == [3, 6]


def test_ddr_sharing_follows_the_gpus_in_use() -> None:
    cfg = HostLinkConfig()
    assert cfg.sharing(H200) == 4 and cfg.sharing(load_hardware("gb200")) == 2
    assert cfg.for_gpus(H200, 1).gpus_per_socket == 1
    assert cfg.for_gpus(H200, 16).gpus_per_socket == 4
    assert HostLinkConfig(gpus_per_socket=8).for_gpus(H200, 2).gpus_per_socket == 2
    _, _, rates = host_to_device_rate(H200, cfg.for_gpus(H200, 2))
    assert rates["host_ddr"] == pytest.approx(307.2e9 * 0.75 / 2)
