"""Benchmark-level prediction (``bench-predict``): parsers, the scaled cost model, max/sim rows, the CLI."""

from __future__ import annotations

import csv
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.services.bench_io import detect_format, parse_results, read_results
from dashboard.services.search_steady import steady_state
from dashboard.services.serving_predict import (
    ScaledCostModel,
    ServingParams,
    dtypes_for,
    engine_settings,
    kv_capacity_tokens,
    predict_row,
    resolve_model_name,
    sim_request_count,
    summarize_errors,
)
from runners.cli import main

DATA = Path(__file__).parent / "data" / "serving"
VLLM_C16 = DATA / "vllm_llama8b_c16.json"
VLLM_RATE = DATA / "vllm_llama8b_rate4.json"
AIPERF = DATA / "profile_export_aiperf.json"
SCEN = DATA / "scenarios.csv"


# ---------------------------------------------------------------------------- parsers
def test_detect_format_by_content() -> None:
    assert detect_format(VLLM_C16.read_text()) == "vllm"
    assert detect_format(AIPERF.read_text()) == "aiperf"
    assert detect_format(SCEN.read_text()) == "csv"
    with pytest.raises(ValueError, match="scenario CSV needs the columns"):
        detect_format("a,b\n1,2\n")
    with pytest.raises(ValueError, match="neither a vLLM"):
        detect_format('{"foo": 1}')


def test_vllm_json_closed_loop_and_rate() -> None:
    (c16,) = parse_results(VLLM_C16.read_text(), "c16")
    assert c16["load"] == "concurrency" and c16["concurrency"] == 16 and c16["request_rate"] is None
    assert (c16["isl"], c16["osl"], c16["num_requests"]) == (512, 128, 64)
    assert (c16["ttft_ms"], c16["tpot_ms"], c16["itl_ms"]) == (41.2, 8.9, 8.8)
    assert c16["output_tok_s_per_gpu"] == pytest.approx(829.9)  # num_gpus metadata = 1
    assert c16["hardware"] == "h100-sxm" and c16["tp"] == 1 and c16["engine"] == "vllm"
    assert len(c16["_lengths"][0]) == 64
    (r4,) = parse_results(VLLM_RATE.read_text(), "r4")
    assert r4["load"] == "rate" and r4["request_rate"] == 4.0 and r4["concurrency"] is None
    assert r4["isl"] == round(np.mean(r4["_lengths"][0])) and r4["osl"] == round(np.mean(r4["_lengths"][1]))
    assert r4["num_gpus"] == 1  # from tp when num_gpus is not in the metadata


def test_aiperf_export() -> None:
    (row,) = parse_results(AIPERF.read_text(), "aiperf")
    assert row["model"] == "Qwen/Qwen3-8B"
    assert (row["load"], row["concurrency"]) == ("concurrency", 16)
    assert (row["isl"], row["osl"], row["num_requests"]) == (1000, 256, 128)
    # AIPerf's inter_token_latency is per-request (latency − TTFT)/(OSL − 1): vLLM's TPOT
    assert row["tpot_ms"] == 10.34 and row["itl_ms"] is None and row["ttft_ms"] == 61.4


def test_scenario_csv_keeps_every_row_and_reports_bad_files(tmp_path: Path) -> None:
    rows = read_results([SCEN])
    assert len(rows) == 7 and rows[1]["ttft_ms"] == 68.0 and rows[0]["ttft_ms"] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("model,isl\nx,1\n")
    with pytest.raises(ValueError, match=r"bad\.csv"):
        read_results([bad])


def test_model_names_as_benchmarks_write_them() -> None:
    assert resolve_model_name("meta-llama/Llama-3.1-8B-Instruct").name == load_model("llama-3.1-8b").name
    assert resolve_model_name("LLaMA v3.3 70B").name == load_model("llama-3.1-70b").name
    assert resolve_model_name("Mixtral 8x7B").name == load_model("mixtral-8x7b").name
    with pytest.raises(ValueError, match="--model"):
        resolve_model_name("Falcon 180B")


