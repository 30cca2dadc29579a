"""Trace parsing (Mooncake JSONL, BurstGPT CSV, project CSV), rescaling and KV-block keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.sim.trace_synth import burstgpt_csv, synthetic_multiturn_trace, write_samples
from dashboard.sim.traces import (
    MAX_TRACE_BYTES,
    detect_trace_format,
    kv_block_keys,
    load_trace,
    rescale_arrivals,
    trace_to_mooncake_jsonl,
)

DATA = Path(__file__).resolve().parents[1] / "dashboard" / "data" / "traces"


def _mooncake(*reqs: tuple[int, int, int, list[int]]) -> str:
    return (
        "\n".join(
            json.dumps({"timestamp": t, "input_length": i, "output_length": o, "hash_ids": h}) for t, i, o, h in reqs
        )
        + "\n"
    )


def test_mooncake_parse_sorts_and_shifts_and_keeps_ids():
    text = _mooncake((3000, 1024, 10, [1, 2]), (1000, 600, 5, [1, 3]))
    tw = load_trace(text)
    assert tw.format == "mooncake" and tw.hash_block_size == 512
    assert tw.workload.arrival_s == (0.0, 2.0)  # ms -> s, first arrival at 0, sorted
    assert tw.workload.prompt == (600, 1024)
    assert tw.hash_ids == ((1, 3), (1, 2))


def test_two_requests_sharing_three_blocks_share_exactly_three_blocks():
    # 16-token hash blocks (Alibaba style): request B repeats A's first three ids, then diverges
    text = _mooncake((0, 64, 4, [10, 11, 12, 13]), (500, 64, 4, [10, 11, 12, 99]))
    tw = load_trace(text, block_size=16)
    assert tw.shared_prefix_tokens() == 3 * 16
    a = kv_block_keys(tw.hash_ids[0], 16, 16, 64)
    b = kv_block_keys(tw.hash_ids[1], 16, 16, 64)
    shared = [x for x, y in zip(a, b, strict=True) if x == y]
    assert len(shared) == 3


def test_kv_block_keys_split_a_hash_block_into_kv_blocks_and_skip_the_partial_tail():
    # 512-token hash blocks, 16-token KV blocks: a 1100-token prompt has 2 full hash blocks
    # (1024 tokens) -> 64 keyed KV blocks; the last partial id (76 tokens) is not shareable
    keys = kv_block_keys((7, 8, 9), 512, 16, 1100)
    assert len(keys) == 64
    assert keys[0] == (7, 0) and keys[31] == (7, 31) and keys[32] == (8, 0) and keys[-1] == (8, 31)


def test_burstgpt_skips_failed_rows_and_reads_seconds():
    text = (
        "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
        "5.0,ChatGPT,100,20,120,Conversation log\n"
        "7.5,GPT-4,50,0,50,Conversation log\n"
        "6.0,ChatGPT,30,40,70,API log\n"
    )
    assert detect_trace_format(text) == "burstgpt"
    tw = load_trace(text)
    assert tw.workload.arrival_s == (0.0, 1.0)
    assert tw.workload.prompt == (100, 30) and tw.workload.output == (20, 40)
    assert tw.skipped == 1 and tw.hash_ids is None


def test_project_csv_with_bom_is_read():
    tw = load_trace("\ufeffarrival_s,prompt_tokens,output_tokens\n0.5,10,2\n0,20,3\n".encode())
    assert tw.format == "csv" and tw.workload.prompt == (20, 10)


def test_time_scale_and_rate_override():
    assert rescale_arrivals((0.0, 1.0, 4.0), time_scale=0.5) == (0.0, 0.5, 2.0)
    # 3 requests over 4 s is 0.5 req/s by (n-1)/span; at 2 req/s the span becomes 1 s
    out = rescale_arrivals((0.0, 1.0, 4.0), request_rate=2.0)
    assert out == pytest.approx((0.0, 0.25, 1.0))
    tw = load_trace(_mooncake((0, 10, 1, []), (1000, 10, 1, [])), time_scale=3.0)
    assert tw.workload.arrival_s == (0.0, 3.0)


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("", "empty"),
        ('{"timestamp": 0, "input_length": 10}\n', "output_length"),
        ('{"timestamp": -1, "input_length": 10, "output_length": 1}\n', "timestamp"),
        ('{"timestamp": 0, "input_length": 0, "output_length": 1}\n', "input_length"),
        ('{"timestamp": 0, "input_length": 1e400, "output_length": 1}\n', "input_length"),
        ('{"timestamp": NaN, "input_length": 10, "output_length": 1}\n', "timestamp"),
        ('{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [1, 2]}\n', "hash_ids"),
        ('{"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": ["a"]}\n', "hash_ids"),
        ("{not json\n", "not JSON"),
        ("Timestamp,Model,Request tokens,Response tokens\nx,a,1,1\n", "numbers"),
    ],
)
def test_bad_traces_name_the_problem(text, msg):
    with pytest.raises(ValueError, match=msg):
        load_trace(text if text else " \n")


def test_oversized_trace_refused_before_parsing():
    with pytest.raises(ValueError, match="limit"):
        load_trace(b"x" * (MAX_TRACE_BYTES + 1))


def test_synthetic_trace_is_deterministic_and_shares_system_prompts():
    a = synthetic_multiturn_trace(300, seed=3)
    b = synthetic_multiturn_trace(300, seed=3)
    assert a == b
    frac = a.shared_prefix_tokens() / sum(a.workload.prompt)
    # multi-turn with 4 shared 1024-token system prompts: most prompt tokens repeat an earlier prefix
    assert 0.4 < frac < 0.95
    rt = load_trace(trace_to_mooncake_jsonl(a))
    assert rt.hash_ids == a.hash_ids and rt.workload.prompt == a.workload.prompt


def test_shipped_samples_are_what_the_generator_writes(tmp_path):
    written = write_samples(str(tmp_path))
    for path in written:
        name = Path(path).name
        assert (DATA / name).read_text(encoding="utf-8") == Path(path).read_text(encoding="utf-8"), name
    assert load_trace(DATA / "burstgpt_sample.csv").skipped == 8
    assert burstgpt_csv(10, failed_every=0).count(",0,") == 0


def test_cli_replays_each_trace_format_with_cache_figures(capsys):
    from runners.cli import main

    for name, fmt in (
        ("mooncake_multiturn_sample.jsonl", "mooncake"),
        ("burstgpt_sample.csv", "burstgpt"),
        ("project_trace_sample.csv", "csv"),
    ):
        rc = main(
            [
                "simulate",
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--trace",
                str(DATA / name),
                "--trace-rate",
                "4",
                "--json",
            ]
        )
        out = json.loads(capsys.readouterr().out)
        assert rc == 0 and out["workload"]["trace_format"] == fmt
        assert out["completed"] == out["num_requests"]
        if fmt == "mooncake":  # shared system prompts and multi-turn history hit the prefix cache
            assert out["prefix_cache_hit_rate"] > 0.5
        else:
            assert out["prefix_cache_hit_rate"] == 0.0
    rc = main(
        [
            "simulate",
            "--model",
            "llama-3.1-8b",
            "--hardware",
            "h200",
            "--trace",
            str(DATA / "mooncake_multiturn_sample.jsonl"),
            "--num-kv-blocks",
            "2000",
            "--kv-cpu-gib",
            "16",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    tier = out["kv_cpu_tier"]
    assert rc == 0 and tier["cpu_hit_rate"] > 0 and tier["bytes_loaded"] > 0
    assert out["prefix_cache_hit_rate"] >= tier["prefix_cache_hit_rate_without_tier"]
    assert (
        main(
            [
                "simulate",
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--trace",
                str(DATA / "mooncake_multiturn_sample.jsonl"),
                "--trace-block-size",
                "8192",
            ]
        )
        == 2
    )
    assert "--trace-block-size" in capsys.readouterr().err


def test_simulator_page_replays_a_mooncake_trace_with_its_prefix_cache():
    from streamlit.testing.v1 import AppTest

    page = str(Path(__file__).resolve().parents[1] / "dashboard" / "vllm_simulator_dashboard.py")
    at = AppTest.from_file(page, default_timeout=120).run()
    at.radio(key="vllm_simulator_dashboard__load_mode").set_value("trace").run()
    data = (DATA / "mooncake_multiturn_sample.jsonl").read_bytes()
    at.file_uploader(key="vllm_simulator_dashboard__trace").set_value(("t.jsonl", data, "application/json")).run()
    for b in at.button:  # the page's Run button, where it has one
        if b.key and b.key.endswith("run"):
            b.click().run()
            break
    assert not at.exception
    assert any("Trace: 300 requests" in c.value for c in at.caption)
    hit = [c.value for c in at.caption if "served from cache" in c.value]
    assert hit and float(hit[0].split(":")[1].split("%")[0]) > 50
