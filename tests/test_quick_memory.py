"""Quick memory page (AppTest): hand-computed KV bytes per token for GQA, replicated KV heads,
MLA and sliding windows; TP halves weights; fp8 KV doubles max tokens; fit alerts; persistence."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.plots_estimation import memory_stack_figure
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.services.estimation import sidebar_defaults
from dashboard.state.quick_memory import QuickMemoryInputs
from dashboard.state.session import Settings

PAGE = str(DASHBOARD_DIR / "quick_memory.py")
APP = str(DASHBOARD_DIR / "app.py")
K = "quick_memory__"
GIB = 2**30


def _run(target) -> AppTest:
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page() -> AppTest:
    return _run(AppTest.from_file(PAGE, default_timeout=120))


def _metric(at, label: str) -> float:
    for m in at.metric:
        if m.label == label:
            return float(m.value.replace(",", ""))
    raise KeyError(label)


def _components(at) -> dict[str, float]:
    df = at.dataframe[0].value
    return dict(zip(df.component, df.GiB, strict=True))


def test_defaults_llama_8b_hand_computed() -> None:
    at = _page()
    # all 8.03 B parameters in bf16 on one GPU
    assert _metric(at, "Weights / GPU (GiB)") == pytest.approx(  # 4 significant digits on the card
        load_model("llama-3.1-8b").total_params() * 2 / GIB, rel=5e-4
    )
    # GQA: 2 (K, V) · 8 KV heads · head_dim 128 · 2 B · 32 layers = 131072 B = 128 KiB
    assert _metric(at, "KV / token / GPU (KiB)") == 128.0
    comp = _components(at)
    # H200 141 GiB, 10 % reserved
    assert comp["reserved"] == pytest.approx(14.1)
    assert comp["runtime"] == pytest.approx(1.5)
    budget = 141 * 0.9 - comp["weights"] - comp["activations"] - 1.5
    assert _metric(at, "Max KV tokens / GPU") == pytest.approx(budget * GIB / 131072, abs=1)
    assert _metric(at, "Max sequences @ context") == int(budget * GIB // (131072 * 8192))
    assert sum(comp.values()) == pytest.approx(141.0)
    assert at.success and not at.warning and not at.error
    assert len(at.get("plotly_chart")) == 2
    assert {b.label for b in at.download_button} >= {"Download table (CSV)", "Download inputs + outputs (JSON)"}


def test_doubling_tp_halves_weights_and_kv_per_token() -> None:
    at = _page()
    w1, kv1 = _metric(at, "Weights / GPU (GiB)"), _metric(at, "KV / token / GPU (KiB)")
    _run(at.number_input(key=K + "tp").set_value(2))
    assert _metric(at, "Weights / GPU (GiB)") == pytest.approx(w1 / 2, rel=0.005)
    assert _metric(at, "KV / token / GPU (KiB)") == kv1 / 2
    # TP 16 > 8 KV heads: each GPU keeps one (replicated) KV head → 2 · 1 · 128 · 2 B · 32 = 16 KiB
    _run(at.number_input(key=K + "tp").set_value(16))
    assert _metric(at, "KV / token / GPU (KiB)") == 16.0
    assert "replicated" in " ".join(c.value for c in at.caption)
    assert at.query_params["tp"] == "16"


def test_fp8_kv_doubles_max_tokens_and_weight_dtype_shrinks_weights() -> None:
    at = _page()
    tok_bf16, seq_bf16 = _metric(at, "Max KV tokens / GPU"), _metric(at, "Max sequences @ context")
    _run(at.selectbox(key=K + "kv_dtype").set_value("fp8"))
    assert _metric(at, "KV / token / GPU (KiB)") == 64.0
    assert _metric(at, "Max KV tokens / GPU") == pytest.approx(2 * tok_bf16, abs=1)
    assert _metric(at, "Max sequences @ context") in (2 * seq_bf16, 2 * seq_bf16 + 1)
    w = _metric(at, "Weights / GPU (GiB)")
    _run(at.selectbox(key=K + "weight_dtype").set_value("fp8"))
    # linear layers to 1 byte; embeddings, lm_head and norms stay bf16 (2 · 128256 · 4096 · 2 B = 1.957 GiB)
    assert _metric(at, "Weights / GPU (GiB)") == pytest.approx((w - 1.957) / 2 + 1.957, abs=0.01)
    assert _metric(at, "Max KV tokens / GPU") > 2 * tok_bf16


def test_mla_and_sliding_window_from_the_shared_model() -> None:
    at = _page()
    _run(at.sidebar.selectbox(key="sb_model_preset").set_value("deepseek-v3"))
    # MLA: (kv_lora_rank 512 + rope 64) · 2 B · 61 layers = 70272 B = 68.625 KiB, independent of TP
    assert _metric(at, "KV / token / GPU (KiB)") == pytest.approx(68.625, rel=5e-4)  # card: 68.63
    assert "MLA" in " ".join(c.value for c in at.caption)
    assert at.error  # 671 B parameters do not fit one GPU: an alert, not an exception
    _run(at.number_input(key=K + "tp").set_value(8))
    assert _metric(at, "KV / token / GPU (KiB)") == pytest.approx(68.625, rel=5e-4)  # card: 68.63
    _run(at.number_input(key=K + "ep").set_value(8))
    _run(at.selectbox(key=K + "weight_dtype").set_value("fp8"))
    assert not at.error
    # gpt-oss-20b: half the layers keep at most a 128-token window, so KV per token falls with context
    _run(at.sidebar.selectbox(key="sb_model_preset").set_value("gpt-oss-20b"))
    _run(at.number_input(key=K + "tp").set_value(1))
    _run(at.number_input(key=K + "ep").set_value(1))
    _run(at.number_input(key=K + "context").set_value(128))
    short = _metric(at, "KV / token / GPU (KiB)")
    # 24 layers · 2 · 8 KV heads · 64 · 2 B = 48 KiB at ≤ 128 tokens
    assert short == pytest.approx(48.0)
    _run(at.number_input(key=K + "context").set_value(131072))
    assert _metric(at, "KV / token / GPU (KiB)") == pytest.approx(24.0 + 24.0 * 128 / 131072, rel=1e-3)
    assert "Sliding window" in " ".join(c.value for c in at.caption)


def test_alerts_low_headroom_and_no_fit() -> None:
    at = _page()
    _run(at.checkbox(key=K + "custom_hbm").check())
    assert at.number_input(key=K + "hbm_capacity_gib").value == pytest.approx(141.0)
    # 21 GiB · 0.9 − 17.14 GiB (weights + workspace + runtime) = 1.76 GiB ≈ 9 % of usable: one 1-GiB sequence fits
    _run(at.number_input(key=K + "hbm_capacity_gib").set_value(21.0))
    assert at.warning and "Low headroom" in at.warning[0].value and not at.error
    _run(at.number_input(key=K + "hbm_capacity_gib").set_value(16.0))
    assert at.error and "Does not fit" in at.error[0].value
    assert _metric(at, "Max sequences @ context") == 0
    # extreme inputs: an answer, never an exception
    _run(at.number_input(key=K + "hbm_capacity_gib").set_value(100000.0))
    _run(at.number_input(key=K + "context").set_value(16_000_000))
    _run(at.slider(key=K + "reserved_fraction").set_value(0.95))
    _run(at.number_input(key=K + "dp").set_value(1024))  # ParallelConfig.dp's declared maximum
    assert _metric(at, "Sequences (all DP)") == 1024 * _metric(at, "Max sequences @ context")


def test_invalid_layout_shows_an_error() -> None:
    at = _page()
    _run(at.number_input(key=K + "tp").set_value(3))
    assert any("tp=3" in e.value for e in at.error)
    with pytest.raises(ValueError, match="kv_dtype"):
        QuickMemoryInputs(kv_dtype="fp6")
    with pytest.raises(ValueError, match="reserved_fraction"):
        QuickMemoryInputs(reserved_fraction=1.0)


def test_sidebar_defaults_persistence_and_url() -> None:
    assert sidebar_defaults(QuickMemoryInputs, Settings(tp=4, kv_dtype="fp8"), {"tp"}) == {
        "ep": 1,
        "weight_dtype": "bf16",
        "kv_dtype": "fp8",
    }
    nav = _run(AppTest.from_file(APP, default_timeout=120))
    _run(nav.switch_page("quick_memory.py"))
    _run(nav.selectbox(key=K + "kv_dtype").set_value("fp8"))
    _run(nav.switch_page("overview.py"))
    _run(nav.switch_page("quick_memory.py"))
    assert nav.selectbox(key=K + "kv_dtype").value == "fp8"
    assert _metric(nav, "KV / token / GPU (KiB)") == 64.0
    url = AppTest.from_file(PAGE, default_timeout=120)
    url.query_params["kv_dtype"] = "fp8"
    url.query_params["context"] = "4096"
    _run(url)
    v = url.session_state["app_state"].pages["quick_memory"]
    assert (v.kv_dtype, v.context) == ("fp8", 4096)


def test_memory_stack_figure() -> None:
    fig = memory_stack_figure({"weights": 10.0, "kv": 50.0, "reserved": 8.0}, 80.0, 72.0, title="x")
    assert [tr.name for tr in fig.data] == ["weights", "kv", "reserved"]
    assert [tr.x[0] for tr in fig.data] == [10.0, 50.0, 8.0]
    assert fig.layout.barmode == "stack"
    assert sorted(s.x0 for s in fig.layout.shapes) == [72.0, 80.0]
