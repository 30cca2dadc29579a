"""SLA search for prefill/decode disaggregated serving: x prefill engines at TP_p + y decode engines at
TP_d on one GPU budget, rate matching, KV transfer, and the best aggregated configuration beside it."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common.plots_search import config_label, pareto_chart, pd_label, reason_summary, ttft_breakdown_chart
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, localized_columns, metrics_row, table
from dashboard.components.run import fingerprint, run_button
from dashboard.services.search import SLA, Economics, SearchSpace, Workload
from dashboard.services.search_pd import LINKS, link_gb_s, search_disaggregated
from dashboard.state.scale_up_search_pd_disaggregate import PDSearchInputs

PAGE = "scale_up_search_pd_disaggregate"

HELP = {
    "en": r"""
**What it computes.** A prefill pool of `x` engines at TP_p and a decode pool of `y` engines at TP_d with
`x·TP_p + y·TP_d ≤ GPU budget` (EP for MoE counts as engine width), for every chunk budget `B` and decode
concurrency `C_d` (`dashboard/services/search_pd.py`; every step time from `CostModel.step_time_s`):

- **Prefill engine**: prefill-only steps; a prompt of `I > B` tokens runs in `ceil(I/B)` chunk steps (service
  `S_p` = their sum, rate `μ_p = 1/S_p`); for `I ≤ B`, `floor(B/I)` prompts share a step.
- **Decode engine**: one step of `C_d` decodes at contexts spread over `[I, I+O)` is the **TPOT**;
  rate `μ_d = C_d / ((O − 1)·TPOT)`.
