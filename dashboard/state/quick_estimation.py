"""Inputs of the quick-estimation page (``dashboard/quick_estimation.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.state.validate import check_float, check_int

__all__ = ["QuickEstimationInputs", "check_float", "check_int"]


@dataclass(frozen=True)
class QuickEstimationInputs:
    """One scenario: layout, request shape, overlap and (optionally) edited GPU specs.

    ``custom_spec`` off: the sidebar hardware profile is used as is. On: ``peak_tflops`` (dense
    TFLOP/s of the GEMM format; other formats scale by the same factor), ``hbm_gb_s`` and
    ``link_gb_s`` (per-GPU, per-direction bandwidth of the link the TP/EP collectives use)
    replace the profile's values. ``0`` means "not set yet" (seeded from the profile).
    """

    tp: int = 1
    dp: int = 1
    ep: int = 1
    batch: int = 1
    input_len: int = 2048
    output_len: int = 256
    overlap: float = 0.5
    custom_spec: bool = False
    peak_tflops: float = 0.0
    hbm_gb_s: float = 0.0
    link_gb_s: float = 0.0

    def __post_init__(self) -> None:
        check_int("tp", self.tp, 1, 1024)
        check_int("dp", self.dp, 1, 65536)
        check_int("ep", self.ep, 1, 1024)
        check_int("batch", self.batch, 1, 65536)
        check_int("input_len", self.input_len, 1, 4_000_000)
        check_int("output_len", self.output_len, 1, 4_000_000)
        check_float("overlap", self.overlap, 0.0, 1.0)
        if not (self.custom_spec is True or self.custom_spec is False):
            raise ValueError("custom_spec must be true or false")
        check_float("peak_tflops", self.peak_tflops, 0.0, 1e6)
        check_float("hbm_gb_s", self.hbm_gb_s, 0.0, 1e6)
        check_float("link_gb_s", self.link_gb_s, 0.0, 1e6)
        if self.custom_spec:
            for name in ("peak_tflops", "hbm_gb_s", "link_gb_s"):
                if getattr(self, name) == 0.0:
                    continue  # not set yet: the page seeds it from the profile
                check_float(name, getattr(self, name), 1e-3, 1e6)
