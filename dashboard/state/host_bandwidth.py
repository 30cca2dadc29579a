"""Inputs of the host-bandwidth page (``dashboard/host_bandwidth.py``), validated on construction.

The host-path fields refer to their declaration on :class:`~dashboard.features.offload.HostLinkConfig`
(``like``); the page-only fields are declared here (``param``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.kv_offload import KvTierLoad
from dashboard.features.offload import HostLinkConfig, OffloadKnobs, Popularity
from dashboard.features.params import build_from, like, param, validate_params
from dashboard.features.request import RequestShape

__all__ = ["PHASES", "HostBandwidthInputs"]

PHASES = ("decode", "prefill")


@dataclass(frozen=True)
class HostBandwidthInputs:
    """One step (decode of ``batch`` sequences at ``context`` tokens, or prefill of ``batch`` prompts of
    ``context`` tokens), the expert residency/popularity, and the host path."""

    phase: str = param("decode", choices=PHASES, label="Phase")
    batch: int = like(RequestShape, "batch", 32)
    context: int = like(RequestShape, "context")
    resident_experts: int = param(
        32, lo=0, hi=100_000, unit="experts per MoE layer", label="Resident experts", help="clamped to the model's"
    )
    popularity: str = like(Popularity, "kind", "zipf")
    zipf_exponent: float = like(Popularity, "exponent")
    histogram: tuple[float, ...] = param((8.0, 4.0, 2.0, 1.0), lo=0.0, max_items=4096, label="Histogram weights")
    prefetch_window: int = like(OffloadKnobs, "prefetch_window", hi=1_000)
    kv_writeback_ratio: float = like(OffloadKnobs, "kv_writeback_ratio", 1.0)
    link: str = like(HostLinkConfig, "link")
    link_gb_s: float = like(HostLinkConfig, "link_gb_s")
    ddr_gb_s: float = like(HostLinkConfig, "ddr_gb_s")
    link_efficiency: float = like(HostLinkConfig, "link_efficiency")
    ddr_efficiency: float = like(HostLinkConfig, "ddr_efficiency")
    pinned: bool = like(HostLinkConfig, "pinned")
    pageable_factor: float = like(HostLinkConfig, "pageable_factor")
    gpus_per_socket: int = like(HostLinkConfig, "gpus_per_socket")
    full_duplex: bool = like(HostLinkConfig, "full_duplex")
    batch_sweep: tuple[int, ...] = like(
        RequestShape, "batch", (1, 2, 4, 8, 16, 32, 64, 128, 256), max_items=32, label="Batch sweep"
    )
    # KV-cache CPU tier on the same link (0 req/s = no tier)
    kv_tier_rate: float = like(KvTierLoad, "request_rate")
    kv_tier_prompt: int = like(RequestShape, "input_len", 4096, label="KV-tier prompt")
    kv_tier_output: int = like(RequestShape, "output_len", 256, label="KV-tier output")
    kv_tier_hit: float = like(KvTierLoad, "cpu_hit_rate")

    def __post_init__(self) -> None:
        validate_params(self)
        self.popularity_model()  # the histogram needs a positive weight

    def popularity_model(self) -> Popularity:
        return Popularity(self.popularity, float(self.zipf_exponent), tuple(float(x) for x in self.histogram))

    def link_config(self) -> HostLinkConfig:
        return build_from(HostLinkConfig, self)
