"""One GEMM ``C[M,N] = A[M,K] · B[K,N]`` on one GPU, as a tile / memory-hierarchy roofline.

Consumer: ``dashboard/mma_modeler_app.py``. Pure functions, no Streamlit.

Tiling (CUTLASS / Hopper WGMMA terms): the output is cut into CTA tiles ``BM × BN``, each CTA
walks K in steps of ``BK``, staging A and B tiles in shared memory; inside a CTA each warp group
owns a ``WM × WN`` sub-tile and issues tensor-core instructions of depth ``k_inst`` (16 for
16-bit inputs, 32 for 8-bit: ``wgmma.mma_async`` shapes ``m64nNk16`` / ``m64nNk32``, PTX ISA).

Bytes moved at each level for the whole GEMM (``b`` = input bytes, ``b_out`` = output bytes,
``tiles = ⌈M/BM⌉·⌈N/BN⌉``, ``Kp = ⌈K/BK⌉·BK``):

* **registers** — the fp32 accumulators each MMA instruction reads and writes:
  ``tiles · (BM/WM)(BN/WN) · (Kp/k_inst) · 2·WM·WN·4`` → ``4 / k_inst`` bytes per FLOP, tile-independent;
* **shared memory** — TMA writes of the A and B tiles plus the warp groups' operand reads:
  ``tiles · Kp · b · [(BM + BN) + (BM/WM)(BN/WN)(WM + WN)]``;
* **L2** — every CTA fetches its own A and B tiles and stores its C tile:
  ``tiles · Kp · (BM + BN) · b + M·N·b_out``;
* **HBM** — the L2 misses, never below the compulsory traffic:
  ``max((M·K + K·N)·b + M·N·b_out, (1 − hit) · L2 bytes)``.

Arithmetic intensity at a level = useful FLOPs ``2·M·N·K`` ÷ that level's bytes; at L2 it is
``2·BM·BN / ((BM + BN)·b)`` per CTA, so larger CTA tiles raise it.

Compute: one CTA tile occupies an SM's tensor cores at a time (two resident CTAs share them), so
the tensor time is quantised in waves: ``waves = ⌈tiles / SMs⌉``, each wave
``2·BM·BN·Kp / (F·clk)`` with ``F`` the tensor FLOP/clk/SM of the input format. Wave efficiency
``= tiles / (waves·SMs)``. Padding of partial tiles is computed too (M = 1 costs a full BM rows).
Split-K ``s`` cuts K into ``s`` slices (``s×`` more CTAs, each ``Kp/s`` deep) and adds the fp32
partial-sum fixup ``(s − 1)·⌈M/BM⌉⌈N/BN⌉·BM·BN·4·2`` bytes to the L2 traffic;
:func:`best_split_k` picks the fastest power of two.

Each level has an available bandwidth (bytes per clock per SM: registers and shared memory from
the profile's ``microarch`` or the caller; L2 and HBM as GB/s spread over the SMs). Time of a
level = bytes ÷ bandwidth; the kernel takes ``max(compute, every level) + overhead`` and the
**bottleneck** is the largest term. *Demanded* bytes per clock per SM = the level's bytes ÷ the
compute cycles (what the level must deliver to keep the tensor cores at peak).

Assumptions: perfectly pipelined stages (no latency exposed beyond the fixed overhead), no split-K,
uniform L2 hit rate, one CTA tile per SM at a time for the tensor cores.
"""

from __future__ import annotations

import csv
import math
from dataclasses import MISSING, dataclass, replace
from pathlib import Path
from typing import Any

from dashboard.features.params import param, validate_params

__all__ = [
    "GEMM_DTYPES",
    "LEVELS",
    "GemmCaps",
    "GemmProblem",
    "GemmTileResult",
    "GemmTiling",
    "LevelCost",
    "best_split_k",
    "caps_from_hardware",
    "cost_model_gemm",
    "gemm_tile_model",
    "l2_arithmetic_intensity",
    "load_gemm_reference",
    "measured_gemm",
    "reference_shapes",
    "wave_quantisation",
]

