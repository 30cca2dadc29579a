"""Inputs of the MMA / GEMM tile modeler page. The GEMM shape and the tiling refer to their one
declaration (``like``: :class:`~dashboard.features.mma.GemmProblem`, :class:`~dashboard.features.mma.GemmTiling`),
narrowed where the page offers less (tile edges from 8: the page's tiles are multiples of 8); the
hardware caps are page-only (``param``: each is the one declaration of that input)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.hardware import SpecEdits
from dashboard.features.mma import GEMM_DTYPES, GemmCaps, GemmProblem, GemmTiling
from dashboard.features.params import like, param, validate_params
from dashboard.state.spec_edits import check_spec_edits

__all__ = ["SWEEP_DIMS", "MmaInputs"]

SWEEP_DIMS = ("m", "n", "k")
_TILE_MIN = 8  # the page's tile edges are multiples of 8 (checked below)


@dataclass(frozen=True)
class MmaInputs:
    """One GEMM ``[M,K]·[K,N]``; ``shape`` ≠ ``"custom"`` takes N and K from a measured weight
    shape. Bandwidth caps of 0 mean "from the hardware profile"; ``split_k = 0`` picks the fastest
    power of two."""

    shape: str = param("custom", label="Weight shape", help="'custom' or a measured shape label")
    m: int = like(GemmProblem, "m", 4096)
    n: int = like(GemmProblem, "n", 6144)
    k: int = like(GemmProblem, "k", 4096)
    dtype: str = param("bf16", choices=tuple(GEMM_DTYPES), label="GEMM format")
    out_bytes: float = like(GemmProblem, "out_bytes", lo=0.5, open_lo=False)  # the page offers ≥ half a byte
    block_m: int = like(GemmTiling, "block_m", lo=_TILE_MIN)
    block_n: int = like(GemmTiling, "block_n", lo=_TILE_MIN)
    block_k: int = like(GemmTiling, "block_k", lo=_TILE_MIN)
    wg_m: int = like(GemmTiling, "wg_m", lo=_TILE_MIN)
    wg_n: int = like(GemmTiling, "wg_n", lo=_TILE_MIN)
    stages: int = like(GemmTiling, "stages")
    split_k: int = like(GemmTiling, "split_k", 0, lo=0, help="0 = the fastest power of two")
    l2_hit_rate: float = like(GemmCaps, "l2_hit_rate", 0.9)
    # 0 = "not set yet" (from the hardware profile), else the profile's own limits (SpecEdits)
    hbm_gb_s: float = like(SpecEdits, "hbm_bandwidth_gb_s", 0.0, lo=0.0, optional=False, help="0 = hardware profile")
    l2_gb_s: float = param(0.0, lo=0.0, hi=1e6, unit="GB/s", label="L2 bandwidth", help="0 = hardware profile")
    smem_bytes_per_clk: float = param(
        0.0, lo=0.0, hi=1e6, unit="bytes/clk/SM", label="Shared-memory bandwidth", help="0 = hardware profile"
    )
    reg_bytes_per_clk: float = param(1536.0, lo=1.0, hi=1e6, unit="bytes/clk/SM", label="Register bandwidth")
    clock_mhz: float = like(
        SpecEdits, "boost_clock_mhz", 0.0, lo=0.0, optional=False, label="Clock", help="0 = hardware profile"
    )
    overhead: bool = param(True, label="Kernel launch overhead")
    sweep_dim: str = param("m", choices=SWEEP_DIMS, label="Sweep dimension")
    # the swept dimension (M, N or K) shares GemmProblem's bound
    sweep_values: tuple[int, ...] = like(
        GemmProblem, "m", (1, 8, 64, 256, 1024, 4096, 16384), unit="", max_items=32, label="Sweep values"
    )

    def __post_init__(self) -> None:
        validate_params(self)
        check_spec_edits(self, {"hbm_gb_s": "hbm_bandwidth_gb_s", "clock_mhz": "boost_clock_mhz"})
        if not self.shape:
            raise ValueError("shape must be 'custom' or a measured shape label")
        for name in ("block_m", "block_n", "block_k", "wg_m", "wg_n"):
            if getattr(self, name) % _TILE_MIN:
                raise ValueError(f"{name} must be a multiple of {_TILE_MIN}, got {getattr(self, name)}")
        if self.block_m % self.wg_m or self.block_n % self.wg_n:
            raise ValueError(
                f"the warp-group tile {self.wg_m}×{self.wg_n} must divide the CTA tile {self.block_m}×{self.block_n}"
            )
