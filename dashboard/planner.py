"""Capacity planner: for a request rate (or concurrency) and a latency SLA, which GPU type, how many, which
layout and at what cost — each answer verified in the scheduler simulator — with launch commands."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common.i18n import tr
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import json_download, localized_columns, metrics_row, table
from dashboard.components.run import fingerprint, run_button
from dashboard.features.checkpoint import native_format
from dashboard.features.hardware import list_hardware_presets
from dashboard.features.params import describe
from dashboard.features.presets import model_preset_info
from dashboard.services.planner import PlanRequest, default_prices, layout_label, plan, price_table
from dashboard.state.planner import PlannerInputs, parse_prices

PAGE = "planner"

HELP = {
    "en": r"""
**Question.** *Serve R requests/s of I input / O output tokens with TTFT ≤ A and TPOT ≤ B at the p-th percentile:
which GPU type, how many, which layout, and what does it cost?* The model comes from the sidebar, at its checkpoint's
**native format** (DeepSeek-V3/R1 fp8 W8A8, gpt-oss MXFP4 experts + bf16 attention).

1. **Layouts** of one engine (= one *replica*): TP ∈ {1, 2, 4, 8} inside a node; for MoE also EP over the TP group
   and DP-attention ranks (`dp` ranks inside the engine, `ep = tp · dp`). Each must hold the weights, the step
   workspace and a sequence of `I + O` tokens (memory model, 90 % of HBM).
2. **Analytic shortlist**: the steady-state continuous-batching model (every step time from the shared cost model)
   gives, per client concurrency, the rate one replica completes and its TTFT/TPOT; the replica's *capacity* is the
   highest rate within the SLA; `n₀ = ⌈R / capacity⌉` replicas, candidates `n₀ … n₀ + 3`.
