"""Model parsing and parameter counts, pinned to published totals (each test cites its source)."""

from __future__ import annotations

import pytest

from dashboard.features.model_profile import ModelConfigError, parse_hf_config
from dashboard.features.presets import list_model_presets, load_model, model_config


def _b(x: float) -> float:
    return x / 1e9


@pytest.mark.parametrize(
    ("slug", "total_b", "source"),
    [
        ("llama-3.1-8b", 8.03, "HF model card meta-llama/Llama-3.1-8B, safetensors: 8.03B"),
        ("llama-3.1-70b", 70.6, "HF model card meta-llama/Llama-3.1-70B, safetensors: 70.6B"),
        ("qwen2.5-32b", 32.8, "HF Qwen/Qwen2.5-32B safetensors total 32.8B (model card: 32.5B incl. 31.0B non-emb)"),
        ("mixtral-8x7b", 46.7, "Mistral AI, 'Mixtral of experts' (2023-12-11): 46.7B total"),
        ("deepseek-v3", 671.0, "DeepSeek-V3 technical report (arXiv:2412.19437): 671B total, MTP excluded"),
        ("qwen3-30b-a3b", 30.5, "HF model card Qwen/Qwen3-30B-A3B: 30.5B total"),
        ("gpt-oss-120b", 117.0, "OpenAI gpt-oss model card (2025-08): 116.83B total"),
    ],
)
def test_total_params_within_one_percent(slug: str, total_b: float, source: str) -> None:
    assert _b(load_model(slug).total_params()) == pytest.approx(total_b, rel=0.01), source


@pytest.mark.parametrize(
    ("slug", "active_b", "include_input_embedding", "source"),
    [
        ("mixtral-8x7b", 12.9, True, "Mistral AI: 12.9B parameters used per token"),
        ("qwen3-30b-a3b", 3.3, True, "HF model card Qwen/Qwen3-30B-A3B: 3.3B activated"),
        ("deepseek-v3", 37.0, False, "DeepSeek-V3 report: 37B activated (rounded; embedding lookup not counted)"),
        ("gpt-oss-120b", 5.1, False, "OpenAI gpt-oss card: 5.13B active, input embedding excluded"),
    ],
)
def test_active_params_match_published(slug: str, active_b: float, include_input_embedding: bool, source: str) -> None:
    """Published active counts carry two significant figures (Qwen's 3.3 B, DeepSeek's 37 B), so they
    are pinned at 2 %: we count 3.353 B for Qwen3-30B-A3B (+1.6 %), 36.6 B for DeepSeek-V3 (-1.0 %)."""
    got = _b(load_model(slug).active_params(include_input_embedding=include_input_embedding))
    assert got == pytest.approx(active_b, rel=0.02), source


def test_llama_8b_hand_count() -> None:
    """32 × (attention 4096·6144 + 4096·4096, SwiGLU 3·4096·14336, 2 norms) + 2 · 128256·4096 + 4096."""
    m = load_model("llama-3.1-8b")
    layer = 4096 * 6144 + 4096 * 4096 + 3 * 4096 * 14336 + 2 * 4096
    assert m.total_params() == 32 * layer + 2 * 128256 * 4096 + 4096


def test_explicit_head_dim_wins() -> None:
    m = load_model("qwen3-32b")  # hidden 5120, 64 heads, head_dim 128 (not 80)
    assert m.head_dim == 128
    assert m.hidden_size // m.num_attention_heads == 80


def test_deepseek_mla_and_moe_fields() -> None:
    m = load_model("deepseek-v3")
    assert m.is_mla and m.kv_lora_rank == 512 and m.qk_rope_head_dim == 64 and m.q_lora_rank == 1536
    assert m.q_head_dim == 192 and m.v_dim == 128
    assert (m.num_experts, m.num_experts_per_tok, m.num_shared_experts, m.first_k_dense) == (256, 8, 1, 3)
    assert (m.num_dense_layers, m.num_moe_layers) == (3, 58)
    assert m.num_mtp_layers == 1 and m.mtp_params() > 10e9  # kept apart from the 671B
    assert m.weights_dtype == "fp8"


def test_gpt_oss_alternating_windows() -> None:
    m = load_model("gpt-oss-120b")
    groups = {g.window: g.count for g in m.layer_groups()}
    assert groups == {128: 18, None: 18}
    assert m.attention_sinks and m.qkv_bias


def test_every_preset_parses() -> None:
    for slug in list_model_presets():
        m = load_model(slug)
        assert m.total_params() > 1e9


def test_aliases_and_case() -> None:
    assert load_model("LLAMA3.1-8B").num_hidden_layers == 32
    assert load_model("meta-llama/Llama-3.1-8B").hidden_size == 4096


def test_unknown_architecture_names_missing_fields() -> None:
    with pytest.raises(ModelConfigError) as exc:
        parse_hf_config({"model_type": "mamba", "d_state": 16})
    assert "hidden_size" in str(exc.value) and "num_hidden_layers" in str(exc.value)
    assert "hidden_size" in exc.value.fields


@pytest.mark.parametrize("bad", [None, [], "x", 3])
def test_non_object_config(bad) -> None:
    with pytest.raises(ModelConfigError):
        parse_hf_config(bad)


def test_invalid_values_are_named() -> None:
    cfg = model_config("llama-3.1-8b")
    cfg["num_key_value_heads"] = 7
    with pytest.raises(ModelConfigError, match="num_key_value_heads"):
        parse_hf_config(cfg)
    cfg = model_config("llama-3.1-8b")
    cfg["hidden_size"] = -4096
    with pytest.raises(ModelConfigError, match="hidden_size"):
        parse_hf_config(cfg)


def test_prefill_flops_per_token_hand_computed() -> None:
    """Llama-3.1-8B, one 1024-token prompt: linear layers 2·(6.98 B non-embedding weights) per token,
    causal attention 2·32 heads·(1024·1025/2 pairs)·(128+128)·32 layers per prompt, lm_head on 1 token."""
    m = load_model("llama-3.1-8b")
    linear_per_token = 2 * 32 * (4096 * 6144 + 4096 * 4096 + 3 * 4096 * 14336)
    attn = 2 * 32 * (1024 * 1025 / 2) * 256 * 32
    lm_head = 2 * 128256 * 4096
    expected = linear_per_token + (attn + lm_head) / 1024
    assert m.prefill_flops_per_token(batch=1, seq_len=1024) == pytest.approx(expected, rel=0.002)
    assert m.decode_flops_per_token(batch=1) > linear_per_token
