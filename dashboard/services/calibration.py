"""Calibration: fit a hardware profile's efficiency data to measured engine steps.

Three regression models, all pricing every measured step with the one cost model
(:class:`~dashboard.features.cost_model.CostModel`, the same op list, FLOPs and bytes every page uses):

* ``"curves"`` (default, the physically grounded one) — the shape-dependent efficiencies come from
  kernel sweeps: GEMM efficiency η(M) per dtype from ``gemm.csv`` (cuBLAS ``x[M,K]·w[N,K]ᵀ``), the
  per-kernel floor and streaming bandwidth from its memory-bound rows (M ≤ 32), causal-attention
  efficiency vs FLOPs per call from ``attention_prefill.csv`` (the backend the engine uses). Only
  the remaining physical parameters are fitted on the steps: HBM efficiency, elementwise traffic and
  kernels per op (the engine's fusion level), the streaming rate of one decode-attention work unit
  (sequence × KV head), a per-step overhead and one sustained-clock factor on all tensor-core work
  (power-limit throttling under sustained load); plus link efficiency and collective latency if
  any row has TP > 1.
* ``"derate"`` — the classic derating: one compute factor on the baseline profile's compute curves,
  one HBM-bandwidth efficiency, a per-kernel and a per-step overhead.
* ``"linear"`` — plain least squares ``t = a + b·FLOPs + c·bytes`` (FLOPs and HBM bytes of the step
  from the cost model), for comparison; 1/b and 1/c are the effective FLOP/s and bytes/s.

Fits minimise the squared *relative* error (every step counts alike whatever its length). Confidence
intervals (95 %) come from the Jacobian at the optimum: cov = s²·(JᵀJ)⁻¹, s² = SSR/(n − p), times the
Student-t quantile. Leave-one-out error refits without each row in turn and predicts it.

Units: latencies in ms in tables and files, seconds inside the cost model; efficiencies are
fractions of the baseline profile's datasheet peaks.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import optimize
# scipy.optimize / scipy.stats are imported where a fit runs: importing them costs ~1-2 s, which
# the calibration page paid on its first render although it fits only on Run (issue 14)

from dashboard.features.batch import BatchStats, attention_pairs
from dashboard.features.cost_model import FLOPS_ONLY_HW, CostModel
from dashboard.features.hardware import (
    Curve,
    Efficiency,
    HardwareError,
    HardwareProfile,
    hardware_to_dict,
    load_hardware,
    normalise_slug,
)
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import ParallelConfig, ParallelError
from dashboard.services.calibration_io import (
    METHODS,
    CalibrationMethod,
    KernelSweeps,
    MeasurementError,
    StepTable,
    load_input_files,
    reference_sweeps,
    resolve_models,
    row_dtypes,
)

__all__ = [
    "METHODS",
    "CalibrationResult",
    "FittedParam",
    "StepPredictor",
    "SweepCurves",
    "calibrate",
    "calibrate_files",
    "fit_sweep_curves",
    "min_rows",
    "predict",
]

_T_FLOOR_US = 0.5  # a sweep row is never assumed faster than this after removing the kernel floor


# ============================================================================================ predictor
class StepPredictor:
    """Prices every row of a step table on a given profile (one CostModel per model/tp/dtype)."""

    def __init__(self, table: StepTable, models: Mapping[str, ModelProfile]) -> None:
        self.table = table
        self.measured_ms = np.array([r.latency_ms for r in table.rows])
        self.groups: dict[tuple[str, int, str], list[tuple[int, BatchStats]]] = {}
        self.models = dict(models)
        bad: dict[str, list[int]] = {}
        probes: dict[tuple[str, int, str], CostModel] = {}
        for i, r in enumerate(table.rows):
            key = (r.model, r.tp, r.dtype)
            try:
                cm = probes.get(key)
                if cm is None:  # validates the layout and the formats once per group
                    cm = probes[key] = CostModel(
                        models[r.model], FLOPS_ONLY_HW, ParallelConfig(tp=r.tp), row_dtypes(r.dtype)
                    )
                    self.groups[key] = []
            except (ParallelError, ValueError) as exc:
                bad.setdefault(f"{exc}", []).append(r.row)
                continue
            self.groups[key].append((i, cm.stats_for(r.spec)))
        if bad:
            raise MeasurementError(
                "; ".join(
                    f"rows {', '.join(map(str, rows[:6]))}{' …' if len(rows) > 6 else ''} (columns model/tp/dtype): {msg}"
                    for msg, rows in bad.items()
                )
            )

    @property
    def n(self) -> int:
        return len(self.table.rows)

    def predict_ms(self, hw: HardwareProfile, subset: Sequence[int] | None = None) -> np.ndarray:
        out = np.full(self.n, np.nan)
        want = None if subset is None else set(subset)
        for (model, tp, dtype), items in self.groups.items():
            todo = [(i, s) for i, s in items if want is None or i in want]
            if not todo:
                continue
            cm = CostModel(self.models[model], hw, ParallelConfig(tp=tp), row_dtypes(dtype))
            for i, s in todo:
                out[i] = cm.step_time_s(s) * 1e3
        return out

    def flops_bytes(self, hw: HardwareProfile) -> tuple[np.ndarray, np.ndarray]:
        """Per-GPU FLOPs and HBM bytes of each step (non-communication ops), from the cost model."""
        fl = np.zeros(self.n)
        by = np.zeros(self.n)
        for (model, tp, dtype), items in self.groups.items():
            cm = CostModel(self.models[model], hw, ParallelConfig(tp=tp), row_dtypes(dtype))
            for i, s in items:
                c = cm.price(s)
                fl[i], by[i] = c.flops, c.bytes
        return fl, by


# ============================================================================================ sweeps
@dataclass(frozen=True)
class SweepCurves:
    """What the kernel sweeps say: efficiency curves and the small-kernel floor."""

    gemm_compute: Curve | None = None
    gemm_compute_fp8: Curve | None = None
    attention_prefill: Curve | None = None
    kernel_overhead_us: float | None = None
    memory: float | None = None  # HBM efficiency of memory-bound GEMMs
    attention_backend: str | None = None
    decode_kernel_unit_gb_s: float | None = None  # decode kernel of the same backend: rate of one work unit
    notes: tuple[str, ...] = ()
    gemm_rows: int = 0
    attention_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "gemm_compute": self.gemm_compute.to_list() if self.gemm_compute else None,
            "gemm_compute_fp8": self.gemm_compute_fp8.to_list() if self.gemm_compute_fp8 else None,
            "attention_prefill": self.attention_prefill.to_list() if self.attention_prefill else None,
            "kernel_overhead_us": self.kernel_overhead_us,
            "memory": self.memory,
            "attention_backend": self.attention_backend,
            "decode_kernel_unit_gb_s": self.decode_kernel_unit_gb_s,
            "notes": list(self.notes),
        }


def _gemm_dtype(name: str) -> str:
    n = str(name).lower()
    if n.startswith(("fp8", "e4m3", "e5m2")):
        return "fp8"
    if n.startswith("int8"):
        return "int8"
    if n in ("fp16", "half"):
        return "fp16"
    return "bf16"


def _dtype_bytes_gemm(d: str) -> float:
    return 1.0 if d in ("fp8", "int8") else 2.0


def fit_sweep_curves(
    sweeps: KernelSweeps,
    hw: HardwareProfile,
    attention_backend: str | None = None,
    gemm_labels: Callable[[str], bool] | None = None,
) -> SweepCurves:
    """Efficiency curves from kernel sweeps.

    GEMM: ``t = t0 + bytes / BW`` fitted over the rows with M ≤ 32 (memory-bound: weights + activations
    in, bf16 out) gives the per-kernel floor ``t0`` and the streaming bandwidth; then per M,
    η(M) = median over shapes of ``2·M·N·K / (peak · (t − t0))`` against the dtype's dense peak
    (in the memory-bound range this equals the bandwidth-implied rate, so compute never binds there).
    Attention: η = FLOPs / (peak_bf16 · (t − t0)) with FLOPs = 4·B·Hq·pairs·d (causal pairs,
    = 2·B·Hq·L²·d for q = kv = L), averaged per FLOPs-per-call value.
    ``gemm_labels`` filters the GEMM rows by label (used by the transfer checks).
    """
    notes: list[str] = []
    g = [r for r in sweeps.gemm if gemm_labels is None or gemm_labels(str(r.get("label", "")))]
    t0_s = 0.0  # the fitted per-kernel floor (0 when no fit)
    bw: float | None = None
    curves: dict[str, Curve] = {}
    if g:
        by_dtype: dict[str, list[dict[str, Any]]] = {}
        for r in g:
            by_dtype.setdefault(_gemm_dtype(r.get("dtype", "bf16")), []).append(r)
        base = by_dtype.get("bf16") or next(iter(by_dtype.values()))
        small = [r for r in base if r["m"] <= 32]
        if len(small) >= 3:
            x = np.array([_gemm_bytes(r) for r in small])
            y = np.array([r["ms_median"] * 1e-3 for r in small])
            a = np.vstack([np.ones_like(x), x]).T
            (c0, c1), *_ = np.linalg.lstsq(a, y, rcond=None)
            if c1 > 0:
                t0_s, bw = max(0.0, float(c0)), 1.0 / float(c1)
        if bw is None:
            notes.append("gemm sweep: fewer than 3 rows with M ≤ 32, no kernel floor or bandwidth fitted")
        for d, rows in by_dtype.items():
            peak = hw.peak_flops(d)
            per_m: dict[float, list[float]] = {}
            for r in rows:
                t = max(r["ms_median"] * 1e-3 - t0_s, _T_FLOOR_US * 1e-6)
                per_m.setdefault(r["m"], []).append(2.0 * r["m"] * r["n"] * r["k"] / (peak * t))
            pts = tuple((m, min(1.0, max(1e-4, statistics.median(v)))) for m, v in sorted(per_m.items()))
            curves[d] = Curve(pts)
    attn = None
    backend = None
    if sweeps.attention_prefill:
        backends = sorted({str(r.get("backend", "")) for r in sweeps.attention_prefill})
        backend = attention_backend or ("flash" if "flash" in backends else backends[0])
        rows = [r for r in sweeps.attention_prefill if str(r.get("backend", "")) == backend]
        if not rows:
            raise MeasurementError(f"attention sweep has no rows for backend {backend!r} (has: {', '.join(backends)})")
        peak = hw.peak_flops("bf16")
        per_x: dict[float, list[float]] = {}
        for r in rows:
            q, kv = int(r["q_len"]), int(r["kv_len"])
            causal = str(r.get("causal", "1")).strip().lower() not in ("0", "false", "no")
            pairs = attention_pairs(q, max(0, kv - q)) if causal else float(q * kv)
            fl = 4.0 * r["batch"] * r["q_heads"] * pairs * r["head_dim"]
            t = max(r["ms_median"] * 1e-3 - t0_s, _T_FLOOR_US * 1e-6)
            per_x.setdefault(float(f"{fl:.3g}"), []).append(fl / (peak * t))
        attn_pts = [(x, min(1.0, max(1e-4, statistics.fmean(v)))) for x, v in sorted(per_x.items())]
        # Floor-dominated small calls: when the work grows k-fold but the time by less than √k, the
        # sweep is timing a fixed floor (launch/setup of the SDPA call), not the kernel's throughput.
        # Engine steps replay these calls inside one graph without that floor, so such leading points
        # are dropped and the curve is extended flat below the first throughput-bound point (time ∝ FLOPs).
        dropped = 0
        while len(attn_pts) >= 2:
            (x0, e0), (x1, e1) = attn_pts[0], attn_pts[1]
            if (x1 / e1) / (x0 / e0) < math.sqrt(x1 / x0):
                attn_pts.pop(0)
                dropped += 1
            else:
                break
        if dropped:
            notes.append(f"attention sweep ({backend}): {dropped} floor-dominated small-call point(s) dropped")
        attn = Curve(tuple(attn_pts))
    unit = None
    if sweeps.attention_decode:
        # one sequence: each of its KV heads is one work unit (K and V rows of kv_len × head_dim, bf16);
        # the fastest batch-1 rate of the same backend is the unit's streaming rate
        rates = []
        for r in sweeps.attention_decode:
            if r["batch"] == 1 and (backend is None or str(r.get("backend", "")) == backend):
                unit_bytes = r["kv_len"] * 2 * r["head_dim"] * 2.0
                rates.append(unit_bytes / max(r["ms_median"] * 1e-3 - t0_s, _T_FLOOR_US * 1e-6) / 1e9)
        unit = max(rates) if rates else None
    mem = None if bw is None else min(1.5, bw / hw.hbm_bytes_per_s)
    return SweepCurves(
        gemm_compute=curves.get("bf16") or curves.get("fp16"),
        gemm_compute_fp8=curves.get("fp8") or curves.get("int8"),
        attention_prefill=attn,
        kernel_overhead_us=None if not g else t0_s * 1e6,
        memory=mem,
        attention_backend=backend,
        decode_kernel_unit_gb_s=unit,
        notes=tuple(notes),
        gemm_rows=len(g),
        attention_rows=len(sweeps.attention_prefill),
    )


def _gemm_bytes(r: Mapping[str, Any]) -> float:
    b = _dtype_bytes_gemm(_gemm_dtype(r.get("dtype", "bf16")))
    return r["n"] * r["k"] * b + r["m"] * r["k"] * b + r["m"] * r["n"] * 2.0


# ============================================================================================ parameters
@dataclass(frozen=True)
class _Param:
    name: str
    label: str
    unit: str
    x0: float
    lo: float
    hi: float
    prior_sd: float | None = None  # weak log-normal prior around x0 (a measured reference), sd in log units


#: weight of one prior term, in units of relative error of a step (a prior counts like one more row whose
#: residual is log(value/reference)/sd times this)
PRIOR_WEIGHT = 0.02


@dataclass(frozen=True)
class FittedParam:
    """One fitted factor with its 95 % confidence interval (``nan`` when not identifiable)."""

    name: str
    label: str
    value: float
    ci_low: float
    ci_high: float
    unit: str = ""
    at_bound: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "unit": self.unit,
            "at_bound": self.at_bound,
        }


def _profile_for(base: HardwareProfile, eff: Efficiency, values: Mapping[str, float], method: str) -> HardwareProfile:
    """The profile a parameter vector stands for."""
    ch: dict[str, Any] = {}
    c = values.get("compute_scale")
    a = values.get("attention_scale", c)
    if c is not None:
        ch["gemm_compute"] = eff.gemm_compute.scaled(c)
        if eff.gemm_compute_fp8 is not None:
            ch["gemm_compute_fp8"] = eff.gemm_compute_fp8.scaled(c)
    if a is not None:
        ch["attention_prefill"] = eff.attention_prefill.scaled(a)
    for k in (
        "memory",
        "kernel_overhead_us",
        "step_overhead_us",
        "elementwise_traffic",
        "elementwise_traffic_hidden",
        "elementwise_kernels",
        "comm",
        "comm_latency_us",
        "attention_decode_unit_gb_s",
    ):
        if k in values:
            ch[k] = float(values[k])
    return replace(base, efficiency=replace(eff, **ch))


def _params_for(
    method: str, table: StepTable, start: Efficiency, fix_kernel: bool, shape_diverse: bool = False
) -> list[_Param]:
    """Free parameters of ``method`` for ``table``.

    With one model in the data every step launches the same kernels, so a per-step overhead and the
    per-kernel overheads are collinear: the per-step overhead is then kept at the baseline's value
    (it is fitted when the data hold models of different depth, or mixed and pure steps).
    Elementwise traffic has two classes (:class:`~dashboard.features.hardware.Efficiency`): the
    TP-sharded factor is always fitted; the hidden-width factor only when ``shape_diverse`` (else
    the two are collinear), bounded to [1, 10] (at least the minimal bytes; at most an eager
    RMSNorm's ~9 passes: fp32 upcast, square, mean, scale, downcast, weight)."""
    tp_rows = any(r.tp > 1 for r in table.rows)
    has_decode = any(r.spec.decode_seqs for r in table.rows)
    has_prefill = any(r.spec.prefill_seqs for r in table.rows)
    kernel_mix = len({r.model for r in table.rows}) > 1 or len({r.phase == "mixed" for r in table.rows}) > 1
    ps: list[_Param] = []
    if method == "curves":
        ps.append(
            _Param("compute_scale", "GEMM sustained-clock factor (× swept GEMM efficiency)", "×", 1.0, 0.5, 1.25, 0.15)
        )
        if has_prefill:
            ps.append(
                _Param("attention_scale", "Prefill attention rate (× swept attention kernel)", "×", 1.0, 0.3, 3.0, 0.3)
            )
        ps.append(_Param("memory", "HBM bandwidth efficiency", "fraction", min(1.0, start.memory), 0.2, 1.0, 0.1))
        if not fix_kernel:
            ps.append(
                _Param(
                    "kernel_overhead_us",
                    "Per-kernel overhead",
                    "µs",
                    max(0.5, start.kernel_overhead_us),
                    0.0,
                    40.0,
                    0.5,
                )
            )
        ps.append(
            _Param(
                "elementwise_traffic",
                "Elementwise traffic, TP-sharded ops (activation, RoPE) (× minimal bytes)",
                "×",
                max(1.5, start.elementwise_traffic),
                0.5,
                20.0,
            )
        )
        if shape_diverse:
            th = start.elementwise_traffic_hidden or start.elementwise_traffic
            ps.append(
                _Param(
                    "elementwise_traffic_hidden",
                    "Elementwise traffic, hidden-width ops (norms, residual adds) (× minimal bytes)",
                    "×",
                    min(10.0, max(1.0, th)),
                    1.0,
                    10.0,
                )
            )
        ps.append(
            _Param(
                "elementwise_kernels", "Kernels per elementwise op", "×", max(1.0, start.elementwise_kernels), 0.1, 20.0
            )
        )
        if has_decode:
            ps.append(
                _Param(
                    "attention_decode_unit_gb_s",
                    "Decode-attention work-unit rate (seq × KV head)",
                    "GB/s",
                    start.attention_decode_unit_gb_s or 100.0,
                    2.0,
                    5000.0,
                    0.3 if start.attention_decode_unit_gb_s else None,
                )
            )
        if kernel_mix:
            ps.append(_Param("step_overhead_us", "Per-step overhead", "µs", 20.0, 0.0, 20000.0))
    elif method == "derate":
        ps.append(_Param("compute_scale", "Compute derating (× baseline compute curves)", "×", 1.0, 0.05, 1.5))
        ps.append(_Param("memory", "HBM bandwidth efficiency", "fraction", start.memory, 0.05, 1.2))
        ps.append(_Param("kernel_overhead_us", "Per-kernel overhead", "µs", start.kernel_overhead_us, 0.0, 40.0))
        if kernel_mix:
            ps.append(_Param("step_overhead_us", "Per-step overhead", "µs", 20.0, 0.0, 20000.0))
    if tp_rows and method in ("curves", "derate"):
        ps.append(_Param("comm", "Link bandwidth efficiency (TP collectives)", "fraction", start.comm, 0.05, 1.2))
        ps.append(_Param("comm_latency_us", "Latency per collective", "µs", start.comm_latency_us, 0.0, 500.0))
    return ps


def min_rows(method: str, table: StepTable | None = None) -> int:
    """Fewest rows a method needs: its parameter count + 2 (one residual degree of freedom left after
    leaving a row out)."""
    if method == "linear":
        return 5
    if table is None:
        return {"curves": 9, "derate": 6}[method]
    return len(_params_for(method, table, Efficiency(), method == "curves")) + 2


# ============================================================================================ results
@dataclass
class CalibrationResult:
    method: str
    params: list[FittedParam]
    metrics: dict[str, float]
    rows: list[dict[str, Any]]
    profile: HardwareProfile
    baseline_metrics: dict[str, float]
    suggested: dict[str, Any]
    sweep: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    data: str = ""

    def profile_dict(self) -> dict[str, Any]:
        return hardware_to_dict(self.profile)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "data": self.data,
            "params": [p.as_dict() for p in self.params],
            "metrics": self.metrics,
            "baseline_metrics": self.baseline_metrics,
            "suggested": self.suggested,
            "sweep": self.sweep,
            "notes": self.notes,
            "rows": self.rows,
            "profile": self.profile.slug,
        }


