"""Strings of the custom runtime planner page."""

STRINGS = {
    "crp.batch": {"en": "Batch (sequences)", "zh": "批量（序列数）"},
    "crp.input_len": {"en": "Input tokens (new, per sequence)", "zh": "输入 token（每序列新增）"},
    "crp.output_len": {"en": "Output tokens", "zh": "输出 token 数"},
    "crp.kv_len": {"en": "KV length already cached (prefix tokens)", "zh": "已缓存的 KV 长度（前缀 token）"},
    "crp.points": {"en": "Curve points", "zh": "曲线采样点数"},
    "crp.custom_eff": {"en": "Custom kernel efficiencies", "zh": "自定义 kernel 效率"},
    "crp.gemm_eff": {"en": "GEMM η (fraction of dense peak, all formats)", "zh": "GEMM η（占稠密峰值比例，所有格式）"},
    "crp.attn_eff": {"en": "Prefill attention η", "zh": "Prefill attention η"},
    "crp.mem_eff": {"en": "HBM streaming η", "zh": "HBM 带宽利用率 η"},
    "crp.kernel_overhead_us": {
        "en": "Per-kernel overhead (µs, roofline view)",
        "zh": "单 kernel 开销（µs，roofline 视图）",
    },
    "crp.eff_caption_profile": {
        "en": "Efficiencies from the profile **{hw}** ({src}): GEMM η {g:.2f} at M = {m:,} rows, prefill attention η "
        "{a:.2f}, HBM η {mem:.2f}, {kov:.1f} µs per kernel.",
        "zh": "效率取自配置 **{hw}**（{src}）：M = {m:,} 行时 GEMM η {g:.2f}，prefill attention η {a:.2f}，HBM η {mem:.2f}，"
        "每 kernel {kov:.1f} µs。",
    },
    "crp.eff_caption_custom": {
        "en": "Custom efficiencies: GEMM η {g:.2f} (constant in M), prefill attention η {a:.2f}, HBM η {mem:.2f}, "
        "{kov:.1f} µs per kernel.",
        "zh": "自定义效率：GEMM η {g:.2f}（与 M 无关），prefill attention η {a:.2f}，HBM η {mem:.2f}，每 kernel {kov:.1f} µs。",
    },
    "crp.m_prefill_tflop": {"en": "Prefill TFLOP", "zh": "Prefill TFLOP"},
    "crp.m_decode_tflop": {"en": "Decode TFLOP (phase)", "zh": "Decode TFLOP（整个阶段）"},
    "crp.m_prefill_compute": {"en": "Prefill compute (ms)", "zh": "Prefill 计算时间（毫秒）"},
    "crp.m_decode_compute": {"en": "Decode compute (ms)", "zh": "Decode 计算时间（毫秒）"},
    "crp.m_compute_tps": {"en": "Compute-bound tok/s", "zh": "计算上限 tok/s"},
    "crp.m_ttft": {"en": "TTFT roofline (ms)", "zh": "TTFT roofline（毫秒）"},
    "crp.m_tpot": {"en": "TPOT roofline (ms)", "zh": "TPOT roofline（毫秒）"},
    "crp.m_tps": {"en": "tok/s roofline", "zh": "tok/s roofline"},
    "crp.m_achieved": {"en": "Prefill TFLOP/s (roofline)", "zh": "Prefill 实际 TFLOP/s（roofline）"},
    "crp.m_mfu": {"en": "Prefill MFU (%)", "zh": "Prefill MFU（%）"},
    "crp.flops_title": {
        "en": "FLOPs per phase by op category (per GPU, TFLOP)",
        "zh": "各阶段按算子类别的 FLOPs（每卡，TFLOP）",
    },
    "crp.table_header": {"en": "FLOPs and time per phase and op (per GPU)", "zh": "各阶段逐算子 FLOPs 与耗时（每卡）"},
    "crp.curves_header": {
        "en": "Per-token latency and throughput over the output",
        "zh": "输出过程中的单 token 时延与吞吐",
    },
    "crp.lat_title": {"en": "Latency of the step producing token k (ms)", "zh": "生成第 k 个 token 的步耗时（毫秒）"},
    "crp.tps_title": {
        "en": "Throughput at token k (tokens/s, all sequences)",
        "zh": "第 k 个 token 时的吞吐（tokens/s，全部序列）",
    },
    "crp.elapsed_title": {"en": "Elapsed time to token k (s)", "zh": "到第 k 个 token 的累计时间（秒）"},
    "crp.x_token": {"en": "output token k", "zh": "输出 token 序号 k"},
    "crp.s_compute": {"en": "compute only", "zh": "纯计算"},
    "crp.s_roofline": {"en": "roofline (compute + memory + comm)", "zh": "roofline（计算 + 访存 + 通信）"},
}
