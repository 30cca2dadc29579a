"""Strings of the quick-estimation page."""

STRINGS = {
    "qe.tp": {"en": "TP", "zh": "TP（张量并行）"},
    "qe.dp": {"en": "DP (replicas)", "zh": "DP（副本数）"},
    "qe.ep": {"en": "EP (MoE)", "zh": "EP（专家并行）"},
    "qe.batch": {"en": "Batch (per replica)", "zh": "批量（每副本）"},
    "qe.input_len": {"en": "Input tokens", "zh": "输入 token 数"},
    "qe.output_len": {"en": "Output tokens", "zh": "输出 token 数"},
    "qe.overlap": {
        "en": "Overlap φ (share of communication hidden behind compute)",
        "zh": "Overlap φ（通信被计算掩盖的比例）",
    },
    "qe.custom_spec": {"en": "Edit GPU spec on this page", "zh": "在本页编辑 GPU 规格"},
    "qe.peak_tflops": {"en": "Dense TFLOP/s ({fmt})", "zh": "稠密算力 TFLOP/s（{fmt}）"},
    "qe.hbm_gb_s": {"en": "HBM bandwidth (GB/s)", "zh": "HBM 带宽（GB/s）"},
    "qe.link_gb_s": {"en": "Network bandwidth per GPU (GB/s, {link})", "zh": "每卡网络带宽（GB/s，{link}）"},
    "qe.spec_caption": {
        "en": "GPU spec from the sidebar profile **{hw}**: {tflops:,.0f} dense TFLOP/s ({fmt}), "
        "HBM {hbm:,.0f} GB/s, {link} {net:,.0f} GB/s per GPU.",
        "zh": "GPU 规格取自侧边栏配置 **{hw}**：稠密算力 {tflops:,.0f} TFLOP/s（{fmt}），"
        "HBM {hbm:,.0f} GB/s，{link} 每卡 {net:,.0f} GB/s。",
    },
    "qe.spec_edited": {
        "en": "Edited spec: {tflops:,.0f} TFLOP/s ({fmt}), HBM {hbm:,.0f} GB/s, link {net:,.0f} GB/s "
        "(profile: {p_tflops:,.0f} / {p_hbm:,.0f} / {p_net:,.0f}). Efficiencies stay the profile's.",
        "zh": "已编辑规格：{tflops:,.0f} TFLOP/s（{fmt}），HBM {hbm:,.0f} GB/s，链路 {net:,.0f} GB/s"
        "（配置原值：{p_tflops:,.0f} / {p_hbm:,.0f} / {p_net:,.0f}）。效率系数沿用配置。",
    },
    "qe.m_ttft": {"en": "TTFT (ms)", "zh": "TTFT（毫秒）"},
    "qe.m_tpot": {"en": "TPOT (ms)", "zh": "TPOT（毫秒）"},
    "qe.m_tps": {"en": "Output tok/s (per replica)", "zh": "输出 tok/s（每副本）"},
    "qe.m_cluster_tps": {"en": "Output tok/s (all DP)", "zh": "输出 tok/s（全部 DP）"},
    "qe.m_e2e": {"en": "End-to-end (s)", "zh": "端到端（秒）"},
    "qe.m_weights": {"en": "Weights / GPU (GiB)", "zh": "每卡权重（GiB）"},
    "qe.m_wread_decode": {"en": "Weights read / decode step (GiB)", "zh": "每个 decode 步读取的权重（GiB）"},
    "qe.m_hbm_prefill": {"en": "Prefill HBM (GB/step)", "zh": "Prefill HBM（GB/步）"},
    "qe.m_hbm_decode": {"en": "Decode HBM (GB/step)", "zh": "Decode HBM（GB/步）"},
    "qe.m_comm_prefill": {"en": "Prefill comm (MB/step)", "zh": "Prefill 通信（MB/步）"},
    "qe.m_comm_decode": {"en": "Decode comm (MB/step)", "zh": "Decode 通信（MB/步）"},
    "qe.m_gpus": {"en": "GPUs (all replicas)", "zh": "GPU 数（全部副本）"},
    "qe.ops_header": {"en": "Per-op breakdown (per GPU, summed over layers)", "zh": "逐算子拆解（每卡，各层求和）"},
    "qe.decode_note": {
        "en": "Decode row: one decode step at the mid-generation context ({ctx:,} tokens). "
        "TPOT averages every decode step.",
        "zh": "Decode 行：上下文为生成中点（{ctx:,} token）时的一个 decode 步。TPOT 为所有 decode 步的平均。",
    },
    "qe.bounds_title": {"en": "Step time by bound (ms)", "zh": "按瓶颈划分的单步耗时（毫秒）"},
    "qe.timeline_header": {
        "en": "Overlap timeline (compute lane vs communication lane, per layer)",
        "zh": "Overlap 时间线（每层计算通道与通信通道）",
    },
    "qe.timeline_title": {"en": "{phase} step: φ = 0, {phi:g}, 1", "zh": "{phase} 步：φ = 0、{phi:g}、1"},
    "qe.timeline_no_comm": {
        "en": "No communication at TP = 1 and EP = 1: every φ gives the same time. Raise TP to see overlap.",
        "zh": "TP = 1 且 EP = 1 时没有通信，各 φ 耗时相同。增大 TP 可查看 overlap 效果。",
    },
    "qe.overlap_table": {"en": "Overlap totals per φ", "zh": "各 φ 下的合计"},
    "qe.kind.compute": {"en": "compute", "zh": "计算"},
    "qe.kind.comm_hidden": {"en": "comm (hidden)", "zh": "通信（被掩盖）"},
    "qe.kind.comm_exposed": {"en": "comm (exposed)", "zh": "通信（暴露）"},
    "qe.kind.overhead": {"en": "step overhead", "zh": "单步开销"},
    "qe.phase.prefill": {"en": "Prefill", "zh": "Prefill"},
    "qe.phase.decode": {"en": "Decode", "zh": "Decode"},
    "qe.no_fit": {
        "en": "Does not fit: not even one sequence of {ctx:,} tokens fits beside the weights in {hbm:g} GiB of HBM "
        "(10 % reserved). Raise TP/EP or use smaller formats; the times below assume it fits.",
        "zh": "放不下：{hbm:g} GiB HBM（保留 10%）在放下权重后连一条 {ctx:,} token 的序列都放不下。请增大 TP/EP 或使用更小的格式；"
        "下方耗时按能放下计算。",
    },
    "qe.batch_too_big": {
        "en": "Batch {batch:,} exceeds the {fit:,} sequences of {ctx:,} tokens whose KV cache fits in HBM "
        "(10 % reserved); the times below assume it fits.",
        "zh": "批量 {batch:,} 超过 HBM（保留 10%）中能容纳 KV 缓存的 {fit:,} 条 {ctx:,} token 序列；下方耗时按能放下计算。",
    },
    "qe.moe_note": {
        "en": "MoE: a step reads only the experts its tokens are routed to (expected E·(1 − (1 − k/E)^T) for T tokens), "
        "so the HBM bytes of a small decode step are below the resident weights per GPU.",
        "zh": "MoE：每步只读取被路由到的专家（T 个 token 期望命中 E·(1 − (1 − k/E)^T) 个），因此小批量 decode 步的 HBM 字节"
        "低于每卡常驻权重。",
    },
}
