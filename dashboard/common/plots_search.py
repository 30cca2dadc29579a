"""Plotly figures of the SLA search and InferenceMAX pages (pure: they return ``go.Figure``).

The Pareto chart follows the InferenceMAX dashboard: x = interactivity (tokens/s per user,
``1000 / TPOT_ms``), y = output tokens/s per GPU; the frontier is drawn as a step line; SLA targets
that map onto the x axis (minimum tokens/s per user, and the TPOT target as ``1000 / TPOT``) are
vertical dashed lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.i18n import tr
from dashboard.features.metrics import tokens_per_s_per_user

__all__ = ["config_label", "pareto_chart", "pd_label", "reason_summary", "ttft_breakdown_chart"]

_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 50, "b": 40}, "legend": {"orientation": "h", "y": -0.2}}


def config_label(r: Mapping[str, Any]) -> str:
    """``TP4 EP1 DP2 · C=512 · B=2048`` for an aggregated row."""
    ep = f" EP{r['ep']}" if r.get("ep", 1) != 1 else ""
    return f"TP{r['tp']}{ep} DP{r['dp']} · C={r['concurrency']} · B={r['budget']}"


def pd_label(r: Mapping[str, Any]) -> str:
    """``2×P(TP2 EP1) + 1×D(TP4 EP4) · C_d=64 · B=2048`` for a disaggregated row (EP always named)."""
    p = f"TP{r['tp_p']} EP{r.get('ep_p', 1)}"
    d = f"TP{r['tp_d']} EP{r.get('ep_d', 1)}"
    return f"{r['x']}×P({p}) + {r['y']}×D({d}) · C_d={r['decode_concurrency']} · B={r['budget']}"


def _hover(r: Mapping[str, Any], label: str) -> str:
    return (
        f"{label}<br>{r['output_tok_s_per_gpu']:.0f} tok/s/GPU · {r['tps_per_user']:.1f} tok/s/user<br>"
        f"TTFT {r['ttft_ms']:.1f} ms · TPOT {r['tpot_ms']:.2f} ms" + (f"<br>{r['reason']}" if r.get("reason") else "")
    )


def pareto_chart(
    series: Mapping[str, Sequence[Mapping[str, Any]]],
    fronts: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    min_tps_per_user: float | None = None,
    tpot_ms: float | None = None,
    title: str = "",
    xaxis: str = "",
    yaxis: str = "",
    label=config_label,
    log_x: bool = True,
    lang: str = "en",
) -> go.Figure:
    """Scatter of every named point set (rows with ``tps_per_user`` and ``output_tok_s_per_gpu``)
    plus step lines for each named frontier, and the SLA lines."""
    fig = go.Figure()
    xaxis = xaxis or tr("fig.per_user_interactivity", lang)
    yaxis = yaxis or tr("fig.output_tokens_per_gpu", lang)
    fig.update_layout(title=title, xaxis_title=xaxis, yaxis_title=yaxis, **_LAYOUT)
    for name, rows in series.items():
        rows = [r for r in rows if r.get("tps_per_user")]
        fig.add_trace(
            go.Scatter(
                x=[r["tps_per_user"] for r in rows],
                y=[r["output_tok_s_per_gpu"] for r in rows],
                mode="markers",
                name=name,
                text=[_hover(r, label(r)) for r in rows],
                hovertemplate="%{text}<extra></extra>",
                marker={"size": 7, "opacity": 0.75 if "reject" not in name.lower() else 0.35},
            )
        )
    for name, rows in fronts.items():
        rows = sorted((r for r in rows if r.get("tps_per_user")), key=lambda r: r["tps_per_user"])
        fig.add_trace(
            go.Scatter(
                x=[r["tps_per_user"] for r in rows],
                y=[r["output_tok_s_per_gpu"] for r in rows],
                mode="lines+markers",
                line={"shape": "hv", "width": 2},
                name=name,
                text=[_hover(r, label(r)) for r in rows],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    # SLA lines as traces (not shapes + annotations: annotations on a log axis take log10 positions)
    ys = [
        r["output_tok_s_per_gpu"]
        for rows in (*series.values(), *fronts.values())
        for r in rows
        if r.get("tps_per_user")
    ]
    top = max(ys, default=1.0) * 1.05
    for x, name, dash, color in (
        (min_tps_per_user, f"SLA: ≥ {min_tps_per_user or 0:g} tok/s/user", "dash", "red"),
        (
            tokens_per_s_per_user(tpot_ms / 1e3) if tpot_ms else None,
            f"SLA: TPOT ≤ {tpot_ms or 0:g} ms",
            "dot",
            "orange",
        ),
    ):
        if x:
            fig.add_trace(
                go.Scatter(
                    x=[x, x],
                    y=[0.0, top],
                    mode="lines",
                    name=name,
                    hoverinfo="name",
                    line={"dash": dash, "color": color, "width": 1.5},
                )
            )
    if log_x:
        fig.update_xaxes(type="log")
    return fig


def ttft_breakdown_chart(
    rows: Sequence[tuple[str, Mapping[str, float]]], title: str = "", yaxis: str = "ms"
) -> go.Figure:
    """Stacked bars of named components (e.g. prefill, queue, KV transfer) per labelled bar."""
    fig = go.Figure()
    fig.update_layout(title=title, yaxis_title=yaxis, barmode="stack", **_LAYOUT)
    names: list[str] = []
    for _, comps in rows:
        for k in comps:
            if k not in names:
                names.append(k)
    for n in names:
        fig.add_trace(go.Bar(x=[lbl for lbl, _ in rows], y=[comps.get(n, 0.0) for _, comps in rows], name=n))
    return fig


def reason_summary(rejected: Sequence[Mapping[str, Any]], t: Any) -> list[dict[str, Any]]:
    """Table rows summarising rejections: one per reason code (meaning via ``t``), count, one example."""
    out = []
    for code in ("layout", "oom", "ttft", "tpot", "tps_per_user"):
        rows = [r for r in rejected if r.get("reason_code") == code]
        if rows:
            out.append(
                {
                    t("sus.reason_col"): t(f"sus.reason_{code}"),
                    t("sus.count_col"): len(rows),
                    t("sus.example_col"): rows[0]["reason"],
                }
            )
    return out
