"""AppTest interaction tests of the MMA / GEMM tile modeler page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.plots_kernels import gemm_levels_chart, gemm_throughput_chart
from dashboard.state.mma_modeler_app import MmaInputs

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "mma_modeler_app.py")
P = "mma_modeler_app"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


def _num(s: str) -> float:
    return float(s.replace(",", "").rstrip("%"))


def _df(at: AppTest, col: str):
    return next(d.value for d in at.dataframe if col in d.value.columns)


def test_defaults_and_levels_table() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    m = _metrics(at)
    assert (
        _num(m["Tile model (TFLOP/s)"]) > 500 and _num(m["Waves (tiles ÷ SMs)"]) == 6
    )  # 16·24 = 384… ×2 = 768 tiles / 132
    levels = _df(at, "level")
    assert list(levels.level) == ["tensor cores", "registers", "shared_memory", "l2", "hbm"]
    assert any("Bottleneck: **compute**" in i.value for i in at.info)
    # defaults match the llama8b_qkv weight shape, so H200 points are overlaid
    measured = _df(at, "measured_tflops")
    assert len(measured) == 15 and set(measured.N) == {6144}
    assert len(at.get("plotly_chart")) == 3
    assert at.query_params["m"] == "4096"


def test_larger_tile_raises_l2_intensity_and_small_m_is_memory_bound() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    ai = _num(_metrics(at)["FLOP / L2 byte"])
    at.number_input(key=f"{P}__wg_n").set_value(128)
    _run(at)
    at.number_input(key=f"{P}__block_n").set_value(128)
    _run(at)
    assert at.session_state["app_state"].pages[P].block_n == 128
    assert _num(_metrics(at)["FLOP / L2 byte"]) < ai
    at.number_input(key=f"{P}__m").set_value(1)
    _run(at)
    assert any("Bottleneck: **hbm**" in i.value for i in at.info)
    sweep = _df(at, "split_k")
    # small M streams the weights (HBM); at large M the 128×128 tile is fed by shared memory at its limit
    assert sweep.bottleneck.iloc[0] == "hbm" and sweep.bottleneck.iloc[-1] in ("compute", "shared_memory")
    assert list(sweep.tflops) == sorted(sweep.tflops)  # throughput grows with M


def test_measured_shape_fp8_and_validation() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.selectbox(key=f"{P}__shape").set_value("llama70b_tp8_o")
    at.selectbox(key=f"{P}__dtype").set_value("fp8")
    at.number_input(key=f"{P}__block_k").set_value(128)
    _run(at)
    measured = _df(at, "measured_tflops")
    assert set(measured.N) == {8192} and set(measured.K) == {1024} and len(measured) == 11
    assert measured.measured_over_model.between(0.5, 1.35).all()
    # more stages than fit: modelled with the stages that fit (228 KiB / (256+256)·128·1 B = 3), with a warning
    at.number_input(key=f"{P}__stages").set_value(8)
    at.number_input(key=f"{P}__block_m").set_value(256)
    _run(at)
    assert any("modelled with 3" in w.value for w in at.warning)
    # not even one stage fits → a clear error, not a traceback
    at.number_input(key=f"{P}__block_k").set_value(512)
    _run(at)
    assert any("shared memory" in e.value for e in at.error)
    # a warp-group tile that does not divide the CTA tile is rejected and the last valid value kept
    at.number_input(key=f"{P}__wg_m").set_value(96)
    _run(at)
    assert any("must divide" in e.value for e in at.error)
    assert at.session_state["app_state"].pages[P].wg_m == 64


def test_hbm_cap_and_missing_microarch() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    t1 = _num(_metrics(at)["Time (µs)"])
    at.number_input(key=f"{P}__hbm_gb_s").set_value(200.0)
    _run(at)
    assert any("Bottleneck: **hbm**" in i.value for i in at.info)
    assert _num(_metrics(at)["Time (µs)"]) > 2 * t1
    at.session_state["app_state"].hardware.preset = "mi300x"
    _run(at)
    assert any("smem_bytes_per_clk_per_sm" in e.value for e in at.error)


def test_inputs_and_figures() -> None:
    with pytest.raises(ValueError, match="sweep_dim"):
        MmaInputs(sweep_dim="x")
    with pytest.raises(ValueError, match="l2_hit_rate"):
        MmaInputs(l2_hit_rate=1.5)
    fig = gemm_throughput_chart([1, 2], [1.0, 2.0], xaxis="M", peak_tflops=10.0, measured={"h200": ([1], [0.9])})
    assert [t.name for t in fig.data] == ["model", "h200", "tensor peak 10"] and fig.layout.xaxis.type == "log"
    assert list(fig.data[2].y) == [10.0, 10.0] and list(fig.data[2].x) == [1.0, 2.0]
    fig2 = gemm_levels_chart([1, 2], {"hbm": [2.0, None], "l2": [None, None]}, xaxis="M")
    assert len(fig2.data) == 3 and fig2.data[2].name == "1 = saturated"
