"""AppTest of the speculative-decoding section on the quick-estimation and simulator pages."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
QE = str(ROOT / "dashboard" / "quick_estimation.py")
SIM = str(ROOT / "dashboard" / "vllm_simulator_dashboard.py")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _num(text: str) -> float:
    return float(text.replace(",", "").replace("×", "").split("/")[0].strip())


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_quick_estimation_speculative_section() -> None:
    at = AppTest.from_file(QE, default_timeout=90).run()
    _ok(at)
    assert "TPOT with (ms)" not in _metrics(at)
    at.checkbox(key="quick_estimation_spec__spec_on").check().run()
    _ok(at)
    m = _metrics(at)
    # default Llama-3.1-8B, batch 1, EAGLE-3 k = 3 at α = 0.8: E = 2.952, TPOT drops by > 2×
    assert _num(m["Tokens per step E"]) == 2.952
    assert _num(m["TPOT with (ms)"]) < _num(m["TPOT without (ms)"]) / 2
    assert any("--speculative-config" in c.value for c in at.code)
    assert at.query_params["spec_on"] == "True"
    # α = 0: one token per step, slower than plain decoding
    at.text_input(key="quick_estimation_spec__spec_acceptance").set_value("0").run()
    _ok(at)
    m = _metrics(at)
    assert _num(m["TPOT speedup"]) < 1.0
    # bad input: one clear line, the previous value kept
    at.text_input(key="quick_estimation_spec__spec_acceptance").set_value("0.9, 1.7").run()
    _ok(at)
    assert any("spec_acceptance" in e.value for e in at.error)
    at.text_input(key="quick_estimation_spec__spec_acceptance").set_value("0.9, 0.8").run()
    _ok(at)
    assert any("spec_acceptance" in e.value for e in at.error)  # 2 rates for k = 3
    at.selectbox(key="quick_estimation_spec__spec_method").set_value("draft_model").run()
    at.selectbox(key="quick_estimation_spec__spec_draft").set_value("llama-3.1-70b").run()
    _ok(at)
    assert any("bigger than the target" in e.value for e in at.error)


def test_simulator_page_speculative_run() -> None:
    at = AppTest.from_file(SIM, default_timeout=120).run()
    _ok(at)
    at.checkbox(key="vllm_simulator_dashboard_spec__spec_on").check().run()
    _ok(at)
    m = _metrics(at)
    assert "TPOT p50, speculative (ms)" in m
    assert _num(m["TPOT p50, speculative (ms)"]) < _num(m["TPOT p50 (ms)"])
    assert any("Acceptance length realised" in c.value for c in at.caption)
