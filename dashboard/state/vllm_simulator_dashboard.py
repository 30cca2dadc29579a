"""Inputs of the vLLM scheduler simulator page (``dashboard/vllm_simulator_dashboard.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.services.search import SLA
from dashboard.sim.policies import Routing
from dashboard.sim.workload import WorkloadConfig
from dashboard.sim_scheduler import SchedulerConfig

__all__ = [
    "BLOCK_SIZES",
    "HEAT_METRICS",
    "KV_STRATEGIES",
    "LOAD_MODES",
    "SimulatorInputs",
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
    # only narrows what its widgets offer; page-only fields are declared here with ``param``
    num_requests: int = like(WorkloadConfig, "num_requests", hi=20_000)
    input_len: int = like(WorkloadConfig, "input_len", hi=131_072)
    output_len: int = like(WorkloadConfig, "output_len", hi=32_768)
    input_dist: str = like(WorkloadConfig, "input_dist")
    output_dist: str = like(WorkloadConfig, "output_dist")
    spread: float = like(WorkloadConfig, "input_spread", hi=1.0, label="Length spread", help="of both lengths")
    load_mode: str = param("rate", choices=LOAD_MODES, label="Load")
    arrival: str = like(WorkloadConfig, "arrival")
    request_rate: float = like(
        WorkloadConfig, "request_rate", 8.0, lo=0.001, open_lo=False, hi=10_000.0, optional=False
    )
    burstiness: float = like(WorkloadConfig, "burstiness", lo=0.01, open_lo=False, hi=100.0)
    concurrency: int = like(WorkloadConfig, "concurrency", 16, hi=4096, optional=False)
    max_num_batched_tokens: int = like(SchedulerConfig, "max_num_batched_tokens", hi=65_536)
    max_num_seqs: int = like(SchedulerConfig, "max_num_seqs", hi=4096)
    block_size: int = like(SchedulerConfig, "block_size", choices=BLOCK_SIZES)
    chunked_prefill: bool = param(True, label="Chunked prefill")
    kv_strategy: str = param("memory_model", choices=KV_STRATEGIES, label="KV blocks from")
    gpu_memory_utilization: float = like(SchedulerConfig, "gpu_memory_utilization", lo=0.05, open_lo=False)
    num_kv_blocks: int = like(SchedulerConfig, "num_kv_blocks", 4096, hi=10_000_000, optional=False)
    prefix_cache_hit: float = like(SchedulerConfig, "prefix_cache_hit")
    dp: int = like(ParallelConfig, "dp", hi=64)
    router: str = like(Routing, "router")
    seed: int = like(WorkloadConfig, "seed", hi=1_000_000)
    sla_ttft_ms: float = like(SLA, "ttft_ms", 1000.0, open_lo=False, optional=False, help="0 = no target")
    sla_tpot_ms: float = like(SLA, "tpot_ms", 50.0, open_lo=False, optional=False, help="0 = no target")
    concurrencies: tuple[int, ...] = like(
        WorkloadConfig,
        "concurrency",
        (1, 4, 16, 64, 256),
        hi=4096,
        max_items=12,
        optional=False,
        label="Sweep concurrencies",
    )
    budgets: tuple[int, ...] = like(
        SchedulerConfig, "max_num_batched_tokens", (512, 2048, 8192), lo=16, hi=65_536, max_items=8
    )
    sweep_requests: int = like(WorkloadConfig, "num_requests", 24, hi=2000, label="Requests per sweep point")
    heat_metric: str = param("ttft_p90_ms", choices=HEAT_METRICS, label="Heat-map metric")

    def __post_init__(self) -> None:
        validate_params(self)
