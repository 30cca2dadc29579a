"""Inputs of the simulator sweep page (``dashboard/scale_up_sweep_with_sim.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import like, param, validate_params
from dashboard.services.search import SLA
from dashboard.services.sweep_run import SweepRun
from dashboard.sim.workload import WorkloadConfig
from dashboard.sim_scheduler import SchedulerConfig

__all__ = ["POLICIES", "SWEEP_LOADS", "SweepInputs"]

POLICIES = ("chunked", "prefill_first")
SWEEP_LOADS = ("rate", "concurrency")


@dataclass(frozen=True)
class SweepInputs:
    """Request distributions × token budgets × scheduler policies × load points × seeds; goodput is
    evaluated under every SLA of ``sla_ttft_list × sla_tpot_list`` (ms, 0 = no target). ``load``
    chooses whether ``loads`` are request rates (req/s, Poisson) or closed-loop concurrencies."""

    # mirrored domain fields refer to their declaration (dashboard/features/params.py); page-only
    # fields are declared here with ``param``
    num_requests: int = like(WorkloadConfig, "num_requests", 60, hi=5000)
    input_len: int = like(WorkloadConfig, "input_len", hi=131_072)
    output_len: int = like(WorkloadConfig, "output_len", 64, hi=32_768)
    spread: float = like(WorkloadConfig, "input_spread", hi=1.0, label="Length spread", help="of both lengths")
    dists: tuple[str, ...] = like(WorkloadConfig, "input_dist", ("fixed", "lognormal"), label="Length distributions")
    budgets: tuple[int, ...] = like(
        SchedulerConfig, "max_num_batched_tokens", (512, 2048), lo=16, hi=65_536, max_items=6
    )
    policies: tuple[str, ...] = param(("chunked", "prefill_first"), choices=POLICIES, label="Scheduler policies")
    load: str = param("rate", choices=SWEEP_LOADS, label="Load points are")
    loads: tuple[float, ...] = param(
        (4.0, 16.0), lo=0.001, hi=100_000.0, max_items=12, label="Load points", help="req/s or concurrent clients"
    )
    seeds: int = param(2, lo=1, hi=10, label="Seeds per point")
    max_num_seqs: int = like(SchedulerConfig, "max_num_seqs", hi=4096)
    sla_ttft_list: tuple[float, ...] = like(
        SLA, "ttft_ms", (500.0, 2000.0), open_lo=False, optional=False, max_items=4, help="0 = no target"
    )
    sla_tpot_list: tuple[float, ...] = like(
        SLA, "tpot_ms", (50.0,), open_lo=False, optional=False, max_items=4, help="0 = no target"
    )
    workers: int = like(SweepRun, "workers", 0, lo=0, hi=256, optional=False, help="0 = every CPU core")

    def __post_init__(self) -> None:
        validate_params(self)
