"""Strings of the host-bandwidth page (``dashboard/host_bandwidth.py``) and shared offload labels."""

STRINGS = {
    # shared by both offload pages
    "offload.link": {"en": "Host link", "zh": "主机链路"},
    "offload.link_gb_s": {"en": "Link GB/s per direction (0 = profile)", "zh": "链路单向带宽 GB/s（0 = 硬件配置）"},
    "offload.ddr_gb_s": {
        "en": "Host DDR GB/s per socket (0 = profile)",
        "zh": "主机 DDR 每路带宽 GB/s（0 = 硬件配置）",
    },
    "offload.link_eff": {"en": "Link efficiency", "zh": "链路效率"},
    "offload.ddr_eff": {"en": "DDR efficiency", "zh": "DDR 效率"},
    "offload.pinned": {"en": "Pinned host memory", "zh": "锁页（pinned）主机内存"},
    "offload.pageable_factor": {"en": "Pageable ÷ pinned rate", "zh": "可分页 ÷ 锁页 速率"},
    "offload.gpus_per_socket": {"en": "GPUs per host socket (0 = auto)", "zh": "每个 CPU 插槽的 GPU 数（0 = 自动）"},
    "offload.popularity": {"en": "Expert popularity", "zh": "专家热度分布"},
    "offload.zipf": {"en": "Zipf exponent s", "zh": "Zipf 指数 s"},
    "offload.prefetch": {"en": "Prefetch window (layers, 0 = on demand)", "zh": "预取窗口（层数，0 = 按需）"},
    "offload.section_host": {"en": "Host path", "zh": "主机通路"},
    "offload.section_experts": {"en": "Experts", "zh": "专家"},
    "offload.section_workload": {"en": "Workload", "zh": "负载"},
    "offload.reference": {"en": "H200 reference copies vs the profile", "zh": "H200 实测拷贝速率与硬件配置对照"},
    "offload.reference_note": {
        "en": "Measured 1 GiB copies on one H200 (data/reference/host_device_copy.csv). Pinned ≈ {pinned:.1f} GB/s h2d "
        "= {eff:.1%} of the profile's PCIe Gen5 x16 {pcie:.0f} GB/s per direction; pageable ≈ {pageable:.1f} GB/s "
        "= {factor:.2f}× pinned. These set the default link efficiency and pageable factor.",
        "zh": "单卡 H200 的 1 GiB 拷贝实测（data/reference/host_device_copy.csv）。锁页 h2d ≈ {pinned:.1f} GB/s，"
        "为硬件配置 PCIe Gen5 x16 单向 {pcie:.0f} GB/s 的 {eff:.1%}；可分页 ≈ {pageable:.1f} GB/s，为锁页的 {factor:.2f} 倍。"
        "默认链路效率与可分页系数即取自这些数据。",
    },
    # host bandwidth page
    "hb.phase": {"en": "Phase", "zh": "阶段"},
    "hb.batch": {"en": "Batch (sequences)", "zh": "批量（序列数）"},
    "hb.context": {"en": "Context / prompt tokens", "zh": "上下文 / 输入 token 数"},
    "hb.resident": {"en": "GPU-resident experts per layer", "zh": "每层常驻 GPU 的专家数"},
    "hb.histogram": {"en": "Histogram (relative weights, most popular first)", "zh": "直方图（相对权重，热门在前）"},
    "hb.kv_ratio": {"en": "KV write-back ratio", "zh": "KV 回写比例"},
    "hb.duplex": {"en": "Full-duplex link (h2d and d2h in parallel)", "zh": "全双工链路（h2d 与 d2h 并行）"},
    "hb.sweep": {"en": "Batch sizes for the curves", "zh": "曲线的批量列表"},
    "hb.not_moe": {
        "en": "{name} is not an MoE model: no expert traffic, only the KV write-back is priced.",
        "zh": "{name} 不是 MoE 模型：没有专家搬运，只计算 KV 回写。",
    },
    "hb.clamped": {
        "en": "Resident experts clamped to the model's {n} experts per layer.",
        "zh": "常驻专家数已截断为模型每层的 {n} 个专家。",
    },
    "hb.bottleneck_stall": {
        "en": "**Bottleneck: {channel}.** {transfer:.2f} ms of transfers per step against {compute:.2f} ms of compute: "
        "the step stretches ×{inflation:.2f} (+{stall:.2f} ms). Hiding it needs ≥ {need:.1f} GB/s on {channel} "
        "(available {have:.1f} GB/s), more resident experts, or a smaller expert working set.",
        "zh": "**瓶颈：{channel}。** 每步传输 {transfer:.2f} ms，计算 {compute:.2f} ms：步时被拉长 ×{inflation:.2f}"
        "（+{stall:.2f} ms）。要完全隐藏需要 {channel} ≥ {need:.1f} GB/s（当前 {have:.1f} GB/s），或增加常驻专家。",
    },
    "hb.bottleneck_hidden": {
        "en": "**Transfers hidden.** Busiest channel {channel}: {transfer:.3f} ms per step within {compute:.2f} ms of compute.",
        "zh": "**传输已被隐藏。** 最忙通道 {channel}：每步 {transfer:.3f} ms，计算 {compute:.2f} ms。",
    },
    "hb.per_layer": {
        "en": "Per MoE layer on this GPU: {cold:.2f} cold of {distinct:.2f} distinct experts touched ({hot:.2f} hot) → "
        "{mb:,.1f} MB, fetched in {fetch:.3f} ms vs {compute:.3f} ms of compute per layer → {verdict}. "
        "Per step: {steps_gb:.3f} GB in ({layers} MoE layers, expert {expert_mb:,.1f} MB), {kv_mb:,.2f} MB of KV out.",
        "zh": "本卡每个 MoE 层：触达 {distinct:.2f} 个不同专家，其中冷 {cold:.2f}、热 {hot:.2f} → {mb:,.1f} MB，"
        "搬运 {fetch:.3f} ms，对比每层计算 {compute:.3f} ms → {verdict}。每步：回灌 {steps_gb:.3f} GB"
        "（{layers} 个 MoE 层，单专家 {expert_mb:,.1f} MB），KV 回写 {kv_mb:,.2f} MB。",
    },
    "hb.hides": {"en": "the fetch of layer i+1 hides behind layer i", "zh": "第 i+1 层的搬运可被第 i 层计算隐藏"},
    "hb.stalls": {"en": "layer i+1 stalls waiting for its experts", "zh": "第 i+1 层需等待专家到达（停顿）"},
    "hb.channels": {"en": "Channels (per GPU, per step)", "zh": "各通道（每卡每步）"},
    "hb.curves": {"en": "Throughput over batch size", "zh": "吞吐随批量变化"},
    "hb.schedule": {"en": "Layer schedule (first layers of the step)", "zh": "层调度（步内前若干层）"},
    "hb.m_base": {"en": "Step, all resident (ms)", "zh": "全部常驻步时 (ms)"},
    "hb.m_step": {"en": "Offload step (ms)", "zh": "卸载后步时 (ms)"},
    "hb.m_infl": {"en": "Inflation", "zh": "步时膨胀"},
    "hb.m_cold": {"en": "Cold experts / layer", "zh": "每层冷专家数"},
    "hb.m_cold_help": {
        "en": "of {distinct:.2f} distinct experts touched per layer ({hot:.2f} hot)",
        "zh": "每层触达 {distinct:.2f} 个不同专家（其中热 {hot:.2f}）",
    },
    "hb.m_h2d": {"en": "H2D per step (GB)", "zh": "每步 H2D (GB)"},
    "hb.m_bottleneck": {"en": "Bottleneck", "zh": "瓶颈"},
    "hb.kv_tier": {"en": "KV-cache CPU tier on the same link", "zh": "同一链路上的 KV 缓存 CPU 层"},
    "hb.kv_tier_rate": {"en": "Requests/s per GPU", "zh": "每卡请求数/秒"},
    "hb.kv_tier_prompt": {"en": "Mean prompt tokens", "zh": "平均输入 token"},
    "hb.kv_tier_output": {"en": "Mean output tokens", "zh": "平均输出 token"},
    "hb.kv_tier_hit": {"en": "Prompt share loaded from the CPU tier", "zh": "从 CPU 层加载的输入占比"},
    "hb.kv_tier_row_experts": {
        "en": "link traffic of the step above (expert reloads, KV write-back)",
        "zh": "上方单步的链路流量（专家重载、KV 回写）",
    },
    "hb.kv_tier_row_load": {"en": "KV CPU-tier loads (host → GPU)", "zh": "KV CPU 层加载（主机 → GPU）"},
    "hb.kv_tier_row_wb": {"en": "KV CPU-tier write-back (GPU → host)", "zh": "KV CPU 层回写（GPU → 主机）"},
    "hb.kv_tier_total": {
        "en": "Expert traffic + KV-tier loads use {pct:.1f} % of the {rate:.1f} GB/s host → GPU path.",
        "zh": "专家流量 + KV 层加载占用主机 → GPU 通路 {rate:.1f} GB/s 的 {pct:.1f}%。",
    },
}
