"""Speculative decoding in the scheduler simulator: tokens per step, budgets, KV slots, ITL per
streamed chunk, seeded acceptance, realised acceptance length."""

from __future__ import annotations

import math

import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.features.speculative import SpeculativeCostModel, make_speculative_config
from dashboard.sim.spec_decode import spec_kv_blocks
from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, kv_blocks_for, simulate

CM = CostModel(load_model("llama-3.1-8b"), load_hardware("h200"))


def _wl(n: int = 8, conc: int = 1, out: int = 65, seed: int = 0) -> WorkloadConfig:
    return WorkloadConfig(num_requests=n, input_len=512, output_len=out, concurrency=conc, seed=seed)


def test_alpha_one_emits_k_plus_one_per_step() -> None:
    cfg = make_speculative_config("eagle", 4, acceptance=1.0)
    res = simulate(CM, _wl(n=1, out=65), speculative=cfg)
    s = res.summary
    # 1 prefill step (first token) + 64 more tokens at 5 per step: 13 decode steps
    assert s["num_steps"] == 1 + math.ceil(64 / 5)
    assert s["spec_decode_acceptance_length"] == 5.0
    assert s["spec_decode_acceptance_rate"] == 100.0
    # ITL per streamed chunk: each decode step's gap; TPOT per token ≈ step / 5 (last step emits 4)
    step = SpeculativeCostModel(CM, cfg).mixed_step_time_s([600])
    assert s["itl_ms"]["mean"] == pytest.approx(step * 1e3, rel=0.02)
    assert s["tpot_ms"]["mean"] == pytest.approx(13 * step / 64 * 1e3, rel=0.02)


def test_alpha_zero_is_slower_than_plain() -> None:
    plain = simulate(CM, _wl())
    spec = simulate(CM, _wl(), speculative=make_speculative_config("eagle3", 3, acceptance=0.0))
    assert spec.summary["spec_decode_acceptance_length"] == 1.0
    assert spec.summary["num_steps"] == plain.summary["num_steps"]
    assert spec.summary["tpot_ms"]["mean"] > plain.summary["tpot_ms"]["mean"]


def test_seeded_acceptance_and_realised_length() -> None:
    cfg = make_speculative_config("eagle3", 3, acceptance=[0.9, 0.7, 0.5])
    a = simulate(CM, _wl(n=16, conc=4, out=200, seed=5), speculative=cfg)
    b = simulate(CM, _wl(n=16, conc=4, out=200, seed=5), speculative=cfg)
    c = simulate(CM, _wl(n=16, conc=4, out=200, seed=6), speculative=cfg)
    assert a.summary["spec_decode_accepted_tokens"] == b.summary["spec_decode_accepted_tokens"]
    assert a.summary["tpot_ms"] == b.summary["tpot_ms"]
    assert a.summary["spec_decode_accepted_tokens"] != c.summary["spec_decode_accepted_tokens"]
    expected = 1 + 0.9 + 0.63 + 0.315
    assert a.summary["spec_expected_acceptance_length"] == pytest.approx(expected)
    assert a.summary["spec_decode_acceptance_length"] == pytest.approx(expected, rel=0.04)
    assert (a.requests["generated"] == 200).all()


def test_budget_counts_k_plus_one_tokens() -> None:
    cfg = make_speculative_config("ngram", 3, acceptance=0.5)
    sched = SchedulerConfig(max_num_batched_tokens=32, max_num_seqs=16)
    wl = WorkloadConfig(num_requests=16, input_len=8, output_len=40, concurrency=16)
    res = simulate(CM, wl, sched, speculative=cfg)
    steps = res.steps
    # decodes are served first; 4 verified tokens each against a budget of 32: at most 8 per step
    assert steps["decode_seqs"].max() == 8
    assert (steps["decode_seqs"] * 4 + steps["prefill_tokens"] <= 32).all()


def test_kv_blocks_hold_draft_kv_and_speculative_slots() -> None:
    cfg = make_speculative_config("eagle3", 3, acceptance=0.8)
    sched = SchedulerConfig()
    plain_blocks = kv_blocks_for(CM, sched, 4096)
    spec_blocks = spec_kv_blocks(CM, sched, cfg, 4096)
    # draft weights (0.85 GB) and one extra layer of KV per token (33 layers instead of 32)
    assert spec_blocks < plain_blocks * 32 / 33
    # peak KV use with speculation covers the k lookahead slots: 1 request, 512 + 64 tokens + 3
    res = simulate(CM, _wl(n=1, out=64), SchedulerConfig(block_size=16), speculative=cfg)
    assert res.summary["peak_kv_blocks_used"] >= math.ceil((512 + 63) / 16)
    # under an engine's KV rule too (SGLang's static memory fraction)
    eng_sched = SchedulerConfig.from_engine("sglang", CM.hw)
    assert spec_kv_blocks(CM, eng_sched, cfg, 4096) < kv_blocks_for(CM, eng_sched, 4096) * 32 / 33
    with pytest.raises(ValueError, match="chunked prefill"):
        simulate(CM, _wl(n=1), SchedulerConfig(chunked_prefill=False), speculative=cfg)


def test_preemption_with_speculation_finishes_every_request() -> None:
    cfg = make_speculative_config("eagle", 2, acceptance=0.6)
    sched = SchedulerConfig(num_kv_blocks=100, block_size=16)
    res = simulate(CM, _wl(n=12, conc=12, out=120), sched, speculative=cfg)
    assert res.summary["completed"] == 12
    assert res.summary["preemptions"] > 0
    assert (res.requests["generated"] == 120).all()
