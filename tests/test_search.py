"""SLA search: brute-force agreement, monotonic sanity, hand-checked steady state, PD rate matching."""

from __future__ import annotations

import math

import pytest

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.memory import kv_bytes_per_sequence
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.services.search import SLA, Economics, SearchSpace, Workload, evaluate_config, search_aggregated
from dashboard.services.search_pareto import economics, pareto_front
from dashboard.services.search_pd import (
    DecodeEngine,
    PrefillEngine,
    combine,
    kv_transfer_s,
    link_gb_s,
    search_disaggregated,
)
from dashboard.services.search_steady import steady_state

H200 = load_hardware("h200")
L8B = load_model("llama-3.1-8b")
L70B = load_model("llama-3.1-70b")
SMALL = SearchSpace(tp=(1, 2), concurrency=(1, 4, 16, 64), budgets=(256, 1024))
KEY = ("tp", "ep", "dp", "concurrency_per_engine", "budget")


def _key(r):
    return tuple(r[k] for k in KEY)


def test_search_matches_brute_force_on_small_grid() -> None:
    wl = Workload(input_len=600, output_len=128)
    sla = SLA(ttft_ms=60, tpot_ms=12)
    res = search_aggregated(L8B, H200, 4, wl, sla, space=SMALL)
    got = {_key(r): r for r in res.feasible + res.rejected}
    n = 0
    for tp in (1, 2):
        for dp in range(1, 4 // tp + 1):
            for c in SMALL.concurrency:
                for b in SMALL.budgets:
                    ref = evaluate_config(L8B, H200, tp, 1, dp, c, b, wl, sla)
                    row = got[(tp, 1, dp, c, b)]
                    assert row["reason_code"] == ref["reason_code"]
                    for k in ("ttft_ms", "tpot_ms", "output_tok_s_per_gpu", "output_tok_s", "cost_per_m_output_usd"):
                        assert row[k] == pytest.approx(ref[k], rel=1e-12), (k, tp, dp, c, b)
                    n += 1
    assert n == len(got) == 3 * 4 * 2 * 2 == 48
    assert res.feasible and res.rejected  # the SLA splits this grid
    assert {r["reason_code"] for r in res.rejected} >= {"ttft", "tpot"}
    best = max(res.feasible, key=lambda r: (r["output_tok_s_per_gpu"], r["output_tok_s"], -r["ttft_ms"]))
    assert res.best == best
    # DP replicas are identical: per-GPU figures do not depend on dp, totals scale with it
    a, b2 = got[(1, 1, 1, 16, 1024)], got[(1, 1, 4, 16, 1024)]
    assert a["output_tok_s_per_gpu"] == b2["output_tok_s_per_gpu"]
    assert b2["output_tok_s"] == pytest.approx(4 * a["output_tok_s"])
    assert b2["concurrency"] == 64 and b2["gpus"] == 4


def test_steady_state_single_client_by_hand() -> None:
    """C = 1, I = 1000, O = 101, B = 512 (vLLM's max_num_batched_tokens, decodes included): one
    decode per step leaves 511 prefill tokens, so the prompt runs as chunks (511, 0) and (489, 511),
    then 100 decode steps; λ = 1/(2 + 100) requests per step."""
    cm = CostModel(L8B, H200, ParallelConfig(tp=1))
    st = steady_state(cm, 1000, 101, 1, 512)
    assert st.chunks_per_prompt == 2 and not st.saturated
    assert st.requests_per_step == pytest.approx(1 / 102)
    assert st.decodes_per_step == 1
    ctx = 1000 + 100 // 2  # the one decode sits at the middle of its generation
    t1 = cm.step_time_s(cm.stats_for_batch([(511, 0)], [ctx]))
    t2 = cm.step_time_s(cm.stats_for_batch([(489, 511)], [ctx]))
    td = cm.step_time_s(cm.stats_for(StepSpec(decode_seqs=1, decode_context=ctx)))
    assert st.ttft_s == pytest.approx(t1 + t2)
    f = 2 / 102
    assert st.tpot_s == pytest.approx(f * (t1 + t2) / 2 + (1 - f) * td)
    assert st.output_tok_s == pytest.approx(101 / 102 / st.tpot_s)
    # Little's law: one client is always in flight, TTFT + 100 TPOT ≈ 102 mean steps (within the
    # model's approximation: its chunk steps also carry the average decode)
    assert st.e2e_s == pytest.approx(102 * st.tpot_s, rel=0.05)


def test_saturated_engine_queues_prompts() -> None:
    cm = CostModel(L8B, H200, ParallelConfig(tp=1))
    # B = 512 with D = round(15/9) = 2 decodes per step leaves 510 prefill tokens: 9 chunk steps per
    # prompt, capacity 1/9 request per step (the fixed point of B_p = B − D)
    st = steady_state(cm, 4096, 16, 256, 512)
    assert st.saturated and st.chunks_per_prompt == 9 and st.decodes_per_step == 2
    assert st.requests_per_step == pytest.approx(1 / 9)
    in_flight = st.requests_per_step * (9 + 15)
    assert st.queue_wait_s == pytest.approx((256 - in_flight) / (1 / 9) * st.mean_step_s)
    assert st.ttft_s > st.queue_wait_s > 0


def test_oom_and_reasons() -> None:
    res = search_aggregated(
        L70B,
        load_hardware("rtx-4090"),
        4,
        Workload(512, 128),
        SLA(),
        space=SearchSpace(tp=(1, 2, 4), concurrency=(1, 8), budgets=(512,)),
    )
    assert not res.feasible and res.best is None
    assert {r["reason_code"] for r in res.rejected} == {"oom"}
    assert all("OOM" in r["reason"] for r in res.rejected)
    # a layout the model cannot use is reported once, not silently dropped
    bad = search_aggregated(
        L8B, H200, 8, Workload(512, 128), space=SearchSpace(tp=(3,), concurrency=(1,), budgets=(512,))
    )
    assert bad.rejected[0]["reason_code"] == "layout" and "tp=3" in bad.rejected[0]["reason"]


@pytest.mark.parametrize("model", [L8B, L70B], ids=["8b", "70b"])
def test_looser_sla_never_shrinks_feasible_set(model) -> None:
    wl = Workload(2048, 256)
    space = SearchSpace(concurrency=(1, 4, 16, 64, 256), budgets=(512, 2048))
    prev: set | None = None
    for ttft, tpot, tps in ((50, 8, 150), (200, 15, 80), (1000, 30, 30), (5000, 100, 5), (None, None, None)):
        res = search_aggregated(model, H200, 8, wl, SLA(ttft, tpot, tps), space=space)
        keys = {_key(r) for r in res.feasible}
        if prev is not None:
            assert prev <= keys
        prev = keys
    assert prev  # with no SLA every config that fits is feasible


def test_more_gpus_never_lower_best_throughput() -> None:
    wl = Workload(1024, 512)
    sla = SLA(ttft_ms=500, tpot_ms=40)
    space = SearchSpace(concurrency=(1, 8, 64, 256), budgets=(512, 2048))
    for model in (L8B, L70B):
        last_gpu = last_total = 0.0
        for g in range(1, 9):
            best = search_aggregated(model, H200, g, wl, sla, space=space).best
            per_gpu = best["output_tok_s_per_gpu"] if best else 0.0
            total = best["output_tok_s"] if best else 0.0
            assert per_gpu >= last_gpu - 1e-9 and total >= last_total - 1e-9, (model.name, g)
            last_gpu, last_total = per_gpu, total
        assert last_gpu > 0


def test_full_search_fields_and_speed() -> None:
    res = search_aggregated(L70B, H200, 8, Workload(1024, 1024), SLA(ttft_ms=1000, tpot_ms=50))
    assert res.engines_priced == 4 * 11 * 3
    assert len(res.feasible) + len(res.rejected) == (8 + 4 + 2 + 1) * 11 * 3
    b = res.best
    assert {"tp", "dp", "concurrency", "output_tok_s_per_gpu", "ttft_ms", "tpot_ms"} <= set(b)
    assert b["ttft_ms"] <= 1000 and b["tpot_ms"] <= 50 and b["tp"] * b["dp"] <= 8
    assert res.elapsed_s < 2.0  # the benchmark pins ≤ 0.5 s; leave room for a loaded CI box
    assert res.pareto and all(p["tps_per_user"] == pytest.approx(1000 / p["tpot_ms"]) for p in res.pareto)


def test_pareto_front_by_hand() -> None:
    xs = [1, 2, 3, 2, 1, 3]
    ys = [10, 8, 3, 5, 9, 3]
    assert pareto_front(xs, ys) == [0, 1, 2]


def test_economics_by_hand() -> None:
    e = economics(
        output_tok_s_per_gpu=1000, input_tok_s_per_gpu=4000, decode_time_share=0.75, usd_per_gpu_hour=3.6, tdp_w=700
    )
    # $0.001/s per GPU; 75 % of it buys 1000 output tok/s → $0.75 per million output tokens
    assert e["cost_per_m_output_usd"] == pytest.approx(0.75)
    assert e["cost_per_m_input_usd"] == pytest.approx(0.25 / 4000 * 1e6 * 1e-3)
    assert e["cost_per_m_total_usd"] == pytest.approx(0.2)
    assert e["output_tok_per_joule"] == pytest.approx(1000 / 700)


# ---------------------------------------------------------------------------- PD
def _pe(rate: float, service: float, kv: float = 0.01, gpus: int = 1) -> PrefillEngine:
    return PrefillEngine(
        tp=gpus,
        ep=1,
        budget=8192,
        gpus=gpus,
        rate_rps=rate,
        service_s=service,
        prompts_per_step=1,
        kv_transfer_s=kv,
        kv_bytes_per_gpu=1e6,
    )


def _de(rate: float, tpot: float, conc: int, gpus: int = 1) -> DecodeEngine:
    return DecodeEngine(tp=gpus, ep=1, concurrency=conc, gpus=gpus, tpot_s=tpot, rate_rps=rate)


def test_pd_rate_matching_decode_bound_by_hand() -> None:
    wl = Workload(2000, 101)
    # decode engine: 64 sequences, TPOT 20 ms → 64 / (100 × 0.02) = 32 requests/s
    de = _de(rate=64 / (100 * 0.02), tpot=0.02, conc=64, gpus=2)
    pe = _pe(rate=20.0, service=0.05, kv=0.004)
    row = combine(pe, de, x=2, y=1, wl=wl)
    # capacities: prefill 2 × 20 = 40, decode 32 → decode-bound, R = 32, ρ_p = 0.8
    assert row["bound"] == "decode"
    assert row["requests_per_s"] == pytest.approx(32.0)
    assert row["prefill_util"] == pytest.approx(0.8) and row["decode_util"] == pytest.approx(1.0)
    assert row["rate_slack"] == pytest.approx(8 / 40)
    # M/D/1 wait: 0.8 / (2 × 0.2) × 50 ms = 100 ms. Link: each of the 2 prefill engines sends 16
    # transfers/s of 4 ms (ρ_s = 0.064); the one decode engine (2 GPUs) receives 32/s of 4 ms × 1/2
    # (ρ_r = 0.064); W_kv = 0.064 / (2 × 0.936) × 4 ms = 0.13675 ms. The decode engine's first step:
    # half a step to the next boundary + one step = 1.5 × 20 ms = 30 ms.
    # TTFT = 50 + 100 + 4 + 0.13675 + 30 ms
    assert row["queue_ms"] == pytest.approx(100.0)
    assert row["kv_link_util"] == pytest.approx(0.064)
    assert row["kv_queue_ms"] == pytest.approx(0.064 / (2 * 0.936) * 4.0)
    assert row["decode_first_step_ms"] == pytest.approx(30.0)
    ttft = 50 + 100 + 4 + 0.064 / (2 * 0.936) * 4.0 + 30
    assert row["ttft_ms"] == pytest.approx(ttft)
    assert row["kv_share_of_ttft"] == pytest.approx((4 + 0.064 / (2 * 0.936) * 4.0) / ttft)
    assert row["gpus"] == 4
    assert row["output_tok_s_per_gpu"] == pytest.approx(32 * 101 / 4)
    assert row["tpot_ms"] == pytest.approx(20.0)


def test_pd_rate_matching_prefill_bound_by_hand() -> None:
    wl = Workload(2000, 101)
    de = _de(rate=32.0, tpot=0.02, conc=64)
    pe = _pe(rate=20.0, service=0.05, kv=0.0)
    row = combine(pe, de, x=1, y=1, wl=wl)
    # R = 20 < 32: each decode engine holds only 20 × 100 × 0.02 = 40 sequences; the other 24 clients
    # wait for prefill: 24 / 20 = 1.2 s
    assert row["bound"] == "prefill" and row["requests_per_s"] == pytest.approx(20.0)
    assert row["decode_util"] == pytest.approx(20 / 32)
    assert row["queue_ms"] == pytest.approx(1200.0)
    assert row["ttft_ms"] == pytest.approx(1250.0 + 30.0)  # + the decode engine's first step (1.5 × 20 ms)


def test_pd_kv_link_contention_by_hand() -> None:
    """KV transfers of 100 ms on one prefill engine's link cap the rate at 10 requests/s even though
    prefill (40/s) and decode (32/s) could serve more: the link binds."""
    wl = Workload(2000, 101)
    de = _de(rate=32.0, tpot=0.02, conc=64)
    pe = _pe(rate=40.0, service=0.025, kv=0.1)
    row = combine(pe, de, x=1, y=1, wl=wl)
    assert row["bound"] == "link" and row["requests_per_s"] == pytest.approx(10.0)
    assert row["kv_link_util"] == pytest.approx(1.0)
    # two prefill engines halve the sending load, but the one decode GPU still receives everything:
    # ρ_r binds at min(2, 1)/0.1 = 10/s
    assert combine(pe, de, x=2, y=1, wl=wl)["requests_per_s"] == pytest.approx(10.0)
    # 4 prefill engines into one 4-GPU decode engine: cap_link = min(4, 4)/0.1 = 40 > decode 32/s;
    # ρ = 32 × 0.1 / 4 = 0.8 → W_kv = 0.8 / (2 × 0.2) × 100 ms = 200 ms
    four = combine(pe, _de(rate=32.0, tpot=0.02, conc=64, gpus=4), x=4, y=1, wl=wl)
    assert four["bound"] == "decode" and four["kv_link_util"] == pytest.approx(0.8)
    assert four["kv_queue_ms"] == pytest.approx(200.0)


def test_kv_transfer_uses_memory_model_and_link() -> None:
    ds = load_model("deepseek-v3")
    par = ParallelConfig(tp=8, ep=8)
    secs, per_gpu = kv_transfer_s(ds, H200, par, "fp8", 4096, "ib")
    # MLA: one latent of kv_lora_rank + rope = 512 + 64 values per token per layer, not split by TP
    assert per_gpu == kv_bytes_per_sequence(ds, par, "fp8", 4096) == (512 + 64) * 61 * 1 * 4096
    eff = H200.efficiency
    assert secs == pytest.approx(per_gpu / (H200.scale_out_gb_s * 1e9 * eff.comm) + eff.comm_latency_us * 1e-6)
    assert link_gb_s(H200, "nvlink") == H200.scale_up_gb_s and link_gb_s(H200, "pcie") == H200.pcie_gb_s
    with pytest.raises(ValueError, match="unknown link"):
        link_gb_s(H200, "carrier-pigeon")


def test_pd_search_budget_and_comparison() -> None:
    wl = Workload(4096, 512)
    res = search_disaggregated(L70B, H200, 8, wl, SLA(ttft_ms=2000, tpot_ms=50), link="ib")
    assert res.feasible and res.best
    b = res.best
    assert b["x"] * b["tp_p"] + b["y"] * b["tp_d"] <= 8
    assert b["ttft_ms"] <= 2000 and b["tpot_ms"] <= 50
    assert b["ttft_ms"] == pytest.approx(
        b["prefill_ms"] + b["queue_ms"] + b["kv_transfer_ms"] + b["kv_queue_ms"] + b["decode_first_step_ms"]
    )
    assert b["decode_first_step_ms"] == pytest.approx(1.5 * b["tpot_ms"])
    agg = res.extra["aggregated_best"]
    assert agg and res.extra["speedup_vs_aggregated"] == pytest.approx(
        b["output_tok_s_per_gpu"] / agg["output_tok_s_per_gpu"]
    )
    # a slower link only lengthens TTFT
    pcie = search_disaggregated(L70B, H200, 8, wl, SLA(ttft_ms=2000, tpot_ms=50), link="pcie", compare_aggregated=False)
    nv = search_disaggregated(L70B, H200, 8, wl, SLA(ttft_ms=2000, tpot_ms=50), link="nvlink", compare_aggregated=False)
    assert min(r["kv_transfer_ms"] for r in nv.feasible) < min(r["kv_transfer_ms"] for r in pcie.feasible)
    assert len(nv.feasible) >= len(pcie.feasible)


def test_bad_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="input_len"):
        Workload(0, 10)
    with pytest.raises(ValueError, match="ttft_ms"):
        SLA(ttft_ms=-1)
    with pytest.raises(ValueError, match="concurrency"):
        SearchSpace(concurrency=())
    with pytest.raises(ValueError, match="usd_per_gpu_hour"):
        Economics(-1)
    with pytest.raises(ValueError, match="output_len"):
        search_disaggregated(L8B, H200, 4, Workload(100, 1))
    with pytest.raises(ValueError, match="gpus"):
        search_aggregated(L8B, H200, 0, Workload(100, 10))


