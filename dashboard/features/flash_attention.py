"""FlashAttention-3-style forward attention priced component by component on one GPU.

Consumer: ``dashboard/attention_vs_head_dim.py``. Pure functions, no Streamlit.

The kernel (Shah et al., *FlashAttention-3: Fast and Accurate Attention with Asynchrony and
Low-precision*, 2024, arXiv:2407.08608) tiles the queries into blocks of ``Br`` rows (one CTA per
query block and head) and walks the keys in blocks of ``Bc`` columns. Per (query block, key
block) tile it runs

1. ``S = Q·Kᵀ`` on the tensor cores — ``2·Br·Bc·d`` FLOPs;
2. the online softmax: one exponential per score on the special-function units (SFU/MUFU), plus
   FP32 bookkeeping on the CUDA cores (scale-and-subtract-max FFMA, row max, row sum) and the
   rescaling of the output accumulator by ``exp(m_old − m_new)`` (``d_v`` multiplies per row per
   key block, ``d_v`` more per row for the final ``O / ℓ``);
3. ``O += P·V`` on the tensor cores — ``2·Br·Bc·d_v`` FLOPs;
4. tile loads: TMA copies of the K and V tiles from L2/HBM into shared memory, and the WGMMA
   operand reads of Q, K and V from shared memory (P stays in registers: RS-WGMMA).

Causal masking works at tile granularity: key blocks entirely above the diagonal are skipped, but
a tile that straddles the diagonal is computed in full and then masked, so part of its FLOPs and
exponentials are wasted (:func:`tile_counts`). For ``L = Br = Bc`` the single tile wastes
``(Br − 1)/(2·Br)`` of its work; for ``L`` a multiple of ``B = Br = Bc`` the waste is
``(B − 1)/(L + B)``.

Why the exponentials matter — the FA3 paper's own numbers for the H100 SXM5: **989 TFLOPS of
FP16 matmul but only 3.9 TFLOPS of special functions**; with ``d = 128`` there are
``4·d = 512`` matmul FLOPs per exponential, so the exponentials take ``989 / (512 · 3.9) ≈ 0.5``
of the matmul time. Both figures follow from the per-SM rates in the hardware profile's
``microarch`` block: ``132 SMs × 4096 FLOP/clk × 1.83 GHz = 989.4 TFLOP/s`` and
``132 × 16 exp/clk × 1.83 GHz = 3.87 T exp/s``.

Timing: each component runs on its own unit (tensor cores, SFU, FP32 lanes, shared memory / HBM)
at ``ops / (rate per clk per SM × SMs × clock)``, divided by the wave efficiency
``CTAs / (⌈CTAs / SMs⌉ · SMs)``. Tile loads run in producer warps (TMA, asynchronous), so they
only bound the kernel; FA3 overlaps the softmax (SFU + FP32) with the GEMMs of the other warp
group (ping-pong scheduling) — the overlap factor ``φ`` says how much of the shorter of the two
hides behind the longer::

    t = max(t_loads, max(t_tensor, t_softmax) + (1 − φ) · min(t_tensor, t_softmax))

``φ = 1`` is the perfectly overlapped bound ``max(tensor, softmax, loads)``; ``φ = 0`` runs the
softmax and the GEMMs back to back. ``serial_s`` (the plain sum of all components) is reported
for reference.

Assumptions: uniform work per CTA (causal CTAs differ; FA3's longest-first persistent scheduler
mostly balances them); K/V tiles of one head stay in L2 across that head's query blocks, so HBM
sees Q, K, V and O once; WGMMA ``M = 64`` rows per warp group, so every warp group of a CTA reads
the K and V tiles from shared memory on its own; FP32 ops count one per lane instruction (an FFMA
is one op); masked scores still go through ``exp`` (they become ``exp(−inf) = 0``).

Units: FLOPs and ops are counts, bytes are bytes, times are seconds (``*_s``).
"""

from __future__ import annotations

import csv
import math
from dataclasses import MISSING, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape

