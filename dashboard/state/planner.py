"""Inputs of the capacity planner page (``dashboard/planner.py``) and the frontier page
(``dashboard/frontier.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.state.validate import check_float, check_int, check_int_tuple

__all__ = ["FrontierInputs", "PlannerInputs", "parse_prices"]

_ENGINES = ("vllm", "sglang", "trtllm")


def parse_prices(text: str) -> dict[str, float]:
    """``"h200=4, b200=6.03"`` → ``{"h200": 4.0, "b200": 6.03}``; raises ``ValueError`` naming the
    bad item (US$ per GPU-hour, 0 … 1e6)."""
    out: dict[str, float] = {}
    items = [x.strip() for x in str(text).replace(";", ",").split(",") if x.strip()]
    if len(items) > 64:
        raise ValueError("at most 64 prices")
    for item in items:
        slug, sep, val = item.partition("=")
        try:
            v = float(val)
        except ValueError:
            v = -1.0
        if not sep or not slug.strip() or not 0.0 <= v <= 1e6:
            raise ValueError(f"price {item[:30]!r}: expected GPU=USD_PER_HOUR, e.g. h200=4.0")
        out[slug.strip()] = v
    return out


def _check_hw(hardware: object) -> None:
    if not isinstance(hardware, tuple) or not hardware or len(hardware) > 16:
        raise ValueError("hardware: pick 1 to 16 GPU types")
    for h in hardware:
        if not isinstance(h, str) or not h:
            raise ValueError("hardware: GPU types are preset names")


@dataclass(frozen=True)
class PlannerInputs:
    """GPU types to compare, engine, workload, load (rate or concurrency), SLA at a percentile
    (``0`` = no target), GPU limit, disaggregation mode, KV format and prices."""

    hardware: tuple[str, ...] = ("h100-sxm", "h200", "b200")
    engine: str = "vllm"
    input_len: int = 2048
    output_len: int = 256
    load_mode: str = "rate"
    request_rate: float = 10.0
    concurrency: int = 64
    ttft_ms: float = 1000.0
    tpot_ms: float = 40.0
    percentile: float = 90.0
    max_gpus: int = 64
    disaggregated: str = "auto"
    kv_dtype: str = "bf16"
    prices: str = ""

    def __post_init__(self) -> None:
        _check_hw(self.hardware)
        if self.engine not in _ENGINES:
            raise ValueError(f"engine must be one of {', '.join(_ENGINES)}")
        check_int("input_len", self.input_len, 1, 2_000_000)
        check_int("output_len", self.output_len, 1, 2_000_000)
        if self.load_mode not in ("rate", "concurrency"):
            raise ValueError("load_mode must be 'rate' or 'concurrency'")
        check_float("request_rate", self.request_rate, 0.0, 1e6, open_lo=True)
        check_int("concurrency", self.concurrency, 1, 1_000_000)
        check_float("ttft_ms", self.ttft_ms, 0.0, 1e9)
        check_float("tpot_ms", self.tpot_ms, 0.0, 1e9)
        check_float("percentile", self.percentile, 1.0, 100.0)
        check_int("max_gpus", self.max_gpus, 1, 4096)
        if self.disaggregated not in ("auto", "on", "off"):
            raise ValueError("disaggregated must be auto, on or off")
        if self.kv_dtype not in ("bf16", "fp8"):
            raise ValueError("kv_dtype must be bf16 or fp8")
        parse_prices(self.prices)


@dataclass(frozen=True)
class FrontierInputs:
    """Series = GPU types × engines × precisions; workload; concurrencies and TP degrees swept;
    the y metric; prices for the per-dollar axis."""

    hardware: tuple[str, ...] = ("h100-sxm", "h200", "b200")
    engines: tuple[str, ...] = ("vllm",)
    precisions: tuple[str, ...] = ("native",)
    input_len: int = 1024
    output_len: int = 1024
    concurrency: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
    tp_values: tuple[int, ...] = (1, 2, 4, 8)
    y_metric: str = "output_tok_s_per_gpu"
    frontier_only: bool = False
    disaggregated: bool = False
    pd_gpus: int = 16
    prices: str = ""

    def __post_init__(self) -> None:
        _check_hw(self.hardware)
        if not self.engines or any(e not in _ENGINES for e in self.engines):
            raise ValueError(f"engines: pick from {', '.join(_ENGINES)}")
        if not self.precisions or any(p not in ("native", "bf16", "fp8", "fp4") for p in self.precisions):
            raise ValueError("precisions: pick from native, bf16, fp8, fp4")
        check_int("input_len", self.input_len, 1, 2_000_000)
        check_int("output_len", self.output_len, 1, 2_000_000)
        check_int_tuple("concurrency", self.concurrency, 1, 4096, 32)
        check_int_tuple("tp_values", self.tp_values, 1, 8, 8)
        if self.y_metric not in (
            "output_tok_s_per_gpu",
            "total_tok_s_per_gpu",
            "input_tok_s_per_gpu",
            "tokens_per_usd",
            "tokens_per_joule",
        ):
            raise ValueError("y_metric is not one of the offered axes")
        check_int("pd_gpus", self.pd_gpus, 2, 64)
        parse_prices(self.prices)
