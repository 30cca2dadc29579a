"""Inputs of the vLLM scheduler simulator page (``dashboard/vllm_simulator_dashboard.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import like, validate_params
from dashboard.sim.workload import WorkloadConfig
from dashboard.sim_scheduler import SchedulerConfig
from dashboard.state.validate import check_float, check_int, check_int_tuple

__all__ = [
    "BLOCK_SIZES",
    "HEAT_METRICS",
    "KV_STRATEGIES",
    "LOAD_MODES",
    "SimulatorInputs",
    "check_float",
    "check_int",
    "check_int_tuple",
]

LOAD_MODES = ("rate", "concurrency", "burst", "trace")
KV_STRATEGIES = ("memory_model", "fixed_blocks")
BLOCK_SIZES = (8, 16, 32, 64, 128)
HEAT_METRICS = ("ttft_p90_ms", "tpot_p90_ms", "e2e_p90_ms", "output_throughput_tok_s", "goodput_req_s", "mfu")


@dataclass(frozen=True)
class SimulatorInputs:
    """Workload, scheduler, KV strategy, DP and the sweep axes of the simulator page.

    ``load_mode``: ``rate`` (Poisson/gamma/constant arrivals at ``request_rate``), ``concurrency``
    (closed loop), ``burst`` (every request at t = 0) or ``trace`` (an uploaded CSV of
    ``arrival_s,prompt_tokens,output_tokens``). ``kv_strategy``: ``memory_model`` (blocks
    from the memory model at ``gpu_memory_utilization``) or ``fixed_blocks`` (``num_kv_blocks``).
    """

    # mirrored domain fields refer to their one declaration (dashboard/features/params.py); the page
    # only narrows what its widgets offer
    num_requests: int = like(WorkloadConfig, "num_requests", hi=20_000)
    input_len: int = like(WorkloadConfig, "input_len", hi=131_072)
    output_len: int = like(WorkloadConfig, "output_len", hi=32_768)
    input_dist: str = "fixed"
    output_dist: str = "fixed"
    spread: float = 0.5
    load_mode: str = "rate"
    arrival: str = "poisson"
    request_rate: float = 8.0
    burstiness: float = 1.0
    concurrency: int = 16
    max_num_batched_tokens: int = like(SchedulerConfig, "max_num_batched_tokens", hi=65_536)
    max_num_seqs: int = like(SchedulerConfig, "max_num_seqs", hi=4096)
    block_size: int = like(SchedulerConfig, "block_size", choices=BLOCK_SIZES)
    chunked_prefill: bool = True
    kv_strategy: str = "memory_model"
    gpu_memory_utilization: float = like(SchedulerConfig, "gpu_memory_utilization", lo=0.05, open_lo=False)
    num_kv_blocks: int = like(SchedulerConfig, "num_kv_blocks", 4096, hi=10_000_000, optional=False)
    prefix_cache_hit: float = like(SchedulerConfig, "prefix_cache_hit")
    dp: int = 1
    router: str = "round_robin"
    seed: int = 0
    sla_ttft_ms: float = 1000.0
    sla_tpot_ms: float = 50.0
    concurrencies: tuple[int, ...] = (1, 8, 64)
    budgets: tuple[int, ...] = (512, 2048, 8192)
    sweep_requests: int = 24
    heat_metric: str = "ttft_p90_ms"

    def __post_init__(self) -> None:
        from dashboard.sim_scheduler import ARRIVALS, LENGTH_DISTS, ROUTERS

        validate_params(self)
        for name in ("input_dist", "output_dist"):
            if getattr(self, name) not in LENGTH_DISTS:
                raise ValueError(f"{name} must be one of {', '.join(LENGTH_DISTS)}")
        check_float("spread", self.spread, 0.0, 1.0)
        if self.load_mode not in LOAD_MODES:
            raise ValueError(f"load_mode must be one of {', '.join(LOAD_MODES)}")
        if self.arrival not in ARRIVALS:
            raise ValueError(f"arrival must be one of {', '.join(ARRIVALS)}")
        check_float("request_rate", self.request_rate, 0.001, 10_000.0)
        check_float("burstiness", self.burstiness, 0.01, 100.0)
        check_int("concurrency", self.concurrency, 1, 4096)
        if self.kv_strategy not in KV_STRATEGIES:
            raise ValueError(f"kv_strategy must be one of {', '.join(KV_STRATEGIES)}")
        check_int("dp", self.dp, 1, 64)
        if self.router not in ROUTERS:
            raise ValueError(f"router must be one of {', '.join(ROUTERS)}")
        check_int("seed", self.seed, 0, 1_000_000)
        check_float("sla_ttft_ms", self.sla_ttft_ms, 0.0, 1e9)
        check_float("sla_tpot_ms", self.sla_tpot_ms, 0.0, 1e9)
        check_int_tuple("concurrencies", self.concurrencies, 1, 4096, 12)
        check_int_tuple("budgets", self.budgets, 16, 65_536, 8)
        check_int("sweep_requests", self.sweep_requests, 1, 2000)
        if self.heat_metric not in HEAT_METRICS:
            raise ValueError(f"heat_metric must be one of {', '.join(HEAT_METRICS)}")
