"""Plotly figure of the frontier page (pure: returns ``go.Figure``): all points of each
(GPU, engine, precision) series as markers, its Pareto frontier as a line, labels ``C=<concurrency>
<layout>`` on the frontier points, hover with TTFT/TPOT/cost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.i18n import option_label, tr

__all__ = ["frontier_chart"]

_LAYOUT = {"margin": {"l": 60, "r": 20, "t": 50, "b": 40}, "legend": {"orientation": "h", "y": -0.2}}


def _hover(r: dict[str, Any], name: str, lang: str = "en") -> str:
    cost = r.get("usd_per_m_output_tokens")
    return tr(
        "fig.fr.hover",
        lang,
        series=name,
        layout=r["layout"],
        c=r["concurrency"],
        budget=r["budget"],
        out=r["output_tok_s_per_gpu"],
        user=r["tps_per_user"],
        ttft=r["ttft_ms"],
        tpot=r["tpot_ms"],
    ) + (tr("fig.fr.cost", lang, cost=cost) if cost else "")


def frontier_chart(
    rows: Sequence[dict[str, Any]],
    y: str,
    *,
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    frontier_only: bool = False,
    lang: str = "en",
) -> go.Figure:
    """One marker trace and one frontier line per series (in first-seen order). Legend entries
    show each ``·``-separated part of a series id through ``option_label`` in ``lang``."""
    fig = go.Figure()
    fig.update_layout(title=title, xaxis_title=xaxis, yaxis_title=yaxis, **_LAYOUT)
    fig.update_xaxes(type="log")
    series: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r.get(y) is not None:
            series.setdefault(r["series"], []).append(r)
    palette = [
        "#1f77b4",
        "#d62728",
        "#2ca02c",
        "#ff7f0e",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#17becf",
        "#7f7f7f",
        "#bcbd22",
    ]
    for i, (sid, pts) in enumerate(series.items()):
        name = " · ".join(option_label(part, lang) for part in sid.split(" · "))
        color = palette[i % len(palette)]
        front = sorted((r for r in pts if r.get("on_frontier")), key=lambda r: r["tps_per_user"])
        if not frontier_only:
            fig.add_trace(
                go.Scatter(
                    x=[r["tps_per_user"] for r in pts],
                    y=[r[y] for r in pts],
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    marker={"size": 6, "opacity": 0.35, "color": color},
                    text=[_hover(r, name, lang) for r in pts],
                    hovertemplate="%{text}<extra></extra>",
                    showlegend=False,
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[r["tps_per_user"] for r in front],
                y=[r[y] for r in front],
                mode="lines+markers+text",
                name=name,
                legendgroup=name,
                line={"color": color, "width": 2},
                marker={"size": 8, "color": color},
                text=[f"C={r['concurrency']} {r['layout']}" for r in front],
                textposition="top center",
                textfont={"size": 9},
                hovertext=[_hover(r, name, lang) for r in front],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return fig
