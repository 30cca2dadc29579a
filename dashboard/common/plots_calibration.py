"""Figures of the calibration page: predicted vs measured latency and relative errors, by phase.

Pure builders (return ``go.Figure``); rows are the per-step dicts of
:class:`dashboard.services.calibration.CalibrationResult` (``latency_ms``, ``predicted_ms``,
``rel_error``, ``baseline_ms``, ``baseline_rel_error``, ``phase``, shape fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.i18n import tr

__all__ = ["PHASE_COLORS", "predicted_vs_measured", "residual_plot", "step_label"]

PHASE_COLORS = {"prefill": "#1f77b4", "decode": "#ff7f0e", "mixed": "#2ca02c"}
_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 50, "b": 40}, "legend": {"orientation": "h", "y": -0.25}}


def step_label(r: Mapping[str, Any], lang: str = "en") -> str:
    """``"llama3.1-8b 4×1024 after 512 + 64 dec @4096 (row 3)"`` style hover text of a step row
    (in ``lang``)."""
    parts = []
    if r.get("prefill_seqs"):
        after = tr("fig.cal.after", lang, n=r["prefix_len"]) if r.get("prefix_len") else ""
        parts.append(f"{r['prefill_seqs']}×{r['prefill_len']}{after}")
    if r.get("decode_seqs"):
        parts.append(tr("fig.cal.dec", lang, n=r["decode_seqs"], ctx=r["decode_context"]))
    return f"{r.get('model', '')} {' + '.join(parts)} " + tr("fig.cal.row", lang, row=r.get("row", "?"))


def predicted_vs_measured(
    rows: Sequence[Mapping[str, Any]],
    title: str = "",
    baseline_name: str = "spec sheet",
    show_baseline: bool = True,
    lang: str = "en",
) -> go.Figure:
    """Log-log scatter of predicted vs measured ms, one colour per phase; hollow markers: baseline
    (uncalibrated) profile; dotted line y = x."""
    fig = go.Figure()
    vals: list[float] = []
    for phase, color in PHASE_COLORS.items():
        sel = [r for r in rows if r.get("phase") == phase]
        if not sel:
            continue
        xs = [r["latency_ms"] for r in sel]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[r["predicted_ms"] for r in sel],
                mode="markers",
                name=tr("fig.cal.calibrated", lang, phase=phase),
                marker={"color": color, "size": 9},
                text=[step_label(r, lang) for r in sel],
            )
        )
        vals += xs + [r["predicted_ms"] for r in sel]
        if show_baseline and all("baseline_ms" in r for r in sel):
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[r["baseline_ms"] for r in sel],
                    mode="markers",
                    name=f"{phase} ({baseline_name})",
                    text=[step_label(r, lang) for r in sel],
                    marker={"color": color, "size": 9, "symbol": "circle-open"},
                )
            )
            vals += [r["baseline_ms"] for r in sel]
    if vals:
        lo, hi = min(vals) * 0.9, max(vals) * 1.1
        fig.add_trace(
            go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line={"dash": "dot", "color": "grey"})
        )
    fig.update_layout(
        title=title, xaxis_title=tr("fig.cal.measured", lang), yaxis_title=tr("fig.cal.predicted", lang), **_LAYOUT
    )
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return fig


def residual_plot(
    rows: Sequence[Mapping[str, Any]],
    title: str = "",
    baseline_name: str = "spec sheet",
    show_baseline: bool = True,
    loo: bool = True,
    lang: str = "en",
) -> go.Figure:
    """Relative error (%) vs measured latency (log x), per phase: calibrated (filled), leave-one-out
    (crosses) and baseline (hollow)."""
    fig = go.Figure()
    for phase, color in PHASE_COLORS.items():
        sel = [r for r in rows if r.get("phase") == phase]
        if not sel:
            continue
        xs = [r["latency_ms"] for r in sel]
        text = [step_label(r, lang) for r in sel]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[100 * r["rel_error"] for r in sel],
                mode="markers",
                name=tr("fig.cal.calibrated", lang, phase=phase),
                marker={"color": color, "size": 9},
                text=text,
            )
        )
        if loo and all("loo_rel_error" in r for r in sel):
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[100 * r["loo_rel_error"] for r in sel],
                    mode="markers",
                    name=tr("fig.cal.loo", lang, phase=phase),
                    text=text,
                    marker={"color": color, "size": 8, "symbol": "x"},
                )
            )
        if show_baseline and all("baseline_rel_error" in r for r in sel):
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[100 * r["baseline_rel_error"] for r in sel],
                    mode="markers",
                    name=f"{phase} ({baseline_name})",
                    text=text,
                    marker={"color": color, "size": 9, "symbol": "circle-open"},
                )
            )
    fig.add_hline(y=0, line_dash="dot", line_color="grey")
    fig.update_layout(
        title=title, xaxis_title=tr("fig.cal.measured", lang), yaxis_title=tr("fig.cal.rel_error", lang), **_LAYOUT
    )
    fig.update_xaxes(type="log")
    return fig
