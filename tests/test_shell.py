"""The shared shell: sidebar state, bad model JSON, hardware edits, language, persistence, query params."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.actions import settings as act
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.state.session import SessionState

OVERVIEW = str(DASHBOARD_DIR / "overview.py")
APP = str(DASHBOARD_DIR / "app.py")


def _metric(at, label: str) -> float:
    for m in at.metric:
        if m.label == label:
            return float(m.value.replace(",", ""))
    raise KeyError(label)


def _header(at) -> str:
    return " ".join(md.value for md in at.markdown)


def _fresh() -> AppTest:
    at = AppTest.from_file(OVERVIEW, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_model_preset_changes_numbers() -> None:
    at = _fresh()
    ttft_8b = _metric(at, "TTFT (ms)")
    at.sidebar.selectbox(key="sb_model_preset").set_value("llama-3.1-70b").run()
    assert "llama-3.1-70b" in _header(at)
    at.sidebar.number_input(key="sb_tp").set_value(4).run()
    assert not at.exception
    assert _metric(at, "TTFT (ms)") > ttft_8b


def test_invalid_model_json_keeps_last_valid_model() -> None:
    at = _fresh()
    at.sidebar.text_area(key="sb_model_json").input('{"hidden_size": oops').run()
    assert not at.exception
    assert any("Model JSON rejected" in w.value for w in at.warning)
    assert "llama-3.1-8b" in _header(at)
    assert _metric(at, "TTFT (ms)") > 0
    # the user's text is not lost
    assert at.session_state["app_state"].model.json_text == '{"hidden_size": oops'


def test_garbage_upload_is_rejected() -> None:
    at = _fresh()
    at.file_uploader(key="sb_model_upload").set_value(("config.json", b"\x00\xff not json", "application/json")).run()
    assert not at.exception
    assert any("Model JSON rejected" in w.value for w in at.warning)
    assert "llama-3.1-8b" in _header(at)
    good = (
        b'{"model_type": "llama", "hidden_size": 2048, "num_hidden_layers": 4, "num_attention_heads": 16, '
        b'"num_key_value_heads": 4, "intermediate_size": 5632, "vocab_size": 32000}'
    )
    at.file_uploader(key="sb_model_upload").set_value(("tiny.json", good, "application/json")).run()
    assert not at.exception
    assert at.session_state["app_state"].model.preset == "custom"
    assert "0.18 B params" in _header(at) or "B params" in _header(at)


def test_hardware_spec_edit_moves_latency() -> None:
    at = _fresh()
    tpot = _metric(at, "TPOT (ms)")
    at.sidebar.number_input(key="sb_spec_hbm_bandwidth_gb_s").set_value(2400.0).run()
    assert not at.exception
    assert _metric(at, "TPOT (ms)") > 1.6 * tpot  # decode is bandwidth-bound
    assert "(edited)" in _header(at)


def test_save_custom_profile_and_select_it() -> None:
    at = _fresh()
    at.sidebar.number_input(key="sb_spec_hbm_bandwidth_gb_s").set_value(4000.0).run()
    at.sidebar.text_input(key="sb_custom_name").input("my-h200").run()
    at.sidebar.button(key="sb_save_custom").click().run()
    assert not at.exception
    ss = at.session_state["app_state"]
    assert ss.hardware.preset == "custom:my-h200" and "my-h200" in ss.hardware.custom
    assert "my-h200" in _header(at)


def test_language_switch() -> None:
    at = _fresh()
    at.sidebar.radio(key="sb_language").set_value("zh").run()
    assert not at.exception
    assert "模型" in _header(at)


def test_inputs_survive_page_switch() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.number_input(key="overview__batch").set_value(16).run()
    at.switch_page("example_latency_inspector.py").run()
    assert not at.exception
    at.switch_page("overview.py").run()
    assert at.number_input(key="overview__batch").value == 16
    assert at.session_state["app_state"].pages["overview"].batch == 16


def test_query_params_select_model_hardware_and_inputs() -> None:
    at = AppTest.from_file(OVERVIEW, default_timeout=120)
    at.query_params["model"] = "qwen3-8b"
    at.query_params["hw"] = "B200"
    at.query_params["batch"] = "4"
    at.run()
    assert not at.exception
    assert "qwen3-8b" in _header(at) and "B200" in _header(at)
    assert at.number_input(key="overview__batch").value == 4
    at.number_input(key="overview__batch").set_value(8).run()
    assert at.query_params["batch"] == ["8"] or at.query_params["batch"] == "8"


def test_actions_validate_without_streamlit() -> None:
    ss = SessionState()
    assert act.update_settings(ss, tp=0) is not None and ss.settings.tp == 1
    assert act.update_settings(ss, kv_dtype="fp8") is None and ss.settings.kv_dtype == "fp8"
    assert act.select_hardware(ss, "nope") is not None and ss.hardware.preset == "h200"
    assert act.set_hardware_override(ss, "hbm_bandwidth_gb_s", -5.0) is not None
    assert act.set_hardware_override(ss, "hbm_bandwidth_gb_s", 3000.0) is None
    assert act.resolve_hardware(ss).hbm_bandwidth_gb_s == 3000.0
    assert act.select_model_preset(ss, "mixtral-8x7b") is None and ss.model.preset == "mixtral-8x7b"
    assert ss.get("cfg_text").startswith("{")
