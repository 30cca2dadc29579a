"""Inputs of the capacity planner page (``dashboard/planner.py``) and the frontier page
(``dashboard/frontier.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import coerce_param, like, param, validate_params
from dashboard.features.request import RequestShape
from dashboard.services.frontier import FrontierSettings
from dashboard.services.planner import PlanRequest
from dashboard.services.search import Economics
from dashboard.state.shape import check_context_fits

__all__ = ["FrontierInputs", "PlannerInputs", "parse_prices"]


def parse_prices(text: str) -> dict[str, float]:
    """``"h200=4, b200=6.03"`` → ``{"h200": 4.0, "b200": 6.03}``; raises ``ValueError`` naming the
    bad item; each price is checked against its one declaration, ``Economics.usd_per_gpu_hour``."""
    out: dict[str, float] = {}
    items = [x.strip() for x in str(text).replace(";", ",").split(",") if x.strip()]
    if len(items) > 64:
        raise ValueError("at most 64 prices")
    for item in items:
        slug, sep, val = item.partition("=")
        try:
            float(val)
        except ValueError:
            sep = ""
        if not sep or not slug.strip():
            raise ValueError(f"price {item[:30]!r}: expected GPU=USD_PER_HOUR, e.g. h200=4.0")
        out[slug.strip()] = coerce_param(Economics, "usd_per_gpu_hour", val)
    return out


def _check_hw(hardware: tuple[str, ...]) -> None:
    if any(not h for h in hardware):
        raise ValueError("hardware: GPU types are preset names")


@dataclass(frozen=True)
class PlannerInputs:
    """GPU types to compare, engine, workload, load (rate or concurrency), SLA at a percentile
    (``0`` = no target), GPU limit, disaggregation mode, KV format and prices. Every planner field
    refers to its declaration on :class:`~dashboard.services.planner.PlanRequest` (``like``); the
    page keeps both load values (``load_mode`` picks one) and uses ``0`` for "no SLA target"."""

    hardware: tuple[str, ...] = like(PlanRequest, "hardware", max_items=16)
    engine: str = like(PlanRequest, "engine")
    input_len: int = like(PlanRequest, "input_len")
    output_len: int = like(PlanRequest, "output_len")
    load_mode: str = param("rate", choices=("rate", "concurrency"), label="Load given as")
    request_rate: float = like(PlanRequest, "request_rate", 10.0, optional=False)
    concurrency: int = like(PlanRequest, "concurrency", 64, optional=False)
    ttft_ms: float = like(PlanRequest, "ttft_ms", 1000.0, open_lo=False, optional=False, help="0 = no target")
    tpot_ms: float = like(PlanRequest, "tpot_ms", 40.0, open_lo=False, optional=False, help="0 = no target")
    percentile: float = like(PlanRequest, "percentile")
    max_gpus: int = like(PlanRequest, "max_gpus")
    disaggregated: str = like(PlanRequest, "disaggregated")
    kv_dtype: str = like(PlanRequest, "kv_dtype", choices=("bf16", "fp8"))
    prices: str = param("", label="GPU prices", help="GPU=USD_PER_HOUR, comma separated")

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
        _check_hw(self.hardware)
        parse_prices(self.prices)


@dataclass(frozen=True)
class FrontierInputs:
    """Series = GPU types × engines × precisions; workload; concurrencies and TP degrees swept;
    the y metric; prices for the per-dollar axis."""

    hardware: tuple[str, ...] = like(PlanRequest, "hardware", max_items=16)
    engines: tuple[str, ...] = like(PlanRequest, "engine", ("vllm",), label="Serving engines")
    precisions: tuple[str, ...] = like(FrontierSettings, "precisions")
    input_len: int = like(RequestShape, "input_len", 1024)
    output_len: int = like(RequestShape, "output_len", 1024)
    # the page sweeps at most 4,096 clients, TP up to 8 (one node), fewer points than the service allows
    concurrency: tuple[int, ...] = like(FrontierSettings, "concurrency", hi=4096, max_items=32)
    tp_values: tuple[int, ...] = like(FrontierSettings, "tp_values", hi=8, max_items=8, label="TP values")
    y_metric: str = like(FrontierSettings, "y_metric", label="y axis")
    frontier_only: bool = param(False, label="Frontier points only")
    disaggregated: bool = like(FrontierSettings, "disaggregated")
    pd_gpus: int = like(FrontierSettings, "pd_gpus", label="GPUs per disaggregated deployment")
    prices: str = param("", label="GPU prices", help="GPU=USD_PER_HOUR, comma separated")

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
        _check_hw(self.hardware)
        parse_prices(self.prices)
