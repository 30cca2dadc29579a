"""KV-cache CPU tier: capacity in blocks and the time to bring a prefix hit back from host memory.

An optional second KV tier in host DRAM (vLLM's CPU offloading connector, LMCache): blocks evicted
from HBM are written to host memory; a later prefix hit in that tier is loaded back over the host
link instead of recomputed.

* **Capacity** — ``cpu_bytes_per_gpu ÷ block_bytes`` blocks, with ``block_bytes = block_size ×
  kv_bytes_per_token`` per GPU (the same per-GPU KV layout as HBM: a TP rank offloads its own heads).
* **Load time** of ``n`` blocks — ``latency_s + n · block_bytes ÷ rate``, where ``rate`` is the
  sustained host → GPU rate of the hardware profile's host path
  (:func:`dashboard.features.offload.host_to_device_rate`: the slowest of DDR share, PCIe/C2C at
  its measured efficiency, HBM) and ``latency_s`` a per-transfer setup cost (default 20 µs,
  the order of one ``cudaMemcpyAsync`` launch plus a DMA descriptor round trip).
* **Write-back** (HBM → host on eviction) uses the device → host direction of a full-duplex link
  and is asynchronous in both connectors, so it does not add to step time; it is counted in
  bytes moved.
* **Overlap** — the connector's semantics: ``layerwise`` (LMCache's layer-by-layer pipelined
  load; vLLM's offloading connector also loads before the forward and overlaps with other
  requests' compute) lets the step run while blocks arrive, so the step costs
  ``max(compute, load)``; ``blocking`` loads before the step starts (``compute + load``).

Units: bytes, seconds. Assumptions: pinned host buffers; one GPU's traffic per link (DDR shared
per the host-path config); recompute of a miss is priced by the cost model as usual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dashboard.features.hardware import HardwareProfile
from dashboard.features.offload import HostLinkConfig, host_to_device_rate
from dashboard.features.params import param, validate_params

__all__ = [
    "CONNECTOR_MODES",
    "CpuTierConfig",
    "KvTierLoad",
    "KvTierTraffic",
    "cpu_tier_blocks",
    "kv_load_time_s",
    "kv_tier_traffic",
    "step_time_with_load_s",
]

CONNECTOR_MODES: tuple[str, ...] = ("layerwise", "blocking")


@dataclass(frozen=True)
class CpuTierConfig:
    """The host-memory KV tier of one GPU: ``capacity_gib`` of pinned host memory per GPU,
    the host path (link kind, efficiencies: see :class:`~dashboard.features.offload.HostLinkConfig`),
    a per-transfer latency and the connector's overlap mode."""

    # declared once (dashboard/features/params.py): the simulator page and ``--kv-cpu-gib``
    capacity_gib: float = param(
        64.0, lo=0.0, hi=1 << 16, open_lo=True, unit="GiB per GPU", label="CPU KV tier", help="pinned host memory"
    )
    link: HostLinkConfig = field(default_factory=HostLinkConfig)
    latency_s: float = param(20e-6, lo=0.0, hi=1.0, unit="s", label="Per-transfer latency")
    mode: str = param(
        "layerwise", choices=CONNECTOR_MODES, label="Connector mode", help="loads overlap the step or block it"
    )

    def __post_init__(self) -> None:
        validate_params(self)


