"""``modeling search`` through a real subprocess: JSON contract, SLA respected, exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runners", "search", *argv], check=False, capture_output=True, text=True, timeout=120
    )


BASE = ("--model", "llama-3.1-70b", "--hardware", "h200", "--gpus", "8", "--input-len", "1024", "--output-len", "1024")


def test_search_json_contract() -> None:
    p = _cli(*BASE, "--ttft-ms", "1000", "--tpot-ms", "50", "--min-tps-per-user", "20", "--rerun", "0", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    best = d["best"]
    assert best == d["best_analytic"] and d["rerun"] == []  # nothing re-run: the analytic best
    assert {
        "tp",
        "dp",
        "concurrency",
        "output_tok_s_per_gpu",
        "ttft_ms",
        "tpot_ms",
        "max_num_seqs",
        "max_num_batched_tokens",
    } <= set(best)
    assert best["max_num_batched_tokens"] == best["budget"] and best["max_num_seqs"] == best["concurrency_per_engine"]
    assert best["ttft_ms"] <= 1000 and best["tpot_ms"] <= 50 and 1000 / best["tpot_ms"] >= 20
    assert best["tp"] * best["dp"] <= 8
    assert isinstance(d["feasible"], list) and d["feasible"]
    assert max(r["output_tok_s_per_gpu"] for r in d["feasible"]) == best["output_tok_s_per_gpu"]
    assert d["rejected"] and all(r["reason"] for r in d["rejected"])
    assert {r["reason_code"] for r in d["rejected"]} <= {"oom", "ttft", "tpot", "tps_per_user", "layout"}
    assert sum(d["reason_counts"].values()) == len(d["rejected"])


def test_search_rerun_shows_simulated_percentiles() -> None:
    """The N best configurations are re-run in the simulator; best carries simulated percentiles
    beside the analytic figures and meets the SLA on the simulated p90."""
    argv = (
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--gpus",
        "2",
        "--input-len",
        "1024",
        "--output-len",
        "128",
        "--ttft-ms",
        "2000",
        "--tpot-ms",
        "60",
        "--concurrency-values",
        "16,64",
        "--budgets",
        "2048",
        "--rerun",
        "2",
        "--rerun-requests",
        "200",
        "--json",
    )
    d = json.loads(_cli(*argv).stdout)
    assert len(d["rerun"]) == 2 and d["rerun_settings"]["engine"] == "vllm"
    keys = {
        "ttft_ms_p50",
        "ttft_ms_p90",
        "ttft_ms_p99",
        "tpot_ms_p90",
        "itl_ms_p90",
        "ttft_ms",
        "tpot_ms",
        "max_num_seqs",
        "max_num_batched_tokens",
    }
    for r in d["rerun"]:
        assert keys <= set(r) and r["arrival"] == "poisson" and r["engine"] == "vllm"
        assert r["ttft_ms_p50"] <= r["ttft_ms_p90"] <= r["ttft_ms_p99"]
    b = d["best"]
    assert keys <= set(b) and b["sim_meets_sla"] and b["ttft_ms_p90"] <= 2000 and b["tpot_ms_p90"] <= 60
    closed = json.loads(_cli(*argv[:-1], "--concurrency", "8", "--engine", "trtllm", "--json").stdout)
    assert all(r["arrival"] == "closed_loop" and r["engine"] == "trtllm" for r in closed["rerun"])
    bad = _cli(*argv[:-1], "--concurrency", "8", "--request-rate", "3")
    assert bad.returncode == 2 and "not allowed" in bad.stderr


def test_search_disaggregated_json() -> None:
    p = _cli(
        "--model",
        "llama-3.1-70b",
        "--hardware",
        "h200",
        "--gpus",
        "8",
        "--input-len",
        "4096",
        "--output-len",
        "512",
        "--ttft-ms",
        "2000",
        "--tpot-ms",
        "50",
        "--disaggregated",
        "--json",
    )
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    b = d["best"]
    assert {"tp", "dp", "concurrency", "output_tok_s_per_gpu", "ttft_ms", "tpot_ms", "x", "y", "tp_p", "tp_d"} <= set(b)
    assert b["x"] * b["tp_p"] + b["y"] * b["tp_d"] <= 8
    assert d["aggregated_best"]["output_tok_s_per_gpu"] > 0
    assert 0 < b["kv_share_of_ttft"] < 1


def test_search_text_output() -> None:
    p = _cli(*BASE, "--tpot-ms", "30", "--rerun", "1", "--rerun-requests", "200")
    assert p.returncode == 0, p.stderr
    assert "best: TP" in p.stdout and "tok/s/GPU" in p.stdout and "simulated p50/p90/p99" in p.stdout


def test_impossible_sla_is_an_answer_not_an_error() -> None:
    p = _cli(*BASE, "--ttft-ms", "0.001", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["best"] is None and d["feasible"] == [] and d["reason_counts"].get("ttft", 0) > 0


@pytest.mark.parametrize(
    "argv, needle",
    [
        (
            ("--model", "nope", "--hardware", "h200", "--gpus", "8", "--input-len", "8", "--output-len", "8"),
            "unknown model",
        ),
        (
            ("--model", "llama-3.1-8b", "--hardware", "h200", "--gpus", "0", "--input-len", "8", "--output-len", "8"),
            "--gpus",
        ),
        (
            (
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--gpus",
                "2",
                "--input-len",
                "8",
                "--output-len",
                "1",
                "--disaggregated",
            ),
            "output_len",
        ),
        (
            (
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
                "--ttft-ms",
                "-5",
            ),
            "--ttft-ms",
        ),
        (
            ("--model", "llama-3.1-8b", "--hardware", "nope", "--gpus", "2", "--input-len", "8", "--output-len", "8"),
            "unknown hardware",
        ),
        (
            (
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
                "--engine",
                "tgi",
            ),
            "--engine",
        ),
        (
            (
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
                "--percentile",
                "100",
            ),
            "--percentile",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, needle) -> None:
    p = _cli(*argv)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in p.stderr
