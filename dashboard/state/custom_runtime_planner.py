"""Inputs of the custom runtime planner (``dashboard/custom_runtime_planner.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import param, validate_params

__all__ = ["MIN_ATTN_EFF", "MIN_GEMM_EFF", "MIN_MEM_EFF", "CustomRuntimeInputs"]

#: smallest efficiency a user can enter once custom efficiencies are on (0 = "seed from the profile")
MIN_GEMM_EFF = MIN_ATTN_EFF = 0.001
MIN_MEM_EFF = 0.01


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

    batch: int = param(1, lo=1, hi=65536, unit="sequences", label="Batch")
    input_len: int = param(2048, lo=1, hi=4_000_000, unit="tokens", label="Prompt tokens")
    output_len: int = param(512, lo=1, hi=4_000_000, unit="tokens", label="Output tokens")
    kv_len: int = param(0, lo=0, hi=16_000_000, unit="tokens", label="Cached tokens before the prompt")
    custom_eff: bool = param(False, label="Custom kernel efficiencies")
    gemm_eff: float = param(0.0, lo=0.0, hi=1.5, help="0 = seed from the hardware profile", label="GEMM efficiency")
    attn_eff: float = param(
        0.0, lo=0.0, hi=1.5, help="0 = seed from the hardware profile", label="Prefill attention efficiency"
    )
    mem_eff: float = param(
        0.0, lo=0.0, hi=1.5, help="0 = seed from the hardware profile", label="HBM streaming efficiency"
    )
    kernel_overhead_us: float = param(
        -1.0, lo=-1.0, hi=1e4, unit="µs", label="Kernel overhead", help="-1 = seed from the hardware profile"
    )
    points: int = param(32, lo=2, hi=256, unit="points", label="Curve points")

    def __post_init__(self) -> None:
        validate_params(self)
        for name, lo in (("gemm_eff", MIN_GEMM_EFF), ("attn_eff", MIN_ATTN_EFF), ("mem_eff", MIN_MEM_EFF)):
            v = getattr(self, name)
            if v != 0.0 and v < lo:
                raise ValueError(f"{name} must be 0 (from the profile) or in [{lo:g}, 1.5], got {v!r}")
        if self.kernel_overhead_us != -1.0 and self.kernel_overhead_us < 0.0:
            raise ValueError(
                f"kernel_overhead_us must be -1 (from the profile) or in [0, 10000], got {self.kernel_overhead_us!r}"
            )
