"""Strings of the MoE expert-offload page (``dashboard/experts_calculation.py``)."""

STRINGS = {
    "ex.model": {"en": "MoE model", "zh": "MoE 模型"},
    "ex.model_sidebar": {"en": "sidebar model", "zh": "侧边栏模型"},
    "ex.using_sidebar": {
        "en": "This page uses the sidebar model, **{name}**.",
        "zh": "本页使用侧边栏模型 **{name}**。",
    },
    "ex.weight_dtype": {"en": "Expert weight format", "zh": "专家权重格式"},
    "ex.dtype_sidebar": {"en": "sidebar ({dtype})", "zh": "侧边栏（{dtype}）"},
    "ex.dtype_checkpoint": {"en": "checkpoint ({dtype})", "zh": "检查点格式（{dtype}）"},
    "ex.dtype_sidebar_plain": {"en": "sidebar", "zh": "侧边栏"},
    "ex.dtype_checkpoint_plain": {"en": "checkpoint", "zh": "检查点格式"},
    "ex.tp": {"en": "TP", "zh": "TP"},
    "ex.ep": {"en": "EP", "zh": "EP"},
    "ex.dp": {"en": "DP replicas", "zh": "DP 副本数"},
    "ex.window": {"en": "Reload window (ms)", "zh": "回灌窗口 (ms)"},
    "ex.batch": {"en": "Decode batch", "zh": "Decode 批量"},
    "ex.context": {"en": "Context tokens", "zh": "上下文 token 数"},
    "ex.sla": {"en": "Latency budget per step / TPOT (ms)", "zh": "每步时延预算 / TPOT (ms)"},
    "ex.reserved": {"en": "Reserved HBM fraction", "zh": "预留 HBM 比例"},
    "ex.not_moe": {
        "en": "**{name} is not an MoE model** — it has no routed experts to offload. Pick an MoE preset above "
        "(DeepSeek-V3, Qwen3-MoE, Mixtral, gpt-oss).",
        "zh": "**{name} 不是 MoE 模型**——没有可卸载的路由专家。请在上方选择 MoE 预设（DeepSeek-V3、Qwen3-MoE、Mixtral、gpt-oss）。",
    },
    "ex.pass": {
        "en": "**PASS** — {resident} of {experts} experts per layer resident; step {step:.2f} ms ≤ budget {sla:.2f} ms "
        "(×{inflation:.2f} over all-resident {base:.2f} ms).",
        "zh": "**通过** —— 每层常驻 {resident}/{experts} 个专家；步时 {step:.2f} ms ≤ 预算 {sla:.2f} ms"
        "（相对全部常驻 {base:.2f} ms 为 ×{inflation:.2f}）。",
    },
    "ex.fail": {
        "en": "**FAIL** — {resident} of {experts} experts per layer resident; step {step:.2f} ms > budget {sla:.2f} ms "
        "(bottleneck {channel}, ×{inflation:.2f} over all-resident {base:.2f} ms).",
        "zh": "**不通过** —— 每层常驻 {resident}/{experts} 个专家；步时 {step:.2f} ms > 预算 {sla:.2f} ms"
        "（瓶颈 {channel}，相对全部常驻 {base:.2f} ms 为 ×{inflation:.2f}）。",
    },
    "ex.fail_memory": {
        "en": "**FAIL** — the non-expert weights and the KV cache of {batch} × {context} tokens already need "
        "{need:.1f} GiB of the {have:.1f} GiB usable per GPU: no room for any expert.",
        "zh": "**不通过** —— 非专家权重与 {batch} × {context} token 的 KV 缓存已需 {need:.1f} GiB（每卡可用 {have:.1f} GiB），"
        "没有空间常驻任何专家。",
    },
    "ex.base_over": {
        "en": "Even with every expert resident the step takes {base:.2f} ms > budget {sla:.2f} ms.",
        "zh": "即使全部专家常驻，步时 {base:.2f} ms 也超过预算 {sla:.2f} ms。",
    },
    "ex.window_line": {
        "en": "Each step this GPU fetches {need:.1f} expert shards ({need_ms:.2f} ms at {rate:.1f} GB/s); a {window:g} ms "
        "window loads {fit:,} → {verdict}. Reloading all {local} local experts of one layer takes {layer_ms:.2f} ms, "
        "of every MoE layer {all_ms:,.1f} ms.",
        "zh": "本卡每步需搬运 {need:.1f} 个专家分片（{rate:.1f} GB/s 下 {need_ms:.2f} ms）；{window:g} ms 窗口可加载 {fit:,} 个 → "
        "{verdict}。重新加载一层全部 {local} 个本地专家需 {layer_ms:.2f} ms，所有 MoE 层需 {all_ms:,.1f} ms。",
    },
    "ex.window_ok": {"en": "the window covers one step's fetches", "zh": "窗口足以覆盖一步的搬运"},
    "ex.window_short": {"en": "the window is shorter than one step's fetches", "zh": "窗口短于一步所需的搬运时间"},
    "ex.m_shard": {"en": "Expert shard / GPU (MB)", "zh": "每卡专家分片 (MB)"},
    "ex.m_rate": {"en": "Host → GPU (GB/s)", "zh": "主机 → GPU (GB/s)"},
    "ex.m_bottleneck": {"en": "Host path bottleneck", "zh": "主机通路瓶颈"},
    "ex.using": {
        "en": "This page uses **{name}** (picked here); the sidebar model is {sidebar}.",
        "zh": "本页使用 **{name}**（在此选择）；侧边栏模型为 {sidebar}。",
    },
    "ex.m_load": {"en": "Load time / expert (ms)", "zh": "单专家加载 (ms)"},
    "ex.m_window": {"en": "Experts per window (GPU / engine)", "zh": "每窗口专家数（单卡 / 引擎）"},
    "ex.m_resident": {"en": "Resident experts / layer", "zh": "每层可常驻专家"},
    "ex.m_step": {"en": "Offload step (ms)", "zh": "卸载后步时 (ms)"},
    "ex.sweep": {"en": "Step time vs resident experts", "zh": "步时随常驻专家数变化"},
    "ex.window_curve": {"en": "Experts loadable vs window length", "zh": "可加载专家数随窗口长度变化"},
    "ex.details": {"en": "Rates per channel and HBM budget", "zh": "各通道速率与 HBM 预算"},
    "ex.col_fits": {"en": "fits HBM", "zh": "HBM 可容纳"},
    # rows of the HBM budget table
    "ex.item.usable": {"en": "usable HBM", "zh": "可用 HBM"},
    "ex.item.non_expert": {"en": "non-expert weights", "zh": "非专家权重"},
    "ex.item.kv": {"en": "KV cache (batch × context)", "zh": "KV 缓存（batch × 上下文）"},
    "ex.item.other": {"en": "activations + reserve + prefetch", "zh": "激活 + 预留 + 预取"},
    "ex.item.left": {"en": "left for experts", "zh": "留给专家"},
    "ex.item.all_experts": {"en": "all local experts", "zh": "全部本地专家"},
}
