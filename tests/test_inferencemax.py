"""InferenceMAX pages: scenario evaluation checked against the cost model by hand, row validation,
CSV round trip, and AppTest interaction with the data editor (rows edited, added, deleted)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import ParallelConfig
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.services.search_inferencemax import (
    Scenario,
    editor_frame,
    evaluate_scenario,
    evaluate_scenarios,
    frame_rows,
    scenarios_from_csv,
    scenarios_to_csv,
    validate_scenario_rows,
)
from dashboard.state.inferencemax import DEFAULT_SCENARIOS

IMX = str(DASHBOARD_DIR / "inferencemax.py")
IMX2 = str(DASHBOARD_DIR / "inferencemax_v2.py")
APP = str(DASHBOARD_DIR / "app.py")
EDITOR = "inferencemax_v2__scenarios"
L8B = load_model("llama-3.1-8b")
H200 = load_hardware("h200")


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _num(s: str) -> float:
    return float(s.replace(",", "").replace("%", ""))


def test_scenario_stages_match_cost_model() -> None:
    from dashboard.services.search_steady import steady_state

    sc = Scenario(name="x", hardware="h200", tp=2, dp=3, batch=16, seq_len=2000, output_len=101, kv_len=500)
    r = evaluate_scenario(L8B, H200, sc)
    cm = CostModel(L8B, H200, ParallelConfig(tp=2))
    pre = cm.step(StepSpec(prefill_seqs=16, prefill_len=2000, prefix_len=500))
    dec = cm.generation_time_s(16, 2500, 101)
    # step anatomy: the static-batch stages, kept for comparison
    assert r["static_ttft_ms"] == pytest.approx(pre.latency_s * 1e3)
    assert r["static_tpot_ms"] == pytest.approx(dec / 100 * 1e3)
    assert r["static_e2e_ms"] == pytest.approx((pre.latency_s + dec) * 1e3)
    assert r["static_output_tok_s"] == pytest.approx(3 * 16 * 101 / (pre.latency_s + dec))
    # headline figures: continuous batching at concurrency 16 with vLLM's 8192-token budget on an H200
    st = steady_state(cm, 2000, 101, 16, 8192, prefix_len=500)
    assert r["batching"] == "continuous" and r["budget"] == 8192
    assert r["ttft_ms"] == pytest.approx(st.ttft_s * 1e3)
    assert r["tpot_ms"] == pytest.approx(st.tpot_s * 1e3)
    assert r["output_tok_s"] == pytest.approx(3 * st.output_tok_s)
    assert r["output_tok_s_per_gpu"] == pytest.approx(r["output_tok_s"] / 6)
    # one prompt's 2000 new tokens fit one 8192-token chunk step: TTFT is that step (carrying the
    # running decodes), far below the static batch's prefill of all 16 prompts at once
    assert st.chunks_per_prompt == 1 and r["ttft_ms"] < r["static_ttft_ms"] / 4
    # decodes share their steps with prompt chunks: a slower TPOT than a pure decode batch
    assert r["tpot_ms"] > r["static_tpot_ms"]
    p = r["prefill"]
    peak = H200.peak_flops("bf16")
    assert p["mfu"] == pytest.approx(pre.flops / (pre.latency_s * peak))
    assert p["hbm_util"] == pytest.approx(pre.bytes / (pre.latency_s * H200.hbm_bytes_per_s))
    assert p["compute_share"] + p["memory_share"] + p["comm_share"] == pytest.approx(1.0)
    # long prefill is compute-bound, a decode step of 16 sequences is bandwidth-bound
    assert p["compute_share"] > 0.5 and r["decode_step"]["memory_share"] > 0.5


def test_row_validation_keeps_good_rows() -> None:
    rows = [
        dict(DEFAULT_SCENARIOS[0]),
        {"name": "bad hw", "hardware": "nope", "tp": 1, "dp": 1, "batch": 1, "seq_len": 8, "output_len": 8},
        {"name": "empty tp", "hardware": "h200", "tp": None, "dp": 1, "batch": 1, "seq_len": 8, "output_len": 8},
        {"name": "frac", "hardware": "h200", "tp": 1.5, "dp": 1, "batch": 1, "seq_len": 8, "output_len": 8},
        {"name": "tp3", "hardware": "h200", "tp": 3, "dp": 1, "batch": 1, "seq_len": 8, "output_len": 8},
        {"name": "neg", "hardware": "b200", "tp": 1, "dp": 1, "batch": -4, "seq_len": 8, "output_len": 8},
        {"name": None, "hardware": None, "tp": 1, "dp": 2, "batch": 4, "seq_len": 64, "output_len": 16},
    ]
    checked = validate_scenario_rows(rows)
    assert [e is None for _, e in checked] == [True, False, False, False, True, False, True]
    assert "unknown hardware" in checked[1][1] and "tp is empty" in checked[2][1]
    assert "integer" in checked[3][1] and "batch" in checked[5][1]
    assert checked[6][0].name == "scenario 7" and checked[6][0].hardware == "h200"
    out = evaluate_scenarios(L8B, rows, ttft_ms=10_000, tpot_ms=1_000)
    assert [i for i, _ in out["errors"]] == [1, 2, 3, 4, 5]
    assert "tp=3" in dict(out["errors"])[4]
    assert [r["row"] for r in out["results"]] == [0, 6]
    tot = out["totals"]
    assert tot["evaluated"] == 2 and tot["invalid"] == 5 and tot["meeting_sla"] == 2
    assert tot["total_output_tok_s"] == pytest.approx(sum(r["output_tok_s"] for r in out["results"]))
    assert tot["total_gpus"] == 8 + 2


def test_sla_flags_and_totals() -> None:
    rows = [dict(r) for r in DEFAULT_SCENARIOS]
    loose = evaluate_scenarios(L8B, rows, ttft_ms=None, tpot_ms=None)
    tight = evaluate_scenarios(L8B, rows, ttft_ms=1.0, tpot_ms=None)
    assert loose["totals"]["meeting_sla"] == 4 and tight["totals"]["meeting_sla"] == 0
    assert all(r["sla_miss"] == "TTFT" for r in tight["results"])
    assert tight["totals"]["total_output_tok_s_meeting_sla"] == 0
    assert loose["totals"]["total_output_tok_s"] == pytest.approx(tight["totals"]["total_output_tok_s"])


def test_csv_round_trip_and_bad_csv() -> None:
    rows = [dict(r) for r in DEFAULT_SCENARIOS]
    back = scenarios_from_csv(scenarios_to_csv(rows))
    assert back == rows
    assert frame_rows(editor_frame(rows)) == rows
    with pytest.raises(ValueError, match="lacks column"):
        scenarios_from_csv(b"name,tp\na,1\n")
    kept = scenarios_from_csv(b"name,hardware,tp,dp,batch,seq_len,output_len\na,h200,x,1,1,8,8\n")
    assert kept[0]["tp"] == "x"  # kept as read; validation reports it
    assert validate_scenario_rows(kept)[0][1] == "tp must be an integer, got 'x'"


def test_inferencemax_page_single_scenario() -> None:
    at = AppTest.from_file(IMX, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    ttft_h200 = _num(m["Prefill / TTFT (ms)"])
    assert 0 < _num(m["Prefill MFU"]) <= 100 and 0 < _num(m["Decode HBM BW util"]) <= 100
    assert len(at.get("plotly_chart")) == 2
    at.selectbox(key="inferencemax__hardware").set_value("b200").run()
    assert not at.exception
    assert _num(_metrics(at)["Prefill / TTFT (ms)"]) < ttft_h200  # B200 has ~2.3× the dense bf16 peak
    at.number_input(key="inferencemax__batch").set_value(64).run()
    assert _num(_metrics(at)["Prefill / TTFT (ms)"]) > 0
    at.number_input(key="inferencemax__tp").set_value(3).run()
    assert not at.exception and any("tp=3" in e.value for e in at.error)


def test_inferencemax_v2_data_editor_edits_add_delete() -> None:
    at = AppTest.from_file(IMX2, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.data_editor[0].editing_mode == "dynamic"
    m0 = _metrics(at)
    assert m0["GPUs (evaluated rows)"] == "32" and m0["Scenarios meeting SLA"] == "4 / 4"
    at.session_state[EDITOR] = {
        "edited_rows": {0: {"tp": 2}},  # TP1×DP8 → TP2×DP8: 16 GPUs
        "added_rows": [
            {"name": "new", "hardware": "h100-sxm", "tp": 1, "dp": 2, "batch": 16, "seq_len": 512, "output_len": 256},
            {"name": "bad", "hardware": "nope", "tp": 1, "dp": 1, "batch": 1, "seq_len": 1, "output_len": 1},
        ],
        "deleted_rows": [3],  # MI300X TP1×DP8
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    assert m["GPUs (evaluated rows)"] == str(32 + 8 - 8 + 2)
    assert m["Scenarios meeting SLA"] == "4 / 4"
    assert at.warning and "row 5 (bad)" in at.warning[0].value and "unknown hardware" in at.warning[0].value
    results = next(d.value for d in at.dataframe if "meets_sla" in d.value.columns)
    assert list(results["name"]) == ["H200 TP1×DP8", "H200 TP2×DP4", "B200 TP1×DP8", "new"]
    assert list(results["tp"]) == [2, 2, 1, 1]
    stored = at.session_state["app_state"].pages["inferencemax_v2.table"].rows
    assert len(stored) == 5 and stored[4]["hardware"] == "nope"  # the bad row is kept, not dropped
    # SLA statistics follow the targets
    at.number_input(key="inferencemax_v2__ttft_ms").set_value(1.0).run()
    m = _metrics(at)
    assert m["Scenarios meeting SLA"] == "0 / 4" and m["Output tok/s meeting SLA"] == "0"
    assert m["Total output tok/s"] == _metrics(at)["Total output tok/s"]


def test_inferencemax_v2_csv_import_export() -> None:
    at = AppTest.from_file(IMX2, default_timeout=120).run()
    csv = (
        b"name,hardware,tp,dp,batch,seq_len,output_len,kv_len\n"
        b"one,h200,1,1,8,256,64,0\ntwo,b200,2,2,16,512,128,0\nthree,h200,,1,1,1,1,0\n"
    )
    at.file_uploader(key="inferencemax_v2__upload").set_value(("s.csv", csv, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Imported 3 scenarios" in s.value for s in at.success)
    m = _metrics(at)
    assert m["GPUs (evaluated rows)"] == "5" and m["Scenarios meeting SLA"].endswith("/ 2")
    assert "row 3 (three): tp is empty" in at.warning[0].value
    at.download_button(key="inferencemax_v2__export")  # present (AppTest does not expose its bytes)
    stored = at.session_state["app_state"].pages["inferencemax_v2.table"].rows
    assert [r["name"] for r in scenarios_from_csv(scenarios_to_csv(stored))] == ["one", "two", "three"]
    bad = AppTest.from_file(IMX2, default_timeout=120).run()
    bad.file_uploader(key="inferencemax_v2__upload").set_value(("x.csv", b"foo,bar\n1,2\n", "text/csv")).run()
    assert not bad.exception
    assert any("lacks column" in e.value for e in bad.error)
    assert _metrics(bad)["GPUs (evaluated rows)"] == "32"  # the table is untouched


def test_inferencemax_v2_edits_survive_page_switch() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("inferencemax_v2.py").run()
    at.session_state[EDITOR] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0, 1]}
    at.run()
    assert _metrics(at)["GPUs (evaluated rows)"] == "16"
    at.switch_page("overview.py").run()
    at.switch_page("inferencemax_v2.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metrics(at)["GPUs (evaluated rows)"] == "16"
