"""Readable axes for every chart (issue 14 §3): one pass over a built Plotly figure.

:func:`prepare_figure` is what :func:`dashboard.components.outputs.chart` applies to every figure
before it is drawn (the figure builders of ``common/plots*.py`` stay as they are):

* **log axes** get round, fully labelled ticks: ``tickvals`` at 1-2-5 × 10^k inside the data range
  (1-10-100 when the range spans more than four decades) with ``ticktext`` written out by
  :func:`~dashboard.common.numfmt.format_sig` ("2,000", "0.05" — never "2k" or "5e-2"),
  ``exponentformat="none"``;
* **linear axes whose data are all ≥ 0** (times, throughputs, counts, memory) start at zero:
  ``rangemode="tozero"`` unless the builder set a range — no negative ticks on a non-negative
  quantity;
* every axis gets ``automargin`` so long tick labels and titles fit.

:func:`axis_data` maps each axis to the numeric values drawn on it (used here and by the chart
audit in ``tests/test_chart_audit.py``). Pure: no Streamlit.
"""

from __future__ import annotations

import math
from typing import Any

from dashboard.common.numfmt import format_sig

__all__ = ["axis_data", "log_ticks", "prepare_figure"]

_NUMERIC_KEYS = {"x": ("x", "base"), "y": ("y",)}


def _numbers(values: Any) -> list[float]:
    out: list[float] = []
    if values is None or isinstance(values, str):
        return out
    try:
        items = list(values)
    except TypeError:
        return out
    for v in items:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, (list, tuple)):
            out.extend(_numbers(v))
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def _axis_name(letter: str, ref: str | None) -> str:
    """``"x2"`` → ``"xaxis2"``; ``None``/``"x"`` → ``"xaxis"``."""
    suffix = (ref or letter)[1:]
    return f"{letter}axis{suffix}"


def axis_data(fig: Any) -> dict[str, list[float]]:
    """Layout axis name (``xaxis``, ``yaxis2``…) → the finite numbers of the traces drawn on it.
    Heatmaps and pies contribute nothing (their axes are categories or absent); a horizontal bar
    puts its values on x."""
    out: dict[str, list[float]] = {}
    for tr in fig.data:
        kind = tr.type
        if kind in ("heatmap", "pie", "table", "indicator", "sankey"):
            continue
        xs, ys = _numbers(getattr(tr, "x", None)), _numbers(getattr(tr, "y", None))
        if kind == "bar" and getattr(tr, "base", None) is not None:
            base = _numbers(tr.base if not isinstance(tr.base, (int, float)) else [tr.base])
            if getattr(tr, "orientation", None) == "h":
                xs = xs + [b + x for b, x in zip(base * (len(xs) if len(base) == 1 else 1), xs, strict=False)] + base
            else:
                ys = ys + [b + y for b, y in zip(base * (len(ys) if len(base) == 1 else 1), ys, strict=False)] + base
        err = getattr(tr, "error_y", None)
        if ys and err is not None and getattr(err, "array", None) is not None:
            lo = _numbers(err.arrayminus) if getattr(err, "arrayminus", None) is not None else _numbers(err.array)
            ys = ys + [y - e for y, e in zip(ys, lo, strict=False)]
        out.setdefault(_axis_name("x", getattr(tr, "xaxis", None)), []).extend(xs)
        out.setdefault(_axis_name("y", getattr(tr, "yaxis", None)), []).extend(ys)
    return out


def log_ticks(lo: float, hi: float) -> list[float]:
    """Round tick values for a log axis spanning ``[lo, hi]`` (both > 0): 1-2-5 per decade, or one
    per decade when the span exceeds four decades."""
    if not (lo > 0 and hi > 0):
        return []
    lo, hi = min(lo, hi), max(lo, hi)
    k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1.0,) if k1 - k0 > 4 else (1.0, 2.0, 5.0)
    ticks = [m * 10.0**k for k in range(k0, k1 + 1) for m in steps]
    inside = [t for t in ticks if lo / 1.0001 <= t <= hi * 1.0001]
    # one more tick on a side where the data reach past the last round value, so labels cover them
    below = [t for t in ticks if t < lo / 1.0001] if not inside or lo < inside[0] / 1.0001 else []
    above = [t for t in ticks if t > hi * 1.0001] if not inside or hi > inside[-1] * 1.0001 else []
    return ([below[-1]] if below else []) + inside + ([above[0]] if above else [])


def prepare_figure(fig: Any) -> Any:
    """Apply the axis rules of the module docstring to ``fig`` in place and return it."""
    data = axis_data(fig)
    layout = fig.layout
    names = {k for k in layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))} | set(data)
    for name in sorted(names):
        try:
            ax = layout[name]
        except (KeyError, ValueError):
            continue
        ax.automargin = True
        vals = data.get(name, [])
        if ax.type == "log":
            pos = [v for v in vals if v > 0]
            if pos and ax.tickvals is None:
                ticks = log_ticks(min(pos), max(pos))
                ax.tickvals = ticks
                ax.ticktext = [format_sig(t) for t in ticks]
            ax.exponentformat = "none"
        elif (
            ax.type in (None, "-", "linear")
            and vals
            and min(vals) >= 0
            and ax.range is None
            and ax.rangemode in (None, "normal")
        ):
            ax.rangemode = "tozero"
    return fig
