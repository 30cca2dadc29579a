"""SLA search (aggregated serving): TP × DP (× EP) × concurrency × chunked-prefill budget, the
configurations that meet the SLA, the Pareto frontier and why the others were rejected."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common.plots_search import config_label, pareto_chart, reason_summary
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, localized_columns, metrics_row, table
from dashboard.services.search import SLA, Economics, SearchSpace, Workload, search_aggregated
from dashboard.services.search_rerun import pick_best, rerun_rows, simulated_points
from dashboard.services.search_sim import simulator_available
from dashboard.state.scale_up_search import ScaleUpSearchInputs

PAGE = "scale_up_search"

HELP = {
    "en": r"""
**What it computes.** For the sidebar model, dtypes and hardware, every engine layout TP (× EP for MoE) with
DP replicas on at most *GPU budget* GPUs, every client concurrency per engine and every chunked-prefill budget,
priced by a **steady-state continuous-batching model** built from the shared cost model
(`dashboard/services/search_steady.py`):

- A request holds a slot for `n_c + O − 1` steps (`n_c = ceil(I / B)` chunk steps, then `O − 1` decodes), so with
  `C` clients `λ = C / (n_c + O − 1)` requests finish per step (capped by the budget: `λ ≤ floor(B/I) / n_c`; above
  the cap the extra clients **queue** for prefill).
- Each step carries `D = λ(O − 1)` decodes; a fraction `f = λ·n_c / k` of steps also carries a prefill chunk.
  Mean step `T̄ = f·t̄_chunk + (1 − f)·t_decode` — every `t` is `CostModel.step_time_s` of that exact step.
- **TPOT = T̄**, **TTFT = Σ chunk steps of one prompt (+ queue wait)**, throughput `= λ·O / T̄` per engine,
  ÷ `max(TP, EP)` per GPU. DP replicas are identical: one engine is priced and scaled.
- **Rejected** when it does not fit (memory model: weights + workspace + KV for `C` sequences of `I + O` tokens),
  or misses TTFT, TPOT, or tokens/s per user (`1000 / TPOT`).
- **Pareto frontier** (InferenceMAX): output tok/s per GPU vs tok/s per user over every configuration that fits.
- **Cost**: `$/GPU-hour ÷ 3600` per GPU-second, split between decode time (`t_decode / T̄`, output tokens) and
  prefill time (input tokens). **Energy**: output tok/s per GPU ÷ TDP.
- The analytic model is deterministic (uniform arrivals); the optional **simulator re-check** replays a closed-loop
  benchmark with the vLLM scheduler on the same cost model and shows both numbers.
""",
    "zh": r"""
**计算内容。** 对侧边栏选中的模型、数据类型和硬件，枚举不超过 *GPU 数量* 的所有引擎布局 TP（MoE 另含 EP）与 DP 副本、
每引擎客户端并发和 chunked prefill 预算，用基于共享成本模型的**稳态连续批处理模型**定价
（`dashboard/services/search_steady.py`）：

- 每个请求占用 `n_c + O − 1` 步（`n_c = ceil(I / B)` 个 chunk 步，再 `O − 1` 个 decode 步），`C` 个客户端时每步完成
  `λ = C / (n_c + O − 1)` 个请求（受预算限制 `λ ≤ floor(B/I) / n_c`，超过后多余的客户端**排队**等待 prefill）。
- 每步含 `D = λ(O − 1)` 个 decode；其中 `f = λ·n_c / k` 比例的步还带一个 prefill chunk。平均步时
  `T̄ = f·t̄_chunk + (1 − f)·t_decode`，每个 `t` 都是该步的 `CostModel.step_time_s`。
- **TPOT = T̄**，**TTFT = 一个 prompt 的全部 chunk 步（+ 排队）**，吞吐 `= λ·O / T̄`（每引擎），除以 `max(TP, EP)`
  得每卡吞吐。DP 副本相同：只计算一个引擎再放大。
- **拒绝**条件：显存不足（权重 + 工作区 + `C` 条 `I + O` token 序列的 KV），或 TTFT、TPOT、每用户 token/s 未达标。
- **Pareto 前沿**（InferenceMAX）：所有放得下的配置中，每卡输出吞吐与每用户 token/s 的前沿。
- **成本**：每 GPU 秒 `$/GPU 小时 ÷ 3600`，按 decode 时间占比（`t_decode / T̄`，输出 token）与 prefill 时间（输入 token）
  拆分。**能耗**：每卡输出 token/s ÷ TDP。
