"""Capacity planner (`modeling plan`) and launch commands: the checks of issue 18."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace

import pytest
import yaml

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.services.launch import LaunchSpec, engine_flags, launch_commands, launch_from_search_row
from dashboard.services.planner import (
    PLAN_KEYS,
    PlanRequest,
    default_prices,
    plan,
    price_table,
    resimulate,
    simulate_plan,
)
from runners.cli import main

HW = ("h100-sxm", "h200", "b200")
REQ = PlanRequest(hardware=HW, input_len=2048, output_len=256, request_rate=12.0, ttft_ms=1000.0, tpot_ms=40.0)


@pytest.fixture(scope="module")
def llama70() -> object:
    return plan(load_model("llama-3.1-70b"), REQ)


def test_plan_json_has_exactly_the_issue_keys(llama70) -> None:
    assert llama70.plans and set(llama70.as_dict()) == {"plans", "rejected"}
    for p in llama70.plans:
        assert tuple(p) == PLAN_KEYS
        if p["mode"] == "aggregated":
            assert p["num_gpus"] == p["replicas"] * p["tp"] * p["dp"] * p["pp"]
            assert p["prefill"] is None and p["decode"] is None
        else:
            assert p["num_gpus"] == p["prefill"]["num_gpus"] + p["decode"]["num_gpus"]
        assert set(p["launch"]) == {"vllm", "sglang", "trtllm", "k8s"}
        # cost arithmetic: the bill over the output tokens the deployment serves (12 req/s × 256)
        assert p["usd_per_hour"] == pytest.approx(p["num_gpus"] * default_prices()[p["hardware"]])
        assert p["usd_per_m_output_tokens"] == pytest.approx(p["usd_per_hour"] / 3600 / (12.0 * 256) * 1e6)
        assert p["output_tok_s_per_gpu"] == pytest.approx(12.0 * 256 / p["num_gpus"])
    costs = [p["usd_per_m_output_tokens"] for p in llama70.plans if p["meets_sla"]]
    assert costs == sorted(costs)


def test_a_plan_meets_its_sla_when_simulated_on_its_own(llama70) -> None:
    m = load_model("llama-3.1-70b")
    checked = 0
    for p in llama70.plans:
        if not p["meets_sla"]:
            continue
        sim = resimulate(m, json.loads(json.dumps(p)), REQ)  # from the JSON alone
        assert sim["ttft_ms"] <= 1000.0 and sim["tpot_ms"] <= 40.0
        assert sim["ttft_ms"] == pytest.approx(p["ttft_ms"])
        # another arrival sample: still within the SLA up to sampling noise (10 %)
        other = resimulate(m, p, REQ, seed=7)
        assert other["ttft_ms"] <= 1100.0 and other["tpot_ms"] <= 44.0
        checked += 1
    assert checked >= 2
    # the aggregated case by hand: a fresh cost model from the JSON fields
    p = next(p for p in llama70.plans if p["mode"] == "aggregated" and p["meets_sla"])
    cm = CostModel(
        m,
        load_hardware(p["hardware"]),
        ParallelConfig(tp=p["tp"], ep=p["ep"], pp=p["pp"]),
        Dtypes(weight=p["weight_dtype"], kv=p["kv_dtype"]),
    )
    sim = simulate_plan(cm, REQ, p["replicas"], p["max_num_batched_tokens"], p["max_num_seqs"])
    assert sim["ttft_ms"] == pytest.approx(p["ttft_ms"]) and sim["tpot_ms"] == pytest.approx(p["tpot_ms"])


def test_adding_gpus_never_makes_the_cheapest_plan_more_expensive() -> None:
    m = load_model("qwen3-30b-a3b")
    prev = float("inf")
    seen_feasible = False
    for g in (1, 2, 8, 32):
        req = PlanRequest(
            hardware=("h100-sxm", "h200"),
            input_len=1024,
            output_len=256,
            request_rate=20.0,
            ttft_ms=800.0,
            tpot_ms=30.0,
            max_gpus=g,
        )
        ok = [p for p in plan(m, req).plans if p["meets_sla"]]
        cost = min((p["usd_per_m_output_tokens"] for p in ok), default=float("inf"))
        assert cost <= prev + 1e-9, g
        assert all(p["num_gpus"] <= g for p in ok)
        prev = cost
        seen_feasible |= bool(ok)
    assert seen_feasible


def test_price_edits_change_the_ranking() -> None:
    m = load_model("llama-3.1-70b")
    req = replace(REQ, disaggregated="off")
    base = plan(m, req)
    first = base.plans[0]["hardware"]
    other = next(p["hardware"] for p in base.plans[1:] if p["meets_sla"])
    cheap = plan(m, req, prices={other: 0.01})
    assert cheap.plans[0]["hardware"] == other
    dear = plan(m, req, prices={first: 1000.0})
    assert dear.plans[0]["hardware"] != first
    # the cost scales with the price, the plan itself does not change
    p0 = next(p for p in dear.plans if p["hardware"] == first)
    p1 = next(p for p in base.plans if p["hardware"] == first)
    assert p0["num_gpus"] == p1["num_gpus"]
    assert p0["usd_per_hour"] == pytest.approx(p1["usd_per_hour"] * 1000.0 / default_prices()[first])


def test_prices_table_cites_every_default() -> None:
    for slug, row in price_table().items():
        assert row["usd_per_gpu_hour"] > 0 and row["date"] and len(row["source"]) > 20, slug
        load_hardware(slug)


def test_unpriced_or_impossible_hardware_is_rejected_with_a_reason() -> None:
    res = plan(
        load_model("deepseek-v3"),
        PlanRequest(hardware=("l40s", "h100-sxm"), input_len=1024, output_len=128, request_rate=1.0, max_gpus=8),
    )
    reasons = {r["hardware"]: r["reason"] for r in res.rejected}
    assert "no price" in reasons["l40s"]
    assert "OOM" in reasons["h100-sxm"]  # 671 B fp8 weights do not fit 8 × 80 GB
    assert not res.plans


def test_native_formats_reach_the_plan() -> None:
    res = plan(
        load_model("gpt-oss-120b"),
        PlanRequest(hardware=("h200",), input_len=1024, output_len=256, request_rate=5.0, tpot_ms=50.0),
    )
    p = res.plans[0]
    assert p["weight_dtype"] == "mxfp4" and p["meets_sla"]
    assert p["num_gpus"] == 1  # 61 GiB of MXFP4 experts + bf16 attention fit one H200


def test_bad_requests_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        PlanRequest(request_rate=1.0, concurrency=4)
    with pytest.raises(ValueError, match="percentile"):
        PlanRequest(request_rate=1.0, percentile=0)
    with pytest.raises(ValueError, match="disaggregated"):
        PlanRequest(request_rate=1.0, disaggregated="maybe")


def test_disaggregated_plans_size_both_pools() -> None:
    req = PlanRequest(
        hardware=("h200", "b200"),
        input_len=2048,
        output_len=256,
        request_rate=30.0,
        ttft_ms=1000.0,
        tpot_ms=40.0,
        disaggregated="on",
    )
    res = plan(load_model("llama-3.1-70b"), req)
    assert res.plans
    for p in res.plans:
        assert tuple(p) == PLAN_KEYS and p["mode"] == "disaggregated"
        pre, dec = p["prefill"], p["decode"]
        assert pre["num_gpus"] == pre["replicas"] * pre["tp"] * pre["dp"] * pre["pp"]
        assert p["num_gpus"] == pre["num_gpus"] + dec["num_gpus"]
        assert p["replicas"] == pre["replicas"] + dec["replicas"]
        # TTFT = prefill TTFT + KV transfer + the decode engine's first step (percentiles summed)
        assert p["ttft_ms"] == pytest.approx(pre["ttft_ms"] + pre["kv_transfer_ms"] + dec["first_step_ms"])
        assert p["tpot_ms"] == pytest.approx(dec["tpot_ms"])
        assert "# prefill workers" in p["launch"]["vllm"] and "# decode workers" in p["launch"]["vllm"]
        _check(p["launch"])
    assert any(p["meets_sla"] for p in res.plans)
    # auto lists a disaggregated plan only where it is cheaper than that GPU type's aggregated plan
    auto = plan(load_model("llama-3.1-70b"), replace(req, disaggregated="auto"))
    for hw in ("h200", "b200"):
        by_mode = {p["mode"]: p for p in auto.plans if p["hardware"] == hw and p["meets_sla"]}
        if "disaggregated" in by_mode and "aggregated" in by_mode:
            assert by_mode["disaggregated"]["usd_per_hour"] < by_mode["aggregated"]["usd_per_hour"]
    off = plan(load_model("llama-3.1-70b"), replace(req, disaggregated="off"))
    assert all(p["mode"] == "aggregated" for p in off.plans)


# ---------------------------------------------------------------------------- launch flags
def _flags_of(engine: str, text: str) -> list[tuple[str, str | None]]:
    """``(flag, value)`` pairs of every command line of ``engine`` in ``text``."""
    head = engine_flags()[engine]["command"].split()
    out: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        toks = shlex.split(line) if line and not line.startswith("#") else []
        if toks[: len(head)] != head:
            continue
        for i, t in enumerate(toks):
            if t.startswith("--"):
                nxt = toks[i + 1] if i + 1 < len(toks) and not toks[i + 1].startswith("--") else None
                out.append((t, nxt))
    return out


def _check(texts: dict[str, str]) -> int:
    n = 0
    for eng in ("vllm", "sglang", "trtllm"):
        data = engine_flags()[eng]
        flags = _flags_of(eng, texts[eng])
        assert flags, eng
        for flag, value in flags:
            assert flag in data["flags"], (eng, flag)
            if flag in data.get("choices", {}):
                assert value in data["choices"][flag], (eng, flag, value)
            n += 1
    # the manifest and the extra-options YAML parse as YAML
    docs = list(yaml.safe_load_all(texts["k8s"]))
    assert docs and all(d["apiVersion"] and d["kind"] in {"Deployment", "Service", "LeaderWorkerSet"} for d in docs)
    for d in docs:  # each pod asks for its GPUs and mounts a RAM /dev/shm
        if d["kind"] == "Deployment":
            pods = [d["spec"]["template"]["spec"]]
        elif d["kind"] == "LeaderWorkerSet":
            t = d["spec"]["leaderWorkerTemplate"]
            pods = [t["leaderTemplate"]["spec"], t["workerTemplate"]["spec"]]
        else:
            continue
        for pod in pods:
            c = pod["containers"][0]
            assert int(c["resources"]["limits"]["nvidia.com/gpu"]) >= 1
            assert (
                c["volumeMounts"][0]["mountPath"] == "/dev/shm" and pod["volumes"][0]["emptyDir"]["medium"] == "Memory"
            )
    for block in texts["trtllm"].split("<<'EOF'\n")[1:]:
        opts = yaml.safe_load(block.split("EOF\n")[0])
        assert set(opts) <= set(engine_flags()["trtllm"]["yaml_keys"])
    if "extra_llm_api_options" in texts["trtllm"]:
        yaml_keys = set(engine_flags()["trtllm"]["yaml_keys"])
        for line in texts["trtllm"].splitlines():
            if ":" in line and not line.startswith(("cat", "trtllm", "#")):
                key = line.split(":")[0].strip()
                assert key in yaml_keys or f"kv_cache_config.{key}" in yaml_keys, key
    # the manifest runs the same vLLM flags (a Deployment's args list, or a LeaderWorkerSet leader's shell line)
    for line in texts["k8s"].splitlines():
        item = line.strip()
        if item.startswith('- "--'):
            assert json.loads(item[2:]) in engine_flags()["vllm"]["flags"]
        elif item.startswith("- ") and "vllm serve" in item:
            serve = json.loads(item[2:]).split("; ", 1)[1]
            for tok in shlex.split(serve):
                if tok.startswith("--"):
                    assert tok in engine_flags()["vllm"]["flags"], tok
    return n


def test_every_emitted_flag_is_in_the_documented_list(llama70) -> None:
    for p in llama70.plans:
        assert _check(p["launch"]) > 10
    specs = [
        LaunchSpec(
            "deepseek-ai/DeepSeek-R1", tp=1, dp=8, ep=8, kv_dtype="fp8", weight_dtype="fp8", checkpoint_dtype="fp8"
        ),
        LaunchSpec("meta-llama/Llama-3.1-405B", tp=8, pp=2, weight_dtype="fp8", checkpoint_dtype="bf16"),
        LaunchSpec("openai/gpt-oss-120b", tp=2, ep=2, weight_dtype="mxfp4", checkpoint_dtype="mxfp4"),
    ]
    for s in specs:
        _check(launch_commands(s))
    t = launch_commands(specs[1])
    assert "--quantization fp8" in t["vllm"] and "--pipeline-parallel-size 2" in t["vllm"]
    # 16 GPUs per replica on 8-GPU nodes: a Ray cluster / a LeaderWorkerSet of 2 pods × 8 GPUs
    assert "--distributed-executor-backend ray" in t["vllm"] and "kind: LeaderWorkerSet" in t["k8s"]
    assert "size: 2" in t["k8s"] and 'nvidia.com/gpu: "8"' in t["k8s"] and "role: leader" in t["k8s"]
    assert "--quantization" not in launch_commands(specs[0])["vllm"]  # native fp8 checkpoint: detected
    assert "--kv-cache-dtype fp8_e4m3" in launch_commands(specs[0])["sglang"]
    assert "--enable-dp-attention" in launch_commands(specs[0])["sglang"]
    # a disaggregated search row: prefill and decode pools with the KV connector
    pd = launch_from_search_row(
        {"x": 3, "tp_p": 2, "ep_p": 2, "y": 1, "tp_d": 4, "ep_d": 4, "budget": 4096, "decode_concurrency": 64},
        "Qwen/Qwen3-30B-A3B",
        1024,
        256,
    )
    _check(pd)
    assert "NixlConnector" in pd["vllm"] and "role: prefill" in pd["k8s"] and "role: decode" in pd["k8s"]
    assert "--disaggregation-mode prefill" in pd["sglang"] and "--disaggregation-mode decode" in pd["sglang"]


# ---------------------------------------------------------------------------- CLI
def test_cli_plan_json_and_emit(capsys) -> None:
    argv = [
        "plan",
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h100-sxm,h200",
        "--input-len",
        "1024",
        "--output-len",
        "128",
        "--request-rate",
        "8",
        "--ttft-ms",
        "500",
        "--tpot-ms",
        "30",
        "--disaggregated",
        "off",
        "--json",
    ]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"plans", "rejected"} and doc["plans"][0]["meets_sla"]
    assert tuple(doc["plans"][0]) == PLAN_KEYS
    assert main([*argv[:-1], "--emit", "vllm"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vllm serve meta-llama/Llama-3.1-8B --tensor-parallel-size")
    assert (
        main(
            [
                "search",
                "--model",
                "llama-3.1-8b",
                "--hardware",
                "h200",
                "--gpus",
                "2",
                "--input-len",
                "1024",
                "--output-len",
                "128",
                "--tpot-ms",
                "30",
                "--emit",
                "k8s",
            ]
        )
        == 0
    )
    assert "kind: Deployment" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [
        ["--request-rate", "0"],
        ["--request-rate", "1", "--concurrency", "2"],
        ["--percentile", "101", "--request-rate", "1"],
        ["--request-rate", "1", "--price", "h200"],
        ["--request-rate", "1", "--disaggregated", "maybe"],
    ],
)
def test_cli_plan_bad_input_is_one_line_exit_2(extra: list[str], capsys) -> None:
    base = ["plan", "--model", "llama-3.1-8b", "--hardware", "h200", "--input-len", "128", "--output-len", "16"]
    with pytest.raises(SystemExit) as exc:
        main(base + extra)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