def test_dtypes_of_a_row() -> None:
    assert dtypes_for("FP8", None) == Dtypes(weight="fp8", activation="fp8", kv="fp8")
    assert dtypes_for("fp4", "fp8") == Dtypes(weight="fp4", activation="fp4", kv="fp8")
    assert dtypes_for("Mixed", "") == Dtypes(weight="bf16", activation="bf16", kv="bf16")


# ---------------------------------------------------------------------------- scaled cost model
def _cm(params: ServingParams, async_sched: bool = True) -> tuple[CostModel, ScaledCostModel]:
    m, hw = load_model("llama-3.1-8b"), load_hardware("h100-sxm")
    return CostModel(m, hw), ScaledCostModel(m, hw, params=params, async_scheduling=async_sched)


def test_unit_parameters_reproduce_the_cost_model_exactly() -> None:
    base, scaled = _cm(ServingParams())
    for chunks, ctxs in (([(2048, 0)], [1000] * 8), ([], [700] * 64), ([(300, 512)], [])):
        s = base.stats_for_batch(chunks, ctxs)
        assert scaled.step_summary(s) == pytest.approx(base.step_summary(s), rel=1e-12)


def test_scales_act_on_their_op_class_and_host_cost_combines_by_scheduling() -> None:
    p = ServingParams(
        compute_scale=2.0,
        memory_scale=1.5,
        attention_scale=0.8,
        elementwise_scale=1.3,
        per_step_s=0.004,
        per_step_per_seq_s=1e-4,
    )
    base, sync = _cm(p, async_sched=False)
    s = sync.stats_for_batch([(2048, 0)], [1000] * 8)  # a compute-heavy mixed step
    comp, mem, moe, attn, elem, step_s, _f, _b = sync.gpu_parts(s)
    assert step_s == base.step_time_s(s)  # the unscaled step is the cost model's own step time
    rest = step_s - (comp + mem + moe + attn + elem)  # exposed communication + fixed step overhead
    assert rest >= -1e-12  # TP1: no collectives, so (almost) nothing beside the op categories
    assert comp > 0 and mem > 0 and attn > 0 and elem > 0 and moe == 0.0  # dense model: no expert ops
    gpu = 2.0 * comp + 1.5 * mem + 0.8 * attn + 1.3 * elem + rest
    host = 0.004 + 1e-4 * 9  # one prefill sequence + 8 decodes
    assert sync.step_time_s(s) == pytest.approx(gpu + host, rel=1e-12)
    _base, asy = _cm(p, async_sched=True)
    assert asy.step_time_s(s) == pytest.approx(max(gpu, host), rel=1e-12)
    tiny = asy.stats_for_batch([], [10])  # a one-sequence decode: host-bound under async
    comp, mem, moe, attn, elem, step_s, _f, _b = asy.gpu_parts(tiny)
    rest = step_s - (comp + mem + moe + attn + elem)
    gpu = 2 * comp + 1.5 * mem + 0.8 * attn + 1.3 * elem + rest
    assert asy.step_time_s(tiny) == pytest.approx(max(gpu, 0.004 + 1e-4), rel=1e-12)


# ---------------------------------------------------------------------------- rows
def _row(**kw: object) -> dict:
    base = {
        "model": "llama-3.1-8b",
        "hardware": "h200",
        "engine": "vllm",
        "num_gpus": 1,
        "tp": 1,
        "ep": None,
        "weight_dtype": "fp8",
        "kv_dtype": "fp8",
        "isl": 1024,
        "osl": 1024,
        "load": "max",
        "concurrency": None,
        "request_rate": None,
        "num_requests": None,
    }
    base.update(kw)
    return base