3. **Simulator verdict**: candidates are simulated cheapest first (one replica at `R / n` Poisson arrivals with the
   engine's scheduler limits); the first whose TTFT and TPOT at the percentile meet the SLA is the GPU type's plan.
   Queueing is therefore included, not just per-replica speed.
4. **Cost**: `$/h = GPUs × price`; `$/M output = $/h ÷ (3600 · R · O) · 10⁶` (the whole bill on output tokens; the
   input figure puts the whole bill on input tokens); tokens per joule = output tok/s ÷ (GPUs × TDP).

`num_gpus = replicas × tp × dp × pp`; `replicas` are independent copies of the launch command behind a load
balancer. Prices are editable (defaults with date and source below).
""",
    "zh": r"""
**问题。** *在第 p 百分位 TTFT ≤ A、TPOT ≤ B 的前提下，承载每秒 R 个请求（输入 I、输出 O token）：用哪种 GPU、多少张、
什么布局、成本多少？* 模型取自侧边栏，使用其检查点的**原生格式**（DeepSeek-V3/R1 为 fp8 W8A8，gpt-oss 为 MXFP4 专家 +
bf16 注意力）。

1. **布局**（一个引擎 = 一个*副本*）：节点内 TP ∈ {1, 2, 4, 8}；MoE 另含跨 TP 组的 EP，以及 DP 注意力（引擎内 `dp` 个
   注意力副本，`ep = tp · dp`）。每种布局必须放得下权重、单步工作区和一条 `I + O` token 的序列（显存模型，HBM 的 90%）。
2. **解析筛选**：稳态连续批处理模型（每步时间都来自共享成本模型）给出每个并发下单副本完成的请求速率及其 TTFT/TPOT；
   副本*容量*为满足 SLA 的最高速率；`n₀ = ⌈R / 容量⌉` 个副本，候选为 `n₀ … n₀ + 3`。
3. **模拟器判定**：按成本从低到高模拟候选（单副本、`R / n` 泊松到达、引擎的调度上限）；第一个在该百分位满足 TTFT 与
   TPOT 的候选即为该 GPU 类型的方案。因此排队效应已计入，而不仅仅是单副本速度。
4. **成本**：`$/小时 = GPU 数 × 单价`；`$/百万输出 token = $/小时 ÷ (3600 · R · O) · 10⁶`（全部费用计入输出 token；
   输入指标则全部计入输入 token）；每焦耳 token = 输出 token/s ÷（GPU 数 × TDP）。

`num_gpus = replicas × tp × dp × pp`；`replicas` 是负载均衡器后面的独立启动实例。价格可编辑（默认值及日期、来源见下表）。
""",
}

TABLE_COLS = [
    "hardware",
    "meets_sla",
    "mode",
    "num_gpus",
    "replicas",
    "tp",
    "dp",
    "ep",
    "pp",
    "weight_dtype",
    "kv_dtype",
    "max_num_seqs",
    "max_num_batched_tokens",
    "ttft_ms",
    "tpot_ms",
    "itl_ms",
    "output_tok_s_per_gpu",
    "usd_per_hour",
    "usd_per_m_output_tokens",
    "usd_per_m_input_tokens",
    "tokens_per_joule",
]


def _layout(p: dict[str, Any], lang: str = "en") -> str:
    if p["mode"] == "disaggregated":
        s = (
            f"{p['prefill']['replicas']} × P({layout_label(p['prefill'])}) + "
            f"{p['decode']['replicas']} × D({layout_label(p['decode'])})"
        )
    else:
        s = f"{p['replicas']} × {layout_label(p)}"
    return tr(
        "plan.layout_label", lang, hw=p["hardware"], s=s, n=p["num_gpus"], mode=tr(f"plan.mode.{p['mode']}", lang)
    )


def _model_id(ctx: Any) -> str:
    preset = ctx.session_state.model.preset
    if preset != "custom":
        try:
            return str(model_preset_info(preset).get("hf_id") or preset)
        except ValueError:
            return preset
    return ctx.model.name


def render() -> None:
    ctx, _ = bootstrap(
        title={"en": "Capacity planner", "zh": "容量规划"},
        header_description={
            "en": "Which GPU type, how many, which layout and at what cost "
            "serve a request rate within a latency SLA, with launch commands.",
            "zh": "在延迟 SLA 内承载请求速率所需的 GPU 类型、数量、布局与成本，并给出启动命令。",
        },
        help_title={"en": "How the planner works", "zh": "规划器的工作方式"},
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    defaults = {"prices": ", ".join(f"{k}={v:g}" for k, v in default_prices().items())}
    inputs = PageInputs(ctx, PAGE, PlannerInputs, defaults=defaults)
    st.caption(t("plan.native", label=native_format(ctx.model).label))
    c1, c2 = st.columns([3, 1])
    inputs.multiselect("hardware", t("plan.gpus"), list_hardware_presets(), container=c1)
    inputs.select("engine", t("plan.engine"), ["vllm", "sglang", "trtllm"], container=c2)
    w1, w2, w3, w4 = st.columns(4)
    inputs.number("input_len", t("plan.input_len"), step=256, container=w1)
    inputs.number("output_len", t("plan.output_len"), step=64, container=w2)
    mode = inputs.select(
        "load_mode",
        t("plan.load_mode"),
        ["rate", "concurrency"],
        format_func=lambda m: t(f"plan.mode_{m}"),
        container=w3,
    )
    if mode == "rate":
        inputs.number("request_rate", t("plan.request_rate"), step=1.0, container=w4)
    else:
        inputs.number("concurrency", t("plan.concurrency"), step=8, container=w4)
    st.subheader(t("plan.sla"))
    s1, s2, s3 = st.columns(3)
    inputs.number("ttft_ms", t("plan.ttft_ms"), step=100.0, container=s1)
    inputs.number("tpot_ms", t("plan.tpot_ms"), step=5.0, container=s2)
    inputs.number("percentile", t("plan.percentile"), step=1.0, container=s3)
    with st.expander(t("plan.options")):
        o1, o2, o3 = st.columns(3)
        inputs.number("max_gpus", t("plan.max_gpus"), step=8, container=o1)
        inputs.select("disaggregated", t("plan.disagg"), ["auto", "on", "off"], container=o2)
        inputs.select("kv_dtype", t("plan.kv_dtype"), ["bf16", "fp8"], container=o3)
        inputs.text("prices", t("plan.prices"), help=t("plan.prices_help"))
        rows = [{"hardware": k, **v} for k, v in price_table().items()]
        st.dataframe(
            localized_columns(pd.DataFrame(rows), ctx.lang), hide_index=True, width="stretch", key="planner_price_table"
        )
    inputs.sync_query_params()
    v = inputs.values
    try:
        req = PlanRequest(
            hardware=v.hardware,
            engine=v.engine,
            input_len=v.input_len,
            output_len=v.output_len,
            request_rate=v.request_rate if v.load_mode == "rate" else None,
            concurrency=v.concurrency if v.load_mode == "concurrency" else None,
            ttft_ms=v.ttft_ms or None,
            tpot_ms=v.tpot_ms or None,
            percentile=v.percentile,
            max_gpus=v.max_gpus,
            disaggregated=v.disaggregated,
            kv_dtype=v.kv_dtype,
        )
        prices = parse_prices(v.prices)
        fp = fingerprint(req, sorted(prices.items()), ctx.session_state.model.last_valid_json, ctx.model.name)
        res = run_button(ctx, PAGE, fp, lambda: plan(ctx.model, req, prices=prices, model_id=_model_id(ctx)))
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    if res is None:
        return
    ok = [p for p in res.plans if p["meets_sla"]]
    st.subheader(t("plan.best"))
    st.caption(t("plan.timing", sims=res.simulations, secs=res.elapsed_s))
    pct = f"{v.percentile:g}"
    if ok:
        b = ok[0]
        st.markdown(f"**{t('plan.m_config')}:** {_layout(b, ctx.lang)}")
        metrics_row(
            ctx,
            {
                t("plan.m_gpus"): str(b["num_gpus"]),
                t("plan.m_ttft", p=pct): f"{b['ttft_ms']:,.0f}",
                t("plan.m_tpot", p=pct): f"{b['tpot_ms']:.1f}",
                t("plan.m_usd_h"): f"{b['usd_per_hour']:,.2f}",
                t("plan.m_usd_out"): f"{b['usd_per_m_output_tokens']:.3f}" if b["usd_per_m_output_tokens"] else "—",
                t("plan.m_tok_j"): f"{b['tokens_per_joule']:.2f}" if b["tokens_per_joule"] else "—",
            },
        )
    else:
        st.warning(t("plan.none"))
    st.subheader(t("plan.table"))
    df = pd.DataFrame(res.plans)
    df = df[[c for c in TABLE_COLS if c in df.columns]] if not df.empty else pd.DataFrame(columns=TABLE_COLS)
    table(ctx, df, key="planner_plans", file_name="plans.csv")
    if res.rejected:
        st.subheader(t("plan.rejected"))
        st.dataframe(pd.DataFrame(res.rejected), hide_index=True, width="stretch", key="planner_rejected")
    if res.plans:
        st.subheader(t("plan.launch"))
        labels = [_layout(p, ctx.lang) for p in res.plans]
        idx = st.selectbox(t("plan.pick"), range(len(labels)), format_func=lambda i: labels[i], key="planner_pick")
        chosen = res.plans[idx if idx is not None and idx < len(labels) else 0]
        tabs = st.tabs(["vLLM", "SGLang", "TensorRT-LLM", "Kubernetes"])
        for tab, (name, lang, fname) in zip(
            tabs,
            (
                ("vllm", "bash", "serve-vllm.sh"),
                ("sglang", "bash", "serve-sglang.sh"),
                ("trtllm", "bash", "serve-trtllm.sh"),
                ("k8s", "yaml", "deployment.yaml"),
            ),
            strict=True,
        ):
            with tab:
                st.code(chosen["launch"][name], language=lang)
                st.download_button(
                    t("plan.download"),
                    chosen["launch"][name].encode(),
                    file_name=fname,
                    key=f"planner_dl_{name}",
                    on_click="ignore",
                )
    json_download(
        ctx,
        {
            "inputs": {"model": ctx.model.name, **req.__dict__, "prices": prices},
            "parameters": describe(req),
            "outputs": res.as_dict(),
        },
        key="planner_json",
        file_name="plan.json",
    )


if __name__ == "__main__":
    render()
