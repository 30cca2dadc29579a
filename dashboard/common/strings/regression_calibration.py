"""Strings of the calibration page (``dashboard/regression_calibration.py``)."""

STRINGS = {
    "cal.title": {"en": "Calibration", "zh": "回归校准"},
    "cal.description": {
        "en": "Fit the hardware profile's efficiencies to measured step latencies, so every page's estimate "
        "matches the real machine.",
        "zh": "用实测的 step 时延拟合硬件配置中的效率参数，使各页面的估算贴近真机。",
    },
    "cal.upload": {"en": "Measured steps and kernel sweeps (CSV/TSV)", "zh": "实测 step 与 kernel 扫描数据（CSV/TSV）"},
    "cal.upload_help": {
        "en": "Step files: model, hardware, tp, dtype, prefill_seqs, prefill_len, prefix_len, decode_seqs, "
        "decode_context, latency_ms. Kernel sweeps (gemm / attention_prefill / attention_decode) are "
        "recognised by their columns.",
        "zh": "Step 文件列：`model, hardware, tp, dtype, prefill_seqs, prefill_len, prefix_len, decode_seqs, "
        "decode_context, latency_ms`。Kernel 扫描文件（gemm / attention_prefill / attention_decode）按列名识别。",
    },
    "cal.using_default": {
        "en": "No file uploaded: using the shipped H200 measurements ({data}).",
        "zh": "未上传文件：使用内置的 H200 实测数据（{data}）。",
    },
    "cal.method": {"en": "Regression model", "zh": "回归模型"},
    "cal.method.curves": {
        "en": "curves: sweep efficiency curves + physical fit",
        "zh": "效率曲线：扫描效率曲线 + 物理参数拟合",
    },
    "cal.method.derate": {
        "en": "derate: compute & memory factors + overheads",
        "zh": "折减：算力/带宽折减系数 + 固定开销",
    },
    "cal.method.linear": {"en": "linear: t = a + b·FLOPs + c·bytes", "zh": "线性：t = a + b·FLOPs + c·字节数"},
    "cal.baseline": {"en": "Baseline hardware", "zh": "基线硬件"},
    "cal.reference_sweeps": {
        "en": "Use shipped H200 kernel sweeps if none uploaded",
        "zh": "未上传扫描数据时使用内置 H200 kernel 扫描",
    },
    "cal.loo": {"en": "Leave-one-out error (one refit per row)", "zh": "留一法误差（每行重拟合一次）"},
    "cal.models": {
        "en": "Model names → presets (NAME=PRESET, NAME2=sidebar)",
        "zh": "模型名映射（`NAME=预设`，`NAME2=sidebar`）",
    },
    "cal.models_help": {
        "en": "Map names of the file's model column that are not presets; 'sidebar' uses the model currently "
        "selected or uploaded in the sidebar.",
        "zh": "为文件 `model` 列中不是预设的名称指定模型；`sidebar` 表示侧边栏当前选择或上传的模型。",
    },
    "cal.fitting": {"en": "Fitting…", "zh": "拟合中…"},
    "cal.error": {"en": "Cannot calibrate: {error}", "zh": "无法校准：{error}"},
    "cal.kept": {
        "en": "Showing the last good fit ({data}, method {method}).",
        "zh": "显示上一次成功的拟合（{data}，方法 {method}）。",
    },
    "cal.no_fit": {"en": "No fit yet.", "zh": "尚无拟合结果。"},
    "cal.m.mape": {"en": "MAPE (calibrated)", "zh": "MAPE（校准后）"},
    "cal.m.loo": {"en": "Leave-one-out MAPE", "zh": "留一法 MAPE"},
    "cal.m.worst": {"en": "Worst error", "zh": "最大误差"},
    "cal.m.spec_help": {"en": "worst {worst:.1%}, R² {r2:.4f}", "zh": "最大误差 {worst:.1%}，R² {r2:.4f}"},
    "cal.m.r2": {"en": "R²", "zh": "R²"},
    "cal.m.spec": {"en": "MAPE (spec-sheet profile)", "zh": "MAPE（规格表配置）"},
    "cal.by_phase": {"en": "MAPE by phase —", "zh": "分阶段 MAPE —"},
    "cal.factors": {"en": "Fitted factors (95 % confidence intervals)", "zh": "拟合系数（95% 置信区间）"},
    "cal.suggested": {"en": "Figures to quote", "zh": "建议引用的指标"},
    "cal.suggested_text": {
        "en": "- GEMM: **{gemm_tflops:.0f} TFLOP/s** sustained at large M (**{gemm_mfu:.0%}** of the dense peak)\n"
        "- HBM: **{hbm_tb_s:.2f} TB/s** ({hbm_efficiency:.0%} of the datasheet)\n"
        "{extra}",
        "zh": "- GEMM：大 M 下持续 **{gemm_tflops:.0f} TFLOP/s**（稠密峰值的 **{gemm_mfu:.0%}**）\n"
        "- HBM：**{hbm_tb_s:.2f} TB/s**（规格值的 {hbm_efficiency:.0%}）\n"
        "{extra}",
    },
    "cal.suggested_prefill": {
        "en": "- Whole prefill steps reached up to **{v:.0%} MFU** (median {m:.0%})\n",
        "zh": "- 整个 prefill step 最高达到 **{v:.0%} MFU**（中位数 {m:.0%}）\n",
    },
    "cal.suggested_decode": {
        "en": "- Decode steps moved up to **{v:.2f} TB/s** of HBM traffic (median {m:.2f})\n",
        "zh": "- Decode step 的 HBM 流量最高 **{v:.2f} TB/s**（中位数 {m:.2f}）\n",
    },
    "cal.scatter": {"en": "Predicted vs measured step latency", "zh": "预测与实测 step 时延"},
    "cal.residuals": {"en": "Relative error by step", "zh": "各 step 的相对误差"},
    "cal.rows": {"en": "Per-step predictions", "zh": "逐 step 预测"},
    "cal.register": {"en": "Use this profile in every page", "zh": "在所有页面使用该配置"},
    "cal.registered": {
        "en": "Registered and selected '{name}' in the sidebar.",
        "zh": "已在侧边栏注册并选中“{name}”。",
    },
    "cal.download": {"en": "Download calibrated profile (JSON)", "zh": "下载校准后的硬件配置（JSON）"},
    "cal.notes": {"en": "Notes", "zh": "说明"},
    "cal.profile_source": {"en": "Profile: {name} — {source}", "zh": "配置：{name} — {source}"},
}