def error_metrics(pred_ms: np.ndarray, meas_ms: np.ndarray) -> dict[str, float]:
    rel = pred_ms / meas_ms - 1.0
    ss_res = float(np.sum((pred_ms - meas_ms) ** 2))
    ss_tot = float(np.sum((meas_ms - meas_ms.mean()) ** 2))
    worst = int(np.argmax(np.abs(rel)))
    return {
        "n": len(meas_ms),
        "mape": float(np.mean(np.abs(rel))),
        "max_abs_rel_error": float(np.abs(rel[worst])),
        "worst_row_index": worst,
        "bias": float(np.mean(rel)),
        "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan"),
        "rmse_ms": math.sqrt(ss_res / len(meas_ms)),
    }


def _ci(jac: np.ndarray, resid: np.ndarray, n_free: int) -> np.ndarray:
    n = len(resid)
    dof = max(1, n - n_free)
    s2 = float(resid @ resid) / dof
    jtj = jac.T @ jac
    try:
        cov = np.linalg.inv(jtj) * s2
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(jtj) * s2
    var = np.diag(cov)
    from scipy import stats

    tq = float(stats.t.ppf(0.975, dof))
    with np.errstate(invalid="ignore"):
        return np.where(var >= 0, tq * np.sqrt(np.abs(var)), np.nan)


