"""InferenceMAX scenarios: an editable table of scenarios (TP/DP/batch/seq_len/output len/hardware),
all evaluated together, stacked comparison, total throughput and SLA statistics, CSV import/export."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dataclasses

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots
from dashboard.common.tables import jsonable
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, column_label, json_download, metrics_row, table
from dashboard.features.hardware import list_hardware_presets
from dashboard.features.params import describe, widget_bounds
from dashboard.services.search_inferencemax import (
    Scenario,
    editor_frame,
    evaluate_scenarios,
    frame_rows,
    scenarios_from_csv,
    scenarios_to_csv,
)
from dashboard.state.inferencemax_v2 import DEFAULT_SCENARIOS, InferenceMaxV2Inputs, ScenarioTable

PAGE = "inferencemax_v2"
TABLE_KEY = f"{PAGE}.table"  # ScenarioTable in session_state.pages
EDITOR_KEY = f"{PAGE}__scenarios"  # st.data_editor widget (its edit state)
UPLOAD_KEY = f"{PAGE}__upload"
SIDEBAR = "sidebar"

HELP = {
    "en": r"""
**What it computes.** Every row of the scenario table is one deployment: `dp` replicas of a TP-`tp` engine on a
hardware preset (or `sidebar` for the profile selected in the sidebar), each serving `batch` **concurrent** sequences
with **continuous batching** (a finished request is replaced by a new one): `seq_len` new prompt tokens after `kv_len`
cached tokens, then `output_len` generated tokens, with the sidebar model and dtypes. Per row, from the shared cost
model through the steady-state continuous-batching service (`dashboard/services/search_steady.py`, used by
`dashboard/services/search_inferencemax.py`):

- Prompts are chunked with the engine's token budget (vLLM's `max_num_batched_tokens` on that GPU) into steps that
  also carry the running decodes. **TTFT** = the prompt's own chunk steps (+ queueing when the budget saturates);
  **TPOT** = the mean step (decodes share steps with prompt chunks).
- **Throughput** = `dp` × the engine's output tokens/s in steady state; per GPU ÷ `tp · dp`. The static-batch
  figures (one prefill of the whole batch, then its decodes) are kept in the JSON as `static_*` for comparison.
- **SLA**: a row meets it when TTFT and TPOT are within the targets and the batch fits in memory.
- **Totals**: the sum of throughput over the evaluated rows, and over the rows meeting the SLA.

Rows are validated one by one: a bad row (empty or non-integer cell, unknown hardware, a TP the model cannot use)
is listed with its reason and skipped; the other rows are still evaluated and nothing is deleted. The table can be
exported and imported as CSV with the columns `name, hardware, tp, dp, batch, seq_len, output_len, kv_len`.
""",
    "zh": r"""
**计算内容。** 场景表的每一行是一个部署：`dp` 个 TP 为 `tp` 的引擎副本，运行在某个硬件预设上（填 `sidebar` 表示侧边栏
当前配置），每个副本以**连续批处理**服务 `batch` 条**并发**序列（请求完成后立即由新请求补上）：每条在已缓存 `kv_len`
个 token 后输入 `seq_len` 个 token，生成 `output_len` 个 token；模型与数据类型取自侧边栏。每行经稳态连续批处理服务
（`dashboard/services/search_steady.py`，由 `dashboard/services/search_inferencemax.py` 调用）由共享成本模型计算：

- Prompt 按引擎的 token 预算（该 GPU 上 vLLM 的 `max_num_batched_tokens`）切块，与正在 decode 的请求同步执行。
  **TTFT** = 该 prompt 自身的 chunk 步（预算饱和时加排队）；**TPOT** = 平均步时（decode 与 prompt chunk 共享步）。
- **吞吐** = `dp` × 引擎稳态输出 token/s；每卡吞吐再除以 `tp · dp`。静态批（整批一次 prefill 后再 decode）的数值
  以 `static_*` 保留在 JSON 中用于对比。
- **SLA**：TTFT 与 TPOT 均在目标内且批量放得进显存即为满足。
- **汇总**：所有已评估行的吞吐之和，以及满足 SLA 的行的吞吐之和。

