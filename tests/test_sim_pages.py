"""AppTest interaction tests of the three simulator pages: change an input, the numbers move the
right way, no exception."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.features.presets import model_config
from dashboard.state.scale_up_sweep_with_sim import SweepInputs
from dashboard.state.session import SessionState

ROOT = Path(__file__).resolve().parents[1]
SIM = str(ROOT / "dashboard" / "vllm_simulator_dashboard.py")
SWEEP = str(ROOT / "dashboard" / "scale_up_sweep_with_sim.py")
SCALE = ROOT / "dashboard" / "llm_chunked_prefill_decoder_scaleup.py"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _num(text: str) -> float:
    return float(text.split("/")[0].replace(",", "").replace("%", "").strip())


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_simulator_page_rate_budget_and_errors() -> None:
    at = AppTest.from_file(SIM, default_timeout=120).run()
    _ok(at)
    m = _metrics(at)
    assert "Output tok/s" in m and "TTFT p99 (ms)" in m and "MFU" in m
    assert any("time model source" in i.value for i in at.info)
    tps, tpot = _num(m["Output tok/s"]), _num(m["TPOT p50 (ms)"])
    at.number_input(key="vllm_simulator_dashboard__request_rate").set_value(20.0).run()
    _ok(at)
    m2 = _metrics(at)
    assert _num(m2["Output tok/s"]) > tps * 1.5  # below saturation, throughput follows the offered load
    assert _num(m2["TPOT p50 (ms)"]) > tpot  # bigger decode batches
    assert _num(m2["MFU"]) > _num(m["MFU"])
    assert at.query_params["request_rate"] == "20.0"
    # a small token budget stretches prefill over more chunks: TTFT grows
    ttft = _num(m2["TTFT p50 (ms)"])
    at.number_input(key="vllm_simulator_dashboard__max_num_seqs").set_value(64).run()
    at.number_input(key="vllm_simulator_dashboard__max_num_batched_tokens").set_value(256).run()
    _ok(at)
    assert _num(_metrics(at)["TTFT p50 (ms)"]) > ttft
    # budget below max_num_seqs: a clear error, no traceback
    at.number_input(key="vllm_simulator_dashboard__max_num_seqs").set_value(1024).run()
    _ok(at)
    assert any("max_num_seqs" in e.value for e in at.error)


def test_simulator_page_kv_strategy_and_closed_loop() -> None:
    at = AppTest.from_file(SIM, default_timeout=120).run()
    _ok(at)
    at.radio(key="vllm_simulator_dashboard__load_mode").set_value("concurrency").run()
    at.number_input(key="vllm_simulator_dashboard__concurrency").set_value(32).run()
    _ok(at)
    at.radio(key="vllm_simulator_dashboard__kv_strategy").set_value("fixed_blocks").run()
    at.number_input(key="vllm_simulator_dashboard__num_kv_blocks").set_value(600).run()
    _ok(at)
    assert any("preemptions" in w.value for w in at.warning)
    assert any("600 KV blocks" in c.value for c in at.caption)
    at.number_input(key="vllm_simulator_dashboard__num_kv_blocks").set_value(10).run()
    _ok(at)
    assert any("KV blocks" in e.value for e in at.error)


def test_simulator_page_trace_upload() -> None:
    at = AppTest.from_file(SIM, default_timeout=120).run()
    at.radio(key="vllm_simulator_dashboard__load_mode").set_value("trace").run()
    _ok(at)
    assert any("Upload a trace" in i.value for i in at.info)
    csv = b"arrival_s,prompt_tokens,output_tokens\n0,512,32\n0.1,1024,64\n0.2,256,16\n"
    at.file_uploader(key="vllm_simulator_dashboard__trace").set_value(("trace.csv", csv, "text/csv")).run()
    _ok(at)
    assert any("Trace: 3 requests" in c.value for c in at.caption)
    req = at.dataframe[1].value  # per-request table
    assert list(req["prompt"]) == [512, 1024, 256] and (req["generated"] == req["output"]).all()
    at.file_uploader(key="vllm_simulator_dashboard__trace").set_value(("bad.csv", b"a,b\n1,2\n", "text/csv")).run()
    _ok(at)
    assert any("header" in e.value for e in at.error)


def test_simulator_page_in_chinese() -> None:
    ss = SessionState()
    ss.settings.language = "zh"
    at = AppTest.from_file(SIM, default_timeout=120)
    at.session_state["app_state"] = ss
    at.run()
    _ok(at)
    assert "输出 tok/s" in _metrics(at)


def test_sweep_page_loads_and_policies() -> None:
    ss = SessionState()
    ss.pages["scale_up_sweep_with_sim"] = SweepInputs(num_requests=30, output_len=32)
    at = AppTest.from_file(SWEEP, default_timeout=120)
    at.session_state["app_state"] = ss
    at.run()
    _ok(at)
    m = _metrics(at)
    assert m["Runs"] == "32"
    tps = _num(m["Max output tok/s"])
    at.text_input(key="scale_up_sweep_with_sim__loads").set_value("4, 40").run()
    _ok(at)
    assert _num(_metrics(at)["Max output tok/s"]) > tps * 1.5
    at.multiselect(key="scale_up_sweep_with_sim__policies").set_value(["chunked"]).run()
    _ok(at)
    assert _metrics(at)["Runs"] == "16"
    stats = at.dataframe[0].value
    assert set(stats["policy"]) == {"chunked"}
    assert (stats["seeds"] == 2).all()
    assert "ttft_p90_ms [min–max]" in stats.columns
    # two SLAs (TTFT ≤ 500 ms and ≤ 2000 ms) on the same 16 runs: the looser one never has less goodput
    assert len(stats) == 2 * 2 * 2 * 2 and set(stats["sla"]) == {"TTFT≤500 ms, TPOT≤50 ms", "TTFT≤2000 ms, TPOT≤50 ms"}
    keys = ["dist", "budget", "load"]
    tight = stats[stats["sla"].str.startswith("TTFT≤500 ")].set_index(keys)["goodput_req_s"]
    loose = stats[stats["sla"].str.startswith("TTFT≤2000")].set_index(keys)["goodput_req_s"]
    assert (loose >= tight).all()
    at.text_input(key="scale_up_sweep_with_sim__budgets").set_value("x, 2").run()
    _ok(at)
    assert at.error  # the bad list is reported and the last valid value kept


def test_scaleup_page_sla_and_model_json(tmp_path: Path) -> None:
    at = AppTest.from_file(str(SCALE), default_timeout=120).run()
    _ok(at)
    m = _metrics(at)
    passing = int(m["Passing configs"].split("/")[0])
    assert passing >= 1
    at.number_input(key="llm_chunked_prefill_decoder_scaleup__sla_tpot_ms").set_value(8.0).run()
    _ok(at)
    tight = _metrics(at)
    assert int(tight.get("Passing configs", "0/0").split("/")[0]) < passing
    at.text_area(key="llm_chunked_prefill_decoder_scaleup__model_json").set_value("{not json").run()
    _ok(at)
    assert any("Model JSON rejected" in e.value for e in at.error)
    cfg = model_config("llama-3.1-8b")
    cfg = {**cfg, "num_hidden_layers": 8, "_name_or_path": "tiny-llama"}
    at.text_area(key="llm_chunked_prefill_decoder_scaleup__model_json").set_value(json.dumps(cfg)).run()
    _ok(at)
    assert any("tiny-llama" in i.value for i in at.info)
    assert len(at.get("download_button")) >= 2  # CSV + JSON


def test_scaleup_page_works_copied_alone(tmp_path: Path) -> None:
    """The seed wants this page reusable as a single file next to an installed package."""
    copy = tmp_path / "scaleup_copy.py"
    shutil.copy(SCALE, copy)
    at = AppTest.from_file(str(copy), default_timeout=120).run()
    _ok(at)
    assert "Passing configs" in _metrics(at)


@pytest.mark.parametrize("path", [SIM, SWEEP, str(SCALE)])
def test_pages_survive_a_bad_tp(path: str) -> None:
    ss = SessionState()
    ss.settings.tp = 3  # does not divide Llama's heads
    at = AppTest.from_file(path, default_timeout=120)
    at.session_state["app_state"] = ss
    at.run()
    _ok(at)