def test_max_row_is_the_steady_state_at_the_deepest_admitted_concurrency() -> None:
    out = predict_row(_row())
    assert out["status"] == "ok" and out["tp_used"] == 1 and out["ep_used"] == 1
    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    eng = engine_settings("vllm", hw)
    dt = Dtypes(weight="fp8", activation="fp8", kv="fp8")
    par = ParallelConfig()
    kv = kv_capacity_tokens(m, hw, par, dt, eng, 2048)
    conc = min(eng.max_num_seqs, kv // 2048)  # 2048 = isl + osl, already a multiple of the block
    cm = ScaledCostModel(m, hw, par, dt, eng.overheads, eng.async_scheduling)
    st = steady_state(cm, 1024, 1024, conc, eng.max_num_batched_tokens)
    assert out["pred_output_tok_s_per_gpu"] == pytest.approx(st.output_tok_s, rel=1e-9)
    assert out["pred_tpot_ms"] == pytest.approx(st.tpot_s * 1e3, rel=1e-9)
    assert out["pred_ttft_ms"] == pytest.approx((st.ttft_s + eng.overheads.per_request_s) * 1e3, rel=1e-9)


def test_max_row_speed_and_best_layout_when_tp_is_empty() -> None:
    predict_row(_row(model="llama-3.1-70b", num_gpus=8, tp=None))  # warm imports
    t0 = time.perf_counter()
    out = predict_row(_row(model="llama-3.1-70b", num_gpus=8, tp=None))
    assert time.perf_counter() - t0 < 0.25  # the 50 ms on an idle core; CI is shared
    assert out["status"] == "ok" and 8 % out["tp_used"] == 0
    fixed = [
        predict_row(_row(model="llama-3.1-70b", num_gpus=8, tp=t))["pred_output_tok_s_per_gpu"] or 0.0
        for t in (1, 2, 4, 8)
    ]
    assert out["pred_output_tok_s_per_gpu"] == pytest.approx(max(fixed), rel=1e-9)


def test_rate_row_adds_the_per_request_overhead_to_ttft_only() -> None:
    row = _row(load="rate", request_rate=4, num_requests=60, isl=512, osl=64)
    a = predict_row(row, params=ServingParams())
    b = predict_row(row, params=ServingParams(per_request_s=0.05))
    assert a["status"] == b["status"] == "ok"
    assert b["pred_ttft_ms"] - a["pred_ttft_ms"] == pytest.approx(50.0, abs=1e-6)
    assert b["pred_itl_ms"] == pytest.approx(a["pred_itl_ms"], rel=1e-12)
    # open loop at 4 req/s, unsaturated: throughput ≈ rate × osl (60 requests, span 59/4 s + the tail)
    assert a["pred_output_tok_s_per_gpu"] == pytest.approx(60 * 64 / (59 / 4), rel=0.1)


def test_sim_rows_follow_vllm_bench_means_and_stay_fast() -> None:
    row = _row(
        load="concurrency", concurrency=8, num_requests=48, isl=512, osl=128, weight_dtype="bf16", kv_dtype="bf16"
    )
    predict_row(row)
    t0 = time.perf_counter()
    out = predict_row(row)
    assert time.perf_counter() - t0 < 1.0  # ≤ 0.5 s on an idle core (benchmark prints it)
    assert out["status"] == "ok" and out["sim_requests"] == 48
    # closed loop of 8 clients: each decode step serves ≤ 8 sequences, so TPOT ≥ the 1-sequence step
    # and ITL (token-weighted) equals TPOT within the variation of the per-request means
    assert out["pred_itl_ms"] == pytest.approx(out["pred_tpot_ms"], rel=0.05)
    cm = ScaledCostModel(load_model("llama-3.1-8b"), load_hardware("h200"))
    t1 = cm.step_time_s(cm.stats_for_batch([], [576])) * 1e3
    assert out["pred_tpot_ms"] >= t1


def test_sim_request_count_rule() -> None:
    assert sim_request_count("concurrency", 64, 16, None, 128, 0.01) == 64
    assert sim_request_count("concurrency", 10_000, 4, None, 1000, 0.01) == max(16, 100, 3000 * 4 // 1000)
    assert sim_request_count("rate", 500, None, 2.0, 256, 0.007) == 100  # 2 × 3000 × 7 ms = 42 → floor 100
    assert sim_request_count("rate", 500, None, 50.0, 256, 0.007) == 500
    assert sim_request_count("rate", 500, None, math.inf, 256, 0.007) == 500


def test_rows_the_tool_cannot_express_are_unsupported_not_dropped() -> None:
    bad = [
        _row(model="nope"),
        _row(load="burst"),
        _row(pp=2),
        _row(tp=16, num_gpus=1),
        _row(isl=0),
        _row(load="rate", request_rate=None),
        _row(hardware=""),
    ]
    outs = [predict_row(r) for r in bad]
    assert all(o["status"].startswith("unsupported: ") for o in outs)
    assert "pipeline" in outs[2]["status"] and "no hardware" in outs[6]["status"]


def test_summary_mape_and_bias_hand_computed() -> None:
    rows = [
        {"ttft_ms": 100.0, "pred_ttft_ms": 110.0},
        {"ttft_ms": 200.0, "pred_ttft_ms": 180.0},
        {"ttft_ms": None, "pred_ttft_ms": 5.0},
    ]
    s = summarize_errors(rows)["ttft_ms"]
    assert s["n"] == 2 and s["mape"] == pytest.approx(10.0) and s["bias"] == pytest.approx(0.0)


# ---------------------------------------------------------------------------- CLI
def test_cli_json_all_three_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_csv = tmp_path / "pred.csv"
    rc = main(
        [
            "bench-predict",
            "--scenarios",
            str(SCEN),
            str(VLLM_C16),
            str(AIPERF),
            "--hardware",
            "h200",
            "--num-gpus",
            "1",
            "--json",
            "--out",
            str(out_csv),
        ]
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["rows"]
    assert len(rows) == 7 + 1 + 1
    for r in rows:
        for k in (
            "model",
            "hardware",
            "engine",
            "num_gpus",
            "tp",
            "ep",
            "weight_dtype",
            "kv_dtype",
            "isl",
            "osl",
            "load",
            "concurrency",
            "request_rate",
            "num_requests",
            "status",
            "pred_ttft_ms",
            "pred_tpot_ms",
            "pred_itl_ms",
            "pred_output_tok_s_per_gpu",
            "profile",
            "tp_used",
            "ep_used",
        ):
            assert k in r
    assert [r["status"].split(":")[0] for r in rows] == ["ok"] * 5 + ["unsupported"] * 2 + ["ok"] * 2
    assert set(doc["summary"]) == {"ttft_ms", "tpot_ms", "itl_ms", "output_tok_s_per_gpu"}
    assert doc["summary"]["ttft_ms"]["n"] == 3 and doc["summary"]["tpot_ms"]["n"] == 2
    with open(out_csv, newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 9


def test_cli_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    data = json.loads(VLLM_C16.read_text())
    data["model_id"] = "acme/unknown-13b"
    f.write_text(json.dumps(data))
    assert main(["bench-predict", "--scenarios", str(f)]) == 2
    err = capsys.readouterr().err
    assert "--model" in err and len(err.strip().splitlines()) == 1
    assert main(["bench-predict", "--scenarios", str(f), "--model", "llama-3.1-8b", "--json"]) == 0
    capsys.readouterr()
    assert main(["bench-predict", "--scenarios", str(tmp_path / "missing.csv")]) == 2
    assert main(["bench-predict", "--scenarios", str(SCEN), "--engine", "nonesuch"]) == 2
    assert main(["bench-predict", "--scenarios", str(SCEN), "--hardware", "no-gpu"]) == 2


def test_serving_params_overheads_are_the_engine_declarations() -> None:
    """The fitted host overheads refer to the engine profile's declared fields (one declaration)."""
    from dashboard.features.engine import Overheads
    from dashboard.features.params import param_specs

    mine, engine = param_specs(ServingParams), param_specs(Overheads)
    for name in ("per_request_s", "per_step_s", "per_step_per_seq_s"):
        assert mine[name] == engine[name]
    with pytest.raises(ValueError, match="per_step_s"):
        ServingParams(per_step_s=10.5)
    with pytest.raises(ValueError, match="compute_scale"):
        ServingParams(compute_scale=0.01)
    assert ServingParams(per_step_s=0.002).overheads().per_step_s == 0.002
