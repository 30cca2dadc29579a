"""Page titles, header descriptions and navigation sections in 简体中文 (issue 14 §4).

Pages pass their English title/description to ``bootstrap()`` as plain strings; these entries,
keyed ``page:<English text>``, give the Chinese. ``app.py`` uses the same entries for the sidebar
navigation (titles from the page registry, sections ``section:<name>``)."""

_PAGES = {
    # titles (registry titles and the titles pages pass to bootstrap)
    "Overview": "总览",
    "Quick estimation": "快速估算",
    "Quick memory": "快速显存估算",
    "Custom runtime planner": "自定义运行时规划",
    "Multi-model comparison": "多模型对比",
    "InferenceMAX scenario": "InferenceMAX 场景",
    "InferenceMAX scenarios": "InferenceMAX 多场景",
    "Attention vs head_dim": "Attention 与 head_dim",
    "MMA / GEMM tile modeler": "MMA / GEMM 分块建模",
    "vLLM scheduler simulator": "vLLM 调度模拟器",
    "Simulator sweep": "模拟器扫描",
    "Chunked-prefill scale-up": "Chunked prefill 扩展分析",
    "SLA search": "SLA 搜索",
    "SLA search (PD disaggregated)": "SLA 搜索（PD 分离）",
    "Capacity planner": "容量规划",
    "Throughput frontier": "吞吐前沿",
    "Host bandwidth": "主机带宽",
    "MoE expert offload": "MoE 专家卸载",
    "Calibration": "校准",
    "Example / Latency Inspector": "示例 / 时延检查器",
    "Example Latency Inspector": "示例：时延检查器",
    # header descriptions
    "Pure compute view: FLOPs per phase and op, compute time under custom kernel efficiencies, per-token latency "
    "and throughput curves.": "纯计算视角：各阶段与各算子的 FLOPs、自定义 kernel 效率下的计算时间、每 token 时延与吞吐曲线。",
    "Prefill and decode stages of one scenario: times, utilisation, compute vs bandwidth share.": "单个场景的 prefill 与 decode 阶段：耗时、利用率、计算与带宽占比。",
    "Many scenarios evaluated together: stacked comparison, total throughput and SLA statistics.": "多个场景一起评估：堆叠对比、总吞吐与 SLA 统计。",
    "TP × concurrency scale-up of chunked prefill + decode, simulated.": "chunked prefill + decode 在 TP × 并发上的扩展，模拟得出。",
    "One scenario, fewest inputs: prefill/decode per-op times, bytes, TTFT/TPOT/tok/s and the overlap timeline.": "一个场景、最少输入：prefill/decode 各算子耗时与字节数、TTFT/TPOT/tok/s 以及重叠时间线。",
    "Weights per GPU, KV-cache capacity, and whether the HBM budget is enough.": "每卡权重、KV 缓存容量，以及 HBM 预算是否够用。",
    "Fit the hardware profile to measured step latencies (derating factors, efficiency curves, overheads).": "用实测步时延拟合硬件配置（降额系数、效率曲线、开销）。",
    "Search TP × DP (× EP) × concurrency × chunked-prefill budget for the configurations that meet the SLA.": "在 TP × DP（× EP）× 并发 × chunked prefill 预算中搜索满足 SLA 的配置。",
    "Prefill and decode pools on one GPU budget: rate matching, KV transfer, best x:y, compared with the best "
    "aggregated configuration.": "同一 GPU 预算下的 prefill 池与 decode 池：速率匹配、KV 传输、最佳 x:y，并与最佳合并部署对比。",
    "Distributions × chunk sizes × policies × load × seeds on every core.": "分布 × chunk 大小 × 策略 × 负载 × 随机种子，在所有 CPU 核上并行运行。",
    "Continuous batching, chunked prefill, KV blocks and preemption, priced step by step by the shared cost model.": "连续批处理、chunked prefill、KV 块与抢占，由共享成本模型逐步计价。",
}
_SECTIONS = {
    "Start": "开始",
    "Estimate": "估算",
    "Kernels": "算子",
    "Serving": "服务",
    "Offload": "卸载",
    "Calibrate": "校准",
    "Examples": "示例",
}

STRINGS = {f"page:{en}": {"en": en, "zh": zh} for en, zh in _PAGES.items()}
STRINGS.update({f"section:{en}": {"en": en, "zh": zh} for en, zh in _SECTIONS.items()})
