"""Plotly figure builders of the kernel pages (attention vs head_dim, MMA / GEMM tile modeler) and of
the multi-model comparison.

Pure: each returns a ``go.Figure`` and never renders; tests assert on the figures. Each figure is
built in one ``go.Figure(data=[...], layout=...)`` call from plain dict traces, which is about 4×
cheaper than repeated ``add_trace`` (it matters on every rerun).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.i18n import tr as _tr

__all__ = [
    "attention_component_chart",
    "comparison_bars",
    "gemm_levels_chart",
    "gemm_throughput_chart",
    "lines_chart",
    "measured_vs_model_chart",
]

_MARGIN = {"l": 40, "r": 20, "t": 50, "b": 40}
_LEGEND = {"orientation": "h", "y": -0.2}


def _layout(title: str, xaxis: str, yaxis: str, log_x: bool = False, log_y: bool = False, **extra: Any) -> dict:
    return {
        "title": {"text": title},
        "margin": _MARGIN,
        "legend": _LEGEND,
        "xaxis": {"title": {"text": xaxis}, **({"type": "log"} if log_x else {})},
        "yaxis": {"title": {"text": yaxis}, **({"type": "log"} if log_y else {})},
        **extra,
    }


def _nan(vs: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in vs]


def _ref_line(x: Sequence[float], y: float, name: str, dash: str = "dot") -> dict:
    """A horizontal reference line as a plain trace (cheaper than ``add_hline``'s shape + annotation)."""
    return {
        "type": "scatter",
        "x": [min(x), max(x)],
        "y": [y, y],
        "mode": "lines",
        "name": name,
        "line": {"dash": dash, "color": "grey"},
    }


def lines_chart(
    x: Sequence[Any],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    log_x: bool = False,
    log_y: bool = False,
) -> go.Figure:
    """One line (with markers) per series over shared ``x``; ``None`` values leave gaps."""
    data = [
        {"type": "scatter", "x": list(x), "y": _nan(ys), "mode": "lines+markers", "name": name}
        for name, ys in series.items()
    ]
    return go.Figure(data=data, layout=_layout(title, xaxis, yaxis, log_x, log_y))


def attention_component_chart(
    x: Sequence[Any],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    xaxis: str,
    yaxis: str,
    hot: str | None = None,
    total: Sequence[float] | None = None,
    log_y: bool = False,
    lang: str = "en",
) -> go.Figure:
    """One line per attention component over the swept head_dim; the hot component is drawn
    thicker, and an optional kernel-total line is dashed."""
    data = [
        {
            "type": "scatter",
            "x": list(x),
            "y": _nan(ys),
            "mode": "lines+markers",
            "name": name,
            "line": {"width": 5 if name == hot else 2},
        }
        for name, ys in series.items()
    ]
    if total is not None:
        data.append(
            {
                "type": "scatter",
                "x": list(x),
                "y": _nan(total),
                "mode": "lines",
                "name": _tr("fig.kernel_total", lang),
                "line": {"dash": "dash", "color": "black"},
            }
        )
    return go.Figure(data=data, layout=_layout(title, xaxis, yaxis, log_y=log_y))


def gemm_throughput_chart(
    x: Sequence[float],
    model_tflops: Sequence[float],
    *,
    xaxis: str,
    peak_tflops: float,
    measured: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    title: str = "GEMM throughput (TFLOP/s)",
    bottlenecks: Sequence[str] | None = None,
    lang: str = "en",
    cost_model: tuple[str, Sequence[float]] | None = None,
) -> go.Figure:
    """Model TFLOP/s over a swept dimension (log x), the tensor peak, measured points and, when
    given, the shared cost model's figure for the same shapes (``(label, TFLOP/s per x)``, dashed)."""
    model: dict[str, Any] = {
        "type": "scatter",
        "x": list(x),
        "y": _nan(model_tflops),
        "mode": "lines+markers",
        "name": _tr("fig.model", lang),
    }
    if bottlenecks:
        model["text"] = list(bottlenecks)
        model["hovertemplate"] = "%{x}: %{y:.1f} TFLOP/s (%{text})<extra>" + _tr("fig.model", lang) + "</extra>"
    data = [model]
    if cost_model is not None:
        data.append(
            {
                "type": "scatter",
                "x": list(x),
                "y": _nan(cost_model[1]),
                "mode": "lines+markers",
                "name": cost_model[0],
                "line": {"dash": "dash"},
            }
        )
    for name, (xs, ys) in (measured or {}).items():
        data.append(
            {
                "type": "scatter",
                "x": list(xs),
                "y": list(ys),
                "mode": "markers",
                "name": name,
                "marker": {"size": 10, "symbol": "x"},
            }
        )
    xs_all = [float(v) for v in x] + [float(v) for xs_, _ in (measured or {}).values() for v in xs_]
    if xs_all:
        data.append(_ref_line(xs_all, peak_tflops, _tr("fig.tensor_peak", lang, peak=peak_tflops)))
    return go.Figure(data=data, layout=_layout(title, xaxis, "TFLOP/s", log_x=True))


def gemm_levels_chart(
    x: Sequence[float],
    utilisation: Mapping[str, Sequence[float | None]],
    *,
    xaxis: str,
    title: str = "Demanded ÷ available bandwidth per level",
    lang: str = "en",
) -> go.Figure:
    """Utilisation (demand ÷ available, 1 = the level just keeps up) of each memory level over
    the swept dimension; above 1 the level, not the tensor cores, sets the time."""
    data = [
        {"type": "scatter", "x": list(x), "y": _nan(vs), "mode": "lines+markers", "name": name}
        for name, vs in utilisation.items()
    ]
    if len(x):
        data.append(_ref_line(x, 1.0, _tr("fig.saturated_line", lang), "dash"))
    return go.Figure(data=data, layout=_layout(title, xaxis, _tr("fig.demand_available", lang), log_x=True, log_y=True))


def measured_vs_model_chart(
    points: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    hover: Mapping[str, Sequence[str]] | None = None,
    title: str = "",
    lang: str = "en",
) -> go.Figure:
    """Measured (x) against model (y) with the y = x diagonal."""
    data: list[dict] = []
    lo, hi = float("inf"), 0.0
    for name, (xs, ys) in points.items():
        tr = {"type": "scatter", "x": list(xs), "y": list(ys), "mode": "markers", "name": name}
        if hover and hover.get(name):
            tr["text"] = list(hover[name])
        data.append(tr)
        if len(xs):
            lo, hi = min(lo, *xs, *ys), max(hi, *xs, *ys)
    if hi > 0:
        data.append(
            {"type": "scatter", "x": [lo, hi], "y": [lo, hi], "mode": "lines", "name": "y = x", "line": {"dash": "dot"}}
        )
    layout = _layout(
        title or _tr("fig.model_vs_measured", lang), _tr("fig.measured_tflops", lang), _tr("fig.model_tflops", lang)
    )
    return go.Figure(data=data, layout=layout)


def comparison_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    yaxis: str = "",
    log_y: bool = False,
) -> go.Figure:
    """Bars grouped by category (one model per category), one colour per series."""
    data = [{"type": "bar", "x": list(categories), "y": _nan(ys), "name": name} for name, ys in series.items()]
    return go.Figure(data=data, layout=_layout(title, "", yaxis, log_y=log_y, barmode="group"))
