"""Quick estimation: the overlap timeline formula (hand-computed), the hardware edits, and the page
(AppTest) — TP halves weights, φ = 1 is never slower than φ = 0, edited specs move the times."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from dashboard.common.plots_estimation import overlap_timeline_figure, timeline_lanes
from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.overlap import overlap_timeline
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR
from dashboard.services.estimation import edited_hardware, estimate_scenario, profile_spec_values, step_timeline
from dashboard.state.quick_estimation import QuickEstimationInputs
from dashboard.state.session import SessionState, Settings

PAGE = str(DASHBOARD_DIR / "quick_estimation.py")
APP = str(DASHBOARD_DIR / "app.py")
K = "quick_estimation__"


# ----------------------------------------------------------------------------- overlap timeline formula
def test_timeline_hand_computed_half_overlap() -> None:
    # compute 10, comm 4 over 2 layers, φ = 0.5: per layer c = 5, m = 2, hidden 1, exposed 1, layer = 6
    tl = overlap_timeline(10.0, 4.0, 0.5, 2)
    assert tl.hidden_s == pytest.approx(2.0)
    assert tl.exposed_s == pytest.approx(2.0)
    assert tl.total_s == pytest.approx(12.0)
    segs = [(s.lane, s.layer, s.start_s, s.duration_s, s.kind) for s in tl.segments]
    assert segs == [
        ("compute", 0, 0.0, 5.0, "compute"),
        ("comm", 0, 4.0, 1.0, "comm_hidden"),
        ("comm", 0, 5.0, 1.0, "comm_exposed"),
        ("compute", 1, 6.0, 5.0, "compute"),
        ("comm", 1, 10.0, 1.0, "comm_hidden"),
        ("comm", 1, 11.0, 1.0, "comm_exposed"),
    ]
    # the last segment ends at the total
    assert max(s.start_s + s.duration_s for s in tl.segments) == pytest.approx(tl.total_s)


@pytest.mark.parametrize(
    ("compute", "comm", "phi", "total"),
    [
        (10.0, 4.0, 0.0, 14.0),  # nothing hidden
        (10.0, 4.0, 1.0, 10.0),  # all hidden
        (2.0, 6.0, 1.0, 6.0),  # comm > compute: only 2 of 6 can hide → 2 + 4
        (2.0, 6.0, 0.25, 6.5),  # hidden = min(1.5, 2) = 1.5 → 2 + 4.5
        (0.0, 3.0, 1.0, 3.0),  # nothing to hide behind
    ],
)
def test_timeline_totals(compute: float, comm: float, phi: float, total: float) -> None:
    tl = overlap_timeline(compute, comm, phi, 4, fixed_s=0.5)
    assert tl.total_s == pytest.approx(total + 0.5)
    assert tl.segments[-1].kind == "overhead" and tl.segments[-1].start_s == pytest.approx(total)
    assert sum(s.duration_s for s in tl.segments if s.kind.startswith("comm")) == pytest.approx(comm)


def test_timeline_rejects_bad_inputs() -> None:
    for args in ((1.0, 1.0, 1.5, 2), (1.0, 1.0, -0.1, 2), (1.0, 1.0, 0.5, 0), (-1.0, 1.0, 0.5, 2)):
        with pytest.raises(ValueError):
            overlap_timeline(*args)


def test_step_timeline_agrees_with_cost_model() -> None:
    model, hw = load_model("llama-3.1-70b"), load_hardware("h200")
    totals = {}
    for phi in (0.0, 0.3, 1.0):
        cm = CostModel(model, hw, ParallelConfig(tp=4), Dtypes(), overlap=phi)
        for spec in (StepSpec(prefill_seqs=2, prefill_len=4096), StepSpec(decode_seqs=64, decode_context=4096)):
            cost = cm.step(spec)
            tl = step_timeline(cost, phi, model.num_hidden_layers)
            assert tl.total_s == pytest.approx(cost.latency_s, rel=1e-12)
            assert tl.comm_s > 0
            totals[(phi, spec.prefill_seqs)] = tl.total_s
    for kind in (2, 0):
        assert totals[(1.0, kind)] < totals[(0.3, kind)] < totals[(0.0, kind)]
    fig = overlap_timeline_figure({"φ=0": step_timeline(cost, 0.0, 80)}, unit="ms")
    assert {tr.name for tr in fig.data} == {"compute", "comm_exposed"}
    lanes = timeline_lanes({"φ=0": step_timeline(cost, 0.0, 80)})
    assert len(lanes["compute"]) == 80 and len(lanes["comm_exposed"]) == 80


def test_estimate_scenario_hand_checks() -> None:
    model, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    est = estimate_scenario(
        lambda p: CostModel(model, hw, ParallelConfig(tp=2), Dtypes(), p),
        batch=4,
        input_len=1000,
        output_len=101,
        phi=0.5,
        dp=3,
        layers=32,
    )
    cm = CostModel(model, hw, ParallelConfig(tp=2), Dtypes(), 0.5)
    assert est.ttft_s == pytest.approx(cm.prefill_time_s(4, 1000))
    assert est.tpot_s == pytest.approx(cm.generation_time_s(4, 1000, 101) / 100)
    assert est.e2e_s == pytest.approx(est.ttft_s + 100 * est.tpot_s)
    assert est.tokens_per_s == pytest.approx(4 / est.tpot_s)
    assert est.cluster_tokens_per_s == pytest.approx(3 * est.tokens_per_s)
    assert est.decode_context == 1050
    # output_len = 1: no decode steps, TPOT falls back to one step at the prompt length
    one = estimate_scenario(
        lambda p: CostModel(model, hw, ParallelConfig(), Dtypes(), p),
        batch=1,
        input_len=10,
        output_len=1,
        phi=0.0,
        dp=1,
        layers=32,
    )
    assert one.decode_total_s == 0.0 and one.tpot_s > 0


# ----------------------------------------------------------------------------- hardware edits
def test_edited_hardware_scales_every_peak_and_sets_the_right_link() -> None:
    hw = load_hardware("h200")
    assert profile_spec_values(hw, "bf16", "bf16", 8)["peak_tflops"] == pytest.approx(989.4, rel=1e-3)
    ed = edited_hardware(
        hw, weight_dtype="bf16", activation_dtype="bf16", group=8, peak_tflops=494.7, hbm_gb_s=2400.0, link_gb_s=100.0
    )
    assert ed.peak_flops("bf16") == pytest.approx(hw.peak_flops("bf16") / 2)
    assert ed.peak_flops("fp8") == pytest.approx(hw.peak_flops("fp8") / 2)  # ratio kept
    assert ed.hbm_bandwidth_gb_s == 2400.0 and ed.scale_up_gb_s == 100.0
    assert ed.efficiency == hw.efficiency
    # a 16-GPU group leaves the NVLink domain of 8: the edit goes to scale-out
    ed16 = edited_hardware(hw, weight_dtype="bf16", activation_dtype="bf16", group=16, link_gb_s=25.0)
    assert ed16.link_bytes_per_s(16) == pytest.approx(25e9)
    assert ed16.scale_up_gb_s == hw.scale_up_gb_s
    # the model's decode time is memory-bound: doubling HBM bandwidth cuts it, never raises it
    m = load_model("llama-3.1-8b")
    fast = edited_hardware(hw, weight_dtype="bf16", activation_dtype="bf16", group=1, hbm_gb_s=9600.0)
    t0 = CostModel(m, hw).decode_time_s(1, 2048)
    t1 = CostModel(m, fast).decode_time_s(1, 2048)
    assert 0.5 * t0 < t1 < 0.7 * t0


def test_inputs_validation_messages() -> None:
    with pytest.raises(ValueError, match="overlap"):
        QuickEstimationInputs(overlap=1.5)
    with pytest.raises(ValueError, match="tp"):
        QuickEstimationInputs(tp=0)
    with pytest.raises(ValueError, match="hbm_gb_s"):
        QuickEstimationInputs(custom_spec=True, hbm_gb_s=-1.0)
    QuickEstimationInputs(custom_spec=True)  # zeros = not set yet


# ----------------------------------------------------------------------------- the page
def _metric(at, label: str) -> float:
    for m in at.metric:
        if m.label == label:
            return float(m.value.replace(",", ""))
    raise KeyError(label)


def _run(target) -> AppTest:
    """Run an AppTest, or the AppTest of a widget whose value was just set; assert no exception."""
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page() -> AppTest:
    return _run(AppTest.from_file(PAGE, default_timeout=120))


def test_page_defaults_render_everything() -> None:
    at = _page()
    for label in ("TTFT (ms)", "TPOT (ms)", "Output tok/s (per replica)", "End-to-end (s)", "Weights / GPU (GiB)"):
        assert _metric(at, label) > 0
    ops = at.dataframe[0].value
    assert set(ops.phase) == {"prefill", "decode"}
    assert {"qkv_proj", "attn_prefill", "attn_decode", "lm_head"} <= set(ops.op)
    assert set(ops.bound) <= {"compute", "memory", "comm"}
    # prefill GEMMs are compute-bound, single-sequence decode GEMMs memory-bound
    assert ops[(ops.phase == "prefill") & (ops.op == "gate_up_proj")].bound.item() == "compute"
    assert ops[(ops.phase == "decode") & (ops.op == "gate_up_proj")].bound.item() == "memory"
    assert len(at.get("plotly_chart")) == 3
    assert {b.label for b in at.download_button} >= {"Download table (CSV)", "Download inputs + outputs (JSON)"}
    assert at.query_params["input_len"] == "2048"
    assert at.info  # TP = 1: no communication to overlap
    assert not at.warning and not at.error


def test_doubling_tp_halves_weights_and_adds_communication() -> None:
    at = _page()
    w1 = _metric(at, "Weights / GPU (GiB)")
    assert _metric(at, "Prefill comm (MB/step)") == 0.0
    _run(at.number_input(key=K + "tp").set_value(2))
    assert _metric(at, "Weights / GPU (GiB)") == pytest.approx(w1 / 2, rel=0.01)
    # two all-reduces per layer of batch·input_len·hidden bf16 values, 32 · 2 · 2048 · 4096 · 2 B = 1,073,741,824 B,
    # plus the fp32 logits all-gather of one sampled row, 128256 / 2 · 4 B = 256,512 B → 1073.998 MB
    ops = at.dataframe[0].value
    assert ops[ops.phase == "prefill"].comm_MB.sum() == pytest.approx(1073.998336, abs=1e-6)
    assert ops[(ops.phase == "prefill") & (ops.op == "logits_allgather")].comm_MB.item() == pytest.approx(0.256512)
    assert _metric(at, "Prefill comm (MB/step)") == 1074
    assert _metric(at, "GPUs (all replicas)") == 2
    _run(at.number_input(key=K + "dp").set_value(4))
    assert _metric(at, "Output tok/s (all DP)") == pytest.approx(
        4 * _metric(at, "Output tok/s (per replica)"), rel=1e-3
    )
    assert at.query_params["tp"] == "2"


def test_overlap_one_never_slower_than_zero() -> None:
    at = _page()
    _run(at.number_input(key=K + "tp").set_value(4))
    times = {}
    for phi in (0.0, 0.5, 1.0):
        _run(at.slider(key=K + "overlap").set_value(phi))
        times[phi] = (_metric(at, "TTFT (ms)"), _metric(at, "TPOT (ms)"))
        ov = at.dataframe[1].value
        for phase in ("prefill", "decode"):
            rows = ov[ov.phase == phase].set_index("phi")
            assert rows.loc[1.0, "step_ms"] <= rows.loc[0.0, "step_ms"]
            assert rows.loc[0.0, "hidden_ms"] == 0.0
    assert times[1.0][0] < times[0.5][0] < times[0.0][0]
    assert times[1.0][1] < times[0.5][1] < times[0.0][1]
    # the timeline of the chosen φ agrees with the metric
    ov = at.dataframe[1].value
    assert ov[(ov.phase == "prefill") & (ov.phi == 1.0)].step_ms.item() == pytest.approx(times[1.0][0], rel=1e-3)


def test_edited_gpu_spec_moves_times() -> None:
    at = _page()
    ttft0, tpot0 = _metric(at, "TTFT (ms)"), _metric(at, "TPOT (ms)")
    _run(at.checkbox(key=K + "custom_spec").check())
    # seeded from the profile: same numbers
    assert at.number_input(key=K + "peak_tflops").value == pytest.approx(989.4, rel=1e-3)
    assert _metric(at, "TTFT (ms)") == pytest.approx(ttft0, rel=1e-4)
    _run(at.number_input(key=K + "hbm_gb_s").set_value(9600.0))
    tpot1 = _metric(at, "TPOT (ms)")
    assert 0.5 * tpot0 < tpot1 < 0.7 * tpot0  # decode is HBM-bound
    _run(at.number_input(key=K + "peak_tflops").set_value(1978.8))
    assert _metric(at, "TTFT (ms)") < 0.7 * ttft0  # prefill is compute-bound
    assert _metric(at, "TPOT (ms)") == pytest.approx(tpot1, rel=0.05)
    assert any("Edited spec" in c.value for c in at.caption)
    _run(at.checkbox(key=K + "custom_spec").uncheck())
    assert _metric(at, "TTFT (ms)") == pytest.approx(ttft0, rel=1e-4)


def test_invalid_and_extreme_inputs_never_raise() -> None:
    at = _page()
    _run(at.number_input(key=K + "tp").set_value(3))  # 32 heads / 3
    assert any("tp=3" in e.value for e in at.error)
    _run(at.number_input(key=K + "tp").set_value(1024))
    assert at.error
    _run(at.number_input(key=K + "tp").set_value(8))
    for field, value in (("input_len", 4_000_000), ("output_len", 4_000_000), ("batch", 65536)):
        _run(at.number_input(key=K + field).set_value(value))
    assert not at.error
    assert any("exceeds" in w.value for w in at.warning)  # 65536 sequences of 8M tokens do not fit: a warning
    assert _metric(at, "TTFT (ms)") > 1e5
    # 671 B parameters on one GPU: an alert, the times still shown; MoE note about routed experts
    _run(at.sidebar.selectbox(key="sb_model_preset").set_value("deepseek-v3"))
    _run(at.number_input(key=K + "tp").set_value(1))
    assert any("Does not fit" in e.value for e in at.error)
    assert any("MoE" in c.value for c in at.caption)
    assert _metric(at, "TTFT (ms)") > 0
    _run(at.number_input(key=K + "ep").set_value(8))  # DP-attention × EP experts
    assert _metric(at, "GPUs (all replicas)") == 8


def test_sidebar_defaults_inputs_persist_and_url_loads() -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["app_state"] = SessionState(settings=Settings(tp=4))
    _run(at)
    assert at.number_input(key=K + "tp").value == 4  # first visit: TP from the sidebar default
    _run(at.number_input(key=K + "batch").set_value(16))
    # survives a page switch and back
    nav = _run(AppTest.from_file(APP, default_timeout=120))
    _run(nav.switch_page("quick_estimation.py"))
    _run(nav.number_input(key=K + "batch").set_value(8))
    _run(nav.switch_page("overview.py"))
    _run(nav.switch_page("quick_estimation.py"))
    assert nav.number_input(key=K + "batch").value == 8
    assert nav.session_state["app_state"].pages["quick_estimation"].batch == 8
    # URL query parameters on first load
    url = AppTest.from_file(PAGE, default_timeout=120)
    url.query_params["overlap"] = "0.25"
    url.query_params["batch"] = "32"
    _run(url)
    v = url.session_state["app_state"].pages["quick_estimation"]
    assert dataclasses.astuple(v)[:7] == (1, 1, 1, 32, 2048, 256, 0.25)


# ----------------------------------------------------------------------------- timeline properties
_times = hs.floats(min_value=0.0, max_value=10.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(compute=_times, comm=_times, fixed=_times, phi=hs.floats(0.0, 1.0), layers=hs.integers(1, 130))
def test_timeline_properties(compute: float, comm: float, fixed: float, phi: float, layers: int) -> None:
    tl = overlap_timeline(compute, comm, phi, layers, fixed)
    # the cost model's combine rule
    assert tl.total_s == pytest.approx(compute + comm - min(phi * comm, compute) + fixed, abs=1e-9)
    assert tl.hidden_s <= phi * comm + 1e-12 and tl.hidden_s <= compute + 1e-12
    # lanes never overlap themselves, and every segment ends by the total
    for lane in ("compute", "comm"):
        segs = sorted((s.start_s, s.start_s + s.duration_s) for s in tl.segments if s.lane == lane)
        assert all(b[0] >= a[1] - 1e-9 for a, b in pairwise(segs))
        assert all(end <= tl.total_s + 1e-9 for _, end in segs)
    # more overlap is never slower
    assert overlap_timeline(compute, comm, 1.0, layers, fixed).total_s <= tl.total_s + 1e-12
    assert tl.total_s <= overlap_timeline(compute, comm, 0.0, layers, fixed).total_s + 1e-12
