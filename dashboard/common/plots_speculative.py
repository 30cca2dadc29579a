"""Figures of the speculative-decoding section (pure builders: rows in, ``go.Figure`` out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.common.i18n import tr
from dashboard.common.plots import line_chart

__all__ = ["throughput_vs_batch", "tpot_vs_batch"]


def tpot_vs_batch(rows: Sequence[Mapping[str, Any]], off: str, on: str, title: str, lang: str = "en") -> go.Figure:
    """TPOT (ms) per batch size, without (``plain_tpot_ms``) and with (``spec_tpot_ms``) speculation."""
    x = [r["batch"] for r in rows]
    return line_chart(
        x,
        {off: [r["plain_tpot_ms"] for r in rows], on: [r["spec_tpot_ms"] for r in rows]},
        title=title,
        xaxis="batch",
        yaxis="TPOT (ms)",
        log_x=True,
    )


def throughput_vs_batch(
    rows: Sequence[Mapping[str, Any]], off: str, on: str, title: str, lang: str = "en"
) -> go.Figure:
    """Decode output tokens/s per batch size, without and with speculation."""
    x = [r["batch"] for r in rows]
    return line_chart(
        x,
        {off: [r["plain_tok_s"] for r in rows], on: [r["spec_tok_s"] for r in rows]},
        title=title,
        xaxis="batch",
        yaxis=tr("fig.output_tok_s", lang),
        log_x=True,
    )