LEVELS = ("registers", "shared_memory", "l2", "hbm")
ACC_BYTES = 4.0  # fp32 accumulators
#: largest GEMM dimension and CTA/warp-group tile edge any input accepts
MAX_GEMM_DIM = 1 << 20
MAX_TILE = 1024


@dataclass(frozen=True)
class GemmProblem:
    """One GEMM ``C[m×n] = A[m×k]·B[k×n]`` with ``in_bytes`` per input element and ``out_bytes``
    per output element."""

    # declared once (dashboard/features/params.py): the MMA page's inputs refer to these
    m: int = param(MISSING, lo=1, hi=MAX_GEMM_DIM, unit="rows", label="M")
    n: int = param(MISSING, lo=1, hi=MAX_GEMM_DIM, unit="columns", label="N")
    k: int = param(MISSING, lo=1, hi=MAX_GEMM_DIM, unit="elements", label="K")
    in_bytes: float = param(2.0, lo=0.0, hi=8.0, open_lo=True, unit="bytes/element", label="Input bytes")
    out_bytes: float = param(2.0, lo=0.0, hi=8.0, open_lo=True, unit="bytes/element", label="Output bytes")

    def __post_init__(self) -> None:
        validate_params(self)

    @property
    def flops(self) -> float:
        return 2.0 * self.m * self.n * self.k

    @property
    def compulsory_bytes(self) -> float:
        return (self.m * self.k + self.k * self.n) * self.in_bytes + self.m * self.n * self.out_bytes


