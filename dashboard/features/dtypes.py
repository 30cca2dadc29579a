"""Numeric formats: bytes per element and which tensor-core rate a GEMM runs at.

Quantised formats carry their scale overhead in the byte count: int4 with one bf16 scale per
128-weight group (AWQ/GPTQ default) is 0.5 + 2/128 bytes per weight; MXFP4 (OCP Microscaling
spec v1.0) is 0.5 + 1/32 bytes; NVFP4 is 0.5 + 1/16 bytes (one fp8 scale per 16 values).
"""

from __future__ import annotations

__all__ = ["ACT_DTYPES", "DTYPE_BYTES", "KV_DTYPES", "WEIGHT_DTYPES", "dtype_bytes", "gemm_compute_dtype"]

DTYPE_BYTES: dict[str, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5 + 2.0 / 128.0,
    "fp4": 0.5 + 1.0 / 16.0,
    "mxfp4": 0.5 + 1.0 / 32.0,
}

WEIGHT_DTYPES = ("bf16", "fp16", "fp8", "int8", "int4", "fp4", "mxfp4")
ACT_DTYPES = ("bf16", "fp16", "fp8", "fp4")
KV_DTYPES = ("bf16", "fp16", "fp8", "int8", "fp4")

_LOW_PRECISION = {"fp8", "int8", "int4", "fp4", "mxfp4"}


def dtype_bytes(name: str) -> float:
    """Bytes per element of ``name``; raises ``ValueError`` naming the known formats."""
    try:
        return DTYPE_BYTES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown dtype {name!r}; known: {', '.join(DTYPE_BYTES)}") from None


def gemm_compute_dtype(weight: str, activation: str) -> str:
    """Tensor-core format a GEMM runs at: the wider of the two operands.

    W8A8 fp8 runs at the fp8 rate; weight-only quantisation (W4A16, W8A16) dequantises to the
    activation format and runs at the bf16 rate; fp4 runs at the fp4 rate only when both are fp4.
    """
    w, a = weight.lower(), activation.lower()
    if a in {"fp4"} and w in {"fp4", "mxfp4"}:
        return "fp4"
    if a in {"fp8", "int8"} and w in _LOW_PRECISION:
        return "int8" if a == "int8" else "fp8"
    return "bf16" if a in {"bf16", "fp16"} or a not in DTYPE_BYTES else a
