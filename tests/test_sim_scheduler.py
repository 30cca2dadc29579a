"""Invariants, a hand-computed schedule and property tests of the scheduler simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.sim.metrics import SLA, weighted_percentiles
from dashboard.sim.workload import Workload, WorkloadConfig, make_workload, workload_from_trace
from dashboard.sim_scheduler import SchedulerConfig, kv_blocks_for, simulate


@pytest.fixture(scope="module")
def cm() -> CostModel:
    return CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))


@pytest.fixture(scope="module")
def cm_window() -> CostModel:
    """gpt-oss-20b: MoE with 128-token sliding-window layers (exercises the windowed sums)."""
    return CostModel(load_model("gpt-oss-20b"), load_hardware("h200"))


def _t(cm: CostModel, chunks, ctxs, sampled):
    return cm.step_time_s(cm.stats_for_batch(chunks, ctxs, sampled=sampled))


def _assert_invariants(res, wl: Workload) -> None:
    rq = res.requests
    n = wl.num_requests
    assert res.summary["completed"] == n
    assert np.all(~np.isnan(rq["finish_s"]))
    np.testing.assert_array_equal(rq["generated"], np.array(wl.output))
    # one ITL sample per token after the first, per request
    assert res.itl_weights.sum() == pytest.approx(sum(o - 1 for o in wl.output))
    assert np.all(rq["ttft_s"] >= rq["prefill_s"] - 1e-12)
    assert np.all(rq["first_token_s"] <= rq["finish_s"])
    assert np.all(rq["first_scheduled_s"] >= rq["arrival_s"])
    assert np.all(res.steps["kv_blocks_used"] <= res.num_kv_blocks)
    assert res.summary["peak_kv_blocks_used"] <= res.num_kv_blocks
    assert np.all(res.steps["dur_s"] > 0)
    multi = np.array(wl.output) > 1
    tpot, itl_max = rq["tpot_s"][multi], rq["itl_max_s"][multi]
    assert np.all(itl_max >= tpot * (1 - 1e-9))  # the longest gap is at least the mean gap
    assert np.all(itl_max <= (rq["finish_s"] - rq["first_token_s"])[multi] * (1 + 1e-9))


def test_hand_computed_schedule(cm: CostModel) -> None:
    """Budget 6, blocks of 4: A (5 prompt, 3 out) and B (3 prompt, 2 out) arrive at t = 0.

    step 1: A's whole prompt (5,0) + B's first token (1,0); A emits its first token.
    step 2: A decodes (context 6), B's rest (2,1) completes and emits.
    step 3: A decodes (context 7) and finishes; B decodes (context 4) and finishes.
    """
    wl = Workload((0.0, 0.0), (5, 3), (3, 2))
    res = simulate(
        cm, wl, SchedulerConfig(max_num_batched_tokens=6, max_num_seqs=2, block_size=4, num_kv_blocks=10), validate=True
    )
    d1 = _t(cm, [(5, 0), (1, 0)], [], 1)
    d2 = _t(cm, [(2, 1)], [6], 2)
    d3 = _t(cm, [], [7, 4], 2)
    rq = res.requests
    assert rq["ttft_s"][0] == pytest.approx(d1, rel=1e-12)
    assert rq["ttft_s"][1] == pytest.approx(d1 + d2, rel=1e-12)
    assert rq["e2e_s"][0] == pytest.approx(d1 + d2 + d3, rel=1e-12)
    assert rq["e2e_s"][1] == pytest.approx(d1 + d2 + d3, rel=1e-12)
    assert rq["tpot_s"][0] == pytest.approx((d2 + d3) / 2, rel=1e-12)
    assert rq["tpot_s"][1] == pytest.approx(d3, rel=1e-12)
    assert list(res.steps["prefill_tokens"]) == [6, 2, 0]
    assert list(res.steps["decode_seqs"]) == [0, 1, 2]
    # A: 5 tokens → 2 blocks; B: 1 → 1 block; B grows to 3 tokens (still 1 block)
    assert list(res.steps["kv_blocks_used"]) == [3, 3, 3]
    assert res.summary["num_steps"] == 3
    # ITL samples: A d2, d3; B d3
    vals = sorted(np.repeat(res.itl_values_s, res.itl_weights.astype(int)))
    assert vals == pytest.approx(sorted([d2, d3, d3]), rel=1e-12)
    assert rq["itl_max_s"] == pytest.approx([max(d2, d3), d3], rel=1e-12)


def test_lone_request_ttft_and_tpot_are_its_step_times(cm: CostModel) -> None:
    P, O, B = 3000, 40, 1024  # noqa: E741 - prompt, output, budget as in the docs
    res = simulate(
        cm, Workload((0.0,), (P,), (O,)), SchedulerConfig(max_num_batched_tokens=B, num_kv_blocks=1000), validate=True
    )
    ttft = 0.0
    done = 0
    while done < P:
        n = min(B, P - done)
        ttft += _t(cm, [(n, done)], [], 1 if done + n == P else 0)
        done += n
    decode = [_t(cm, [], [P + k], 1) for k in range(1, O)]
    assert res.requests["ttft_s"][0] == pytest.approx(ttft, rel=1e-12)
    assert res.requests["prefill_s"][0] == pytest.approx(ttft, rel=1e-12)
    assert res.requests["tpot_s"][0] == pytest.approx(sum(decode) / (O - 1), rel=1e-12)
    assert res.requests["e2e_s"][0] == pytest.approx(ttft + sum(decode), rel=1e-12)
    assert res.requests["itl_max_s"][0] == pytest.approx(max(decode), rel=1e-12)
    assert res.summary["num_steps"] == 3 + O - 1


def test_chunked_prefill_off_has_v1_semantics(cm: CostModel) -> None:
    """Without chunked prefill (vLLM V1) a waiting prompt is admitted whole, in the same step as
    the decodes, when it fits the remaining budget; it is never split."""
    wl = Workload((0.0, 0.0), (100, 200), (5, 5))
    res = simulate(
        cm,
        wl,
        SchedulerConfig(max_num_batched_tokens=256, max_num_seqs=4, chunked_prefill=False, num_kv_blocks=100),
        validate=True,
    )
    # step 1: only A fits whole (100 + 200 > 256); step 2: A's decode + B's whole prompt (1 + 200 <= 256)
    assert list(res.steps["prefill_tokens"][:2]) == [100, 200]
    assert list(res.steps["decode_seqs"][:3]) == [0, 1, 2]
    d1 = _t(cm, [(100, 0)], [], 1)
    d2 = _t(cm, [(200, 0)], [101], 2)
    assert res.requests["ttft_s"][1] == pytest.approx(d1 + d2, rel=1e-12)
    chunked = simulate(cm, wl, SchedulerConfig(max_num_batched_tokens=256, max_num_seqs=4, num_kv_blocks=100))
    assert chunked.steps["prefill_tokens"][0] == 256  # B's first chunk shares step 1
    # without chunking a prompt longer than the whole budget is refused (vLLM: budget ≥ max_model_len)
    with pytest.raises(ValueError, match="max_num_batched_tokens"):
        simulate(
            cm,
            Workload((0.0,), (600,), (3,)),
            SchedulerConfig(max_num_batched_tokens=256, max_num_seqs=4, chunked_prefill=False, num_kv_blocks=100),
        )


def test_preemption_by_recompute_keeps_invariants(cm: CostModel) -> None:
    wl = make_workload(WorkloadConfig(num_requests=24, input_len=64, output_len=48, seed=3))
    res = simulate(
        cm,
        wl,
        SchedulerConfig(max_num_batched_tokens=128, max_num_seqs=16, block_size=8, num_kv_blocks=40),
        validate=True,
    )
    assert res.summary["preemptions"] > 0
    _assert_invariants(res, wl)
    # the request that arrived last among running ones is the victim: the first is never preempted
    assert res.requests["preemptions"][0] == 0
    vllm = simulate(
        cm,
        wl,
        SchedulerConfig(
            max_num_batched_tokens=128, max_num_seqs=16, block_size=8, num_kv_blocks=40, preempt="last_admitted"
        ),
        validate=True,
    )
    _assert_invariants(vllm, wl)
    assert vllm.requests["preemptions"][0] == 0
    # under FCFS a resumed request is re-admitted before any later arrival, so "last admitted"
    # (vLLM's running.pop()) and "last arrived" pick the same victims
    np.testing.assert_array_equal(vllm.requests["preemptions"], res.requests["preemptions"])


def test_same_seed_same_result_and_seed_matters(cm: CostModel) -> None:
    cfg = WorkloadConfig(
        num_requests=60,
        input_len=300,
        output_len=30,
        input_dist="lognormal",
        request_rate=40.0,
        arrival="gamma",
        burstiness=0.5,
        seed=7,
    )
    a = simulate(cm, cfg, SchedulerConfig(num_kv_blocks=500))
    b = simulate(cm, cfg, SchedulerConfig(num_kv_blocks=500))
    assert a.summary == b.summary
    np.testing.assert_array_equal(a.requests["e2e_s"], b.requests["e2e_s"])
    c = simulate(cm, WorkloadConfig(**{**cfg.__dict__, "seed": 8}), SchedulerConfig(num_kv_blocks=500))
    assert c.summary["e2e_ms"]["mean"] != a.summary["e2e_ms"]["mean"]


def test_flops_and_bytes_equal_sum_of_priced_steps(cm: CostModel, cm_window: CostModel) -> None:
    for model in (cm, cm_window):
        wl = make_workload(
            WorkloadConfig(
                num_requests=20, input_len=200, output_len=20, input_dist="uniform", request_rate=50.0, seed=1
            )
        )
        res = simulate(
            model, wl, SchedulerConfig(max_num_batched_tokens=256, num_kv_blocks=400), keep_stats=True, validate=True
        )
        priced = [model.price(s) for s in res.step_stats]
        assert res.summary["flops_per_gpu"] == pytest.approx(sum(p.flops for p in priced), rel=1e-9)
        assert sum(res.steps["dur_s"]) == pytest.approx(sum(model.step_time_s(s) for s in res.step_stats), rel=1e-12)
        assert res.summary["bytes_per_gpu"] == pytest.approx(sum(p.bytes for p in priced), rel=1e-9)
        busy = sum(p.latency_s for p in priced)
        hw = model.hw
        assert res.summary["hbm_bw_utilization"] == pytest.approx(
            sum(p.bytes for p in priced) / (res.summary["duration_s"] * hw.hbm_bytes_per_s), rel=1e-9
        )
        assert res.summary["busy_fraction"] == pytest.approx(busy / res.summary["duration_s"], rel=1e-9)


def test_closed_loop_concurrency_caps_running(cm: CostModel) -> None:
    wl = make_workload(WorkloadConfig(num_requests=40, input_len=128, output_len=16, concurrency=4))
    res = simulate(cm, wl, SchedulerConfig(num_kv_blocks=1000), validate=True)
    _assert_invariants(res, wl)
    assert res.steps["running"].max() <= 4
    # each later request arrives exactly when an earlier one finishes
    finishes = set(np.round(res.requests["finish_s"], 12))
    assert all(round(a, 12) in finishes for a in res.requests["arrival_s"][4:])
    more = simulate(
        cm,
        make_workload(WorkloadConfig(num_requests=40, input_len=128, output_len=16, concurrency=16)),
        SchedulerConfig(num_kv_blocks=1000),
    )
    assert more.summary["output_throughput_tok_s"] > res.summary["output_throughput_tok_s"]
    assert more.summary["tpot_ms"]["mean"] > res.summary["tpot_ms"]["mean"]


def test_data_parallel_routers(cm: CostModel) -> None:
    wl = make_workload(
        WorkloadConfig(
            num_requests=40,
            input_len=256,
            output_len=32,
            request_rate=200.0,
            input_dist="lognormal",
            input_spread=1.0,
            seed=2,
        )
    )
    one = simulate(cm, wl, SchedulerConfig(num_kv_blocks=2000))
    rr = simulate(cm, wl, SchedulerConfig(num_kv_blocks=2000), dp=2, router="round_robin", validate=True)
    lot = simulate(cm, wl, SchedulerConfig(num_kv_blocks=2000), dp=2, router="least_outstanding_tokens", validate=True)
    _assert_invariants(rr, wl)
    _assert_invariants(lot, wl)
    assert list(rr.requests["engine"][:4]) == [0, 1, 0, 1]
    assert rr.summary["gpus"] == 2
    assert rr.summary["e2e_ms"]["mean"] < one.summary["e2e_ms"]["mean"]
    assert set(lot.requests["engine"]) == {0, 1}


def test_prefix_cache_hit_cuts_prefill(cm: CostModel) -> None:
    wl = make_workload(WorkloadConfig(num_requests=30, input_len=2048, output_len=8, request_rate=20.0))
    cold = simulate(cm, wl, SchedulerConfig(num_kv_blocks=5000))
    warm = simulate(cm, wl, SchedulerConfig(num_kv_blocks=5000, prefix_cache_hit=0.5), validate=True)
    assert warm.summary["cached_prompt_tokens"] == 30 * 1024
    assert warm.summary["ttft_ms"]["mean"] < cold.summary["ttft_ms"]["mean"]
    _assert_invariants(warm, wl)


def test_sliding_window_model_validates(cm_window: CostModel) -> None:
    wl = make_workload(
        WorkloadConfig(num_requests=12, input_len=100, output_len=60, input_dist="uniform", request_rate=100.0, seed=5)
    )
    res = simulate(
        cm_window,
        wl,
        SchedulerConfig(max_num_batched_tokens=64, max_num_seqs=8, block_size=16, num_kv_blocks=60),
        validate=True,
    )
    _assert_invariants(res, wl)


def test_sla_goodput(cm: CostModel) -> None:
    wl = make_workload(WorkloadConfig(num_requests=50, input_len=512, output_len=32, request_rate=30.0))
    res = simulate(cm, wl, SchedulerConfig(num_kv_blocks=3000), sla=SLA(ttft_ms=1e6, tpot_ms=1e6))
    assert res.summary["sla_attainment"] == 1.0
    assert res.summary["goodput_req_s"] == pytest.approx(res.summary["request_throughput_req_s"])
    tight = simulate(cm, wl, SchedulerConfig(num_kv_blocks=3000), sla=SLA(ttft_ms=1e-3))
    assert tight.summary["goodput_req_s"] == 0.0


def test_kv_blocks_from_memory_model(cm: CostModel) -> None:
    sched = SchedulerConfig()
    n = kv_blocks_for(cm, sched, 2048)
    # Llama-3.1-8B bf16: 128 KiB of KV per token, H200 141 GB → tens of thousands of 16-token blocks
    assert 50_000 < n < 70_000
    assert kv_blocks_for(cm, SchedulerConfig(gpu_memory_utilization=0.5), 2048) < n


def test_bad_inputs_raise_value_error(cm: CostModel) -> None:
    with pytest.raises(ValueError, match="max_num_seqs"):
        SchedulerConfig(max_num_batched_tokens=64, max_num_seqs=128)
    with pytest.raises(ValueError, match="KV blocks"):
        simulate(cm, Workload((0.0,), (1000,), (10,)), SchedulerConfig(num_kv_blocks=4))
    with pytest.raises(ValueError, match="router"):
        simulate(cm, Workload((0.0,), (10,), (10,)), router="random")
    with pytest.raises(ValueError, match="input_dist"):
        WorkloadConfig(input_dist="zipf")
    with pytest.raises(ValueError, match="header"):
        workload_from_trace("a,b\n1,2\n")


def test_trace_csv(cm: CostModel) -> None:
    wl = workload_from_trace("arrival_s,prompt_tokens,output_tokens\n0.5,100,10\n0.1,50,5\n")
    assert wl.arrival_s == (0.0, 0.4) and wl.prompt == (50, 100)
    res = simulate(cm, wl, SchedulerConfig(num_kv_blocks=100))
    assert res.summary["completed"] == 2


def test_length_distributions_keep_mean() -> None:
    for dist in ("uniform", "normal", "lognormal"):
        wl = make_workload(WorkloadConfig(num_requests=4000, input_len=1000, input_dist=dist, input_spread=0.3))
        assert np.mean(wl.prompt) == pytest.approx(1000, rel=0.03)
        assert np.std(wl.prompt) > 100
    rate = make_workload(WorkloadConfig(num_requests=4000, request_rate=10.0, arrival="gamma", burstiness=0.5))
    assert (len(rate.arrival_s) - 1) / rate.arrival_s[-1] == pytest.approx(10.0, rel=0.1)


def test_weighted_percentiles_match_numpy() -> None:
    rng = np.random.default_rng(0)
    v = rng.random(50)
    w = rng.integers(1, 5, 50)
    expanded = np.repeat(v, w)
    assert weighted_percentiles(v, w, (0, 50, 90, 99, 100)) == pytest.approx(
        list(np.percentile(expanded, [0, 50, 90, 99, 100])), rel=1e-12
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 10),
    p_mean=st.integers(1, 80),
    o_mean=st.integers(1, 30),
    dist=st.sampled_from(["fixed", "uniform", "normal", "lognormal"]),
    rate=st.one_of(st.none(), st.floats(1.0, 500.0)),
    conc=st.one_of(st.none(), st.integers(1, 4)),
    budget=st.integers(8, 96),
    seqs=st.integers(1, 8),
    bs=st.sampled_from([1, 4, 16]),
    extra_blocks=st.integers(0, 40),
    chunked=st.booleans(),
    hit=st.sampled_from([0.0, 0.5]),
    preempt=st.sampled_from(["last_arrived", "last_admitted", "fewest_generated"]),
    dp=st.integers(1, 2),
    router=st.sampled_from(["round_robin", "least_outstanding_tokens", "vllm_least_loaded"]),
    seed=st.integers(0, 1000),
    windowed=st.booleans(),
    engine=st.sampled_from([None, "vllm", "sglang", "trtllm"]),
)
def test_random_workloads_keep_invariants(
    cm,
    cm_window,
    windowed,
    n,
    p_mean,
    o_mean,
    dist,
    rate,
    conc,
    budget,
    seqs,
    bs,
    extra_blocks,
    chunked,
    hit,
    preempt,
    dp,
    router,
    seed,
    engine,
) -> None:
    seqs = min(seqs, budget)
    wl = make_workload(
        WorkloadConfig(
            num_requests=n,
            input_len=p_mean,
            output_len=o_mean,
            input_dist=dist,
            output_dist=dist,
            request_rate=rate,
            concurrency=conc,
            max_len=160,
            seed=seed,
        )
    )
    need = max(math.ceil((p + o - 1) / bs) for p, o in zip(wl.prompt, wl.output, strict=True))
    if not chunked or engine == "trtllm":  # without chunking the budget covers the longest prompt (vLLM, TRT-LLM)
        budget = max(budget, max(wl.prompt))
    kw = {
        "max_num_batched_tokens": budget,
        "max_num_seqs": seqs,
        "block_size": bs,
        "num_kv_blocks": need + extra_blocks,
        "chunked_prefill": chunked,
        "prefix_cache_hit": hit,
        "preempt": preempt,
    }
    # every engine's rules (admission, async lag, shared prefix blocks, overheads) keep the invariants
    sched = SchedulerConfig(**kw) if engine is None else SchedulerConfig.from_engine(engine, cm.hw, **kw)
    model = cm_window if windowed else cm
    res = simulate(model, wl, sched, dp=dp, router=router, validate=True)
    _assert_invariants(res, wl)
    again = simulate(model, wl, sched, dp=dp, router=router)
    np.testing.assert_array_equal(res.requests["finish_s"], again.requests["finish_s"])
