"""Strings of the simulator sweep page."""

STRINGS = {
    "ssweep.time_model": {
        "en": "Step times: shared cost model on **{hw}** ({source}).",
        "zh": "步时：共享成本模型，硬件 **{hw}**（{source}）。",
    },
    "ssweep.workload": {"en": "Workload", "zh": "负载"},
    "ssweep.grid": {"en": "Sweep grid", "zh": "扫描网格"},
    "ssweep.sla": {"en": "SLA and execution", "zh": "SLA 与执行"},
    "ssweep.num_requests": {"en": "Requests per run", "zh": "每次运行的请求数"},
    "ssweep.input_len": {"en": "Mean prompt tokens", "zh": "平均输入 token"},
    "ssweep.output_len": {"en": "Mean output tokens", "zh": "平均输出 token"},
    "ssweep.spread": {"en": "Length spread", "zh": "长度离散度"},
    "ssweep.dists": {"en": "Length distributions", "zh": "长度分布"},
    "ssweep.budgets": {"en": "Token budgets / chunk sizes (comma list)", "zh": "Token 预算 / chunk 大小（逗号分隔）"},
    "ssweep.policies": {"en": "Scheduler policies", "zh": "调度策略"},
    "ssweep.load": {"en": "Load axis", "zh": "负载轴"},
    "ssweep.load.rate": {"en": "request rate (req/s, Poisson)", "zh": "请求速率（req/s，泊松）"},
    "ssweep.load.concurrency": {"en": "closed-loop concurrency", "zh": "闭环并发"},
    "ssweep.loads": {"en": "Load points (comma list)", "zh": "负载点（逗号分隔）"},
    "ssweep.seeds": {"en": "Seeds per point", "zh": "每点随机种子数"},
    "ssweep.max_seqs": {"en": "max_num_seqs", "zh": "max_num_seqs（最大并发序列）"},
    "ssweep.sla_ttft": {
        "en": "SLA TTFT targets (ms, comma list, 0 = none)",
        "zh": "SLA TTFT 目标（ms，逗号分隔，0 = 不限）",
    },
    "ssweep.sla_tpot": {
        "en": "SLA TPOT targets (ms, comma list, 0 = none)",
        "zh": "SLA TPOT 目标（ms，逗号分隔，0 = 不限）",
    },
    "ssweep.goodput_sla": {"en": "Goodput by SLA", "zh": "各 SLA 下的有效吞吐"},
    "ssweep.workers": {"en": "Worker processes (0 = all cores)", "zh": "工作进程数（0 = 全部核心）"},
    "ssweep.runs": {"en": "{n} simulations on {w} process(es)", "zh": "{n} 次模拟，{w} 个进程"},
    "ssweep.progress": {"en": "Simulating {done}/{total}…", "zh": "正在模拟 {done}/{total}…"},
    "ssweep.table": {
        "en": "Statistics (mean over seeds, [min – max] spread)",
        "zh": "统计（种子均值，[最小 – 最大] 范围）",
    },
    "ssweep.raw": {"en": "Every run (all seeds)", "zh": "全部运行（所有种子）"},
    "ssweep.latency": {"en": "Latency percentiles vs load", "zh": "延迟分位数随负载变化"},
    "ssweep.util": {"en": "Utilisation trends", "zh": "利用率趋势"},
    "ssweep.errors": {"en": "{n} runs could not be simulated: {first}", "zh": "{n} 次运行无法模拟：{first}"},
    "ssweep.m.best": {"en": "Best goodput (req/s)", "zh": "最佳有效吞吐（req/s）"},
    "ssweep.m.best_cfg": {"en": "at", "zh": "配置"},
    "ssweep.m.max_tps": {"en": "Max output tok/s", "zh": "最大输出 tok/s"},
    "ssweep.m.runs": {"en": "Runs", "zh": "运行次数"},
    "ssweep.sat.one": {
        "en": "budget {budget}: ≈ {rate} req/s (knee at concurrency {knee})",
        "zh": "预算 {budget}：约 {rate} req/s（拐点并发 {knee}）",
    },
    "ssweep.sat.note": {
        "en": "Saturation per engine (cost-model steady state): {parts}. Each point runs max({n}, {k} × in-flight) "
        "requests; warm-up and drain are excluded from the statistics (see the help).",
        "zh": "单引擎饱和点（成本模型稳态）：{parts}。每个点运行 max({n}, {k} × 在途请求数) 个请求；统计排除预热与收尾（见帮助）。",
    },
    "ssweep.sat.mark": {"en": "saturation (budget {budget})", "zh": "饱和速率（预算 {budget}）"},
    "ssweep.sat.knee": {"en": "knee (budget {budget})", "zh": "拐点（预算 {budget}）"},
}
