"""Hostile-input fuzz suite (issue 11): hypothesis strategies over every surface that takes input.

Surfaces: model config fields, hardware profile fields, CLI flags (``step``, ``memory``,
``simulate``, ``search``), upload formats (model/profile JSON, measurement CSV/TSV, trace CSV,
scenario CSV), URL query parameters, simulator workloads, and the cost model's monotonicity in work.
The AppTest side (no page raises for hostile URLs and configs) is in ``tests/test_fuzz_pages.py``.

The contract asserted everywhere:

* a clear refusal (the surface's ``ValueError`` subclass; CLI: exit 2 and one line on stderr) or a
  valid answer — never another exception, never a traceback;
* answers are finite and non-negative where they are times, sizes or rates (no NaN, no negative
  latency, no over-capacity KV cache);
* bounded time per input (hypothesis ``deadline``).

Runs derandomized (``derandomize=True``) with fixed example counts, ~1–2 min on 2 cores. Raise
``FUZZ_EXAMPLES_SCALE`` (e.g. ``FUZZ_EXAMPLES_SCALE=10``) for a deeper local run.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.features.hardware import Curve, HardwareError, hardware_from_dict, hardware_to_dict, load_hardware
from dashboard.features.model_profile import ModelConfigError, parse_hf_config
from dashboard.features.presets import model_config

SCALE = max(1, int(os.environ.get("FUZZ_EXAMPLES_SCALE", "1")))


def fuzz(n: int, deadline_s: float = 5.0):
    return settings(
        max_examples=n * SCALE,
        derandomize=True,
        deadline=timedelta(seconds=deadline_s),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
        database=None,
    )


# ---------------------------------------------------------------- hostile values

HOSTILE_SCALARS = [
    0,
    -1,
    -4096,
    1,
    2,
    3,
    7,
    1e-300,
    -1e-300,
    1e8,
    10**12,
    10**400,
    2**63,
    1.5,
    0.5,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
    False,
    None,
    "",
    "abc",
    "8",
    "²",
    "١٢",
    "1e9",
    "NaN",
    "x" * 10_000,
    [],
    [1],
    [1, 2],
    {},
    {"a": 1},
    [[1, 0.5], [2, "x"]],
]
hostile = st.sampled_from(HOSTILE_SCALARS)


def _finite_nonneg(value: float, what: str) -> None:
    assert isinstance(value, (int, float)) and math.isfinite(value) and value >= 0, f"{what} = {value!r}"


# ---------------------------------------------------------------- model configs

MODEL_FIELDS = [
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "tie_word_embeddings",
    "sliding_window",
    "use_sliding_window",
    "layer_types",
    "hidden_act",
    "attention_bias",
    "quantization_config",
    "model_type",
    "_name_or_path",
    "num_nextn_predict_layers",
    "text_config",
    # MLA / MoE
    "q_lora_rank",
    "kv_lora_rank",
    "qk_nope_head_dim",
    "qk_rope_head_dim",
    "v_head_dim",
    "n_routed_experts",
    "num_local_experts",
    "num_experts",
    "num_experts_per_tok",
    "n_shared_experts",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "first_k_dense_replace",
    "moe_layer_freq",
    "decoder_sparse_step",
    "mlp_only_layers",
]
BASE_MODELS = ["llama-3.1-8b", "qwen2.5-7b", "deepseek-v3", "qwen3-30b-a3b", "gpt-oss-20b", "mixtral-8x7b"]


@st.composite
def mutated_config(draw) -> dict[str, Any]:
    cfg = model_config(draw(st.sampled_from(BASE_MODELS)))
    for _ in range(draw(st.integers(1, 4))):
        field = draw(st.sampled_from(MODEL_FIELDS))
        if draw(st.booleans()) and field in cfg:
            del cfg[field]
        else:
            cfg[field] = draw(hostile)
    return cfg


def _check_model_answers(model: Any) -> None:
    """A parsed model must give finite, non-negative parameters, memory and step time."""
    from dashboard.features.batch import StepSpec
    from dashboard.features.cost_model import CostModel
    from dashboard.features.memory import memory_breakdown
    from dashboard.features.parallel import ParallelConfig

    _finite_nonneg(model.total_params(), "total_params")
    _finite_nonneg(model.active_params(), "active_params")
    hw = load_hardware("h200")
    try:
        bd = memory_breakdown(model, hw, context=4096)
    except ValueError:
        return
    _finite_nonneg(bd.weight_bytes, "weight_bytes")
    _finite_nonneg(bd.kv_bytes_per_token, "kv_bytes_per_token")
    assert bd.max_kv_tokens * bd.kv_bytes_per_token <= max(bd.kv_budget_bytes, 0) + 1e-6 * bd.capacity_bytes
    assert bd.max_sequences >= 0 and bd.fits == (bd.max_sequences >= 1)
    cm = CostModel(model, hw, ParallelConfig())
    t = cm.step(StepSpec(prefill_seqs=1, prefill_len=256, prefix_len=0, decode_seqs=4, decode_context=512)).latency_s
    assert math.isfinite(t) and t > 0


@fuzz(250, deadline_s=10)
@given(cfg=mutated_config())
def test_fuzz_model_config_fields(cfg: dict[str, Any]) -> None:
    try:
        model = parse_hf_config(cfg)
    except ModelConfigError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _check_model_answers(model)


@fuzz(60)
@given(data=st.binary(max_size=400) | st.text(max_size=400))
def test_fuzz_model_json_upload_bytes(data) -> None:
    from dashboard.actions.settings import select_model_preset, set_model_json
    from dashboard.state.session import SessionState

    ss = SessionState()
    select_model_preset(ss, "qwen2.5-7b")
    good = ss.model.last_valid_json
    err = set_model_json(ss, data)
    if err:  # refused: the last valid model is kept
        assert ss.model.last_valid_json == good and ss.model.preset == "qwen2.5-7b"


# ---------------------------------------------------------------- hardware profiles

HW_PATHS = [
    ("peak_tflops", "bf16"),
    ("peak_tflops", "fp8"),
    ("peak_tflops", "fp4"),
    ("hbm_capacity_gb",),
    ("hbm_bandwidth_gb_s",),
    ("scale_out_gb_s",),
    ("host_ddr_gb_s",),
    ("tdp_w",),
    ("sm_count",),
    ("boost_clock_mhz",),
    ("l2_cache_mb",),
    ("c2c_gb_s",),
    ("scale_up", "bandwidth_gb_s"),
    ("scale_up", "domain_size"),
    ("pcie", "bandwidth_gb_s"),
    ("aliases",),
    ("name",),
    ("calibration",),
    ("efficiency",),
    ("efficiency", "gemm_compute"),
    ("efficiency", "attention_prefill"),
    ("efficiency", "memory"),
    ("efficiency", "kernel_overhead_us"),
    ("efficiency", "comm"),
    ("efficiency", "attention_decode_unit_gb_s"),
    ("efficiency", "gemm_compute_fp8"),
    ("scale_up",),
    ("pcie",),
    ("sources",),
    ("microarch",),
]


@st.composite
def mutated_profile(draw) -> dict[str, Any]:
    d = hardware_to_dict(load_hardware(draw(st.sampled_from(["h200", "b200", "mi300x", "a100-80g"]))))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(HW_PATHS))
        node = d
        for k in path[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[path[-1]] = draw(hostile | st.floats(allow_nan=True, allow_infinity=True))
    return d


@fuzz(250, deadline_s=10)
@given(d=mutated_profile())
def test_fuzz_hardware_profile_fields(d: dict[str, Any]) -> None:
    from dashboard.features.batch import StepSpec
    from dashboard.features.cost_model import CostModel
    from dashboard.features.memory import memory_breakdown
    from dashboard.features.parallel import ParallelConfig
    from dashboard.features.presets import load_model

    try:
        hw = hardware_from_dict(d)
    except HardwareError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for w in hw.plausibility_warnings():
        assert "\n" not in w
    model = load_model("llama-3.1-8b")
    for spec in (StepSpec(1, 4096, 0, 0, 0), StepSpec(0, 0, 0, 64, 2048)):
        t = CostModel(model, hw, ParallelConfig()).step(spec).latency_s
        assert math.isfinite(t) and t > 0, t
    bd = memory_breakdown(model, hw)
    assert math.isfinite(bd.kv_budget_bytes) and bd.max_kv_tokens >= 0


@fuzz(40)
@given(data=st.binary(max_size=300))
def test_fuzz_hardware_upload_bytes(data: bytes) -> None:
    from dashboard.actions.settings import add_custom_hardware
    from dashboard.state.session import SessionState

    ss = SessionState()
    before = ss.hardware.preset
    if add_custom_hardware(ss, data):
        assert ss.hardware.preset == before


# ---------------------------------------------------------------- the cost model: time never falls when work grows


@fuzz(200)
@given(
    pts=st.lists(
        st.tuples(st.floats(1.0, 1e6), st.floats(0.01, 1.5)), min_size=1, max_size=8, unique_by=lambda p: p[0]
    ),
    xs=st.lists(st.floats(0.5, 2e6), min_size=2, max_size=10),
)
def test_fuzz_curve_time_never_falls(pts, xs) -> None:
    c = Curve(tuple(sorted(pts)))
    xs = sorted(xs)
    times = [x / c(x) for x in xs]
    for (x0, t0), (x1, t1) in zip(zip(xs, times, strict=True), zip(xs[1:], times[1:], strict=True), strict=False):
        assert t1 >= t0 * (1 - 1e-12), (x0, x1, t0, t1)
        assert 0 < c(x1) <= 1.5


@pytest.fixture(scope="module")
def dense_cost_models():
    from dashboard.features.cost_model import CostModel
    from dashboard.features.parallel import Dtypes, ParallelConfig
    from dashboard.features.presets import load_model

    out = []
    for m in ("llama-3.1-8b", "qwen2.5-7b", "mistral-7b"):
        for hw in ("h200", "b200", "mi300x", "a100-80g"):
            for tp, wd in ((1, "bf16"), (2, "fp8")):
                out.append(CostModel(load_model(m), load_hardware(hw), ParallelConfig(tp=tp), Dtypes(weight=wd)))
    return out


@fuzz(150)
@given(
    i=st.integers(0, 23),
    n=st.integers(1, 32768),
    dn=st.integers(1, 4096),
    b=st.integers(1, 512),
    db=st.integers(1, 64),
    ctx=st.integers(0, 32768),
)
def test_fuzz_step_latency_monotone_in_work(dense_cost_models, i, n, dn, b, db, ctx) -> None:
    """More prompt tokens or more decoding sequences never make a step faster (dense models; MoE
    grouped GEMMs keep a ≤0.3 % wiggle near the tile size, reported to h12a)."""
    from dashboard.features.batch import StepSpec

    cm = dense_cost_models[i]
    p0 = cm.step(StepSpec(1, n, 0, 0, 0)).latency_s
    p1 = cm.step(StepSpec(1, n + dn, 0, 0, 0)).latency_s
    assert p1 >= p0 * (1 - 1e-9), (n, dn, p0, p1)
    d0 = cm.step(StepSpec(0, 0, 0, b, ctx)).latency_s
    d1 = cm.step(StepSpec(0, 0, 0, b + db, ctx)).latency_s
    assert d1 >= d0 * (1 - 1e-9), (b, db, d0, d1)


# ---------------------------------------------------------------- CLI flags

INT_BAD = ["0", "-1", "9" * 401, "²", "١٢", "nan", "inf", "", "abc", "1.5", "1e9", "99999999999"]
FLOAT_BAD = ["nan", "inf", "-inf", "-1", "0", "1e309", "abc", "", "1e-320"]
COMMON = {
    "--tp": [*INT_BAD, "1", "2", "3", "8"],
    "--ep": [*INT_BAD, "1", "2"],
    "--weight-dtype": ["bf16", "fp8", "fp4", "int4", "fp64", ""],
    "--kv-dtype": ["bf16", "fp8", "xx"],
    "--model": ["llama-3.1-8b", "qwen3-30b-a3b", "deepseek-v3", "no-such", "/etc/passwd", "../x.json", ""],
    "--hardware": ["h200", "b200", "a100-80g", "tpu-v9", "/dev/zero", "x.json", ""],
}
FLAGS: dict[str, dict[str, list[str]]] = {
    "step": {
        **COMMON,
        "--prefill-seqs": [*INT_BAD, "1", "4"],
        "--prefill-len": [*INT_BAD, "128", "100000"],
        "--prefix-len": [*INT_BAD, "0", "1000"],
        "--decode-seqs": [*INT_BAD, "0", "64"],
        "--decode-context": [*INT_BAD, "0", "4096"],
        "--overlap": [*FLOAT_BAD, "0.5", "1", "2"],
    },
    "memory": {
        **COMMON,
        "--pp": [*INT_BAD, "1", "2", "4"],
        "--context": [*INT_BAD, "4096", "500000"],
        "--reserved-fraction": [*FLOAT_BAD, "0.1", "0.99", "1"],
        "--gpu-memory-utilization": [*FLOAT_BAD, "0.9", "1", "1.5"],
    },
    "simulate": {
        **COMMON,
        "--num-requests": [*INT_BAD, "1", "8", "16000000"],
        "--input-len": [*INT_BAD, "16", "512", "1000000"],
        "--output-len": [*INT_BAD, "1", "16", "1000000"],
        "--dp": [*INT_BAD, "1", "2", "999999999999"],
        "--block-size": [*INT_BAD, "16", "1000000000"],
        "--max-num-batched-tokens": [*INT_BAD, "64", "2048"],
        "--max-num-seqs": [*INT_BAD, "4", "256"],
        "--num-kv-blocks": [*INT_BAD, "1", "64", "100000"],
        "--request-rate": [*FLOAT_BAD, "1", "1e-12"],
        "--input-spread": [*FLOAT_BAD, "0.5", "6"],
        "--input-dist": ["fixed", "lognormal", "zipf"],
        "--prefix-cache-hit": [*FLOAT_BAD, "0.5", "1"],
        "--seed": [*INT_BAD, "0", "-5"],
        "--gpu-memory-utilization": [*FLOAT_BAD, "0.9", "2"],
        "--sla-ttft-ms": [*FLOAT_BAD, "100"],
    },
    "search": {
        **COMMON,
        "--gpus": [*INT_BAD, "1", "8", "1025"],
        "--tp-values": ["1,2", "0", "1,,2", "a", "1" * 500],
        "--budgets": ["512", ",".join(["512"] * 2000), "-1", "nan"],
        "--sim-check": [*INT_BAD, "0"],
        "--ttft-ms": [*FLOAT_BAD, "1000"],
        "--concurrency": ["1,2", "0", "99999999"],
    },
}
BASE = {
    "step": ["--model", "llama-3.1-8b", "--hardware", "h200", "--prefill-seqs", "1", "--prefill-len", "64"],
    "memory": ["--model", "llama-3.1-8b", "--hardware", "h200"],
    "simulate": [
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--num-requests",
        "4",
        "--input-len",
        "64",
        "--output-len",
        "4",
    ],
    "search": [
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--gpus",
        "2",
        "--input-len",
        "256",
        "--output-len",
        "32",
        "--tp-values",
        "1,2",
        "--concurrency",
        "1,8",
        "--budgets",
        "512",
    ],
}
# valid but heavy (allowed by the bounds and legitimately long): not what this suite times
HEAVY = {("simulate", "--num-requests", "16000000"), ("simulate", "--request-rate", "1e-12")}


def _check_json_numbers(obj: Any, path: str = "") -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_json_numbers(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:200]):
            _check_json_numbers(v, f"{path}[{i}]")
    elif isinstance(obj, float):
        assert math.isfinite(obj), path
        leaf = path.rsplit(".", 1)[-1]
        if leaf.endswith(
            ("_ms", "_s", "latency_ms", "tok_s", "_bytes_per_token", "params", "weight_bytes")
        ) and not leaf.startswith(("kv_budget", "headroom", "delta")):
            assert obj >= 0, (path, obj)


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    from runners.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 2
    return rc, out.getvalue(), err.getvalue()


@st.composite
def cli_argv(draw) -> list[str]:
    cmd = draw(st.sampled_from(sorted(FLAGS)))
    argv = [cmd, *BASE[cmd]]
    for _ in range(draw(st.integers(1, 3))):
        flag = draw(st.sampled_from(sorted(FLAGS[cmd])))
        value = draw(st.sampled_from(FLAGS[cmd][flag]))
        if (cmd, flag, value) in HEAVY:
            continue
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    if draw(st.booleans()):
        argv.append("--json")
    return argv


CLI_SEEN: dict[str, int] = {"0": 0, "2": 0}


@fuzz(300, deadline_s=20)
@given(argv=cli_argv())
def test_fuzz_cli_flags(argv: list[str]) -> None:
    rc, out, err = _run_cli(argv)
    CLI_SEEN[str(rc)] = CLI_SEEN.get(str(rc), 0) + 1
    assert "Traceback" not in err and "Traceback" not in out, argv
    assert rc in (0, 2), (argv, rc, err[-500:])
    if rc == 2:
        lines = [ln for ln in err.splitlines() if ln.strip() and "warning:" not in ln]
        assert len(lines) == 1 and lines[0].startswith("modeling"), (argv, err)
    elif "--json" in argv:
        doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON output of {argv}"))
        _check_json_numbers(doc)


# ---------------------------------------------------------------- upload formats

CSV_PIECES = [
    "model",
    "hardware",
    "tp",
    "dtype",
    "prefill_seqs",
    "prefill_len",
    "prefix_len",
    "decode_seqs",
    "decode_context",
    "latency_ms",
    "llama-3.1-8b",
    "H200",
    "1",
    "bf16",
    "0",
    "512",
    "-3",
    "nan",
    "inf",
    "1e309",
    "=cmd|' /C calc'!A0",
    "x" * 200_000,
    "\ufeff",
    '"',
    "",
    "²",
    "/etc/passwd",
    "../cfg.json",
]


@st.composite
def csv_text(draw) -> str:
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = []
    header = "model,hardware,tp,dtype,prefill_seqs,prefill_len,prefix_len,decode_seqs,decode_context,latency_ms"
    if draw(st.booleans()):
        rows.append(header.replace(",", sep))
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(st.lists(st.sampled_from(CSV_PIECES), min_size=0, max_size=12))
        rows.append(sep.join(cells))
    if draw(st.booleans()):
        rows.append("llama-3.1-8b,H200,1,bf16,1,512,0,0,0,12.5".replace(",", sep))
    return "\n".join(rows)


@fuzz(120, deadline_s=20)
@given(text=csv_text(), as_bytes=st.booleans())
def test_fuzz_measurement_csv(text: str, as_bytes: bool) -> None:
    from dashboard.services.calibration import predict
    from dashboard.services.calibration_io import MeasurementError, load_input_files

    data: str | bytes = text.encode("utf-8") if as_bytes else text
    try:
        table, _ = load_input_files([("m.csv", data)])
        res = predict(table, load_hardware("h200"))
    except (MeasurementError, ValueError) as exc:
        assert "\n" not in str(exc).strip()
        return
    for k, v in res.items():
        if isinstance(v, float):  # R² of fewer than two rows is undefined (NaN, JSON null), never inf
            assert math.isfinite(v) or (k == "r2" and math.isnan(v) and len(table.rows) < 2), (k, v)


TRACE_PIECES = ["0", "0.5", "1e17", "-1", "inf", "nan", "1e400", "10", "10.5", "abc", "", "1" * 30, "²"]


@fuzz(150)
@given(
    header=st.sampled_from(
        [
            "arrival_s,prompt_tokens,output_tokens",
            "\ufeffarrival_s;prompt_tokens;output_tokens",
            "arrival_s\tprompt_tokens\toutput_tokens",
            "a,b,c",
            "",
        ]
    ),
    rows=st.lists(st.lists(st.sampled_from(TRACE_PIECES), min_size=0, max_size=4), max_size=6),
    as_bytes=st.booleans(),
)
def test_fuzz_trace_csv(header: str, rows: list[list[str]], as_bytes: bool) -> None:
    from dashboard.sim.workload import MAX_ARRIVAL_S, workload_from_trace

    sep = ";" if ";" in header else ("\t" if "\t" in header else ",")
    text = "\n".join([header, *(sep.join(r) for r in rows)])
    try:
        wl = workload_from_trace(text.encode() if as_bytes else text)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    assert all(0 <= a <= MAX_ARRIVAL_S for a in wl.arrival_s) and min(wl.prompt) >= 1 and min(wl.output) >= 1


@fuzz(80)
@given(
    rows=st.lists(
        st.dictionaries(
            st.sampled_from(["name", "hardware", "tp", "isl", "osl", "concurrency", "kv_len", "extra"]),
            st.sampled_from(
                ["h200", "/etc/passwd", "x.json", "1", "0", "-1", "nan", "1e309", "²", "=1+1", "", "8", "1024"]
            ),
            max_size=8,
        ),
        max_size=5,
    )
)
def test_fuzz_scenario_rows(rows) -> None:
    from dashboard.services.search_inferencemax import validate_scenario_rows

    for sc, err in validate_scenario_rows(rows, "h200", {}):
        assert (sc is None) != (err is None)
        if sc is not None:
            assert sc.hardware in {"h200"} or load_hardware(sc.hardware)


# ---------------------------------------------------------------- URL query parameters


class _QP(dict):
    def to_dict(self):
        return dict(self)


class _FakeSt:
    def __init__(self, qp: dict[str, str]) -> None:
        self.query_params = _QP(qp)


QP_VALUES = st.sampled_from(
    [
        "1",
        "2",
        "8",
        "²",
        "١٢",
        "-1",
        "0",
        "nan",
        "inf",
        "1e309",
        "x" * 5000,
        "/etc/passwd",
        "../../x.json",
        "h200",
        "llama-3.1-8b",
        "custom:evil",
        "zh",
        "en",
        "fp8",
        "bf16",
        "true",
        "",
        "1,2,3",
        "1," * 100,
    ]
)


@fuzz(200)
@given(
    qp=st.dictionaries(
        st.sampled_from(["tp", "ep", "hw", "model", "lang", "wdtype", "kvdtype", "adtype"]), QP_VALUES, max_size=8
    )
)
def test_fuzz_session_query_params(qp: dict[str, str]) -> None:
    from dashboard.app_context import _current_hardware, _current_model, _read_query_params
    from dashboard.state.session import SessionState

    ss = SessionState()
    _read_query_params(_FakeSt(qp), ss)
    model, hw = _current_model(ss), _current_hardware(ss)
    assert model.num_hidden_layers > 0 and hw.hbm_capacity_gb > 0
    assert 1 <= ss.settings.tp <= 1024 and ss.settings.language in ("en", "zh")
    assert not hw.name.startswith("/")


@fuzz(200)
@given(raw=QP_VALUES, like=st.sampled_from([1, 1.5, True, "s", (1, 2), (0.5,)]))
def test_fuzz_coerce_query_value(raw: str, like: Any) -> None:
    from dashboard.components.inputs import coerce_query_value

    try:
        v = coerce_query_value(raw, like)
    except ValueError:
        return
    if isinstance(v, float):
        assert math.isfinite(v)
    assert type(v) is type(like) or isinstance(like, tuple)


# ---------------------------------------------------------------- simulator workloads


@pytest.fixture(scope="module")
def small_cm():
    from dashboard.features.cost_model import CostModel
    from dashboard.features.parallel import ParallelConfig
    from dashboard.features.presets import load_model

    return CostModel(load_model("llama-3.1-8b"), load_hardware("h200"), ParallelConfig())


@fuzz(60, deadline_s=30)
@given(
    n=st.integers(1, 24),
    p=st.integers(1, 3000),
    o=st.integers(1, 200),
    dist=st.sampled_from(["fixed", "uniform", "normal", "lognormal"]),
    spread=st.floats(0, 1),
    rate=st.one_of(st.none(), st.floats(1e-3, 1e4)),
    conc=st.one_of(st.none(), st.integers(1, 8)),
    budget=st.integers(1, 8192),
    seqs=st.integers(1, 512),
    bs=st.sampled_from([1, 16, 128, 4096]),
    blocks=st.one_of(st.none(), st.integers(1, 5000)),
    chunked=st.booleans(),
    hit=st.floats(0, 0.99),
    dp=st.integers(1, 3),
    seed=st.integers(0, 2**32),
)
def test_fuzz_simulator_workloads(
    small_cm, n, p, o, dist, spread, rate, conc, budget, seqs, bs, blocks, chunked, hit, dp, seed
) -> None:
    from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, simulate

    try:
        wl = WorkloadConfig(
            num_requests=n,
            input_len=p,
            output_len=o,
            input_dist=dist,
            output_dist=dist,
            input_spread=spread,
            output_spread=spread,
            request_rate=rate,
            concurrency=conc,
            seed=seed,
        )
        sched = SchedulerConfig(
            max_num_batched_tokens=budget,
            max_num_seqs=seqs,
            block_size=bs,
            num_kv_blocks=blocks,
            chunked_prefill=chunked,
            prefix_cache_hit=hit,
        )
        res = simulate(small_cm, wl, sched, dp=dp, record_steps=True)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    s = res.summary
    assert s["completed"] == n
    for k in ("ttft_ms", "tpot_ms", "e2e_ms", "queue_ms"):
        for stat, v in s[k].items():
            if isinstance(v, float) and not math.isnan(v):
                assert v >= 0 and math.isfinite(v), (k, stat, v)
    req = res.requests
    assert (req["ttft_s"] >= 0).all() and (req["finish_s"] >= req["arrival_s"]).all()
    assert (res.steps["kv_blocks_used"] <= res.num_kv_blocks).all()  # never over capacity
    if chunked:
        tokens = res.steps["prefill_tokens"] + res.steps["decode_seqs"]
        assert (tokens <= budget).all()


def test_prefill_first_respects_the_token_budget(small_cm) -> None:
    from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig, simulate

    wl = WorkloadConfig(num_requests=3, input_len=3000, output_len=4)
    sched = SchedulerConfig(max_num_batched_tokens=2048, max_num_seqs=8, chunked_prefill=False)
    try:
        res = simulate(small_cm, wl, sched)
    except ValueError:
        return  # refusing the configuration is also a fix
    assert (res.steps["prefill_tokens"] + res.steps["decode_seqs"] <= 2048).all()


def test_arrivals_far_in_the_future_are_refused_not_rounded() -> None:
    from dashboard.sim.workload import Workload

    with pytest.raises(ValueError, match="arrival times must be at most"):
        Workload(arrival_s=(0.0, 1e17), prompt=(10, 10), output=(5, 5))
