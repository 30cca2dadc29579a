"""Inputs of the SLA search pages (``dashboard/scale_up_search.py`` and
``dashboard/scale_up_search_pd_disaggregate.py``).

Every field refers to its one declaration on the search's domain dataclasses (``like``:
``GpuBudget``, ``Workload``, ``SLA``, ``SearchSpace``, ``Economics``); the pages narrow a few (SLA
targets use ``0`` for "no target" where the domain uses ``None``). Page-only fields (``sim_top``,
the KV-transfer ``link``) are declared here with ``param``."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.kv_transfer import LINKS
from dashboard.features.parallel import GpuBudget
from dashboard.features.params import like, param, validate_params
from dashboard.services.search import SLA, Economics, SearchSpace, Workload
from dashboard.state.shape import check_context_fits

__all__ = ["PDSearchInputs", "ScaleUpSearchInputs"]

_CONCURRENCY = tuple(2**i for i in range(11))


@dataclass(frozen=True)
class ScaleUpSearchInputs:
    """GPU budget, workload, SLA (``0`` = no target), search space and GPU price.

    ``concurrency`` is per engine (DP replica); ``budgets`` are chunked-prefill token budgets per
    step; ``dp_mode`` ``"all"`` lists every DP degree that fits, ``"max"`` only the largest.
    """

    gpus: int = like(GpuBudget, "gpus")
    input_len: int = like(Workload, "input_len")
    output_len: int = like(Workload, "output_len")
    ttft_ms: float = like(SLA, "ttft_ms", 1000.0, open_lo=False, optional=False, help="0 = no target")
    tpot_ms: float = like(SLA, "tpot_ms", 50.0, open_lo=False, optional=False, help="0 = no target")
    min_tps_per_user: float = like(SLA, "min_tps_per_user", 0.0, open_lo=False, optional=False, help="0 = none")
    tp_values: tuple[int, ...] = like(SearchSpace, "tp")
    concurrency: tuple[int, ...] = like(SearchSpace, "concurrency", _CONCURRENCY, max_items=32)
    budgets: tuple[int, ...] = like(SearchSpace, "budgets", (512, 2048, 8192), max_items=8)
    dp_mode: str = like(SearchSpace, "dp_mode", "max")
    usd_per_gpu_hour: float = like(Economics, "usd_per_gpu_hour")
    sim_top: int = param(3, lo=1, hi=10, unit="configurations", label="Simulator re-check of the best")
    ttft_percentile: float = like(SLA, "ttft_percentile", 90.0)

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")


@dataclass(frozen=True)
class PDSearchInputs:
    """The aggregated inputs plus the KV-transfer link of the disaggregated search (at least 2 GPUs:
    one prefill and one decode engine; at least 2 output tokens: one from each)."""

    gpus: int = like(GpuBudget, "gpus", lo=2, hi=512)
    input_len: int = like(Workload, "input_len", 4096)
    output_len: int = like(Workload, "output_len", 512, lo=2)
    ttft_ms: float = like(SLA, "ttft_ms", 2000.0, open_lo=False, optional=False, help="0 = no target")
    tpot_ms: float = like(SLA, "tpot_ms", 50.0, open_lo=False, optional=False, help="0 = no target")
    min_tps_per_user: float = like(SLA, "min_tps_per_user", 0.0, open_lo=False, optional=False, help="0 = none")
    tp_values: tuple[int, ...] = like(SearchSpace, "tp")
    concurrency: tuple[int, ...] = like(SearchSpace, "concurrency", _CONCURRENCY, max_items=32)
    budgets: tuple[int, ...] = like(SearchSpace, "budgets", (512, 2048, 8192), max_items=8)
    link: str = param("ib", choices=LINKS, label="KV-transfer link")
    usd_per_gpu_hour: float = like(Economics, "usd_per_gpu_hour")

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
