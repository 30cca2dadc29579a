"""The calibration page under AppTest: default fit, bad upload keeps the last good fit, register, methods."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.common.plots_calibration import predicted_vs_measured, residual_plot
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.services.calibration_io import REFERENCE_DIR, STEP_COLUMNS

PAGE = str(DASHBOARD_DIR / "regression_calibration.py")
UP = "regression_calibration__upload"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _pct(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_default_fit_bad_upload_keeps_last_fit_and_register() -> None:
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    assert _pct(m["Leave-one-out MAPE"]) <= 0.05
    assert _pct(m["MAPE (spec-sheet profile)"]) > _pct(m["MAPE (calibrated)"])  # shown side by side
    assert len(at.get("plotly_chart")) == 2
    good = dict(m)

    bad = ",".join(STEP_COLUMNS).replace("latency_ms", "latency") + "\nllama3.1-8b,H200,1,bf16,1,8,0,0,0,1\n"
    at.file_uploader(key=UP).set_value(("bad.csv", bad.encode(), "text/csv")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("bad.csv: missing column(s) latency_ms" in e and "'latency' → 'latency_ms'" in e for e in errors), errors
    assert any("last good fit" in i.value for i in at.info)
    assert _metrics(at) == good  # the previous fit is still on screen

    at.button(key="regression_calibration__register").click().run()
    assert not at.exception
    hw = at.session_state["app_state"].hardware
    assert hw.preset.startswith("custom:") and "calibrated" in hw.preset
    assert hw.custom[hw.preset[7:]]["kind"] == "calibrated"
    assert any("Registered" in s.value for s in at.success)


def test_uploaded_tsv_and_method_switch() -> None:
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    lines = (REFERENCE_DIR / "steps_llama3.1-8b.csv").read_text().splitlines()
    tsv = "\n".join(ln.replace(",", "\t") for ln in lines[:13]) + "\n"  # 12 prefill + decode rows
    at.checkbox(key="regression_calibration__loo").set_value(False).run()
    at.file_uploader(key=UP).set_value(("part.tsv", tsv.encode(), "text/tab-separated-values")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert _metrics(at)["Leave-one-out MAPE"] == "–"
    at.selectbox(key="regression_calibration__method").set_value("linear").run()
    assert not at.exception
    assert _pct(_metrics(at)["MAPE (calibrated)"]) < 0.2
    assert at.session_state["app_state"].pages["regression_calibration"].method == "linear"


def test_figures_colour_by_phase() -> None:
    rows = [
        {
            "phase": "prefill",
            "latency_ms": 10.0,
            "predicted_ms": 11.0,
            "rel_error": 0.1,
            "baseline_ms": 9.0,
            "baseline_rel_error": -0.1,
            "loo_rel_error": 0.12,
            "model": "m",
            "row": 1,
            "prefill_seqs": 1,
            "prefill_len": 512,
        },
        {
            "phase": "decode",
            "latency_ms": 5.0,
            "predicted_ms": 5.0,
            "rel_error": 0.0,
            "baseline_ms": 4.0,
            "baseline_rel_error": -0.2,
            "loo_rel_error": 0.01,
            "model": "m",
            "row": 2,
            "decode_seqs": 8,
            "decode_context": 1024,
        },
        {
            "phase": "mixed",
            "latency_ms": 7.0,
            "predicted_ms": 6.3,
            "rel_error": -0.1,
            "baseline_ms": 7.7,
            "baseline_rel_error": 0.1,
            "loo_rel_error": -0.11,
            "model": "m",
            "row": 3,
            "prefill_seqs": 2,
            "prefill_len": 256,
            "prefix_len": 1024,
            "decode_seqs": 4,
            "decode_context": 2048,
        },
    ]
    fig = predicted_vs_measured(rows, baseline_name="h200 spec")
    names = [t.name for t in fig.data]
    assert names[:2] == ["prefill (calibrated)", "prefill (h200 spec)"] and "mixed (calibrated)" in names
    assert names[-1] == "y = x" and fig.layout.xaxis.type == "log"
    res = residual_plot(rows)
    mixed = next(t for t in res.data if t.name == "mixed (calibrated)")
    assert list(mixed.y) == [-10.0] and "2×256 after 1024 + 4 dec @2048" in mixed.text[0]


def test_model_mapping_text_maps_unknown_names() -> None:
    at = AppTest.from_file(PAGE, default_timeout=180).run()
    at.checkbox(key="regression_calibration__loo").set_value(False).run()
    lines = (REFERENCE_DIR / "steps_llama3.1-8b.csv").read_text().splitlines()
    renamed = "\n".join(ln.replace("llama3.1-8b", "my-net") for ln in lines) + "\n"
    at.file_uploader(key=UP).set_value(("renamed.csv", renamed.encode(), "text/csv")).run()
    assert any("unknown model name(s) in column model: 'my-net'" in e.value for e in at.error)
    at.text_input(key="regression_calibration__models").input("my-net=sidebar").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert _pct(_metrics(at)["MAPE (calibrated)"]) < 0.03
    at.text_input(key="regression_calibration__models").input("my-net").run()
    assert any("expected NAME=PRESET" in e.value for e in at.error)
