"""Strings of the attention-vs-head_dim page."""

STRINGS = {
    "attn.sweep_mode": {"en": "Sweep", "zh": "扫描方式"},
    "attn.mode.head_dim": {"en": "head_dim (head count fixed)", "zh": "head_dim（头数固定）"},
    "attn.mode.heads_fixed_hidden": {"en": "heads = hidden / head_dim", "zh": "头数 = hidden / head_dim"},
    "attn.head_dims": {"en": "head_dim values", "zh": "head_dim 取值"},
    "attn.num_heads": {"en": "Query heads", "zh": "Query 头数"},
    "attn.hidden": {"en": "Hidden size (H·d)", "zh": "隐藏维度（H·d）"},
    "attn.gqa_group": {"en": "Query heads per KV head", "zh": "每个 KV 头对应的 Query 头数"},
    "attn.batch": {"en": "Batch", "zh": "批量"},
    "attn.seq_len": {"en": "Sequence length (queries)", "zh": "序列长度（query）"},
    "attn.prefix_len": {"en": "Cached prefix (extra keys)", "zh": "已缓存前缀（额外 key）"},
    "attn.causal": {"en": "Causal mask", "zh": "因果掩码"},
    "attn.block_m": {"en": "Br (query rows per tile)", "zh": "`Br`（每 tile 的 query 行）"},
    "attn.block_n": {"en": "Bc (key columns per tile)", "zh": "`Bc`（每 tile 的 key 列）"},
    "attn.advanced": {"en": "Format, clock, overlap and FLOPs overrides", "zh": "数据格式、频率、重叠与 FLOPs 覆写"},
    "attn.dtype": {"en": "Q/K/V format", "zh": "Q/K/V 格式"},
    "attn.overlap": {"en": "Softmax/GEMM overlap φ", "zh": "Softmax/GEMM 重叠系数 φ"},
    "attn.clock": {"en": "SM clock MHz (0 = profile boost)", "zh": "SM 频率 MHz（0 = 配置的加速频率）"},
    "attn.fp32": {"en": "FP32 ops/clk/SM (if the profile has none)", "zh": "FP32 ops/clk/SM（配置缺省时）"},
    "attn.focus": {"en": "Detail head_dim", "zh": "明细 head_dim"},
    "attn.override": {
        "en": "Override {name} at the detail head_dim (0 = model)",
        "zh": "覆写明细 head_dim 下的 {name}（0 = 使用模型）",
    },
    "attn.rates": {
        "en": "Rates of **{hw}** at {clock:.0f} MHz: tensor {tensor:.1f} TFLOP/s ({dtype}), SFU {sfu:.2f} T exp/s, "
        "FP32 {fp32:.1f} T op/s, shared memory {smem:.1f} TB/s, HBM {hbm:.2f} TB/s.",
        "zh": "**{hw}** 在 {clock:.0f} MHz 下的速率：Tensor {tensor:.1f} TFLOP/s（{dtype}），SFU {sfu:.2f} T exp/s，"
        "FP32 {fp32:.1f} T op/s，共享内存 {smem:.1f} TB/s，HBM {hbm:.2f} TB/s。",
    },
    "attn.no_microarch": {
        "en": "This page needs per-SM rates from the hardware profile. {error}",
        "zh": "本页需要硬件配置中的每 SM 速率。{error}",
    },
    "attn.hot": {
        "en": "Hot stage at head_dim {d}: **{name}** — {time:.1f} µs, {share:.0%} of the kernel time. "
        "Binding unit: **{unit}**.",
        "zh": "head_dim {d} 的热点阶段：**{name}** —— {time:.1f} µs，占 kernel 时间的 {share:.0%}。约束单元：**{unit}**。",
    },
    "attn.smem_warning": {
        "en": "Tile Br={bm}, Bc={bn} needs {need:.0f} KiB of shared memory per CTA at head_dim {d} "
        "(SM has {have:.0f} KiB): FA3 would pick smaller tiles there.",
        "zh": "`Br={bm}`、`Bc={bn}` 的 tile 在 head_dim {d} 下每个 CTA 需要 {need:.0f} KiB 共享内存"
        "（SM 只有 {have:.0f} KiB）：FA3 在此会选用更小的 tile。",
    },
    "attn.binding.tensor": {"en": "tensor cores (Q·Kᵀ + P·V)", "zh": "Tensor Core（Q·Kᵀ + P·V）"},
    "attn.binding.softmax": {"en": "softmax (SFU + FP32)", "zh": "softmax（SFU + FP32）"},
    "attn.binding.loads": {"en": "tile loads (SMEM / HBM)", "zh": "tile 加载（SMEM / HBM）"},
    "attn.skipped": {"en": "Skipped: {notes}", "zh": "已跳过：{notes}"},
    "attn.m.time": {"en": "Kernel time (µs)", "zh": "Kernel 耗时（µs）"},
    "attn.m.tflops": {"en": "Effective TFLOP/s", "zh": "有效 TFLOP/s"},
    "attn.m.waste": {"en": "Causal tile waste", "zh": "因果 tile 浪费"},
    "attn.m.ai": {"en": "Tensor FLOP / SMEM byte", "zh": "Tensor FLOP / SMEM 字节"},
    "attn.m.smem": {"en": "SMEM per CTA (KiB)", "zh": "每 CTA 共享内存（KiB）"},
    "attn.detail": {
        "en": "Components at head_dim {d} (H = {h}, KV heads = {hkv})",
        "zh": "head_dim {d} 的组件明细（H = {h}，KV 头 = {hkv}）",
    },
    "attn.sweep": {"en": "Sweep", "zh": "扫描结果"},
    "attn.chart_time": {"en": "Component time (µs) vs head_dim", "zh": "各组件耗时（µs）随 head_dim 变化"},
    "attn.chart_ops": {
        "en": "Component work vs head_dim (FLOPs / exp / ops / SMEM bytes)",
        "zh": "各组件工作量随 head_dim 变化（FLOPs / exp / 运算数 / SMEM 字节）",
    },
    "attn.chart_tflops": {"en": "Effective TFLOP/s vs head_dim", "zh": "有效 TFLOP/s 随 head_dim 变化"},
    "attn.reference": {
        "en": "Check against the H200 measurements (causal SDPA prefill)",
        "zh": "与 H200 实测对比（因果 SDPA prefill）",
    },
    "attn.reference_note": {
        "en": "Model at this page's Br/Bc, φ and clock for every measured shape (Bc = 80 for head_dim 256, as FA3). "
        "cuDNN is a FA3-class Hopper kernel; PyTorch's `flash` backend is FlashAttention-2 (no warp "
        "specialisation), so the model over-predicts it. Short sequences are dominated by fixed costs the "
        "component model leaves out.",
        "zh": "对每个实测形状按本页的 `Br`/`Bc`、φ 与频率计算模型（head_dim 256 时 `Bc = 80`，与 FA3 一致）。cuDNN 是 FA3 级别的 "
        "Hopper kernel；PyTorch 的 `flash` 后端是 FlashAttention-2（无 warp 特化），模型会高估它。短序列主要是"
        "固定开销，组件模型未计入。",
    },
    "attn.sbs": {"en": "The same attention call three ways", "zh": "同一次 attention 调用的三种数值"},
    "attn.sbs.ideal": {"en": "Component model (TFLOP/s)", "zh": "分项模型（TFLOP/s）"},
    "attn.sbs.cm": {"en": "Shared cost model (TFLOP/s)", "zh": "共享成本模型（TFLOP/s）"},
    "attn.sbs.measured": {"en": "Measured, {ref} {backend} (TFLOP/s)", "zh": "实测，{ref} {backend}（TFLOP/s）"},
    "attn.sbs.note": {
        "en": "Effective TFLOP/s (useful causal FLOPs ÷ time) of the focus shape. The component model above is an "
        "ideal FlashAttention-3-style kernel (each unit at its peak rate, overlap as set); the shared cost model "
        "(features/cost_model.py, the figure every other page uses) prices the same call as max(FLOPs ÷ (peak · "
        "η_attn(FLOPs per call)), bytes ÷ (HBM · η_mem)) + launch overhead, with the profile's fitted attention "
        "efficiency curve (here {bound}-bound); the measured figure is the fastest backend of the profile's "
        "reference set for exactly this shape.",
        "zh": "焦点形状的有效 TFLOP/s（有效因果 FLOPs ÷ 时间）。上方分项模型是理想的 FlashAttention-3 式 kernel（各单元以峰值"
        "速率运行，重叠按设置）；共享成本模型（features/cost_model.py，其他页面都用它）对同一调用按 max(FLOPs ÷ (峰值 · "
        "η_attn(每次调用 FLOPs)), 字节 ÷ (HBM · η_mem)) + 启动开销计价，使用该配置拟合的 attention 效率曲线（此处为{bound}受限）；"
        "实测值取该配置参考数据中这一形状最快的后端。",
    },
    "attn.sbs.no_measured": {
        "en": "No measurement of exactly this shape (the H200 set: batch 1, 32 query / 8 KV heads, bf16, causal, "
        "no prefix).",
        "zh": "没有这一形状的实测数据（H200 数据集：batch 1，32 个 query / 8 个 KV head，bf16，因果，无前缀）。",
    },
    "attn.sbs.bound.compute": {"en": "compute", "zh": "算力"},
    "attn.sbs.bound.memory": {"en": "memory", "zh": "显存带宽"},
    "attn.sbs.cm_series": {"en": "Shared cost model", "zh": "共享成本模型"},
    "attn.sbs.meas_series": {"en": "Measured (best backend)", "zh": "实测（最快后端）"},
}
