"""AppTest interaction tests of dashboard/host_bandwidth.py: change inputs, check the numbers move."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.page_registry import DASHBOARD_DIR

PAGE = str(DASHBOARD_DIR / "host_bandwidth.py")
K = "host_bandwidth__"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _num(at: AppTest, label: str) -> float:
    return float(_metric(at, label).replace(",", "").replace("×", "").split("/")[0])


def _frame(at: AppTest, column: str):
    """The first table with ``column`` (AppTest does not expose dataframe keys)."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}")


def _channels(at: AppTest):
    return {row["channel"]: row for row in _frame(at, "utilisation_pct").to_dict(orient="records")}


@pytest.fixture
def moe() -> AppTest:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.selectbox(key="sb_model_preset").set_value("qwen3-30b-a3b")
    return _run(at)


def test_dense_model_prices_only_kv_writeback() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    assert any("not an MoE model" in i.value for i in at.info)
    assert _metric(at, "Cold experts / layer") == "0.0"
    assert _metric(at, "Inflation") == "×1.00"
    ch = _channels(at)
    assert ch["PCIe"]["h2d_MB"] == 0 and ch["PCIe"]["d2h_MB"] > 0  # the KV write-back
    assert len(at.get("plotly_chart")) >= 3
    assert at.download_button(key="hb_channels_csv") is not None
    assert at.download_button(key="hb_json") is not None


def test_doubling_pcie_halves_transfer_time(moe: AppTest) -> None:
    at = moe
    at.number_input(key=K + "gpus_per_socket").set_value(1)  # DDR share 230 GB/s: PCIe is the bottleneck
    _run(at)
    assert _metric(at, "Bottleneck") == "PCIe"
    t1 = _channels(at)["PCIe"]["time_ms"]
    step1 = _num(at, "Offload step (ms)")
    assert t1 > 0 and any("Bottleneck: PCIe" in w.value for w in at.warning)
    at.number_input(key=K + "link_gb_s").set_value(128.0)
    _run(at)
    t2 = _channels(at)["PCIe"]["time_ms"]
    assert t2 == pytest.approx(t1 / 2, rel=1e-6)
    assert _num(at, "Offload step (ms)") < step1
    assert at.query_params["link_gb_s"] == "128.0"


def test_more_resident_experts_lower_cold_bytes(moe: AppTest) -> None:
    at = moe
    seen = []
    for h in (0, 32, 96, 128):
        at.number_input(key=K + "resident_experts").set_value(h)
        _run(at)
        seen.append((_num(at, "H2D per step (GB)"), _num(at, "Offload step (ms)")))
    h2d = [s[0] for s in seen]
    steps = [s[1] for s in seen]
    assert h2d == sorted(h2d, reverse=True) and h2d[0] > h2d[1] > h2d[2] > 0
    assert steps == sorted(steps, reverse=True)
    assert h2d[-1] == 0 and _metric(at, "Inflation") == "×1.00"
    assert any("Transfers hidden" in s.value for s in at.success)


def test_pageable_memory_is_slower(moe: AppTest) -> None:
    at = moe
    step_pinned = _num(at, "Offload step (ms)")
    at.checkbox(key=K + "pinned").set_value(False)
    _run(at)
    assert _num(at, "Offload step (ms)") > 2 * step_pinned
    assert _metric(at, "Bottleneck") in ("CPU staging copy (pageable)", "host DDR (1/4 socket)")


def test_skew_and_histogram(moe: AppTest) -> None:
    at = moe
    at.selectbox(key=K + "popularity").set_value("uniform")
    _run(at)
    cold_uniform = _num(at, "Cold experts / layer")
    at.selectbox(key=K + "popularity").set_value("zipf")
    at.number_input(key=K + "zipf_exponent").set_value(2.0)
    _run(at)
    assert _num(at, "Cold experts / layer") < cold_uniform  # the hot set catches most tokens
    at.selectbox(key=K + "popularity").set_value("histogram")
    _run(at)
    at.text_input(key=K + "histogram").set_value("1, x")
    _run(at)
    assert any("not a number" in e.value for e in at.error)
    at.text_input(key=K + "histogram").set_value("100, 1, 1, 1")
    _run(at)
    assert not any("not a number" in e.value for e in at.error)
    assert _num(at, "Cold experts / layer") < cold_uniform


