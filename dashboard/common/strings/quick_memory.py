"""Strings of the quick-memory page."""

STRINGS = {
    "qm.tp": {"en": "TP", "zh": "TP（张量并行）"},
    "qm.dp": {"en": "DP (replicas)", "zh": "DP（副本数）"},
    "qm.ep": {"en": "EP (MoE)", "zh": "EP（专家并行）"},
    "qm.weight_dtype": {"en": "Weight dtype", "zh": "权重 dtype"},
    "qm.kv_dtype": {"en": "KV-cache dtype", "zh": "KV 缓存 dtype"},
    "qm.context": {"en": "Context per sequence (tokens)", "zh": "每序列上下文（token）"},
    "qm.reserved": {
        "en": "Reserved fraction of HBM (1 − gpu_memory_utilization)",
        "zh": "HBM 保留比例（1 − gpu_memory_utilization）",
    },
    "qm.custom_hbm": {"en": "Edit HBM capacity on this page", "zh": "在本页编辑 HBM 容量"},
    "qm.hbm_capacity": {"en": "HBM capacity per GPU (GiB)", "zh": "每卡 HBM 容量（GiB）"},
    "qm.advanced": {"en": "Activation workspace (vLLM scheduler limits)", "zh": "激活工作区（vLLM 调度上限）"},
    "qm.max_batched_tokens": {"en": "max_num_batched_tokens", "zh": "max_num_batched_tokens"},
    "qm.max_seqs": {"en": "max_num_seqs", "zh": "max_num_seqs"},
    "qm.m_weights": {"en": "Weights / GPU (GiB)", "zh": "每卡权重（GiB）"},
    "qm.m_kv_token": {"en": "KV / token / GPU (KiB)", "zh": "每 token 每卡 KV（KiB）"},
    "qm.m_kv_tokens": {"en": "Max KV tokens / GPU", "zh": "每卡最大 KV token 数"},
    "qm.m_seqs": {"en": "Max sequences @ context", "zh": "给定上下文下最大并发序列"},
    "qm.m_cluster_seqs": {"en": "Sequences (all DP)", "zh": "并发序列（全部 DP）"},
    "qm.m_headroom": {"en": "KV headroom (% of usable)", "zh": "KV 余量（占可用比例 %）"},
    "qm.alert_no_fit": {
        "en": "Does not fit: weights {w:.2f} GiB + workspace {a:.2f} GiB + runtime {r:.2f} GiB leave {kv:.2f} GiB for "
        "the KV cache, and one sequence of {ctx:,} tokens needs {seq:.3f} GiB. Raise TP/EP, use a smaller "
        "weight or KV dtype, a shorter context, or reserve less HBM.",
        "zh": "放不下：权重 {w:.2f} GiB + 工作区 {a:.2f} GiB + 运行时 {r:.2f} GiB 之后，KV 缓存仅剩 {kv:.2f} GiB，"
        "而一条 {ctx:,} token 的序列需要 {seq:.3f} GiB。可增大 TP/EP、换用更小的权重或 KV dtype、缩短上下文或降低保留比例。",
    },
    "qm.alert_low": {
        "en": "Low headroom: only {pct:.1f}% of usable HBM ({kv:.2f} GiB) is left for the KV cache "
        "— {seqs:,} sequence(s) of {ctx:,} tokens.",
        "zh": "余量不足：可用 HBM 中只有 {pct:.1f}%（{kv:.2f} GiB）留给 KV 缓存，仅能容纳 {seqs:,} 条 {ctx:,} token 的序列。",
    },
    "qm.alert_ok": {
        "en": "Fits: {kv:.2f} GiB ({pct:.1f}% of usable) for the KV cache — {seqs:,} sequence(s) of {ctx:,} tokens per GPU group.",
        "zh": "可以放下：KV 缓存可用 {kv:.2f} GiB（占可用 {pct:.1f}%），每组可并发 {seqs:,} 条 {ctx:,} token 的序列。",
    },
    "qm.layout_mla": {
        "en": "KV layout: **MLA** — one latent of kv_lora_rank + rope = {lat} values per token per layer, not split by TP.",
        "zh": "KV 布局：**MLA** —— 每 token 每层一个 kv_lora_rank + rope = {lat} 维的潜变量，不随 TP 切分。",
    },
    "qm.layout_gqa": {
        "en": "KV layout: **{kind}** — {hkv} KV head(s) × head_dim {d} per GPU per layer (K and V){rep}.",
        "zh": "KV 布局：**{kind}** —— 每卡每层 {hkv} 个 KV 头 × head_dim {d}（K 与 V）{rep}。",
    },
    "qm.layout_rep": {
        "en": "; KV heads replicated because TP > {n} KV heads",
        "zh": "；TP 大于 KV 头数 {n}，KV 头被复制",
    },
    "qm.layout_window": {
        "en": " Sliding window: {n} of {L} layers keep at most {w:,} tokens per sequence.",
        "zh": " 滑动窗口：{L} 层中有 {n} 层每序列最多保留 {w:,} 个 token。",
    },
    "qm.bar_title": {"en": "Per-GPU memory (GiB)", "zh": "每卡显存（GiB）"},
    "qm.c.weights": {"en": "weights", "zh": "权重"},
    "qm.c.activations": {"en": "activation workspace", "zh": "激活工作区"},
    "qm.c.runtime": {"en": "runtime reserve", "zh": "运行时预留"},
    "qm.c.kv": {"en": "KV cache (max sequences)", "zh": "KV 缓存（最大序列数）"},
    "qm.c.free": {"en": "free (< 1 sequence)", "zh": "空闲（不足一条序列）"},
    "qm.c.reserved": {"en": "reserved (unused HBM)", "zh": "保留（未使用 HBM）"},
    "qm.sweep_title": {
        "en": "Max concurrent sequences per GPU group vs context, by KV dtype",
        "zh": "各 KV dtype 下每组最大并发序列数随上下文变化",
    },
    "qm.sweep_x": {"en": "context (tokens)", "zh": "上下文（token）"},
    "qm.sweep_y": {"en": "max sequences", "zh": "最大序列数"},
}
