"""Inputs of the custom runtime planner (``dashboard/custom_runtime_planner.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.hardware import SpecEdits
from dashboard.features.params import like, param, param_specs, validate_params
from dashboard.features.request import RequestShape
from dashboard.state.shape import check_context_fits
from dashboard.state.spec_edits import spec_minimum

__all__ = ["MIN_ATTN_EFF", "MIN_GEMM_EFF", "MIN_MEM_EFF", "MIN_OVERHEAD_US", "UNSET_OVERHEAD_US", "CustomRuntimeInputs"]

#: smallest efficiency a user can enter once custom efficiencies are on (0 = "seed from the profile"):
#: GEMM/attention curves are open at 0 (the page offers from 0.001), HBM from its declared minimum
MIN_GEMM_EFF = MIN_ATTN_EFF = 0.001
MIN_MEM_EFF = spec_minimum("memory_efficiency")
#: kernel overhead once custom efficiencies are on (-1 = "seed from the profile")
UNSET_OVERHEAD_US, MIN_OVERHEAD_US = -1.0, spec_minimum("kernel_overhead_us")


@dataclass(frozen=True)
class CustomRuntimeInputs:
    """Request shape and kernel efficiencies.

    ``kv_len`` tokens are already in the KV cache before the ``input_len`` prompt tokens
    (prefix cache / earlier turns). ``custom_eff`` off: the profile's efficiency curves; on:
    constant ``gemm_eff`` (all GEMM formats), ``attn_eff`` (prefill attention), ``mem_eff``
    (HBM streaming) and ``kernel_overhead_us`` replace them (``0`` = seed from the profile).
    ``compute_only`` prices the compute view with infinite memory/link bandwidth and no fixed
    costs, so every op's time is ``FLOPs / (peak · η)``.
    """

    batch: int = like(RequestShape, "batch")
    input_len: int = like(RequestShape, "input_len", 2048)
    output_len: int = like(RequestShape, "output_len", 512)
    kv_len: int = like(RequestShape, "context", 0, lo=0, label="Cached tokens before the prompt")
    custom_eff: bool = param(False, label="Custom kernel efficiencies")
    # the edited efficiencies refer to their declaration (SpecEdits: the profile's own limits); the
    # page widens the lower bound to its "seed from the profile" value (0, or -1 for the overhead)
    gemm_eff: float = like(
        SpecEdits,
        "gemm_efficiency",
        0.0,
        lo=0.0,
        open_lo=False,
        optional=False,
        help="0 = seed from the hardware profile",
    )
    attn_eff: float = like(
        SpecEdits,
        "attention_efficiency",
        0.0,
        lo=0.0,
        open_lo=False,
        optional=False,
        help="0 = seed from the hardware profile",
    )
    mem_eff: float = like(
        SpecEdits,
        "memory_efficiency",
        0.0,
        lo=0.0,
        optional=False,
        label="HBM streaming efficiency",
        help="0 = seed from the hardware profile",
    )
    kernel_overhead_us: float = like(
        SpecEdits, "kernel_overhead_us", -1.0, lo=-1.0, optional=False, help="-1 = seed from the hardware profile"
    )
    points: int = param(32, lo=2, hi=256, unit="points", label="Curve points")

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "kv_len", "input_len", "output_len")  # the longest context a step takes
        for name, lo in (("gemm_eff", MIN_GEMM_EFF), ("attn_eff", MIN_ATTN_EFF), ("mem_eff", MIN_MEM_EFF)):
            v = getattr(self, name)
            if v != 0.0 and v < lo:
                raise ValueError(f"{name} must be 0 (from the profile) or in [{lo:g}, {_hi(name):g}], got {v!r}")
        if self.kernel_overhead_us != UNSET_OVERHEAD_US and self.kernel_overhead_us < MIN_OVERHEAD_US:
            raise ValueError(
                f"kernel_overhead_us must be -1 (from the profile) or in [{MIN_OVERHEAD_US:g}, "
                f"{_hi('kernel_overhead_us'):g}], got {self.kernel_overhead_us!r}"
            )


def _hi(name: str) -> float:
    """The declared upper bound of field ``name`` of :class:`CustomRuntimeInputs`."""
    hi = param_specs(CustomRuntimeInputs)[name].hi
    assert hi is not None
    return float(hi)
