"""Strings of the benchmark-results mode of the calibration page (``components/bench_calibration.py``)."""

STRINGS = {
    "bcal.mode": {"en": "Calibrate from", "zh": "校准数据来源"},
    "bcal.mode.steps": {"en": "measured step latencies", "zh": "实测 step 时延"},
    "bcal.mode.bench": {
        "en": "benchmark results (vLLM / AIPerf / scenario CSV)",
        "zh": "基准测试结果（vLLM / AIPerf / 场景 CSV）",
    },
    "bcal.upload": {
        "en": "Benchmark results: vllm bench serve --save-result JSON, AIPerf profile_export_aiperf.json "
        "or scenario CSV with measured columns",
        "zh": "基准测试结果：vllm bench serve --save-result JSON、AIPerf profile_export_aiperf.json 或带实测列的场景 CSV",
    },
    "bcal.hardware": {"en": "Base hardware", "zh": "基础硬件"},
    "bcal.engine": {"en": "Engine", "zh": "推理引擎"},
    "bcal.loo": {"en": "Leave-one-configuration-out (slower)", "zh": "留一配置验证（较慢）"},
    "bcal.none": {
        "en": "Upload one or more result files to fit an engine profile.",
        "zh": "上传一个或多个结果文件以拟合引擎配置。",
    },
    "bcal.run": {"en": "Run fit", "zh": "开始拟合"},
    "bcal.fitting": {"en": "Fitting serving parameters through the predictor…", "zh": "正在通过预测器拟合服务参数…"},
    "bcal.error": {"en": "Cannot fit: {error}", "zh": "无法拟合：{error}"},
    "bcal.rows_read": {"en": "{n} rows read ({m} with measurements).", "zh": "读取 {n} 行（其中 {m} 行有实测值）。"},
    "bcal.errors": {"en": "Error per measured column (MAPE %)", "zh": "各实测列误差（MAPE %）"},
    "bcal.params": {"en": "Fitted parameters (95 % CI)", "zh": "拟合参数（95% 置信区间）"},
    "bcal.residuals": {"en": "Predicted vs measured, per row", "zh": "逐行预测与实测对比"},
    "bcal.rows": {"en": "Rows", "zh": "逐行结果"},
    "bcal.download": {"en": "Download profile JSON", "zh": "下载配置 JSON"},
    "bcal.register": {"en": "Use in every page (sidebar hardware)", "zh": "在所有页面使用（侧边栏硬件）"},
    "bcal.registered": {
        "en": "Registered {name}: compute and memory scales act on every page; MoE and elementwise scales and "
        "per-request overheads only in bench-predict.",
        "zh": "已注册 {name}：算力与带宽缩放在所有页面生效；MoE 与逐元素缩放及单请求开销仅在 bench-predict 中生效。",
    },
    "bcal.col.fit": {"en": "fit", "zh": "拟合"},
    "bcal.col.loo": {"en": "held out", "zh": "留出"},
    "bcal.col.uncal": {"en": "uncalibrated", "zh": "未校准"},
    "bcal.help": {
        "en": "**Benchmark results mode.** Every uploaded row (a `vllm bench serve` run, an AIPerf run or a scenario "
        "row) is predicted by the same models as `modeling bench-predict`: `max` rows by the steady-state "
        "continuous-batching model, `rate`/`concurrency` rows by the scheduler simulator. The fit adjusts the "
        "engine's serving parameters — time scales of compute-bound, memory-bound and MoE-expert ops, the "
        "per-step host cost, the per-request overhead added to TTFT — by least squares on "
        "ln(predicted / measured). 95 % CIs from s²(JᵀJ)⁻¹; held-out error leaves one configuration "
        "(model × GPUs × TP × EP × dtype) out at a time. The profile records its domain; commands using "
        "it outside that domain warn next to the number.",
        "zh": "**基准测试结果模式。** 每个上传的行（一次 `vllm bench serve`、一次 AIPerf 运行或一行场景）都由与 "
        "`modeling bench-predict` 相同的模型预测：`max` 行用稳态连续批处理模型，`rate`/`concurrency` 行用调度模拟器。"
        "拟合调整引擎的服务参数——计算受限、访存受限和 MoE 专家算子的时间缩放、每步主机开销、计入 TTFT 的单请求开销——"
        "对 ln(预测/实测) 做最小二乘。95% 置信区间由 s²(JᵀJ)⁻¹ 给出；留出误差每次留出一个配置"
        "（模型 × GPU 数 × TP × EP × 精度）。配置记录其适用范围，超出范围使用时会在数值旁提示。",
    },
}
