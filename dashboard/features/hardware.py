"""Hardware profiles: datasheet peaks plus the efficiency data the cost model applies.

A profile is JSON (``dashboard/data/hardware/<slug>.json``). Every number a latency depends on is
data of the profile, never a constant in code:

* datasheet peaks (dense TFLOP/s per dtype, HBM GB/s, link GB/s …), each with a cited source;
* an :class:`Efficiency` block: what fraction of those peaks real kernels reach, and fixed costs
  per kernel and per step. Spec-sheet presets inherit the defaults of
  ``dashboard/data/hardware/_default_efficiency.json`` (fitted to the H200 reference measurements,
  see that file); calibrated profiles (``modeling calibrate``) replace them with fitted values.

Units: TFLOP/s = 1e12 FLOP/s, GB/s = 1e9 B/s, capacities in GiB (datasheet "GB" of HBM is binary:
an H100 "80 GB" reports 81559 MiB), microseconds where the name says ``_us``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.features.params import param, validate_params
from dashboard.features.safe_io import path_refused_hint, paths_allowed, read_text_capped
from dashboard.features.safe_io import short_repr as _short

__all__ = [
    "EFFICIENCY_LIMITS",
    "HARDWARE_DIR",
    "HARD_LIMITS",
    "NOT_FITTED",
    "SPEC_EDIT_PATHS",
    "Curve",
    "Efficiency",
    "HardwareError",
    "HardwareProfile",
    "SpecEdits",
    "hardware_from_dict",
    "hardware_to_dict",
    "list_hardware_presets",
    "load_hardware",
    "normalise_slug",
]

HARDWARE_DIR = Path(__file__).resolve().parent.parent / "data" / "hardware"
GIB = 1024**3
MAX_CURVE_POINTS = 256
#: provenance of efficiencies a preset inherits from ``_default_efficiency.json`` without its own fit
NOT_FITTED = "not fitted: H200-derived efficiencies"


class HardwareError(ValueError):
    """A hardware preset or profile could not be found or is invalid (names the field)."""


def normalise_slug(text: str) -> str:
    """Case- and punctuation-insensitive key: ``"H200-SXM"`` → ``"h200sxm"``."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Curve:
    """Piecewise-linear curve in log2(x), clamped at both ends.

    ``points`` are ``(x, y)`` pairs with increasing positive ``x``. Used for efficiencies that
    depend on a size (GEMM rows, attention FLOPs per call).
    """

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise HardwareError("an efficiency curve needs at least one point")
        if len(self.points) > MAX_CURVE_POINTS:
            raise HardwareError(f"an efficiency curve has at most {MAX_CURVE_POINTS} points")
        if not all(math.isfinite(x) and math.isfinite(y) for x, y in self.points):
            raise HardwareError("efficiency curve values must be finite numbers (no NaN or infinity)")
        xs = [p[0] for p in self.points]
        if any(x <= 0 for x in xs) or xs != sorted(xs):
            raise HardwareError("efficiency curve x values must be positive and increasing")
        if any(not (0 < p[1] <= MAX_CURVE_EFFICIENCY) for p in self.points):
            raise HardwareError(f"efficiency values must be in (0, {MAX_CURVE_EFFICIENCY:g}]")
        object.__setattr__(self, "_lx", [math.log2(x) for x in xs])
        object.__setattr__(self, "_ys", [float(p[1]) for p in self.points])
        # running minimum of y/x at the knots: the largest work rate any smaller size reached
        gmin, g = [], math.inf
        for x, y in self.points:
            g = min(g, y / x)
            gmin.append(g)
        object.__setattr__(self, "_gmin", gmin)

    def __call__(self, x: float) -> float:
        """Efficiency at size ``x``: log-linear between the points, clamped at both ends, and capped
        so that time never falls when work grows.

        The size is proportional to the work (GEMM rows, attention FLOPs), so time ∝ x / η(x).
        Log-linear interpolation of a steep rise can make η grow faster than x (time fell by up to
        4 % between two M values; issue 11). The cap η*(x) = x · min(min over x' ≤ x of η(x')/x')
        keeps x / η non-decreasing and equals η wherever the curve already had that property.
        Within one segment η(x)/x first rises then falls, so its minimum over [x_i, x] is at an
        end: the running minimum at the knots suffices.
        """
        lx: list[float] = self._lx  # type: ignore[attr-defined]
        ys: list[float] = self._ys  # type: ignore[attr-defined]
        gmin: list[float] = self._gmin  # type: ignore[attr-defined]
        if x <= self.points[0][0]:
            return ys[0]
        if x >= self.points[-1][0]:
            raw, cap = ys[-1], gmin[-1]
        else:
            v = math.log2(x)
            i = bisect.bisect_right(lx, v)
            x0, x1, y0, y1 = lx[i - 1], lx[i], ys[i - 1], ys[i]
            raw, cap = y0 + (y1 - y0) * (v - x0) / (x1 - x0), gmin[i - 1]
        return raw if raw <= cap * x else cap * x

    def scaled(self, factor: float) -> Curve:
        return Curve(tuple((x, min(1.5, y * factor)) for x, y in self.points))

    def to_list(self) -> list[list[float]]:
        return [[x, y] for x, y in self.points]


