"""Inputs of the SLA search pages (``dashboard/scale_up_search.py`` and
``dashboard/scale_up_search_pd_disaggregate.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.state.validate import check_float as check_number
from dashboard.state.validate import check_int as check_int_value
from dashboard.state.validate import check_int_tuple

__all__ = ["PDSearchInputs", "ScaleUpSearchInputs", "check_int_tuple", "check_int_value", "check_number"]


def _check_search_fields(v: Any, gpus: tuple[int, int], min_output: int) -> None:
    """Validation shared by the aggregated and disaggregated search inputs."""
    check_int_value("gpus", v.gpus, *gpus)
    check_int_value("input_len", v.input_len, 1, 2_000_000)
    check_int_value("output_len", v.output_len, min_output, 2_000_000)
    check_number("ttft_ms", v.ttft_ms, 0.0, 1e9)
    check_number("tpot_ms", v.tpot_ms, 0.0, 1e9)
    check_number("min_tps_per_user", v.min_tps_per_user, 0.0, 1e9)
    check_int_tuple("tp_values", v.tp_values, 1, 1024, 16)
    check_int_tuple("concurrency", v.concurrency, 1, 65536, 32)
    check_int_tuple("budgets", v.budgets, 1, 1_000_000, 8)


@dataclass(frozen=True)
class ScaleUpSearchInputs:
    """GPU budget, workload, SLA (``0`` = no target), search space and GPU price.

    ``concurrency`` is per engine (DP replica); ``budgets`` are chunked-prefill token budgets per
    step; ``dp_mode`` ``"all"`` lists every DP degree that fits, ``"max"`` only the largest.
    """

    gpus: int = 8
    input_len: int = 1024
    output_len: int = 1024
    ttft_ms: float = 1000.0
    tpot_ms: float = 50.0
    min_tps_per_user: float = 0.0
    tp_values: tuple[int, ...] = (1, 2, 4, 8)
    concurrency: tuple[int, ...] = tuple(2**i for i in range(11))
    budgets: tuple[int, ...] = (512, 2048, 8192)
    dp_mode: str = "max"
    usd_per_gpu_hour: float = 2.5
    sim_top: int = 3
    ttft_percentile: float = 90.0

    def __post_init__(self) -> None:
        _check_search_fields(self, gpus=(1, 4096), min_output=1)
        if self.dp_mode not in ("all", "max"):
            raise ValueError("dp_mode must be 'all' or 'max'")
        check_number("usd_per_gpu_hour", self.usd_per_gpu_hour, 0.0, 1e6)
        check_int_value("sim_top", self.sim_top, 1, 10)
        check_number("ttft_percentile", self.ttft_percentile, 1.0, 100.0)


@dataclass(frozen=True)
class PDSearchInputs:
    """The aggregated inputs plus the KV-transfer link of the disaggregated search."""

    gpus: int = 8
    input_len: int = 4096
    output_len: int = 512
    ttft_ms: float = 2000.0
    tpot_ms: float = 50.0
    min_tps_per_user: float = 0.0
    tp_values: tuple[int, ...] = (1, 2, 4, 8)
    concurrency: tuple[int, ...] = tuple(2**i for i in range(11))
    budgets: tuple[int, ...] = (512, 2048, 8192)
    link: str = "ib"
    usd_per_gpu_hour: float = 2.5

    def __post_init__(self) -> None:
        _check_search_fields(self, gpus=(2, 512), min_output=2)
        if self.link not in ("nvlink", "ib", "pcie"):
            raise ValueError("link must be nvlink, ib or pcie")
        check_number("usd_per_gpu_hour", self.usd_per_gpu_hour, 0.0, 1e6)
