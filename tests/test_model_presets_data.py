"""Data checks for the model presets in dashboard/data/models.

Stdlib only, no project imports: these tests pin the vendored Hugging Face
config.json files and the index that describes them.
"""

import json
import math
from pathlib import Path

import pytest

MODELS_DIR = Path(__file__).resolve().parents[1] / "dashboard" / "data" / "models"
INDEX_PATH = MODELS_DIR / "index.json"

EXPECTED_SLUGS = {
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-2-7b",
    "mistral-7b",
    "qwen2.5-7b",
    "qwen2.5-32b",
    "qwen2.5-72b",
    "qwen3-8b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "mixtral-8x7b",
    "mixtral-8x22b",
    "deepseek-v3",
    "deepseek-r1",
    "deepseek-v2-lite",
    "gpt-oss-20b",
    "gpt-oss-120b",
}

REQUIRED_INDEX_KEYS = {
    "slug",
    "hf_id",
    "display_name",
    "family",
    "aliases",
    "published_total_params_b",
    "published_active_params_b",
    "params_source",
    "config_source",
}


def _index():
    with INDEX_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)["models"]


def _config(slug):
    with (MODELS_DIR / f"{slug}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def test_index_lists_exactly_the_presets():
    slugs = [m["slug"] for m in _index()]
    assert len(slugs) == len(set(slugs)), "duplicate slug in index.json"
    assert set(slugs) == EXPECTED_SLUGS


@pytest.mark.parametrize("entry", _index(), ids=lambda m: m["slug"])
def test_index_entry_is_complete(entry):
    assert set(entry) >= REQUIRED_INDEX_KEYS
    assert isinstance(entry["aliases"], list) and entry["aliases"]
    assert entry["params_source"].strip() and entry["config_source"].strip()
    total = entry["published_total_params_b"]
    active = entry["published_active_params_b"]
    assert 0 < active <= total


@pytest.mark.parametrize("slug", sorted(EXPECTED_SLUGS))
def test_every_slug_has_a_valid_config_file(slug):
    path = MODELS_DIR / f"{slug}.json"
    assert path.is_file(), f"missing {path}"
    config = _config(slug)
    assert isinstance(config, dict)
    assert "model_type" in config or "architectures" in config


def test_no_stray_config_files():
    files = {p.stem for p in MODELS_DIR.glob("*.json")} - {"index"}
    assert files == EXPECTED_SLUGS


def test_aliases_are_unique_and_do_not_shadow_slugs():
    seen = {}
    slugs = {m["slug"].lower() for m in _index()}
    for entry in _index():
        for alias in entry["aliases"]:
            key = alias.lower()
            assert key not in seen, f"alias {alias!r} used by {seen[key]} and {entry['slug']}"
            assert key not in slugs, f"alias {alias!r} equals a slug"
            seen[key] = entry["slug"]


def test_compact_aliases_people_type():
    owner = {a.lower(): m["slug"] for m in _index() for a in m["aliases"]}
    assert owner["llama3.1-8b"] == "llama-3.1-8b"
    assert owner["qwen3-30b"] == "qwen3-30b-a3b"
    assert owner["ds-v3"] == "deepseek-v3"
    assert owner["deepseek-v3-0324"] == "deepseek-v3"
    assert owner["ds-r1"] == "deepseek-r1"


def test_dense_models_have_active_equal_total():
    moe = {
        "qwen3-30b-a3b",
        "qwen3-235b-a22b",
        "mixtral-8x7b",
        "mixtral-8x22b",
        "deepseek-v3",
        "deepseek-r1",
        "deepseek-v2-lite",
        "gpt-oss-20b",
        "gpt-oss-120b",
    }
    for entry in _index():
        if entry["slug"] not in moe:
            assert entry["published_active_params_b"] == entry["published_total_params_b"]
        else:
            assert entry["published_active_params_b"] < entry["published_total_params_b"]


PUBLISHED_PARAMS = {
    # slug: (total B, active B) as published on the model cards / vendor posts
    "llama-3.1-8b": (8.03, 8.03),
    "llama-3.1-70b": (70.6, 70.6),
    "llama-3.1-405b": (405.9, 405.9),
    "llama-2-7b": (6.74, 6.74),
    "mistral-7b": (7.25, 7.25),
    "qwen2.5-7b": (7.61, 7.61),
    "qwen2.5-32b": (32.8, 32.8),
    "qwen2.5-72b": (72.7, 72.7),
    "qwen3-8b": (8.2, 8.2),
    "qwen3-32b": (32.8, 32.8),
    "qwen3-30b-a3b": (30.5, 3.3),
    "qwen3-235b-a22b": (235.0, 22.0),
    "mixtral-8x7b": (46.7, 12.9),
    "mixtral-8x22b": (141.0, 39.0),
    "deepseek-v3": (671.0, 37.0),
    "deepseek-r1": (671.0, 37.0),
    "deepseek-v2-lite": (15.7, 2.4),
    "gpt-oss-20b": (21.0, 3.6),
    "gpt-oss-120b": (117.0, 5.1),
}


def test_published_param_counts():
    by_slug = {m["slug"]: m for m in _index()}
    for slug, (total, active) in PUBLISHED_PARAMS.items():
        assert math.isclose(by_slug[slug]["published_total_params_b"], total), slug
        assert math.isclose(by_slug[slug]["published_active_params_b"], active), slug


def test_llama_3_1_8b_config():
    # https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json
    c = _config("llama-3.1-8b")
    assert c["model_type"] == "llama"
    assert c["hidden_size"] == 4096
    assert c["intermediate_size"] == 14336
    assert c["num_hidden_layers"] == 32
    assert c["num_attention_heads"] == 32
    assert c["num_key_value_heads"] == 8
    assert c["vocab_size"] == 128256
    assert c["rope_theta"] == 500000.0
    assert c["rope_scaling"]["rope_type"] == "llama3"
    assert c["tie_word_embeddings"] is False


def test_llama_3_1_70b_and_405b_configs():
    # https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json
    c = _config("llama-3.1-70b")
    assert (c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]) == (8192, 80, 28672)
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (64, 8)
    # https://huggingface.co/meta-llama/Llama-3.1-405B/blob/main/config.json
    c = _config("llama-3.1-405b")
    assert (c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]) == (16384, 126, 53248)
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (128, 8)