# ============================================================================================ fitting
class _Fitter:
    """Nonlinear least squares over cost-model parameters (curves / derate)."""

    def __init__(
        self, pred: StepPredictor, base: HardwareProfile, eff: Efficiency, params: list[_Param], method: str
    ) -> None:
        self.pred, self.base, self.eff, self.params, self.method = pred, base, eff, params, method
        self.lo = np.array([p.lo for p in params])
        self.hi = np.array([p.hi for p in params])
        self.prior = [(i, math.log(p.x0), p.prior_sd) for i, p in enumerate(params) if p.prior_sd and p.x0 > 0]

    def profile(self, x: Sequence[float] | np.ndarray) -> HardwareProfile:
        return _profile_for(
            self.base, self.eff, {p.name: float(v) for p, v in zip(self.params, x, strict=True)}, self.method
        )

    def residuals(self, x: np.ndarray, idx: Sequence[int]) -> np.ndarray:
        p = self.pred.predict_ms(self.profile(x), idx)
        r = p[idx] / self.pred.measured_ms[idx] - 1.0
        if not self.prior:
            return r
        pr = [PRIOR_WEIGHT * (math.log(max(x[i], 1e-12)) - c) / sd for i, c, sd in self.prior]
        return np.concatenate([r, pr])

    def fit(self, idx: Sequence[int], x0: np.ndarray | None = None) -> optimize.OptimizeResult:
        x0 = np.clip(np.array([p.x0 for p in self.params]) if x0 is None else x0, self.lo, self.hi)
        # start strictly inside the box
        span = self.hi - self.lo
        x0 = np.minimum(np.maximum(x0, self.lo + 1e-6 * span), self.hi - 1e-6 * span)
        from scipy import optimize

        return optimize.least_squares(
            self.residuals,
            x0,
            bounds=(self.lo, self.hi),
            args=(list(idx),),
            x_scale=np.maximum(np.abs(x0), 1e-3),
            diff_step=1e-4,
            max_nfev=400,
            method="trf",
        )