- **Rate matching**: the system serves `R = min(x·μ_p, y·μ_d)`. Decode-bound: prefill utilisation
  `ρ = R/(x·μ_p)` and an M/D/1 wait `ρ/(2(1−ρ))·S_p`. Prefill-bound: decode engines run under-filled and the
  waiting clients queue for prefill (Little's law). **Slack** `= |x·μ_p − y·μ_d| / max(…)`.
- **KV transfer**: `kv_bytes_per_sequence(I)` of the memory model (MLA latent included) per GPU over the chosen
  link (NVLink = scale-up GB/s, IB/RoCE = scale-out GB/s, PCIe) at the profile's collective efficiency, plus one
  collective latency — **added to TTFT** (`TTFT = S_p + queue + KV`).
- Output tok/s per GPU `= R·O / (x·g_p + y·g_d)`; the aggregated search runs on the same GPUs for comparison.
""",
    "zh": r"""
**计算内容。** Prefill 池有 `x` 个 TP_p 引擎，decode 池有 `y` 个 TP_d 引擎，满足 `x·TP_p + y·TP_d ≤ GPU 预算`
（MoE 的 EP 计入引擎宽度），枚举所有 chunk 预算 `B` 与 decode 并发 `C_d`（`dashboard/services/search_pd.py`；
每个步时都来自 `CostModel.step_time_s`）：

- **Prefill 引擎**：只做 prefill；`I > B` 时一个 prompt 需要 `ceil(I/B)` 个 chunk 步（服务时间 `S_p` 为其和，速率
  `μ_p = 1/S_p`）；`I ≤ B` 时一步可容纳 `floor(B/I)` 个 prompt。
- **Decode 引擎**：`C_d` 个 decode（上下文分布在 `[I, I+O)`）的一步即 **TPOT**；速率 `μ_d = C_d / ((O − 1)·TPOT)`。
- **速率匹配**：系统吞吐 `R = min(x·μ_p, y·μ_d)`。Decode 受限时 prefill 利用率 `ρ = R/(x·μ_p)`，排队按 M/D/1
  `ρ/(2(1−ρ))·S_p`；prefill 受限时 decode 引擎未满，等待的客户端在 prefill 排队（Little 定律）。
  **余量** `= |x·μ_p − y·μ_d| / max(…)`。
- **KV 传输**：内存模型给出的 `kv_bytes_per_sequence(I)`（含 MLA 潜向量）按每卡经所选链路（NVLink = 节点内带宽，
  IB/RoCE = 节点间带宽，PCIe）以配置中的通信效率传输，再加一次通信延迟 —— **计入 TTFT**（`TTFT = S_p + 排队 + KV`）。
- 每卡输出吞吐 `= R·O / (x·g_p + y·g_d)`；同样 GPU 上的合并部署搜索结果并列显示。
""",
}

COLS = [
    "x",
    "tp_p",
    "ep_p",
    "y",
    "tp_d",
    "ep_d",
    "gpus",
    "budget",
    "decode_concurrency",
    "output_tok_s_per_gpu",
    "tps_per_user",
    "ttft_ms",
    "prefill_ms",
    "queue_ms",
    "kv_transfer_ms",
    "kv_share_of_ttft",
    "tpot_ms",
    "bound",
    "prefill_util",
    "decode_util",
    "rate_slack",
    "requests_per_s",
    "cost_per_m_output_usd",
    "cost_per_m_input_usd",
    "output_tok_per_joule",
]


def _frame(rows: list[dict[str, Any]], cols: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=cols)
    return df[[c for c in cols if c in df.columns]]


def render() -> None:
    ctx, _ = bootstrap(
        title="SLA search (PD disaggregated)",
        header_description="Prefill and decode pools on one GPU budget: rate matching, KV transfer, "
        "best x:y, compared with the best aggregated configuration.",
        help_title="SLA search (PD disaggregated)",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    inputs = PageInputs(ctx, PAGE, PDSearchInputs)
    st.subheader(t("sus.workload"))
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("gpus", t("sus.gpus"), step=1, container=c1)
    inputs.number("input_len", t("sus.input_len"), step=256, container=c2)
    inputs.number("output_len", t("sus.output_len"), step=64, container=c3)
    hw = ctx.hardware
    inputs.select(
        "link", t("pd.link"), list(LINKS), format_func=lambda k: t(f"pd.link_{k}", gb=link_gb_s(hw, k)), container=c4
    )
    st.subheader(t("sus.sla"))
    s1, s2, s3 = st.columns(3)
    inputs.number("ttft_ms", t("sus.ttft_ms"), step=100.0, container=s1)
    inputs.number("tpot_ms", t("sus.tpot_ms"), step=5.0, container=s2)
    inputs.number("min_tps_per_user", t("sus.min_tps"), step=5.0, container=s3)
    with st.expander(t("sus.space")):
        e1, e2, e3, e4 = st.columns(4)
        inputs.text("tp_values", t("sus.tp_values"), container=e1)
        inputs.text("concurrency", t("sus.concurrency"), container=e2)
        inputs.text("budgets", t("sus.budgets"), container=e3)
        inputs.number("usd_per_gpu_hour", t("sus.usd"), step=0.25, container=e4)
    inputs.sync_query_params()
    v = inputs.values
    sla = SLA(v.ttft_ms or None, v.tpot_ms or None, v.min_tps_per_user or None)
    try:
        wl = Workload(v.input_len, v.output_len)
        space = SearchSpace(tp=v.tp_values, concurrency=v.concurrency, budgets=v.budgets, dp_mode="max")
        econ = Economics(v.usd_per_gpu_hour)
        res = run_button(
            ctx,
            PAGE,
            fingerprint(ctx.model, hw, v.gpus, wl, sla, ctx.dtypes, space, econ, v.link),
            lambda: search_disaggregated(ctx.model, hw, v.gpus, wl, sla, ctx.dtypes, space, econ, link=v.link),
        )
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    if res is None:
        return
    b = res.best
    agg = res.extra.get("aggregated_best")
    left, right = st.columns(2)
    with left:
        st.subheader(t("pd.best_pd"))
        if b:
            st.markdown(f"**{pd_label(b)}**")
            metrics_row(
                ctx,
                {
                    t("sus.m_tps_gpu"): f"{b['output_tok_s_per_gpu']:,.0f}",
                    t("sus.m_ttft"): f"{b['ttft_ms']:,.1f}",
                    t("sus.m_tpot"): f"{b['tpot_ms']:.2f}",
                },
            )
            metrics_row(
                ctx,
                {
                    t("pd.m_prefill_util"): f"{b['prefill_util']:.0%}",
                    t("pd.m_decode_util"): f"{b['decode_util']:.0%}",
                    t("pd.m_slack"): f"{b['rate_slack']:.0%}",
                },
            )
            metrics_row(
                ctx,
                {
                    t("pd.m_kv_ms"): f"{b['kv_transfer_ms']:.2f}",
                    t("pd.m_kv_share"): f"{b['kv_share_of_ttft']:.1%}",
                    t("sus.m_cost_out"): f"{b['cost_per_m_output_usd']:.3f}",
                },
            )
        else:
            st.warning(t("pd.none_pd"))
    with right:
        st.subheader(t("pd.best_agg"))
        if agg:
            st.markdown(f"**{config_label(agg)}**")
            metrics_row(
                ctx,
                {
                    t("sus.m_tps_gpu"): f"{agg['output_tok_s_per_gpu']:,.0f}",
                    t("sus.m_ttft"): f"{agg['ttft_ms']:,.1f}",
                    t("sus.m_tpot"): f"{agg['tpot_ms']:.2f}",
                },
            )
            if "speedup_vs_aggregated" in res.extra:
                metrics_row(
                    ctx,
                    {
                        t("pd.m_speedup"): f"{res.extra['speedup_vs_aggregated']:.2f}×",
                        t("sus.m_tok_j"): f"{agg['output_tok_per_joule']:.2f}",
                        t("sus.m_cost_out"): f"{agg['cost_per_m_output_usd']:.3f}",
                    },
                )
        else:
            st.warning(t("pd.none_agg"))

    fig = pareto_chart(
        {t("pd.series_pd"): res.feasible},
        {t("pd.front_pd"): res.pareto, t("pd.front_agg"): res.extra.get("aggregated_pareto", [])},
        min_tps_per_user=sla.min_tps_per_user,
        tpot_ms=sla.tpot_ms,
        title=t("pd.chart"),
        label=lambda r: pd_label(r) if "x" in r else config_label(r),
        lang=ctx.lang,
    )
    chart(ctx, fig, key="pd_pareto")
    feas = sorted(res.feasible, key=lambda r: -r["output_tok_s_per_gpu"])
    if feas:
        bars = [
            (
                pd_label(r),
                {t("pd.c_prefill"): r["prefill_ms"], t("pd.c_queue"): r["queue_ms"], t("pd.c_kv"): r["kv_transfer_ms"]},
            )
            for r in feas[:6]
        ]
        chart(ctx, ttft_breakdown_chart(bars, title=t("pd.ttft_chart")), key="pd_ttft")

    st.subheader(t("sus.reasons"))
    summary = pd.DataFrame(reason_summary(res.rejected, t))
    if summary.empty:
        st.info(t("sus.no_rejections"))
    else:
        st.dataframe(localized_columns(summary, ctx.lang), hide_index=True, width="stretch", key="pd_reasons")
    st.subheader(t("pd.feasible_table"))
    table(ctx, _frame(feas, COLS), key="pd_feasible", file_name="pd_search_feasible.csv")
    with st.expander(t("sus.rejected_table")):
        table(
            ctx,
            _frame(res.rejected, ["reason", "reason_code", *COLS[:9], "ttft_ms", "tpot_ms"]),
            key="pd_rejected",
            file_name="pd_search_rejected.csv",
        )
    json_download(ctx, {"inputs": res.inputs, "outputs": res.as_dict()}, key="pd_json", file_name="pd_search.json")


if __name__ == "__main__":
    render()