def test_batch_sweep_and_query_params() -> None:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["batch"] = "7"
    at.query_params["resident_experts"] = "5"
    _run(at)
    assert at.number_input(key=K + "batch").value == 7
    assert at.number_input(key=K + "resident_experts").value == 5
    at.text_input(key=K + "batch_sweep").set_value("1, 4, 16")
    _run(at)
    sweep = _frame(at, "offload_tok_s")
    assert list(sweep.batch) == [1, 4, 16]
    assert (sweep.offload_tok_s <= sweep.baseline_tok_s * (1 + 1e-9)).all()
    assert at.query_params["batch_sweep"] == "1,4,16"
    for bad in ("0, -3", "inf", "1e400, 2", "x"):
        at.text_input(key=K + "batch_sweep").set_value(bad)
        _run(at)
        assert at.error, bad  # rejected, previous sweep kept
    assert list(_frame(at, "offload_tok_s").batch) == [1, 4, 16]


def test_extreme_inputs_do_not_raise(moe: AppTest) -> None:
    at = moe
    for key, value in (
        ("batch", 65_536),
        ("context", 2_000_000),
        ("prefetch_window", 0),
        ("link_efficiency", 0.01),
        ("ddr_efficiency", 0.01),
        ("pageable_factor", 0.01),
        ("kv_writeback_ratio", 1.0),
        ("resident_experts", 0),
        ("zipf_exponent", 5.0),
    ):
        at.number_input(key=K + key).set_value(value)
    at.selectbox(key=K + "phase").set_value("prefill")
    at.checkbox(key=K + "pinned").set_value(False)
    at.checkbox(key=K + "full_duplex").set_value(False)
    _run(at)
    assert float(_metric(at, "Offload step (ms)").replace(",", "")) > 0
    at.selectbox(key=K + "link").set_value("c2c")  # H200 has no NVLink-C2C: a clear error
    _run(at)
    assert any("C2C" in e.value for e in at.error)
    at.sidebar.selectbox(key="sb_hw_preset").set_value("gb200")
    _run(at)
    assert _channels(at).get("NVLink-C2C") is not None


def test_per_layer_hide_or_stall_line(moe: AppTest) -> None:
    at = moe
    assert "stalls waiting for its experts" in " ".join(m.value for m in at.markdown)
    at.number_input(key=K + "link_gb_s").set_value(50_000.0)
    at.number_input(key=K + "ddr_gb_s").set_value(50_000.0)
    at.number_input(key=K + "gpus_per_socket").set_value(1)
    _run(at)
    assert "hides behind layer i" in " ".join(m.value for m in at.markdown)


def test_inputs_survive_page_switches() -> None:
    at = _run(AppTest.from_file(str(DASHBOARD_DIR / "app.py"), default_timeout=60))
    at.switch_page("host_bandwidth.py")
    _run(at)
    at.number_input(key=K + "resident_experts").set_value(77)
    at.number_input(key=K + "batch").set_value(48)
    _run(at)
    at.switch_page("overview.py")
    _run(at)
    at.switch_page("host_bandwidth.py")
    _run(at)
    assert at.number_input(key=K + "resident_experts").value == 77
    assert at.number_input(key=K + "batch").value == 48


def test_kv_cpu_tier_link_load_moves_with_rate_and_hit_rate():
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    kv = _frame(at, "link_share_pct")
    load = kv.iloc[1]["GB_s"]
    # default: 2 req/s × 4096 tokens × 0.5 from the CPU tier × 131,072 B/token (8B bf16 KV) = 0.537 GB/s
    assert load == pytest.approx(2 * 4096 * 0.5 * 131_072 / 1e9, rel=1e-6)
    at.number_input(key=K + "kv_tier_rate").set_value(4.0)
    _run(at)
    assert _frame(at, "link_share_pct").iloc[1]["GB_s"] == pytest.approx(2 * load, rel=1e-6)
    at.number_input(key=K + "kv_tier_hit").set_value(0.0)
    _run(at)
    assert _frame(at, "link_share_pct").iloc[1]["GB_s"] == 0.0
    assert _frame(at, "link_share_pct").iloc[2]["GB_s"] > 0  # write-back continues
