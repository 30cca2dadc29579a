"""Issue 14 §3 chart audit: every figure a page draws, and every figure builder of
``common/plots*.py``, passes the readability rules on its figure JSON (as drawn: after
:func:`~dashboard.common.plot_axes.prepare_figure`, which ``components.outputs.chart`` applies).

Rules per axis that carries data: a title with a unit (or a named dimensionless quantity); a log axis
has round, fully written tick labels (``tickvals`` + ``ticktext``, ``exponentformat`` set); a linear
axis whose data are all ≥ 0 starts at zero (``rangemode`` tozero/nonnegative or a range from ≥ 0).
Per figure: TTFT and TPOT never share an axis; a secondary y axis has its own, different title; a
page shows sizes in GiB or in GB, not both (charts, metric card labels and captions; traffic rates
such as GB/s or GB/step are decimal everywhere).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import defaultdict

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

import dashboard.common as common
from dashboard.common import plots, plots_offload, plots_serving, plots_speculative, plots_sweep
from dashboard.common.plot_axes import axis_data, log_ticks, prepare_figure
from dashboard.components import outputs, run
from dashboard.features.offload import LayerSlot
from dashboard.page_registry import PAGE_SPECS

#: units or dimensionless names an axis title may carry (a title is one quantity with its unit)
UNIT = re.compile(
    r"(\((?:[^()]*)\)|\b(?:ms|µs|us|s|%|GiB|GB|GB/s|TB/s|tok/s|req/s|TFLOP/s|FLOP/byte|FLOP|bytes?|tokens?|"
    r"requests?|clients|sequences|GPUs?|experts?|layers?|heads?|count|concurrency|batch|head_dim|rows|M|N|K|"
    r"TP|EP|DP|\$/M tokens|W|J|x|×|ratio|fraction|rank|step|seed|budget|load|row|[TGP]?FLOP)\b|[%×÷/])",
    re.I,
)
QUANTITIES = ("TTFT", "TPOT")
#: inputs that keep the audit quick (the charts are the same, fewer simulations behind them)
QUERY = {
    "experts_calculation": {"model": "qwen3-30b-a3b"},
    "scale_up_sweep_with_sim": {"seeds": "1", "dists": "fixed"},
    "regression_calibration": {"loo": "False"},
}


_FIGS: list[tuple[str, str, go.Figure]] = []
_BUILT: set[str] = set()
_TEXTS: defaultdict[str, list[str]] = defaultdict(list)  # metric labels and captions per page


def _builders() -> dict[str, object]:
    out = {}
    for name in sorted(n for _, n, _ in pkgutil.iter_modules(common.__path__) if n.startswith("plots")):
        mod = importlib.import_module(f"dashboard.common.{name}")
        for fn_name, fn in inspect.getmembers(mod, inspect.isfunction):
            public = fn.__module__ == mod.__name__ and not fn_name.startswith("_")
            if public and "Figure" in str(inspect.signature(fn).return_annotation):
                out[f"{name}.{fn_name}"] = (mod, fn_name, fn)
    return out


@pytest.fixture(scope="module")
def page_figures():
    """Render every page once (module scope), capturing the figures and which builders made them."""
    if _FIGS:
        return _FIGS
    mp = pytest.MonkeyPatch()
    mp.setattr(run, "AUTO_RUN", True)
    current = {"page": ""}

    def capture(ctx, fig, key, title=None):
        _FIGS.append((current["page"], key, prepare_figure(fig() if callable(fig) else fig)))  # a lazy builder too

    real_metrics_row = outputs.metrics_row

    def capture_metrics(ctx, items, help=None):
        _TEXTS[current["page"]].extend(items)
        return real_metrics_row(ctx, items, help)

    mp.setattr(outputs, "chart", capture)
    mp.setattr(outputs, "metrics_row", capture_metrics)
    for full, (mod, fn_name, fn) in _builders().items():

        def wrapped(*a, _fn=fn, _full=full, **k):
            _BUILT.add(_full)
            return _fn(*a, **k)

        mp.setattr(mod, fn_name, wrapped)
    try:
        for spec in PAGE_SPECS:
            current["page"] = spec.file
            at = AppTest.from_file(str(spec.path), default_timeout=300)
            for k, val in QUERY.get(spec.file, {}).items():
                at.query_params[k] = val
            at.run()
            assert not at.exception, (spec.file, [e.value for e in at.exception])
            _TEXTS[spec.file].extend(c.value for c in at.caption)
    finally:
        mp.undo()
    return _FIGS


def _direct_figures() -> list[tuple[str, str, go.Figure]]:
    """Representative data for the builders the default pages do not draw."""
    x = [1, 2, 4, 8, 16, 32, 64]
    rows = [
        {
            "batch": b,
            "plain_tpot_ms": 5 + b / 8,
            "spec_tpot_ms": 3 + b / 6,
            "plain_tok_s": 180 * b,
            "spec_tok_s": 260 * b,
        }
        for b in x
    ]
    slots = [
        LayerSlot(i, i % 2 == 1, i * 1e-3, i * 1e-3 + 8e-4, i * 1e-3, i * 1e-3 + 9e-4, 1e-4 * (i % 2)) for i in range(6)
    ]
    serving = [
        {
            "ttft_ms": 100.0 + i,
            "pred_ttft_ms": 95.0 + 2 * i,
            "tpot_ms": 20.0,
            "pred_tpot_ms": 21.0 - i / 10,
            "model": "m",
        }
        for i in range(5)
    ]
    sweep = [
        {"tp": t, "seed": 0, "hardware": "h200", "ttft_p90_ms": 80.0 / t, "output_tok_s": 900.0 * t} for t in (1, 2, 4)
    ]
    return [
        ("direct", "grouped_bars", plots.grouped_bars(["a", "b"], {"x": [1.0, 2.0], "y": [2.0, 3.0]}, yaxis="ms")),
        ("direct", "heatmap", plots.heatmap([[1.0, 2.0], [3.0, 4.0]], [1, 2], [8, 16], xaxis="batch", yaxis="TP")),
        (
            "direct",
            "scatter_chart",
            plots.scatter_chart(
                {"rows": ([1.0, 2.0, 3.0], [1.1, 1.9, 3.2])}, xaxis="measured (ms)", yaxis="model (ms)"
            ),
        ),
        ("direct", "timeline", plots.timeline({"compute": [(0.0, 1.5, "L0")], "fetch": [(0.2, 0.8, "L1")]})),
        ("direct", "layer_timeline", plots_offload.layer_timeline(slots)),
        ("direct", "serving_residuals", plots_serving.serving_residuals(serving)),
        ("direct", "tpot_vs_batch", plots_speculative.tpot_vs_batch(rows, "off", "on", "TPOT")),
        ("direct", "throughput_vs_batch", plots_speculative.throughput_vs_batch(rows, "off", "on", "tok/s")),
        (
            "direct",
            "sweep_scatter",
            plots_sweep.sweep_scatter(
                sweep,
                "output_tok_s",
                "ttft_p90_ms",
                ["hardware"],
                title="t",
                xaxis="output tok/s",
                yaxis="TTFT p90 (ms)",
            ),
        ),
    ]


def _title(ax) -> str:
    t = ax.get("title")
    if isinstance(t, dict):
        return str(t.get("text") or "")
    return str(t or "")


def _problems(fig: go.Figure) -> list[str]:
    j = fig.to_plotly_json()
    layout = j.get("layout", {})
    data = axis_data(fig)
    out = []
    for name, vals in data.items():
        if not vals:
            continue
        ax = layout.get(name, {})
        title = _title(ax)
        shared = ax.get("matches")  # a panel sharing another panel's titled axis (make_subplots shared_*axes)
        if shared and _title(layout.get(name[0] + "axis" + shared[1:], {})).strip():
            continue
        if not title.strip():
            out.append(f"{name}: no title")
        elif not UNIT.search(title):
            out.append(f"{name}: title {title!r} names no unit")
        if ax.get("type") == "log":
            if not ax.get("tickvals") or not ax.get("ticktext") or ax.get("exponentformat") not in ("none", "power"):
                out.append(f"{name}: log axis without full tick labels")
        elif ax.get("type") in (None, "-", "linear") and min(vals) >= 0:
            rng = ax.get("range")
            if ax.get("rangemode") not in ("tozero", "nonnegative") and not (
                rng and rng[0] is not None and rng[0] >= 0
            ):
                out.append(f"{name}: non-negative data but the axis may show negative ticks")
    by_axis = defaultdict(list)  # axis → trace names; TTFT in one trace and TPOT in another = two quantities
    for tr in j.get("data", []):
        ref = tr.get("yaxis") or "y"  # the value axis (a CDF of latencies is split per latency instead)
        by_axis[f"yaxis{ref[1:]}"].append(str(tr.get("name") or "").upper())
    for ref, names in by_axis.items():
        if "%" in _title(layout.get(ref, {})):
            continue  # relative errors or shares of several latencies are one quantity
        only = [{q for q in QUANTITIES if q in n} for n in names]
        if {"TTFT"} in only and {"TPOT"} in only:
            out.append(f"{ref}: TTFT and TPOT share it")
    y2 = layout.get("yaxis2", {})
    if y2.get("overlaying") and any(tr.get("yaxis") == "y2" for tr in j.get("data", [])):
        t1, t2 = _title(layout.get("yaxis", {})), _title(layout["yaxis2"])
        if not t2 or t2 == t1:
            out.append("secondary y axis without its own title")
    return out


def test_log_ticks_are_round_and_cover_the_data() -> None:
    assert log_ticks(3, 700) == [2, 5, 10, 20, 50, 100, 200, 500, 1000]
    assert log_ticks(1, 1e6) == [1, 10, 100, 1000, 1e4, 1e5, 1e6]
    fig = prepare_figure(go.Figure(go.Scatter(x=[1, 10, 100], y=[-1, 2, 3])).update_xaxes(type="log"))
    assert (
        fig.layout.xaxis.ticktext == ("1", "2", "5", "10", "20", "50", "100")
        and fig.layout.xaxis.exponentformat == "none"
    )
    assert fig.layout.yaxis.rangemode is None  # negative data: no forced zero
    pos = prepare_figure(go.Figure(go.Bar(x=["a", "b"], y=[3, 5])))
    assert pos.layout.yaxis.rangemode == "tozero" and pos.layout.xaxis.rangemode is None  # categories untouched


def test_every_builder_is_exercised(page_figures) -> None:
    direct = {k for _, k, _ in _direct_figures()}
    missing = [b for b in _builders() if b not in _BUILT and b.split(".")[1] not in direct]
    assert not missing, f"figure builders without representative data in this audit: {missing}"


def test_every_figure_passes_the_rules(page_figures) -> None:
    bad = {}
    for page, key, fig in [*page_figures, *((p, k, prepare_figure(f)) for p, k, f in _direct_figures())]:
        probs = _problems(fig)
        if probs:
            bad[f"{page}/{key}"] = probs
    assert not bad, "\n".join(f"{k}: {v}" for k, v in bad.items())


def test_gib_and_gb_not_mixed_on_a_page(page_figures) -> None:
    units = defaultdict(set)
    texts = [(p, str(f.to_plotly_json().get("layout", {}))) for p, _, f in page_figures]
    texts += [(p, " ".join(t)) for p, t in _TEXTS.items()]  # metric card labels and captions
    for page, text in texts:
        for u in ("GiB", "GB"):
            if re.search(rf"\b{u}\b(?!/)", text):  # sizes; traffic rates (GB/s, GB/step) are decimal
                units[page].add(u)
    mixed = {p: u for p, u in units.items() if len(u) > 1}
    assert not mixed, mixed


def test_pd_layouts_name_ep(page_figures) -> None:
    pd_figs = [f for p, _, f in page_figures if p == "scale_up_search_pd_disaggregate"]
    assert pd_figs
    text = " ".join(
        str(tr.get("text", "")) + str(tr.get("hovertext", "")) + str(tr.get("name", ""))
        for f in pd_figs
        for tr in f.to_plotly_json()["data"]
    )
    assert "EP" in text, "the PD layouts on the chart name their EP"


def test_chart_draws_the_prepared_figure() -> None:
    """``components.outputs.chart`` applies ``prepare_figure`` (what this audit checks is what is drawn)."""
    src = inspect.getsource(outputs.chart)
    assert re.search(r"st\.plotly_chart\(prepare_figure\(\w+\)", src)