#: above this many rows the held-out error uses LOO_FOLDS interleaved folds instead of one refit per row
#: (each refit reprices every row; this keeps a page fit of a few hundred rows within seconds)
LOO_MAX_ROWS = 40
LOO_FOLDS = 10


def _folds(n: int) -> list[set[int]]:
    if n <= LOO_MAX_ROWS:
        return [{i} for i in range(n)]
    return [set(range(k, n, LOO_FOLDS)) for k in range(LOO_FOLDS)]


def _linear_design(pred: StepPredictor, hw: HardwareProfile) -> np.ndarray:
    fl, by = pred.flops_bytes(hw)
    return np.vstack([np.ones(pred.n), fl / 1e12, by / 1e9]).T  # ms per step, per TFLOP, per GB


def _linear_fit(a: np.ndarray, y: np.ndarray, idx: Sequence[int]) -> np.ndarray:
    w = 1.0 / y[idx]
    from scipy import optimize

    res = optimize.lsq_linear(a[idx] * w[:, None], y[idx] * w, bounds=(0.0, np.inf))
    return res.x


def _same_hardware(name: str, base: HardwareProfile) -> bool:
    try:
        return load_hardware(name).slug == base.slug
    except HardwareError:
        return normalise_slug(name) in {normalise_slug(base.slug), normalise_slug(base.name)}


