"""Issue 14 mechanics in AppTest: lazy charts, Run buttons, URL state, sidebar TP/EP defaults."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.url_state import decode_blob, encode_blob, global_query, parse_overrides
from dashboard.components import outputs, run
from dashboard.features.presets import model_config
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.state.session import SessionState

APP = str(DASHBOARD_DIR / "app.py")
QM = str(DASHBOARD_DIR / "quick_memory.py")
PD = str(DASHBOARD_DIR / "scale_up_search_pd_disaggregate.py")


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_blob_round_trip_and_bad_blobs() -> None:
    text = json.dumps(model_config("deepseek-v3"))
    blob = encode_blob(text)
    assert decode_blob(blob) == text
    assert len(blob) < 0.7 * len(text) and len(blob) < 1500  # compact enough for a link
    for bad in ("%%%", "abc", encode_blob("x")[:-3] + "!!"):
        with pytest.raises(ValueError):
            decode_blob(bad)
    assert parse_overrides("peak_tflops.bf16:900;hbm_capacity_gb:141") == {
        "peak_tflops.bf16": 900.0,
        "hbm_capacity_gb": 141.0,
    }
    with pytest.raises(ValueError):
        parse_overrides("peak_tflops.bf16=900")


def test_global_query_names_everything_the_sidebar_decides() -> None:
    ss = SessionState()
    q = global_query(ss)
    assert q == {
        "model": "llama-3.1-8b",
        "hw": "h200",
        "wdtype": "bf16",
        "adtype": "bf16",
        "kvdtype": "bf16",
        "sb_tp": "1",
        "sb_ep": "1",
        "sb_engine": "vllm",
        "lang": "en",
    }


def test_charts_closed_by_default_and_remembered(monkeypatch) -> None:
    monkeypatch.setattr(outputs, "CHARTS_OPEN_BY_DEFAULT", False)
    at = _run(AppTest.from_file(QM, default_timeout=120))
    assert len(at.get("plotly_chart")) == 0
    assert len(at.expander) >= 2  # the charts' expanders are there, closed
    ss = SessionState()  # a chart opened earlier in the session (e.g. before a page switch) opens again
    ss.results["ui.charts_open"] = {"qm_sweep": True}
    again = AppTest.from_file(QM, default_timeout=120)
    again.session_state["app_state"] = ss
    _run(again)
    assert len(again.get("plotly_chart")) == 1


def test_run_button_gates_and_caches_the_pd_search(monkeypatch) -> None:
    monkeypatch.setattr(run, "AUTO_RUN", False)
    calls = []
    import dashboard.scale_up_search_pd_disaggregate  # noqa: F401  (the page module AppTest re-executes)
    from dashboard.services import search_pd

    real = search_pd.search_disaggregated

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(search_pd, "search_disaggregated", counted)
    at = _run(AppTest.from_file(PD, default_timeout=120))
    assert not at.metric and not calls
    assert any("Run" in i.value for i in at.info)
    at.button(key="scale_up_search_pd_disaggregate__run").click()
    _run(at)
    assert len(calls) == 1 and at.metric
    key = "scale_up_search_pd_disaggregate__gpus"
    at.number_input(key=key).set_value(6)
    _run(at)
    assert not at.metric and any("changed" in i.value for i in at.info)
    at.number_input(key=key).set_value(8)
    _run(at)  # back to inputs already run: shown at once
    assert at.metric and len(calls) == 1


def test_pasted_config_travels_in_the_url() -> None:
    cfg = model_config("qwen3-8b")
    cfg["num_hidden_layers"] = 7
    at = AppTest.from_file(QM, default_timeout=120)
    at.query_params["model"] = "custom"
    at.query_params["cfg"] = encode_blob(json.dumps(cfg))
    _run(at)
    ss = at.session_state["app_state"]
    assert ss.model.preset == "custom" and json.loads(ss.model.json_text)["num_hidden_layers"] == 7
    assert at.query_params["model"] == "custom"
    assert json.loads(decode_blob(at.query_params["cfg"]))["num_hidden_layers"] == 7
    bad = AppTest.from_file(QM, default_timeout=120)
    bad.query_params["model"] = "custom"
    bad.query_params["cfg"] = "not-a-config"
    _run(bad)
    assert bad.session_state["app_state"].model.preset == "llama-3.1-8b"
    assert any("could not be restored" in w.value for w in bad.warning)


def test_sidebar_tp_applies_to_visited_pages_unless_set_there() -> None:
    at = _run(AppTest.from_file(APP, default_timeout=120))
    _run(at.switch_page("quick_memory.py"))
    assert at.session_state["app_state"].pages["quick_memory"].tp == 1
    _run(at.switch_page("overview.py"))
    at.sidebar.number_input(key="sb_tp").set_value(2)
    _run(at)
    _run(at.switch_page("quick_memory.py"))
    assert at.number_input(key="quick_memory__tp").value == 2  # followed the sidebar
    at.number_input(key="quick_memory__tp").set_value(4)
    _run(at)  # set on the page: now the page's own
    at.sidebar.number_input(key="sb_tp").set_value(8)
    _run(at)
    assert at.number_input(key="quick_memory__tp").value == 4
    assert any("overrides the sidebar" in c.value for c in at.caption)
    assert at.query_params["pinned"] == "tp" and at.query_params["sb_tp"] == "8"


@pytest.mark.parametrize("page", ["experts_calculation", "host_bandwidth"])
def test_offload_pages_offer_a_moe_model_on_a_dense_one(page) -> None:
    at = _run(AppTest.from_file(str(DASHBOARD_DIR / f"{page}.py"), default_timeout=120))
    assert not at.session_state["app_state"].model.preset.startswith("qwen3-30b")
    at.button(key=f"{page}__try_qwen3-30b-a3b").click()
    _run(at)
    assert at.session_state["app_state"].model.preset == "qwen3-30b-a3b"
    assert at.query_params["model"] == "qwen3-30b-a3b"
    assert not any(b.key and "__try_" in b.key for b in at.button)  # a MoE model: no offer any more