__all__ = [
    "COMPONENTS",
    "AttentionCost",
    "AttentionShape",
    "ComponentCost",
    "FlashRates",
    "MicroarchMissingError",
    "TileCounts",
    "attention_cost",
    "compare_with_reference",
    "cost_model_attention_prefill",
    "exp_count",
    "kv_heads_for",
    "load_attention_reference",
    "measured_attention",
    "qk_flops",
    "rates_from_hardware",
    "reference_block_n",
    "scaled_overrides",
    "smem_footprint_bytes",
    "sweep_shapes",
    "tile_counts",
]

#: component keys in kernel order (mask waste is reported apart: it is included in the others)
COMPONENTS = ("qk_gemm", "softmax_exp", "rescale", "pv_gemm", "tile_loads")
MASK_WASTE = "mask_waste"
#: FP32 CUDA-core ops per score element for the online softmax: FFMA (x·scale − m·scale), FMNMX
#: (row max) and FADD (row sum).
SOFTMAX_FP32_OPS_PER_SCORE = 3
#: Rows of one Hopper WGMMA instruction (PTX ISA, ``wgmma.mma_async`` shapes ``m64nNk16``).
WGMMA_M = 64
_DTYPE_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0}
#: most heads and largest head dimension (the model-config bound, ``INT_BOUNDS`` of model_profile)
MAX_HEADS = 1 << 14


class MicroarchMissingError(ValueError):
    """The hardware profile lacks a per-SM rate this model needs (``missing`` names them)."""

    def __init__(self, hardware: str, missing: tuple[str, ...]) -> None:
        super().__init__(
            f"{hardware}: the profile's microarch block has no value for {', '.join(missing)}; "
            "this page needs per-SM tensor, SFU and shared-memory rates (add them to the profile JSON)"
        )
        self.missing = missing


@dataclass(frozen=True)
class AttentionShape:
    """One attention call: ``batch`` sequences, ``q_heads`` query heads sharing ``kv_heads`` KV
    heads, ``q_len`` queries attending ``kv_len`` keys, tiles of ``block_m`` (Br) query rows by
    ``block_n`` (Bc) key columns."""

    # declared once (dashboard/features/params.py): the attention page's inputs refer to these
    batch: int = like(RequestShape, "batch", required=True)
    q_heads: int = param(MISSING, lo=1, hi=MAX_HEADS, unit="heads", label="Query heads")
    kv_heads: int = param(MISSING, lo=1, hi=MAX_HEADS, unit="heads", label="KV heads")
    head_dim: int = param(MISSING, lo=1, hi=MAX_HEADS, unit="elements", label="Head dimension")
    q_len: int = like(RequestShape, "input_len", required=True, label="Query tokens")
    kv_len: int = like(RequestShape, "context", required=True, label="Key tokens")
    causal: bool = param(True, label="Causal mask")
    block_m: int = param(128, lo=1, hi=1024, unit="rows", label="Query tile Br")
    block_n: int = param(128, lo=1, hi=1024, unit="columns", label="Key tile Bc")
    dtype: str = param("bf16", choices=tuple(_DTYPE_BYTES), label="Attention format")
    head_dim_v: int | None = param(
        None, lo=1, hi=MAX_HEADS, unit="elements", label="Value head dimension", help="None: head_dim"
    )
    stages: int = param(2, lo=1, hi=16, unit="stages", label="Pipeline stages")

    def __post_init__(self) -> None:
        validate_params(self)
        if self.q_heads % self.kv_heads:
            raise ValueError(f"q_heads={self.q_heads} must be a multiple of kv_heads={self.kv_heads}")
        if self.dtype not in _DTYPE_BYTES:
            raise ValueError(f"dtype must be one of {', '.join(_DTYPE_BYTES)}, got {self.dtype!r}")
        if self.causal and self.kv_len < self.q_len:
            raise ValueError("causal attention needs kv_len ≥ q_len (queries are the last q_len positions)")

    @property
    def dv(self) -> int:
        return self.head_dim_v or self.head_dim

    @property
    def elem_bytes(self) -> float:
        return _DTYPE_BYTES[self.dtype]


