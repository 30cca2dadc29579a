"""Figures of the benchmark-level calibration (``regression_calibration.py``, benchmark mode).

Pure builders; rows are :class:`dashboard.services.serving_calibration.FitReport` rows (measured
columns ``ttft_ms``/``tpot_ms``/``itl_ms``/``output_tok_s_per_gpu``, ``pred_*`` fitted, ``uncal_*``
uncalibrated, ``loo_*`` held out).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.i18n import tr

__all__ = ["COLUMN_COLORS", "serving_residuals"]

COLUMN_COLORS = {"ttft_ms": "#1f77b4", "tpot_ms": "#ff7f0e", "itl_ms": "#2ca02c", "output_tok_s_per_gpu": "#d62728"}


def _rel(r: Mapping[str, Any], col: str, kind: str) -> float | None:
    raw_m, raw_p = r.get(col), r.get(f"{kind}_{col}")
    if raw_m is None or raw_p is None:
        return None
    try:
        m, p = float(raw_m), float(raw_p)
    except (TypeError, ValueError):
        return None
    if not (m > 0 and math.isfinite(p)):
        return None
    return 100.0 * (p / m - 1.0)


def serving_residuals(
    rows: Sequence[Mapping[str, Any]], title: str = "", labels: Mapping[str, str] | None = None, lang: str = "en"
) -> go.Figure:
    """Per row and measured column: (predicted / measured − 1) in % — fitted (filled), held out
    (crosses), uncalibrated (hollow); x is the row number."""
    labels = labels or {}
    fig = go.Figure()
    for col, color in COLUMN_COLORS.items():
        for kind, sym, suffix in (
            ("pred", "circle", tr("fig.srv.fit", lang)),
            ("loo", "x", tr("fig.srv.loo", lang)),
            ("uncal", "circle-open", tr("fig.srv.uncal", lang)),
        ):
            xs, ys, text = [], [], []
            for i, r in enumerate(rows):
                v = _rel(r, col, kind)
                if v is not None:
                    xs.append(i)
                    ys.append(v)
                    text.append(f"{r.get('model')} {r.get('load')} isl {r.get('isl')} osl {r.get('osl')}")
            if xs:
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=ys,
                        mode="markers",
                        name=f"{labels.get(col, col)} ({suffix})",
                        marker={"color": color, "symbol": sym, "size": 8},
                        text=text,
                    )
                )
    fig.add_hline(y=0.0, line={"dash": "dot", "color": "grey"})
    fig.update_layout(
        title=title,
        xaxis_title=tr("fig.srv.row", lang),
        yaxis_title=tr("fig.cal.rel_error", lang),
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