def _curve(value: Any, name: str) -> Curve:
    if isinstance(value, Curve):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not _finite(value):
            raise HardwareError(f"efficiency.{name}: must be a finite number")
        return _named_curve(((1.0, float(value)),), name)
    if not isinstance(value, (list, tuple)) or len(value) > MAX_CURVE_POINTS:
        raise HardwareError(
            f"efficiency.{name}: expected a number or [[x, efficiency], ...] (at most {MAX_CURVE_POINTS} points)"
        )
    pts = []
    for p in value:
        if (
            not isinstance(p, (list, tuple))
            or len(p) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
        ):
            raise HardwareError(f"efficiency.{name}: expected [[x, efficiency], ...], got an entry {str(p)[:40]}")
        if not (_finite(p[0]) and _finite(p[1])):
            raise HardwareError(f"efficiency.{name}: values must be finite numbers")
        pts.append((float(p[0]), float(p[1])))
    return _named_curve(tuple(pts), name)


def _finite(v: float) -> bool:
    """``math.isfinite`` that is False (not OverflowError) for integers beyond the float range."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _named_curve(points: tuple[tuple[float, float], ...], name: str) -> Curve:
    try:
        return Curve(points)
    except HardwareError as exc:
        raise HardwareError(f"efficiency.{name}: {exc}") from None


@dataclass(frozen=True)
class Efficiency:
    """Fractions of datasheet peaks that real kernels reach, and fixed costs.

    Attributes:
        gemm_compute: fraction of the dense tensor-core peak a GEMM reaches vs. its row count M
            (tokens). Captures tile/wave quantisation at small M and the power-limit clock drop
            of long compute-bound runs.
        gemm_compute_fp8: the same for fp8/int8 GEMMs against their own peak (``None``: use
            ``gemm_compute``).
        gemm_compute_fp4: the same for fp4 (NVFP4/MXFP4 block-scaled) GEMMs against the fp4 peak
            (``None``: use ``gemm_compute_fp8``, then ``gemm_compute``).
        memory: fraction of HBM bandwidth a streaming kernel reaches (weights, KV cache).
        attention_prefill: fraction of the dense peak that causal flash attention reaches vs. the
            FLOPs of one call (one layer), from attention sweeps.
        attention_decode_unit_gb_s: streaming rate of one decode work unit (one sequence × one KV
            head) of a decode kernel that does not split the KV sequence; ``None`` for split-KV
            kernels (FlashDecoding/FlashInfer), which keep all SMs busy at any batch.
        elementwise_traffic: multiplier on the minimal bytes of TP-sharded elementwise ops
            (activation, RoPE + KV write, per-head q/k norms), and of all elementwise ops when
            ``elementwise_traffic_hidden`` is ``None`` (1 = fully fused kernels; eager PyTorch re-reads
            tensors several times).
        elementwise_traffic_hidden: the same for ops on the full hidden width that TP does not split
            (RMSNorms, residual adds, embedding, MoE permutes); ``None``: ``elementwise_traffic``.
        elementwise_kernels: kernels launched per elementwise op (1 = fused).
        kernel_overhead_us: launch + tail cost paid by every kernel, µs.
        step_overhead_us: fixed cost per engine step (scheduling, sampling, launch), µs.
        comm: fraction of scale-up / scale-out link bandwidth collectives reach.
        comm_latency_us: fixed latency per collective, µs.
        host_link: fraction of the PCIe / NVLink-C2C peak a pinned host↔device copy reaches.
        host_ddr: fraction of the host DDR peak a streaming copy reaches.
        host_pageable: rate of a pageable copy relative to a pinned one (CPU staging copy).
        grouped_gemm_tile_rows: row-tile height T of a grouped (MoE expert) GEMM: each expert's rows
            are padded to whole tiles, ``rows + T/2`` on average (at least one tile).
        grouped_gemm_k_overhead: per-tile prologue/epilogue cost of a grouped GEMM as an equivalent
            reduction depth K0: efficiency ∝ ``K / (K + K0)``, relative to a K = 4096 dense GEMM.
        grouped_gemm_blend: exponent p of the soft roofline of a grouped GEMM,
            ``t = (t_c^p + t_m^p)^(1/p)`` (p ≥ 50 is the hard ``max``).
        moe_imbalance: load of the busiest expert-parallel rank relative to the mean at large
            batches (systematic routing skew; the sampling spread of small batches is added on top).
    """

    gemm_compute: Curve = field(default_factory=lambda: Curve(((1.0, 0.75),)))
    gemm_compute_fp8: Curve | None = None
    gemm_compute_fp4: Curve | None = None
    memory: float = 0.85
    attention_prefill: Curve = field(default_factory=lambda: Curve(((1.0, 0.5),)))
    attention_decode_unit_gb_s: float | None = None
    elementwise_traffic: float = 1.0
    elementwise_traffic_hidden: float | None = None
    elementwise_kernels: float = 1.0
    kernel_overhead_us: float = 4.0
    step_overhead_us: float = 0.0
    comm: float = 0.75
    comm_latency_us: float = 10.0
    host_link: float = 0.825
    host_ddr: float = 0.75
    host_pageable: float = 0.368
    grouped_gemm_tile_rows: float = 64.0
    grouped_gemm_k_overhead: float = 0.0
    grouped_gemm_blend: float = 50.0
    moe_imbalance: float = 1.0

    def __post_init__(self) -> None:
        for name in ("gemm_compute", "attention_prefill"):
            object.__setattr__(self, name, _curve(getattr(self, name), name))
        for name in ("gemm_compute_fp8", "gemm_compute_fp4"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _curve(getattr(self, name), name))
        for name, (lo, hi) in EFFICIENCY_LIMITS.items():
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not (lo <= v <= hi):
                raise HardwareError(f"efficiency.{name} must be between {lo} and {hi}, got {_short(v)}")
        th = self.elementwise_traffic_hidden
        if th is not None and (not isinstance(th, (int, float)) or isinstance(th, bool) or not (0.1 <= th <= 50.0)):
            raise HardwareError(
                f"efficiency.elementwise_traffic_hidden must be between 0.1 and 50 or null, got {_short(th)}"
            )
        u = self.attention_decode_unit_gb_s
        if u is not None and (not isinstance(u, (int, float)) or isinstance(u, bool) or not 0 < u < 1e7):
            raise HardwareError("efficiency.attention_decode_unit_gb_s must be positive or null")

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["gemm_compute"] = self.gemm_compute.to_list()
        d["gemm_compute_fp8"] = self.gemm_compute_fp8.to_list() if self.gemm_compute_fp8 else None
        d["gemm_compute_fp4"] = self.gemm_compute_fp4.to_list() if self.gemm_compute_fp4 else None
        d["attention_prefill"] = self.attention_prefill.to_list()
        return d


def _load_default_efficiency() -> dict[str, Any]:
    path = HARDWARE_DIR / "_default_efficiency.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


@dataclass(frozen=True)
class HardwareProfile:
    """One accelerator: datasheet peaks, links, host side, and efficiency data."""

    slug: str
    name: str
    peak_tflops: dict[str, float | None]
    hbm_capacity_gb: float
    hbm_bandwidth_gb_s: float
    vendor: str = ""
    architecture: str = ""
    aliases: tuple[str, ...] = ()
    l2_cache_mb: float | None = None
    sm_count: int = 1
    boost_clock_mhz: float = 1500.0
    scale_up_name: str = "NVLink"
    scale_up_gb_s: float = 450.0
    scale_up_domain: int = 8
    scale_out_gb_s: float = 50.0
    pcie_gb_s: float = 64.0
    c2c_gb_s: float | None = None
    host_ddr_gb_s: float = 300.0
    tdp_w: float = 700.0
    microarch: dict[str, Any] = field(default_factory=dict)
    efficiency: Efficiency = field(default_factory=Efficiency)
    kind: str = "spec"  # "spec" | "custom" | "calibrated"
    calibration: dict[str, Any] | None = None
    sources: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    efficiency_fitted_on: str = ""  # what this preset's efficiency block was fitted on ("" = not fitted)
    reference_data: str = (
        ""  # measurement set of this device in dashboard/data/reference ("" = none; features/reference.py)
    )

    def __post_init__(self) -> None:
        positive = {
            "hbm_capacity_gb": self.hbm_capacity_gb,
            "hbm_bandwidth_gb_s": self.hbm_bandwidth_gb_s,
            "scale_up_gb_s": self.scale_up_gb_s,
            "scale_out_gb_s": self.scale_out_gb_s,
            "pcie_gb_s": self.pcie_gb_s,
            "host_ddr_gb_s": self.host_ddr_gb_s,
            "tdp_w": self.tdp_w,
            "sm_count": self.sm_count,
            "boost_clock_mhz": self.boost_clock_mhz,
        }
        for k, v in positive.items():
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0 or not _finite(v):
                raise HardwareError(f"{k} must be a positive number, got {_short(v)}")
            lo, hi = HARD_LIMITS[k]
            if not lo <= v <= hi:
                raise HardwareError(f"{k} must be between {lo:g} and {hi:g}, got {_short(v)}")
        if not isinstance(self.peak_tflops, dict) or not self.peak_tflops.get("bf16"):
            raise HardwareError("peak_tflops.bf16 must be given (dense TFLOP/s)")
        lo, hi = HARD_LIMITS["peak_tflops"]
        for k, peak in self.peak_tflops.items():
            if peak is not None and (
                not isinstance(peak, (int, float)) or isinstance(peak, bool) or not lo <= peak <= hi
            ):
                raise HardwareError(
                    f"peak_tflops.{k} must be null or a number between {lo:g} and {hi:g} TFLOP/s, got {_short(peak)}"
                )
        for k in ("l2_cache_mb", "c2c_gb_s"):
            v = getattr(self, k)
            if v is not None and (
                not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v <= MAX_OPTIONAL_SPEC
            ):
                raise HardwareError(f"{k} must be null or a positive finite number, got {_short(v)}")
        d = self.scale_up_domain
        if not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= MAX_SCALE_UP_DOMAIN:
            raise HardwareError(
                f"scale_up.domain_size must be an integer between 1 and {MAX_SCALE_UP_DOMAIN}, got {d!r}"
            )
        for k in (
            "slug",
            "name",
            "vendor",
            "architecture",
            "kind",
            "notes",
            "scale_up_name",
            "efficiency_fitted_on",
            "reference_data",
        ):
            if not isinstance(getattr(self, k), str):
                raise HardwareError(f"{k} must be text")
        if not self.name.strip() or len(self.name) > 200:
            raise HardwareError("name must be 1 to 200 characters")

    def plausibility_warnings(self) -> list[str]:
        """Numbers that are valid but outside the range of real accelerators (a typo, or the wrong
        unit): one line each, naming the field and the range. The cost model still uses them."""
        out = []
        vals: dict[str, float | None] = {f"peak_tflops.{k}": v for k, v in self.peak_tflops.items()}
        vals.update({k: getattr(self, k) for k in PLAUSIBLE if not k.startswith("peak_tflops")})
        for k, v in vals.items():
            rng = PLAUSIBLE.get(k) or (PLAUSIBLE["peak_tflops"] if k.startswith("peak_tflops.") else None)
            if v is None or rng is None:
                continue
            lo, hi = rng
            if not lo <= v <= hi:
                out.append(
                    f"{k} = {v:g} is outside the range of real accelerators ({lo:g}–{hi:g}); "
                    "check the value and its unit"
                )
        return out

    # ---- derived quantities
    def peak_flops(self, dtype: str) -> float:
        """Dense peak FLOP/s for ``dtype``; falls back to the next wider format the chip has."""
        order = {"fp4": ("fp4", "fp8", "bf16"), "fp8": ("fp8", "bf16"), "int8": ("int8", "fp8", "bf16")}
        for d in order.get(dtype, (dtype, "bf16")):
            v = self.peak_tflops.get(d)
            if v:
                return float(v) * 1e12
        return float(self.peak_tflops["bf16"]) * 1e12  # type: ignore[arg-type]

    @property
    def hbm_bytes(self) -> float:
        return self.hbm_capacity_gb * GIB

    @property
    def hbm_bytes_per_s(self) -> float:
        return self.hbm_bandwidth_gb_s * 1e9

    def link_bytes_per_s(self, group: int) -> float:
        """Per-GPU, per-direction bandwidth of the slowest link a ``group``-GPU collective uses."""
        gb = self.scale_up_gb_s if group <= self.scale_up_domain else min(self.scale_up_gb_s, self.scale_out_gb_s)
        return gb * 1e9

    @property
    def efficiency_provenance(self) -> str:
        """Where the efficiency data came from: ``"calibrated: <data>"``, ``"fitted: <what>"`` for a
        preset whose own efficiency block was fitted to measurements of that chip, else
        ``"not fitted: H200-derived efficiencies"`` (the defaults of ``_default_efficiency.json``,
        fitted on an H200, applied to this chip's datasheet peaks)."""
        if self.kind == "calibrated" and self.calibration:
            return f"calibrated: {self.calibration.get('data', 'measurements')}"
        if self.efficiency_fitted_on:
            return f"fitted: {self.efficiency_fitted_on}"
        return NOT_FITTED

    @property
    def source_label(self) -> str:
        """Short provenance for pages: spec sheet, custom or calibrated (and on what), with the
        efficiency provenance (:attr:`efficiency_provenance`)."""
        if self.kind == "calibrated" and self.calibration:
            return f"calibrated ({self.calibration.get('data', 'measurements')})"
        if self.kind == "spec":
            return f"spec sheet; efficiencies {self.efficiency_provenance}"
        return {"custom": f"custom profile; efficiencies {self.efficiency_provenance}"}.get(self.kind, self.kind)

    def with_efficiency(self, **changes: Any) -> HardwareProfile:
        return replace(self, efficiency=replace(self.efficiency, **changes))


#: Hard limits (refused outside): positive, finite and not absurd, so no figure overflows or
#: vanishes (a 1e-300 TFLOP/s peak would make a step last 10^302 ms).
HARD_LIMITS: dict[str, tuple[float, float]] = {
    "peak_tflops": (1e-3, 1e7),
    "hbm_capacity_gb": (1e-3, 1e6),
    "hbm_bandwidth_gb_s": (1e-3, 1e8),
    "scale_up_gb_s": (1e-3, 1e8),
    "scale_out_gb_s": (1e-3, 1e8),
    "pcie_gb_s": (1e-3, 1e8),
    "host_ddr_gb_s": (1e-3, 1e8),
    "tdp_w": (1e-3, 1e7),
    "sm_count": (1, 1e6),
    "boost_clock_mhz": (1, 1e6),
}
#: Efficiency limits (refused outside; :class:`Efficiency` checks them, :class:`SpecEdits` declares them).
EFFICIENCY_LIMITS: dict[str, tuple[float, float]] = {
    "memory": (0.01, 1.5),
    "elementwise_traffic": (0.1, 50.0),
    "elementwise_kernels": (0.0, 100.0),
    "kernel_overhead_us": (0.0, 1e4),
    "step_overhead_us": (0.0, 1e6),
    "comm": (0.01, 1.5),
    "comm_latency_us": (0.0, 1e5),
    "host_link": (0.01, 1.0),
    "host_ddr": (0.01, 1.0),
    "host_pageable": (0.01, 1.0),
    "grouped_gemm_tile_rows": (1.0, 1024.0),
    "grouped_gemm_k_overhead": (0.0, 1e5),
    "grouped_gemm_blend": (1.0, 1000.0),
    "moe_imbalance": (1.0, 16.0),
}
#: largest value of an efficiency curve (:class:`Curve`; values are in (0, this])
MAX_CURVE_EFFICIENCY = 1.5
#: largest L2 cache (MB) / NVLink-C2C rate (GB/s) a profile may state (both optional, > 0)
MAX_OPTIONAL_SPEC = 1e7
#: largest scale-up domain (GPUs) a profile may state
MAX_SCALE_UP_DOMAIN = 1 << 20


def _edit(table: dict[str, tuple[float, float]], key: str, unit: str, label: str, help: str = "") -> Any:
    """An editable spec declared with the limits the profile itself enforces (``table[key]``)."""
    lo, hi = table[key]
    return param(None, lo=lo, hi=hi, unit=unit, label=label, help=help, optional=True)


@dataclass(frozen=True)
class SpecEdits:
    """The hardware specs a user may edit (the sidebar spec editor; quick estimation's peak, HBM and
    link rate; quick memory's HBM capacity), declared once. Bounds are the limits
    :class:`HardwareProfile` / :class:`Efficiency` refuse outside of (``HARD_LIMITS``,
    ``EFFICIENCY_LIMITS``, ``MAX_OPTIONAL_SPEC``, ``MAX_SCALE_UP_DOMAIN``): they are derived from those
    tables, not repeated. ``None`` = not edited. Pages that use ``0`` for "not set yet" widen the
    lower bound in their own state (``like(SpecEdits, "peak_tflops", 0.0, lo=0.0, ...)``)."""

    peak_tflops: float | None = _edit(HARD_LIMITS, "peak_tflops", "TFLOP/s", "Dense peak", "per format")
    hbm_capacity_gb: float | None = _edit(HARD_LIMITS, "hbm_capacity_gb", "GB", "HBM capacity")
    hbm_bandwidth_gb_s: float | None = _edit(HARD_LIMITS, "hbm_bandwidth_gb_s", "GB/s", "HBM bandwidth")
    scale_up_gb_s: float | None = _edit(
        HARD_LIMITS, "scale_up_gb_s", "GB/s", "Scale-up link bandwidth", "per GPU, per direction"
    )
    scale_up_domain: int | None = param(
        None, lo=1, hi=MAX_SCALE_UP_DOMAIN, unit="GPUs", label="Scale-up domain", optional=True
    )
    scale_out_gb_s: float | None = _edit(
        HARD_LIMITS, "scale_out_gb_s", "GB/s", "Scale-out link bandwidth", "per GPU, per direction"
    )
    pcie_gb_s: float | None = _edit(HARD_LIMITS, "pcie_gb_s", "GB/s", "PCIe bandwidth")
    host_ddr_gb_s: float | None = _edit(HARD_LIMITS, "host_ddr_gb_s", "GB/s", "Host DDR bandwidth")
    l2_cache_mb: float | None = param(
        None, lo=0.0, hi=MAX_OPTIONAL_SPEC, open_lo=True, unit="MB", label="L2 cache", optional=True
    )
    sm_count: int | None = _edit(HARD_LIMITS, "sm_count", "SMs", "SM count")
    boost_clock_mhz: float | None = _edit(HARD_LIMITS, "boost_clock_mhz", "MHz", "Boost clock")
    tdp_w: float | None = _edit(HARD_LIMITS, "tdp_w", "W", "TDP")
    memory_efficiency: float | None = _edit(EFFICIENCY_LIMITS, "memory", "fraction", "HBM efficiency")
    # a constant efficiency curve (GEMM, prefill attention): a value of Curve
    gemm_efficiency: float | None = param(
        None, lo=0.0, hi=MAX_CURVE_EFFICIENCY, open_lo=True, unit="fraction", label="GEMM efficiency", optional=True
    )
    attention_efficiency: float | None = param(
        None,
        lo=0.0,
        hi=MAX_CURVE_EFFICIENCY,
        open_lo=True,
        unit="fraction",
        label="Prefill attention efficiency",
        optional=True,
    )
    kernel_overhead_us: float | None = _edit(EFFICIENCY_LIMITS, "kernel_overhead_us", "µs", "Kernel overhead")
    step_overhead_us: float | None = _edit(EFFICIENCY_LIMITS, "step_overhead_us", "µs", "Step overhead")
    comm_efficiency: float | None = _edit(EFFICIENCY_LIMITS, "comm", "fraction", "Collective efficiency")
    comm_latency_us: float | None = _edit(EFFICIENCY_LIMITS, "comm_latency_us", "µs", "Collective latency")

    def __post_init__(self) -> None:
        validate_params(self)


#: profile-JSON path (``hardware_to_dict``) → the :class:`SpecEdits` field that declares it
SPEC_EDIT_PATHS: dict[str, str] = {
    "peak_tflops.bf16": "peak_tflops",
    "peak_tflops.fp8": "peak_tflops",
    "peak_tflops.fp4": "peak_tflops",
    "hbm_capacity_gb": "hbm_capacity_gb",
    "hbm_bandwidth_gb_s": "hbm_bandwidth_gb_s",
    "scale_up.bandwidth_gb_s": "scale_up_gb_s",
    "scale_up.domain_size": "scale_up_domain",
    "scale_out_gb_s": "scale_out_gb_s",
    "pcie.bandwidth_gb_s": "pcie_gb_s",
    "host_ddr_gb_s": "host_ddr_gb_s",
    "l2_cache_mb": "l2_cache_mb",
    "sm_count": "sm_count",
    "boost_clock_mhz": "boost_clock_mhz",
    "tdp_w": "tdp_w",
    "efficiency.memory": "memory_efficiency",
    "efficiency.kernel_overhead_us": "kernel_overhead_us",
    "efficiency.step_overhead_us": "step_overhead_us",
    "efficiency.comm": "comm_efficiency",
    "efficiency.comm_latency_us": "comm_latency_us",
}


#: Plausible ranges (a warning outside): from a laptop GPU to a next-generation rack-scale part
#: (B300: 2.5 PFLOP/s dense bf16, 288 GB HBM3e at 8 TB/s; NVLink 5: 900 GB/s per direction).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "peak_tflops": (1.0, 50_000.0),
    "hbm_capacity_gb": (1.0, 4096.0),
    "hbm_bandwidth_gb_s": (50.0, 100_000.0),
    "scale_up_gb_s": (1.0, 50_000.0),
    "scale_out_gb_s": (0.1, 10_000.0),
    "pcie_gb_s": (1.0, 1_000.0),
    "tdp_w": (10.0, 20_000.0),
}


