"""Output helpers: Plotly charts, tables with CSV download, JSON export, metric rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import is_dataclass
from typing import Any

import pandas as pd

from dashboard.common.i18n import catalogue, localize_value, tr
from dashboard.common.numfmt import card_value
from dashboard.common.plot_axes import prepare_figure
from dashboard.common.tables import to_csv_bytes, to_json_bytes
from dashboard.features.params import describe

__all__ = [
    "CHARTS_OPEN_BY_DEFAULT",
    "PLOTLY_CONFIG",
    "chart",
    "column_label",
    "json_download",
    "localized_columns",
    "metrics_row",
    "table",
]

#: Charts start collapsed: Plotly.js (a ~4.7 MB chunk the browser loads and parses on the first
#: chart of every session) is the largest part of a page's first render (issue 14 §1). A chart the
#: user opens stays open for the session (across reruns and page switches). The AppTest suites,
#: which inspect the charts, set this to True (tests/conftest.py).
CHARTS_OPEN_BY_DEFAULT = False
#: Trimmed mode bar: no logo, no buttons that only matter for 3-D/geo/lasso work.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}
_OPEN = "ui.charts_open"  # session_state.results[_OPEN] = {chart key: open?}


def _chart_label(ctx: Any, fig: Any) -> str:
    try:
        text = fig.layout.title.text
    except AttributeError:
        text = None
    return str(text) if text else tr("ui.chart", ctx.lang)


def chart(ctx: Any, fig: Any, key: str, title: str | None = None) -> None:
    """A Plotly chart in an expander that renders it on demand (lazy: nothing is sent while closed).

    ``fig`` is a figure, or a zero-argument callable that builds one: a callable is called only
    while the expander is open, so a closed chart costs no figure building on a rerun (issue 14;
    a Plotly figure takes a few milliseconds). ``title`` labels the expander (default: the
    figure's title, which a callable cannot give without being built)."""
    st = ctx.st
    remembered: dict[str, bool] = ctx.session_state.results.setdefault(_OPEN, {})
    wkey = f"chart__{key}"

    def on_toggle() -> None:
        remembered[key] = bool(st.session_state.get(wkey))

    if title is None:
        title = tr("ui.chart", ctx.lang) if callable(fig) else _chart_label(ctx, fig)
    box = st.expander(
        title,
        expanded=remembered.get(key, CHARTS_OPEN_BY_DEFAULT),
        key=wkey,
        icon=":material/show_chart:",
        on_change=on_toggle,
    )
    if box.open:
        with box:  # round log ticks, zero-based non-negative axes, labels that fit (common/plot_axes.py)
            figure = fig() if callable(fig) else fig
            st.plotly_chart(prepare_figure(figure), key=key, width="stretch", config=PLOTLY_CONFIG)


def column_label(name: str, lang: str) -> str:
    """The header of column ``name`` in ``lang`` (catalogue ``col.<name>``; else ``name``), e.g. for
    ``st.column_config`` labels of an editable table whose data keeps the identifiers."""
    entry = catalogue().get(f"col.{name}")
    return (entry.get(lang) or name) if entry else name


def localized_columns(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` as shown in ``lang``: the column headers the catalogue translates (``col.<name>``)
    and the text cells through :func:`~dashboard.common.i18n.localize_value`; the identifiers and
    English values stay in the CSV/JSON downloads."""
    if lang == "en":
        return df
    texts = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    if texts:
        df = df.copy()
        for c in texts:
            uniq = {v: localize_value(v, lang) for v in {x for x in df[c] if isinstance(x, str)}}
            if any(k != v for k, v in uniq.items()):
                df[c] = df[c].map(lambda v, m=uniq: m.get(v, v) if isinstance(v, str) else v)
    cat = catalogue()
    names = {c: cat[f"col.{c}"].get(lang) or str(c) for c in df.columns if f"col.{c}" in cat}
    names = {c: n for c, n in names.items() if n != c}
    return df.rename(columns=names) if names else df


def table(ctx: Any, df: pd.DataFrame, key: str, file_name: str, height: int | None = None) -> None:
    """Sortable table plus its CSV download button."""
    st = ctx.st
    shown = localized_columns(df, ctx.lang)
    if height:
        st.dataframe(shown, width="stretch", hide_index=True, key=f"{key}_df", height=height)
    else:
        st.dataframe(shown, width="stretch", hide_index=True, key=f"{key}_df")
    st.download_button(
        tr("common.download_csv", ctx.lang),
        lambda: to_csv_bytes(df),  # deferred: built when clicked, not on every run (issue 14)
        file_name=file_name,
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )


def json_download(ctx: Any, payload: Any, key: str, file_name: str) -> None:
    """Inputs + outputs of a page as one JSON document. When ``payload["inputs"]`` is a dataclass
    with declared parameters, ``payload["parameters"]`` adds their units and bounds
    (:func:`dashboard.features.params.describe`)."""
    if isinstance(payload, dict) and "parameters" not in payload:
        declared = describe(payload["inputs"]) if is_dataclass(payload.get("inputs")) else {}
        if declared:
            payload = {**payload, "parameters": declared}
    ctx.st.download_button(
        tr("common.download_json", ctx.lang),
        lambda: to_json_bytes(payload),  # deferred: built when clicked, not on every run (issue 14)
        file_name=file_name,
        mime="application/json",
        key=key,
        on_click="ignore",
    )


#: At most this many metric cards side by side: with the sidebar open, six cards in a row truncate
#: their labels and values (issue 14 §3); more items wrap onto further rows of equal width.
MAX_METRICS_PER_ROW = 4


def metrics_row(ctx: Any, items: Mapping[str, str], help: Mapping[str, str] | None = None) -> None:
    pairs = list(items.items())
    per_row = min(MAX_METRICS_PER_ROW, max(1, len(pairs)))
    for start in range(0, max(1, len(pairs)), per_row):
        cols = ctx.st.columns(per_row)
        for col, (label, value) in zip(cols, pairs[start : start + per_row], strict=False):
            # 3–4 significant digits whatever the page formatted (issue 14 §3: cards never truncate)
            col.metric(label, card_value(value), help=(help or {}).get(label), border=True)
