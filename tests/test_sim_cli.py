"""``modeling simulate`` through a subprocess: JSON contract, flags, one-line errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = ["simulate", "--model", "llama-3.1-8b", "--hardware", "h200"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runners", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _json(*args: str) -> dict:
    p = _run(*BASE, *args, "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_json_contract_and_flags() -> None:
    out = _json(
        "--num-requests",
        "40",
        "--input-len",
        "512",
        "--output-len",
        "64",
        "--request-rate",
        "10",
        "--input-dist",
        "lognormal",
        "--seed",
        "3",
        "--max-num-batched-tokens",
        "1024",
        "--max-num-seqs",
        "64",
    )
    assert out["completed"] == 40
    assert out["duration_s"] > 0
    for key in ("ttft_ms", "tpot_ms", "e2e_ms"):
        assert set(out[key]) >= {"mean", "p50", "p90", "p99"}
        assert out[key]["p50"] <= out[key]["p90"] <= out[key]["p99"]
    assert out["output_throughput_tok_s"] == pytest.approx(out["total_output_tokens"] / out["duration_s"])
    assert out["input_throughput_tok_s"] == pytest.approx(out["total_input_tokens"] / out["duration_s"])
    assert out["scheduler"]["max_num_batched_tokens"] == 1024
    assert 0 < out["mfu"] < 1 and 0 < out["hbm_bw_utilization"] < 1
    # the same seed reproduces the run; prefill-first changes TTFT
    again = _json(
        "--num-requests",
        "40",
        "--input-len",
        "512",
        "--output-len",
        "64",
        "--request-rate",
        "10",
        "--input-dist",
        "lognormal",
        "--seed",
        "3",
        "--max-num-batched-tokens",
        "1024",
        "--max-num-seqs",
        "64",
    )
    assert again["e2e_ms"] == out["e2e_ms"]


def test_engine_flag_echoes_scheduler_settings() -> None:
    args = ("--num-requests", "20", "--input-len", "256", "--output-len", "16", "--request-rate", "20")
    v = _json(*args)
    assert v["engine"] == "vllm"
    sc = v["scheduler"]
    assert (sc["max_num_batched_tokens"], sc["max_num_seqs"], sc["block_size"]) == (8192, 1024, 16)
    assert sc["admission"] == "full_prompt" and sc["async_scheduling"] is True and sc["memory_fraction"] == 0.9
    t = _json(*args, "--engine", "trtllm", "--kv-fraction", "0.8")
    assert t["engine"] == "trtllm" and t["scheduler"]["admission"] == "guaranteed_no_evict"
    assert t["scheduler"]["memory_fraction"] == 0.8 and t["scheduler"]["block_size"] == 32
    a100 = _run("simulate", "--model", "llama-3.1-8b", "--hardware", "a100-80g", *args, "--json")
    assert json.loads(a100.stdout)["scheduler"]["max_num_batched_tokens"] == 2048


def test_concurrency_dp_and_text_output(tmp_path: Path) -> None:
    one = _json("--num-requests", "64", "--input-len", "256", "--output-len", "32", "--concurrency", "16")
    two = _json(
        "--num-requests",
        "64",
        "--input-len",
        "256",
        "--output-len",
        "32",
        "--concurrency",
        "16",
        "--dp",
        "2",
        "--router",
        "least_outstanding_tokens",
    )
    assert two["gpus"] == 2 and two["dp"] == 2
    assert two["tpot_ms"]["mean"] < one["tpot_ms"]["mean"]
    small = (
        "--num-requests",
        "64",
        "--input-len",
        "256",
        "--output-len",
        "32",
        "--concurrency",
        "16",
        "--max-num-batched-tokens",
        "300",
    )
    pf = _json(*small, "--no-chunked-prefill")
    assert pf["scheduler"]["chunked_prefill"] is False
    assert pf["ttft_ms"]["mean"] != _json(*small)["ttft_ms"]["mean"]
    trace = tmp_path / "trace.csv"
    trace.write_text("arrival_s,prompt_tokens,output_tokens\n0,100,10\n0.05,200,20\n0.1,300,5\n")
    tr = _json("--trace", str(trace))
    assert tr["completed"] == 3 and tr["total_input_tokens"] == 600
    p = _run(*BASE, "--num-requests", "10", "--input-len", "128", "--output-len", "16")
    assert p.returncode == 0, p.stderr
    assert "TTFT" in p.stdout and "output throughput" in p.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            [
                "--num-requests",
                "5",
                "--input-len",
                "10",
                "--output-len",
                "10",
                "--max-num-seqs",
                "4096",
                "--max-num-batched-tokens",
                "2048",
            ],
            "max_num_seqs",
        ),
        (["--num-requests", "5", "--input-len", "10", "--output-len", "10", "--engine", "tgi"], "--engine"),
        (["--num-requests", "5", "--input-len", "10", "--output-len", "10", "--kv-fraction", "2"], "--kv-fraction"),
        (
            [
                "--num-requests",
                "5",
                "--input-len",
                "10",
                "--output-len",
                "10",
                "--request-rate",
                "1",
                "--concurrency",
                "2",
            ],
            "not allowed",
        ),
        (["--input-len", "10", "--output-len", "10"], "--num-requests"),
        (
            ["--num-requests", "0", "--input-len", "10", "--output-len", "10"],
            "argument --num-requests: num_requests must be an integer in [1, 1000000]",
        ),
        (
            ["--num-requests", "5", "--input-len", "10", "--output-len", "10", "--input-dist", "zipf"],
            "input_dist must be one of",
        ),
        (["--num-requests", "5", "--input-len", "100000", "--output-len", "10", "--num-kv-blocks", "10"], "KV blocks"),
        (["--num-requests", "5", "--input-len", "10", "--output-len", "10", "--tp", "3"], "tp"),
        (["--trace", "/nonexistent.csv"], "trace"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], needle: str) -> None:
    p = _run(*BASE, *args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert needle in lines[0]
    assert "Traceback" not in p.stderr


def test_unknown_model_exits_2() -> None:
    p = _run(
        "simulate",
        "--model",
        "no-such-model",
        "--hardware",
        "h200",
        "--num-requests",
        "5",
        "--input-len",
        "10",
        "--output-len",
        "10",
    )
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1


def test_disaggregated_simulation_cli() -> None:
    d = _json(
        "--num-requests",
        "30",
        "--input-len",
        "1024",
        "--output-len",
        "32",
        "--request-rate",
        "5",
        "--disaggregated",
        "--prefill-engines",
        "1",
        "--decode-engines",
        "2",
        "--link",
        "nvlink",
    )
    assert d["disaggregated"] is True and d["completed"] == 30 and d["x"] == 1 and d["y"] == 2
    assert d["ttft_ms"]["mean"] > d["kv_transfer_ms"]["mean"] + d["decode_first_step_ms"]["mean"] > 0
    bad = _run(
        *BASE, "--num-requests", "5", "--input-len", "10", "--output-len", "10", "--concurrency", "2", "--disaggregated"
    )
    assert bad.returncode == 2 and "--disaggregated" in bad.stderr