def test_llama_2_7b_config():
    # https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json
    c = _config("llama-2-7b")
    assert (c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]) == (4096, 11008, 32)
    assert c["num_key_value_heads"] == 32  # plain MHA
    assert c["vocab_size"] == 32000
    assert c["max_position_embeddings"] == 4096


def test_mistral_7b_v0_3_config():
    # https://huggingface.co/mistralai/Mistral-7B-v0.3/blob/main/config.json
    c = _config("mistral-7b")
    assert c["model_type"] == "mistral"
    assert c["vocab_size"] == 32768
    assert c["sliding_window"] is None
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (32, 8)


def test_qwen2_5_configs():
    # https://huggingface.co/Qwen/Qwen2.5-7B/blob/main/config.json
    c = _config("qwen2.5-7b")
    assert (c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]) == (3584, 28, 18944)
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (28, 4)
    assert c["vocab_size"] == 152064
    # https://huggingface.co/Qwen/Qwen2.5-32B/blob/main/config.json
    c = _config("qwen2.5-32b")
    assert (c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]) == (5120, 64, 27648)
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (40, 8)
    # https://huggingface.co/Qwen/Qwen2.5-72B/blob/main/config.json
    c = _config("qwen2.5-72b")
    assert (c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]) == (8192, 80, 29568)
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (64, 8)


def test_qwen3_dense_configs_have_explicit_head_dim():
    # https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json
    c = _config("qwen3-8b")
    assert (c["hidden_size"], c["num_attention_heads"], c["head_dim"]) == (4096, 32, 128)
    assert c["num_hidden_layers"] == 36
    # https://huggingface.co/Qwen/Qwen3-32B/blob/main/config.json
    # head_dim * heads (8192) != hidden_size (5120): a parser must read head_dim.
    c = _config("qwen3-32b")
    assert (c["hidden_size"], c["num_attention_heads"], c["head_dim"]) == (5120, 64, 128)
    assert c["num_key_value_heads"] == 8


