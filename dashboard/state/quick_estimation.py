"""Inputs of the quick-estimation page (``dashboard/quick_estimation.py``).

Layout, request shape and overlap refer to their one declaration (``like``: ``ParallelConfig``,
``RequestShape``, ``CostSettings``) and the edited GPU specs to theirs (``SpecEdits``: the profile's
own limits), with ``0`` kept as the page's "not set yet"."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.hardware import SpecEdits
from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.features.request import CostSettings, RequestShape
from dashboard.state.shape import check_context_fits
from dashboard.state.spec_edits import check_spec_edits, spec_minimum

__all__ = ["MIN_SPEC", "QuickEstimationInputs"]

#: page field → its declaration on SpecEdits (0 widens it: "not set yet", seeded from the profile)
EDITED_SPECS = {"peak_tflops": "peak_tflops", "hbm_gb_s": "hbm_bandwidth_gb_s", "link_gb_s": "scale_up_gb_s"}
#: smallest edited spec value once custom specs are on (the declared minimum; one for all three)
MIN_SPEC = min(spec_minimum(f) for f in EDITED_SPECS.values())


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
    # lo=0: "not set yet". The collective link is scale-up or scale-out by group size (one shared limit)
    peak_tflops: float = like(
        SpecEdits,
        "peak_tflops",
        0.0,
        lo=0.0,
        optional=False,
        label="Dense peak of the GEMM format",
        help="0 = hardware profile",
    )
    hbm_gb_s: float = like(SpecEdits, "hbm_bandwidth_gb_s", 0.0, lo=0.0, optional=False, help="0 = hardware profile")
    link_gb_s: float = like(
        SpecEdits,
        "scale_up_gb_s",
        0.0,
        lo=0.0,
        optional=False,
        label="Collective link bandwidth",
        help="per direction; 0 = profile",
    )

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
        if self.custom_spec:
            check_spec_edits(self, EDITED_SPECS)
