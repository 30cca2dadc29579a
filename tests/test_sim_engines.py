"""Engine rules in the simulator, each against a hand-computed scenario."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.sim.accounting import scale_stats
from dashboard.sim.blocks import BlockManager
from dashboard.sim.policies import pick_victim
from dashboard.sim.state import EngineState, Req
from dashboard.sim.workload import Workload, WorkloadConfig, make_workload
from dashboard.sim_scheduler import SchedulerConfig, SimulationStopped, kv_blocks_for, simulate


@pytest.fixture(scope="module")
def cm() -> CostModel:
    return CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))


def _t(cm: CostModel, chunks, ctxs, sampled):
    return cm.step_time_s(cm.stats_for_batch(chunks, ctxs, sampled=sampled))


def test_from_engine_defaults_per_gpu() -> None:
    h200, a100 = load_hardware("h200"), load_hardware("a100-80g")
    v = SchedulerConfig.from_engine("vllm", h200)
    assert (v.max_num_batched_tokens, v.max_num_seqs, v.block_size) == (8192, 1024, 16)
    assert (v.admission, v.async_scheduling, v.prefix_caching, v.preempt) == (
        "full_prompt",
        True,
        True,
        "last_admitted",
    )
    a = SchedulerConfig.from_engine("vllm", a100)
    assert (a.max_num_batched_tokens, a.max_num_seqs) == (2048, 256)
    t = SchedulerConfig.from_engine("trtllm", h200)
    assert (t.max_num_batched_tokens, t.max_num_seqs, t.block_size, t.admission, t.chunked_prefill) == (
        8192,
        2048,
        32,
        "guaranteed_no_evict",
        False,
    )
    s = SchedulerConfig.from_engine("sglang", h200)
    assert (s.max_num_batched_tokens, s.block_size, s.preempt) == (8192, 1, "fewest_generated")
    o = SchedulerConfig.from_engine("vllm", h200, max_num_batched_tokens=4096, max_num_seqs=None)
    assert (o.max_num_batched_tokens, o.max_num_seqs) == (4096, 1024)
    # vLLM: max_num_seqs = min(max_num_seqs, max_num_batched_tokens) when the budget is smaller
    assert SchedulerConfig.from_engine("vllm", h200, max_num_batched_tokens=512).max_num_seqs == 512
    assert v.settings()["engine"] == "vllm"


def test_kv_blocks_follow_the_engine_rule() -> None:
    m = load_model("llama-3.1-70b")
    hw = load_hardware("h100-sxm")
    cm = CostModel(m, hw, ParallelConfig(), Dtypes(weight="fp8", activation="bf16", kv="fp8"))
    # KV budgets of tests/test_engine.py (2.219 and 8.757 GiB) over 163,840 B x 16 tokens per block
    v = kv_blocks_for(cm, SchedulerConfig.from_engine("vllm", hw), 4096)
    t = kv_blocks_for(cm, SchedulerConfig.from_engine("trtllm", hw, block_size=16), 4096)
    assert v == int(2.2192230224609375 * 2**30 // (163840 * 16))
    assert t == pytest.approx(8.757 * 2**30 / (163840 * 16), rel=1e-3)
    assert t > 3.9 * v


def test_full_prompt_admission_refuses_what_does_not_fit(cm: CostModel) -> None:
    """Blocks of 4, 10 blocks. A (16 prompt, 20 out) takes 4 blocks in step 1. At step 2 A's
    decode takes a 5th block, leaving 5; B's whole 28-token prompt needs 7 > 5.
    max_utilization admits B's first 15-token chunk (4 blocks); full_prompt refuses B until A
    has finished and freed its blocks."""
    wl = Workload((0.0, 0.0), (16, 28), (20, 4))
    base = {"max_num_batched_tokens": 16, "max_num_seqs": 4, "block_size": 4, "num_kv_blocks": 10}
    greedy = simulate(cm, wl, SchedulerConfig(**base), validate=True)
    full = simulate(cm, wl, SchedulerConfig(**base, admission="full_prompt"), validate=True)
    d1 = _t(cm, [(16, 0)], [], 1)
    assert greedy.requests["first_scheduled_s"][1] == pytest.approx(d1, rel=1e-12)
    assert full.requests["first_scheduled_s"][1] == pytest.approx(full.requests["finish_s"][0], rel=1e-12)
    assert full.summary["preemptions"] == 0
    assert greedy.summary["preemptions"] > 0  # B's admission starves A's decode blocks


def test_guaranteed_no_evict_reserves_prompt_and_output(cm: CostModel) -> None:
    """Blocks of 4, 12 blocks: each request (8 prompt, 16 out) reserves ceil(23/4) = 6 blocks at
    admission, so A and B run and C waits for A; nothing is ever preempted."""
    wl = Workload((0.0, 0.0, 0.0), (8, 8, 8), (16, 16, 16))
    base = {"max_num_batched_tokens": 64, "max_num_seqs": 8, "block_size": 4, "num_kv_blocks": 12}
    gne = simulate(cm, wl, SchedulerConfig(**base, admission="guaranteed_no_evict"), validate=True)
    assert gne.summary["preemptions"] == 0
    assert gne.steps["kv_blocks_used"][0] == 12
    assert gne.requests["first_scheduled_s"][2] == pytest.approx(gne.requests["finish_s"][0], rel=1e-12)
    greedy = simulate(cm, wl, SchedulerConfig(**base), validate=True)
    assert greedy.requests["first_scheduled_s"][2] == 0.0 and greedy.summary["preemptions"] > 0


def test_async_scheduling_lag_is_exactly_one_step(cm: CostModel) -> None:
    """A (64 prompt, 50 out) starts at t = 0; B arrives halfway through A's prefill step.
    Synchronous: B joins step 2 (at d1). Async: step 2 was scheduled when step 1 started, so B
    joins step 3 (at d1 + d2, d2 = A's first decode)."""
    d1 = _t(cm, [(64, 0)], [], 1)
    wl = Workload((0.0, d1 / 2), (64, 32), (50, 4))
    base = {"max_num_batched_tokens": 512, "num_kv_blocks": 100}
    sync = simulate(cm, wl, SchedulerConfig(**base), validate=True)
    lag = simulate(cm, wl, SchedulerConfig(**base, async_scheduling=True), validate=True)
    d2 = _t(cm, [], [65], 1)
    assert sync.requests["first_scheduled_s"][1] == pytest.approx(d1, rel=1e-12)
    assert lag.requests["first_scheduled_s"][1] == pytest.approx(d1 + d2, rel=1e-12)
    # no bubble when the engine would otherwise idle: A finishes in step 1, B starts right after
    alone = Workload((0.0, d1 / 2), (64, 32), (1, 4))
    idle = simulate(cm, alone, SchedulerConfig(**base, async_scheduling=True), validate=True)
    assert idle.requests["first_scheduled_s"][1] == pytest.approx(d1, rel=1e-12)


def test_serving_overheads(cm: CostModel) -> None:
    """per_request_s adds to TTFT and E2E; host step cost is hidden by async scheduling while
    shorter than the GPU step, added to it otherwise."""
    wl = Workload((0.0,), (100,), (3,))
    base = {"max_num_batched_tokens": 512, "num_kv_blocks": 100}
    plain = simulate(cm, wl, SchedulerConfig(**base))
    ovh = simulate(cm, wl, SchedulerConfig(**base, per_request_s=0.004))
    assert ovh.requests["ttft_s"][0] == pytest.approx(plain.requests["ttft_s"][0] + 0.004, rel=1e-12)
    assert ovh.requests["e2e_s"][0] == pytest.approx(plain.requests["e2e_s"][0] + 0.004, rel=1e-12)
    gpu = plain.steps["dur_s"]
    sync = simulate(cm, wl, SchedulerConfig(**base, per_step_s=0.001, per_step_per_seq_s=0.0005))
    np.testing.assert_allclose(sync.steps["dur_s"], gpu + 0.0015, rtol=1e-12)
    hidden = simulate(cm, wl, SchedulerConfig(**base, async_scheduling=True, per_step_s=0.001))
    assert min(gpu) > 0.001
    np.testing.assert_allclose(hidden.steps["dur_s"], gpu, rtol=1e-12)
    slow_host = simulate(cm, wl, SchedulerConfig(**base, async_scheduling=True, per_step_s=0.05))
    np.testing.assert_allclose(slow_host.steps["dur_s"], 0.05, rtol=1e-12)


def test_block_manager_shares_and_evicts_lru() -> None:
    kv = BlockManager(10)
    kv.take(3)  # request 1: 3 private blocks
    assert all(kv.register(k) for k in (101, 102, 103))  # computed: now cached, referenced once
    assert kv.free == 7 and kv.cached_in_use == 3
    assert kv.probe([101, 102, 103, 999], limit=10) == (3, 0)
    kv.acquire([101, 102])  # request 2 shares two of them: no new block
    assert kv.free == 7 and kv.cached_in_use == 3
    kv.release([101, 102, 103])  # request 1 finishes: 103 nobody references → evictable
    assert kv.free == 8 and list(kv.lru) == [103]
    kv.release([101, 102])  # request 2 finishes, tail first
    assert list(kv.lru) == [103, 102, 101] and kv.free == 10
    assert kv.probe([101, 102], limit=5) == (2, 2)
    kv.take(8)  # 7 never-used + 1 evicted (the least recently freed: 103)
    assert kv.evictions == 1 and 103 not in kv.ref and kv.free == 2


def test_shared_prefix_blocks_counted_once_no_spurious_preemption(cm: CostModel) -> None:
    """8 requests whose prompts share their first 57 blocks (90 % of 1024 tokens); the first runs
    alone, the rest arrive after its prefill. Private copies need 8 x 68 = 544 blocks at the end,
    shared ones 57 + 8 x 11 = 145: with 200 blocks the private model preempts, the shared one
    never does, and every later request hits 57 x 16 = 912 tokens."""
    wl = Workload((0.0,) + (0.5,) * 7, (1024,) * 8, (64,) * 8)
    base = {"max_num_batched_tokens": 2048, "max_num_seqs": 16, "num_kv_blocks": 200, "prefix_cache_hit": 0.9}
    private = simulate(cm, wl, SchedulerConfig(**base), validate=True)
    shared = simulate(cm, wl, SchedulerConfig(**base, prefix_caching=True), validate=True)
    assert private.summary["preemptions"] > 0
    assert shared.summary["preemptions"] == 0
    assert list(shared.requests["cached_tokens"]) == [0] + [912] * 7
    assert shared.summary["peak_kv_blocks_used"] <= 57 + 8 * 11
    assert shared.summary["ttft_ms"]["p99"] < private.summary["ttft_ms"]["p99"]


def test_preempted_request_rehits_its_own_blocks(cm: CostModel) -> None:
    wl = make_workload(WorkloadConfig(num_requests=24, input_len=64, output_len=48, seed=3))
    base = {"max_num_batched_tokens": 128, "max_num_seqs": 16, "block_size": 8, "num_kv_blocks": 40}
    cold = simulate(cm, wl, SchedulerConfig(**base), validate=True)
    warm = simulate(cm, wl, SchedulerConfig(**base, prefix_caching=True), validate=True)
    assert cold.summary["preemptions"] > 0 and warm.summary["preemptions"] > 0
    # recomputed tokens: prefill tokens beyond the prompts themselves
    extra_cold = cold.steps["prefill_tokens"].sum() - sum(wl.prompt)
    extra_warm = warm.steps["prefill_tokens"].sum() - sum(wl.prompt)
    assert extra_warm < extra_cold * warm.summary["preemptions"] / cold.summary["preemptions"]


def test_victims_per_engine() -> None:
    eng = EngineState(0, 16, 100, None)
    a, b = Req(0, 0.0, 500, 50), Req(1, 1.0, 100, 50)
    a.g, b.g = 2, 30  # A arrived first but has generated less (long prompt)
    a.admitted, b.admitted = 1, 2
    assert pick_victim("last_arrived", eng, [a, b]) is b
    assert pick_victim("last_admitted", eng, [a, b]) is b
    assert pick_victim("fewest_generated", eng, [a, b]) is a


def test_attention_dp_step_priced_at_busiest_rank() -> None:
    """DeepSeek-V3, EP8 TP1 on H200: one 2048-token prompt on one rank. The step costs every rank
    padded to that rank's composition (stats x 8), not 2048 tokens spread over 8 ranks."""
    m = load_model("deepseek-v3")
    cm = CostModel(
        m, load_hardware("h200"), ParallelConfig(tp=1, ep=8), Dtypes(weight="fp8", activation="bf16", kv="bf16")
    )
    res = simulate(
        cm,
        Workload((0.0,), (2048,), (2,)),
        SchedulerConfig(max_num_batched_tokens=2048, num_kv_blocks=8 * 400),
        validate=True,
    )
    one = cm.stats_for_batch([(2048, 0)], [], sampled=1)
    busiest = cm.step_time_s(scale_stats(one, 8))
    spread = cm.step_time_s(one)
    assert res.requests["ttft_s"][0] == pytest.approx(busiest, rel=1e-12)
    assert busiest > 1.5 * spread
    # max_num_seqs and the KV blocks are per rank: 16 requests, 2 per rank, all run at once
    wl = Workload((0.0,) * 16, (64,) * 16, (8,) * 16)
    many = simulate(
        cm,
        wl,
        SchedulerConfig(max_num_batched_tokens=256, max_num_seqs=2, num_kv_blocks=8 * 50),
        router="round_robin",
        validate=True,
    )
    assert many.steps["running"].max() == 16
    assert set(many.requests["engine"]) == set(range(8))


def test_progress_and_stop(cm: CostModel) -> None:
    wl = make_workload(WorkloadConfig(num_requests=3000, input_len=64, output_len=64, request_rate=500.0))
    seen: list[tuple[int, int]] = []
    simulate(cm, wl, SchedulerConfig(num_kv_blocks=5000), record_steps=False, progress=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (3000, 3000) and len(seen) >= 2 and seen[0][0] < 3000
    with pytest.raises(SimulationStopped):
        simulate(cm, wl, SchedulerConfig(num_kv_blocks=5000), progress=lambda d, n: d < 100)


@pytest.mark.parametrize("engine", ["vllm", "sglang", "trtllm"])
def test_every_engine_keeps_invariants(cm: CostModel, engine: str) -> None:
    wl = make_workload(
        WorkloadConfig(
            num_requests=60,
            input_len=300,
            output_len=40,
            input_dist="lognormal",
            output_dist="uniform",
            request_rate=80.0,
            seed=4,
        )
    )
    budget = max(512, max(wl.prompt))  # TRT-LLM runs without chunked prefill: the budget covers every prompt
    sched = SchedulerConfig.from_engine(
        engine,
        cm.hw,
        max_num_batched_tokens=budget,
        max_num_seqs=16,
        block_size=16,
        num_kv_blocks=120,
        prefix_cache_hit=0.3,
    )
    res = simulate(cm, wl, sched, validate=True)
    rq = res.requests
    assert res.summary["completed"] == 60
    np.testing.assert_array_equal(rq["generated"], np.array(wl.output))
    assert res.itl_weights.sum() == pytest.approx(sum(o - 1 for o in wl.output))
    assert np.all(rq["ttft_s"] >= sched.per_request_s)
    if sched.admission == "guaranteed_no_evict":
        assert res.summary["preemptions"] == 0


def test_trace_hash_ids_feed_the_shared_prefix_cache(cm: CostModel) -> None:
    """A Mooncake-style trace: requests share KV blocks exactly where their hash ids match; the
    simulated hit tokens never exceed what an infinite cache would serve, and a roomy cache comes
    close to it."""
    from pathlib import Path

    from dashboard.sim.traces import load_trace

    path = Path(__file__).resolve().parents[1] / "dashboard" / "data" / "traces" / "mooncake_multiturn_sample.jsonl"
    tw = load_trace(path.read_text())
    bound = tw.shared_prefix_tokens()
    assert bound > 0
    sched = SchedulerConfig(max_num_batched_tokens=8192, max_num_seqs=64, num_kv_blocks=20_000, prefix_caching=True)
    res = simulate(cm, tw, sched)
    hit = int(res.requests["cached_tokens"].sum())
    assert 0.8 * bound <= hit <= bound
    assert res.summary["prefix_cache_hit_rate"] == pytest.approx(hit / sum(tw.workload.prompt))
    plain = Workload(tw.workload.arrival_s, tw.workload.prompt, tw.workload.output)
    off = simulate(cm, plain, sched)  # no prefix ids: nothing shared
    assert off.requests["cached_tokens"].sum() == 0
    # a tiny cache evicts: fewer hits, never more
    small = simulate(
        cm, tw, SchedulerConfig(max_num_batched_tokens=8192, max_num_seqs=64, num_kv_blocks=600, prefix_caching=True)
    )
    assert small.requests["cached_tokens"].sum() <= hit and small.summary["prefix_cache_evictions"] > 0


def test_pd_simulation_ttft_includes_transfer_and_decode_first_step() -> None:
    """One request (512 prompt, 4 out), one prefill and one decode engine: TTFT = the prefill step +
    the KV transfer + the decode engine's first step (one new token after 511 transferred ones)."""
    from dashboard.features.kv_transfer import kv_transfer_s
    from dashboard.sim.pd import simulate_pd

    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    cm = CostModel(m, hw)
    sched = SchedulerConfig(max_num_batched_tokens=2048, num_kv_blocks=500)
    one = simulate_pd(cm, cm, Workload((0.0,), (512,), (4,)), sched_prefill=sched, sched_decode=sched, link="ib")
    t_pre = _t(cm, [(512, 0)], [], 1)
    t_kv = kv_transfer_s(m, hw, cm.par, "bf16", 512, "ib")[0]
    t_first = _t(cm, [(1, 511)], [], 1)
    assert one.requests["ttft_s"][0] == pytest.approx(t_pre + t_kv + t_first, rel=1e-12)
    assert one.summary["decode_first_step_ms"]["mean"] == pytest.approx(t_first * 1e3, rel=1e-9)
    # two prompts prefilled in the same step share the prefill engine's link: the second waits T_kv
    two = simulate_pd(cm, cm, Workload((0.0, 0.0), (512, 512), (4, 4)), sched_prefill=sched, sched_decode=sched)
    waits = sorted(two.requests["kv_wait_s"])
    assert waits[0] == 0.0 and waits[1] == pytest.approx(t_kv, rel=1e-12)
    # two prefill engines: no link contention
    spread = simulate_pd(cm, cm, Workload((0.0, 0.0), (512, 512), (4, 4)), x=2, sched_prefill=sched, sched_decode=sched)
    assert max(spread.requests["kv_wait_s"]) == 0.0