@dataclass(frozen=True)
class FlashRates:
    """Per-SM rates of one GPU (from ``HardwareProfile.microarch``) and its clock."""

    name: str
    sm_count: int
    clock_hz: float
    tensor_flops_per_clk_per_sm: float
    sfu_ops_per_clk_per_sm: float
    fp32_ops_per_clk_per_sm: float
    smem_bytes_per_clk_per_sm: float
    smem_bytes_per_sm: float
    hbm_bytes_per_s: float

    def __post_init__(self) -> None:
        for k in (
            "sm_count",
            "clock_hz",
            "tensor_flops_per_clk_per_sm",
            "sfu_ops_per_clk_per_sm",
            "fp32_ops_per_clk_per_sm",
            "smem_bytes_per_clk_per_sm",
            "smem_bytes_per_sm",
            "hbm_bytes_per_s",
        ):
            v = getattr(self, k)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0 or not math.isfinite(v):
                raise ValueError(f"{k} must be a positive number, got {v!r}")

    @property
    def tensor_flops_per_s(self) -> float:
        return self.tensor_flops_per_clk_per_sm * self.sm_count * self.clock_hz

    @property
    def sfu_ops_per_s(self) -> float:
        return self.sfu_ops_per_clk_per_sm * self.sm_count * self.clock_hz

    @property
    def fp32_ops_per_s(self) -> float:
        return self.fp32_ops_per_clk_per_sm * self.sm_count * self.clock_hz

    @property
    def smem_bytes_per_s(self) -> float:
        return self.smem_bytes_per_clk_per_sm * self.sm_count * self.clock_hz


def rates_from_hardware(
    hw: Any, dtype: str = "bf16", clock_mhz: float | None = None, fp32_ops_per_clk_per_sm: float | None = None
) -> FlashRates:
    """Rates of ``hw`` (a :class:`~dashboard.features.hardware.HardwareProfile`) for ``dtype``.

    Reads ``microarch.tensor_flops_per_clk_per_sm[dtype]``, ``sfu_ops_per_clk_per_sm``,
    ``smem_bytes_per_clk_per_sm``, ``smem_kb_per_sm`` and, when present,
    ``fp32_ops_per_clk_per_sm``; otherwise ``fp32_ops_per_clk_per_sm`` must be passed (Hopper:
    128 FP32 lanes per SM, NVIDIA H100 whitepaper). Raises :class:`MicroarchMissingError` naming
    every missing key (AMD and Ascend profiles leave some null).
    """
    ua = dict(getattr(hw, "microarch", None) or {})
    tensor = ua.get("tensor_flops_per_clk_per_sm") or {}
    tkey = "fp8" if dtype == "fp8" else "bf16"
    missing = []
    if not tensor.get(tkey):
        missing.append(f"tensor_flops_per_clk_per_sm.{tkey}")
    for k in ("sfu_ops_per_clk_per_sm", "smem_bytes_per_clk_per_sm", "smem_kb_per_sm"):
        if not ua.get(k):
            missing.append(k)
    fp32: Any = ua.get("fp32_ops_per_clk_per_sm") or fp32_ops_per_clk_per_sm
    if not fp32:
        missing.append("fp32_ops_per_clk_per_sm")
    if missing:
        raise MicroarchMissingError(getattr(hw, "name", "hardware"), tuple(missing))
    clock = (clock_mhz or hw.boost_clock_mhz) * 1e6
    return FlashRates(
        name=hw.name,
        sm_count=int(hw.sm_count),
        clock_hz=float(clock),
        tensor_flops_per_clk_per_sm=float(tensor[tkey]),
        sfu_ops_per_clk_per_sm=float(ua["sfu_ops_per_clk_per_sm"]),
        fp32_ops_per_clk_per_sm=float(fp32),
        smem_bytes_per_clk_per_sm=float(ua["smem_bytes_per_clk_per_sm"]),
        smem_bytes_per_sm=float(ua["smem_kb_per_sm"]) * 1024.0,
        hbm_bytes_per_s=float(hw.hbm_bandwidth_gb_s) * 1e9,
    )


