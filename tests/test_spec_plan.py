"""Speculative decoding in the capacity planner and its launch commands."""

from __future__ import annotations

import json
import shlex

from dashboard.features.presets import load_model
from dashboard.features.speculative import make_speculative_config, speculative_config_to_trtllm_yaml
from dashboard.services.launch import LaunchSpec, engine_flags, launch_commands
from dashboard.services.planner import PlanRequest, plan
from runners.cli import main

L8B = load_model("llama-3.1-8b")


def _flags(engine: str, text: str) -> list[tuple[str, str | None]]:
    head = engine_flags()[engine]["command"].split()
    out = []
    for line in text.splitlines():
        toks = shlex.split(line) if line and not line.startswith("#") else []
        if toks[: len(head)] != head:
            continue
        for i, tok in enumerate(toks):
            if tok.startswith("--"):
                out.append((tok, toks[i + 1] if i + 1 < len(toks) and not toks[i + 1].startswith("--") else None))
    return out


def test_launch_commands_carry_the_speculative_config() -> None:
    cfg = make_speculative_config("eagle3", 3, acceptance=0.8)
    spec = LaunchSpec(
        "meta-llama/Llama-3.1-8B-Instruct",
        speculative_config=json.dumps({"method": "eagle3", "num_speculative_tokens": 3}),
        sglang_speculative=("--speculative-algorithm", "EAGLE3", "--speculative-num-steps", "3"),
        trtllm_speculative=speculative_config_to_trtllm_yaml(cfg, L8B),
    )
    texts = launch_commands(spec)
    for eng in ("vllm", "sglang"):
        for flag, value in _flags(eng, texts[eng]):
            assert flag in engine_flags()[eng]["flags"], flag
            if flag in engine_flags()[eng].get("choices", {}):
                assert value in engine_flags()[eng]["choices"][flag]
    vflags = dict(_flags("vllm", texts["vllm"]))
    assert json.loads(vflags["--speculative-config"])["method"] == "eagle3"
    assert "speculative_config: {decoding_type: Eagle3, max_draft_len: 3" in texts["trtllm"]
    mtp = speculative_config_to_trtllm_yaml(
        make_speculative_config("mtp", 2, acceptance=0.8), load_model("deepseek-v3")
    )
    assert mtp == "speculative_config: {decoding_type: MTP, num_nextn_predict_layers: 2}"


def test_plan_with_speculation_is_cheaper_at_a_tight_tpot() -> None:
    """A 4 ms p90 TPOT for Llama-3.1-8B at 4 req/s: one H200 decodes in ~5.7 ms per step, so plain
    decoding needs wide TP; EAGLE-3 at E = 3 meets it on fewer GPUs."""
    base: dict = {"hardware": ("h200",), "input_len": 1024, "output_len": 256, "request_rate": 4.0, "tpot_ms": 4.0}
    plain = plan(L8B, PlanRequest(**base)).plans[0]
    cfg = make_speculative_config("eagle3", 3, acceptance_length=3.0)
    spec = plan(L8B, PlanRequest(**base, speculative=cfg)).plans[0]
    assert plain["meets_sla"] and spec["meets_sla"]
    assert spec["num_gpus"] < plain["num_gpus"]
    assert "--speculative-config" in spec["launch"]["vllm"] and "--speculative-config" not in plain["launch"]["vllm"]
    assert "--speculative-algorithm EAGLE3" in spec["launch"]["sglang"]
    assert 2.5 < spec["speculative"]["acceptance_length_simulated"] < 3.5
    assert "speculative" not in plain


def test_cli_plan_speculative_flags(capsys) -> None:
    argv = [
        "plan",
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--input-len",
        "512",
        "--output-len",
        "64",
        "--request-rate",
        "2",
        "--speculative-method",
        "ngram",
        "--acceptance-rate",
        "0.5",
        "--num-speculative-tokens",
        "2",
        "--emit",
        "vllm",
    ]
    assert main(argv) == 0
    assert '"method": "ngram"' in capsys.readouterr().out
    assert (
        main(
            [
                "plan",
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--input-len",
                "512",
                "--output-len",
                "64",
                "--request-rate",
                "2",
                "--acceptance-rate",
                "0.5",
            ]
        )
        == 2
    )
    assert "need --speculative-method" in capsys.readouterr().err


def test_search_emit_carries_the_best_rows_k(capsys) -> None:
    argv = [
        "search",
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--gpus",
        "1",
        "--input-len",
        "1024",
        "--output-len",
        "256",
        "--tpot-ms",
        "5",
        "--tp-values",
        "1",
        "--concurrency",
        "1,4",
        "--budgets",
        "2048",
        "--speculative-method",
        "eagle",
        "--acceptance-rate",
        "0.9,0.8,0.7",
        "--speculative-k-values",
        "3",
    ]
    assert main([*argv, "--emit", "vllm"]) == 0
    out = capsys.readouterr().out
    assert '"method": "eagle"' in out and '"num_speculative_tokens": 3' in out
    assert main([*argv, "--emit", "trtllm"]) == 0
    assert "decoding_type: Eagle, max_draft_len: 3" in capsys.readouterr().out
