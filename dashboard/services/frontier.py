"""Throughput–interactivity frontier (InferenceMAX style) over several (GPU, engine, precision) series.

Each point is one engine layout (TP inside a node; for MoE also EP over the TP group and DP-attention
ranks: :func:`dashboard.services.planner.engine_layouts`) serving ``C``
concurrent clients with continuous batching: the steady state of
:func:`dashboard.services.search_steady.steady_state` — every step time from the shared cost model,
chunked prefill with the engine's token budget, decodes riding along — not a static batch. Per point:

* ``output_tok_s_per_gpu`` = engine output tokens/s ÷ engine GPUs; ``input_tok_s_per_gpu`` likewise
  and ``total_tok_s_per_gpu`` their sum;
* ``tps_per_user`` = ``1000 / TPOT_ms`` (x axis), ``ttft_ms``, ``tpot_ms``;
* ``tokens_per_usd`` = output tokens per dollar = output tok/s/GPU · 3600 / ($/GPU-hour);
  ``usd_per_m_output_tokens`` its inverse × 10⁶ (all GPU time charged to output tokens);
* ``tokens_per_joule`` = output tok/s/GPU ÷ TDP (GPUs at TDP).

A layout is left out where the weights, the workspace and ``C`` sequences of ``I + O`` tokens do
not fit (:func:`~dashboard.features.memory.memory_breakdown` at the engine's memory fraction).
``on_frontier`` marks each series' Pareto points (maximise y and ``tps_per_user``;
:func:`~dashboard.services.search_pareto.pareto_front`), for the y metric asked.

Disaggregated series (``disaggregated=True``, label ``… · PD``): the prefill/decode pools of
:func:`dashboard.services.search_pd.search_disaggregated` on ``pd_gpus`` GPUs (its rate-matched
steady state), the Pareto points of every pool split. Per-GPU figures count **all** GPUs of both
pools (``output_tok_s_per_gpu = R·O / (x·g_p + y·g_d)``), and split by role as InferenceX reports
disaggregated runs: ``output_tok_s_per_decode_gpu = R·O / (y·g_d)`` and
``input_tok_s_per_prefill_gpu = R·I / (x·g_p)``; x = ``1000 / TPOT`` of the decode pool.

Precisions: ``native`` (the checkpoint's own per-module formats,
:mod:`dashboard.features.checkpoint`), or one format for every linear layer (``bf16``, ``fp8`` =
W8A8, ``fp4`` = W4A4 NVFP4 where the GPU has fp4 tensor cores).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.features.checkpoint import native_format
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import HardwareProfile
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import cost_per_million_tokens, tokens_per_joule, tokens_per_s_per_user
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes
from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape
from dashboard.services.planner import engine_layouts, layout_label, scheduler_limits
from dashboard.services.search import SearchSpace
from dashboard.services.search_pareto import pareto_front
from dashboard.services.search_steady import steady_state

__all__ = [
    "MAX_PD_GPUS",
    "MAX_SERIES",
    "PRECISIONS",
    "Y_METRICS",
    "FrontierSettings",
    "frontier_points",
    "precision_dtypes",
    "series_label",
]

PRECISIONS = ("native", "bf16", "fp8", "fp4")
#: y-axis choices: row key → unit label
Y_METRICS = {
    "output_tok_s_per_gpu": "output tok/s/GPU",
    "total_tok_s_per_gpu": "total tok/s/GPU",
    "input_tok_s_per_gpu": "input tok/s/GPU",
    "tokens_per_usd": "output tokens per $",
    "tokens_per_joule": "output tokens per J",
}
MAX_SERIES = 24  # bounds the page's work (each series sweeps layouts × concurrencies)
MAX_PD_GPUS = 64


# declared once (dashboard/features/params.py): the frontier page's inputs refer to these
@dataclass(frozen=True)
class FrontierSettings:
    """What one frontier compares: ``precisions`` per GPU type and engine, requests of
    ``input_len``/``output_len`` tokens at each client ``concurrency`` and TP of ``tp_values``;
    ``y_metric`` is the efficiency axis; ``pd_gpus`` GPUs split into prefill/decode pools when
    ``disaggregated``."""

    precisions: tuple[str, ...] = param(("native",), choices=PRECISIONS, label="Precisions", max_items=4)
    input_len: int = like(RequestShape, "input_len")
    output_len: int = like(RequestShape, "output_len")
    concurrency: tuple[int, ...] = like(SearchSpace, "concurrency", (1, 2, 4, 8, 16, 32, 64, 128, 256))
    tp_values: tuple[int, ...] = like(SearchSpace, "tp", (1, 2, 4, 8))
    y_metric: str = param("output_tok_s_per_gpu", choices=tuple(Y_METRICS), label="Efficiency axis")
    kv_dtype: str = like(Dtypes, "kv")
    disaggregated: bool = param(False, label="Disaggregated prefill/decode")
    pd_gpus: int = param(16, lo=2, hi=MAX_PD_GPUS, unit="GPUs", label="GPUs of the PD pools", help="with disaggregated")

    def __post_init__(self) -> None:
        validate_params(self)


def precision_dtypes(model: ModelProfile, precision: str, kv: str = "bf16") -> Dtypes:
    """The :class:`Dtypes` of a series' precision (see the module docstring)."""
    if precision == "native":
        return native_format(model).dtypes(kv)
    if precision == "bf16":
        return Dtypes(kv=kv)
    if precision == "fp8":
        return Dtypes(weight="fp8", activation="fp8", kv=kv)
    if precision == "fp4":
        return Dtypes(weight="fp4", activation="fp4", kv=kv)
    raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")


