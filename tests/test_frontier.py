"""Frontier service: continuous-batching points per series, Pareto flags, axes, PD role split."""

from __future__ import annotations

import pytest

from dashboard.features.checkpoint import native_dtypes
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import load_hardware
from dashboard.features.parallel import ParallelConfig
from dashboard.features.presets import load_model
from dashboard.services.frontier import frontier_points
from dashboard.services.search_steady import steady_state

M = load_model("llama-3.1-8b")
H100, B200 = load_hardware("h100-sxm"), load_hardware("b200")


def test_points_are_the_continuous_batching_steady_state() -> None:
    rows, notes = frontier_points(
        M, [H100], ["vllm"], ["native"], 1024, 512, concurrency=(1, 16, 64), tp_values=(1, 2), prices={"h100-sxm": 3.0}
    )
    assert not notes
    r = next(r for r in rows if r["layout"] == "TP2" and r["concurrency"] == 16)
    st = steady_state(CostModel(M, H100, ParallelConfig(tp=2), native_dtypes(M)), 1024, 512, 16, r["budget"])
    assert r["output_tok_s_per_gpu"] == pytest.approx(st.output_tok_s / 2)
    assert r["tps_per_user"] == pytest.approx(1.0 / st.tpot_s)
    assert r["tokens_per_usd"] == pytest.approx(r["output_tok_s_per_gpu"] * 3600 / 3.0)
    assert r["usd_per_m_output_tokens"] == pytest.approx(1e6 / r["tokens_per_usd"])


@pytest.mark.parametrize("y", ["output_tok_s_per_gpu", "tokens_per_joule"])
def test_frontier_flags_are_pareto_optimal(y: str) -> None:
    rows, _ = frontier_points(M, [H100, B200], ["vllm"], ["native"], 1024, 512, y_metric=y)
    for series in {r["series"] for r in rows}:
        pts = [r for r in rows if r["series"] == series]
        front = [r for r in pts if r["on_frontier"]]
        assert front
        for f in front:  # nothing in its series is better on both axes
            assert not any(p["tps_per_user"] > f["tps_per_user"] and p[y] > f[y] for p in pts)
        for p in pts:
            if not p["on_frontier"]:  # every other point is dominated by (or equal to) a frontier point
                assert any(f["tps_per_user"] >= p["tps_per_user"] and f[y] >= p[y] for f in front)


def test_fp4_needs_fp4_tensor_cores() -> None:
    rows, notes = frontier_points(M, [H100, B200], ["vllm"], ["fp4"], 1024, 512, concurrency=(8,))
    assert {r["hardware"] for r in rows} == {"b200"}
    assert any("h100-sxm" in n and "fp4" in n for n in notes)


def test_disaggregated_points_split_per_role() -> None:
    rows, _ = frontier_points(
        load_model("llama-3.1-70b"),
        [load_hardware("h200")],
        ["vllm"],
        ["native"],
        1024,
        1024,
        disaggregated=True,
        pd_gpus=16,
    )
    pd = [r for r in rows if r["series"].endswith("· PD")]
    assert pd and any(r["on_frontier"] for r in pd)
    for r in pd:
        # output tokens/s over all GPUs = per decode GPU × decode GPUs / all GPUs
        _, d_part = r["layout"].split(" + ")
        y, tp_d = int(d_part.split("×")[0]), int(d_part.split("TP")[1].rstrip(")"))
        assert r["output_tok_s_per_gpu"] * r["gpus"] == pytest.approx(r["output_tok_s_per_decode_gpu"] * y * tp_d)
        assert r["gpus"] <= 16 and r["output_tok_s_per_decode_gpu"] >= r["output_tok_s_per_gpu"]