@dataclass(frozen=True)
class GemmTiling:
    """CTA tile ``block_m × block_n × block_k``, warp-group tile ``wg_m × wg_n``, ``stages``
    shared-memory pipeline stages, MMA instruction depth ``k_inst``."""

    block_m: int = param(128, lo=1, hi=MAX_TILE, unit="elements", label="CTA tile M")
    block_n: int = param(256, lo=1, hi=MAX_TILE, unit="elements", label="CTA tile N")
    block_k: int = param(64, lo=1, hi=MAX_TILE, unit="elements", label="CTA tile K")
    wg_m: int = param(64, lo=1, hi=MAX_TILE, unit="elements", label="Warp-group tile M")
    wg_n: int = param(256, lo=1, hi=MAX_TILE, unit="elements", label="Warp-group tile N")
    stages: int = param(4, lo=1, hi=16, unit="stages", label="Pipeline stages")
    k_inst: int = param(16, lo=1, hi=256, unit="elements", label="MMA instruction depth")
    split_k: int = param(1, lo=1, hi=64, label="Split-K")

    def __post_init__(self) -> None:
        validate_params(self)
        if self.block_m % self.wg_m or self.block_n % self.wg_n:
            raise ValueError(
                f"the warp-group tile {self.wg_m}×{self.wg_n} must divide the CTA tile {self.block_m}×{self.block_n}"
            )
        if self.block_k % self.k_inst:
            raise ValueError(f"block_k={self.block_k} must be a multiple of the MMA depth k_inst={self.k_inst}")

    def smem_bytes(self, in_bytes: float) -> float:
        """Shared memory one CTA holds: ``stages · (BM + BN) · BK · b``."""
        return self.stages * (self.block_m + self.block_n) * self.block_k * in_bytes

    def stages_that_fit(self, smem_bytes_per_sm: float, in_bytes: float) -> int:
        """Pipeline stages of this tiling that fit one SM's shared memory:
        ``⌊smem / ((BM + BN) · BK · b)⌋`` (0 when not even one stage fits)."""
        return int(smem_bytes_per_sm // ((self.block_m + self.block_n) * self.block_k * in_bytes))


@dataclass(frozen=True)
class GemmCaps:
    """What the GPU offers: SMs, clock, tensor rate, and the bandwidth of every level.

    ``l2_gb_s = None`` leaves L2 out of the bottleneck (demand is still reported)."""

    name: str
    sm_count: int
    clock_hz: float
    tensor_flops_per_clk_per_sm: float
    reg_bytes_per_clk_per_sm: float
    smem_bytes_per_clk_per_sm: float
    smem_bytes_per_sm: float
    hbm_gb_s: float
    l2_gb_s: float | None = None
    # declared once (dashboard/features/params.py): the MMA page's L2 hit rate refers to it
    l2_hit_rate: float = param(0.0, lo=0.0, hi=1.0, unit="fraction", label="L2 hit rate")
    overhead_s: float = param(0.0, lo=0.0, hi=1.0, unit="s", label="Launch overhead")

    def __post_init__(self) -> None:
        for k in (
            "sm_count",
            "clock_hz",
            "tensor_flops_per_clk_per_sm",
            "reg_bytes_per_clk_per_sm",
            "smem_bytes_per_clk_per_sm",
            "smem_bytes_per_sm",
            "hbm_gb_s",
        ):
            v = getattr(self, k)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0 or not math.isfinite(v):
                raise ValueError(f"{k} must be a positive number, got {v!r}")
        if self.l2_gb_s is not None and not self.l2_gb_s > 0:
            raise ValueError("l2_gb_s must be positive or None")
        validate_params(self)  # l2_hit_rate, overhead_s

    @property
    def peak_flops(self) -> float:
        return self.tensor_flops_per_clk_per_sm * self.sm_count * self.clock_hz

    def available_bytes_per_clk_per_sm(self, level: str) -> float | None:
        if level == "registers":
            return self.reg_bytes_per_clk_per_sm
        if level == "shared_memory":
            return self.smem_bytes_per_clk_per_sm
        gb = self.l2_gb_s if level == "l2" else self.hbm_gb_s
        return None if gb is None else gb * 1e9 / (self.clock_hz * self.sm_count)


def caps_from_hardware(
    hw: Any,
    dtype: str = "bf16",
    *,
    clock_mhz: float | None = None,
    reg_bytes_per_clk_per_sm: float | None = None,
    l2_gb_s: float | None = None,
    hbm_gb_s: float | None = None,
    smem_bytes_per_clk_per_sm: float | None = None,
    l2_hit_rate: float = 0.0,
    overhead_s: float = 0.0,
) -> GemmCaps:
    """Caps of ``hw`` (a :class:`~dashboard.features.hardware.HardwareProfile`); explicit
    arguments override the profile. Raises ``ValueError`` naming the microarch keys it lacks."""
    ua = dict(getattr(hw, "microarch", None) or {})
    tensor = ua.get("tensor_flops_per_clk_per_sm") or {}
    tkey = "fp8" if dtype in ("fp8", "fp8_e4m3", "int8") else "bf16"
    smem_rate: Any = smem_bytes_per_clk_per_sm or ua.get("smem_bytes_per_clk_per_sm")
    reg: Any = reg_bytes_per_clk_per_sm or ua.get("register_bytes_per_clk_per_sm")
    missing = [
        name
        for name, v in (
            (f"tensor_flops_per_clk_per_sm.{tkey}", tensor.get(tkey)),
            ("smem_bytes_per_clk_per_sm", smem_rate),
            ("smem_kb_per_sm", ua.get("smem_kb_per_sm")),
            ("register_bytes_per_clk_per_sm", reg),
        )
        if not v
    ]
    if missing:
        raise ValueError(
            f"{getattr(hw, 'name', 'hardware')}: the profile's microarch block has no value for "
            f"{', '.join(missing)}; enter it on the page or add it to the profile JSON"
        )
    return GemmCaps(
        name=hw.name,
        sm_count=int(hw.sm_count),
        clock_hz=(clock_mhz or hw.boost_clock_mhz) * 1e6,
        tensor_flops_per_clk_per_sm=float(tensor[tkey]),
        reg_bytes_per_clk_per_sm=float(reg),
        smem_bytes_per_clk_per_sm=float(smem_rate),
        smem_bytes_per_sm=float(ua["smem_kb_per_sm"]) * 1024.0,
        hbm_gb_s=float(hbm_gb_s or hw.hbm_bandwidth_gb_s),
        l2_gb_s=l2_gb_s or ua.get("l2_bandwidth_gb_s"),
        l2_hit_rate=l2_hit_rate,
        overhead_s=overhead_s,
    )


def wave_quantisation(tiles: int, sm_count: int) -> tuple[int, float]:
    """``(waves, efficiency)`` with ``waves = ⌈tiles / SMs⌉``, ``efficiency = tiles / (waves·SMs)``."""
    waves = -(-tiles // sm_count)
    return waves, tiles / (waves * sm_count)


def l2_arithmetic_intensity(block_m: int, block_n: int, in_bytes: float) -> float:
    """FLOPs per L2→SMEM byte of one CTA: ``2·BM·BN / ((BM + BN)·b)``."""
    return 2.0 * block_m * block_n / ((block_m + block_n) * in_bytes)


@dataclass(frozen=True)
class LevelCost:
    level: str
    bytes: float
    arithmetic_intensity: float  # useful FLOPs per byte
    demanded_bytes_per_clk_per_sm: float
    available_bytes_per_clk_per_sm: float | None
    time_s: float | None

    @property
    def utilisation(self) -> float | None:
        """Demanded ÷ available (> 1: this level cannot feed the tensor cores at peak)."""
        a = self.available_bytes_per_clk_per_sm
        return self.demanded_bytes_per_clk_per_sm / a if a else None


@dataclass(frozen=True)
class GemmTileResult:
    problem: GemmProblem
    tiling: GemmTiling
    caps: GemmCaps
    tiles: int
    waves: int
    wave_efficiency: float
    ctas_per_sm: int
    compute_s: float
    levels: tuple[LevelCost, ...]
    time_s: float
    bottleneck: str
    split_k: int = 1

    @property
    def tflops(self) -> float:
        return self.problem.flops / self.time_s / 1e12

    def level(self, name: str) -> LevelCost:
        for lv in self.levels:
            if lv.level == name:
                return lv
        raise KeyError(name)

    def as_rows(self) -> list[dict[str, Any]]:
        rows = [
            {
                "level": "tensor cores",
                "bytes": None,
                "flop_per_byte": None,
                "demand_B_per_clk_SM": None,
                "available_B_per_clk_SM": None,
                "utilisation": None,
                "time_us": self.compute_s * 1e6,
                "bottleneck": self.bottleneck == "compute",
            }
        ]
        for lv in self.levels:
            rows.append(
                {
                    "level": lv.level,
                    "bytes": lv.bytes,
                    "flop_per_byte": lv.arithmetic_intensity,
                    "demand_B_per_clk_SM": lv.demanded_bytes_per_clk_per_sm,
                    "available_B_per_clk_SM": lv.available_bytes_per_clk_per_sm,
                    "utilisation": lv.utilisation,
                    "time_us": None if lv.time_s is None else lv.time_s * 1e6,
                    "bottleneck": self.bottleneck == lv.level,
                }
            )
        return rows


def gemm_tile_model(problem: GemmProblem, tiling: GemmTiling, caps: GemmCaps) -> GemmTileResult:
    """Price one GEMM (see the module docstring). Raises ``ValueError`` when a CTA's stages do
    not fit in shared memory."""
    p, t, c = problem, tiling, caps
    b = p.in_bytes
    smem_cta = t.smem_bytes(b)
    ctas_per_sm = int(c.smem_bytes_per_sm // smem_cta)
    if ctas_per_sm < 1:
        raise ValueError(
            f"the CTA needs {smem_cta / 1024:.0f} KiB of shared memory ({t.stages} stages × "
            f"({t.block_m}+{t.block_n})×{t.block_k} × {b:g} B) but an SM has "
            f"{c.smem_bytes_per_sm / 1024:.0f} KiB; use fewer stages or smaller tiles"
        )
    tm, tn = -(-p.m // t.block_m), -(-p.n // t.block_n)
    k_iters = -(-p.k // t.block_k)
    split = min(t.split_k, k_iters)
    tiles = tm * tn * split
    kp = -(-k_iters // split) * t.block_k  # K per CTA
    waves, eff = wave_quantisation(tiles, c.sm_count)
    clk = c.clock_hz
    tile_cycles = 2.0 * t.block_m * t.block_n * kp / c.tensor_flops_per_clk_per_sm
    compute_s = waves * tile_cycles / clk
    cycles = compute_s * clk  # compute cycles of the whole GEMM (per SM, all SMs in parallel)
    wg_tiles = (t.block_m // t.wg_m) * (t.block_n // t.wg_n)
    reg = tiles * wg_tiles * (kp / t.k_inst) * 2.0 * t.wg_m * t.wg_n * ACC_BYTES
    smem = tiles * kp * b * ((t.block_m + t.block_n) + wg_tiles * (t.wg_m + t.wg_n))
    fixup = (split - 1) * tm * tn * t.block_m * t.block_n * ACC_BYTES * 2.0  # fp32 partials written + read
    l2 = tiles * kp * (t.block_m + t.block_n) * b + p.m * p.n * p.out_bytes + fixup
    hbm = max(p.compulsory_bytes, (1.0 - c.l2_hit_rate) * l2)
    levels = []
    for name, nbytes in (("registers", reg), ("shared_memory", smem), ("l2", l2), ("hbm", hbm)):
        avail = c.available_bytes_per_clk_per_sm(name)
        demand = nbytes / (cycles * c.sm_count)
        time = None if avail is None else nbytes / (avail * c.sm_count * clk)
        levels.append(
            LevelCost(
                level=name,
                bytes=nbytes,
                arithmetic_intensity=p.flops / nbytes,
                demanded_bytes_per_clk_per_sm=demand,
                available_bytes_per_clk_per_sm=avail,
                time_s=time,
            )
        )
    terms = {"compute": compute_s, **{lv.level: lv.time_s for lv in levels if lv.time_s is not None}}
    bottleneck = max(terms, key=terms.__getitem__)
    return GemmTileResult(
        problem=p,
        tiling=t,
        caps=c,
        tiles=tiles,
        waves=waves,
        wave_efficiency=eff,
        ctas_per_sm=ctas_per_sm,
        compute_s=compute_s,
        levels=tuple(levels),
        time_s=terms[bottleneck] + c.overhead_s,
        bottleneck=bottleneck,
        split_k=split,
    )


def best_split_k(problem: GemmProblem, tiling: GemmTiling, caps: GemmCaps, max_split: int = 32) -> GemmTileResult:
    """Split-K as a cuBLAS-style heuristic would use it: only while the output tiles leave SMs
    idle (``⌈M/BM⌉·⌈N/BN⌉·s/2 < SMs``), trying 1, 2, 4, … ``max_split`` and keeping a larger
    split only when it is at least 2 % faster (each split adds the fp32 partial-sum fixup)."""
    out_tiles = -(-problem.m // tiling.block_m) * -(-problem.n // tiling.block_n)
    best = gemm_tile_model(problem, replace(tiling, split_k=1), caps)
    s = 2
    while s <= max_split and out_tiles * s // 2 < caps.sm_count:
        r = gemm_tile_model(problem, replace(tiling, split_k=s), caps)
        if r.split_k < s:  # capped by the number of K iterations
            break
        if r.time_s < best.time_s * 0.98:
            best = r
        s *= 2
    return best


def solve_gemm(problem: GemmProblem, tiling: GemmTiling, caps: GemmCaps, split_k: int = 0) -> GemmTileResult:
    """The tile model with ``split_k`` K-splits, or the :func:`best_split_k` heuristic for ``split_k = 0``."""
    if split_k == 0:
        return best_split_k(problem, tiling, caps)
    return gemm_tile_model(problem, replace(tiling, split_k=split_k), caps)


def measured_over_model(measured_tflops: float, model_tflops: float) -> float:
    """Measured ÷ modelled TFLOP/s of one GEMM (above 1 the kernel beats the model); NaN for a
    non-positive model figure."""
    return measured_tflops / model_tflops if model_tflops > 0 else math.nan


def compare_gemm_with_reference(
    rows: list[dict[str, Any]], in_bytes: float, out_bytes: float, tiling: GemmTiling, caps: GemmCaps, split_k: int = 0
) -> list[dict[str, Any]]:
    """Each measured GEMM row (``label, m, n, k, tflops``) beside the tile model's TFLOP/s for the same
    shape: ``measured_tflops``, ``model_tflops``, ``measured_over_model`` and the model's bottleneck."""
    out = []
    for r in rows:
        mod = solve_gemm(GemmProblem(r["m"], r["n"], r["k"], in_bytes, out_bytes), tiling, caps, split_k)
        out.append(
            {
                "label": r["label"],
                "M": r["m"],
                "N": r["n"],
                "K": r["k"],
                "measured_tflops": r["tflops"],
                "model_tflops": mod.tflops,
                "measured_over_model": measured_over_model(r["tflops"], mod.tflops),
                "model_bottleneck": mod.bottleneck,
            }
        )
    return out


# ---------------------------------------------------------------------------- reference data
REFERENCE_CSV = Path(__file__).resolve().parent.parent / "data" / "reference" / "gemm.csv"
#: tensor-core format, input bytes and MMA depth (PTX wgmma k) of the formats the page offers
GEMM_DTYPES: dict[str, tuple[str, float, int]] = {
    "bf16": ("bf16", 2.0, 16),
    "fp16": ("bf16", 2.0, 16),
    "fp8": ("fp8", 1.0, 32),
}


def load_gemm_reference(path: Any = None) -> list[dict[str, Any]]:
    """Rows of the H200 GEMM measurements (``dashboard/data/reference/gemm.csv``, a copy of
    ``shared/data/h200-reference/gemm.csv``: ``x[M,K] @ w[N,K]ᵀ``, bf16 and fp8 e4m3 with bf16
    output, CUDA-graph replays rotating > 512 MB of weights so L2 cannot serve repeats).
    ``dtype`` is normalised to ``bf16`` / ``fp8``. Empty list when the file is absent."""
    p = Path(path) if path else REFERENCE_CSV
    if not p.exists():
        return []
    rows = []
    with p.open(newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "label": r["label"],
                    "dtype": "fp8" if r["dtype"].startswith("fp8") else r["dtype"],
                    "m": int(r["M"]),
                    "n": int(r["N"]),
                    "k": int(r["K"]),
                    "ms_median": float(r["ms_median"]),
                    "tflops": float(r["tflops"]),
                }
            )
    return rows


def reference_shapes(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """``label → (N, K)`` of the measured weight shapes."""
    return {r["label"]: (r["n"], r["k"]) for r in rows}


# ---------------------------------------------------------------------------- side by side (issue 14 §3)
def cost_model_gemm(cm: Any, m: int, n: int, k: int) -> tuple[float, float, str]:
    """The shared cost model's figure for one ``[M,K]·[K,N]`` GEMM: ``(seconds, TFLOP/s, bound)``.

    The op is built exactly as :class:`~dashboard.features.cost_model.CostModel` builds a layer's GEMM
    (``rows = M``, FLOPs ``2·M·N·K``, bytes ``N·K·b_w + M·(K + N)·b_a`` with the cost model's weight and
    activation bytes) and priced by :meth:`CostModel.op_time`: ``max(FLOPs / (peak · η_gemm(M)),
    bytes / (BW · η_mem)) + t_kernel``. Unlike the tile model it carries the profile's fitted GEMM
    efficiency curve (on the H200: fitted to the measured GEMMs), so it is the figure every page uses."""
    from dashboard.features.cost_model import GEMM, GemmOp

    if min(m, n, k) < 1:
        raise ValueError("M, N and K must be at least 1")
    w = float(n) * k * cm.wb
    flops = 2.0 * m * n * k
    op = GemmOp("gemm", GEMM, 1, flops, w + float(m) * (k + n) * cm.ab, w, float(m))
    t, bound = cm.op_time(op)
    return t, flops / t / 1e12, bound


def measured_gemm(rows: list[dict[str, Any]], m: int, n: int, k: int, dtype: str) -> dict[str, Any] | None:
    """The measured row (:func:`load_gemm_reference` format) of exactly this shape and format, or ``None``."""
    want = "fp8" if dtype == "fp8" else "bf16"
    for r in rows:
        if (r["m"], r["n"], r["k"], r["dtype"]) == (m, n, k, want):
            return r
    return None
