"""Inputs of the quick-estimation page (``dashboard/quick_estimation.py``).

Layout, request shape and overlap refer to their one declaration (``like``: ``ParallelConfig``,
``RequestShape``, ``CostSettings``); the edited GPU specs are page-only (``param``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.features.request import CostSettings, RequestShape
from dashboard.state.shape import check_context_fits

__all__ = ["MIN_SPEC", "QuickEstimationInputs"]

#: smallest edited spec value once custom specs are on (0 = "not set yet": seeded from the profile)
MIN_SPEC = 1e-3


@dataclass(frozen=True)
class QuickEstimationInputs:
    """One scenario: layout, request shape, overlap and (optionally) edited GPU specs.

    ``custom_spec`` off: the sidebar hardware profile is used as is. On: ``peak_tflops`` (dense
    TFLOP/s of the GEMM format; other formats scale by the same factor), ``hbm_gb_s`` and
    ``link_gb_s`` (per-GPU, per-direction bandwidth of the link the TP/EP collectives use)
    replace the profile's values. ``0`` means "not set yet" (seeded from the profile).
    """

    tp: int = like(ParallelConfig, "tp")
    dp: int = like(ParallelConfig, "dp")
    ep: int = like(ParallelConfig, "ep")
    batch: int = like(RequestShape, "batch")
    input_len: int = like(RequestShape, "input_len", 2048)
    output_len: int = like(RequestShape, "output_len", 256)
    overlap: float = like(CostSettings, "overlap", 0.5)
    custom_spec: bool = param(False, label="Edit GPU specs")
    peak_tflops: float = param(
        0.0, lo=0.0, hi=1e6, unit="TFLOP/s", label="Dense peak of the GEMM format", help="0 = hardware profile"
    )
    hbm_gb_s: float = param(0.0, lo=0.0, hi=1e6, unit="GB/s", label="HBM bandwidth", help="0 = hardware profile")
    link_gb_s: float = param(
        0.0, lo=0.0, hi=1e6, unit="GB/s", label="Collective link bandwidth", help="per direction; 0 = profile"
    )

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
        if self.custom_spec:
            for name in ("peak_tflops", "hbm_gb_s", "link_gb_s"):
                v = getattr(self, name)
                if v != 0.0 and v < MIN_SPEC:  # 0: not set yet, the page seeds it from the profile
                    raise ValueError(f"{name} must be 0 (from the profile) or at least {MIN_SPEC:g}, got {v!r}")