- 解析模型是确定性的（均匀到达）；可选的**模拟器复核**用 vLLM 调度器在同一成本模型上回放闭环压测，并列显示两者。
""",
}

TABLE_COLS = [
    "tp",
    "ep",
    "dp",
    "gpus",
    "concurrency",
    "concurrency_per_engine",
    "budget",
    "output_tok_s_per_gpu",
    "output_tok_s",
    "tps_per_user",
    "ttft_ms",
    "tpot_ms",
    "e2e_ms",
    "queue_ms",
    "saturated",
    "cost_per_m_output_usd",
    "cost_per_m_input_usd",
    "output_tok_per_joule",
    "max_sequences",
    "weights_gib_per_gpu",
]


def _frame(rows: list[dict[str, Any]], cols: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=cols)
    return df[[c for c in cols if c in df.columns]]


def render() -> None:
    ctx, _ = bootstrap(
        title="SLA search",
        header_description="Search TP × DP (× EP) × concurrency × chunked-prefill "
        "budget for the configurations that meet the SLA.",
        help_title="SLA search",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    inputs = PageInputs(ctx, PAGE, ScaleUpSearchInputs)
    st.subheader(t("sus.workload"))
    c1, c2, c3 = st.columns(3)
    inputs.number("gpus", t("sus.gpus"), step=1, container=c1)
    inputs.number("input_len", t("sus.input_len"), step=256, container=c2)
    inputs.number("output_len", t("sus.output_len"), step=64, container=c3)
    st.subheader(t("sus.sla"))
    s1, s2, s3 = st.columns(3)
    inputs.number("ttft_ms", t("sus.ttft_ms"), step=100.0, container=s1)
    inputs.number("tpot_ms", t("sus.tpot_ms"), step=5.0, container=s2)
    inputs.number("min_tps_per_user", t("sus.min_tps"), step=5.0, container=s3)
    with st.expander(t("sus.space")):
        e1, e2, e3 = st.columns(3)
        inputs.text("tp_values", t("sus.tp_values"), container=e1)
        inputs.text("concurrency", t("sus.concurrency"), container=e2)
        inputs.text("budgets", t("sus.budgets"), container=e3)
        e4, e5 = st.columns(2)
        inputs.select("dp_mode", t("sus.dp_mode"), ["max", "all"], format_func=lambda m: t(f"sus.dp_{m}"), container=e4)
        inputs.number("usd_per_gpu_hour", t("sus.usd"), step=0.25, container=e5)
    inputs.sync_query_params()
    v = inputs.values
    sla = SLA(v.ttft_ms or None, v.tpot_ms or None, v.min_tps_per_user or None)
    try:
        res = search_aggregated(
            ctx.model,
            ctx.hardware,
            v.gpus,
            Workload(v.input_len, v.output_len),
            sla,
            ctx.dtypes,
            SearchSpace(tp=v.tp_values, concurrency=v.concurrency, budgets=v.budgets, dp_mode=v.dp_mode),
            Economics(v.usd_per_gpu_hour),
        )
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    total = len(res.feasible) + len(res.rejected)
    b = res.best
    st.subheader(t("sus.best"))
    if b:
        st.markdown(f"**{t('sus.m_config')}:** {config_label(b)} ({b['gpus']} GPUs)")
        metrics_row(
            ctx,
            {
                t("sus.m_tps_gpu"): f"{b['output_tok_s_per_gpu']:,.0f}",
                t("sus.m_ttft"): f"{b['ttft_ms']:,.1f}",
                t("sus.m_tpot"): f"{b['tpot_ms']:.2f}",
                t("sus.m_tps_user"): f"{b['tps_per_user']:.1f}",
                t("sus.m_tps_total"): f"{b['output_tok_s']:,.0f}",
            },
        )
        metrics_row(
            ctx,
            {
                t("sus.m_cost_out"): f"{b['cost_per_m_output_usd']:.3f}" if b["cost_per_m_output_usd"] else "—",
                t("sus.m_cost_in"): f"{b['cost_per_m_input_usd']:.3f}" if b["cost_per_m_input_usd"] else "—",
                t("sus.m_tok_j"): f"{b['output_tok_per_joule']:.2f}",
                t("sus.m_feasible"): f"{len(res.feasible)} / {total}",
                t("sus.m_time"): f"{res.elapsed_s * 1e3:.0f}",
            },
        )
    else:
        st.warning(t("sus.none_feasible", gpus=v.gpus))
    priced_rej = [r for r in res.rejected if "output_tok_s_per_gpu" in r]
    points = {t("sus.series_feasible"): res.feasible, t("sus.series_rejected"): priced_rej}
    stored = ctx.session_state.results.get(f"{PAGE}.sim")
    if stored and stored.get("sig") == _sim_sig(ctx, inputs):  # the re-run's simulated figures beside them
        points[t("search.sim_series", engine=ctx.engine.name)] = simulated_points(stored["rows"])
    chart(  # the figure is built only while its expander is open
        ctx,
        lambda: pareto_chart(
            points,
            {t("sus.series_front"): res.pareto},
            min_tps_per_user=sla.min_tps_per_user,
            tpot_ms=sla.tpot_ms,
            title=t("sus.chart"),
            lang=ctx.lang,
        ),
        key="sus_pareto",
        title=t("sus.chart"),
    )

    st.subheader(t("sus.reasons"))
    summary = pd.DataFrame(reason_summary(res.rejected, t))
    if summary.empty:
        st.info(t("sus.no_rejections"))
    else:
        st.dataframe(localized_columns(summary, ctx.lang), hide_index=True, width="stretch", key="sus_reasons")

    st.subheader(t("sus.feasible_table"))
    feas = sorted(res.feasible, key=lambda r: -r["output_tok_s_per_gpu"])
    table(ctx, _frame(feas, TABLE_COLS), key="sus_feasible", file_name="sla_search_feasible.csv")
    with st.expander(t("sus.pareto_table")):
        pcols = ["tps_per_user", "output_tok_s_per_gpu", "feasible", *TABLE_COLS[:7], "ttft_ms", "tpot_ms"]
        table(ctx, _frame(res.pareto, pcols), key="sus_pareto_rows", file_name="sla_search_pareto.csv")
    with st.expander(t("sus.rejected_table")):
        rcols = ["reason", "reason_code", *TABLE_COLS[:7], "ttft_ms", "tpot_ms", "max_sequences"]
        table(ctx, _frame(res.rejected, rcols), key="sus_rejected", file_name="sla_search_rejected.csv")

    st.subheader(t("sus.sim"))
    sim_rows = _simulator_section(ctx, inputs, feas)
    json_download(
        ctx,
        {"inputs": res.inputs, "outputs": {**res.as_dict(), "simulator_check": sim_rows}},
        key="sus_json",
        file_name="sla_search.json",
    )


def _sim_sig(ctx: Any, inputs: PageInputs) -> str:
    """What a stored re-run depends on (page inputs, model, hardware, formats, engine)."""
    return repr((inputs.values, ctx.model.name, ctx.hardware.name, ctx.dtypes, ctx.session_state.settings.engine))


def _simulator_section(ctx: Any, inputs: PageInputs, feas: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    st, t = ctx.st, ctx.t
    if not simulator_available():
        st.info(t("sus.sim_missing"))
        return None
    v = inputs.values
    key = f"{PAGE}.sim"
    sig = _sim_sig(ctx, inputs)
    c1, c2, c3 = st.columns([1, 1, 2])
    inputs.number("sim_top", t("sus.sim_top"), step=1, container=c1)
    inputs.number("ttft_percentile", t("sus.sim_pct"), step=5.0, container=c2)
    v = inputs.values
    sla = SLA(v.ttft_ms or None, v.tpot_ms or None, v.min_tps_per_user or None, v.ttft_percentile)
    if c3.button(t("sus.sim_run"), key=f"{PAGE}__sim_run", disabled=not feas):
        with st.status(t("sus.sim_running")):
            try:
                rows = rerun_rows(
                    ctx.model,
                    ctx.hardware,
                    feas[: v.sim_top],
                    v.input_len,
                    v.output_len,
                    ctx.dtypes,
                    engine=ctx.engine,
                    percentile=min(v.ttft_percentile, 99.9),
                    sla=sla,
                )
            except ValueError as exc:
                st.error(t("common.invalid_input", error=exc))
                rows = []
        ctx.session_state.results[key] = {"sig": sig, "rows": rows}
    stored = ctx.session_state.results.get(key)
    if not stored or stored.get("sig") != sig:
        return None
    st.caption(t("search.sim_rerun", engine=ctx.engine.name, pct=f"{min(v.ttft_percentile, 99.9):g}"))
    best = pick_best(stored["rows"])
    if best:
        st.markdown(f"**{t('sus.m_config')}:** {config_label(best)}")
        metrics_row(
            ctx,
            {
                t("sus.m_tps_gpu"): f"{best['sim_output_tok_s_per_gpu']:,.0f}",
                "TTFT p50 / p90 / p99 (ms)": f"{best['ttft_ms_p50']:,.0f} / {best['ttft_ms_p90']:,.0f} / "
                f"{best['ttft_ms_p99']:,.0f}",
                "TPOT p90 (ms)": f"{best['tpot_ms_p90']:.2f}",
                "ITL p90 (ms)": f"{best['itl_ms_p90']:.2f}",
            },
        )
    cols = [
        "tp",
        "ep",
        "dp",
        "concurrency",
        "budget",
        "max_num_seqs",
        "max_num_batched_tokens",
        "ttft_ms",
        "ttft_ms_p50",
        "ttft_ms_p90",
        "ttft_ms_p99",
        "tpot_ms",
        "tpot_ms_p90",
        "itl_ms_p90",
        "output_tok_s_per_gpu",
        "sim_output_tok_s_per_gpu",
        "sim_meets_sla",
        "sim_reason",
        "sim_preemptions",
        "sim_error",
    ]
    table(ctx, _frame(stored["rows"], cols), key="sus_sim", file_name="sla_search_simulator.csv")
    return stored["rows"]


if __name__ == "__main__":
    render()
