"""Plotly figure builders of the offload pages (pure: they return ``go.Figure``).

Consumers: ``dashboard/host_bandwidth.py``, ``dashboard/experts_calculation.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.common import plots
from dashboard.common.i18n import tr
from dashboard.common.labels import channel_label
from dashboard.features.offload import ChannelResult, LayerSlot

__all__ = ["channel_times", "layer_timeline", "residency_curve", "throughput_curves", "window_curve"]


def channel_times(channels: Sequence[ChannelResult], compute_ms: float, title: str = "", lang: str = "en") -> go.Figure:
    """Time each channel needs per step (ms) beside the step's compute time (dashed line)."""
    fig = plots.bar_chart(
        [channel_label(c.label, lang) for c in channels],
        [c.time_s * 1e3 for c in channels],
        title=title or tr("fig.off.channels", lang),
        yaxis="ms",
    )
    fig.add_hline(y=compute_ms, line_dash="dash", annotation_text=tr("fig.off.compute_ms", lang, ms=compute_ms))
    return fig


def throughput_curves(
    batches: Sequence[int],
    baseline_tps: Sequence[float],
    offload_tps: Sequence[float],
    required_gb_s: Sequence[float],
    available_gb_s: float,
    link_label: str,
    lang: str = "en",
) -> tuple[go.Figure, go.Figure]:
    """Tokens/s over batch size (all resident vs offloaded) and the link bandwidth each batch needs
    to hide its fetches, against what the link delivers."""
    tps = plots.line_chart(
        batches,
        {tr("fig.off.all_resident", lang): list(baseline_tps), tr("fig.off.with_offload", lang): list(offload_tps)},
        title=tr("fig.off.throughput", lang),
        xaxis="batch",
        yaxis="tokens/s",
        log_x=True,
    )
    req = plots.line_chart(
        batches,
        {tr("fig.off.needed", lang, link=link_label): list(required_gb_s)},
        title=tr("fig.off.required", lang, link=link_label),
        xaxis="batch",
        yaxis="GB/s",
        log_x=True,
        hlines={tr("fig.off.available", lang, gb=available_gb_s): available_gb_s},
    )
    return tps, req


def layer_timeline(slots: Sequence[LayerSlot], max_layers: int = 8, lang: str = "en") -> go.Figure:
    """Gantt of the first ``max_layers`` layers: fetch lane and compute lane (ms)."""
    shown = list(slots)[:max_layers]
    lanes = {
        tr("fig.off.lane_fetch", lang): [
            (s.fetch_start * 1e3, (s.fetch_end - s.fetch_start) * 1e3, tr("fig.off.fetch", lang, layer=s.layer))
            for s in shown
            if s.moe and s.fetch_end > s.fetch_start
        ],
        tr("fig.lane.compute", lang): [
            (s.compute_start * 1e3, (s.compute_end - s.compute_start) * 1e3, f"L{s.layer}") for s in shown
        ],
        tr("fig.off.lane_stall", lang): [
            (s.compute_start * 1e3 - s.wait_s * 1e3, s.wait_s * 1e3, tr("fig.off.waits", lang, layer=s.layer))
            for s in shown
            if s.wait_s > 0
        ],
    }
    return plots.timeline(
        lanes, title=tr("fig.off.schedule", lang, n=len(shown)), xaxis=tr("fig.time_axis", lang, unit="ms")
    )


def residency_curve(
    resident: Sequence[int],
    step_ms: Sequence[float],
    sla_ms: float,
    capacity: int | None,
    baseline_ms: float,
    lang: str = "en",
) -> go.Figure:
    """Step time vs GPU-resident experts per layer (log y), with the budget, the all-resident step
    and the HBM capacity drawn as traces (shapes on log axes distort the range)."""
    xs = list(resident)
    fig = plots.line_chart(
        xs,
        {tr("fig.off.step_with_offload", lang): list(step_ms)},
        title=tr("fig.off.residency", lang),
        xaxis=tr("fig.off.resident_axis", lang),
        yaxis="ms",
        log_y=True,
    )
    lo, hi = (min(xs), max(xs)) if xs else (0, 1)
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[sla_ms, sla_ms],
            mode="lines",
            name=tr("fig.off.budget", lang, ms=sla_ms),
            line={"dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[baseline_ms, baseline_ms],
            mode="lines",
            name=tr("fig.off.all_resident_ms", lang, ms=baseline_ms),
            line={"dash": "dot"},
        )
    )
    if capacity is not None and step_ms:
        ys = [v for v in (*step_ms, sla_ms, baseline_ms) if v > 0]
        fig.add_trace(
            go.Scatter(
                x=[capacity, capacity],
                y=[min(ys), max(ys)],
                mode="lines",
                name=tr("fig.off.hbm_fits", lang, n=capacity),
                line={"dash": "dashdot"},
            )
        )
    return fig


def window_curve(
    window_ms: Sequence[float], experts_gpu: Sequence[float], current_ms: float, lang: str = "en"
) -> go.Figure:
    """Expert shards one GPU can load vs the window length (log x); the current window as a trace."""
    fig = plots.line_chart(
        window_ms,
        {tr("fig.off.experts_per_gpu", lang): list(experts_gpu)},
        title=tr("fig.off.window_title", lang),
        xaxis=tr("fig.off.window_axis", lang),
        yaxis=tr("fig.off.experts", lang),
        log_x=True,
    )
    ys = list(experts_gpu) or [0]
    fig.add_trace(
        go.Scatter(
            x=[current_ms, current_ms],
            y=[min(ys), max(ys)],
            mode="lines",
            name=tr("fig.off.window", lang, ms=current_ms),
            line={"dash": "dot"},
        )
    )
    return fig