def cpu_tier_blocks(cfg: CpuTierConfig, block_bytes: float) -> int:
    """KV blocks the tier holds: ``⌊capacity ÷ block_bytes⌋`` (``block_bytes`` per GPU)."""
    if not block_bytes > 0:
        raise ValueError("block bytes must be positive")
    return int(cfg.capacity_gib * 2**30 // block_bytes)


def kv_load_time_s(hw: HardwareProfile, cfg: CpuTierConfig, nbytes: float) -> float:
    """Seconds to load ``nbytes`` of KV from the CPU tier into HBM: ``latency + bytes ÷ rate``
    (0 for nothing to load)."""
    if nbytes <= 0:
        return 0.0
    rate, _bottleneck, _rates = host_to_device_rate(hw, cfg.link)
    return cfg.latency_s + nbytes / rate


def step_time_with_load_s(compute_s: float, load_s: float, mode: str) -> float:
    """A step that also loads KV from the CPU tier: ``max(compute, load)`` when the connector
    overlaps (``layerwise``), ``compute + load`` when it blocks."""
    if mode == "layerwise":
        return max(compute_s, load_s)
    if mode == "blocking":
        return compute_s + load_s
    raise ValueError(f"connector mode must be one of {', '.join(CONNECTOR_MODES)}, got {mode!r}")


@dataclass(frozen=True)
class KvTierTraffic:
    """Steady host-link traffic of the CPU KV tier for one GPU (bytes/s) and its share of the
    host → GPU rate (``h2d_utilisation``) and of the GPU → host rate (``d2h_utilisation``; a
    full-duplex link carries write-back in the other direction)."""

    h2d_bytes_per_s: float
    d2h_bytes_per_s: float
    link_bytes_per_s: float
    h2d_utilisation: float
    d2h_utilisation: float

    def link_share(self, h2d_bytes_per_s: float) -> float:
        """Share of the host → GPU rate that ``h2d_bytes_per_s`` of other traffic (expert reloads)
        takes: ``bytes/s ÷ link_bytes_per_s``."""
        return h2d_bytes_per_s / self.link_bytes_per_s if self.link_bytes_per_s > 0 else math.inf

    def total_h2d_share(self, other_h2d_bytes_per_s: float) -> float:
        """Host → GPU share of this tier's loads plus ``other_h2d_bytes_per_s`` (above 1 the link
        cannot carry both)."""
        return self.link_share(self.h2d_bytes_per_s + other_h2d_bytes_per_s)


@dataclass(frozen=True)
class KvTierLoad:
    """What drives the CPU tier's link load (:func:`kv_tier_traffic`), declared once: the host-bandwidth
    page's KV-tier inputs refer to these (``like``). Token counts may be means (floats)."""

    request_rate: float = param(2.0, lo=0.0, hi=100_000.0, unit="req/s per GPU", label="KV-tier request rate")
    prompt_tokens: float = param(4096.0, lo=0.0, unit="tokens", label="Prompt tokens")
    output_tokens: float = param(256.0, lo=0.0, unit="tokens", label="Output tokens")
    kv_bytes_per_token: float = param(0.0, lo=0.0, unit="bytes", label="KV bytes per token", help="per GPU")
    cpu_hit_rate: float = param(0.5, lo=0.0, hi=1.0, label="KV-tier CPU hit rate", help="share of prompt tokens")
    writeback_fraction: float = param(
        1.0, lo=0.0, hi=1.0, label="Write-back fraction", help="share of a request's KV written to the host"
    )

    def __post_init__(self) -> None:
        validate_params(self)


def kv_tier_traffic(
    hw: HardwareProfile,
    cfg: CpuTierConfig,
    *,
    kv_bytes_per_token: float,
    request_rate: float,
    prompt_tokens: float,
    output_tokens: float,
    cpu_hit_rate: float,
    writeback_fraction: float = 1.0,
) -> KvTierTraffic:
    """Link load of the CPU tier at ``request_rate`` requests/s per GPU:
    loads ``= rate · prompt · cpu_hit_rate · kv_bytes_per_token`` (host → GPU) and write-back
    ``= rate · (prompt + output) · writeback_fraction · kv_bytes_per_token`` (GPU → host: every
    block that leaves HBM is written once); utilisation = bytes/s ÷ the sustained host-path rate
    (:func:`~dashboard.features.offload.host_to_device_rate`). The arguments are checked against
    their declaration (:class:`KvTierLoad`)."""
    KvTierLoad(request_rate, prompt_tokens, output_tokens, kv_bytes_per_token, cpu_hit_rate, writeback_fraction)
    rate, _b, _r = host_to_device_rate(hw, cfg.link)
    h2d = request_rate * prompt_tokens * cpu_hit_rate * kv_bytes_per_token
    d2h = request_rate * (prompt_tokens + output_tokens) * writeback_fraction * kv_bytes_per_token
    return KvTierTraffic(h2d, d2h, rate, h2d / rate, d2h / rate)
