"""Plotly figure builders of the estimation pages (pure: they return ``go.Figure``)."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from dashboard.common.i18n import tr
from dashboard.features.overlap import OverlapTimeline

__all__ = ["KIND_COLORS", "memory_stack_figure", "overlap_timeline_figure", "timeline_lanes"]

KIND_COLORS = {
    "compute": "#4C78A8",
    "comm_hidden": "#72B7B2",
    "comm_exposed": "#E45756",
    "overhead": "#BAB0AC",
}
_LAYOUT = {"margin": {"l": 40, "r": 20, "t": 50, "b": 40}, "legend": {"orientation": "h", "y": -0.25}}


def timeline_lanes(
    timelines: Mapping[str, OverlapTimeline], scale: float = 1e3, lang: str = "en"
) -> dict[str, list[tuple[str, float, float, str]]]:
    """Rows of the timeline figure: ``{kind: [(lane label, start, duration, hover), ...]}`` with
    times multiplied by ``scale`` (ms by default). Lane labels are ``"<scenario> · compute"`` and
    ``"<scenario> · comm"`` (the lane word in ``lang``)."""
    out: dict[str, list[tuple[str, float, float, str]]] = {k: [] for k in KIND_COLORS}
    for label, tl in timelines.items():
        for s in tl.segments:
            lane = f"{label} · {tr(f'fig.lane.{s.lane}', lang)}"
            kind = tr(f"fig.lane.{s.kind}", lang) if s.kind == "compute" else s.kind
            hover = (
                tr("fig.hover_overhead", lang) if s.layer < 0 else tr("fig.hover_layer", lang, layer=s.layer, kind=kind)
            )
            out[s.kind].append((lane, s.start_s * scale, s.duration_s * scale, hover))
    return out


def overlap_timeline_figure(
    timelines: Mapping[str, OverlapTimeline],
    title: str = "",
    unit: str = "ms",
    names: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """Gantt lanes (compute vs communication, per layer) of one step under several overlap
    factors; ``timelines`` maps a scenario label (e.g. ``"φ=0.5"``) to its timeline. Each
    scenario's total is annotated at the end of its compute lane. Built in one ``go.Figure``
    call (Plotly validates each ``add_*`` separately, which costs ~10 ms apiece)."""
    scale = {"ms": 1e3, "us": 1e6, "s": 1.0}[unit]
    names = names or {}
    lanes = [tr(f"fig.lane.{lane}", lang) for lane in ("compute", "comm")]
    order = [f"{label} · {lane}" for label in timelines for lane in lanes]
    data = []
    for kind, rows in timeline_lanes(timelines, scale, lang).items():
        if not rows:
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": [r[0] for r in rows],
                "x": [r[2] for r in rows],
                "base": [r[1] for r in rows],
                "name": names.get(kind, kind),
                "marker": {"color": KIND_COLORS[kind], "line": {"width": 0.5, "color": "white"}},
                "text": [r[3] for r in rows],
                "textposition": "none",
                "hovertemplate": "%{text}<br>"
                + tr("fig.hover_start", lang)
                + " %{base:.4g} "
                + unit
                + ", %{x:.4g} "
                + unit
                + "<extra></extra>",
            }
        )
    annotations = [
        {
            "x": tl.total_s * scale,
            "y": f"{label} · {lanes[0]}",
            "text": f"{tl.total_s * scale:.4g} {unit}",
            "showarrow": False,
            "xanchor": "left",
            "xshift": 4,
        }
        for label, tl in timelines.items()
    ]
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": tr("fig.time_axis", lang, unit=unit)}},
        "barmode": "overlay",
        "yaxis": {"categoryorder": "array", "categoryarray": list(reversed(order))},
        "annotations": annotations,
        **_LAYOUT,
    }
    return go.Figure({"data": data, "layout": layout})


def memory_stack_figure(
    components: Mapping[str, float],
    capacity_gib: float,
    usable_gib: float,
    title: str = "",
    colors: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """One horizontal stacked bar of per-GPU memory (GiB per component, in order) with the usable
    budget and the HBM capacity as vertical lines."""
    fig = go.Figure()
    fig.update_layout(
        title=title,
        xaxis_title=tr("fig.gib_per_gpu", lang),
        barmode="stack",
        height=300,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.45, "traceorder": "normal"},
    )
    for name, gib in components.items():
        fig.add_trace(
            go.Bar(
                y=[tr("fig.per_gpu", lang)],
                x=[max(0.0, gib)],
                name=name,
                orientation="h",
                marker_color=(colors or {}).get(name),
                hovertemplate=f"{name}: %{{x:.2f}} GiB<extra></extra>",
            )
        )
    fig.add_vline(
        x=usable_gib,
        line_dash="dash",
        line_color="#F58518",
        annotation_text=tr("fig.usable_gib", lang, gib=usable_gib),
        annotation_position="top left",
    )
    fig.add_vline(
        x=capacity_gib,
        line_color="#222",
        annotation_text=f"HBM {capacity_gib:.1f} GiB",
        annotation_position="top right",
    )
    return fig
