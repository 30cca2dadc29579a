"""AppTest interaction tests of the attention-vs-head_dim page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.plots_kernels import attention_component_chart
from dashboard.state.attention_vs_head_dim import AttentionInputs

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "attention_vs_head_dim.py")
P = "attention_vs_head_dim"


def _metrics(at: AppTest) -> dict[str, float]:
    return {m.label: float(str(m.value).replace(",", "").rstrip("%")) for m in at.metric}


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sweep(at: AppTest):
    return next(df.value for df in at.dataframe if "head_dim" in df.value.columns and "kernel_us" in df.value.columns)


def test_defaults_render_table_charts_and_hot_stage() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    m = _metrics(at)
    assert m["Kernel time (µs)"] > 0 and 100 < m["Effective TFLOP/s"] < 1100
    assert any("Hot stage at head_dim 128" in i.value for i in at.info)
    sweep = _sweep(at)
    assert list(sweep.head_dim) == [64, 96, 128, 192, 256]
    # head count fixed: matmul FLOPs ∝ d, exponentials independent of d
    assert sweep.qk_gemm_ops.iloc[-1] / sweep.qk_gemm_ops.iloc[0] == pytest.approx(4.0)
    assert sweep.softmax_exp_ops.nunique() == 1
    assert len(at.get("plotly_chart")) >= 3
    assert len(at.download_button) >= 3
    assert at.query_params["seq_len"] == "8192"
    # H200 is the default hardware: the measured-vs-model table is there
    assert any("measured_tflops" in df.value.columns for df in at.dataframe)


def test_doubling_sequence_quadruples_time_and_flops() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    t1 = _metrics(at)["Kernel time (µs)"]
    f1 = _sweep(at).qk_gemm_ops.iloc[2]
    at.number_input(key=f"{P}__seq_len").set_value(16384)
    _run(at)
    assert _metrics(at)["Kernel time (µs)"] / t1 == pytest.approx(4.0, rel=0.05)
    assert _sweep(at).qk_gemm_ops.iloc[2] / f1 == pytest.approx(4.0, rel=0.01)
    assert at.session_state["app_state"].pages[P].seq_len == 16384


def test_tiles_mask_and_fixed_hidden_mode() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    ai = _metrics(at)["Tensor FLOP / SMEM byte"]
    at.number_input(key=f"{P}__block_m").set_value(64)
    at.number_input(key=f"{P}__block_n").set_value(64)
    _run(at)
    assert _metrics(at)["Tensor FLOP / SMEM byte"] < ai  # smaller tiles → lower arithmetic intensity
    # one tile: L = Br = Bc = 64 wastes (64 − 1)/(2·64) = 49.2 %
    at.number_input(key=f"{P}__seq_len").set_value(64)
    _run(at)
    assert _metrics(at)["Causal tile waste"] == pytest.approx(49.2, abs=0.05)
    at.checkbox(key=f"{P}__causal").uncheck()
    _run(at)
    assert _metrics(at)["Causal tile waste"] == 0.0
    at.selectbox(key=f"{P}__sweep_mode").set_value("heads_fixed_hidden")
    _run(at)
    sweep = _sweep(at)
    assert list(sweep.head_dim) == [64, 128, 256]  # 96 and 192 do not divide 4096
    assert sweep.qk_gemm_ops.nunique() == 1  # H·d fixed → matmul FLOPs fixed
    assert sweep.softmax_exp_ops.iloc[0] == 4 * sweep.softmax_exp_ops.iloc[-1]  # exps ∝ H
    assert any("skipped" in w.value for w in at.warning)


def test_override_bad_input_and_missing_microarch() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    t1 = _metrics(at)["Kernel time (µs)"]
    detail = next(df.value for df in at.dataframe if "component" in df.value.columns)
    qk = float(detail[detail.component == "qk_gemm"].ops.iloc[0])
    at.number_input(key=f"{P}__override_qk_gemm").set_value(3 * qk)
    _run(at)
    assert _metrics(at)["Kernel time (µs)"] > 1.5 * t1
    detail = next(df.value for df in at.dataframe if "component" in df.value.columns)
    assert bool(detail[detail.component == "qk_gemm"].overridden.iloc[0])
    at.text_input(key=f"{P}__head_dims").input("64, abc")
    _run(at)
    assert any("not a number" in e.value for e in at.error)
    assert at.session_state["app_state"].pages[P].head_dims == (64, 96, 128, 192, 256)
    at.session_state["app_state"].hardware.preset = "mi300x"
    _run(at)
    assert any("sfu_ops_per_clk_per_sm" in e.value for e in at.error)


def test_inputs_validate_and_figure_builder() -> None:
    with pytest.raises(ValueError, match="multiple of 16"):
        AttentionInputs(block_m=100)
    with pytest.raises(ValueError, match="overlap"):
        AttentionInputs(overlap=1.5)
    fig = attention_component_chart(
        [64, 128],
        {"qk_gemm": [1.0, 2.0], "softmax_exp": [2.0, 2.0]},
        title="t",
        xaxis="d",
        yaxis="µs",
        hot="softmax_exp",
        total=[3.0, 4.0],
    )
    assert [tr.name for tr in fig.data] == ["qk_gemm", "softmax_exp", "kernel total"]
    assert fig.data[1].line.width == 5
