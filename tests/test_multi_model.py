"""Multi-model comparison: spec/table parsing, config overrides, and AppTest interactions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.plots_kernels import comparison_bars
from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.memory import weight_bytes_per_gpu
from dashboard.features.model_profile import ModelConfigError, parse_hf_config
from dashboard.features.parallel import ParallelConfig
from dashboard.features.presets import load_model, model_config
from dashboard.state.multi_model_dashboard import (
    ModelRow,
    MultiModelInputs,
    format_models_spec,
    override_config,
    parse_models_spec,
    rows_from_records,
)

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "multi_model_dashboard.py")
P = "multi_model_dashboard"
EDITOR = f"{P}__editor"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _results(at: AppTest):
    return next(d.value for d in at.dataframe if "ttft_ms" in d.value.columns)


def test_spec_roundtrip_and_errors() -> None:
    rows = parse_models_spec("llama-3.1-8b@batch=8; qwen3-8b@layers=24,tp=2")
    assert rows == (ModelRow("llama-3.1-8b", batch=8), ModelRow("qwen3-8b", layers=24, tp=2))
    assert format_models_spec(rows) == "llama-3.1-8b@batch=8;qwen3-8b@layers=24,tp=2"
    with pytest.raises(ValueError, match="key=value"):
        parse_models_spec("llama-3.1-8b@depth=3")
    with pytest.raises(ValueError, match="integer"):
        parse_models_spec("llama-3.1-8b@batch=x")
    with pytest.raises(ValueError, match="at least one"):
        MultiModelInputs(models=" ; ")
    assert rows_from_records(
        [{"model": "mistral-7b", "layers": float("nan"), "hidden": None, "batch": 4.0, "tp": None, "ep": None}]
    ) == (ModelRow("mistral-7b", batch=4),)
    assert parse_models_spec("qwen3-30b-a3b@ep=4") == (ModelRow("qwen3-30b-a3b", ep=4),)
    assert format_models_spec((ModelRow("qwen3-30b-a3b", ep=4),)) == "qwen3-30b-a3b@ep=4"
    with pytest.raises(ValueError, match="row 1: choose a model"):
        rows_from_records([{"model": None, "batch": 1}])
    with pytest.raises(ValueError, match="tp must be"):
        rows_from_records([{"model": "mistral-7b", "tp": 0}])


def test_override_config_edits_the_hf_dict() -> None:
    base = model_config("llama-3.1-8b")
    m = parse_hf_config(override_config(base, layers=16), name="x")
    full = load_model("llama-3.1-8b")
    assert m.num_hidden_layers == 16 and base["num_hidden_layers"] == 32  # the preset is not mutated
    per_layer = (full.total_params() - m.total_params()) / 16
    assert per_layer == pytest.approx(218_112_000)  # 4096·6144 + 4096² + 3·4096·14336 + 2·4096 per Llama-3.1-8B layer
    wide = parse_hf_config(override_config(base, hidden=2048), name="x")
    assert wide.hidden_size == 2048 and wide.head_dim == 64  # no explicit head_dim: hidden / 32 heads
    # gpt-oss alternates sliding/full layers: the list follows the new depth
    oss = parse_hf_config(override_config(model_config("gpt-oss-20b"), layers=6), name="x")
    assert oss.num_hidden_layers == 6 and len(oss.layer_types) == 6
    ds = override_config(model_config("deepseek-v3"), layers=2)
    assert ds["first_k_dense_replace"] == 2
    with pytest.raises(ModelConfigError):
        parse_hf_config(override_config(base, hidden=-5), name="x")


def test_page_numbers_come_from_the_shared_cost_model() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    df = _results(at)
    assert len(df) == 3 and not at.error
    hw = load_hardware("h200")
    cm = CostModel(load_model("llama-3.1-8b"), hw)
    ttft = cm.step(StepSpec(prefill_seqs=8, prefill_len=2048)).latency_s * 1e3
    mid = cm.step(StepSpec(decode_seqs=8, decode_context=2048 + 128))
    row = df.iloc[0]
    assert row.ttft_ms == pytest.approx(ttft)
    assert row.tpot_ms == pytest.approx(cm.tpot_s(8, 2048, 256) * 1e3)  # the one TPOT definition
    assert row.decode_tok_s == pytest.approx(8 / cm.tpot_s(8, 2048, 256))
    assert row.decode_hbm_util == pytest.approx(mid.bytes / mid.latency_s / 4.8e12)
    assert row.kv_kib_per_token_per_gpu == pytest.approx(128.0)  # 2 · 8 KV heads · 128 · 2 B · 32 layers
    assert row.weights_gib_per_gpu == pytest.approx(
        weight_bytes_per_gpu(load_model("llama-3.1-8b"), ParallelConfig(), "bf16") / 2**30
    )
    assert (df.prefill_mfu > df.decode_mfu).all() and (df.decode_hbm_util > df.prefill_hbm_util).all()
    assert len(at.get("plotly_chart")) == 5  # TTFT and TPOT on their own charts (issue 14 §3)
    assert at.query_params["models"] == "llama-3.1-8b@batch=8;qwen3-8b@batch=8;mistral-7b@batch=8"


def test_comparison_bars_figure() -> None:
    fig = comparison_bars(
        ["1. a", "2. b"], {"TTFT (ms)": [10.0, 20.0], "TPOT (ms)": [1.0, None]}, title="t", yaxis="ms", log_y=True
    )
    assert [tr.name for tr in fig.data] == ["TTFT (ms)", "TPOT (ms)"] and fig.layout.barmode == "group"
    assert fig.layout.yaxis.type == "log" and list(fig.data[0].x) == ["1. a", "2. b"]


def test_editor_add_edit_delete_rows() -> None:
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    before = _results(at)
    at.session_state[EDITOR] = {
        "edited_rows": {0: {"layers": 16, "tp": 2}},
        "added_rows": [{"model": "qwen3-30b-a3b", "batch": 4}],
        "deleted_rows": [2],
    }
    _run(at)
    df = _results(at)
    assert list(df.model) == ["llama-3.1-8b (L=16, B=8, TP=2)", "qwen3-8b (B=8, TP=1)", "qwen3-30b-a3b (B=4, TP=1)"]
    # half the layers and TP 2: weights per GPU drop to about a quarter, KV per token per GPU to a quarter
    assert df.weights_gib_per_gpu.iloc[0] < 0.35 * before.weights_gib_per_gpu.iloc[0]
    assert df.kv_kib_per_token_per_gpu.iloc[0] == pytest.approx(32.0)
    assert df.ttft_ms.iloc[0] < 0.6 * before.ttft_ms.iloc[0]
    assert at.query_params["models"] == "llama-3.1-8b@layers=16,batch=8,tp=2;qwen3-8b@batch=8;qwen3-30b-a3b@batch=4"
    assert at.session_state["app_state"].pages[P].rows[2].model == "qwen3-30b-a3b"
    # EP on a MoE row splits its experts; EP on a dense row is that row's error
    at.session_state[EDITOR] = {
        "edited_rows": {0: {"layers": 16, "tp": 2}, 1: {"ep": 2}},
        "added_rows": [{"model": "qwen3-30b-a3b", "batch": 4, "ep": 2}],
        "deleted_rows": [2],
    }
    _run(at)
    df2 = _results(at)
    assert any("ep=2 needs a mixture-of-experts model" in e.value for e in at.error)
    moe = df2[df2.model.str.startswith("qwen3-30b-a3b")].iloc[0]
    assert moe.ep == 2 and moe.weights_gib_per_gpu < 0.6 * df.weights_gib_per_gpu.iloc[2]
    # adding a model adds a row
    at.session_state[EDITOR] = {
        "edited_rows": {0: {"layers": 16, "tp": 2}},
        "added_rows": [{"model": "qwen3-30b-a3b", "batch": 4}, {"model": "llama-2-7b"}],
        "deleted_rows": [2],
    }
    _run(at)
    assert len(_results(at)) == 4


def test_bad_rows_pasted_config_and_url() -> None:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["models"] = "mistral-7b@tp=3;llama-3.1-8b@batch=2"
    _run(at)
    assert any("tp=3" in e.value for e in at.error)  # 32 heads are not divisible by 3: that row only
    assert len(_results(at)) == 1
    cfg = model_config("llama-3.1-8b")
    cfg["num_hidden_layers"] = 8
    at.text_input(key=f"{P}__paste_name").input("tiny")
    at.text_area(key=f"{P}__paste_json").input(json.dumps(cfg))
    at.button(key=f"{P}__paste_add").click()
    _run(at)
    df = _results(at)
    assert df.model.iloc[-1] == "pasted:tiny (B=1, TP=1)" and df.layers.iloc[-1] == 8
    at.text_area(key=f"{P}__paste_json").input("{not json")
    at.button(key=f"{P}__paste_add").click()
    _run(at)
    assert any("Pasted config rejected" in e.value for e in at.error)


def test_edits_survive_a_page_switch() -> None:
    app = str(Path(PAGE).parent / "app.py")
    at = _run(AppTest.from_file(app, default_timeout=60))
    at.switch_page("multi_model_dashboard.py")
    _run(at)
    at.session_state[EDITOR] = {"edited_rows": {1: {"batch": 32}}, "added_rows": [], "deleted_rows": [0]}
    _run(at)
    assert list(_results(at).model) == ["qwen3-8b (B=32, TP=1)", "mistral-7b (B=8, TP=1)"]
    at.switch_page("overview.py")
    _run(at)
    at.switch_page("multi_model_dashboard.py")
    _run(at)
    assert list(_results(at).model) == ["qwen3-8b (B=32, TP=1)", "mistral-7b (B=8, TP=1)"]
    editor = at.data_editor(key=EDITOR).value
    assert list(editor.model) == ["qwen3-8b", "mistral-7b"] and list(editor.batch) == [32, 8]
