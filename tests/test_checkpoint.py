"""Native checkpoint formats: per-module dtypes in the memory and cost models, and the sidebar default."""

from __future__ import annotations

import pytest

from dashboard.actions import settings as act
from dashboard.features.checkpoint import native_dtypes, native_format
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import GIB, load_hardware
from dashboard.features.memory import memory_breakdown, weight_bytes_per_gpu
from dashboard.features.parallel import Dtypes, ParallelConfig, ParallelError
from dashboard.features.presets import load_model
from dashboard.state.session import SessionState

GB = 1e9


def test_native_formats_of_the_presets() -> None:
    ds = native_format(load_model("deepseek-v3"))
    assert (ds.weight, ds.attention, ds.activation) == ("fp8", "fp8", "fp8")
    oss = native_format(load_model("gpt-oss-120b"))
    assert (oss.weight, oss.attention, oss.activation) == ("mxfp4", "bf16", "bf16")
    assert native_dtypes(load_model("gpt-oss-120b")).attention_weight == "bf16"
    assert native_dtypes(load_model("llama-3.1-8b")) == Dtypes()


@pytest.mark.parametrize(
    ("slug", "published_gb"),
    [
        # Hugging Face repository sizes of the safetensors shards (openai/gpt-oss-120b: 65.3 GB,
        # openai/gpt-oss-20b: 13.8 GB). The shards also hold the small attention-sink and bias tensors.
        ("gpt-oss-120b", 65.3),
        ("gpt-oss-20b", 13.8),
    ],
)
def test_gpt_oss_native_weights_match_the_published_checkpoint(slug: str, published_gb: float) -> None:
    m = load_model(slug)
    dt = native_dtypes(m)
    native = weight_bytes_per_gpu(m, ParallelConfig(), dt.weight, dt.attention_weight)
    assert native == pytest.approx(published_gb * GB, rel=0.03)
    # the symptom: 217.6 GiB at bf16 instead of ~61 GiB
    if slug == "gpt-oss-120b":
        assert weight_bytes_per_gpu(m, ParallelConfig(), "bf16") / GIB == pytest.approx(217.6, abs=0.5)
    # the attention projections are bf16: all-MXFP4 would be smaller by their bf16 → mxfp4 difference
    all_fp4 = weight_bytes_per_gpu(m, ParallelConfig(), "mxfp4")
    attn_params = m.num_hidden_layers * (
        m.hidden_size * (m.num_attention_heads + 2 * m.num_key_value_heads) * m.head_dim
        + m.num_attention_heads * m.head_dim * m.hidden_size
    )
    assert native - all_fp4 == pytest.approx(attn_params * (2.0 - (0.5 + 1 / 32)), rel=1e-9)


def test_deepseek_v3_native_fp8_fits_one_h200_node() -> None:
    m, hw = load_model("deepseek-v3"), load_hardware("h200")
    mem = memory_breakdown(m, hw, ParallelConfig(tp=8, ep=8), native_dtypes(m), context=4096)
    assert mem.fits  # fp8: ~627 GiB of weights over 8 × 141 GB
    assert not memory_breakdown(m, hw, ParallelConfig(tp=8, ep=8), Dtypes(), context=4096).fits  # bf16 does not


def test_cost_model_reads_attention_weights_in_their_own_format() -> None:
    m, hw = load_model("gpt-oss-120b"), load_hardware("h200")
    cm = CostModel(m, hw, ParallelConfig(), native_dtypes(m))
    cm_spec = _decode(8, 1024)
    ops = {o.name: o for o in cm.step(cm_spec).ops}
    h, d = m.hidden_size, m.head_dim
    qkv_w = m.num_hidden_layers * h * (m.num_attention_heads + 2 * m.num_key_value_heads) * d * 2.0
    assert ops["qkv_proj"].weight_bytes == pytest.approx(qkv_w)
    # the same step with every linear in MXFP4 reads fewer attention bytes, the experts the same
    cm4 = CostModel(m, hw, ParallelConfig(), Dtypes(weight="mxfp4"))
    ops4 = {o.name: o for o in cm4.step(cm_spec).ops}
    assert ops4["qkv_proj"].weight_bytes == pytest.approx(qkv_w * (0.5 + 1 / 32) / 2.0)
    assert ops4["experts_down"].weight_bytes == pytest.approx(ops["experts_down"].weight_bytes)
    assert cm.step(cm_spec).latency_s > cm4.step(cm_spec).latency_s


def _decode(n: int, ctx: int):
    from dashboard.features.batch import StepSpec

    return StepSpec(decode_seqs=n, decode_context=ctx)


def test_bad_attention_dtype_is_a_clear_error() -> None:
    with pytest.raises(ParallelError, match="attention_weight"):
        Dtypes(attention_weight="int3")


def test_selecting_a_preset_opens_at_its_native_format() -> None:
    ss = SessionState()
    assert act.select_model_preset(ss, "gpt-oss-120b") is None
    s = ss.settings
    assert (s.weight_dtype, s.activation_dtype, s.attention_weight_dtype) == ("mxfp4", "bf16", "bf16")
    assert act.select_model_preset(ss, "deepseek-r1") is None
    s = ss.settings
    assert (s.weight_dtype, s.activation_dtype, s.attention_weight_dtype) == ("fp8", "fp8", "same")
    assert act.update_settings(ss, weight_dtype="bf16", activation_dtype="bf16") is None  # user override
    assert ss.settings.weight_dtype == "bf16"
    assert act.select_model_preset(ss, "llama-3.1-8b") is None
    assert ss.settings.weight_dtype == "bf16" and ss.settings.attention_weight_dtype == "same"


def test_cli_defaults_to_the_native_format(capsys) -> None:
    import json

    from runners.cli import main

    assert main(["memory", "--model", "gpt-oss-120b", "--hardware", "h200", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["weight_dtype"] == "mxfp4" and doc["attention_weight_dtype"] == "bf16"
    assert doc["weight_bytes_per_gpu"] / GIB == pytest.approx(60.7, abs=0.1)
    assert (
        main(
            [
                "memory",
                "--model",
                "gpt-oss-120b",
                "--hardware",
                "h200",
                "--weight-dtype",
                "bf16",
                "--activation-dtype",
                "bf16",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["weight_bytes_per_gpu"] / GIB == pytest.approx(217.6, abs=0.5)


def test_sidebar_shows_and_overrides_the_native_format() -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard/overview.py"), default_timeout=120)
    at.run()
    at.sidebar.selectbox(key="sb_model_preset").set_value("gpt-oss-120b").run()
    assert not at.exception
    assert any("MXFP4 experts, bf16 attention" in c.value for c in at.sidebar.caption)
    assert at.sidebar.selectbox(key="sb_weight_dtype").value == "mxfp4"
    assert at.sidebar.selectbox(key="sb_attention_weight_dtype").value == "bf16"
    # override to bf16, then back to the native format with the button
    at.sidebar.selectbox(key="sb_weight_dtype").set_value("bf16").run()
    assert at.session_state["app_state"].settings.weight_dtype == "bf16"
    at.sidebar.button(key="sb_use_native").click().run()
    assert not at.exception
    assert at.session_state["app_state"].settings.weight_dtype == "mxfp4"
