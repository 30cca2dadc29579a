"""Inputs of the simulator sweep page (``dashboard/scale_up_sweep_with_sim.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import like, validate_params
from dashboard.sim.workload import WorkloadConfig
from dashboard.sim_scheduler import SchedulerConfig
from dashboard.state.validate import check_float, check_int, check_int_tuple
from dashboard.state.validate import check_float_tuple as _check_float_tuple

__all__ = ["POLICIES", "SWEEP_LOADS", "SweepInputs"]

POLICIES = ("chunked", "prefill_first")
SWEEP_LOADS = ("rate", "concurrency")


@dataclass(frozen=True)
class SweepInputs:
    """Request distributions × token budgets × scheduler policies × load points × seeds; goodput is
    evaluated under every SLA of ``sla_ttft_list × sla_tpot_list`` (ms, 0 = no target). ``load``
    chooses whether ``loads`` are request rates (req/s, Poisson) or closed-loop concurrencies."""

    # mirrored domain fields refer to their declaration (dashboard/features/params.py)
    num_requests: int = like(WorkloadConfig, "num_requests", 60, hi=5000)
    input_len: int = like(WorkloadConfig, "input_len", hi=131_072)
    output_len: int = like(WorkloadConfig, "output_len", 64, hi=32_768)
    spread: float = 0.5
    dists: tuple[str, ...] = ("fixed", "lognormal")
    budgets: tuple[int, ...] = (512, 2048)
    policies: tuple[str, ...] = ("chunked", "prefill_first")
    load: str = "rate"
    loads: tuple[float, ...] = (4.0, 16.0)
    seeds: int = 2
    max_num_seqs: int = like(SchedulerConfig, "max_num_seqs", hi=4096)
    sla_ttft_list: tuple[float, ...] = (500.0, 2000.0)
    sla_tpot_list: tuple[float, ...] = (50.0,)
    workers: int = 0  # 0 = every CPU core

    def __post_init__(self) -> None:
        from dashboard.sim_scheduler import LENGTH_DISTS

        validate_params(self)
        check_float("spread", self.spread, 0.0, 1.0)
        if not isinstance(self.dists, tuple) or not self.dists or any(d not in LENGTH_DISTS for d in self.dists):
            raise ValueError(f"pick at least one distribution of {', '.join(LENGTH_DISTS)}")
        check_int_tuple("budgets", self.budgets, 16, 65_536, 6)
        if not isinstance(self.policies, tuple) or not self.policies or any(p not in POLICIES for p in self.policies):
            raise ValueError(f"pick at least one policy of {', '.join(POLICIES)}")
        if self.load not in SWEEP_LOADS:
            raise ValueError(f"load must be one of {', '.join(SWEEP_LOADS)}")
        _check_float_tuple("loads", self.loads, 0.001, 100_000.0, 12)
        check_int("seeds", self.seeds, 1, 10)
        _check_float_tuple("sla_ttft_list", self.sla_ttft_list, 0.0, 1e9, 4)
        _check_float_tuple("sla_tpot_list", self.sla_tpot_list, 0.0, 1e9, 4)
        check_int("workers", self.workers, 0, 256)
