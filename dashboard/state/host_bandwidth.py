"""Inputs of the host-bandwidth page (``dashboard/host_bandwidth.py``), validated on construction."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.offload import (
    DEFAULT_DDR_EFFICIENCY,
    DEFAULT_LINK_EFFICIENCY,
    DEFAULT_PAGEABLE_FACTOR,
    LINKS,
    POPULARITY_KINDS,
    HostLinkConfig,
    Popularity,
)
from dashboard.state.validate import check_float as _num
from dashboard.state.validate import check_int as _int

__all__ = ["PHASES", "HostBandwidthInputs"]

PHASES = ("decode", "prefill")


@dataclass(frozen=True)
class HostBandwidthInputs:
    """One step (decode of ``batch`` sequences at ``context`` tokens, or prefill of ``batch`` prompts of
    ``context`` tokens), the expert residency/popularity, and the host path."""

    phase: str = "decode"
    batch: int = 32
    context: int = 4096
    resident_experts: int = 32  # per MoE layer, engine-wide (clamped to the model's experts)
    popularity: str = "zipf"
    zipf_exponent: float = 1.0
    histogram: tuple[float, ...] = (8.0, 4.0, 2.0, 1.0)
    prefetch_window: int = 1
    kv_writeback_ratio: float = 1.0
    link: str = "auto"
    link_gb_s: float = 0.0  # 0 = hardware profile
    ddr_gb_s: float = 0.0  # 0 = hardware profile
    link_efficiency: float = DEFAULT_LINK_EFFICIENCY
    ddr_efficiency: float = DEFAULT_DDR_EFFICIENCY
    pinned: bool = True
    pageable_factor: float = DEFAULT_PAGEABLE_FACTOR
    gpus_per_socket: int = 0  # 0 = auto (2 on Grace parts, else 4)
    full_duplex: bool = True
    batch_sweep: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
    # KV-cache CPU tier on the same link (0 req/s = no tier)
    kv_tier_rate: float = 2.0  # requests/s per GPU
    kv_tier_prompt: int = 4096
    kv_tier_output: int = 256
    kv_tier_hit: float = 0.5  # share of prompt tokens loaded from the CPU tier

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}")
        _int("batch", self.batch, 1, 65_536)
        _int("context", self.context, 1, 2_000_000)
        _int("resident experts", self.resident_experts, 0, 100_000)
        _int("prefetch window", self.prefetch_window, 0, 1_000)
        _num("KV write-back ratio", self.kv_writeback_ratio, 0.0, 1.0)
        if self.popularity not in POPULARITY_KINDS:
            raise ValueError(f"popularity must be one of {', '.join(POPULARITY_KINDS)}")
        if self.link not in LINKS:
            raise ValueError(f"link must be one of {', '.join(LINKS)}")
        if not self.batch_sweep or len(self.batch_sweep) > 32:
            raise ValueError("the batch sweep needs 1 to 32 batch sizes")
        for b in self.batch_sweep:
            _int("every batch size of the sweep", b, 1, 65_536)
        _num("KV-tier request rate", self.kv_tier_rate, 0.0, 100_000.0)
        _int("KV-tier prompt tokens", self.kv_tier_prompt, 1, 2_000_000)
        _int("KV-tier output tokens", self.kv_tier_output, 1, 2_000_000)
        _num("KV-tier CPU hit rate", self.kv_tier_hit, 0.0, 1.0)
        self.popularity_model()  # validates exponent / histogram
        self.link_config()  # validates bandwidths and efficiencies

    def popularity_model(self) -> Popularity:
        return Popularity(self.popularity, float(self.zipf_exponent), tuple(float(x) for x in self.histogram))

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
            full_duplex=self.full_duplex,
        )
