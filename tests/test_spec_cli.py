"""``modeling step`` with speculative decoding: JSON fields, vLLM config input, one-line errors."""

from __future__ import annotations

import json

import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.features.speculative import SpeculativeCostModel, make_speculative_config
from runners.cli import main

BASE = ["step", "--model", "llama-3.1-8b", "--hardware", "h200", "--decode-seqs", "4", "--decode-context", "1024"]


def _json(capsys, *argv: str) -> dict:
    assert main([*BASE, *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_without_speculation_ms_per_output_token_is_latency(capsys) -> None:
    d = _json(capsys)
    assert d["expected_tokens_per_step"] == 1.0
    assert d["ms_per_output_token"] == d["latency_ms"]


def test_speculative_step_fields_match_the_model(capsys) -> None:
    d = _json(capsys, "--speculative-method", "eagle3", "--num-speculative-tokens", "3", "--acceptance-rate", "0.8")
    cfg = make_speculative_config("eagle3", 3, acceptance=0.8)
    s = SpeculativeCostModel(CostModel(load_model("llama-3.1-8b"), load_hardware("h200")), cfg).step(4, 1024)
    assert d["expected_tokens_per_step"] == pytest.approx(1 + 0.8 + 0.64 + 0.512)
    assert d["latency_ms"] == pytest.approx(s.latency_s * 1e3)
    assert d["ms_per_output_token"] == pytest.approx(d["latency_ms"] / d["expected_tokens_per_step"])
    sp = d["speculative"]
    assert sp["draft_ms"] + sp["verify_ms"] + sp["rejection_ms"] == pytest.approx(d["latency_ms"])
    assert json.loads(sp["vllm_speculative_config"])["method"] == "eagle3"
    assert sp["draft_weight_bytes_per_gpu"] == 849_371_136
    # the op table is the verification forward: 4 sequences × (k+1) tokens
    assert d["tokens"] == 16


def test_vllm_speculative_config_equals_flags(capsys) -> None:
    a = _json(
        capsys,
        "--speculative-config",
        '{"method": "eagle", "model": "yuhuili/EAGLE-LLaMA3.1-Instruct-8B", "num_speculative_tokens": 3}',
        "--acceptance-rate",
        "0.9,0.8,0.7",
    )
    b = _json(capsys, "--speculative-method", "eagle", "--acceptance-rate", "0.9,0.8,0.7")
    assert a["latency_ms"] == b["latency_ms"]
    assert a["expected_tokens_per_step"] == pytest.approx(1 + 0.9 + 0.72 + 0.504)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["--speculative-method", "draft_model", "--draft-model", "llama-3.1-70b", "--acceptance-rate", "0.7"],
            "--draft-model: draft model llama-3.1-70b",
        ),
        (["--speculative-method", "eagle"], "--acceptance-rate"),
        (["--acceptance-rate", "0.5"], "need --speculative-method"),
        (["--speculative-config", "{bad", "--acceptance-rate", "0.5"], "--speculative-config: "),
        (["--speculative-method", "mtp", "--acceptance-rate", "0.8"], "--speculative-method: llama-3.1-8b has no MTP"),
        (
            ["--speculative-method", "eagle", "--acceptance-rate", "0.8,0.7", "--num-speculative-tokens", "3"],
            "--acceptance-rate: ",
        ),
        (
            ["--speculative-method", "eagle", "--acceptance-length", "9", "--num-speculative-tokens", "3"],
            "--acceptance-rate",
        ),
        (["--speculative-method", "eagle", "--acceptance-rate", "2"], "[0, 1]"),
    ],
)
def test_bad_speculative_input_exits_2_one_line(capsys, argv, needle) -> None:
    try:
        code = main([*BASE, *argv])
    except SystemExit as exc:  # argparse type errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and needle in err and "Traceback" not in err


def test_speculation_needs_a_decode_step(capsys) -> None:
    code = main(
        [
            "step",
            "--model",
            "llama-3.1-8b",
            "--hardware",
            "h200",
            "--prefill-len",
            "512",
            "--speculative-method",
            "ngram",
            "--acceptance-rate",
            "0.5",
        ]
    )
    assert code == 2 and "decode steps" in capsys.readouterr().err


def test_acceptance_from_a_vllm_bench_result(capsys, tmp_path) -> None:
    # vLLM's own serialisation example: 5 drafts, 9 of 15 accepted → acceptance length 2.8
    res = tmp_path / "bench.json"
    res.write_text(
        json.dumps(
            {
                "spec_decode_acceptance_length": 2.8,
                "spec_decode_num_drafts": 5,
                "spec_decode_draft_tokens": 15,
                "spec_decode_accepted_tokens": 9,
                "spec_decode_per_position_acceptance_rates": [1.0, 0.6, 0.2],
            }
        )
    )
    d = _json(capsys, "--speculative-method", "eagle3", "--acceptance-from", str(res))
    assert d["expected_tokens_per_step"] == pytest.approx(2.8)
    assert d["speculative"]["num_speculative_tokens"] == 3
    bad = tmp_path / "plain.json"
    bad.write_text(json.dumps({"mean_tpot_ms": 3.0}))
    assert main([*BASE, "--speculative-method", "eagle3", "--acceptance-from", str(bad)]) == 2
    assert "--acceptance-from: " in capsys.readouterr().err