def calibrate(
    table: StepTable,
    base: HardwareProfile,
    method: str = "curves",
    sweeps: KernelSweeps | None = None,
    models: Mapping[str, Any] | None = None,
    use_reference_sweeps: bool | None = None,
    attention_backend: str | None = None,
    loo: bool = True,
    name: str | None = None,
) -> CalibrationResult:
    """Fit ``method`` to the measured steps and return factors, metrics, per-row predictions and the
    calibrated profile.

    ``models`` maps names of the ``model`` column to presets/config paths/dicts/profiles (default: the
    preset of that name). For ``"curves"`` without sweeps the shipped H200 reference sweeps are used
    when the baseline is the H200 preset (``use_reference_sweeps=None``), else the baseline's own curve
    shapes are kept and only scaled.
    Raises :class:`MeasurementError` for unknown models, layouts a model cannot use, too few rows.

    Steps: :func:`_efficiency_candidates` (sweep-fitted starting efficiencies), then
    :func:`_fit_linear` or :func:`_fit_nonlinear` (factors, CIs, held-out predictions), then
    :func:`_metrics`, :func:`_result_rows` and :func:`_calibrated_profile`.
    """
    try:
        CalibrationMethod(method)  # declared once
    except ValueError as exc:
        raise MeasurementError(str(exc)) from None
    pred = StepPredictor(table, resolve_models(table, models))
    notes: list[str] = []
    other_hw = sorted({r.hardware for r in table.rows if not _same_hardware(r.hardware, base)})
    if other_hw:
        notes.append(
            f"the hardware column names {', '.join(other_hw)}, not the baseline {base.slug}: "
            "the fit still starts from the baseline's datasheet peaks"
        )
    candidates = _efficiency_candidates(method, base, sweeps, use_reference_sweeps, attention_backend, notes)
    diverse = method == "curves" and _shape_diverse(pred, base)
    n = pred.n
    need = 5 if method == "linear" else len(_params_for(method, table, candidates[0][0], candidates[0][2], diverse)) + 2
    if n < need:
        raise MeasurementError(
            f"too few rows for method {method!r}: {n} given, at least {need} needed "
            f"(its parameters + 2); add rows or choose a simpler method"
        )
    base_pred = pred.predict_ms(base)
    if method == "linear":
        fit = _fit_linear(pred, base, candidates[0][0], loo, notes)
    else:
        fit = _fit_nonlinear(pred, table, base, method, candidates, diverse, loo, notes)
    if loo and n > LOO_MAX_ROWS:
        notes.append(f"{n} rows: the held-out error is {LOO_FOLDS}-fold cross-validation instead of leave-one-out")
    metrics, baseline_metrics = _metrics(pred, table, fit, base_pred, loo)
    data = table.describe()
    if fit.sweep_info:
        data += f"; sweeps: {', '.join(fit.sweep_info['sources'])}"
    profile = _calibrated_profile(base, fit, method, data, metrics, name, loo)
    return CalibrationResult(
        method=method,
        params=fit.params,
        metrics=metrics,
        rows=_result_rows(table, pred, fit, base_pred, loo),
        profile=profile,
        baseline_metrics=baseline_metrics,
        suggested=_suggested(fit.profile, pred, table),
        sweep=fit.sweep_info,
        notes=notes,
        data=data,
    )


#: (efficiency to start from, sweep description, kernel floor fixed by the sweep)
_Candidate = tuple[Efficiency, dict[str, Any] | None, bool]


@dataclass
class _Fit:
    """What one fitting method produced: factors, the profile they stand for, in-sample and held-out
    predictions (ms per row)."""

    params: list[FittedParam]
    profile: HardwareProfile
    fitted: np.ndarray
    loo_pred: np.ndarray
    sweep_info: dict[str, Any] | None = None