逐行校验：无效行（空值或非整数、未知硬件、模型不支持的 TP）会列出原因并跳过，其余行照常评估，不会删除任何行。
场景表可导出/导入 CSV，列为 `name, hardware, tp, dp, batch, seq_len, output_len, kv_len`。
""",
}


def _table(ctx) -> ScenarioTable:
    tbl = ctx.session_state.pages.get(TABLE_KEY)
    if not isinstance(tbl, ScenarioTable):
        tbl = ScenarioTable()
        ctx.session_state.pages[TABLE_KEY] = tbl
    return tbl


def _set_table(ctx, tbl: ScenarioTable) -> None:
    ctx.session_state.pages[TABLE_KEY] = tbl


def render() -> None:
    ctx, _ = bootstrap(
        title="InferenceMAX scenarios",
        header_description="Many scenarios evaluated together: "
        "stacked comparison, total throughput and SLA statistics.",
        help_title="InferenceMAX scenarios",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    inputs = PageInputs(ctx, PAGE, InferenceMaxV2Inputs)
    c1, c2 = st.columns(2)
    inputs.number("ttft_ms", t("imx2.ttft_ms"), step=100.0, container=c1)
    inputs.number("tpot_ms", t("imx2.tpot_ms"), step=5.0, container=c2)
    inputs.sync_query_params()
    v = inputs.values
    tbl = _table(ctx)

    # CSV import: applied once per uploaded file, then the editor restarts from the imported rows
    up = st.file_uploader(t("imx2.import"), type=["csv"], key=UPLOAD_KEY)
    if up is not None:
        sig = f"{up.name}:{up.size}"
        if sig != tbl.upload_sig:
            try:
                rows = tuple(scenarios_from_csv(up.getvalue()))
                tbl = ScenarioTable(rows=rows, base=rows, upload_sig=sig, upload_error=None)
                st.session_state.pop(EDITOR_KEY, None)
                st.success(t("imx2.imported", n=len(rows), name=up.name))
            except ValueError as exc:
                tbl = dataclasses.replace(tbl, upload_sig=sig, upload_error=str(exc))
            _set_table(ctx, tbl)
    if tbl.upload_error:
        st.error(t("imx2.import_error", error=tbl.upload_error))
    if st.button(t("imx2.reset"), key=f"{PAGE}__reset"):
        rows = tuple(dict(r) for r in DEFAULT_SCENARIOS)
        tbl = ScenarioTable(rows=rows, base=rows, upload_sig=tbl.upload_sig)
        st.session_state.pop(EDITOR_KEY, None)
        _set_table(ctx, tbl)
    # back on the page (no editor state): continue from the rows last seen, not the old base
    if EDITOR_KEY not in st.session_state and tbl.base != tbl.rows:
        tbl = dataclasses.replace(tbl, base=tbl.rows)
        _set_table(ctx, tbl)

    st.subheader(t("imx2.table"))
    presets = list_hardware_presets()
    edited = st.data_editor(
        editor_frame(tbl.base),
        key=EDITOR_KEY,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn(column_label("name", ctx.lang)),
            "hardware": st.column_config.TextColumn(
                column_label("hardware", ctx.lang), help=t("imx2.hw_help", names=", ".join(presets))
            ),
            "tp": st.column_config.NumberColumn("tp", **widget_bounds(Scenario, "tp"), format="%d"),
            "dp": st.column_config.NumberColumn("dp", **widget_bounds(Scenario, "dp"), format="%d"),
            "batch": st.column_config.NumberColumn("batch", **widget_bounds(Scenario, "batch"), format="%d"),
            "seq_len": st.column_config.NumberColumn("seq_len", **widget_bounds(Scenario, "seq_len"), format="%d"),
            "output_len": st.column_config.NumberColumn(
                "output_len", **widget_bounds(Scenario, "output_len"), format="%d"
            ),
            "kv_len": st.column_config.NumberColumn("kv_len", **widget_bounds(Scenario, "kv_len"), format="%d"),
        },
    )
    rows = tuple(frame_rows(edited))
    if rows != tbl.rows:
        tbl = dataclasses.replace(tbl, rows=rows)
        _set_table(ctx, tbl)
    st.download_button(
        t("imx2.export"),
        scenarios_to_csv(rows),
        file_name="inferencemax_scenarios.csv",
        mime="text/csv",
        key=f"{PAGE}__export",
        on_click="ignore",
    )

    out = evaluate_scenarios(
        ctx.model,
        rows,
        ctx.dtypes,
        ttft_ms=v.ttft_ms or None,
        tpot_ms=v.tpot_ms or None,
        default_hardware=ctx.hardware.slug,
        hardware_override={SIDEBAR: ctx.hardware},
    )
    if out["errors"]:
        lines = [t("imx2.bad_row", row=i + 1, name=rows[i].get("name") or "—", error=e) for i, e in out["errors"]]
        st.warning(t("imx2.bad_rows", n=len(lines)) + "\n\n" + "\n".join(f"- {x}" for x in lines))
    res = out["results"]
    tot = out["totals"]
    if not res:
        st.info(t("imx2.none"))
        json_download(
            ctx,
            {"inputs": {"sla": v, "scenarios": rows}, "parameters": describe(v), "outputs": jsonable(out)},
            key=f"{PAGE}_json",
            file_name="inferencemax_scenarios.json",
        )
        return
    metrics_row(
        ctx,
        {
            t("imx2.m_total"): f"{tot['total_output_tok_s']:,.0f}",
            t("imx2.m_total_sla"): f"{tot['total_output_tok_s_meeting_sla']:,.0f}",
            t("imx2.m_meeting"): f"{tot['meeting_sla']} / {tot['evaluated']}",
            t("imx2.m_gpus"): f"{tot['total_gpus']:,}",
            t("imx2.m_best"): str(tot["best_per_gpu"]),
        },
    )
    over_ttft, over_tpot = tot["worst_ttft_over_sla"], tot["worst_tpot_over_sla"]
    metrics_row(
        ctx,
        {
            t("imx2.m_attainment"): f"{tot['sla_attainment']:.0%}",
            t("imx2.m_worst_ttft"): f"{over_ttft:.2f}×" if over_ttft is not None else f"{tot['worst_ttft_ms']:,.1f} ms",
            t("imx2.m_worst_tpot"): f"{over_tpot:.2f}×" if over_tpot is not None else f"{tot['worst_tpot_ms']:.2f} ms",
        },
    )
    labels = [f"{r['row'] + 1}. {r['name']}" for r in res]
    c1, c2 = st.columns(2)
    with c1:
        chart(
            ctx,
            lambda: plots.stacked_bars(
                labels,
                {t("imx2.s_prefill"): [r["ttft_ms"] for r in res], t("imx2.s_decode"): [r["decode_ms"] for r in res]},
                title=t("imx2.chart_e2e"),
                yaxis="ms",
            ),
            key="imx2_e2e",
            title=t("imx2.chart_e2e"),
        )
    with c2:
        colors = ["#2ca02c" if r["meets_sla"] else "#d62728" for r in res]
        chart(
            ctx,
            plots.bar_chart(
                labels,
                [r["output_tok_s_per_gpu"] for r in res],
                title=t("imx2.chart_tps"),
                yaxis="tok/s/GPU",
                colors=colors,
            ),
            key="imx2_tps",
        )
    st.subheader(t("imx2.results"))
    cols = [
        "row",
        "name",
        "hardware",
        "tp",
        "dp",
        "gpus",
        "batch",
        "seq_len",
        "output_len",
        "kv_len",
        "ttft_ms",
        "tpot_ms",
        "e2e_ms",
        "output_tok_s",
        "output_tok_s_per_gpu",
        "tps_per_user",
        "fits",
        "meets_sla",
        "sla_miss",
    ]
    df = pd.DataFrame(res)[cols]
    df["row"] = df["row"] + 1
    table(ctx, df, key="imx2_results", file_name="inferencemax_results.csv")
    json_download(
        ctx,
        {"inputs": {"sla": v, "scenarios": rows}, "parameters": describe(v), "outputs": jsonable(out)},
        key=f"{PAGE}_json",
        file_name="inferencemax_scenarios.json",
    )


if __name__ == "__main__":
    render()