# ---------------------------------------------------------------------------- tile geometry
@dataclass(frozen=True)
class TileCounts:
    """Per (batch, head) tile geometry of one attention call.

    ``useful_pairs``: (query, key) pairs the mask allows; ``executed_pairs``: pairs the tiles
    compute (``Br·Bc`` per visited tile, padding included); ``kv_tiles``: visited (query block,
    key block) tiles; ``row_blocks``: Σ over query rows of the key blocks each row visits (one
    accumulator rescale each); ``q_blocks``: query blocks (CTAs per head).
    """

    useful_pairs: int
    executed_pairs: int
    kv_tiles: int
    row_blocks: int
    q_blocks: int

    @property
    def mask_waste_fraction(self) -> float:
        return 1.0 - self.useful_pairs / self.executed_pairs if self.executed_pairs else 0.0


@lru_cache(maxsize=256)
def tile_counts(q_len: int, kv_len: int, block_m: int, block_n: int, causal: bool) -> TileCounts:
    """Tiles visited by one (batch, head); causal masks are bottom-right aligned (query ``i``
    sees keys ``j ≤ i + kv_len − q_len``), fully masked key blocks are skipped."""
    off = kv_len - q_len
    n_kb_all = -(-kv_len // block_n)
    q_blocks = -(-q_len // block_m)
    if causal:
        # useful pairs: Σ_i min(i + off + 1, kv_len)
        full_rows = max(0, min(q_len, kv_len - off))  # rows with i + off + 1 ≤ kv_len: i < kv_len - off
        useful = full_rows * (off + 1) + full_rows * (full_rows - 1) // 2 + (q_len - full_rows) * kv_len
    else:
        useful = q_len * kv_len
    executed = kv_tiles = row_blocks = 0
    for qb in range(q_blocks):
        r0 = qb * block_m
        r1 = min(r0 + block_m, q_len)
        if causal:
            keys = min(kv_len, r1 + off)
            nkb = -(-keys // block_n) if keys > 0 else 0
        else:
            nkb = n_kb_all
        kv_tiles += nkb
        executed += block_m * block_n * nkb
        row_blocks += (r1 - r0) * nkb
    return TileCounts(
        useful_pairs=useful, executed_pairs=executed, kv_tiles=kv_tiles, row_blocks=row_blocks, q_blocks=q_blocks
    )


def qk_flops(batch: int, heads: int, q_len: int, kv_len: int, head_dim: int) -> float:
    """Dense ``Q·Kᵀ`` FLOPs: ``2·B·H·Lq·Lk·d`` (one multiply-add = 2 FLOPs)."""
    return 2.0 * batch * heads * q_len * kv_len * head_dim


def exp_count(batch: int, heads: int, q_len: int, kv_len: int) -> float:
    """Softmax exponentials of a dense score matrix: ``B·H·Lq·Lk``."""
    return float(batch) * heads * q_len * kv_len


def smem_footprint_bytes(shape: AttentionShape) -> float:
    """Shared memory one CTA holds: the Q tile and ``stages`` K and V tiles,
    ``(Br·d + stages·Bc·(d + d_v)) · bytes`` (the O epilogue reuses the Q buffer). FA3's
    head_dim-256 config (Br = 128, Bc = 80, 2 stages, bf16) needs 224 KiB of the H100's 228."""
    b = shape.elem_bytes
    return (shape.block_m * shape.head_dim + shape.stages * shape.block_n * (shape.head_dim + shape.dv)) * b


# ---------------------------------------------------------------------------- costs
@dataclass(frozen=True)
class ComponentCost:
    """One component: its work (``ops``: FLOPs, exponentials, FP32 ops or shared-memory bytes),
    the unit it runs on, and its time."""

    name: str
    unit: str  # "tensor" | "sfu" | "fp32" | "memory"
    ops: float
    time_s: float
    model_ops: float  # before any user override
    overridden: bool = False
    hbm_bytes: float = 0.0
    included_in_total: bool = True


@dataclass(frozen=True)
class AttentionCost:
    shape: AttentionShape
    components: tuple[ComponentCost, ...]
    mask_waste: ComponentCost
    tiles: TileCounts
    useful_flops: float  # mask-allowed matmul FLOPs: 2·B·H·pairs·(d + d_v)
    executed_flops: float  # tensor-core FLOPs actually run (QKᵀ + PV, overrides applied)
    serial_s: float
    overlapped_s: float
    time_s: float
    overlap: float
    wave_efficiency: float
    ctas: int
    smem_bytes_per_cta: float
    fits_smem: bool
    hot: str  # largest component on the binding path
    binding: str  # "tensor" | "softmax" | "loads": the term that sets time_s

    def component(self, name: str) -> ComponentCost:
        for c in (*self.components, self.mask_waste):
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def hot_share(self) -> float:
        """Time of the :attr:`hot` component ÷ the call's time (0 for a zero-time call)."""
        return self.component(self.hot).time_s / self.time_s if self.time_s > 0 else 0.0

    @property
    def effective_tflops(self) -> float:
        """Useful matmul FLOPs ÷ time, the convention of FA papers and of attention benchmarks
        (causal FLOPs = half the dense count)."""
        return self.useful_flops / self.time_s / 1e12 if self.time_s > 0 else 0.0

    @property
    def tensor_arithmetic_intensity(self) -> float:
        """Tensor FLOPs per shared-memory byte (rises with Br and Bc)."""
        loads = self.component("tile_loads")
        return self.executed_flops / loads.ops if loads.ops else float("inf")

    def as_rows(self) -> list[dict[str, Any]]:
        rows = []
        for c in (*self.components, self.mask_waste):
            rows.append(
                {
                    "component": c.name,
                    "unit": c.unit,
                    "ops": c.ops,
                    "model_ops": c.model_ops,
                    "overridden": c.overridden,
                    "time_us": c.time_s * 1e6,
                    "share_of_serial": c.time_s / self.serial_s if self.serial_s and c.included_in_total else None,
                    "hbm_bytes": c.hbm_bytes,
                    "in_total": c.included_in_total,
                }
            )
        return rows


def attention_cost(
    shape: AttentionShape, rates: FlashRates, overlap: float = 0.0, overrides: dict[str, float] | None = None
) -> AttentionCost:
    """Price one FA3-style forward call (see the module docstring for formulas and assumptions).

    ``overrides`` maps a component name of :data:`COMPONENTS` to user work (FLOPs / ops / bytes)
    that replaces the modelled value; the component's time scales with it.
    """
    if not 0.0 <= overlap <= 1.0:
        raise ValueError("overlap φ must be between 0 and 1")
    overrides = dict(overrides or {})
    bad = [k for k in overrides if k not in COMPONENTS]
    if bad:
        raise ValueError(f"unknown component(s) {', '.join(bad)}; known: {', '.join(COMPONENTS)}")
    for k, v in overrides.items():
        if not isinstance(v, (int, float)) or v < 0 or not math.isfinite(v):
            raise ValueError(f"override for {k} must be a non-negative number, got {v!r}")
    s, r = shape, rates
    tc = tile_counts(s.q_len, s.kv_len, s.block_m, s.block_n, s.causal)
    bh = s.batch * s.q_heads
    d, dv, b = s.head_dim, s.dv, s.elem_bytes
    ctas = bh * tc.q_blocks
    waves = -(-ctas // r.sm_count)
    wave_eff = ctas / (waves * r.sm_count)

    # work per component (whole call)
    qk = 2.0 * bh * tc.executed_pairs * d
    pv = 2.0 * bh * tc.executed_pairs * dv
    exps = float(bh) * tc.executed_pairs
    fp32 = float(bh) * (SOFTMAX_FP32_OPS_PER_SCORE * tc.executed_pairs + tc.row_blocks * dv + s.q_len * dv)
    wg = -(-s.block_m // WGMMA_M)  # warp groups per CTA, each reads K and V from SMEM
    per_tile_smem = (
        s.block_n * (d + dv)  # TMA writes of the K, V tiles
        + s.block_m * d  # Q operand read by QKᵀ
        + wg * s.block_n * (d + dv)
    )  # K and V operand reads, once per warp group
    per_qblock_smem = s.block_m * d + s.block_m * dv  # Q fill + O epilogue staging
    smem_bytes = float(bh) * b * (tc.kv_tiles * per_tile_smem + tc.q_blocks * per_qblock_smem)
    hbm_bytes = s.batch * b * (s.q_heads * s.q_len * (d + dv) + s.kv_heads * s.kv_len * (d + dv))

    model = {"qk_gemm": qk, "softmax_exp": exps, "rescale": fp32, "pv_gemm": pv, "tile_loads": smem_bytes}
    per_s = {
        "qk_gemm": r.tensor_flops_per_s,
        "pv_gemm": r.tensor_flops_per_s,
        "softmax_exp": r.sfu_ops_per_s,
        "rescale": r.fp32_ops_per_s,
        "tile_loads": r.smem_bytes_per_s,
    }
    units = {"qk_gemm": "tensor", "pv_gemm": "tensor", "softmax_exp": "sfu", "rescale": "fp32", "tile_loads": "memory"}
    comps = []
    for name in COMPONENTS:
        ops = float(overrides.get(name, model[name]))
        t = ops / per_s[name] / wave_eff
        hb = 0.0
        if name == "tile_loads":
            hb = hbm_bytes * (ops / model[name] if model[name] else 1.0)
            t = max(t, hb / r.hbm_bytes_per_s)
        comps.append(
            ComponentCost(
                name=name,
                unit=units[name],
                ops=ops,
                time_s=t,
                model_ops=model[name],
                overridden=name in overrides,
                hbm_bytes=hb,
            )
        )
    by = {c.name: c for c in comps}
    serial = sum(c.time_s for c in comps)
    t_tensor = by["qk_gemm"].time_s + by["pv_gemm"].time_s
    t_softmax = by["softmax_exp"].time_s + by["rescale"].time_s
    t_loads = by["tile_loads"].time_s
    overlapped = max(t_tensor, t_softmax, t_loads)
    total = max(t_loads, max(t_tensor, t_softmax) + (1.0 - overlap) * min(t_tensor, t_softmax))
    waste_frac = tc.mask_waste_fraction
    compute_names = ("qk_gemm", "softmax_exp", "rescale", "pv_gemm")
    waste = ComponentCost(
        name=MASK_WASTE,
        unit="tensor",
        ops=waste_frac * (by["qk_gemm"].ops + by["pv_gemm"].ops),
        model_ops=waste_frac * (qk + pv),
        time_s=waste_frac * sum(by[n].time_s for n in compute_names),
        included_in_total=False,
    )
    useful = 2.0 * bh * tc.useful_pairs * (d + dv)
    smem_cta = smem_footprint_bytes(s)
    # hot stage: the largest component on the path that sets the kernel time
    if t_loads >= total * (1 - 1e-12):
        hot, binding = "tile_loads", "loads"
    elif t_tensor >= t_softmax:
        hot, binding = max(("qk_gemm", "pv_gemm"), key=lambda n: by[n].time_s), "tensor"
    else:
        hot, binding = max(("softmax_exp", "rescale"), key=lambda n: by[n].time_s), "softmax"
    return AttentionCost(
        shape=s,
        components=tuple(comps),
        mask_waste=waste,
        tiles=tc,
        useful_flops=useful,
        executed_flops=by["qk_gemm"].ops + by["pv_gemm"].ops,
        serial_s=serial,
        overlapped_s=overlapped,
        time_s=total,
        overlap=overlap,
        wave_efficiency=wave_eff,
        ctas=ctas,
        smem_bytes_per_cta=smem_cta,
        fits_smem=smem_cta <= r.smem_bytes_per_sm,
        hot=hot,
        binding=binding,
    )


# ---------------------------------------------------------------------------- sweeps
SWEEP_MODES = ("head_dim", "heads_fixed_hidden")


def kv_heads_for(q_heads: int, gqa_group: int) -> int:
    """KV heads for ``q_heads`` query heads grouped ``gqa_group`` per KV head
    (``q_heads / gcd(q_heads, group)`` when the group does not divide the heads)."""
    return q_heads // math.gcd(q_heads, gqa_group)


def sweep_shapes(
    mode: str,
    head_dims: tuple[int, ...],
    *,
    num_heads: int,
    hidden: int,
    gqa_group: int,
    batch: int,
    q_len: int,
    kv_len: int,
    causal: bool,
    block_m: int,
    block_n: int,
    dtype: str,
) -> tuple[list[AttentionShape], list[str]]:
    """Shapes of a head_dim sweep and notes on skipped points.

    ``mode = "head_dim"``: ``num_heads`` fixed, ``d`` varies (FLOPs grow ∝ d).
    ``mode = "heads_fixed_hidden"``: ``H = hidden / d`` (``H·d`` fixed, so matmul FLOPs stay
    constant while the exponential count ∝ H grows as d shrinks); head dims that do not divide
    ``hidden`` are skipped.
    """
    if mode not in SWEEP_MODES:
        raise ValueError(f"sweep mode must be one of {', '.join(SWEEP_MODES)}")
    shapes, notes = [], []
    for d in head_dims:
        if mode == "head_dim":
            h = num_heads
        else:
            if hidden % d:
                notes.append(f"head_dim {d} skipped: it does not divide hidden {hidden}")
                continue
            h = hidden // d
        shapes.append(
            AttentionShape(
                batch=batch,
                q_heads=h,
                kv_heads=kv_heads_for(h, gqa_group),
                head_dim=d,
                q_len=q_len,
                kv_len=kv_len,
                causal=causal,
                block_m=block_m,
                block_n=block_n,
                dtype=dtype,
            )
        )
    return shapes, notes


def scaled_overrides(
    focus: AttentionCost | None, overrides: dict[str, float], shape: AttentionShape, rates: FlashRates
) -> dict[str, float]:
    """Overrides for another sweep point: each user value at the focus point becomes a ratio to
    the model there, applied to this point's modelled work."""
    if not overrides or focus is None:
        return {}
    base = attention_cost(shape, rates).components
    out = {}
    for c in base:
        if c.name in overrides:
            ref = focus.component(c.name).model_ops
            out[c.name] = c.model_ops * (overrides[c.name] / ref if ref else 1.0)
    return out


# ---------------------------------------------------------------------------- reference data
REFERENCE_CSV = Path(__file__).resolve().parent.parent / "data" / "reference" / "attention_prefill.csv"


def load_attention_reference(path: Any = None) -> list[dict[str, Any]]:
    """Rows of the H200 causal-prefill measurements (``dashboard/data/reference/attention_prefill.csv``,
    a copy of ``shared/data/h200-reference``): backend, batch, q_heads, kv_heads, head_dim, q_len,
    kv_len, causal, ms_median, tflops (FLOPs counted as ``2·B·Hq·L²·d``, i.e. the causal half of
    QKᵀ + PV). Empty list when the file is absent."""
    p = Path(path) if path else REFERENCE_CSV
    if not p.exists():
        return []
    rows = []
    with p.open(newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "backend": r["backend"],
                    "batch": int(r["batch"]),
                    "q_heads": int(r["q_heads"]),
                    "kv_heads": int(r["kv_heads"]),
                    "head_dim": int(r["head_dim"]),
                    "q_len": int(r["q_len"]),
                    "kv_len": int(r["kv_len"]),
                    "causal": r["causal"] in ("1", "True", "true"),
                    "ms_median": float(r["ms_median"]),
                    "tflops": float(r["tflops"]),
                }
            )
    return rows


def reference_block_n(head_dim: int, block_n: int) -> int:
    """K/V block rows used for a head dimension: the chosen ``block_n``, except that the default
    128 drops to 80 above ``head_dim`` 128 (an assumption of this model, after FlashAttention-3's
    Hopper kernels, which shrink the K/V tile for wide heads so the K/V stages and the P·V
    accumulator fit shared memory and registers)."""
    return 80 if head_dim > 128 and block_n == 128 else block_n


def compare_with_reference(
    rows: list[dict[str, Any]], rates: FlashRates, *, block_m: int, block_n: int, overlap: float = 0.0
) -> list[dict[str, Any]]:
    """Model vs measured effective TFLOP/s for the causal rows of a reference set
    (:func:`load_attention_reference` format): one dict per row with ``model_over_measured``."""
    out = []
    for r in rows:
        if not r["causal"]:
            continue
        shape = AttentionShape(
            batch=r["batch"],
            q_heads=r["q_heads"],
            kv_heads=r["kv_heads"],
            head_dim=r["head_dim"],
            q_len=r["q_len"],
            kv_len=r["kv_len"],
            causal=True,
            block_m=block_m,
            block_n=reference_block_n(r["head_dim"], block_n),
        )
        c = attention_cost(shape, rates, overlap)
        out.append(
            {
                "backend": r["backend"],
                "batch": r["batch"],
                "q_heads": r["q_heads"],
                "kv_heads": r["kv_heads"],
                "head_dim": r["head_dim"],
                "seq_len": r["q_len"],
                "measured_tflops": r["tflops"],
                "model_tflops": c.effective_tflops,
                "model_over_measured": c.effective_tflops / r["tflops"],
                "hot": c.hot,
            }
        )
    return out


# ---------------------------------------------------------------------------- side by side (issue 14 §3)
def cost_model_attention_prefill(cm: Any, shape: AttentionShape) -> tuple[float, float, str]:
    """The shared cost model's figure for one prefill attention call of ``shape``: ``(seconds,
    effective TFLOP/s, bound)``.

    The op is the one :class:`~dashboard.features.cost_model.CostModel` adds per layer for a prefill
    chunk (``attn_prefill``): FLOPs ``2·Hq·pairs·(d + d)`` with ``pairs`` the causal (query, key)
    pairs of :func:`~dashboard.features.batch.attention_pairs` (``q_len`` new tokens after
    ``kv_len − q_len`` cached ones; all ``q_len·kv_len`` pairs without the mask), bytes ``B·q_len·Hq·2d·b_a
    + B·kv_len·Hkv·2d·b_kv``, priced by :meth:`CostModel.op_time`: ``max(FLOPs / (peak_attn ·
    η_attn(FLOPs per call)), bytes / (HBM · η_mem)) + t_kernel`` with the profile's fitted η_attn curve.
    TFLOP/s are those FLOPs over the time (the useful-FLOP convention of the measurements)."""
    from dashboard.features.batch import attention_pairs
    from dashboard.features.cost_model import ATTN_P, AttentionPrefillOp

    d2 = 2.0 * shape.head_dim
    if shape.causal:
        pairs = shape.batch * attention_pairs(shape.q_len, shape.kv_len - shape.q_len)
    else:
        pairs = float(shape.batch) * shape.q_len * shape.kv_len
    fl = 2.0 * shape.q_heads * pairs * d2
    by = shape.batch * (shape.q_len * shape.q_heads * d2 * cm.ab + shape.kv_len * shape.kv_heads * d2 * cm.kvb)
    t, bound = cm.op_time(AttentionPrefillOp("attn_prefill", ATTN_P, 1, fl, by, 0.0, fl))
    return t, fl / t / 1e12, bound


def measured_attention(rows: list[dict[str, Any]], shape: AttentionShape) -> list[dict[str, Any]]:
    """Measured rows (:func:`load_attention_reference` format) of exactly ``shape`` (any backend),
    fastest first; ``[]`` when there are none."""
    key = (shape.batch, shape.q_heads, shape.kv_heads, shape.head_dim, shape.q_len, shape.kv_len, shape.causal)
    hits = [
        r
        for r in rows
        if (r["batch"], r["q_heads"], r["kv_heads"], r["head_dim"], r["q_len"], r["kv_len"], r["causal"]) == key
    ]
    return sorted(hits, key=lambda r: -r["tflops"])
