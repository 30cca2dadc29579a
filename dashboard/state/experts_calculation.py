"""Inputs of the MoE expert-offload page (``dashboard/experts_calculation.py``), validated on construction."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.dtypes import WEIGHT_DTYPES
from dashboard.features.offload import (
    DEFAULT_DDR_EFFICIENCY,
    DEFAULT_LINK_EFFICIENCY,
    DEFAULT_PAGEABLE_FACTOR,
    LINKS,
    HostLinkConfig,
    Popularity,
)
from dashboard.state.validate import check_float as _num
from dashboard.state.validate import check_int as _int

__all__ = ["CHECKPOINT", "SIDEBAR", "ExpertsInputs"]

SIDEBAR = "sidebar"  # model / weight dtype: use the sidebar's choice
CHECKPOINT = "checkpoint"  # weight dtype: the format the model's checkpoint ships (fp8 DeepSeek-V3, mxfp4 gpt-oss)
POPULARITY = ("uniform", "zipf")


@dataclass(frozen=True)
class ExpertsInputs:
    """Model and layout, the reload window, the host path, the decode workload and its latency budget."""

    moe_model: str = SIDEBAR  # not "model": that query parameter is the sidebar's
    weight_dtype: str = CHECKPOINT
    tp_size: int = 1  # not "tp"/"ep": those query parameters are the sidebar defaults
    ep_size: int = 1
    dp_size: int = 1
    window_ms: float = 10.0
    batch: int = 32
    context: int = 4096
    sla_ms: float = 100.0  # TPOT budget
    reserved_fraction: float = 0.10
    popularity: str = "zipf"
    zipf_exponent: float = 1.0
    prefetch_window: int = 1
    link: str = "auto"
    link_gb_s: float = 0.0
    ddr_gb_s: float = 0.0
    link_efficiency: float = DEFAULT_LINK_EFFICIENCY
    ddr_efficiency: float = DEFAULT_DDR_EFFICIENCY
    pinned: bool = True
    pageable_factor: float = DEFAULT_PAGEABLE_FACTOR
    gpus_per_socket: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.moe_model, str) or not self.moe_model:
            raise ValueError("model must be a preset slug or 'sidebar'")
        if self.weight_dtype not in (SIDEBAR, CHECKPOINT, *WEIGHT_DTYPES):
            raise ValueError(f"weight dtype must be 'sidebar', 'checkpoint' or one of {', '.join(WEIGHT_DTYPES)}")
        for name in ("tp_size", "ep_size", "dp_size"):
            _int(name[:2].upper(), getattr(self, name), 1, 1024)
        _num("window (ms)", self.window_ms, 0.001, 1e6)
        _int("batch", self.batch, 1, 65_536)
        _int("context", self.context, 1, 2_000_000)
        _num("latency budget (ms)", self.sla_ms, 0.001, 1e7)
        _num("reserved HBM fraction", self.reserved_fraction, 0.0, 0.9)
        if self.popularity not in POPULARITY:
            raise ValueError(f"popularity must be one of {', '.join(POPULARITY)}")
        _int("prefetch window", self.prefetch_window, 0, 1_000)
        if self.link not in LINKS:
            raise ValueError(f"link must be one of {', '.join(LINKS)}")
        self.popularity_model()
        self.link_config()

    def popularity_model(self) -> Popularity:
        return Popularity(self.popularity, float(self.zipf_exponent))

    def link_config(self) -> HostLinkConfig:
        return HostLinkConfig(
            link=self.link,
            link_gb_s=float(self.link_gb_s),
            ddr_gb_s=float(self.ddr_gb_s),
            link_efficiency=float(self.link_efficiency),
            ddr_efficiency=float(self.ddr_efficiency),
            pinned=self.pinned,
            pageable_factor=float(self.pageable_factor),
            gpus_per_socket=self.gpus_per_socket,
        )
