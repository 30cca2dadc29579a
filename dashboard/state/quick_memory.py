"""Inputs of the quick-memory page (``dashboard/quick_memory.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.dtypes import KV_DTYPES, WEIGHT_DTYPES
from dashboard.state.validate import check_float, check_int

__all__ = ["QuickMemoryInputs"]


@dataclass(frozen=True)
class QuickMemoryInputs:
    """Layout, formats and HBM budget of one GPU.

    ``custom_hbm`` off: capacity from the sidebar hardware profile; on: ``hbm_capacity_gib``
    (``0`` = not set yet, seeded from the profile). ``reserved_fraction`` is the share of HBM left
    unused (vLLM's ``1 − gpu_memory_utilization``).
    """

    tp: int = 1
    dp: int = 1
    ep: int = 1
    weight_dtype: str = "bf16"
    kv_dtype: str = "bf16"
    context: int = 8192
    reserved_fraction: float = 0.10
    custom_hbm: bool = False
    hbm_capacity_gib: float = 0.0
    max_batched_tokens: int = 8192
    max_seqs: int = 256

    def __post_init__(self) -> None:
        check_int("tp", self.tp, 1, 1024)
        check_int("dp", self.dp, 1, 65536)
        check_int("ep", self.ep, 1, 1024)
        if self.weight_dtype not in WEIGHT_DTYPES:
            raise ValueError(f"weight_dtype must be one of {', '.join(WEIGHT_DTYPES)}, got {self.weight_dtype!r}")
        if self.kv_dtype not in KV_DTYPES:
            raise ValueError(f"kv_dtype must be one of {', '.join(KV_DTYPES)}, got {self.kv_dtype!r}")
        check_int("context", self.context, 1, 16_000_000)
        check_float("reserved_fraction", self.reserved_fraction, 0.0, 0.95)
        if not (self.custom_hbm is True or self.custom_hbm is False):
            raise ValueError("custom_hbm must be true or false")
        check_float("hbm_capacity_gib", self.hbm_capacity_gib, 0.0, 1e5)
        check_int("max_batched_tokens", self.max_batched_tokens, 1, 10_000_000)
        check_int("max_seqs", self.max_seqs, 1, 1_000_000)