def series_label(hw: str, engine: str, precision: str) -> str:
    return f"{hw} · {engine} · {precision}"


def frontier_points(
    model: ModelProfile,
    hardware: Sequence[HardwareProfile],
    engines: Sequence[str],
    precisions: Sequence[str],
    input_len: int,
    output_len: int,
    concurrency: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256),
    tp_values: Sequence[int] = (1, 2, 4, 8),
    prices: Mapping[str, float] | None = None,
    y_metric: str = "output_tok_s_per_gpu",
    kv_dtype: str = "bf16",
    disaggregated: bool = False,
    pd_gpus: int = 16,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every point of every series (rows, see the module docstring) and notes on series that have
    no point (a precision the GPU lacks, a model that fits no layout)."""
    n_series = len(hardware) * len(engines) * len(precisions)
    if n_series > MAX_SERIES:
        raise ValueError(f"{n_series} series (GPU types × engines × precisions): pick at most {MAX_SERIES}")
    FrontierSettings(  # ValueError naming the field
        tuple(precisions),
        input_len,
        output_len,
        tuple(concurrency),
        tuple(tp_values),
        y_metric,
        kv_dtype,
        disaggregated,
        pd_gpus,
    )
    prices = prices or {}
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for hw in hardware:
        price = prices.get(hw.slug)
        for prec in precisions:
            dt = precision_dtypes(model, prec, kv_dtype)
            if dt.activation in ("fp8", "fp4") and not hw.peak_tflops.get(dt.activation):
                notes.append(f"{hw.slug}: no {dt.activation} tensor cores, series {prec} skipped")
                continue
            for eng in engines:
                budget, max_seqs, _ = scheduler_limits(eng, hw)
                label = series_label(hw.slug, eng, prec)
                series_rows: list[dict[str, Any]] = []
                for lay in engine_layouts(model, hw, 8):
                    if lay.tp not in tp_values:
                        continue
                    par = lay.parallel()
                    cm = CostModel(model, hw, par, dt)
                    memo: dict = {}
                    for c in sorted(set(concurrency)):
                        if c > max_seqs:
                            break
                        mem = memory_breakdown(
                            model,
                            hw,
                            par,
                            dt,
                            context=input_len + output_len,
                            engine=eng,  # the engine's KV rule
                            max_batched_tokens=budget,
                            max_seqs=c,
                        )
                        if mem.max_sequences * par.attention_dp < c:
                            break
                        st = steady_state(cm, input_len, output_len, c, budget, memo)
                        out_g = st.output_tok_s / lay.gpus
                        in_g = st.input_tok_s / lay.gpus
                        row = {
                            "series": label,
                            "hardware": hw.slug,
                            "engine": eng,
                            "precision": prec,
                            "layout": layout_label(lay),
                            "tp": lay.tp,
                            "ep": lay.ep,
                            "gpus": lay.gpus,
                            "concurrency": c,
                            "budget": budget,
                            "ttft_ms": st.ttft_s * 1e3,
                            "tpot_ms": st.tpot_s * 1e3,
                            "tps_per_user": tokens_per_s_per_user(st.tpot_s) or 0.0,
                            "output_tok_s_per_gpu": out_g,
                            "input_tok_s_per_gpu": in_g,
                            "total_tok_s_per_gpu": out_g + in_g,
                            "tokens_per_usd": out_g * 3600.0 / price if price else None,
                            "usd_per_m_output_tokens": cost_per_million_tokens(price, out_g) if price else None,
                            "tokens_per_joule": tokens_per_joule(out_g, hw.tdp_w),
                        }
                        series_rows.append(row)
                if not series_rows:
                    notes.append(f"{label}: no layout of TP ≤ 8 holds the model and one sequence")
                    continue
                if disaggregated:
                    series_rows += _pd_points(
                        model, hw, eng, prec, dt, input_len, output_len, concurrency, tp_values, pd_gpus, price
                    )
                for name in dict.fromkeys(r["series"] for r in series_rows):
                    ok = [r for r in series_rows if r["series"] == name and r[y_metric] is not None]
                    front = set(pareto_front([r["tps_per_user"] for r in ok], [r[y_metric] for r in ok]))
                    for i, r in enumerate(ok):
                        r["on_frontier"] = i in front
                for r in series_rows:
                    r.setdefault("on_frontier", False)
                rows += series_rows
    return rows, notes


def _pd_points(
    model: ModelProfile,
    hw: HardwareProfile,
    engine: str,
    prec: str,
    dt: Dtypes,
    input_len: int,
    output_len: int,
    concurrency: Sequence[int],
    tp_values: Sequence[int],
    gpus: int,
    price: float | None,
) -> list[dict[str, Any]]:
    """The Pareto points of the disaggregated search on ``gpus`` GPUs as frontier rows (see the
    module docstring for the role split)."""
    from dashboard.services.search import SearchSpace, Workload
    from dashboard.services.search_pd import search_disaggregated

    space = SearchSpace(
        tp=tuple(t for t in tp_values if t <= max(1, min(8, int(hw.scale_up_domain)))) or (1,),
        concurrency=tuple(sorted(set(concurrency))),
    )
    try:
        res = search_disaggregated(
            model, hw, gpus, Workload(input_len, output_len), None, dt, space, compare_aggregated=False
        )
    except ValueError:
        return []
    label = series_label(hw.slug, engine, prec) + " · PD"
    out = []
    for r in res.pareto:
        rate = r["requests_per_s"]
        g_p = r["x"] * max(r["tp_p"], r["ep_p"])
        g_d = r["y"] * max(r["tp_d"], r["ep_d"])
        out_g = rate * output_len / r["gpus"]
        in_g = rate * input_len / r["gpus"]
        out.append(
            {
                "series": label,
                "hardware": hw.slug,
                "engine": engine,
                "precision": prec,
                "layout": f"{r['x']}×P(TP{r['tp_p']}) + {r['y']}×D(TP{r['tp_d']})",
                "tp": r["tp_d"],
                "ep": r["ep_d"],
                "gpus": r["gpus"],
                "concurrency": r["concurrency"],
                "budget": r["budget"],
                "ttft_ms": r["ttft_ms"],
                "tpot_ms": r["tpot_ms"],
                "tps_per_user": r["tps_per_user"],
                "output_tok_s_per_gpu": out_g,
                "input_tok_s_per_gpu": in_g,
                "total_tok_s_per_gpu": out_g + in_g,
                "output_tok_s_per_decode_gpu": rate * output_len / g_d if g_d else None,
                "input_tok_s_per_prefill_gpu": rate * input_len / g_p if g_p else None,
                "tokens_per_usd": out_g * 3600.0 / price if price else None,
                "usd_per_m_output_tokens": cost_per_million_tokens(price, out_g) if price else None,
                "tokens_per_joule": tokens_per_joule(out_g, hw.tdp_w),
            }
        )
    return out
