"""Efficiency blocks from published kernel tables, and checks of profiles against them.

Data (copied into ``dashboard/data/reference/``, each row with its source):

* ``xla_matmul_h100_b200.csv`` — XLA's measured GEMM table (openxla/xla
  ``default_matmul_perf_table.txtpb`` @ad6eaee1b2), batch-1 rows of ``sm_90`` (H100) and
  ``sm_100_B200``, bf16 and fp8 e4m3, m, n, k ∈ {256 … 4096}.
* ``nvfp4_gemm_b200.csv`` — vLLM PR #20646's CUTLASS NVFP4 GEMM on B200 (Llama-3.1-8B qkv shape
  N = 6144, K = 4096, M = 1 … 16384).
* ``deepgemm_h800_fp8.csv`` — DeepGEMM's dense and grouped FP8 tables on H800 (see
  :mod:`dashboard.features.moe_cost`).

Method for the Blackwell block (B200; GB200 and B300 reuse it on their own peaks):

* XLA's shapes are small (N, K ≤ 4096: few tiles per wave at small M), so the absolute
  efficiencies it implies are shape-limited. The *ratio* of B200 to H100 on the same shapes,
  same compiler and same method cancels that: ``η_B200,bf16(M) = η_H200(M) · r(M)`` with
  ``r(M) = median_B200(M) / median_H100(M)``; medians over the shapes with N, K ≥ 2048 of
  ``2MNK / (peak · (t − t0))``, ``t0`` the fastest row of that device and format (launch floor).
  The H200 curve is the cuBLAS-swept default (``_default_efficiency.json``); H100 and H200 share
  the GH100 SM.
* fp8: XLA's sm_90 fp8 rows exceed the H100's dense fp8 peak (1.44× at 4096³), so they cannot
  anchor a ratio; the B200 fp8 curve is the B200 bf16 curve times XLA's B200 fp8/bf16 efficiency
  ratio per M (same shapes, same device).
* fp4: efficiency ``2MNK / (peak_fp4 · (t − t0))`` of the vLLM NVFP4 rows directly (one shape);
  ``t0`` is the B200 launch floor from XLA.

Units: M, N, K counts; times in seconds (µs where named); efficiencies are fractions of the
datasheet dense peak of the format.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.features.cost_model import gemm_roofline_s
from dashboard.features.hardware import Curve, HardwareProfile, load_hardware

__all__ = [
    "REFERENCE_DIR",
    "GemmCheck",
    "blackwell_efficiency_block",
    "check_xla_gemms",
    "load_nvfp4_rows",
    "load_xla_rows",
    "xla_efficiency_by_m",
]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
XLA_DTYPE = {"bf16": "bf16xbf16->bf16", "fp8": "f8e4m3fnxf8e4m3fn->bf16"}
XLA_DEVICE = {"h100": "sm_90", "b200": "sm_100_B200"}
_MIN_T_S = 0.5e-6  # a row is never assumed faster than this after removing the launch floor


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def load_xla_rows() -> list[dict[str, Any]]:
    """Rows of ``xla_matmul_h100_b200.csv`` with numeric m, n, k and ``time_s``."""
    return [
        {
            "device": r["xla_device_key"],
            "dtype_key": r["dtype_key"],
            "m": int(r["m"]),
            "n": int(r["n"]),
            "k": int(r["k"]),
            "time_s": float(r["implied_time_us"]) * 1e-6,
        }
        for r in _read("xla_matmul_h100_b200.csv")
    ]


def load_nvfp4_rows() -> list[dict[str, Any]]:
    """Rows of ``nvfp4_gemm_b200.csv`` with numeric m, n, k and ``time_s`` of the NVFP4 GEMM."""
    out = []
    for r in _read("nvfp4_gemm_b200.csv"):
        m, n, k = int(r["m"]), int(r["n"]), int(r["k"])
        out.append({"m": m, "n": n, "k": k, "time_s": 2.0 * m * n * k / (float(r["tflops_nvfp4_noquant"]) * 1e12)})
    return out


def _floor_s(rows: Iterable[Mapping[str, Any]]) -> float:
    return min(r["time_s"] for r in rows)


def xla_efficiency_by_m(
    rows: Iterable[Mapping[str, Any]], device: str, dtype: str, peak_flops: float, min_nk: int = 2048
) -> dict[int, float]:
    """Median over shapes with ``n, k ≥ min_nk`` of ``2mnk / (peak · (t − t0))`` per m, for one XLA
    device key (``sm_90`` / ``sm_100_B200``) and format (``bf16`` / ``fp8``); ``t0`` = the fastest
    row of that device and format."""
    sel = [r for r in rows if r["device"] == device and r["dtype_key"] == XLA_DTYPE[dtype]]
    if not sel:
        raise ValueError(f"no XLA rows for {device} {dtype}")
    t0 = _floor_s(sel)
    per: dict[int, list[float]] = {}
    for r in sel:
        if r["n"] >= min_nk and r["k"] >= min_nk:
            t = max(r["time_s"] - t0, _MIN_T_S)
            per.setdefault(r["m"], []).append(2.0 * r["m"] * r["n"] * r["k"] / (peak_flops * t))
    return {m: statistics.median(v) for m, v in sorted(per.items())}


def _interp(table: Mapping[int, float], x: float) -> float:
    return Curve(tuple((float(m), min(1.5, v)) for m, v in sorted(table.items())))(x)


def _round_curve(points: Iterable[tuple[float, float]]) -> list[list[float]]:
    return [[float(x), round(float(y), 4)] for x, y in points]


def blackwell_efficiency_block(
    base: HardwareProfile | None = None, b200: HardwareProfile | None = None, h100: HardwareProfile | None = None
) -> dict[str, Any]:
    """The efficiency block shipped in ``b200.json`` / ``gb200.json`` / ``b300.json``, recomputed
    from the copied tables: ``gemm_compute``, ``gemm_compute_fp8``, ``gemm_compute_fp4`` (lists of
    ``[M, η]``), ``kernel_overhead_us`` (B200 launch floor) and ``grouped_gemm_tile_rows`` (128:
    Blackwell's tcgen05 MMA is 128 rows per CTA; an assumption, not fitted)."""
    base = base or load_hardware("h200")
    b200 = b200 or load_hardware("b200")
    h100 = h100 or load_hardware("h100-sxm")
    rows = load_xla_rows()
    e_h = xla_efficiency_by_m(rows, XLA_DEVICE["h100"], "bf16", h100.peak_flops("bf16"))
    e_b = xla_efficiency_by_m(rows, XLA_DEVICE["b200"], "bf16", b200.peak_flops("bf16"))
    e_b8 = xla_efficiency_by_m(rows, XLA_DEVICE["b200"], "fp8", b200.peak_flops("fp8"))
    ratio = {m: e_b[m] / e_h[m] for m in e_b if m in e_h}
    q8 = {m: e_b8[m] / e_b[m] for m in e_b8 if m in e_b}
    h200_curve = base.efficiency.gemm_compute
    xs = sorted({x for x, _ in h200_curve.points} | set(ratio))
    bf16 = [(x, h200_curve(x) * _interp(ratio, x)) for x in xs]
    fp8 = [(x, y * _interp(q8, x)) for x, y in bf16]
    b_rows = [r for r in rows if r["device"] == XLA_DEVICE["b200"]]
    t0 = _floor_s(b_rows)
    fp4_peak = b200.peak_flops("fp4")
    fp4 = [
        (float(r["m"]), 2.0 * r["m"] * r["n"] * r["k"] / (fp4_peak * max(r["time_s"] - t0, _MIN_T_S)))
        for r in load_nvfp4_rows()
    ]
    return {
        "gemm_compute": _round_curve(bf16),
        "gemm_compute_fp8": _round_curve(fp8),
        "gemm_compute_fp4": _round_curve(fp4),
        "kernel_overhead_us": round(t0 * 1e6, 3),
        "grouped_gemm_tile_rows": 128,
    }


@dataclass(frozen=True)
class GemmCheck:
    """A profile's GEMM times against one device/format of the XLA table."""

    hardware: str
    device: str
    dtype: str
    n: int
    mape: float
    bias: float
    mape_large: float  # shapes with n, k ≥ 2048
    n_large: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_xla_gemms(
    hw: HardwareProfile, device: str, dtype: str = "bf16", rows: list[dict[str, Any]] | None = None
) -> GemmCheck:
    """MAPE and bias of :func:`~dashboard.features.cost_model.gemm_roofline_s` on ``hw`` against
    the XLA-measured times of ``device`` (``sm_90`` / ``sm_100_B200``) in ``dtype``."""
    rows = rows if rows is not None else load_xla_rows()
    sel = [r for r in rows if r["device"] == device and r["dtype_key"] == XLA_DTYPE[dtype]]
    if not sel:
        raise ValueError(f"no XLA rows for {device} {dtype}")
    ob = 1.0 if dtype == "fp8" else 2.0
    rel, rel_large = [], []
    for r in sel:
        e = gemm_roofline_s(hw, r["m"], r["n"], r["k"], dtype, ob) / r["time_s"] - 1.0
        rel.append(e)
        if r["n"] >= 2048 and r["k"] >= 2048:
            rel_large.append(e)
    return GemmCheck(
        hardware=hw.slug,
        device=device,
        dtype=dtype,
        n=len(rel),
        mape=statistics.fmean(abs(x) for x in rel),
        bias=statistics.fmean(rel),
        mape_large=statistics.fmean(abs(x) for x in rel_large) if rel_large else float("nan"),
        n_large=len(rel_large),
    )
