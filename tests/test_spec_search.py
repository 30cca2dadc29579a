"""Speculative decoding as a search dimension, and the simulate/search CLI flags."""

from __future__ import annotations

import json

import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.features.speculative import SpeculativeCostModel, make_speculative_config
from dashboard.services.search import SLA, SearchSpace, Workload, search_aggregated
from dashboard.services.search_spec import config_for_k, search_with_speculation, steady_state_speculative
from dashboard.services.search_steady import steady_state
from runners.cli import main

L8B = load_model("llama-3.1-8b")
H200 = load_hardware("h200")
CM = CostModel(L8B, H200)


def test_config_for_k_cuts_or_extends_rates() -> None:
    cfg = make_speculative_config("eagle", acceptance=[0.9, 0.8, 0.7])
    assert config_for_k(cfg, 2).acceptance_rates == (0.9, 0.8)
    assert config_for_k(cfg, 5).acceptance_rates == (0.9, 0.8, 0.7, 0.7, 0.7)


def test_steady_state_alpha_one_divides_decode_steps_by_k_plus_one() -> None:
    cfg = make_speculative_config("eagle", 3, acceptance=1.0)  # E = 4
    st = steady_state_speculative(CM, cfg, 1024, 257, 1, 2048)
    # 256 decode tokens in O_eff − 1 = 64 steps; one decode at the mid context 1024 + 32 steps × 4
    # tokens = 1152; one chunk step (the 1024-token prompt) among 65 (Little's law at concurrency 1)
    scm = SpeculativeCostModel(CM, cfg)
    t_dec = scm.mixed_step_time_s([1152])
    t_chunk = scm.mixed_step_time_s([1152], [(1024, 0)])
    assert st.tpot_s == pytest.approx((t_chunk / 65 + t_dec * 64 / 65) * 64 / 256, rel=1e-9)
    assert st.tpot_s == pytest.approx(scm.step(1, 1152).latency_s / 4, rel=0.05)
    assert st.output_tok_s == pytest.approx(st.requests_per_s * 257)
    plain = steady_state(CM, 1024, 257, 1, 2048)
    assert plain.tpot_s / st.tpot_s > 2.5


def test_alpha_zero_never_helps() -> None:
    cfg = make_speculative_config("eagle3", 2, acceptance=0.0)
    for c in (1, 32):
        assert steady_state_speculative(CM, cfg, 512, 128, c, 2048).tpot_s > steady_state(CM, 512, 128, c, 2048).tpot_s


def test_search_dimension_on_off_and_k() -> None:
    cfg = make_speculative_config("eagle3", 3, acceptance_length=3.0)
    space = SearchSpace(tp=(1, 2), concurrency=(1, 8, 64), budgets=(2048,))
    sla = SLA(tpot_ms=5.0)
    res = search_with_speculation(L8B, H200, 2, Workload(1024, 256), sla, space=space, speculative=cfg, k_values=(1, 3))
    rows = res.feasible + res.rejected
    assert {(r["speculative"], r["num_speculative_tokens"]) for r in rows} == {("off", 0), ("eagle3", 1), ("eagle3", 3)}
    plain = search_aggregated(L8B, H200, 2, Workload(1024, 256), sla, space=space)
    assert len([r for r in rows if r["speculative"] == "off"]) == len(plain.feasible) + len(plain.rejected)
    # a 5 ms TPOT at TP1 is out of reach without speculation (5.7 ms decode step) but not with it
    assert not [r for r in plain.feasible if r["tp"] == 1]
    assert [r for r in res.feasible if r["tp"] == 1 and r["speculative"] == "eagle3"]
    assert res.best is not None and res.best["speculative"] == "eagle3"
    assert res.inputs["speculative_k_values"] == [1, 3]


def test_cli_search_and_simulate_with_speculation(capsys) -> None:
    base = [
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--speculative-method",
        "eagle3",
        "--acceptance-length",
        "3",
        "--num-speculative-tokens",
        "3",
    ]
    assert (
        main(
            [
                "search",
                *base,
                "--gpus",
                "2",
                "--input-len",
                "1024",
                "--output-len",
                "256",
                "--tpot-ms",
                "5",
                "--tp-values",
                "1,2",
                "--concurrency",
                "1,8",
                "--budgets",
                "2048",
                "--speculative-k-values",
                "2,3",
                "--json",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["best"]["speculative"] == "eagle3" and d["inputs"]["speculative_k_values"] == [2, 3]
    assert (
        main(
            [
                "simulate",
                *base,
                "--num-requests",
                "8",
                "--input-len",
                "512",
                "--output-len",
                "64",
                "--concurrency",
                "4",
                "--json",
            ]
        )
        == 0
    )
    s = json.loads(capsys.readouterr().out)
    assert s["spec_expected_acceptance_length"] == pytest.approx(3.0)
    assert 2.5 < s["spec_decode_acceptance_length"] < 3.5
    assert s["speculative"]["method"] == "eagle3"
    assert (
        main(
            [
                "search",
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--gpus",
                "2",
                "--input-len",
                "8",
                "--output-len",
                "8",
                "--speculative-k-values",
                "2",
            ]
        )
        == 2
    )
    assert (
        main(
            ["simulate", *base, "--num-requests", "2", "--input-len", "8", "--output-len", "8", "--no-chunked-prefill"]
        )
        == 2
    )
    assert "--no-chunked-prefill" in capsys.readouterr().err
