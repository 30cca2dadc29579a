"""Figures of the sweep-spec runner (pure: they return ``go.Figure``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

__all__ = ["sweep_scatter"]


def sweep_scatter(
    rows: Sequence[dict[str, Any]], x: str, y: str, group: Sequence[str], *, title: str, xaxis: str, yaxis: str
) -> go.Figure:
    """One marker per sweep cell at (``x``, ``y``), one trace per value of the ``group`` columns
    (e.g. hardware × model); cells with an error or a non-finite value are left out."""
    series: dict[str, tuple[list[float], list[float], list[str]]] = {}
    for r in rows:
        if r.get("error"):
            continue
        try:
            xv, yv = float(r[x]), float(r[y])
        except (KeyError, TypeError, ValueError):
            continue
        if not (math.isfinite(xv) and math.isfinite(yv)):
            continue
        name = " · ".join(str(r.get(g, "")) for g in group)
        xs, ys, texts = series.setdefault(name, ([], [], []))
        xs.append(xv)
        ys.append(yv)
        texts.append(f"TP{r.get('tp', '?')} seed {r.get('seed', '?')}")
    fig = go.Figure()
    for name, (xs, ys, texts) in series.items():
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                name=name,
                text=texts,
                hovertemplate="%{text}<br>%{x:,.1f} / %{y:,.1f}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        title=title,
        xaxis_title=xaxis,
        yaxis_title=yaxis,
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22},
    )
    fig.update_xaxes(rangemode="tozero")
    fig.update_yaxes(rangemode="tozero")
    return fig
