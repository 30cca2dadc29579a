"""The ``modeling`` CLI: every preset model × hardware pair that fits answers; bad input exits 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dashboard.features.hardware import list_hardware_presets, load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.parallel import Dtypes, ParallelConfig, ParallelError, validate_parallel
from dashboard.features.presets import list_model_presets, load_model
from runners.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _smallest_fitting_tp(model, hw):
    for tp in (1, 2, 4, 8, 16, 32, 64):
        par = ParallelConfig(tp=tp)
        try:
            validate_parallel(model, par)
        except ParallelError:
            continue
        if memory_breakdown(model, hw, par, Dtypes(), engine="vllm").fits:
            return tp
    return None


def test_every_preset_pair_that_fits_answers(capsys) -> None:
    answered = 0
    for slug in list_model_presets():
        model = load_model(slug)
        for hw_slug in list_hardware_presets():
            tp = _smallest_fitting_tp(model, load_hardware(hw_slug))
            if tp is None:
                continue
            code, out, err = _run(
                capsys,
                "step",
                "--model",
                slug,
                "--hardware",
                hw_slug,
                "--tp",
                str(tp),
                "--prefill-seqs",
                "1",
                "--prefill-len",
                "512",
                "--decode-seqs",
                "8",
                "--decode-context",
                "1024",
                "--json",
            )
            assert code == 0, err
            data = json.loads(out)
            assert (
                data["latency_ms"] > 0
                and data["ops"]
                and {"name", "flops", "bytes", "time_ms", "bound"} <= set(data["ops"][0])
            )
            code, out, err = _run(capsys, "memory", "--model", slug, "--hardware", hw_slug, "--tp", str(tp), "--json")
            assert code == 0, err
            mem = json.loads(out)
            assert mem["fits"] is True and mem["max_kv_tokens"] > 0
            answered += 1
    assert answered > 150  # 19 models × 15 GPUs, minus pairs that cannot fit in 64 GPUs of TP


def test_step_json_fields(capsys) -> None:
    code, out, _ = _run(
        capsys,
        "step",
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--decode-seqs",
        "64",
        "--decode-context",
        "1024",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and 5 < data["latency_ms"] < 12
    names = {o["name"] for o in data["ops"]}
    assert {"qkv_proj", "attn_decode", "gate_up_proj", "down_proj", "lm_head"} <= names


def test_memory_json_fields(capsys) -> None:
    code, out, _ = _run(capsys, "memory", "--model", "llama-3.1-8b", "--hardware", "h200", "--json")
    assert code == 0
    data = json.loads(out)
    for k in (
        "total_params",
        "active_params",
        "weight_bytes_per_gpu",
        "kv_bytes_per_token_per_gpu",
        "max_kv_tokens",
        "fits",
    ):
        assert k in data
    assert data["kv_bytes_per_token_per_gpu"] == 131072


def test_does_not_fit_is_an_answer(capsys) -> None:
    code, out, _ = _run(capsys, "memory", "--model", "llama-3.1-405b", "--hardware", "h200", "--json")
    assert code == 0 and json.loads(out)["fits"] is False
    code, out, _ = _run(
        capsys,
        "step",
        "--model",
        "llama-3.1-405b",
        "--hardware",
        "h200",
        "--decode-seqs",
        "1",
        "--decode-context",
        "100",
    )
    assert code == 0 and "WARNING: does not fit" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["step", "--model", "no-such-model", "--hardware", "h200", "--decode-seqs", "1", "--decode-context", "1"],
            "--model",
        ),
        (
            ["step", "--model", "llama-3.1-8b", "--hardware", "tpu9", "--decode-seqs", "1", "--decode-context", "1"],
            "--hardware",
        ),
        (
            [
                "step",
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--tp",
                "3",
                "--decode-seqs",
                "1",
                "--decode-context",
                "1",
            ],
            "tp=3",
        ),
        (
            ["step", "--model", "llama-3.1-8b", "--hardware", "h200", "--decode-seqs", "-4", "--decode-context", "1"],
            "decode-seqs",
        ),
        (["step", "--model", "llama-3.1-8b", "--hardware", "h200", "--tp", "0"], "tp"),
        (["step", "--model", "llama-3.1-8b", "--hardware", "h200"], "step needs"),
        (["memory", "--model", "llama-3.1-8b", "--hardware", "h200", "--ep", "2"], "mixture-of-experts"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, needle) -> None:
    proc = subprocess.run([sys.executable, "-m", "runners", *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], proc.stderr


def test_malformed_model_json_file(tmp_path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text('{"hidden_size": 4096,')
    proc = subprocess.run(
        [sys.executable, "-m", "runners", "memory", "--model", str(bad), "--hardware", "h200"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
    partial = tmp_path / "partial.json"
    partial.write_text('{"model_type": "llama", "hidden_size": 4096}')
    proc = subprocess.run(
        [sys.executable, "-m", "runners", "memory", "--model", str(partial), "--hardware", "h200"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "num_hidden_layers" in proc.stderr
