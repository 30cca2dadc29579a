"""Strings of the serving-engine selector (sidebar) and the simulated-search columns."""

STRINGS = {
    "sidebar.engine": {"en": "Serving engine", "zh": "推理服务引擎"},
    "sidebar.engine_help": {
        "en": "Scheduler defaults per GPU, KV-memory rule, admission, async scheduling and serving overheads "
        "of this engine (dashboard/data/engines/*.json, each default with its cited source). Used by the "
        "simulator pages and the search re-run.",
        "zh": "该引擎按 GPU 的调度默认值、KV 显存规则、准入规则、异步调度与服务开销（dashboard/data/engines/*.json，"
        "每个默认值均注明出处）。模拟器页面与搜索复跑使用它。",
    },
    "search.sim_series": {"en": "simulated ({engine}, p90)", "zh": "模拟（{engine}，p90）"},
    "search.sim_rerun": {
        "en": "Simulated ({engine}, Poisson at each configuration's rate): TTFT/TPOT percentiles beside the analytic "
        "estimate; the SLA is checked on p{pct}.",
        "zh": "模拟结果（{engine}，按各配置可持续速率的泊松到达）：TTFT/TPOT 分位数与解析估计并列；SLA 按 p{pct} 检查。",
    },
}
