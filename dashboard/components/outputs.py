"""Output helpers: Plotly charts, tables with CSV download, JSON export, metric rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.common.i18n import tr
from dashboard.common.tables import to_csv_bytes, to_json_bytes

__all__ = ["chart", "json_download", "metrics_row", "table"]


def chart(ctx: Any, fig: Any, key: str) -> None:
    ctx.st.plotly_chart(fig, key=key, width="stretch", config={"displaylogo": False})


def table(ctx: Any, df: pd.DataFrame, key: str, file_name: str, height: int | None = None) -> None:
    """Sortable table plus its CSV download button."""
    st = ctx.st
    if height:
        st.dataframe(df, width="stretch", hide_index=True, key=f"{key}_df", height=height)
    else:
        st.dataframe(df, width="stretch", hide_index=True, key=f"{key}_df")
    st.download_button(tr("common.download_csv", ctx.lang), to_csv_bytes(df), file_name=file_name, mime="text/csv",
                       key=f"{key}_csv", on_click="ignore")


def json_download(ctx: Any, payload: Any, key: str, file_name: str) -> None:
    """Inputs + outputs of a page as one JSON document."""
    ctx.st.download_button(tr("common.download_json", ctx.lang), to_json_bytes(payload), file_name=file_name,
                           mime="application/json", key=key, on_click="ignore")


def metrics_row(ctx: Any, items: Mapping[str, str], help: Mapping[str, str] | None = None) -> None:
    cols = ctx.st.columns(max(1, len(items)))
    for col, (label, value) in zip(cols, items.items(), strict=False):
        col.metric(label, value, help=(help or {}).get(label), border=True)
