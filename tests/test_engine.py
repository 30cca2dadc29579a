"""Engine profiles: per-GPU scheduler defaults, KV-capacity rules, loader validation."""

from __future__ import annotations

import json

import pytest

from dashboard.features.engine import (
    EngineError,
    EngineProfile,
    engine_from_dict,
    engine_to_dict,
    list_engine_presets,
    load_engine,
)
from dashboard.features.hardware import GIB, load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model


def test_presets_exist_and_default_is_vllm():
    assert {"vllm", "sglang", "trtllm"} <= set(list_engine_presets())
    assert load_engine().name == "vllm"
    assert load_engine("TensorRT-LLM").name == "trtllm"
    assert load_engine("SGLang").name == "sglang"


@pytest.mark.parametrize("name", ["vllm", "sglang", "trtllm"])
def test_every_default_cites_a_source(name):
    e = load_engine(name)
    for key in ("batch_rules", "block_size", "kv_rule", "admission", "preempt", "overheads"):
        assert e.sources.get(key), f"{name}: no source for {key}"
    # round trip through the JSON form
    assert engine_from_dict(json.loads(json.dumps(engine_to_dict(e)))) == e


@pytest.mark.parametrize(
    ("hw", "tokens", "seqs"),
    [
        # vLLM get_batch_defaults, `vllm serve`: >= 70 GiB and not an A100 -> 8192 / 1024
        ("h200", 8192, 1024),
        ("h100-sxm", 8192, 1024),
        ("b200", 8192, 1024),
        ("a800", 8192, 1024),  # "a800" is not "a100": vLLM gives it the large defaults
        ("a100-80g", 2048, 256),  # excluded by name (PR #17885)
        ("l40s", 2048, 256),  # 48 GiB < 70
        ("rtx-4090", 2048, 256),
    ],
)
def test_vllm_batch_defaults_per_gpu(hw, tokens, seqs):
    d = load_engine("vllm").scheduler_defaults(load_hardware(hw))
    assert (d["max_num_batched_tokens"], d["max_num_seqs"], d["block_size"]) == (tokens, seqs, 16)


@pytest.mark.parametrize(
    ("hw", "chunk", "graph"),
    [
        ("rtx-4090", 2048, 24),
        ("l40s", 4096, 32),
        ("h100-sxm", 8192, 256),
        ("h200", 8192, 256),
        ("b200", 16384, 512),
        ("mi300x", 16384, 512),
    ],
)
def test_sglang_chunk_size_per_gpu(hw, chunk, graph):
    d = load_engine("sglang").scheduler_defaults(load_hardware(hw))
    assert d["max_num_batched_tokens"] == chunk and d["cuda_graph_max_bs"] == graph and d["block_size"] == 1


def test_sglang_mem_fraction_static_rule():
    e = load_engine("sglang")
    # H200, tp1: reserve = 512 + 1.5*8192 + 2*256 + 1*1*128 = 13440 MiB (> 10 GiB floor);
    # (141*1024 - 13440) / (141*1024) = 0.90691 -> 0.907
    assert e.memory_fraction(load_hardware("h200")) == 0.907
    # H100 80 GiB, tp8: graph bs 512 -> 512 + 12288 + 1024 + 1024 = 14848; (81920 - 14848) / 81920 = 0.8187
    assert e.memory_fraction(load_hardware("h100-sxm"), tp=8) == 0.819
    # RTX 4090 (24 GiB, no floor): 512 + 1.5*2048 + 2*24 + 128 = 3760; (24576 - 3760) / 24576 = 0.847
    assert e.memory_fraction(load_hardware("rtx-4090")) == 0.847


def test_trtllm_defaults_same_on_every_gpu():
    e = load_engine("trtllm")
    for hw in ("h200", "a100-80g", "l40s"):
        d = e.scheduler_defaults(load_hardware(hw))
        assert (d["max_num_batched_tokens"], d["max_num_seqs"], d["block_size"]) == (8192, 2048, 32)
    assert e.admission == "guaranteed_no_evict" and e.chunked_prefill is False


# Llama-3.1-70B, FP8 weights (embeddings/lm_head bf16), FP8 KV, one H100 (80 GiB), TP1.
# Weights: per layer 8192*(64+16)*128 + 64*128*8192 + 3*8192*28672 = 855,638,016 B (1 B/param),
# x80 = 68,451,041,280; norms 80*2*8192*2 = 2,621,440; embeddings + lm_head 2*128256*8192*2 =
# 4,202,692,608; final norm 16,384 -> 72,656,371,712 B = 67.6665 GiB.
# Activations of an 8192-token step: 8192*(2*8192 + 2*28672)*2 B = 1,207,959,552, plus fp32 logits
# of max_num_seqs rows: 256 -> 131,334,144; 1024 -> 525,336,576; 2048 -> 1,050,673,152.
W = 72_656_371_712
ACT_8192 = 1_207_959_552
LOGITS_ROW = 128256 * 4


@pytest.fixture(scope="module")
def llama70_fp8():
    return load_model("llama-3.1-70b"), load_hardware("h100-sxm"), Dtypes(weight="fp8", activation="bf16", kv="fp8")