def test_fp8_moe_search_runs() -> None:
    ds = load_model("deepseek-v3")
    res = search_aggregated(
        ds,
        H200,
        8,
        Workload(1024, 256),
        SLA(tpot_ms=100),
        Dtypes("fp8", "fp8", "fp8"),
        SearchSpace(concurrency=(16, 128), budgets=(2048,)),
    )
    assert res.best and res.best["ep"] >= 1 and max(res.best["tp"], res.best["ep"]) * res.best["dp"] <= 8
    assert math.isfinite(res.best["ttft_ms"])


def test_simulator_recheck_agrees_with_steady_state() -> None:
    from dashboard.services.search_sim import recheck_with_simulator, simulator_available

    if not simulator_available():
        pytest.skip("scheduler simulator not present")
    wl = Workload(512, 128)
    rows = [evaluate_config(L8B, H200, 1, 1, 2, c, 2048, wl) for c in (8, 64)]
    out = recheck_with_simulator(L8B, H200, rows, 512, 128, sla=SLA(tpot_ms=1000))
    for r in out:
        assert "sim_error" not in r, r.get("sim_error")
        assert r["sim_tpot_ms"] == pytest.approx(r["tpot_ms"], rel=0.25)
        assert r["sim_output_tok_s_per_gpu"] == pytest.approx(r["output_tok_s_per_gpu"], rel=0.25)
        assert r["sim_meets_sla"] is True
