"""Labels of the editable hardware specs in the sidebar."""

STRINGS = {
    "spec.peak_tflops.bf16": {"en": "BF16 dense TFLOP/s", "zh": "BF16 稠密算力 TFLOP/s"},
    "spec.peak_tflops.fp8": {"en": "FP8 dense TFLOP/s", "zh": "FP8 稠密算力 TFLOP/s"},
    "spec.peak_tflops.fp4": {"en": "FP4 dense TFLOP/s", "zh": "FP4 稠密算力 TFLOP/s"},
    "spec.hbm_capacity_gb": {"en": "HBM capacity (GiB)", "zh": "HBM 容量（GiB）"},
    "spec.hbm_bandwidth_gb_s": {"en": "HBM bandwidth (GB/s)", "zh": "HBM 带宽（GB/s）"},
    "spec.scale_up.bandwidth_gb_s": {"en": "Scale-up link (GB/s per direction)", "zh": "Scale-up 互联（单向 GB/s）"},
    "spec.scale_up.domain_size": {"en": "Scale-up domain (GPUs)", "zh": "Scale-up 域大小（卡数）"},
    "spec.scale_out_gb_s": {"en": "Scale-out NIC (GB/s)", "zh": "Scale-out 网卡（GB/s）"},
    "spec.pcie.bandwidth_gb_s": {"en": "PCIe (GB/s per direction)", "zh": "PCIe（单向 GB/s）"},
    "spec.host_ddr_gb_s": {"en": "Host DDR (GB/s)", "zh": "主机 DDR（GB/s）"},
    "spec.l2_cache_mb": {"en": "L2 cache (MB)", "zh": "L2 缓存（MB）"},
    "spec.sm_count": {"en": "SMs / CUs", "zh": "SM / CU 数"},
    "spec.boost_clock_mhz": {"en": "Boost clock (MHz)", "zh": "加速频率（MHz）"},
    "spec.tdp_w": {"en": "TDP (W)", "zh": "TDP（W）"},
    "spec.efficiency.memory": {"en": "HBM efficiency (0–1)", "zh": "HBM 带宽效率（0–1）"},
    "spec.efficiency.kernel_overhead_us": {"en": "Per-kernel overhead (µs)", "zh": "单 kernel 开销（µs）"},
    "spec.efficiency.step_overhead_us": {"en": "Per-step overhead (µs)", "zh": "单步开销（µs）"},
    "spec.efficiency.comm": {"en": "Link efficiency (0–1)", "zh": "互联效率（0–1）"},
    "spec.efficiency.comm_latency_us": {"en": "Collective latency (µs)", "zh": "集合通信延迟（µs）"},
}
