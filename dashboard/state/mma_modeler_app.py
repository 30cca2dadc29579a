"""Inputs of the MMA / GEMM tile modeler page."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.mma import GEMM_DTYPES
from dashboard.state.validate import check_float as _num_in
from dashboard.state.validate import check_int as _int_in

__all__ = ["SWEEP_DIMS", "MmaInputs"]

SWEEP_DIMS = ("m", "n", "k")


@dataclass(frozen=True)
class MmaInputs:
    """One GEMM ``[M,K]·[K,N]``; ``shape`` ≠ ``"custom"`` takes N and K from a measured weight
    shape. Bandwidth caps of 0 mean "from the hardware profile"; ``split_k = 0`` picks the fastest
    power of two."""

    shape: str = "custom"
    m: int = 4096
    n: int = 6144
    k: int = 4096
    dtype: str = "bf16"
    out_bytes: float = 2.0
    block_m: int = 128
    block_n: int = 256
    block_k: int = 64
    wg_m: int = 64
    wg_n: int = 256
    stages: int = 4
    split_k: int = 0
    l2_hit_rate: float = 0.9
    hbm_gb_s: float = 0.0
    l2_gb_s: float = 0.0
    smem_bytes_per_clk: float = 0.0
    reg_bytes_per_clk: float = 1536.0
    clock_mhz: float = 0.0
    overhead: bool = True
    sweep_dim: str = "m"
    sweep_values: tuple[int, ...] = (1, 8, 64, 256, 1024, 4096, 16384)

    def __post_init__(self) -> None:
        if not isinstance(self.shape, str) or not self.shape:
            raise ValueError("shape must be 'custom' or a measured shape label")
        for name in ("m", "n", "k"):
            _int_in(name, getattr(self, name), 1, 1 << 20)
        if self.dtype not in GEMM_DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(GEMM_DTYPES)}")
        _num_in("output bytes", self.out_bytes, 0.5, 8.0)
        for name in ("block_m", "block_n", "block_k", "wg_m", "wg_n"):
            v = getattr(self, name)
            _int_in(name, v, 8, 1024)
            if v % 8:
                raise ValueError(f"{name} must be a multiple of 8, got {v}")
        if self.block_m % self.wg_m or self.block_n % self.wg_n:
            raise ValueError(
                f"the warp-group tile {self.wg_m}×{self.wg_n} must divide the CTA tile {self.block_m}×{self.block_n}"
            )
        _int_in("stages", self.stages, 1, 16)
        _int_in("split-K (0 = auto)", self.split_k, 0, 64)
        _num_in("L2 hit rate", self.l2_hit_rate, 0.0, 1.0)
        for name in ("hbm_gb_s", "l2_gb_s", "smem_bytes_per_clk", "clock_mhz"):
            _num_in(f"{name} (0 = profile)", getattr(self, name), 0.0, 1e6)
        _num_in("register bytes/clk/SM", self.reg_bytes_per_clk, 1.0, 1e6)
        if self.sweep_dim not in SWEEP_DIMS:
            raise ValueError(f"sweep dimension must be one of {', '.join(SWEEP_DIMS)}")
        if not isinstance(self.sweep_values, tuple) or not 1 <= len(self.sweep_values) <= 32:
            raise ValueError("give between 1 and 32 sweep values")
        for v in self.sweep_values:
            _int_in("each sweep value", v, 1, 1 << 20)
