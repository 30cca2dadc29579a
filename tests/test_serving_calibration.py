"""Calibration from benchmark results (``calibrate-serving``) and the shipped fitted profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.services.serving_calibration import calibrate_serving, config_key, row_family
from dashboard.services.serving_predict import (
    PROFILE_DIR,
    ServingParams,
    find_serving_profile,
    list_serving_profiles,
    load_serving_profile,
    predict_row,
)
from runners.cli import main

TRUTH = ServingParams(compute_scale=1.4, elementwise_scale=1.25)


def _max_rows() -> list[dict]:
    rows = []
    for model, tps in (("llama-3.1-8b", (1,)), ("llama-3.1-70b", (8,))):
        for tp in tps:
            for isl, osl in ((128, 128), (1024, 1024), (4096, 256), (128, 2048)):
                rows.append(
                    {
                        "model": model,
                        "hardware": "h200",
                        "engine": "vllm",
                        "num_gpus": tp,
                        "tp": tp,
                        "ep": None,
                        "weight_dtype": "fp8",
                        "kv_dtype": "fp8",
                        "isl": isl,
                        "osl": osl,
                        "load": "max",
                    }
                )
    return rows


def _measure(rows: list[dict], params: ServingParams) -> list[dict]:
    out = []
    for r in rows:
        p = predict_row(r, params=params)
        assert p["status"] == "ok", p["status"]
        m = dict(r)
        m["output_tok_s_per_gpu"] = p["pred_output_tok_s_per_gpu"]
        if r["load"] != "max":
            m["ttft_ms"] = p["pred_ttft_ms"]
            m["itl_ms"] = p["pred_itl_ms"]
        out.append(m)
    return out


def test_fit_recovers_known_scales_with_cis_and_loo() -> None:
    rows = _measure(_max_rows(), TRUTH)
    rep = calibrate_serving(
        rows, hardware="h200", engine="vllm", names=["compute_scale", "elementwise_scale"], max_nfev=20
    )
    p = rep.profile.params
    assert p.compute_scale == pytest.approx(1.4, rel=0.03)
    assert p.elementwise_scale == pytest.approx(1.25, rel=0.05)
    ci = rep.stages["pooled"]["ci95"]
    assert ci["compute_scale"][0] <= p.compute_scale <= ci["compute_scale"][1]
    fit, loo, unc = (
        rep.fit_error["output_tok_s_per_gpu"],
        rep.loo_error["output_tok_s_per_gpu"],
        rep.uncalibrated_error["output_tok_s_per_gpu"],
    )
    assert fit["n"] == loo["n"] == unc["n"] == 8
    assert fit["mape"] < 1.0 and loo["mape"] < 3.0
    assert unc["mape"] > 15.0 and unc["bias"] > 0  # unscaled kernels are faster: throughput over-predicted
    assert rep.loo_unit == "configuration"
    dom = rep.profile.domain
    assert dom["tp"] == [1, 8] and dom["isl"] == [128, 4096] and dom["families"] == ["dense/fp8"]
    assert set(dom["models"]) == {"llama-3.1-8b", "llama-3.1-70b"}


def test_staged_fit_takes_the_per_request_overhead_from_serving_rows() -> None:
    truth = ServingParams(compute_scale=1.2, memory_scale=1.1, per_request_s=0.03)
    sims = [
        {
            "model": "llama-3.1-8b",
            "hardware": "h200",
            "engine": "vllm",
            "num_gpus": 1,
            "tp": 1,
            "ep": None,
            "weight_dtype": "bf16",
            "kv_dtype": "bf16",
            "isl": isl,
            "osl": 64,
            "load": "rate",
            "request_rate": 4,
            "num_requests": 30,
        }
        for isl in (256, 1024)
    ]
    maxes = [r for r in _max_rows() if r["model"] == "llama-3.1-8b" and r["tp"] == 1]
    for r in maxes:
        r["weight_dtype"] = r["kv_dtype"] = "bf16"
    rows = _measure(maxes + sims, truth)
    rep = calibrate_serving(
        rows,
        hardware="h200",
        engine="vllm",
        names=["compute_scale", "memory_scale", "per_request_s"],
        max_nfev=15,
        loo=False,
    )
    p = rep.profile.params
    assert p.per_request_s == pytest.approx(0.03, abs=0.003)
    assert p.compute_scale == pytest.approx(1.2, rel=0.05)
    assert rep.fit_error["ttft_ms"]["mape"] < 3.0


def test_configuration_and_family_keys() -> None:
    r = {
        "model": "Mixtral 8x7B",
        "hardware": "h200",
        "engine": "trtllm",
        "num_gpus": 8,
        "tp": 8,
        "ep": None,
        "weight_dtype": "FP8",
        "kv_dtype": "fp8",
    }
    assert row_family(r) == "moe/fp8"
    assert config_key(r) == config_key({**r, "isl": 5, "load": "rate"})
    assert row_family({**r, "model": "Llama 3.3 70B", "weight_dtype": "fp4"}) == "dense/fp4"


def test_cli_writes_a_profile_that_bench_predict_uses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _measure(
        [{**r, "num_gpus": t, "tp": t} for r in _max_rows() if r["model"] == "llama-3.1-8b" for t in (1, 2)], TRUTH
    )
    scen = tmp_path / "measured.csv"
    keys = list(rows[0])
    scen.write_text(
        ",".join(keys)
        + "\n"
        + "\n".join(",".join("" if r[k] is None else str(r[k]) for k in keys) for r in rows)
        + "\n"
    )
    prof = tmp_path / "mine.json"
    assert (
        main(
            [
                "calibrate-serving",
                "--results",
                str(scen),
                "--hardware",
                "h200",
                "--engine",
                "vllm",
                "--out",
                str(prof),
                "--name",
                "h200+myvllm",
                "--max-nfev",
                "15",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "leave-one-configuration-out" in text and "compute_scale" in text
    d = json.loads(prof.read_text())
    assert d["kind"] == "serving_profile" and d["name"] == "h200+myvllm" and d["engine"] == "vllm"
    assert d["domain"]["isl"] == [128, 4096]
    out_row = tmp_path / "q.csv"
    out_row.write_text(
        "model,hardware,engine,num_gpus,tp,ep,weight_dtype,kv_dtype,isl,osl,load,concurrency,"
        "request_rate,num_requests\nllama-3.1-8b,,vllm,1,1,,fp8,fp8,1024,1024,max,,,\n"
        "llama-3.1-8b,,vllm,1,1,,fp8,fp8,32000,1024,max,,,\n"
    )
    assert main(["bench-predict", "--scenarios", str(out_row), "--hardware", str(prof), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    a, b = doc["rows"]
    assert a["profile"] == b["profile"] == "h200+myvllm"
    assert "warning" not in a and "isl 32000 outside [128, 4096]" in b["warning"]
    # the fitted profile reproduces the measured throughput it was fitted to
    m = next(r for r in rows if r["isl"] == 1024 and r["osl"] == 1024 and r["tp"] == 1)
    assert a["pred_output_tok_s_per_gpu"] == pytest.approx(m["output_tok_s_per_gpu"], rel=0.02)
    assert (
        main(
            [
                "calibrate-serving",
                "--results",
                str(out_row),
                "--hardware",
                "h200",
                "--engine",
                "vllm",
                "--out",
                str(tmp_path / "x.json"),
            ]
        )
        == 2
    )  # no measured column: one-line error


@pytest.mark.parametrize("name", ["h100-sxm+trtllm", "h200+trtllm", "b200+trtllm"])
def test_shipped_profiles_load_with_domain_and_provenance(name: str) -> None:
    assert name in list_serving_profiles()
    prof = load_serving_profile(name)
    assert prof.engine == "trtllm" and prof.base_hardware == name.split("+")[0]
    assert prof.families and prof.domain["hardware"] == [prof.base_hardware]
    assert "published_serving.csv" in prof.provenance["data"]
    fit = prof.fit
    for key in ("fit_error", "loo_error", "uncalibrated_error"):
        assert fit[key]["output_tok_s_per_gpu"]["n"] > 0
    hw = prof.hardware_profile()
    assert hw.slug == name and "fitted" in hw.name


def test_shipped_profile_is_auto_picked_and_selectable_as_hardware(capsys: pytest.CaptureFixture[str]) -> None:
    assert find_serving_profile("H200", "trtllm") == "h200+trtllm"
    assert find_serving_profile("h200", "vllm") is None
    row = {
        "model": "llama-3.1-70b",
        "hardware": "h200",
        "engine": "trtllm",
        "num_gpus": 8,
        "tp": 8,
        "weight_dtype": "fp8",
        "kv_dtype": "fp8",
        "isl": 1024,
        "osl": 1024,
        "load": "max",
    }
    assert predict_row(row)["profile"] == "h200+trtllm"
    assert predict_row({**row, "engine": "vllm"})["profile"].startswith("h200 (vllm")
    assert main(["memory", "--model", "llama-3.1-8b", "--hardware", "h200+trtllm", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert PROFILE_DIR.name == "profiles"