def test_kv_capacity_70b_fp8_one_h100_per_engine(llama70_fp8):
    m, hw, dt = llama70_fp8
    par = ParallelConfig()
    old = memory_breakdown(m, hw, par, dt, context=4096)
    assert old.weight_bytes == pytest.approx(W, rel=1e-9)
    # old rule: 0.9 * 80 GiB - W - act(8192 tokens, 256 rows) - 1.5 GiB = 1.586 GiB
    want_old = 0.9 * 80 * GIB - W - (ACT_8192 + 256 * LOGITS_ROW) - 1.5 * GIB
    assert old.kv_budget_bytes == pytest.approx(want_old, rel=1e-9)
    assert old.kv_budget_bytes / GIB == pytest.approx(1.586, abs=1e-3)

    vllm = memory_breakdown(m, hw, par, dt, context=4096, engine="vllm")
    # vLLM: 0.9 * C - W - act(8192 tokens, 1024 rows) - 0.5 GiB non-torch = 2.219 GiB
    want_vllm = 0.9 * 80 * GIB - W - (ACT_8192 + 1024 * LOGITS_ROW) - 0.5 * GIB
    assert vllm.kv_budget_bytes == pytest.approx(want_vllm, rel=1e-9)
    assert vllm.kv_budget_bytes / GIB == pytest.approx(2.219, abs=1e-3)

    trt = memory_breakdown(m, hw, par, dt, context=4096, engine="trtllm")
    # TRT-LLM: 0.9 * (C - W - act(8192 tokens, 2048 rows) - 0.5 GiB) = 8.757 GiB, 5.5x the old rule
    want_trt = 0.9 * (80 * GIB - W - (ACT_8192 + 2048 * LOGITS_ROW) - 0.5 * GIB)
    assert trt.kv_budget_bytes == pytest.approx(want_trt, rel=1e-9)
    assert trt.kv_budget_bytes / GIB == pytest.approx(8.757, abs=1e-3)
    # fp8 KV: 80 layers * 2 * 8 heads * 128 * 1 B = 163,840 B per token
    assert trt.max_kv_tokens == int(want_trt // 163_840)

    # SGLang: mem_fraction_static 0.836 * 80 GiB = 66.9 GiB < weights: does not fit (as SGLang says)
    sgl = memory_breakdown(m, hw, par, dt, context=4096, engine="sglang")
    assert sgl.kv_budget_bytes == pytest.approx(0.836 * 80 * GIB - W, rel=1e-9)
    assert not sgl.fits


def test_memory_fraction_override(llama70_fp8):
    m, hw, dt = llama70_fp8
    a = memory_breakdown(m, hw, ParallelConfig(), dt, context=4096, engine="vllm", memory_fraction=0.95)
    b = memory_breakdown(m, hw, ParallelConfig(), dt, context=4096, engine="vllm")
    assert a.kv_budget_bytes - b.kv_budget_bytes == pytest.approx(0.05 * 80 * GIB, rel=1e-9)
    e = load_engine("vllm").with_overrides(gpu_memory_utilization=0.95)
    assert e.kind == "custom" and e.kv_rule.fraction == 0.95
    c = memory_breakdown(m, hw, ParallelConfig(), dt, context=4096, engine=e)
    assert c.kv_budget_bytes == pytest.approx(a.kv_budget_bytes, rel=1e-12)


def test_with_overrides_flat_and_nested():
    e = load_engine("vllm").with_overrides(
        per_request_s=0.01, max_num_batched_tokens=4096, kv_rule={"non_torch_gib": 1.0}, async_scheduling=False
    )
    assert e.overheads.per_request_s == 0.01 and e.kv_rule.non_torch_gib == 1.0 and not e.async_scheduling
    d = e.scheduler_defaults(load_hardware("h200"))
    assert d["max_num_batched_tokens"] == 4096 and d["max_num_seqs"] == 1024
    assert isinstance(e, EngineProfile)
    with pytest.raises(EngineError, match="unknown engine field"):
        load_engine("vllm").with_overrides(bogus=1)


@pytest.mark.parametrize(
    ("patch", "msg"),
    [
        ({"admission": "eager"}, "admission must be one of"),
        ({"block_size": 0}, "block_size must be in"),
        ({"kv_rule": {"kind": "fraction_of_total", "fraction": 1.5}}, "kv_rule.fraction"),
        ({"kv_rule": {"kind": "magic"}}, "kv_rule.kind"),
        ({"overheads": {"per_request_s": -1}}, "overheads.per_request_s"),
        ({"batch_rules": []}, "batch_rules"),
        ({"batch_rules": [{"max_num_batched_tokens": "lots", "max_num_seqs": 1}]}, "max_num_batched_tokens"),
        ({"preempt": "random"}, "preempt must be one of"),
        ({"name": "../etc"}, "name must be"),
        ({"async_scheduling": "yes"}, "async_scheduling must be true or false"),
    ],
)
def test_validation_names_the_field(patch, msg):
    d = engine_to_dict(load_engine("vllm"))
    d.update(patch)
    with pytest.raises(EngineError, match=msg):
        engine_from_dict(d)


def test_loader_errors(tmp_path):
    with pytest.raises(EngineError, match="unknown engine 'tgi'"):
        load_engine("tgi")
    with pytest.raises(EngineError, match="not found"):
        load_engine(tmp_path / "none.json")  # a Path object: the program chose a file
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(EngineError, match="not valid JSON"):
        load_engine(bad)
    good = tmp_path / "mine.json"
    d = engine_to_dict(load_engine("vllm"))
    d["name"] = "mine"
    good.write_text(json.dumps(d))
    assert load_engine(good).name == "mine"
    from dashboard.features.safe_io import allow_paths

    with allow_paths():  # the CLI's scope: strings may name files
        assert load_engine(str(good)).name == "mine"
    with pytest.raises(EngineError, match="only on the command line"):  # a URL parameter or text field
        load_engine(str(good))
    with pytest.raises(EngineError, match="missing"):
        engine_from_dict({"name": "x"})