def _efficiency_candidates(
    method: str,
    base: HardwareProfile,
    sweeps: KernelSweeps | None,
    use_reference_sweeps: bool | None,
    attention_backend: str | None,
    notes: list[str],
) -> list[_Candidate]:
    """Starting efficiencies: the baseline's own, or for ``"curves"`` one per attention backend of the
    kernel sweeps (the given ones, the shipped H200 sweeps, or the given ones completed by them)."""
    if method != "curves":
        return [(base.efficiency, None, False)]
    sw = sweeps if sweeps else None
    use_ref = use_reference_sweeps or (use_reference_sweeps is None and base.slug == "h200")
    if sw is None and use_ref:
        sw = reference_sweeps()
        notes.append(
            "no kernel sweeps given: used the shipped H200 reference sweeps "
            "(dashboard/data/reference: gemm.csv, attention_prefill.csv, attention_decode.csv)"
        )
    elif sw is not None and use_ref:
        ref = reference_sweeps()
        missing = [k for k in ("gemm", "attention_prefill", "attention_decode") if not getattr(sw, k)]
        if missing:
            sw = replace(
                sw,
                **{k: getattr(ref, k) for k in missing},
                sources=sw.sources + tuple(f"{k}.csv (shipped H200)" for k in missing),
            )
            notes.append(f"kernel sweeps without {', '.join(missing)}: the shipped H200 reference sweeps fill in")
    if not sw:
        notes.append("no kernel sweeps: the baseline profile's curve shapes are kept and scaled")
        return [(base.efficiency, None, False)]
    # the attention backends to try (None: no attention sweep, the profile's curve is kept)
    backends: list[str | None] = [attention_backend]
    if not attention_backend:
        backends = [*sorted({str(r.get("backend", "")) for r in sw.attention_prefill})] or [None]
    candidates: list[_Candidate] = []
    for be in backends:
        sc = fit_sweep_curves(sw, base, be)
        ch: dict[str, Any] = {}
        for k in ("gemm_compute", "gemm_compute_fp8", "attention_prefill", "kernel_overhead_us"):
            if getattr(sc, k) is not None:
                ch[k] = getattr(sc, k)
        if sc.memory is not None:
            ch["memory"] = min(1.0, sc.memory)
        if sc.decode_kernel_unit_gb_s is not None:
            ch["attention_decode_unit_gb_s"] = sc.decode_kernel_unit_gb_s
        candidates.append(
            (
                replace(base.efficiency, **ch),
                sc.as_dict() | {"sources": list(sw.sources)},
                sc.kernel_overhead_us is not None,
            )
        )
        notes.extend(n for n in sc.notes if n not in notes)
    return candidates


#: rows whose hidden-width / TP-sharded elementwise byte ratios differ by more than this make the
#: two elementwise traffic factors separately identifiable
SHAPE_DIVERSITY = 1.15


