"""Inputs of the MoE expert-offload page (``dashboard/experts_calculation.py``), validated on construction.

The host-path and popularity fields refer to their declarations in :mod:`dashboard.features.offload`
(``like``); the page-only fields are declared here (``param``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.offload import HostLinkConfig, OffloadKnobs, Popularity
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.params import build_from, like, param, param_specs, validate_params
from dashboard.features.request import CostSettings, RequestShape

__all__ = ["CHECKPOINT", "SIDEBAR", "ExpertsInputs"]

SIDEBAR = "sidebar"  # model / weight dtype: use the sidebar's choice
CHECKPOINT = "checkpoint"  # weight dtype: the format the model's checkpoint ships (fp8 DeepSeek-V3, mxfp4 gpt-oss)
POPULARITY = ("uniform", "zipf")


@dataclass(frozen=True)
class ExpertsInputs:
    """Model and layout, the reload window, the host path, the decode workload and its latency budget."""

    # not "model": that query parameter is the sidebar's
    moe_model: str = param(SIDEBAR, label="MoE model", help="a preset slug or 'sidebar'")
    weight_dtype: str = like(
        Dtypes, "weight", CHECKPOINT, choices=(SIDEBAR, CHECKPOINT, *(param_specs(Dtypes)["weight"].choices or ()))
    )
    # not "tp"/"ep": those query parameters are the sidebar defaults
    tp_size: int = like(ParallelConfig, "tp")
    ep_size: int = like(ParallelConfig, "ep")
    dp_size: int = like(ParallelConfig, "dp")
    window_ms: float = param(10.0, lo=0.001, hi=1e6, unit="ms", label="Reload window")
    batch: int = like(RequestShape, "batch", 32, label="Decode batch")
    context: int = like(RequestShape, "context")
    sla_ms: float = param(100.0, lo=0.001, hi=1e7, unit="ms", label="TPOT budget")
    reserved_fraction: float = like(CostSettings, "reserved_fraction", hi=0.9, open_hi=False)
    popularity: str = like(Popularity, "kind", "zipf", choices=POPULARITY)
    zipf_exponent: float = like(Popularity, "exponent")
    prefetch_window: int = like(OffloadKnobs, "prefetch_window", hi=1_000)
    link: str = like(HostLinkConfig, "link")
    link_gb_s: float = like(HostLinkConfig, "link_gb_s")
    ddr_gb_s: float = like(HostLinkConfig, "ddr_gb_s")
    link_efficiency: float = like(HostLinkConfig, "link_efficiency")
    ddr_efficiency: float = like(HostLinkConfig, "ddr_efficiency")
    pinned: bool = like(HostLinkConfig, "pinned")
    pageable_factor: float = like(HostLinkConfig, "pageable_factor")
    gpus_per_socket: int = like(HostLinkConfig, "gpus_per_socket")

    def __post_init__(self) -> None:
        validate_params(self)
        if not self.moe_model:
            raise ValueError("moe_model must be a preset slug or 'sidebar'")

    def popularity_model(self) -> Popularity:
        return Popularity(self.popularity, float(self.zipf_exponent))

    def link_config(self) -> HostLinkConfig:
        return build_from(HostLinkConfig, self)
