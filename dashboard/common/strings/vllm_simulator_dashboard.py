"""Strings of the vLLM scheduler simulator page."""

STRINGS = {
    "vsim.time_model": {
        "en": "Step times: shared cost model on **{hw}** — time model source: **{source}**. Every simulated step "
        "is priced from its exact composition (`CostModel.step_time_s`).",
        "zh": "步时：共享成本模型，硬件 **{hw}** —— 时间模型来源：**{source}**。每个模拟步都按其确切组成定价"
        "（`CostModel.step_time_s`）。",
    },
    "vsim.workload": {"en": "Workload", "zh": "负载"},
    "vsim.scheduler": {"en": "Scheduler", "zh": "调度器"},
    "vsim.kv": {"en": "KV cache", "zh": "KV 缓存"},
    "vsim.sla_sweep": {"en": "SLA and sweeps", "zh": "SLA 与扫描"},
    "vsim.num_requests": {"en": "Requests", "zh": "请求数"},
    "vsim.input_len": {"en": "Mean prompt tokens", "zh": "平均输入 token"},
    "vsim.output_len": {"en": "Mean output tokens", "zh": "平均输出 token"},
    "vsim.input_dist": {"en": "Prompt length distribution", "zh": "输入长度分布"},
    "vsim.output_dist": {"en": "Output length distribution", "zh": "输出长度分布"},
    "vsim.spread": {
        "en": "Length spread (uniform ±, normal σ/mean, lognormal σ)",
        "zh": "长度离散度（均匀 ±、正态 σ/均值、对数正态 σ）",
    },
    "vsim.load_mode": {"en": "Load", "zh": "负载方式"},
    "vsim.load.rate": {"en": "request rate", "zh": "请求速率"},
    "vsim.load.concurrency": {"en": "closed-loop concurrency", "zh": "闭环并发"},
    "vsim.load.burst": {"en": "all at t = 0", "zh": "全部在 t = 0 到达"},
    "vsim.load.trace": {"en": "trace file", "zh": "请求轨迹文件"},
    "vsim.trace_upload": {
        "en": "Trace: Mooncake-style JSONL (timestamp ms, input_length, output_length, hash_ids), "
        "BurstGPT CSV, or CSV arrival_s,prompt_tokens,output_tokens (5 MB at most)",
        "zh": "请求轨迹：Mooncake 风格 JSONL（timestamp 毫秒、input_length、output_length、hash_ids）、"
        "BurstGPT CSV，或 CSV arrival_s,prompt_tokens,output_tokens（最大 5 MB）",
    },
    "vsim.trace_hit": {
        "en": "Prefix cache from the trace's hash_ids: {hit:.1f} % of prompt tokens served from cache.",
        "zh": "按轨迹的 hash_ids 计算前缀缓存：{hit:.1f}% 的输入 token 由缓存提供。",
    },
    "vsim.trace_needed": {"en": "Upload a trace file to simulate it.", "zh": "请上传请求轨迹文件以进行模拟。"},
    "vsim.trace_info": {
        "en": "Trace: {n:,} requests over {span:,.1f} s, mean prompt {p:,.0f}, mean output {o:,.0f}.",
        "zh": "轨迹：{n:,} 个请求，跨度 {span:,.1f} s，平均输入 {p:,.0f}，平均输出 {o:,.0f}。",
    },
    "vsim.arrival": {"en": "Arrival process", "zh": "到达过程"},
    "vsim.request_rate": {"en": "Request rate (req/s)", "zh": "请求速率（req/s）"},
    "vsim.burstiness": {"en": "Burstiness (gamma shape; 1 = Poisson)", "zh": "突发度（gamma 形状参数；1 = 泊松）"},
    "vsim.concurrency": {"en": "Concurrency (clients)", "zh": "并发（客户端数）"},
    "vsim.seed": {"en": "Seed", "zh": "随机种子"},
    "vsim.budget": {"en": "max_num_batched_tokens", "zh": "max_num_batched_tokens（每步 token 预算）"},
    "vsim.max_seqs": {"en": "max_num_seqs", "zh": "max_num_seqs（最大并发序列）"},
    "vsim.block_size": {"en": "KV block size (tokens)", "zh": "KV 块大小（token）"},
    "vsim.chunked": {"en": "Chunked prefill (off = prefill-first)", "zh": "Chunked prefill（关闭 = prefill 优先）"},
    "vsim.prefix_hit": {"en": "Prefix-cache hit fraction", "zh": "前缀缓存命中比例"},
    "vsim.dp": {"en": "DP engines", "zh": "DP 引擎数"},
    "vsim.router": {"en": "Router", "zh": "路由策略"},
    "vsim.kv_strategy": {"en": "KV block count", "zh": "KV 块数量来源"},
    "vsim.kv.memory_model": {"en": "from the memory model", "zh": "由显存模型计算"},
    "vsim.kv.fixed_blocks": {"en": "fixed number of blocks", "zh": "固定块数"},
    "vsim.gpu_mem": {"en": "gpu_memory_utilization", "zh": "gpu_memory_utilization（显存使用比例）"},
    "vsim.num_kv_blocks": {"en": "KV blocks per engine", "zh": "每引擎 KV 块数"},
    "vsim.sla_ttft": {"en": "SLA TTFT (ms, 0 = none)", "zh": "SLA TTFT（ms，0 = 不限）"},
    "vsim.sla_tpot": {"en": "SLA TPOT (ms, 0 = none)", "zh": "SLA TPOT（ms，0 = 不限）"},
    "vsim.concurrencies": {"en": "Sweep concurrencies (comma list)", "zh": "扫描并发列表（逗号分隔）"},
    "vsim.budgets": {"en": "Heatmap token budgets (comma list)", "zh": "热力图 token 预算列表（逗号分隔）"},
    "vsim.sweep_requests": {"en": "Min. requests per sweep point", "zh": "每个扫描点的最少请求数"},
    "vsim.heat_metric": {"en": "Heatmap metric", "zh": "热力图指标"},
    "vsim.kv_blocks_info": {
        "en": "{blocks:,} KV blocks of {bs} tokens per engine ({tokens:,} tokens).",
        "zh": "每引擎 {blocks:,} 个 KV 块，每块 {bs} token（共 {tokens:,} token）。",
    },
    "vsim.timeline": {"en": "Simulated timeline (engine 0)", "zh": "模拟时间线（引擎 0）"},
    "vsim.cdf": {"en": "Latency distributions", "zh": "延迟分布"},
    "vsim.stats": {"en": "Throughput and latency statistics", "zh": "吞吐与延迟统计"},
    "vsim.requests_table": {"en": "Per-request results", "zh": "逐请求结果"},
    "vsim.sweep": {"en": "Concurrency sweep (closed loop, budget {budget})", "zh": "并发扫描（闭环，预算 {budget}）"},
    "vsim.heatmap": {
        "en": "Heatmap: {metric} over concurrency × max_num_batched_tokens",
        "zh": "热力图：{metric}（并发 × max_num_batched_tokens）",
    },
    "vsim.running": {"en": "Simulating {done}/{total} sweep points…", "zh": "正在模拟 {done}/{total} 个扫描点…"},
    "vsim.preempt_warn": {
        "en": "{n} preemptions (recompute): the KV cache ran out of blocks.",
        "zh": "发生 {n} 次抢占（重算）：KV 缓存块耗尽。",
    },
    "vsim.m.out_tps": {"en": "Output tok/s", "zh": "输出 tok/s"},
    "vsim.m.out_tps_gpu": {"en": "Output tok/s/GPU", "zh": "每卡输出 tok/s"},
    "vsim.m.req_s": {"en": "Requests/s", "zh": "请求/s"},
    "vsim.m.ttft50": {"en": "TTFT p50 (ms)", "zh": "TTFT p50（ms）"},
    "vsim.m.ttft99": {"en": "TTFT p99 (ms)", "zh": "TTFT p99（ms）"},
    "vsim.m.tpot50": {"en": "TPOT p50 (ms)", "zh": "TPOT p50（ms）"},
    "vsim.m.tpot99": {"en": "TPOT p99 (ms)", "zh": "TPOT p99（ms）"},
    "vsim.m.e2e50": {"en": "E2E p50 (ms)", "zh": "端到端 p50（ms）"},
    "vsim.m.queue": {"en": "Mean queueing (ms)", "zh": "平均排队（ms）"},
    "vsim.m.goodput": {"en": "Goodput (req/s)", "zh": "有效吞吐（req/s）"},
    "vsim.m.mfu": {"en": "MFU", "zh": "MFU"},
    "vsim.m.hbm": {"en": "HBM BW utilisation", "zh": "HBM 带宽利用率"},
    "vsim.sat.note": {
        "en": "Saturation (cost-model steady state, services/sweep_points.py): at most ≈ {rate} req/s ({tok} output "
        "tok/s) with {cmax} sequences running (max_num_seqs or the KV capacity); throughput reaches 90 % of it at "
        "concurrency {knee} (the knee).",
        "zh": "饱和点（成本模型稳态，services/sweep_points.py）：最多约 {rate} req/s（输出 {tok} tok/s），此时运行 {cmax} "
        "个序列（max_num_seqs 或 KV 容量）；并发达到 {knee} 时吞吐达到其 90 %（拐点）。",
    },
    "vsim.sat.rate_load": {
        "en": "This request rate is {pct:.0f} % of saturation.",
        "zh": "当前请求速率为饱和速率的 {pct:.0f} %。",
    },
    "vsim.sat.conc_load": {
        "en": "Concurrency {c} (knee at {knee}).",
        "zh": "并发 {c}（拐点 {knee}）。",
    },
    "vsim.sat.knee": {"en": "knee: concurrency {knee}", "zh": "拐点：并发 {knee}"},
    "vsim.sweep_steady": {
        "en": "Each point runs max({n}, {k} × concurrency) requests. Statistics exclude the warm-up (requests that "
        "arrive before the first request finishes: the first wave of clients, issued together at t = 0) and the "
        "drain (requests still running at the last arrival: the batch empties with no new work); throughputs count "
        "the requests finishing between the last warm-up finish and the last arrival. The table gives the counts.",
        "zh": "每个点运行 max({n}, {k} × 并发) 个请求。统计排除预热（在第一个请求完成之前到达的请求：t = 0 时一起发出的第一波客户端）"
        "和收尾（最后一次到达时仍在运行的请求：此后批次逐渐清空、没有新请求）；吞吐按在“最后一个预热请求完成”与“最后一次到达”之间完成的"
        "请求计算。表中列出各部分的请求数。",
    },
}
