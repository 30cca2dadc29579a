"""Figures of the simulator pages (pure: they return ``go.Figure``; pages render them).

Consumers: ``dashboard/vllm_simulator_dashboard.py`` and ``dashboard/scale_up_sweep_with_sim.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.common.i18n import tr
from dashboard.features.metrics import kv_cache_utilisation

__all__ = ["downsample_steps", "grid_heatmap", "latency_cdf", "metric_lines", "step_timeline", "sweep_lines"]

_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 60, "b": 40}, "legend": {"orientation": "h", "yanchor": "top", "y": -0.22}}


def downsample_steps(steps: Mapping[str, np.ndarray], max_points: int = 2000) -> dict[str, np.ndarray]:
    """Every ``k``-th step so that at most ``max_points`` remain (the chart stays light)."""
    n = len(steps["dur_s"]) if "dur_s" in steps else 0
    if n <= max_points:
        return {k: np.asarray(v) for k, v in steps.items()}
    k = -(-n // max_points)
    return {key: np.asarray(v)[::k] for key, v in steps.items()}


def step_timeline(
    steps: Mapping[str, np.ndarray],
    num_kv_blocks: int,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    max_points: int = 2000,
    lang: str = "en",
) -> go.Figure:
    """Three stacked panels over simulated time (s): tokens per step (prefill, decode), running and
    waiting sequences, KV-cache usage (%). With several engines, engine 0 is drawn."""
    lb = {k: tr(f"fig.tl.{k}", lang) for k in ("prefill", "decode", "running", "waiting", "kv", "time", "step_ms")}
    lb.update(labels or {})
    s = {k: np.asarray(v) for k, v in steps.items()}
    if "engine" in s and len(s["engine"]) and s["engine"].max() > 0:
        keep = s["engine"] == 0
        s = {k: v[keep] for k, v in s.items()}
    s = downsample_steps(s, max_points)
    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06, specs=[[{"secondary_y": True}], [{}], [{}]]
    )
    t = s.get("start_s", np.array([]))
    fig.add_trace(
        go.Scatter(x=t, y=s.get("prefill_tokens", []), name=lb["prefill"], stackgroup="tok", mode="none"), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(x=t, y=s.get("decode_seqs", []), name=lb["decode"], stackgroup="tok", mode="none"), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(
            x=t,
            y=np.asarray(s.get("dur_s", [])) * 1e3,
            name=lb["step_ms"],
            mode="lines",
            line={"width": 1, "color": "black"},
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.add_trace(go.Scatter(x=t, y=s.get("running", []), name=lb["running"], mode="lines"), row=2, col=1)
    fig.add_trace(go.Scatter(x=t, y=s.get("waiting", []), name=lb["waiting"], mode="lines"), row=2, col=1)
    kv = kv_cache_utilisation(s.get("kv_blocks_used", []), num_kv_blocks) * 100.0
    fig.add_trace(go.Scatter(x=t, y=kv, name=lb["kv"], mode="lines", fill="tozeroy"), row=3, col=1)
    fig.update_layout(
        title=title, height=660, **{**_LAYOUT, "legend": {"orientation": "h", "yanchor": "top", "y": -0.1}}
    )
    fig.update_xaxes(title_text=lb["time"], row=3, col=1)
    fig.update_yaxes(title_text="tokens", row=1, col=1)
    fig.update_yaxes(title_text="ms", row=1, col=1, secondary_y=True)
    fig.update_yaxes(title_text=tr("fig.tl.seqs", lang), row=2, col=1)
    fig.update_yaxes(title_text="%", row=3, col=1, range=[0, 105])
    return fig


def latency_cdf(
    series_ms: Mapping[str, Sequence[float]], title: str = "", xaxis: str = "ms", lang: str = "en"
) -> go.Figure:
    """Empirical CDF of each latency series (NaNs dropped), one panel per series side by side: each
    latency has its own x axis ``<name> (<xaxis>)`` (TTFT and TPOT never share an axis, issue 14 §3);
    the y axis (% of requests) is shared."""
    kept = {}
    for name, vals in series_ms.items():
        v = np.sort(np.asarray(vals, dtype=float))
        v = v[~np.isnan(v)]
        if v.size:
            kept[name] = v
    fig = make_subplots(rows=1, cols=max(1, len(kept)), shared_yaxes=True, horizontal_spacing=0.06)
    for i, (name, v) in enumerate(kept.items(), start=1):
        fig.add_trace(
            go.Scatter(x=v, y=np.arange(1, v.size + 1) / v.size * 100.0, mode="lines", name=name), row=1, col=i
        )
        fig.update_xaxes(title_text=f"{name} ({xaxis})", row=1, col=i)
    fig.update_yaxes(title_text=tr("fig.pct_requests", lang), row=1, col=1)
    fig.update_layout(title=title, **_LAYOUT)
    return fig


def _mark_x(fig: go.Figure, marks: Mapping[str, float] | None, ys: Sequence[float]) -> None:
    """Dashed vertical lines at ``marks`` (label → x), from 0 to the data's top, one legend entry
    each (a trace, not a shape: right on log axes too). Used for the saturation point (issue 14 §2)."""
    vals = [float(y) for y in ys if y is not None and math.isfinite(float(y))]
    top = max(vals, default=1.0) * 1.05 or 1.0
    for label, xv in (marks or {}).items():
        if xv is None or not math.isfinite(float(xv)) or float(xv) <= 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=[xv, xv], y=[0, top], mode="lines", name=label, line={"dash": "dash", "color": "gray", "width": 1}
            )
        )


def metric_lines(
    x: Sequence[Any],
    series: Mapping[str, Sequence[float]],
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    secondary: Mapping[str, Sequence[float]] | None = None,
    y2: str = "",
    log_x: bool = False,
    marks_x: Mapping[str, float] | None = None,
) -> go.Figure:
    """Lines over ``x``, optionally with series on a second y axis and dashed vertical ``marks_x``
    (label → x, e.g. the saturation knee) on the primary axis."""
    fig = make_subplots(specs=[[{"secondary_y": bool(secondary)}]])
    for name, ys in series.items():
        fig.add_trace(go.Scatter(x=list(x), y=list(ys), mode="lines+markers", name=name), secondary_y=False)
    if marks_x:
        _mark_x(fig, marks_x, [y for ys in series.values() for y in ys])
    for name, ys in (secondary or {}).items():
        fig.add_trace(
            go.Scatter(x=list(x), y=list(ys), mode="lines+markers", name=name, line={"dash": "dot"}), secondary_y=True
        )
    fig.update_layout(title=title, **_LAYOUT)
    fig.update_xaxes(title_text=xaxis, type="log" if log_x else None)
    fig.update_yaxes(title_text=yaxis, secondary_y=False)
    if secondary:
        fig.update_yaxes(title_text=y2, secondary_y=True)
    return fig


def sweep_lines(
    df: Any,
    x: str,
    y: str,
    group: Sequence[str],
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    log_x: bool = False,
    marks_x: Mapping[str, float] | None = None,
) -> go.Figure:
    """One line per ``group`` combination of ``y`` over ``x``; error bars span ``y_min``–``y_max``
    (the spread across seeds) when those columns exist; dashed vertical ``marks_x`` (label → x,
    e.g. the saturation rate)."""
    fig = go.Figure()
    if df is not None and len(df):
        keys = list(group)
        groups = df.groupby(keys, sort=False) if keys else [((), df)]
        for key, g in groups:
            g = g.sort_values(x)
            name = " · ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
            err = None
            if f"{y}_min" in g and f"{y}_max" in g:
                err = {
                    "type": "data",
                    "symmetric": False,
                    "array": (g[f"{y}_max"] - g[y]).tolist(),
                    "arrayminus": (g[y] - g[f"{y}_min"]).tolist(),
                }
            fig.add_trace(
                go.Scatter(x=g[x].tolist(), y=g[y].tolist(), mode="lines+markers", name=name or y, error_y=err)
            )
    if marks_x and df is not None and len(df):
        _mark_x(fig, marks_x, df[y].tolist())
    fig.update_layout(title=title, xaxis_title=xaxis or x, yaxis_title=yaxis or title or y, **_LAYOUT)
    fig.update_layout(height=380 + 22 * len(fig.data))  # room for a legend entry per line under the plot
    if log_x:
        fig.update_xaxes(type="log")
    return fig


def grid_heatmap(
    z: Sequence[Sequence[float]],
    x: Sequence[Any],
    y: Sequence[Any],
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    colorbar: str = "",
    fmt: str = ".3g",
) -> go.Figure:
    """Heatmap with categorical axes (one equal cell per swept value) and each cell's value written
    in it; NaN cells (runs that failed) stay blank."""
    zz = [[float(v) for v in row] for row in z]
    text = [["" if math.isnan(v) else format(v, fmt) for v in row] for row in zz]
    fig = go.Figure(
        go.Heatmap(
            z=zz,
            x=[str(v) for v in x],
            y=[str(v) for v in y],
            text=text,
            texttemplate="%{text}",
            colorbar={"title": colorbar},
        )
    )
    fig.update_layout(title=title, xaxis_title=xaxis, yaxis_title=yaxis, **_LAYOUT)
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig
