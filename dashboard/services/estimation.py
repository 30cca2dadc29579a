"""Drivers of the estimation pages (quick estimation, quick memory, custom runtime planner).

Every time and FLOP count comes from :class:`~dashboard.features.cost_model.CostModel`; this
module only builds modified hardware profiles (edited specs, custom kernel efficiencies, a
compute-only view), picks which steps to price, and aggregates the priced steps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel, StepCost
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.features.hardware import GIB, HardwareProfile
from dashboard.features.memory import MemoryBreakdown
from dashboard.features.metrics import decode_tokens_per_s, flops_per_s, mfu, tokens_per_s, tpot_s
from dashboard.features.overlap import OverlapTimeline, overlap_timeline

__all__ = [
    "PhaseOp",
    "RuntimeSummary",
    "ScenarioEstimate",
    "compute_only_hardware",
    "decode_sample_contexts",
    "edited_hardware",
    "estimate_scenario",
    "memory_component_rows",
    "op_category",
    "op_table",
    "phase_op_table",
    "phase_ops",
    "profile_kernel_efficiencies",
    "profile_spec_values",
    "runtime_summary",
    "sidebar_defaults",
    "token_curves",
    "with_kernel_efficiencies",
]

_SIDEBAR_FIELDS = {"tp": "tp", "ep": "ep", "weight_dtype": "weight_dtype", "kv_dtype": "kv_dtype"}


def sidebar_defaults(cls: type, settings: Any, given: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """Fields of page-input dataclass ``cls`` that default to the sidebar settings (TP, EP, weight
    and KV formats), except those in ``given`` (e.g. set by URL query parameters)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {f: getattr(settings, s) for f, s in _SIDEBAR_FIELDS.items() if f in names and f not in given}


# ---------------------------------------------------------------------------- hardware variants
def profile_spec_values(hw: HardwareProfile, weight_dtype: str, activation_dtype: str, group: int) -> dict[str, float]:
    """The three specs the quick-estimation page lets the user edit, as the profile states them:
    dense TFLOP/s of the GEMM format, HBM GB/s, and the per-GPU link GB/s a ``group``-GPU
    collective uses."""
    fmt = gemm_compute_dtype(weight_dtype, activation_dtype)
    return {
        "peak_tflops": hw.peak_flops(fmt) / 1e12,
        "hbm_gb_s": hw.hbm_bandwidth_gb_s,
        "link_gb_s": hw.link_bytes_per_s(group) / 1e9,
    }


def edited_hardware(
    hw: HardwareProfile,
    *,
    weight_dtype: str,
    activation_dtype: str,
    group: int,
    peak_tflops: float | None = None,
    hbm_gb_s: float | None = None,
    link_gb_s: float | None = None,
) -> HardwareProfile:
    """``hw`` with edited specs (``dataclasses.replace``; the profile validates them).

    * ``peak_tflops``: dense TFLOP/s of the GEMM format of (weight, activation); every format's
      peak is scaled by the same factor, so the fp8 : bf16 ratio of the chip is kept.
    * ``hbm_gb_s``: HBM bandwidth.
    * ``link_gb_s``: the link a ``group``-GPU collective uses (scale-up when the group fits in
      the scale-up domain, else scale-out).
    """
    changes: dict[str, Any] = {}
    if peak_tflops is not None:
        cur = profile_spec_values(hw, weight_dtype, activation_dtype, group)["peak_tflops"]
        factor = peak_tflops / cur
        changes["peak_tflops"] = {k: (v * factor if v else v) for k, v in hw.peak_tflops.items()}
    if hbm_gb_s is not None:
        changes["hbm_bandwidth_gb_s"] = float(hbm_gb_s)
    if link_gb_s is not None:
        if group <= hw.scale_up_domain:
            changes["scale_up_gb_s"] = float(link_gb_s)
        else:
            changes["scale_out_gb_s"] = float(link_gb_s)
            changes["scale_up_gb_s"] = max(hw.scale_up_gb_s, float(link_gb_s))
    if not changes:
        return hw
    out = dataclasses.replace(hw, **changes)
    if out.kind == "spec":
        out = dataclasses.replace(out, kind="custom", name=f"{hw.name} (edited on page)")
    return out


def with_kernel_efficiencies(
    hw: HardwareProfile,
    *,
    gemm: float | None = None,
    attention: float | None = None,
    memory: float | None = None,
    kernel_overhead_us: float | None = None,
) -> HardwareProfile:
    """``hw`` with constant kernel efficiencies (``HardwareProfile.with_efficiency``): ``gemm``
    replaces the GEMM curves of every format (bf16, fp8 and fp4), ``attention`` the prefill-attention
    curve, ``memory`` the HBM streaming fraction; ``None`` keeps the profile's value."""
    changes: dict[str, Any] = {}
    if gemm is not None:
        changes["gemm_compute"] = float(gemm)
        changes["gemm_compute_fp8"] = float(gemm)
        changes["gemm_compute_fp4"] = float(gemm)
    if attention is not None:
        changes["attention_prefill"] = float(attention)
    if memory is not None:
        changes["memory"] = float(memory)
    if kernel_overhead_us is not None:
        changes["kernel_overhead_us"] = float(kernel_overhead_us)
    return hw.with_efficiency(**changes) if changes else hw


#: bandwidth (GB/s) standing in for "infinite" in the compute-only view: 1e8 GB/s (100 PB/s, ~2·10^4 × an
#: H200's HBM), the largest value the profile's hard limits accept (features/hardware.HARD_LIMITS)
_UNBOUNDED_GB_S = 1e8


def compute_only_hardware(hw: HardwareProfile) -> HardwareProfile:
    """``hw`` with unbounded HBM and link bandwidth and no fixed costs (kernel, step, collective
    latency; no per-sequence decode cap), so the cost model prices each op at
    ``FLOPs / (peak · η)`` — the pure compute view. Memory-only ops (norms, RoPE, …) cost ~0."""
    out = dataclasses.replace(
        hw, hbm_bandwidth_gb_s=_UNBOUNDED_GB_S, scale_up_gb_s=_UNBOUNDED_GB_S, scale_out_gb_s=_UNBOUNDED_GB_S
    )
    return out.with_efficiency(
        kernel_overhead_us=0.0, step_overhead_us=0.0, comm_latency_us=0.0, attention_decode_unit_gb_s=None
    )


# ---------------------------------------------------------------------------- quick estimation
@dataclass(frozen=True)
class ScenarioEstimate:
    """One scenario priced by the cost model at the chosen φ (and at φ = 0 and 1 for the timeline)."""

    prefill: StepCost
    decode: StepCost  # one decode step at the mid-generation context
    decode_context: int
    ttft_s: float
    tpot_s: float
    decode_total_s: float
    e2e_s: float
    tokens_per_s: float  # output tokens/s of one engine (batch / TPOT)
    cluster_tokens_per_s: float  # × dp replicas
    timelines: dict[str, dict[float, OverlapTimeline]]  # phase → φ → timeline

    def as_dict(self) -> dict[str, Any]:
        return {
            "ttft_ms": self.ttft_s * 1e3,
            "tpot_ms": self.tpot_s * 1e3,
            "decode_total_ms": self.decode_total_s * 1e3,
            "e2e_ms": self.e2e_s * 1e3,
            "tokens_per_s": self.tokens_per_s,
            "cluster_tokens_per_s": self.cluster_tokens_per_s,
            "decode_context": self.decode_context,
            "prefill": self.prefill.as_dict(),
            "decode_step": self.decode.as_dict(),
        }


def _fixed_s(cost: StepCost) -> float:
    """Per-step fixed cost the cost model adds after compute and exposed communication."""
    fixed = cost.latency_s - cost.compute_s - cost.exposed_comm_s
    return fixed if fixed > 1e-9 * cost.latency_s else 0.0  # drop float round-off


def step_timeline(cost: StepCost, phi: float, layers: int) -> OverlapTimeline:
    """The overlap timeline of a priced step (its totals equal ``cost.latency_s``)."""
    return overlap_timeline(cost.compute_s, cost.comm_s, phi, layers, _fixed_s(cost))


def estimate_scenario(
    make_cm: Any, *, batch: int, input_len: int, output_len: int, phi: float, dp: int, layers: int
) -> ScenarioEstimate:
    """Price prefill and decode of one scenario.

    ``make_cm(overlap)`` returns the page's :class:`CostModel` for an overlap factor.
    TTFT = one prefill step of ``batch × input_len``; the decode phase produces the other
    ``output_len − 1`` tokens (``CostModel.generation_time_s``); TPOT = decode phase ÷ its steps
    (one decode step at ``input_len`` when ``output_len == 1``); E2E = TTFT + decode phase;
    tokens/s = batch ÷ TPOT per engine, × dp for the cluster.
    """
    cms = {p: make_cm(p) for p in sorted({0.0, float(phi), 1.0})}
    cm: CostModel = cms[float(phi)]
    mid = input_len + output_len // 2
    prefill = cm.step(StepSpec(prefill_seqs=batch, prefill_len=input_len))
    decode = cm.step(StepSpec(decode_seqs=batch, decode_context=mid))
    decode_total = cm.generation_time_s(batch, input_len, output_len)
    tpot = cm.tpot_s(batch, input_len, output_len)
    timelines: dict[str, dict[float, OverlapTimeline]] = {"prefill": {}, "decode": {}}
    for p, c in cms.items():
        pf = prefill if p == float(phi) else c.step(StepSpec(prefill_seqs=batch, prefill_len=input_len))
        dc = decode if p == float(phi) else c.step(StepSpec(decode_seqs=batch, decode_context=mid))
        timelines["prefill"][p] = step_timeline(pf, p, layers)
        timelines["decode"][p] = step_timeline(dc, p, layers)
    tps = decode_tokens_per_s(batch, tpot)
    return ScenarioEstimate(
        prefill=prefill,
        decode=decode,
        decode_context=mid,
        ttft_s=prefill.latency_s,
        tpot_s=tpot,
        decode_total_s=decode_total,
        e2e_s=prefill.latency_s + decode_total,
        tokens_per_s=tps,
        cluster_tokens_per_s=tps * dp,
        timelines=timelines,
    )


# ---------------------------------------------------------------------------- runtime planner
@dataclass(frozen=True)
class PhaseOp:
    """One op summed over a phase: prefill (one step) or decode (all decode steps)."""

    phase: str
    name: str
    kind: str
    flops: float
    bytes: float
    comm_bytes: float
    time_s: float
    bound: str


def decode_sample_contexts(context0: int, output_len: int, samples: int = 16) -> list[tuple[int, float]]:
    """``(context, weight)`` midpoints integrating the decode phase after a ``context0``-token
    prompt: ``output_len − 1`` steps (the first token comes from prefill), the same points
    :meth:`CostModel.generation_time_s` uses, so ``Σ weight · step`` equals it exactly."""
    steps = max(0, output_len - 1)
    if steps == 0:
        return []
    n = max(1, min(samples, steps))
    width = steps / n
    return [(int(context0 + (i + 0.5) * width), width) for i in range(n)]


def phase_ops(
    cm: CostModel, *, batch: int, input_len: int, output_len: int, kv_len: int = 0, samples: int = 16
) -> tuple[list[PhaseOp], dict[str, float]]:
    """Per-op FLOPs, bytes and time of the prefill step (``batch`` prompts of ``input_len`` new
    tokens after ``kv_len`` cached ones) and of the whole decode phase (``output_len − 1`` steps,
    integrated at :func:`decode_sample_contexts`). Returns the rows and phase totals
    ``{"prefill_s", "decode_s", "prefill_flops", "decode_flops"}``."""
    rows: list[PhaseOp] = []
    pf = cm.step(StepSpec(prefill_seqs=batch, prefill_len=input_len, prefix_len=kv_len))
    for op in pf.ops:
        rows.append(PhaseOp("prefill", op.name, op.kind, op.flops, op.bytes, op.comm_bytes, op.time_s, op.bound))
    agg: dict[str, list[Any]] = {}
    dec_s = dec_flops = 0.0
    for ctx_len, w in decode_sample_contexts(kv_len + input_len, output_len, samples):
        cost = cm.step(StepSpec(decode_seqs=batch, decode_context=ctx_len))
        dec_s += cost.latency_s * w
        dec_flops += cost.flops * w
        for op in cost.ops:
            r = agg.setdefault(op.name, [op.kind, 0.0, 0.0, 0.0, 0.0, {}])
            r[1] += op.flops * w
            r[2] += op.bytes * w
            r[3] += op.comm_bytes * w
            r[4] += op.time_s * w
            r[5][op.bound] = r[5].get(op.bound, 0.0) + op.time_s * w
    for name, r in agg.items():
        rows.append(PhaseOp("decode", name, r[0], r[1], r[2], r[3], r[4], max(r[5], key=r[5].get)))
    totals = {"prefill_s": pf.latency_s, "decode_s": dec_s, "prefill_flops": pf.flops, "decode_flops": dec_flops}
    return rows, totals


OP_CATEGORIES = ("attention core", "attention projections", "MLP / experts", "lm_head", "elementwise", "communication")


def op_category(name: str, kind: str) -> str:
    """Coarse category of a cost-model op for the FLOPs breakdown (one of :data:`OP_CATEGORIES`)."""
    if kind in ("attn_prefill", "attn_decode"):
        return "attention core"
    if kind == "elementwise":
        return "elementwise"
    if kind in ("allreduce", "alltoall", "allgather"):
        return "communication"
    if name == "lm_head":
        return "lm_head"
    if kind == "grouped_gemm" or any(k in name for k in ("expert", "shared", "gate_up", "down_proj", "router")):
        return "MLP / experts"
    return "attention projections"


def profile_kernel_efficiencies(hw: HardwareProfile, batch: int, input_len: int) -> dict[str, Any]:
    """The profile's kernel efficiencies at the prefill step's shape (the starting values of the
    custom-efficiency inputs): GEMM η at ``gemm_rows`` ``M = batch · input_len`` rows, the
    prefill-attention η of the curve's last point, HBM η and the per-kernel overhead (µs)."""
    eff = hw.efficiency
    rows = batch * input_len
    return {
        "gemm_rows": rows,
        "gemm_eff": round(float(eff.gemm_compute(rows)), 4),
        "attn_eff": round(float(eff.attention_prefill.points[-1][1]), 4),
        "mem_eff": round(float(eff.memory), 4),
        "kernel_overhead_us": float(eff.kernel_overhead_us),
    }


@dataclass(frozen=True)
class RuntimeSummary:
    """Headline figures of the runtime planner (one definition each in ``features/metrics.py``)."""

    ttft_s: float  # roofline prefill step
    tpot_s: float  # roofline decode phase ÷ (O − 1); the prefill step when O = 1
    decode_tokens_per_s: float  # batch ÷ TPOT
    compute_tokens_per_s: float  # batch · O ÷ (prefill + decode compute-only time); 0 without compute time
    achieved_flops_per_s: float  # prefill FLOPs ÷ roofline prefill time
    prefill_mfu: float  # achieved ÷ dense peak of the GEMM format
    decode_tokens: int  # batch · (O − 1)


def runtime_summary(
    compute: dict[str, float],
    roofline: dict[str, float],
    *,
    batch: int,
    output_len: int,
    first_step_s: float,
    peak_flops_per_s: float,
) -> RuntimeSummary:
    """Summary of :func:`phase_ops` totals (``compute``: compute-only profile, ``roofline``: full
    cost model) for ``batch`` sequences of ``output_len`` tokens; ``first_step_s`` is the roofline
    latency of the step producing token 1 (TPOT when ``output_len = 1``)."""
    steps = max(0, output_len - 1)
    tpot = tpot_s(roofline["decode_s"], output_len) if steps else first_step_s
    return RuntimeSummary(
        ttft_s=roofline["prefill_s"],
        tpot_s=tpot,
        decode_tokens_per_s=decode_tokens_per_s(batch, tpot),
        compute_tokens_per_s=tokens_per_s(batch * output_len, compute["prefill_s"] + compute["decode_s"]),
        achieved_flops_per_s=flops_per_s(compute["prefill_flops"], roofline["prefill_s"]),
        prefill_mfu=mfu(compute["prefill_flops"], roofline["prefill_s"], peak_flops_per_s),
        decode_tokens=batch * steps,
    )


def phase_op_table(
    compute_rows: list[PhaseOp], roofline_rows: list[PhaseOp], compute: dict[str, float], decode_tokens: int
) -> list[dict[str, Any]]:
    """One row per op of :func:`phase_ops` (compute-only rows with the roofline time beside them):
    GFLOP, its share of the phase's FLOPs (%), compute-only and roofline ms, the roofline bound and,
    for decode ops, GFLOP per decoded token."""
    roof = {(r.phase, r.name): r for r in roofline_rows}
    phase_flops = {"prefill": compute["prefill_flops"], "decode": compute["decode_flops"]}
    rows = []
    for r in compute_rows:
        rr = roof.get((r.phase, r.name))
        total = phase_flops[r.phase]
        rows.append(
            {
                "phase": r.phase,
                "op": r.name,
                "category": op_category(r.name, r.kind),
                "GFLOP": r.flops / 1e9,
                "flops_%": 100.0 * r.flops / total if total else 0.0,
                "compute_ms": r.time_s * 1e3,
                "roofline_ms": rr.time_s * 1e3 if rr else 0.0,
                "roofline_bound": rr.bound if rr else "",
                "decode_GFLOP_per_token": r.flops / decode_tokens / 1e9
                if r.phase == "decode" and decode_tokens
                else None,
            }
        )
    return rows


def op_table(est: ScenarioEstimate) -> list[dict[str, Any]]:
    """One row per op of the prefill step and of one decode step of :func:`estimate_scenario`: layers,
    GFLOP, HBM / weight / communication MB, time (ms), its share of the step's compute + communication
    time (%) and the bound."""
    rows = []
    for phase, cost in (("prefill", est.prefill), ("decode", est.decode)):
        total = cost.compute_s + cost.comm_s
        for op in cost.ops:
            rows.append(
                {
                    "phase": phase,
                    "op": op.name,
                    "layers": op.count,
                    "GFLOP": op.flops / 1e9,
                    "HBM_MB": op.bytes / 1e6,
                    "weights_MB": op.weight_bytes / 1e6,
                    "comm_MB": op.comm_bytes / 1e6,
                    "time_ms": op.time_s * 1e3,
                    "share_%": 100.0 * op.time_s / max(1e-30, total),
                    "bound": op.bound,
                }
            )
    return rows


def memory_component_rows(mem: MemoryBreakdown) -> list[dict[str, Any]]:
    """:meth:`MemoryBreakdown.components` as table rows: ``component``, ``bytes``, ``GiB`` and
    ``pct_of_HBM`` (share of the GPU's capacity, %)."""
    cap = mem.capacity_bytes
    return [
        {"component": k, "bytes": b, "GiB": b / GIB, "pct_of_HBM": 100.0 * b / cap if cap > 0 else 0.0}
        for k, b in mem.components().items()
    ]


def token_curves(
    cm: CostModel, *, batch: int, input_len: int, output_len: int, kv_len: int = 0, points: int = 32
) -> dict[str, list[float]]:
    """Per-token latency and throughput over the output: for ``points`` token indices ``k``
    (1 … ``output_len``), the latency of the step producing token ``k`` (token 1 = the prefill
    step; token ``k ≥ 2`` = a decode step attending ``kv_len + input_len + k − 1`` tokens), the
    throughput ``batch ÷ latency`` and the elapsed time to token ``k`` (TTFT + decode steps
    before it, via :meth:`CostModel.generation_time_s`)."""
    ctx0 = kv_len + input_len
    ttft = cm.step_latency_s(prefill_seqs=batch, prefill_len=input_len, prefix_len=kv_len)
    n = max(2, min(points, output_len))
    ks = sorted({1 + round(i * (output_len - 1) / (n - 1)) for i in range(n)}) if output_len > 1 else [1]
    lat, tps, elapsed = [], [], []
    for k in ks:
        t = ttft if k == 1 else cm.decode_time_s(batch, ctx0 + k - 1)
        lat.append(t)
        tps.append(batch / t if t > 0 else 0.0)
        elapsed.append(ttft + cm.generation_time_s(batch, ctx0, k))
    return {"token": [float(k) for k in ks], "latency_s": lat, "tokens_per_s": tps, "elapsed_s": elapsed}
