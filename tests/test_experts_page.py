"""AppTest interaction tests of dashboard/experts_calculation.py: change inputs, check the numbers move."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.features.offload import expert_bytes
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR

PAGE = str(DASHBOARD_DIR / "experts_calculation.py")
K = "experts_calculation__"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _num(at: AppTest, label: str, part: int = 0) -> float:
    return float(_metric(at, label).replace(",", "").split("/")[part])


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def _page(model: str) -> AppTest:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.selectbox(key=K + "moe_model").set_value(model)
    return _run(at)


def test_dense_model_gets_message_and_picker() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    assert "not an MoE model" in _texts(at.warning)
    assert not at.metric
    opts = at.selectbox(key=K + "moe_model").options
    for name in ("DeepSeek-V3", "Qwen3-30B-A3B", "Mixtral-8x7B", "gpt-oss-120b"):
        assert any(name.lower() in o.lower() for o in opts), (name, opts)
    assert not any("Llama" in o for o in opts)


def test_sidebar_moe_model_is_the_default() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.sidebar.selectbox(key="sb_model_preset").set_value("mixtral-8x7b")
    _run(at)
    # Mixtral expert in bf16: 3 · 4096 · 14336 · 2 B = 352.3 MB; 6.67 ms at 52.8 GB/s
    assert _num(at, "Expert shard / GPU (MB)") == pytest.approx(
        expert_bytes(load_model("mixtral-8x7b"), "bf16") / 1e6, abs=0.05
    )
    assert _num(at, "Load time / expert (ms)") == pytest.approx(352.321536 / 52.8, abs=0.001)
    assert "PASS" in _texts(at.success)


def test_verdict_flips_with_the_budget() -> None:
    at = _page("qwen3-30b-a3b")
    assert "PASS" in _texts(at.success)
    assert "the window covers one step's fetches" in _texts(at.markdown)  # everything resident: nothing to fetch
    step = _num(at, "Offload step (ms)")
    at.number_input(key=K + "sla_ms").set_value(round(step / 2, 3))
    _run(at)
    assert "FAIL" in _texts(at.error) and not at.success


def test_deepseek_offload_numbers_move_the_right_way() -> None:
    at = _page("deepseek-v3")
    # checkpoint format fp8: 3 · 7168 · 2048 B = 44.04 MB per expert
    assert _num(at, "Expert shard / GPU (MB)") == pytest.approx(44.0, abs=0.05)
    assert "FAIL" in _texts(at.error)
    resident = _num(at, "Resident experts / layer")
    assert 0 < resident < 256
    assert "window is shorter than one step's fetches" in _texts(at.markdown)
    at.number_input(key=K + "gpus_per_socket").set_value(1)
    _run(at)
    load1 = _num(at, "Load time / expert (ms)")
    step1 = _num(at, "Offload step (ms)")
    win1 = _num(at, "Experts per window (GPU / engine)")
    at.number_input(key=K + "link_gb_s").set_value(128.0)  # doubled PCIe
    _run(at)
    assert _num(at, "Load time / expert (ms)") == pytest.approx(load1 / 2, rel=0.01)
    assert _num(at, "Offload step (ms)") < step1
    assert _num(at, "Experts per window (GPU / engine)") >= 2 * win1 - 1
    at.number_input(key=K + "window_ms").set_value(40.0)  # 4× the window
    _run(at)
    assert _num(at, "Experts per window (GPU / engine)") >= 8 * win1 - 4
    at.number_input(key=K + "batch").set_value(256)  # more KV → fewer experts fit
    _run(at)
    assert _num(at, "Resident experts / layer") < resident
    at.number_input(key=K + "ep_size").set_value(8)  # EP 8: the engine holds more experts per layer
    _run(at)
    assert _num(at, "Resident experts / layer") > resident
    assert _num(at, "Experts per window (GPU / engine)", 1) == 8 * _num(at, "Experts per window (GPU / engine)")
    assert at.query_params["ep_size"] == "8"
    assert "ep" not in at.query_params or at.query_params["ep"] != "8"  # the sidebar's EP is untouched


def test_invalid_layout_and_extremes_show_messages() -> None:
    at = _page("qwen3-30b-a3b")
    at.number_input(key=K + "tp_size").set_value(3)  # 32 heads are not divisible by 3
    _run(at)
    assert "tp=3" in _texts(at.error)
    at.number_input(key=K + "tp_size").set_value(1)
    for key, value in (
        ("batch", 65_536),
        ("context", 2_000_000),
        ("window_ms", 1e6),
        ("prefetch_window", 1_000),
        ("link_efficiency", 0.01),
        ("zipf_exponent", 5.0),
        ("reserved_fraction", 0.9),
    ):
        at.number_input(key=K + key).set_value(value)
    at.checkbox(key=K + "pinned").set_value(False)
    _run(at)
    assert "no room for any expert" in _texts(at.error)
    at.number_input(key=K + "batch").set_value(1)
    at.number_input(key=K + "context").set_value(1)
    at.number_input(key=K + "window_ms").set_value(0.001)
    _run(at)
    assert _num(at, "Experts per window (GPU / engine)") == 0
    assert len(at.get("plotly_chart")) == 2
    assert at.download_button(key="ex_json") is not None


def test_dp_replicas_share_the_host_ddr() -> None:
    at = _page("qwen3-235b-a22b")
    at.number_input(key=K + "link_gb_s").set_value(128.0)  # 105.6 GB/s effective PCIe
    _run(at)
    assert _metric(at, "Host path bottleneck") == "PCIe"
    assert _num(at, "Host → GPU (GB/s)") == pytest.approx(105.6, abs=0.05)
    at.number_input(key=K + "dp_size").set_value(4)  # 4 GPUs stream from one socket: 307.2 × 0.75 / 4
    _run(at)
    assert _metric(at, "Host path bottleneck").startswith("host DDR")
    assert _num(at, "Host → GPU (GB/s)") == pytest.approx(57.6, abs=0.05)
    at.number_input(key=K + "dp_size").set_value(64)  # capped at the auto 4 GPUs per socket
    _run(at)
    assert _num(at, "Host → GPU (GB/s)") == pytest.approx(57.6, abs=0.05)