_SIMPLE_FIELDS = (
    "slug",
    "name",
    "vendor",
    "architecture",
    "hbm_capacity_gb",
    "hbm_bandwidth_gb_s",
    "l2_cache_mb",
    "sm_count",
    "boost_clock_mhz",
    "scale_out_gb_s",
    "c2c_gb_s",
    "host_ddr_gb_s",
    "tdp_w",
    "kind",
    "calibration",
    "notes",
    "efficiency_fitted_on",
    "reference_data",
)


def hardware_from_dict(data: Any) -> HardwareProfile:
    """Build a profile from its JSON form; raises :class:`HardwareError` naming the bad field."""
    if not isinstance(data, dict):
        raise HardwareError("a hardware profile must be a JSON object")
    missing = [k for k in ("slug", "name", "peak_tflops", "hbm_capacity_gb", "hbm_bandwidth_gb_s") if k not in data]
    if missing:
        raise HardwareError(f"hardware profile is missing: {', '.join(missing)}")
    kw: dict[str, Any] = {k: data[k] for k in _SIMPLE_FIELDS if k in data and data[k] is not None}
    if "calibration" in kw and not isinstance(kw["calibration"], dict):
        raise HardwareError("calibration must be an object or null")
    kw["peak_tflops"] = dict(data["peak_tflops"]) if isinstance(data["peak_tflops"], dict) else data["peak_tflops"]
    aliases = data.get("aliases") or ()
    if not isinstance(aliases, (list, tuple)) or not all(isinstance(a, str) for a in aliases) or len(aliases) > 64:
        raise HardwareError("aliases must be a list of at most 64 names")
    kw["aliases"] = tuple(aliases)
    for key in ("scale_up", "pcie", "microarch", "sources", "efficiency"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise HardwareError(f"{key} must be an object {{...}}, got {type(data[key]).__name__}")
    su = data.get("scale_up") or {}
    if su.get("name"):
        kw["scale_up_name"] = su["name"]
    if su.get("bandwidth_gb_s") is not None:
        kw["scale_up_gb_s"] = su["bandwidth_gb_s"]
    if su.get("domain_size") is not None:
        kw["scale_up_domain"] = su["domain_size"]
    pcie = data.get("pcie") or {}
    if pcie.get("bandwidth_gb_s") is not None:
        kw["pcie_gb_s"] = pcie["bandwidth_gb_s"]
    kw["microarch"] = dict(data.get("microarch") or {})
    kw["sources"] = {str(k): str(v) for k, v in (data.get("sources") or {}).items()}
    eff = _load_default_efficiency()
    eff.update(data.get("efficiency") or {})
    try:
        kw["efficiency"] = Efficiency(**eff)
    except TypeError as exc:
        raise HardwareError(f"efficiency: {exc}") from None
    try:
        return HardwareProfile(**kw)
    except TypeError as exc:
        raise HardwareError(str(exc)) from None


def hardware_to_dict(hw: HardwareProfile) -> dict[str, Any]:
    """JSON form of a profile (round-trips through :func:`hardware_from_dict`)."""
    d = {k: getattr(hw, k) for k in _SIMPLE_FIELDS}
    d["aliases"] = list(hw.aliases)
    d["peak_tflops"] = dict(hw.peak_tflops)
    d["scale_up"] = {"name": hw.scale_up_name, "bandwidth_gb_s": hw.scale_up_gb_s, "domain_size": hw.scale_up_domain}
    d["pcie"] = {"bandwidth_gb_s": hw.pcie_gb_s}
    d["microarch"] = dict(hw.microarch)
    d["efficiency"] = hw.efficiency.to_dict()
    d["sources"] = dict(hw.sources)
    return d


def _dir_stamp(folder: Path) -> tuple[int, ...]:
    """The folder's modification time: it changes when a file is added, removed or replaced
    (written to a new file and renamed, as editors and git do), and it is the cache key of the
    preset index below, so the shipped presets are read once per process rather than on every
    page run. One ``stat`` (stamping every file cost ~2 ms, as much as reading them)."""
    try:
        return (folder.stat().st_mtime_ns,)
    except OSError:
        return ()


def list_hardware_presets() -> list[str]:
    """Slugs of the shipped presets, sorted."""
    return list(_presets(HARDWARE_DIR, _dir_stamp(HARDWARE_DIR))[0])


@lru_cache(maxsize=4)
def _presets(folder: Path, stamp: tuple[int, ...]) -> tuple[tuple[str, ...], dict[str, Path], dict[Path, str]]:
    """(sorted slugs, slug/alias index, file texts) of the preset files of ``folder`` as of
    ``stamp``. Only shipped files: profiles a session adds live in its own state, never here.
    Callers must not modify what it returns (the index is read, the texts are strings)."""
    index: dict[str, Path] = {}
    texts: dict[Path, str] = {}
    for p in sorted(folder.glob("*.json")):
        if p.stem.startswith("_"):
            continue
        index[normalise_slug(p.stem)] = p
        try:
            texts[p] = p.read_text()
            for a in json.loads(texts[p]).get("aliases") or []:
                index.setdefault(normalise_slug(str(a)), p)
        except (OSError, json.JSONDecodeError):
            continue
    slugs = tuple(sorted(p.stem for p in folder.glob("*.json") if not p.stem.startswith("_")))
    return slugs, index, texts


def load_hardware(ref: str | Path | dict[str, Any] | HardwareProfile) -> HardwareProfile:
    """Resolve a preset slug/alias (case-insensitive), a profile JSON path, or a dict.

    A *string* is a file path only on the command line (inside
    :func:`dashboard.features.safe_io.allow_paths`); elsewhere (URL parameters, text fields, table
    cells) it must name a preset. A :class:`~pathlib.Path` object is always read as a file. Files
    are size-capped (``safe_io.MAX_FILE_BYTES``) before they are read.
    """
    if isinstance(ref, HardwareProfile):
        return ref
    if isinstance(ref, dict):
        return hardware_from_dict(ref)
    if isinstance(ref, Path):
        return _load_hardware_file(ref, str(ref))
    if not isinstance(ref, str):
        raise HardwareError(f"hardware must be a preset name, got {type(ref).__name__}")
    text = ref.strip()
    if paths_allowed() and (text.lower().endswith(".json") or Path(text).exists()):
        return _load_hardware_file(Path(text), text)
    _, index, texts = _presets(HARDWARE_DIR, _dir_stamp(HARDWARE_DIR))
    hit = index.get(normalise_slug(text)) if len(text) <= 200 else None
    if hit is None:
        shown = text if len(text) <= 80 else text[:77] + "..."
        hint = "" if paths_allowed() else path_refused_hint(text)
        raise HardwareError(f"unknown hardware {shown!r}{hint}; presets: {', '.join(list_hardware_presets())}")
    return hardware_from_dict(json.loads(texts[hit] if hit in texts else hit.read_text()))


def _load_hardware_file(path: Path, text: str) -> HardwareProfile:
    try:
        data = json.loads(read_text_capped(path))
    except FileNotFoundError:
        raise HardwareError(f"hardware profile file not found: {text}") from None
    except OSError as exc:
        raise HardwareError(f"hardware profile {text}: cannot read ({exc.strerror})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise HardwareError(f"hardware profile {text} is not valid JSON: {exc}") from None
    except ValueError as exc:
        raise HardwareError(f"hardware profile: {exc}") from None
    return hardware_from_dict(data)
