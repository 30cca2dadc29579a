"""Strings of the MMA / GEMM tile modeler page."""

STRINGS = {
    "mma.shape": {"en": "Weight shape (N, K)", "zh": "权重形状（N, K）"},
    "mma.shape_custom": {"en": "custom", "zh": "自定义"},
    "mma.shape_from": {
        "en": "N = {n:,}, K = {k:,} from the measured shape `{label}`.",
        "zh": "N = {n:,}、K = {k:,} 取自实测形状 `{label}`。",
    },
    "mma.m": {"en": "M (rows / tokens)", "zh": "M（行 / token 数）"},
    "mma.n": {"en": "N (output features)", "zh": "N（输出维度）"},
    "mma.k": {"en": "K (reduction)", "zh": "K（归约维度）"},
    "mma.dtype": {"en": "Input format", "zh": "输入格式"},
    "mma.out_bytes": {"en": "Output bytes / element", "zh": "输出字节 / 元素"},
    "mma.tiles": {"en": "Tiles", "zh": "Tile 设置"},
    "mma.block_m": {"en": "CTA tile M", "zh": "CTA tile M"},
    "mma.block_n": {"en": "CTA tile N", "zh": "CTA tile N"},
    "mma.block_k": {"en": "CTA tile K", "zh": "CTA tile K"},
    "mma.wg_m": {"en": "Warp-group tile M", "zh": "warpgroup tile M"},
    "mma.wg_n": {"en": "Warp-group tile N", "zh": "warpgroup tile N"},
    # memory levels / the bottleneck (features.mma.LEVELS; the English keeps the identifiers)
    "mma.level.registers": {"en": "registers", "zh": "寄存器"},
    "mma.level.shared_memory": {"en": "shared_memory", "zh": "共享内存"},
    "mma.level.l2": {"en": "l2", "zh": "L2"},
    "mma.level.hbm": {"en": "hbm", "zh": "HBM"},
    "mma.level.compute": {"en": "compute", "zh": "计算"},
    "mma.stages": {"en": "SMEM pipeline stages", "zh": "SMEM 流水级数"},
    "mma.split_k": {"en": "Split-K (0 = auto)", "zh": "Split-K（0 = 自动）"},
    "mma.memory": {"en": "Caches and bandwidth caps", "zh": "缓存与带宽上限"},
    "mma.l2_hit": {"en": "L2 hit rate", "zh": "L2 命中率"},
    "mma.hbm": {"en": "HBM GB/s (0 = profile)", "zh": "HBM GB/s（0 = 配置值）"},
    "mma.l2": {"en": "L2 GB/s (0 = profile; none → not a limit)", "zh": "L2 GB/s（0 = 配置值；缺省则不限）"},
    "mma.smem": {"en": "SMEM bytes/clk/SM (0 = profile)", "zh": "SMEM 字节/clk/SM（0 = 配置值）"},
    "mma.reg": {"en": "Register-file bytes/clk/SM", "zh": "寄存器堆 字节/clk/SM"},
    "mma.clock": {"en": "SM clock MHz (0 = profile boost)", "zh": "SM 频率 MHz（0 = 配置加速频率）"},
    "mma.overhead": {"en": "Add the profile's per-kernel overhead", "zh": "计入配置中的单 kernel 开销"},
    "mma.sweep_dim": {"en": "Sweep dimension", "zh": "扫描维度"},
    "mma.sweep_values": {"en": "Sweep values", "zh": "扫描取值"},
    "mma.caps": {
        "en": "**{hw}** at {clock:.0f} MHz: tensor peak {peak:.0f} TFLOP/s ({dtype}); per SM per clock — registers "
        "{reg:.0f} B, shared memory {smem:.0f} B, L2 {l2}, HBM {hbm:.1f} B; {smem_kib:.0f} KiB SMEM per SM.",
        "zh": "**{hw}** 在 {clock:.0f} MHz：Tensor 峰值 {peak:.0f} TFLOP/s（{dtype}）；每 SM 每周期 —— 寄存器 {reg:.0f} B，"
        "共享内存 {smem:.0f} B，L2 {l2}，HBM {hbm:.1f} B；每 SM 共享内存 {smem_kib:.0f} KiB。",
    },
    "mma.l2_none": {"en": "not in the profile (not a limit)", "zh": "配置未提供（不作为限制）"},
    "mma.bottleneck": {
        "en": "Bottleneck: **{level}** — {time:.1f} µs of {total:.1f} µs; {tiles:,} CTA tiles in {waves:,} waves "
        "({eff:.0%} wave efficiency), split-K {split}.",
        "zh": "瓶颈：**{level}** —— {time:.1f} µs / 总计 {total:.1f} µs；{tiles:,} 个 CTA tile，{waves:,} 个波次"
        "（波次效率 {eff:.0%}），split-K {split}。",
    },
    "mma.m.time": {"en": "Time (µs)", "zh": "耗时（µs）"},
    "mma.m.tflops": {"en": "Tile model (TFLOP/s)", "zh": "tile 模型（TFLOP/s）"},
    "mma.m.peak": {"en": "% of tensor peak", "zh": "占 Tensor 峰值"},
    "mma.m.ai_l2": {"en": "FLOP / L2 byte", "zh": "FLOP / L2 字节"},
    "mma.m.waves": {"en": "Waves (tiles ÷ SMs)", "zh": "波次（tile ÷ SM）"},
    "mma.levels": {
        "en": "Per level: bytes, arithmetic intensity, demand vs available",
        "zh": "各层级：字节、算术强度、需求与可用带宽",
    },
    "mma.sweep": {"en": "Sweep over {dim}", "zh": "按 {dim} 扫描"},
    "mma.chart_tflops": {"en": "GEMM throughput (TFLOP/s)", "zh": "GEMM 吞吐（TFLOP/s）"},
    "mma.chart_util": {"en": "Demanded ÷ available bandwidth per level", "zh": "各层级 需求 ÷ 可用 带宽"},
    "mma.chart_ai": {"en": "Arithmetic intensity per level (FLOP/byte)", "zh": "各层级算术强度（FLOP/字节）"},
    "mma.measured": {
        "en": "Measured H200 points (same {fixed}, {dtype})",
        "zh": "H200 实测点（相同 {fixed}，{dtype}）",
    },
    "mma.measured_none": {
        "en": "H200 measurements exist for N×K = {shapes}; pick one as the weight shape (sweeping M) to overlay them.",
        "zh": "H200 实测覆盖 N×K = {shapes}；选择其中一个作为权重形状（扫描 M）即可叠加显示。",
    },
    "mma.stages_reduced": {
        "en": "{asked} pipeline stages of this tile do not fit the {kib:.0f} KiB of shared memory per SM; modelled with "
        "{used}.",
        "zh": "该 tile 的 {asked} 级流水放不下每 SM {kib:.0f} KiB 的共享内存；按 {used} 级建模。",
    },
    "mma.no_microarch": {
        "en": "This page needs per-SM rates from the hardware profile. {error}",
        "zh": "本页需要硬件配置中的每 SM 速率。{error}",
    },
    "mma.sbs": {"en": "The same GEMM three ways", "zh": "同一个 GEMM 的三种数值"},
    "mma.sbs.tile": {"en": "Ideal tile model (TFLOP/s)", "zh": "理想 tile 模型（TFLOP/s）"},
    "mma.sbs.cm": {"en": "Shared cost model (TFLOP/s)", "zh": "共享成本模型（TFLOP/s）"},
    "mma.sbs.measured": {"en": "Measured, {ref} (TFLOP/s)", "zh": "实测，{ref}（TFLOP/s）"},
    "mma.sbs.note": {
        "en": "The tile model is an ideal bound: every memory level overlapped perfectly with the tensor cores, no "
        "pipeline bubbles or epilogue, so it overestimates a real kernel. The shared cost model "
        "(features/cost_model.py, the figure every other page uses) prices the same shape as max(FLOPs ÷ (peak · "
        "η_gemm(M)), bytes ÷ (HBM · η_mem)) + launch overhead, with the profile's fitted GEMM efficiency curve "
        "(here {bound}-bound).",
        "zh": "tile 模型是理想上界：各级存储与 Tensor Core 完全重叠，没有流水线气泡和尾处理，因此会高估实际 kernel。"
        "共享成本模型（features/cost_model.py，其他页面都用它）对同一形状按 max(FLOPs ÷ (峰值 · η_gemm(M)), 字节 ÷ "
        "(HBM · η_mem)) + 启动开销计价，使用该配置拟合的 GEMM 效率曲线（此处为{bound}受限）。",
    },
    "mma.sbs.ratio": {
        "en": "Measured ({label}) ÷ tile model = {tile}; measured ÷ cost model = {cm}.",
        "zh": "实测（{label}）÷ tile 模型 = {tile}；实测 ÷ 成本模型 = {cm}。",
    },
    "mma.sbs.no_measured": {
        "en": "This profile has no measurement of this exact shape and format.",
        "zh": "该配置没有这一形状与格式的实测数据。",
    },
    "mma.bound.compute": {"en": "compute", "zh": "算力"},
    "mma.bound.memory": {"en": "memory", "zh": "显存带宽"},
    "mma.cm_series": {"en": "Shared cost model", "zh": "共享成本模型"},
}