def _elementwise_split(pred: StepPredictor, base: HardwareProfile) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the minimal elementwise bytes on the full hidden width and on TP-sharded tensors,
    read off the cost model by pricing with the hidden-width traffic at 1 and at 2."""

    def elem_bytes(th: float) -> np.ndarray:
        hw = base.with_efficiency(elementwise_traffic=1.0, elementwise_traffic_hidden=th)
        out = np.zeros(pred.n)
        for (model, tp, dtype), items in pred.groups.items():
            cm = CostModel(pred.models[model], hw, ParallelConfig(tp=tp), row_dtypes(dtype))
            for i, s in items:
                out[i] = sum(o.bytes for o in cm.ops(s) if o.kind == "elementwise")
        return out

    one, two = elem_bytes(1.0), elem_bytes(2.0)
    hidden = two - one
    return hidden, one - hidden


def _shape_diverse(pred: StepPredictor, base: HardwareProfile) -> bool:
    """Whether the steps separate the two elementwise classes: the ratio of hidden-width to TP-sharded
    elementwise bytes varies across rows (several models, or one model at several TP degrees). One
    model at one TP scales both with the token count, so only their sum is identified."""
    hidden, sharded = _elementwise_split(pred, base)
    ok = sharded > 0
    if ok.sum() < 2:
        return False
    r = hidden[ok] / sharded[ok]
    return bool(r.max() > SHAPE_DIVERSITY * r.min())


def _fit_linear(pred: StepPredictor, base: HardwareProfile, eff: Efficiency, loo: bool, notes: list[str]) -> _Fit:
    """``t = a + b·FLOPs + c·bytes`` by non-negative least squares on relative errors."""
    n = pred.n
    meas = pred.measured_ms
    idx_all = list(range(n))
    a = _linear_design(pred, base)
    coef = _linear_fit(a, meas, idx_all)
    fitted = a @ coef
    w = 1.0 / meas
    resid = (fitted - meas) * w
    half = _ci(a * w[:, None], resid, 3)
    labels = [
        ("intercept_ms", "Fixed time per step", "ms"),
        ("ms_per_tflop", "Time per TFLOP", "ms/TFLOP"),
        ("ms_per_gb", "Time per GB of HBM traffic", "ms/GB"),
    ]
    params = [
        FittedParam(k, lab, float(c), float(c - h), float(c + h), u, bool(c <= 0))
        for (k, lab, u), c, h in zip(labels, coef, half, strict=True)
    ]
    loo_pred = np.full(n, np.nan)
    if loo:
        for fold in _folds(n):
            c = _linear_fit(a, meas, [j for j in idx_all if j not in fold])
            for i in fold:
                loo_pred[i] = a[i] @ c
    eff_flops = 1e12 / (coef[1] * 1e-3) if coef[1] > 0 else float("inf")
    eff_bw = 1e9 / (coef[2] * 1e-3) if coef[2] > 0 else float("inf")
    peak = base.peak_flops("bf16")
    lin_eff = replace(
        eff,
        gemm_compute=Curve(((1.0, min(1.5, max(1e-3, eff_flops / peak))),)),
        gemm_compute_fp8=None,
        gemm_compute_fp4=None,
        attention_prefill=Curve(((1.0, min(1.5, max(1e-3, eff_flops / peak))),)),
        memory=min(1.5, max(0.01, eff_bw / base.hbm_bytes_per_s)),
        kernel_overhead_us=0.0,
        step_overhead_us=min(1e6, max(0.0, coef[0] * 1e3)),
        elementwise_traffic=1.0,
        elementwise_traffic_hidden=None,
        elementwise_kernels=1.0,
        attention_decode_unit_gb_s=None,
    )
    notes.append(
        "linear: the saved profile sets flat compute/bandwidth efficiencies 1/b and 1/c and the "
        "step overhead a; the cost model takes max(compute, memory) per op rather than the sum, "
        "so the profile reproduces the linear fit only approximately (see profile_mape)"
    )
    return _Fit(params=params, profile=replace(base, efficiency=lin_eff), fitted=fitted, loo_pred=loo_pred)


def _fit_nonlinear(
    pred: StepPredictor,
    table: StepTable,
    base: HardwareProfile,
    method: str,
    candidates: list[_Candidate],
    diverse: bool,
    loo: bool,
    notes: list[str],
) -> _Fit:
    """Nonlinear least squares of ``method``'s parameters from each starting candidate; the best one
    wins. The hidden-width elementwise traffic is held at the baseline's value unless the steps
    identify it (:func:`_shape_diverse`)."""
    n = pred.n
    idx_all = list(range(n))
    best = None
    for cand_eff, cand_info, cand_fix in candidates:
        if method == "curves" and not diverse:
            th = cand_eff.elementwise_traffic_hidden
            cand_eff = replace(cand_eff, elementwise_traffic_hidden=cand_eff.elementwise_traffic if th is None else th)
        spec_c = _params_for(method, table, cand_eff, cand_fix, diverse)
        fit_c = _Fitter(pred, base, cand_eff, spec_c, method)
        for x0 in _starts(spec_c):
            res_c = fit_c.fit(idx_all, x0=x0)
            if best is None or res_c.cost < best[0].cost:
                best = (res_c, fit_c, spec_c, cand_eff, cand_info, cand_fix)
    assert best is not None
    res, fitter, params_spec, eff, sweep_info, fix_kernel = best
    if not any(p.name == "step_overhead_us" for p in params_spec):
        notes.append(
            f"per-step overhead kept at the baseline's {eff.step_overhead_us:g} µs: with one model and "
            "no mix of pure and mixed steps it cannot be told apart from the per-kernel overheads"
        )
    if method == "curves" and not diverse:
        notes.append(
            f"hidden-width elementwise traffic (norms, residual adds) kept at the baseline's "
            f"{eff.elementwise_traffic_hidden:g}× minimal bytes: with one model at one TP degree every "
            "elementwise op scales with the token count, so only the TP-sharded factor is identified; "
            "add steps of another shape (a second model or TP degree) to fit both"
        )
    if len(candidates) > 1 and sweep_info:
        notes.append(
            f"attention backend chosen by fit: {sweep_info['attention_backend']} "
            f"(of {', '.join(str(c[1]['attention_backend']) for c in candidates if c[1])})"
        )
    x = res.x
    half = _ci(res.jac, res.fun, len(x) + len(fitter.prior))
    span = fitter.hi - fitter.lo
    params = []
    for p, v, h, lo, hi, sp in zip(params_spec, x, half, fitter.lo, fitter.hi, span, strict=True):
        params.append(
            FittedParam(
                p.name,
                p.label,
                float(v),
                float(v - h),
                float(v + h),
                p.unit,
                bool(v - lo < 1e-5 * sp or hi - v < 1e-5 * sp),
            )
        )
    profile = fitter.profile(x)
    fitted = pred.predict_ms(profile)
    loo_pred = np.full(n, np.nan)
    if loo:
        for fold in _folds(n):
            r = fitter.fit([j for j in idx_all if j not in fold], x0=x)
            held = pred.predict_ms(fitter.profile(r.x), sorted(fold))
            for i in fold:
                loo_pred[i] = held[i]
    if fix_kernel:
        k = profile.efficiency.kernel_overhead_us
        params.append(
            FittedParam(
                "kernel_overhead_us",
                "Per-kernel overhead (from the GEMM sweep, fixed)",
                float(k),
                float("nan"),
                float("nan"),
                "µs",
            )
        )
    return _Fit(params=params, profile=profile, fitted=fitted, loo_pred=loo_pred, sweep_info=sweep_info)


#: starting values tried for the TP-sharded elementwise traffic: the roofline's max() makes the fit
#: surface piecewise, and a start far below the optimum (eager engines reach 5–8×) can stall
_TRAFFIC_STARTS = (4.0, 8.0)


def _starts(params: list[_Param]) -> list[np.ndarray | None]:
    """Starting points of the full fit: the parameters' own ``x0`` and, when the elementwise traffic
    is free, the same with that factor at each of :data:`_TRAFFIC_STARTS`."""
    out: list[np.ndarray | None] = [None]
    names = [p.name for p in params]
    if "elementwise_traffic" in names:
        i = names.index("elementwise_traffic")
        for v in _TRAFFIC_STARTS:
            x0 = np.array([p.x0 for p in params])
            x0[i] = v
            out.append(x0)
    return out


def _metrics(
    pred: StepPredictor, table: StepTable, fit: _Fit, base_pred: np.ndarray, loo: bool
) -> tuple[dict[str, float], dict[str, float]]:
    """Fit and baseline error metrics, overall and per phase (prefill / decode / mixed)."""
    meas = pred.measured_ms
    metrics = error_metrics(fit.fitted, meas)
    baseline_metrics = error_metrics(base_pred, meas)
    prof_pred = pred.predict_ms(fit.profile)
    metrics["profile_mape"] = float(np.mean(np.abs(prof_pred / meas - 1.0)))
    if loo:
        lo_rel = fit.loo_pred / meas - 1.0
        metrics["loo_mape"] = float(np.mean(np.abs(lo_rel)))
        metrics["loo_max_abs_rel_error"] = float(np.max(np.abs(lo_rel)))
    for phase in ("prefill", "decode", "mixed"):
        sel = [i for i, r in enumerate(table.rows) if r.phase == phase]
        if sel:
            metrics[f"mape_{phase}"] = float(np.mean(np.abs(fit.fitted[sel] / meas[sel] - 1.0)))
            baseline_metrics[f"mape_{phase}"] = float(np.mean(np.abs(base_pred[sel] / meas[sel] - 1.0)))
            if loo:
                metrics[f"loo_mape_{phase}"] = float(np.mean(np.abs(fit.loo_pred[sel] / meas[sel] - 1.0)))
    return metrics, baseline_metrics


def _result_rows(
    table: StepTable, pred: StepPredictor, fit: _Fit, base_pred: np.ndarray, loo: bool
) -> list[dict[str, Any]]:
    """One dict per measured row: its columns, the fitted and baseline predictions and errors."""
    meas = pred.measured_ms
    rows = []
    for i, r in enumerate(table.rows):
        d = r.as_dict()
        d.update(
            {
                "predicted_ms": float(fit.fitted[i]),
                "rel_error": float(fit.fitted[i] / meas[i] - 1.0),
                "baseline_ms": float(base_pred[i]),
                "baseline_rel_error": float(base_pred[i] / meas[i] - 1.0),
            }
        )
        if loo:
            d["loo_predicted_ms"] = float(fit.loo_pred[i])
            d["loo_rel_error"] = float(fit.loo_pred[i] / meas[i] - 1.0)
        rows.append(d)
    return rows


def _calibrated_profile(
    base: HardwareProfile, fit: _Fit, method: str, data: str, metrics: Mapping[str, float], name: str | None, loo: bool
) -> HardwareProfile:
    """The fitted profile, renamed and marked ``calibrated`` with its data, method, metrics and factors."""
    metric_summary = {k: metrics[k] for k in ("n", "mape", "max_abs_rel_error", "r2", "loo_mape") if k in metrics}
    return replace(
        fit.profile,
        slug=f"{base.slug}-calibrated-{method}",
        name=name or f"{base.name} (calibrated, {method})",
        kind="calibrated",
        calibration={
            "data": data,
            "method": method,
            "metrics": metric_summary,
            "baseline": base.slug,
            "params": {p.name: p.value for p in fit.params},
        },
        notes=(
            f"Calibrated from {data} with method {method!r} (MAPE {metrics['mape']:.1%}"
            + (f", leave-one-out {metrics['loo_mape']:.1%}" if loo else "")
            + f") on baseline {base.slug}."
        ),
        sources=dict(base.sources) | {"efficiency": f"modeling calibrate --method {method} on {data}"},
    )


def _suggested(profile: HardwareProfile, pred: StepPredictor, table: StepTable) -> dict[str, Any]:
    """MFU and bandwidth figures worth quoting: the profile's sustained rates and what the steps reached."""
    eff = profile.efficiency
    peak = profile.peak_flops("bf16")
    large = [y for x, y in eff.gemm_compute.points if x >= 1024] or [eff.gemm_compute(4096)]
    gemm_eff = float(statistics.median(large))
    out: dict[str, Any] = {
        "gemm_mfu": gemm_eff,
        "gemm_tflops": gemm_eff * peak / 1e12,
        "hbm_efficiency": eff.memory,
        "hbm_tb_s": eff.memory * profile.hbm_bytes_per_s / 1e12,
    }
    fl, by = pred.flops_bytes(profile)
    meas_s = pred.measured_ms * 1e-3
    pre = [i for i, r in enumerate(table.rows) if r.phase == "prefill"]
    dec = [i for i, r in enumerate(table.rows) if r.phase == "decode"]
    if pre:
        mfu = [fl[i] / (meas_s[i] * peak) for i in pre]
        j = pre[int(np.argmax(mfu))]
        out["prefill_step_mfu_max"] = float(max(mfu))
        out["prefill_step_mfu_median"] = float(statistics.median(mfu))
        out["prefill_step_mfu_max_row"] = table.rows[j].row
    if dec:
        bw = [by[i] / meas_s[i] for i in dec]
        out["decode_step_tb_s_max"] = float(max(bw)) / 1e12
        out["decode_step_tb_s_median"] = float(statistics.median(bw)) / 1e12
    return out


