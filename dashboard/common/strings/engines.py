"""Strings of the serving-engine selector (sidebar) and the simulated-search columns."""

STRINGS = {
    "sidebar.engine": {"en": "Serving engine", "zh": "推理服务引擎"},
    "sidebar.engine_help": {
        "en": "Scheduler defaults per GPU, KV-memory rule, admission, async scheduling and serving overheads "
        "of this engine (dashboard/data/engines/*.json, each default with its cited source). Used by the "
        "simulator pages and the search re-run. A fitted profile <hardware>+<engine> (dashboard/data/profiles) "
        "also applies its fitted serving parameters to its own hardware and warns outside its fitted domain.",
        "zh": "该引擎按 GPU 的调度默认值、KV 显存规则、准入规则、异步调度与服务开销（dashboard/data/engines/*.json，"
        "每个默认值均注明出处）。模拟器页面与搜索复跑使用它。拟合配置 <硬件>+<引擎>（dashboard/data/profiles）"
        "还会在其本身的硬件上套用拟合的服务参数，并在拟合范围之外给出警告。",
    },
    "header.engine_fitted": {
        "en": "Engine profile **{name}**: {engine} rules, serving parameters fitted on {data}",
        "zh": "引擎配置 **{name}**：{engine} 规则，服务参数拟合自「{data}」",
    },
    "header.engine_not_applied": {
        "en": "Engine profile **{name}**: {engine} rules only (its fitted parameters need {base})",
        "zh": "引擎配置 **{name}**：仅用 {engine} 规则（其拟合参数只适用于 {base}）",
    },
    "header.out_of_domain": {
        "en": "Outside the fitted domain of {name}: {items}. The numbers extrapolate the fit.",
        "zh": "超出 {name} 的拟合范围：{items}。这些数字是对拟合结果的外推。",
    },
    "ui.engine_unrestorable": {
        "en": "The link names an engine that could not be restored ({error}); showing {name} instead.",
        "zh": "链接中的引擎无法恢复（{error}）；改为使用 {name}。",
    },
    "search.sim_series": {"en": "simulated ({engine}, p90)", "zh": "模拟（{engine}，p90）"},
    "search.sim_rerun": {
        "en": "Simulated ({engine}, Poisson at each configuration's rate): TTFT/TPOT percentiles beside the analytic "
        "estimate; the SLA is checked on p{pct}.",
        "zh": "模拟结果（{engine}，按各配置可持续速率的泊松到达）：TTFT/TPOT 分位数与解析估计并列；SLA 按 p{pct} 检查。",
    },
}
