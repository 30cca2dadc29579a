"""Strings of the InferenceMAX single-scenario page."""

STRINGS = {
    "imx.description": {
        "en": "One scenario: prefill and decode stage times, utilisation and compute vs bandwidth share.",
        "zh": "单场景：prefill 与 decode 阶段耗时、利用率以及计算/带宽占比。",
    },
    "imx.hardware": {"en": "Hardware profile", "zh": "硬件配置"},
    "imx.hw_sidebar": {"en": "sidebar profile ({name})", "zh": "侧边栏配置（{name}）"},
    "imx.tp": {"en": "TP", "zh": "TP"},
    "imx.batch": {"en": "Concurrency (running sequences)", "zh": "并发（运行中的序列数）"},
    "imx.seq_len": {"en": "Sequence length (new prompt tokens)", "zh": "序列长度（新输入 token）"},
    "imx.output_len": {"en": "Output tokens", "zh": "输出 token 数"},
    "imx.kv_len": {"en": "KV length already cached", "zh": "已缓存 KV 长度"},
    "imx.m_ttft": {"en": "Prefill / TTFT (ms)", "zh": "Prefill / TTFT（毫秒）"},
    "imx.continuous": {
        "en": "Continuous batching at concurrency {c} with a {b}-token chunked-prefill budget{sat}; a static batch "
        "would give TTFT {sttft:,.1f} ms, TPOT {stpot:.3f} ms.",
        "zh": "并发 {c} 的连续批处理，chunked prefill 预算 {b} token{sat}；若为静态批，TTFT 为 {sttft:,.1f} 毫秒、"
        "TPOT 为 {stpot:.3f} 毫秒。",
    },
    "imx.saturated": {"en": " (budget saturated: prompts queue)", "zh": "（预算已饱和：prompt 排队）"},
    "imx.m_tpot": {"en": "TPOT (ms)", "zh": "TPOT（毫秒）"},
    "imx.m_e2e": {"en": "End-to-end (ms)", "zh": "端到端（毫秒）"},
    "imx.m_tps": {"en": "Output tok/s", "zh": "输出 token/s"},
    "imx.m_tps_gpu": {"en": "Output tok/s per GPU", "zh": "每卡输出 token/s"},
    "imx.m_prefill_mfu": {"en": "Prefill MFU", "zh": "Prefill MFU"},
    "imx.m_decode_hbm": {"en": "Decode HBM BW util", "zh": "Decode HBM 带宽利用率"},
    "imx.m_weights": {"en": "Weights / GPU (GiB)", "zh": "每卡权重（GiB）"},
    "imx.stages": {"en": "Stages", "zh": "阶段"},
    "imx.stage_prefill": {"en": "prefill", "zh": "prefill"},
    "imx.stage_decode_step": {"en": "decode step (mid-generation)", "zh": "decode 单步（生成中点）"},
    "imx.stage_decode_total": {"en": "decode (all steps)", "zh": "decode（全部步）"},
    "imx.chart_time": {"en": "Stage time by bound (ms)", "zh": "各阶段按瓶颈划分的耗时（毫秒）"},
    "imx.chart_share": {"en": "Compute vs bandwidth share of step time", "zh": "单步时间中计算与带宽占比"},
    "imx.b_compute": {"en": "compute-bound", "zh": "计算受限"},
    "imx.b_memory": {"en": "bandwidth-bound", "zh": "带宽受限"},
    "imx.b_comm": {"en": "communication", "zh": "通信"},
    "imx.ops": {"en": "Ops of both stages", "zh": "两个阶段的算子"},
    "imx.oom": {
        "en": "Does not fit: {seqs} sequences of this length fit per GPU set, the batch is {batch}.",
        "zh": "显存不足：该长度最多容纳 {seqs} 条序列，批量为 {batch}。",
    },
}
