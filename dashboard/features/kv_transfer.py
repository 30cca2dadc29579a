"""KV-cache transfer between engines (prefill → decode under PD disaggregation).

The bytes come from the memory model (:func:`~dashboard.features.memory.kv_bytes_per_sequence`,
GQA shards or the MLA latent); the time is ``bytes / (link GB/s · η_comm) + one collective latency``
with both efficiencies from the hardware profile. Units: seconds, bytes per GPU, GB/s.
"""

from __future__ import annotations

from dashboard.features.hardware import HardwareProfile
from dashboard.features.memory import kv_bytes_per_sequence
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import ParallelConfig

__all__ = ["LINKS", "LINK_NAMES", "kv_transfer_s", "link_gb_s"]

LINKS = ("nvlink", "ib", "pcie")
#: the names a user may pick (RoCE prices as InfiniBand: both are the scale-out NIC)
LINK_NAMES = ("nvlink", "ib", "roce", "pcie")
_LINK_ALIASES = {
    "nvlink": "nvlink",
    "scale_up": "nvlink",
    "ib": "ib",
    "infiniband": "ib",
    "roce": "ib",
    "scale_out": "ib",
    "pcie": "pcie",
}


def link_gb_s(hw: HardwareProfile, link: str) -> float:
    """Per-GPU link bandwidth (GB/s) of ``link``: NVLink = ``scale_up_gb_s``, InfiniBand/RoCE =
    ``scale_out_gb_s``, PCIe = ``pcie_gb_s``."""
    key = _LINK_ALIASES.get(str(link).lower())
    if key is None:
        raise ValueError(f"unknown link {link!r}; choose one of nvlink, ib (InfiniBand/RoCE), pcie")
    return {"nvlink": hw.scale_up_gb_s, "ib": hw.scale_out_gb_s, "pcie": hw.pcie_gb_s}[key]


def kv_transfer_s(
    model: ModelProfile, hw: HardwareProfile, par: ParallelConfig, kv_dtype: str, tokens: int, link: str
) -> tuple[float, float]:
    """``(seconds, bytes per GPU)`` to move the KV cache of one ``tokens``-token prompt out of a
    prefill engine laid out as ``par``: the per-GPU shard over one link at ``η_comm`` of its
    bandwidth, plus one collective latency (all GPUs send in parallel)."""
    per_gpu = kv_bytes_per_sequence(model, par, kv_dtype, tokens)
    eff = hw.efficiency
    bw = link_gb_s(hw, link) * 1e9 * eff.comm
    return per_gpu / bw + eff.comm_latency_us * 1e-6, per_gpu
