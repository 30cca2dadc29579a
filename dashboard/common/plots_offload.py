"""Plotly figure builders of the offload pages (pure: they return ``go.Figure``).

Consumers: ``dashboard/host_bandwidth.py``, ``dashboard/experts_calculation.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.common import plots
from dashboard.features.offload import ChannelResult, LayerSlot

__all__ = ["channel_times", "layer_timeline", "residency_curve", "throughput_curves", "window_curve"]


def channel_times(channels: Sequence[ChannelResult], compute_ms: float, title: str = "") -> go.Figure:
    """Time each channel needs per step (ms) beside the step's compute time (dashed line)."""
    fig = plots.bar_chart(
        [c.label for c in channels],
        [c.time_s * 1e3 for c in channels],
        title=title or "Transfer time per channel vs compute (ms per step)",
        yaxis="ms",
    )
    fig.add_hline(y=compute_ms, line_dash="dash", annotation_text=f"compute {compute_ms:.2f} ms")
    return fig


def throughput_curves(
    batches: Sequence[int],
    baseline_tps: Sequence[float],
    offload_tps: Sequence[float],
    required_gb_s: Sequence[float],
    available_gb_s: float,
    link_label: str,
) -> tuple[go.Figure, go.Figure]:
    """Tokens/s over batch size (all resident vs offloaded) and the link bandwidth each batch needs
    to hide its fetches, against what the link delivers."""
    tps = plots.line_chart(
        batches,
        {"all experts resident": list(baseline_tps), "with offload": list(offload_tps)},
        title="Throughput (tokens/s per engine)",
        xaxis="batch",
        yaxis="tokens/s",
        log_x=True,
    )
    req = plots.line_chart(
        batches,
        {f"{link_label} needed to hide fetches": list(required_gb_s)},
        title=f"Required vs available {link_label} bandwidth",
        xaxis="batch",
        yaxis="GB/s",
        log_x=True,
        hlines={f"available {available_gb_s:.1f} GB/s": available_gb_s},
    )
    return tps, req


def layer_timeline(slots: Sequence[LayerSlot], max_layers: int = 8) -> go.Figure:
    """Gantt of the first ``max_layers`` layers: fetch lane and compute lane (ms)."""
    shown = list(slots)[:max_layers]
    lanes = {
        "fetch (link)": [
            (s.fetch_start * 1e3, (s.fetch_end - s.fetch_start) * 1e3, f"L{s.layer} fetch")
            for s in shown
            if s.moe and s.fetch_end > s.fetch_start
        ],
        "compute": [(s.compute_start * 1e3, (s.compute_end - s.compute_start) * 1e3, f"L{s.layer}") for s in shown],
        "stall": [
            (s.compute_start * 1e3 - s.wait_s * 1e3, s.wait_s * 1e3, f"L{s.layer} waits") for s in shown if s.wait_s > 0
        ],
    }
    return plots.timeline(lanes, title=f"Schedule of the first {len(shown)} layers")


def residency_curve(
    resident: Sequence[int], step_ms: Sequence[float], sla_ms: float, capacity: int | None, baseline_ms: float
) -> go.Figure:
    """Step time vs GPU-resident experts per layer (log y), with the budget, the all-resident step
    and the HBM capacity drawn as traces (shapes on log axes distort the range)."""
    xs = list(resident)
    fig = plots.line_chart(
        xs,
        {"step with offload": list(step_ms)},
        title="Step time vs resident experts",
        xaxis="resident experts per layer",
        yaxis="ms",
        log_y=True,
    )
    lo, hi = (min(xs), max(xs)) if xs else (0, 1)
    fig.add_trace(
        go.Scatter(x=[lo, hi], y=[sla_ms, sla_ms], mode="lines", name=f"budget {sla_ms:g} ms", line={"dash": "dash"})
    )
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[baseline_ms, baseline_ms],
            mode="lines",
            name=f"all resident {baseline_ms:.2f} ms",
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
                name=f"HBM fits {capacity}",
                line={"dash": "dashdot"},
            )
        )
    return fig


def window_curve(window_ms: Sequence[float], experts_gpu: Sequence[float], current_ms: float) -> go.Figure:
    """Expert shards one GPU can load vs the window length (log x); the current window as a trace."""
    fig = plots.line_chart(
        window_ms,
        {"experts per GPU": list(experts_gpu)},
        title="Experts loadable per window",
        xaxis="window (ms)",
        yaxis="experts",
        log_x=True,
    )
    ys = list(experts_gpu) or [0]
    fig.add_trace(
        go.Scatter(
            x=[current_ms, current_ms],
            y=[min(ys), max(ys)],
            mode="lines",
            name=f"window {current_ms:g} ms",
            line={"dash": "dot"},
        )
    )
    return fig
