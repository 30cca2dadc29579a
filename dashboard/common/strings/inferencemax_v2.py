"""Strings of the InferenceMAX scenario-table page."""

STRINGS = {
    "imx2.description": {
        "en": "Edit the scenario table (add or delete rows); every valid row is evaluated, bad rows are flagged "
        "and kept.",
        "zh": "编辑场景表（可增删行）；所有有效行都会被评估，无效行会被标出并保留。",
    },
    "imx2.ttft_ms": {"en": "SLA: TTFT ≤ (ms, 0 = none)", "zh": "SLA：TTFT ≤（毫秒，0 表示不限）"},
    "imx2.tpot_ms": {"en": "SLA: TPOT ≤ (ms, 0 = none)", "zh": "SLA：TPOT ≤（毫秒，0 表示不限）"},
    "imx2.table": {"en": "Scenarios", "zh": "场景"},
    "imx2.hw_help": {
        "en": "Hardware preset (slug or alias), or 'sidebar' for the profile selected in the sidebar: {names}",
        "zh": "硬件预设（名称或别名），或填 `sidebar` 使用侧边栏当前配置：{names}",
    },
    "imx2.import": {"en": "Import scenarios (CSV)", "zh": "导入场景（CSV）"},
    "imx2.export": {"en": "Export scenarios (CSV)", "zh": "导出场景（CSV）"},
    "imx2.reset": {"en": "Reset to the example scenarios", "zh": "恢复示例场景"},
    "imx2.imported": {"en": "Imported {n} scenarios from {name}.", "zh": "已从 {name} 导入 {n} 个场景。"},
    "imx2.import_error": {"en": "Import failed: {error}", "zh": "导入失败：{error}"},
    "imx2.bad_rows": {"en": "{n} row(s) not evaluated:", "zh": "{n} 行未能评估："},
    "imx2.bad_row": {"en": "row {row} ({name}): {error}", "zh": "第 {row} 行（{name}）：{error}"},
    "imx2.m_total": {"en": "Total output tok/s", "zh": "总输出 token/s"},
    "imx2.m_total_sla": {"en": "Output tok/s meeting SLA", "zh": "满足 SLA 的输出 token/s"},
    "imx2.m_meeting": {"en": "Scenarios meeting SLA", "zh": "满足 SLA 的场景"},
    "imx2.m_gpus": {"en": "GPUs (evaluated rows)", "zh": "GPU 数（已评估行）"},
    "imx2.m_best": {"en": "Best tok/s per GPU", "zh": "每卡吞吐最佳"},
    "imx2.m_attainment": {"en": "SLA attainment", "zh": "SLA 达成率"},
    "imx2.m_worst_ttft": {"en": "Worst TTFT ÷ target", "zh": "最差 TTFT ÷ 目标"},
    "imx2.m_worst_tpot": {"en": "Worst TPOT ÷ target", "zh": "最差 TPOT ÷ 目标"},
    "imx2.chart_e2e": {"en": "Request latency by stage (ms)", "zh": "按阶段划分的请求时延（毫秒）"},
    "imx2.chart_tps": {"en": "Output tok/s per GPU", "zh": "每卡输出 token/s"},
    "imx2.s_prefill": {"en": "prefill (TTFT)", "zh": "prefill（TTFT）"},
    "imx2.s_decode": {"en": "decode", "zh": "decode"},
    "imx2.results": {"en": "Results (sortable)", "zh": "结果（可排序）"},
    "imx2.none": {"en": "No valid scenario to evaluate.", "zh": "没有可评估的有效场景。"},
}
