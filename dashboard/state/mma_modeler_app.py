"""Inputs of the MMA / GEMM tile modeler page (page-only fields: each ``param`` here is the one
declaration of that input)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.mma import GEMM_DTYPES
from dashboard.features.params import param, validate_params

__all__ = ["SWEEP_DIMS", "MmaInputs"]

SWEEP_DIMS = ("m", "n", "k")
_DIM = 1 << 20  # largest GEMM dimension offered


@dataclass(frozen=True)
class MmaInputs:
    """One GEMM ``[M,K]·[K,N]``; ``shape`` ≠ ``"custom"`` takes N and K from a measured weight
    shape. Bandwidth caps of 0 mean "from the hardware profile"; ``split_k = 0`` picks the fastest
    power of two."""

    shape: str = param("custom", label="Weight shape", help="'custom' or a measured shape label")
    m: int = param(4096, lo=1, hi=_DIM, unit="rows", label="M")
    n: int = param(6144, lo=1, hi=_DIM, unit="columns", label="N")
    k: int = param(4096, lo=1, hi=_DIM, unit="elements", label="K")
    dtype: str = param("bf16", choices=tuple(GEMM_DTYPES), label="GEMM format")
    out_bytes: float = param(2.0, lo=0.5, hi=8.0, unit="bytes/element", label="Output bytes")
    block_m: int = param(128, lo=8, hi=1024, unit="elements", label="CTA tile M")
    block_n: int = param(256, lo=8, hi=1024, unit="elements", label="CTA tile N")
    block_k: int = param(64, lo=8, hi=1024, unit="elements", label="CTA tile K")
    wg_m: int = param(64, lo=8, hi=1024, unit="elements", label="Warp-group tile M")
    wg_n: int = param(256, lo=8, hi=1024, unit="elements", label="Warp-group tile N")
    stages: int = param(4, lo=1, hi=16, unit="stages", label="Pipeline stages")
    split_k: int = param(0, lo=0, hi=64, label="Split-K", help="0 = the fastest power of two")
    l2_hit_rate: float = param(0.9, lo=0.0, hi=1.0, label="L2 hit rate")
    hbm_gb_s: float = param(0.0, lo=0.0, hi=1e6, unit="GB/s", label="HBM bandwidth", help="0 = hardware profile")
    l2_gb_s: float = param(0.0, lo=0.0, hi=1e6, unit="GB/s", label="L2 bandwidth", help="0 = hardware profile")
    smem_bytes_per_clk: float = param(
        0.0, lo=0.0, hi=1e6, unit="bytes/clk/SM", label="Shared-memory bandwidth", help="0 = hardware profile"
    )
    reg_bytes_per_clk: float = param(1536.0, lo=1.0, hi=1e6, unit="bytes/clk/SM", label="Register bandwidth")
    clock_mhz: float = param(0.0, lo=0.0, hi=1e6, unit="MHz", label="Clock", help="0 = hardware profile")
    overhead: bool = param(True, label="Kernel launch overhead")
    sweep_dim: str = param("m", choices=SWEEP_DIMS, label="Sweep dimension")
    sweep_values: tuple[int, ...] = param(
        (1, 8, 64, 256, 1024, 4096, 16384), lo=1, hi=_DIM, max_items=32, label="Sweep values"
    )

    def __post_init__(self) -> None:
        validate_params(self)
        if not self.shape:
            raise ValueError("shape must be 'custom' or a measured shape label")
        for name in ("block_m", "block_n", "block_k", "wg_m", "wg_n"):
            if getattr(self, name) % 8:
                raise ValueError(f"{name} must be a multiple of 8, got {getattr(self, name)}")
        if self.block_m % self.wg_m or self.block_n % self.wg_n:
            raise ValueError(
                f"the warp-group tile {self.wg_m}×{self.wg_n} must divide the CTA tile {self.block_m}×{self.block_n}"
            )
