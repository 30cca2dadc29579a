"""Table cell values shown in 简体中文 (``i18n.localize_value``; the CSV/JSON downloads keep the
English values). Keys are ``val.<the value as the services write it>``."""

_VALUES = {
    # roofline bound / bottleneck of an op or a kernel component
    "compute": "计算",
    "memory": "访存",
    "comm": "通信",
    # overview's phases
    "decode (mid-generation)": "decode（生成中途）",
    # quick memory components (services.estimation memory components)
    "weights": "权重",
    "activations": "激活",
    "runtime": "运行时预留",
    "kv": "KV 缓存",
    "free": "空闲",
    "reserved": "保留",
    # MMA levels
    "registers": "寄存器",
    "shared_memory": "共享内存",
    # planner plan mode
    "aggregated": "合并部署",
    "disaggregated": "PD 分离",
    # calibration parameters (services/calibration.py _Param descriptions) and units
    "Prefill attention rate (× swept attention kernel)": "Prefill attention 速率（× 扫描得到的 attention kernel）",
    "Link bandwidth efficiency (TP collectives)": "链路带宽效率（TP 集合通信）",
    "Latency per collective": "每次集合通信的延迟",
    "Compute derating (× baseline compute curves)": "算力折减（× 基准算力曲线）",
    "GEMM sustained-clock factor (× swept GEMM efficiency)": "GEMM 持续频率系数（× 扫描得到的 GEMM 效率）",
    "Per-kernel overhead": "每个 kernel 的开销",
    "Per-kernel overhead (from the GEMM sweep, fixed)": "每个 kernel 的开销（取自 GEMM 扫描，固定）",
    "HBM bandwidth efficiency": "HBM 带宽效率",
    "Per-step overhead": "每步开销",
    "Elementwise traffic, TP-sharded ops (activation, RoPE) (× minimal bytes)": "逐元素流量：按 TP 切分的算子（激活、RoPE）（× 最小字节数）",
    "Elementwise traffic, hidden-width ops (norms, residual adds) (× minimal bytes)": "逐元素流量：hidden 宽度的算子（归一化、残差相加）（× 最小字节数）",
    "Kernels per elementwise op": "每个逐元素算子的 kernel 数",
    "Decode-attention work-unit rate (seq × KV head)": "Decode attention 工作单元速率（序列 × KV 头）",
    "Fixed time per step": "每步固定耗时",
    "Time per GB of HBM traffic": "每 GB HBM 流量的耗时",
    "Time per TFLOP": "每 TFLOP 的耗时",
    "fraction": "比例",
}
STRINGS = {f"val.{k}": {"en": k, "zh": zh} for k, zh in _VALUES.items()}