def predict(table: StepTable, hw: HardwareProfile, models: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Per-row predicted vs measured latency on ``hw`` and the overall MAPE."""
    pred = StepPredictor(table, resolve_models(table, models))
    p = pred.predict_ms(hw)
    meas = pred.measured_ms
    rows = []
    for i, r in enumerate(table.rows):
        d = r.as_dict()
        d.update({"predicted_ms": float(p[i]), "measured_ms": float(meas[i]), "rel_error": float(p[i] / meas[i] - 1)})
        rows.append(d)
    m = error_metrics(p, meas)
    return {
        "hardware": hw.slug,
        "hardware_name": hw.name,
        "profile": hw.source_label,
        "data": table.describe(),
        "mape": m["mape"],
        "max_abs_rel_error": m["max_abs_rel_error"],
        "r2": m["r2"],
        "bias": m["bias"],
        "rows": rows,
    }


def calibrate_files(
    files: Iterable[tuple[str, str | bytes]],
    base: HardwareProfile,
    method: str = "curves",
    models: Mapping[str, Any] | None = None,
    **kw: Any,
) -> CalibrationResult:
    """:func:`calibrate` on raw ``(name, content)`` files (steps and sweeps told apart by their columns)."""
    table, sweeps = load_input_files(files)
    return calibrate(table, base, method, sweeps=sweeps or None, models=models, **kw)
