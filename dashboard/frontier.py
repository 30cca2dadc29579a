"""Throughput–interactivity frontier (InferenceMAX style): output tok/s per GPU against tok/s per user for
several GPU · engine · precision series, each point continuous batching at one concurrency and layout."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common.plots_frontier import frontier_chart
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.hardware import list_hardware_presets, load_hardware
from dashboard.features.params import describe
from dashboard.services.frontier import PRECISIONS, Y_METRICS, frontier_points
from dashboard.services.planner import default_prices
from dashboard.state.planner import FrontierInputs, parse_prices

PAGE = "frontier"

HELP = {
    "en": r"""
**What it shows.** For the sidebar model, each chosen **series** (GPU type × engine × precision) sweeps the engine
layouts (TP inside a node; MoE also EP over the TP group) and the client **concurrencies**. Each point is the
**continuous-batching steady state** at that concurrency (`dashboard/services/search_steady.py`: chunked prefill with
the engine's token budget, decodes riding along; every step time from the shared cost model) — not a static batch.

- x = tokens/s per user = `1000 / TPOT_ms` (interactivity); y = output tokens/s per GPU (engine output ÷ its GPUs),
  or total / input tokens/s per GPU, output tokens per dollar (`tok/s/GPU · 3600 / $ per GPU-hour`) or per joule
  (`tok/s/GPU ÷ TDP`).
- The line of each series is its **Pareto frontier**: no other point of the series is better on both axes.
  Labels: concurrency and layout. Hover: TTFT, TPOT, $ per million output tokens.
- A layout is left out where the weights, workspace and `C` sequences of `I + O` tokens do not fit (90 % of HBM).
- Precision `native` is the checkpoint's own format (DeepSeek fp8, gpt-oss MXFP4 + bf16 attention); `fp8` is W8A8,
  `fp4` W4A4 (only on GPUs with fp4 tensor cores). Engines differ here by their scheduler defaults (token budget).
- **Disaggregated** series (`· PD`): rate-matched prefill + decode pools on *PD GPUs* GPUs
  (`dashboard/services/search_pd.py`), their Pareto points. Per-GPU figures count both pools' GPUs; the table
  also splits them by role as InferenceX does: output tok/s per **decode** GPU and input tok/s per **prefill** GPU.
""",
    "zh": r"""
**显示内容。** 对侧边栏模型，每条选中的**曲线**（GPU 类型 × 引擎 × 精度）遍历引擎布局（节点内 TP；MoE 另含跨 TP 组的 EP）
与客户端**并发**。每个点是该并发下的**连续批处理稳态**（`dashboard/services/search_steady.py`：按引擎 token 预算做
chunked prefill，decode 随行；每步时间来自共享成本模型），而不是静态批。

- 横轴 = 每用户 token/s = `1000 / TPOT_ms`（交互性）；纵轴 = 每卡输出 token/s（引擎输出 ÷ GPU 数），或每卡总 / 输入
  token/s、每美元输出 token（`每卡 token/s · 3600 / 每 GPU 小时价格`）、每焦耳输出 token（`每卡 token/s ÷ TDP`）。
- 每条曲线的折线是其 **Pareto 前沿**：同曲线中没有别的点在两个轴上都更好。标签为并发与布局，悬停显示 TTFT、TPOT、
  每百万输出 token 成本。
- 权重、工作区与 `C` 条 `I + O` token 序列放不下（HBM 的 90%）的布局不显示。
- 精度 `native` 为检查点原生格式（DeepSeek fp8，gpt-oss MXFP4 + bf16 注意力）；`fp8` 为 W8A8，`fp4` 为 W4A4（仅限有 fp4
  张量核心的 GPU）。引擎之间的差别在于其调度默认值（token 预算）。
- **分离式**曲线（`· PD`）：在 *PD GPU 数* 张卡上速率匹配的 prefill + decode 池（`dashboard/services/search_pd.py`）的
  Pareto 点。每卡指标按两个池的全部 GPU 计；表格另按角色拆分（同 InferenceX）：每张 **decode** 卡的输出 token/s 与每张
  **prefill** 卡的输入 token/s。
""",
}

TABLE_COLS = [
    "series",
    "layout",
    "concurrency",
    "budget",
    "on_frontier",
    "tps_per_user",
    "output_tok_s_per_gpu",
    "input_tok_s_per_gpu",
    "total_tok_s_per_gpu",
    "output_tok_s_per_decode_gpu",
    "input_tok_s_per_prefill_gpu",
    "ttft_ms",
    "tpot_ms",
    "usd_per_m_output_tokens",
    "tokens_per_usd",
    "tokens_per_joule",
]


def render() -> None:
    ctx, _ = bootstrap(
        title={"en": "Throughput frontier", "zh": "吞吐前沿"},
        header_description={
            "en": "Output tok/s per GPU vs tok/s per user for several GPU · engine · "
            "precision series, from continuous batching.",
            "zh": "多条 GPU · 引擎 · 精度 曲线的每卡输出 token/s 对每用户 token/s，按连续批处理计算。",
        },
        help_title={"en": "How the frontier is computed", "zh": "前沿的计算方式"},
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    defaults = {"prices": ", ".join(f"{k}={v:g}" for k, v in default_prices().items())}
    inputs = PageInputs(ctx, PAGE, FrontierInputs, defaults=defaults)
    st.subheader(t("fr.series"))
    c1, c2, c3 = st.columns([3, 1, 2])
    inputs.multiselect("hardware", t("fr.gpus"), list_hardware_presets(), container=c1)
    inputs.multiselect("engines", t("fr.engines"), ["vllm", "sglang", "trtllm"], container=c2)
    inputs.multiselect("precisions", t("fr.precisions"), list(PRECISIONS), container=c3)
    w1, w2, w3, w4 = st.columns(4)
    inputs.number("input_len", t("fr.input_len"), step=256, container=w1)
    inputs.number("output_len", t("fr.output_len"), step=64, container=w2)
    inputs.text("concurrency", t("fr.concurrency"), container=w3)
    inputs.text("tp_values", t("fr.tp_values"), container=w4)
    y1, y2, y3, y4 = st.columns([2, 1, 1, 1])
    inputs.select("y_metric", t("fr.y_metric"), list(Y_METRICS), format_func=lambda k: t(f"fr.y.{k}"), container=y1)
    inputs.toggle("frontier_only", t("fr.frontier_only"), container=y2)
    inputs.toggle("disaggregated", t("fr.disagg"), container=y3)
    inputs.number("pd_gpus", t("fr.pd_gpus"), step=8, container=y4)
    inputs.text("prices", t("fr.prices"))
    inputs.sync_query_params()
    v = inputs.values
    try:
        hws = [load_hardware(h) for h in v.hardware]
        rows, notes = frontier_points(
            ctx.model,
            hws,
            v.engines,
            v.precisions,
            v.input_len,
            v.output_len,
            concurrency=v.concurrency,
            tp_values=v.tp_values,
            prices=parse_prices(v.prices),
            y_metric=v.y_metric,
            disaggregated=v.disaggregated,
            pd_gpus=v.pd_gpus,
        )
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    for n in notes:
        st.info(n)
    if not rows:
        st.warning(t("fr.empty"))
        return
    y_label = t(f"fr.y.{v.y_metric}")
    best = max((r for r in rows if r[v.y_metric] is not None), key=lambda r: r[v.y_metric], default=None)
    fastest = max(rows, key=lambda r: r["tps_per_user"])
    metrics_row(
        ctx,
        {
            t("fr.m_series"): str(len({r["series"] for r in rows})),
            t("fr.m_points"): f"{sum(r['on_frontier'] for r in rows)} / {len(rows)}",
            t("fr.m_best_y", y=y_label): f"{best[v.y_metric]:,.3g}" if best else "—",
            t("fr.m_best_x"): f"{fastest['tps_per_user']:,.1f}",
        },
    )
    title = t("fr.chart", y=y_label)
    chart(  # the figure is built only while its expander is open
        ctx,
        lambda: frontier_chart(
            rows,
            v.y_metric,
            title=title,
            xaxis=t("fr.x"),
            yaxis=y_label,
            frontier_only=v.frontier_only,
            lang=ctx.lang,
        ),
        key="frontier_chart",
        title=title,
    )
    st.subheader(t("fr.table"))
    df = pd.DataFrame(rows)
    if v.frontier_only:
        df = df[df["on_frontier"]]
    table(ctx, df[[c for c in TABLE_COLS if c in df.columns]], key="frontier_points", file_name="frontier.csv")
    json_download(
        ctx,
        {"inputs": {"model": ctx.model.name, **v.__dict__}, "parameters": describe(v), "outputs": rows},
        key="frontier_json",
        file_name="frontier.json",
    )


if __name__ == "__main__":
    render()
