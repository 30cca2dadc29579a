"""Inputs of the custom runtime planner (``dashboard/custom_runtime_planner.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.state.validate import check_float, check_int

__all__ = ["CustomRuntimeInputs"]


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

    batch: int = 1
    input_len: int = 2048
    output_len: int = 512
    kv_len: int = 0
    custom_eff: bool = False
    gemm_eff: float = 0.0
    attn_eff: float = 0.0
    mem_eff: float = 0.0
    kernel_overhead_us: float = -1.0
    points: int = 32

    def __post_init__(self) -> None:
        check_int("batch", self.batch, 1, 65536)
        check_int("input_len", self.input_len, 1, 4_000_000)
        check_int("output_len", self.output_len, 1, 4_000_000)
        check_int("kv_len", self.kv_len, 0, 16_000_000)
        if not (self.custom_eff is True or self.custom_eff is False):
            raise ValueError("custom_eff must be true or false")
        for name in ("gemm_eff", "attn_eff"):
            v = getattr(self, name)
            if v != 0.0:
                check_float(name, v, 0.0, 1.5, open_lo=True)
        if self.mem_eff != 0.0:
            check_float("mem_eff", self.mem_eff, 0.01, 1.5)
        if self.kernel_overhead_us != -1.0:
            check_float("kernel_overhead_us", self.kernel_overhead_us, 0.0, 1e4)
        check_int("points", self.points, 2, 256)
