"""Strings of chart titles, axes, legend entries and annotations built by the shared figure
builders (``dashboard/common/plots*.py``), and of values shown in tables/options (issue 14 §4)."""

STRINGS = {
    # roofline bound of an op (cost model ``Op.bound``)
    "bound.compute": {"en": "compute", "zh": "计算受限"},
    "bound.memory": {"en": "memory", "zh": "访存受限"},
    "bound.comm": {"en": "comm", "zh": "通信"},
    # overlap timeline / memory stack (plots_estimation)
    "fig.lane.compute": {"en": "compute", "zh": "计算"},
    "fig.lane.comm": {"en": "comm", "zh": "通信"},
    "fig.time_axis": {"en": "time ({unit})", "zh": "时间（{unit}）"},
    "fig.hover_overhead": {"en": "step overhead", "zh": "单步开销"},
    "fig.hover_layer": {"en": "layer {layer}: {kind}", "zh": "第 {layer} 层：{kind}"},
    "fig.hover_start": {"en": "start", "zh": "开始"},
    "fig.gib_per_gpu": {"en": "GiB per GPU", "zh": "每卡 GiB"},
    "fig.per_gpu": {"en": "per GPU", "zh": "每卡"},
    "fig.usable_gib": {"en": "usable {gib:.1f} GiB", "zh": "可用 {gib:.1f} GiB"},
    "fig.share": {"en": "share", "zh": "占比"},
    # kernel pages (plots_kernels)
    "fig.kernel_total": {"en": "kernel total", "zh": "kernel 总计"},
    "fig.model": {"en": "model", "zh": "模型"},
    "fig.tensor_peak": {"en": "tensor peak {peak:.0f}", "zh": "Tensor Core 峰值 {peak:.0f}"},
    "fig.saturated_line": {"en": "1 = saturated", "zh": "1 = 饱和"},
    "fig.demand_available": {"en": "demand / available", "zh": "需求 / 可用"},
    "fig.model_vs_measured": {"en": "Model vs measured (TFLOP/s)", "zh": "模型与实测对比（TFLOP/s）"},
    "fig.measured_tflops": {"en": "measured TFLOP/s", "zh": "实测 TFLOP/s"},
    "fig.model_tflops": {"en": "model TFLOP/s", "zh": "模型 TFLOP/s"},
    "fig.count": {"en": "count", "zh": "次数"},
    "fig.effective_tflops": {"en": "effective TFLOP/s", "zh": "有效 TFLOP/s"},
    # simulator step timeline / latency CDF (plots_sim)
    "fig.tl.prefill": {"en": "prefill tokens", "zh": "prefill token 数"},
    "fig.tl.decode": {"en": "decode tokens", "zh": "decode token 数"},
    "fig.tl.running": {"en": "running", "zh": "运行中"},
    "fig.tl.waiting": {"en": "waiting", "zh": "等待中"},
    "fig.tl.kv": {"en": "KV usage %", "zh": "KV 占用 %"},
    "fig.tl.time": {"en": "simulated time (s)", "zh": "模拟时间（s）"},
    "fig.tl.step_ms": {"en": "step time (ms)", "zh": "单步耗时（ms）"},
    "fig.tl.seqs": {"en": "seqs", "zh": "序列数"},
    "fig.pct_requests": {"en": "% of requests", "zh": "请求占比 %"},
    # sweeps and searches
    "fig.concurrency": {"en": "concurrency", "zh": "并发"},
    "fig.output_tok_s": {"en": "output tok/s", "zh": "输出 tok/s"},
    "fig.hbm_bw_pct": {"en": "HBM bandwidth (%)", "zh": "HBM 带宽利用率（%）"},
    # op categories (services.estimation.OP_CATEGORIES)
    "opcat.attention core": {"en": "attention core", "zh": "attention 核心"},
    "opcat.attention projections": {"en": "attention projections", "zh": "attention 投影"},
    "opcat.MLP / experts": {"en": "MLP / experts", "zh": "MLP / 专家"},
    "opcat.lm_head": {"en": "lm_head", "zh": "lm_head"},
    "opcat.elementwise": {"en": "elementwise", "zh": "逐元素"},
    "opcat.communication": {"en": "communication", "zh": "通信"},
}
