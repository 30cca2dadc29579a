"""Plotly figure builders shared by every page (pure: they return ``go.Figure``, never render).

Pages render them through :func:`dashboard.components.outputs.chart`; tests assert on the
figures these functions return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

__all__ = ["bar_chart", "grouped_bars", "heatmap", "line_chart", "scatter_chart", "stacked_bars", "timeline"]

_LAYOUT = {"margin": {"l": 40, "r": 20, "t": 50, "b": 40}, "legend": {"orientation": "h", "y": -0.2}}


def _fig(title: str, xaxis: str, yaxis: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, xaxis_title=xaxis, yaxis_title=yaxis, **_LAYOUT)
    return fig


def line_chart(
    x: Sequence[Any],
    series: Mapping[str, Sequence[float]],
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    log_x: bool = False,
    log_y: bool = False,
    hlines: Mapping[str, float] | None = None,
) -> go.Figure:
    """One line per series over shared ``x``; optional named horizontal reference lines."""
    fig = _fig(title, xaxis, yaxis)
    for name, ys in series.items():
        fig.add_trace(go.Scatter(x=list(x), y=list(ys), mode="lines+markers", name=name))
    for name, y in (hlines or {}).items():
        fig.add_hline(y=y, line_dash="dash", annotation_text=name)
    if log_x:
        fig.update_xaxes(type="log")
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str = "",
    yaxis: str = "",
    colors: Sequence[str] | None = None,
) -> go.Figure:
    fig = _fig(title, "", yaxis)
    fig.add_trace(go.Bar(x=list(labels), y=list(values), marker_color=list(colors) if colors else None))
    return fig


def grouped_bars(
    categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str = "", yaxis: str = ""
) -> go.Figure:
    """Bars grouped by category, one colour per series."""
    fig = _fig(title, "", yaxis)
    for name, ys in series.items():
        fig.add_trace(go.Bar(x=list(categories), y=list(ys), name=name))
    fig.update_layout(barmode="group")
    return fig


def stacked_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str = "",
    yaxis: str = "",
    horizontal: bool = False,
) -> go.Figure:
    """Stacked bars: one bar per category, one segment per series."""
    fig = _fig(title, "", yaxis)
    for name, ys in series.items():
        if horizontal:
            fig.add_trace(go.Bar(y=list(categories), x=list(ys), name=name, orientation="h"))
        else:
            fig.add_trace(go.Bar(x=list(categories), y=list(ys), name=name))
    fig.update_layout(barmode="stack")
    return fig


def scatter_chart(
    points: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    diagonal: bool = False,
    hover: Mapping[str, Sequence[str]] | None = None,
    lines: bool = False,
) -> go.Figure:
    """Named point sets; ``diagonal`` adds y = x (predicted vs. measured plots)."""
    fig = _fig(title, xaxis, yaxis)
    lo, hi = float("inf"), float("-inf")
    for name, (xs, ys) in points.items():
        fig.add_trace(
            go.Scatter(
                x=list(xs),
                y=list(ys),
                mode="lines+markers" if lines else "markers",
                name=name,
                text=list((hover or {}).get(name, [])) or None,
            )
        )
        if xs:
            lo = min(lo, min(xs), min(ys))
            hi = max(hi, max(xs), max(ys))
    if diagonal and lo < hi:
        fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line={"dash": "dot"}))
    return fig


def heatmap(
    z: Sequence[Sequence[float]],
    x: Sequence[Any],
    y: Sequence[Any],
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    colorbar: str = "",
) -> go.Figure:
    fig = _fig(title, xaxis, yaxis)
    fig.add_trace(
        go.Heatmap(z=[list(r) for r in z], x=[str(v) for v in x], y=[str(v) for v in y], colorbar={"title": colorbar})
    )
    return fig


def timeline(
    lanes: Mapping[str, Sequence[tuple[float, float, str]]], title: str = "", xaxis: str = "time (ms)"
) -> go.Figure:
    """Gantt-style lanes: each lane is a list of ``(start, duration, label)`` segments."""
    fig = _fig(title, xaxis, "")
    for lane, segs in lanes.items():
        if not segs:
            continue
        fig.add_trace(
            go.Bar(
                y=[lane] * len(segs),
                x=[d for _, d, _ in segs],
                base=[s for s, _, _ in segs],
                orientation="h",
                text=[lbl for _, _, lbl in segs],
                name=lane,
                hovertemplate="%{text}: %{base:.3f} + %{x:.3f}<extra></extra>",
            )
        )
    fig.update_layout(barmode="overlay")
    return fig