def test_qwen3_moe_configs():
    # https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json
    c = _config("qwen3-30b-a3b")
    assert c["model_type"] == "qwen3_moe"
    assert (c["num_experts"], c["num_experts_per_tok"], c["moe_intermediate_size"]) == (128, 8, 768)
    assert (c["hidden_size"], c["num_hidden_layers"]) == (2048, 48)
    # https://huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json
    c = _config("qwen3-235b-a22b")
    assert (c["num_experts"], c["num_experts_per_tok"], c["moe_intermediate_size"]) == (128, 8, 1536)
    assert (c["hidden_size"], c["num_hidden_layers"]) == (4096, 94)


def test_mixtral_configs():
    # https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json
    c = _config("mixtral-8x7b")
    assert (c["num_local_experts"], c["num_experts_per_tok"]) == (8, 2)
    assert (c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]) == (4096, 14336, 32)
    # https://huggingface.co/mistralai/Mixtral-8x22B-v0.1/blob/main/config.json
    c = _config("mixtral-8x22b")
    assert (c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]) == (6144, 16384, 56)


@pytest.mark.parametrize("slug", ["deepseek-v3", "deepseek-r1"])
def test_deepseek_v3_family_configs(slug):
    # https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json
    # https://huggingface.co/deepseek-ai/DeepSeek-R1/blob/main/config.json
    c = _config(slug)
    assert c["model_type"] == "deepseek_v3"
    assert (c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"]) == (7168, 61, 128)
    assert (c["q_lora_rank"], c["kv_lora_rank"]) == (1536, 512)
    assert (c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]) == (128, 64, 128)
    assert (c["n_routed_experts"], c["n_shared_experts"], c["num_experts_per_tok"]) == (256, 1, 8)
    assert (c["moe_intermediate_size"], c["intermediate_size"]) == (2048, 18432)
    assert c["first_k_dense_replace"] == 3
    assert c["num_nextn_predict_layers"] == 1
    assert c["vocab_size"] == 129280
    q = c["quantization_config"]
    assert q["quant_method"] == "fp8"
    assert q["weight_block_size"] == [128, 128]


def test_deepseek_v2_lite_config():
    # https://huggingface.co/deepseek-ai/DeepSeek-V2-Lite/blob/main/config.json
    c = _config("deepseek-v2-lite")
    assert c["model_type"] == "deepseek_v2"
    assert c["q_lora_rank"] is None
    assert c["kv_lora_rank"] == 512
    assert (c["n_routed_experts"], c["n_shared_experts"], c["num_experts_per_tok"]) == (64, 2, 6)
    assert (c["hidden_size"], c["num_hidden_layers"], c["moe_intermediate_size"]) == (2048, 27, 1408)
    assert c["first_k_dense_replace"] == 1


@pytest.mark.parametrize("slug,layers,experts", [("gpt-oss-20b", 24, 32), ("gpt-oss-120b", 36, 128)])
def test_gpt_oss_configs(slug, layers, experts):
    # https://huggingface.co/openai/gpt-oss-20b/blob/main/config.json
    # https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json
    c = _config(slug)
    assert c["model_type"] == "gpt_oss"
    assert c["num_hidden_layers"] == layers
    assert c["num_local_experts"] == experts
    assert c["experts_per_token"] == 4
    assert (c["hidden_size"], c["intermediate_size"], c["head_dim"]) == (2880, 2880, 64)
    assert (c["num_attention_heads"], c["num_key_value_heads"]) == (64, 8)
    assert c["sliding_window"] == 128
    assert c["vocab_size"] == 201088
    assert c["layer_types"] == ["sliding_attention", "full_attention"] * (layers // 2)
    assert c["quantization_config"]["quant_method"] == "mxfp4"
