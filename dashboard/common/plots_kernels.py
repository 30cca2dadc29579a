"""Plotly figure builders of the kernel pages (attention vs head_dim, MMA / GEMM tile modeler).

Pure: each returns a ``go.Figure`` and never renders; tests assert on the figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.plots import line_chart

__all__ = ["attention_component_chart", "gemm_levels_chart", "gemm_throughput_chart", "measured_vs_model_chart"]

_LAYOUT = {"margin": {"l": 40, "r": 20, "t": 50, "b": 40}, "legend": {"orientation": "h", "y": -0.2}}


def attention_component_chart(x: Sequence[Any], series: Mapping[str, Sequence[float]], *, title: str, xaxis: str,
                              yaxis: str, hot: str | None = None, total: Sequence[float] | None = None,
                              log_y: bool = False) -> go.Figure:
    """One line per attention component over the swept head_dim; the hot component is drawn
    thicker, and an optional kernel-total line is dashed."""
    fig = line_chart(x, series, title=title, xaxis=xaxis, yaxis=yaxis, log_y=log_y)
    for tr in fig.data:
        if hot and tr.name == hot:
            tr.line.width = 5
    if total is not None:
        fig.add_trace(go.Scatter(x=list(x), y=list(total), mode="lines", name="kernel total",
                                 line={"dash": "dash", "color": "black"}))
    return fig


def gemm_throughput_chart(x: Sequence[float], model_tflops: Sequence[float], *, xaxis: str, peak_tflops: float,
                          measured: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                          title: str = "GEMM throughput (TFLOP/s)", bottlenecks: Sequence[str] | None = None) -> go.Figure:
    """Model TFLOP/s over a swept dimension (log x), the tensor peak, and measured points."""
    fig = go.Figure()
    fig.update_layout(title=title, xaxis_title=xaxis, yaxis_title="TFLOP/s", **_LAYOUT)
    fig.add_trace(go.Scatter(x=list(x), y=list(model_tflops), mode="lines+markers", name="model",
                             text=list(bottlenecks) if bottlenecks else None,
                             hovertemplate="%{x}: %{y:.1f} TFLOP/s (%{text})<extra>model</extra>" if bottlenecks else None))
    for name, (xs, ys) in (measured or {}).items():
        fig.add_trace(go.Scatter(x=list(xs), y=list(ys), mode="markers", name=name, marker={"size": 10, "symbol": "x"}))
    xs = [float(v) for v in x] + [float(v) for xs_, _ in (measured or {}).values() for v in xs_]
    if xs:  # a plain trace: cheaper to build than add_hline's shape + annotation
        fig.add_trace(go.Scatter(x=[min(xs), max(xs)], y=[peak_tflops, peak_tflops], mode="lines",
                                 name=f"tensor peak {peak_tflops:.0f}", line={"dash": "dot", "color": "grey"}))
    fig.update_xaxes(type="log")
    return fig


def gemm_levels_chart(x: Sequence[float], utilisation: Mapping[str, Sequence[float | None]], *, xaxis: str,
                      title: str = "Demanded ÷ available bandwidth per level") -> go.Figure:
    """Utilisation (demand ÷ available, 1 = the level just keeps up) of each memory level over
    the swept dimension; above 1 the level, not the tensor cores, sets the time."""
    fig = line_chart(x, {k: [v if v is not None else float("nan") for v in vs] for k, vs in utilisation.items()},
                     title=title, xaxis=xaxis, yaxis="demand / available", log_x=True, log_y=True)
    if len(x):
        fig.add_trace(go.Scatter(x=[min(x), max(x)], y=[1.0, 1.0], mode="lines", name="1 = saturated",
                                 line={"dash": "dash", "color": "grey"}))
    return fig


def measured_vs_model_chart(points: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                            hover: Mapping[str, Sequence[str]] | None = None,
                            title: str = "Model vs measured (TFLOP/s)") -> go.Figure:
    """Measured (x) against model (y) with the y = x diagonal."""
    fig = go.Figure()
    fig.update_layout(title=title, xaxis_title="measured TFLOP/s", yaxis_title="model TFLOP/s", **_LAYOUT)
    lo, hi = float("inf"), 0.0
    for name, (xs, ys) in points.items():
        fig.add_trace(go.Scatter(x=list(xs), y=list(ys), mode="markers", name=name,
                                 text=list((hover or {}).get(name, [])) or None))
        if len(xs):
            lo, hi = min(lo, *xs, *ys), max(hi, *xs, *ys)
    if hi > 0:
        fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line={"dash": "dot"}))
    return fig
