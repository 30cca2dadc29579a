"""Strings of the PD-disaggregated SLA search page."""

STRINGS = {
    "pd.title": {"en": "SLA search (PD disaggregated)", "zh": "SLA 搜索（PD 分离）"},
    "pd.description": {
        "en": "x prefill engines at TP_p and y decode engines at TP_d on one GPU budget: rate matching, KV "
        "transfer over the chosen link, the best x:y, and the best aggregated configuration beside it.",
        "zh": "在同一 GPU 预算内部署 x 个 TP_p 的 prefill 引擎与 y 个 TP_d 的 decode 引擎：速率匹配、"
        "所选链路上的 KV 传输、最佳 x:y，并与最佳合并部署对比。",
    },
    "pd.link": {"en": "KV transfer link", "zh": "KV 传输链路"},
    "pd.link_nvlink": {"en": "NVLink / scale-up ({gb:g} GB/s)", "zh": "NVLink / 节点内（{gb:g} GB/s）"},
    "pd.link_ib": {"en": "InfiniBand / RoCE ({gb:g} GB/s)", "zh": "InfiniBand / RoCE（{gb:g} GB/s）"},
    "pd.link_pcie": {"en": "PCIe ({gb:g} GB/s)", "zh": "PCIe（{gb:g} GB/s）"},
    "pd.best_pd": {"en": "Best disaggregated", "zh": "最佳 PD 分离"},
    "pd.best_agg": {"en": "Best aggregated (same GPUs)", "zh": "最佳合并部署（同样 GPU）"},
    "pd.none_pd": {"en": "No disaggregated combination meets the SLA.", "zh": "没有满足 SLA 的 PD 分离组合。"},
    "pd.none_agg": {"en": "No aggregated configuration meets the SLA.", "zh": "没有满足 SLA 的合并部署配置。"},
    "pd.m_layout": {"en": "x × P(TP_p) + y × D(TP_d)", "zh": "x × P(TP_p) + y × D(TP_d)"},
    "pd.m_prefill_util": {"en": "Prefill pool utilisation", "zh": "Prefill 池利用率"},
    "pd.m_decode_util": {"en": "Decode pool utilisation", "zh": "Decode 池利用率"},
    "pd.m_slack": {"en": "Rate-matching slack", "zh": "速率匹配余量"},
    "pd.m_kv_share": {"en": "KV transfer share of TTFT", "zh": "KV 传输占 TTFT 比例"},
    "pd.m_kv_ms": {"en": "KV transfer (ms)", "zh": "KV 传输（毫秒）"},
    "pd.m_speedup": {"en": "PD ÷ aggregated (tok/s/GPU)", "zh": "PD ÷ 合并（每卡吞吐）"},
    "pd.chart": {
        "en": "Disaggregated vs aggregated: output tok/s per GPU vs tok/s per user",
        "zh": "PD 分离 vs 合并：每卡输出吞吐 vs 每用户 token/s",
    },
    "pd.series_pd": {"en": "PD meets SLA", "zh": "PD 满足 SLA"},
    "pd.front_pd": {"en": "PD frontier", "zh": "PD 前沿"},
    "pd.front_agg": {"en": "aggregated frontier", "zh": "合并部署前沿"},
    "pd.ttft_chart": {"en": "TTFT breakdown of the best combinations (ms)", "zh": "最佳组合的 TTFT 构成（毫秒）"},
    "pd.c_prefill": {"en": "prefill", "zh": "prefill"},
    "pd.c_queue": {"en": "queue", "zh": "排队"},
    "pd.c_kv": {"en": "KV transfer", "zh": "KV 传输"},
    "pd.feasible_table": {
        "en": "Feasible (x, TP_p, y, TP_d) combinations (sortable)",
        "zh": "可行的 (x, TP_p, y, TP_d) 组合（可排序）",
    },
}
