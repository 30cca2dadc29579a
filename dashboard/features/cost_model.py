"""The cost model: one engine step priced op by op. Every latency in the project comes from here.

Each op of a forward pass is enumerated with its FLOPs and HBM bytes per GPU
(:meth:`CostModel.ops`), then timed on a :class:`~dashboard.features.hardware.HardwareProfile`
with a roofline plus fixed costs (:meth:`CostModel.price`):

* GEMM: ``max(FLOPs / (peak · η_gemm(M)), bytes / (BW · η_mem)) + t_kernel``; bytes = weights +
  input and output activations. The lm_head runs on sampled tokens only.
* MoE experts: top-k routed tokens over the expected number of distinct experts touched,
  ``E·(1 − (1 − k/E)^T)`` for T tokens (uniform routing), so small batches read few experts. The
  experts run as a grouped GEMM keyed on the per-expert shape (rows per expert, N, K): row padding
  to tiles, a K-depth factor and a soft roofline (:mod:`dashboard.features.moe_cost`); under
  expert parallelism the busiest rank's routed pairs (× the routing-imbalance factor) set the time.
  Token permute (gather into expert order) and unpermute (scatter back, weighted top-k sum) move
  ``(T_src + pairs)·h`` activations each.
* GEMM efficiency per tensor-core format: bf16, fp8/int8 and fp4 (NVFP4/MXFP4) curves.
* Prefill attention (causal, with cached prefix, optional sliding window):
  ``FLOPs = 2·H·pairs·(d_qk + d_v)``, timed at ``peak · η_attn(FLOPs per call)``.
* Decode attention: streams the KV cache, ``bytes / (BW · η_mem)``; a decode kernel that does not
  split the sequence is also capped by the rate of its largest work unit (one sequence × one KV
  head). MLA decode runs absorbed (queries projected into the latent space; one latent of
  ``kv_lora_rank + rope`` per token shared by all heads).
* Norms (incl. Qwen3's per-head q/k norms), RoPE + KV-cache write, activation, residual adds,
  embedding: bytes / bandwidth, with the profile's fusion level (traffic × minimal bytes,
  ``elementwise_kernels`` launches per op). Two traffic classes: ops on the full hidden width that
  TP does not split (norms, residual adds, embedding, MoE permutes: ``elementwise_traffic_hidden``)
  and TP-sharded ones (activation, RoPE + KV write, per-head q/k norms: ``elementwise_traffic``).
* TP all-reduce (ring: ``2(n−1)/n · bytes / link``), EP all-to-all, vocab all-gather: a latency
  term plus a bandwidth term; an overlap factor φ hides up to φ of communication behind compute.

Units: FLOPs, bytes, seconds (``*_s``); per-GPU quantities for one engine of ``max(tp, ep)`` GPUs.
Assumptions: balanced TP/EP shards, uniform expert routing, weights read once per step from HBM
(no L2 reuse across steps), activations in the activation dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.features.batch import BatchStats, StepSpec, batch_stats, uniform_batch_stats
from dashboard.features.dtypes import dtype_bytes, gemm_compute_dtype
from dashboard.features.hardware import Curve, Efficiency, HardwareProfile
from dashboard.features.metrics import tpot_s
from dashboard.features.model_profile import ModelProfile, kv_heads_per_gpu
from dashboard.features.moe_cost import (
    expected_max_normal,
    grouped_gemm_efficiency,
    routing_imbalance,
    soft_roofline_s,
)
from dashboard.features.parallel import Dtypes, ParallelConfig, validate_parallel
from dashboard.features.request import check_setting

__all__ = [
    "FLOPS_ONLY_HW",
    "AttentionDecodeOp",
    "AttentionPrefillOp",
    "CollectiveOp",
    "CostModel",
    "ElementwiseOp",
    "GemmOp",
    "GroupedGemmOp",
    "Op",
    "OpCost",
    "StepCost",
    "expected_distinct_experts",
    "forward_flops",
    "gemm_curve",
    "gemm_roofline_s",
]

# op kinds
GEMM, GEMM16, GROUPED, ATTN_P, ATTN_D, ELEM, ALLREDUCE, ALLTOALL, ALLGATHER = (
    "gemm",
    "gemm16",
    "grouped_gemm",
    "attn_prefill",
    "attn_decode",
    "elementwise",
    "allreduce",
    "alltoall",
    "allgather",
)
COMM_KINDS = frozenset({ALLREDUCE, ALLTOALL, ALLGATHER})


@dataclass(slots=True)
class Op:
    """One row of :meth:`CostModel.ops`: an op of the step summed over the ``count`` layers it
    appears in. Per-GPU quantities. Built in the hot path: a slotted dataclass constructed
    positionally (≈ 0.14 µs, a NamedTuple costs ≈ 0.3 µs); treat it as read-only."""

    name: str
    kind: str  # one of the op kinds above
    count: int  # layers this row sums over
    flops: float  # FLOPs over all ``count`` layers
    bytes: float  # HBM bytes over all layers (collectives: bytes each GPU sends)
    weight_bytes: float  # the part of ``bytes`` that is weights


@dataclass(slots=True)
class GemmOp(Op):
    """GEMM (``kind`` GEMM or GEMM16) or grouped expert GEMM (GROUPED)."""

    rows: float  # M of the GEMM (GROUPED: mean routed rows per touched expert), the η_gemm abscissa


@dataclass(slots=True)
class GroupedGemmOp(GemmOp):
    """Grouped expert GEMM (``kind`` GROUPED): ``rows`` per touched expert; ``eta`` the grouped
    efficiency on useful FLOPs (:func:`~dashboard.features.moe_cost.grouped_gemm_efficiency`)."""

    eta: float


@dataclass(slots=True)
class ElementwiseOp(Op):
    """Norms, RoPE + KV write, activations, residual adds, embedding (``kind`` ELEM)."""

    kernels: float  # kernel launches per layer (already scaled by the profile's fusion level)


@dataclass(slots=True)
class AttentionPrefillOp(Op):
    """Causal prefill attention (``kind`` ATTN_P)."""

    flops_per_call: float  # FLOPs of one layer's call, the η_attn abscissa


@dataclass(slots=True)
class AttentionDecodeOp(Op):
    """Decode attention streaming the KV cache (``kind`` ATTN_D)."""

    unit_bytes: float  # KV bytes of the largest work unit (one sequence × one KV head) per layer


@dataclass(slots=True)
class CollectiveOp(Op):
    """TP all-reduce, EP all-to-all or logits all-gather (``kind`` in COMM_KINDS)."""

    group: int  # GPUs taking part


def expected_distinct_experts(num_experts: int, top_k: int, tokens: float) -> float:
    """Expected distinct experts hit when ``tokens`` tokens each pick ``top_k`` of ``num_experts``
    uniformly without replacement: ``E · (1 − (1 − k/E)^T)``."""
    if tokens <= 0 or num_experts <= 0:
        return 0.0
    return num_experts * (1.0 - (1.0 - top_k / num_experts) ** tokens)


def gemm_curve(eff: Efficiency, compute_dtype: str) -> Curve:
    """The GEMM efficiency curve for a tensor-core format: fp4 → ``gemm_compute_fp4`` (else the
    fp8 curve), fp8/int8 → ``gemm_compute_fp8``, else ``gemm_compute`` (a missing curve falls back
    to the next wider format's)."""
    if compute_dtype == "fp4" and eff.gemm_compute_fp4 is not None:
        return eff.gemm_compute_fp4
    if compute_dtype in ("fp4", "fp8", "int8") and eff.gemm_compute_fp8 is not None:
        return eff.gemm_compute_fp8
    return eff.gemm_compute


def gemm_roofline_s(
    hw: HardwareProfile,
    m: float,
    n: float,
    k: float,
    compute_dtype: str = "bf16",
    operand_bytes: float = 2.0,
    out_bytes: float = 2.0,
) -> float:
    """Seconds of one dense ``x[m,k]·w[n,k]ᵀ`` GEMM as :class:`CostModel` prices a GEMM op:
    ``max(2mnk / (peak · η(m)), bytes / (BW · η_mem)) + t_kernel`` with bytes = ``(nk + mk)·operand_bytes
    + mn·out_bytes``, η from :func:`gemm_curve` for ``compute_dtype``. Used to check a profile
    against published kernel tables (``services/kernel_tables.py``)."""
    eff = hw.efficiency
    tc = 2.0 * m * n * k / (hw.peak_flops(compute_dtype) * gemm_curve(eff, compute_dtype)(m))
    tm = ((n * k + m * k) * operand_bytes + m * n * out_bytes) / (hw.hbm_bytes_per_s * eff.memory)
    return max(tc, tm) + eff.kernel_overhead_us * 1e-6


@dataclass(frozen=True)
class OpCost:
    """One op of the step, summed over the layers it appears in (``count``)."""

    name: str
    kind: str
    count: int
    flops: float
    bytes: float
    time_s: float
    bound: str  # "compute" | "memory" | "comm" | "overhead"
    comm_bytes: float = 0.0
    weight_bytes: float = 0.0  # the part of ``bytes`` that is weights

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "count": self.count,
            "flops": self.flops,
            "bytes": self.bytes,
            "comm_bytes": self.comm_bytes,
            "weight_bytes": self.weight_bytes,
            "time_ms": self.time_s * 1e3,
            "bound": self.bound,
        }


@dataclass(frozen=True)
class StepCost:
    """Price of one engine step on one GPU of the engine."""

    latency_s: float
    compute_s: float  # time of non-communication ops (incl. their kernel overheads)
    comm_s: float  # communication time before overlap
    exposed_comm_s: float  # communication left after overlap
    overhead_s: float  # kernel launch/tail + per-step overhead included in latency_s
    flops: float
    bytes: float
    comm_bytes: float
    tokens: int
    ops: tuple[OpCost, ...] = field(default_factory=tuple)
    weight_bytes: float = 0.0  # weights read from HBM this step (touched experts only for MoE)

    def by_bound(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for op in self.ops:
            out[op.bound] = out.get(op.bound, 0.0) + op.time_s
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_s * 1e3,
            "compute_ms": self.compute_s * 1e3,
            "comm_ms": self.comm_s * 1e3,
            "exposed_comm_ms": self.exposed_comm_s * 1e3,
            "overhead_ms": self.overhead_s * 1e3,
            "flops": self.flops,
            "bytes": self.bytes,
            "comm_bytes": self.comm_bytes,
            "weight_bytes": self.weight_bytes,
            "tokens": self.tokens,
            "ops": [op.as_dict() for op in self.ops],
        }


class CostModel:
    """Prices engine steps of ``model`` on ``hardware`` under ``parallel`` and ``dtypes``.

    Construction validates the layout and precomputes per-layer shapes; :meth:`step_time_s` is
    the fast path (≈ tens of µs) used by the simulator and the search.
    """

    def __init__(
        self,
        model: ModelProfile,
        hardware: HardwareProfile,
        parallel: ParallelConfig | None = None,
        dtypes: Dtypes | None = None,
        overlap: float = 0.0,
    ) -> None:
        self.model = model
        self.hw = hardware
        self.par = parallel or ParallelConfig()
        self.dt = dtypes or Dtypes()
        check_setting("overlap", overlap)  # CostSettings.overlap, declared once
        self.overlap = overlap
        validate_parallel(model, self.par)
        m, p, d = model, self.par, self.dt
        self.wb = dtype_bytes(d.weight)
        self.ab = dtype_bytes(d.activation)
        self.kvb = dtype_bytes(d.kv)
        self.hi_b = 2.0  # embeddings, lm_head, router and norms stay 16-bit
        # attention projections in their own format when the checkpoint says so (gpt-oss: bf16)
        self.awb = dtype_bytes(d.attention)
        self._attn_kind = (
            GEMM
            if gemm_compute_dtype(d.attention, d.activation) == gemm_compute_dtype(d.weight, d.activation)
            else GEMM16
        )
        eff = hardware.efficiency
        self._peak = hardware.peak_flops(gemm_compute_dtype(d.weight, d.activation))
        self._peak16 = hardware.peak_flops("bf16")
        attn_dtype = "fp8" if (d.kv == "fp8" and d.activation == "fp8") else "bf16"
        self._peak_attn = hardware.peak_flops(attn_dtype)
        self._bw = hardware.hbm_bytes_per_s * eff.memory
        self._kov = eff.kernel_overhead_us * 1e-6
        self._eg16 = eff.gemm_compute
        self._eg = gemm_curve(eff, gemm_compute_dtype(d.weight, d.activation))
        self._g_tile = eff.grouped_gemm_tile_rows
        self._g_k0 = eff.grouped_gemm_k_overhead
        self._g_p = eff.grouped_gemm_blend
        self._imb = eff.moe_imbalance
        self._z_ep = expected_max_normal(p.ep)
        self._ea = eff.attention_prefill
        self._unit_bw = (eff.attention_decode_unit_gb_s or 0.0) * 1e9
        self._ew_traffic = eff.elementwise_traffic
        self._ew_traffic_hidden = (
            eff.elementwise_traffic if eff.elementwise_traffic_hidden is None else eff.elementwise_traffic_hidden
        )
        self._ew_kernels = eff.elementwise_kernels
        self._step_ov = eff.step_overhead_us * 1e-6
        self._comm_lat = eff.comm_latency_us * 1e-6
        self._comm_eff = eff.comm
        tp = p.tp
        self.tp = tp
        self.hq = m.num_attention_heads // tp
        self.hkv = kv_heads_per_gpu(m, tp)
        # rows of the decode-attention MMA: query heads sharing one KV head (all heads for MLA)
        self._decode_rows = float(self.hq if model.is_mla else max(1, self.hq // self.hkv))
        self._decode_peak = self._peak_attn * self._eg16(self._decode_rows)
        # model/layout scalars read on every step (properties are slow in the hot path)
        self._h = m.hidden_size
        self._adp = p.attention_dp
        self._ep, self._etp = p.ep, p.expert_tp
        self._dqk, self._dv = m.q_head_dim, m.v_dim
        self._is_mla, self._qk_norm = m.is_mla, m.qk_norm
        self._gate = (3 if m.gated_mlp else 2) - 1  # 1 + gate: weight matrices of the up projection
        self.groups = model.layer_groups()
        attn: dict[int | None, int] = {}
        mlp: dict[bool, int] = {}
        for g in self.groups:
            attn[g.window] = attn.get(g.window, 0) + g.count
            mlp[g.moe] = mlp.get(g.moe, 0) + g.count
        self._attn_groups = tuple(attn.items())
        self._mlp_groups = tuple(mlp.items())
        # per-instance memo of curve lookups (the same M recurs across the ops of a step)
        self._cg: dict[float, float] = {}
        self._c16: dict[float, float] = {}
        self._ca: dict[float, float] = {}
        self.windows = sorted({g.window for g in self.groups if g.window}, key=int)
        if len(self.windows) > 1:  # one window size per model is all the HF configs we parse use
            raise ValueError("models with several distinct sliding-window sizes are not supported")
        self.window = self.windows[0] if self.windows else None
        self._tp_link = hardware.link_bytes_per_s(tp) * self._comm_eff
        g_engine = max(tp, p.ep)
        self._ep_link = hardware.link_bytes_per_s(g_engine) * self._comm_eff
        self._timers: dict[str, Callable[[Any], tuple[float, str]]] = {
            GEMM: self._time_gemm,
            GEMM16: self._time_gemm,
            GROUPED: self._time_grouped,
            ELEM: self._time_elementwise,
            ATTN_P: self._time_attention_prefill,
            ATTN_D: self._time_attention_decode,
            ALLREDUCE: self._time_allreduce,
            ALLTOALL: self._time_alltoall,
            ALLGATHER: self._time_allgather,
        }

    # ------------------------------------------------------------------ batches
    def stats_for(self, spec: StepSpec) -> BatchStats:
        return uniform_batch_stats(spec, self.window)

    def stats_for_batch(
        self, chunks: Sequence[tuple[int, int]], decode_contexts: Sequence[float], sampled: int | None = None
    ) -> BatchStats:
        return batch_stats(chunks, decode_contexts, self.window, sampled)

    # ------------------------------------------------------------------ op enumeration
    def ops(self, s: BatchStats) -> list[Op]:
        """Per-GPU ops of one step as typed records (:class:`GemmOp`, :class:`ElementwiseOp`,
        :class:`AttentionPrefillOp`, :class:`AttentionDecodeOp`, :class:`CollectiveOp`), each with
        totals over its ``count`` layers. Attention ops are enumerated once per attention window and
        MLP ops once per MLP kind (dense / MoE), each over all layers that share it."""
        m = self.model
        wb, ab, kvb, hb = self.wb, self.ab, self.kvb, self.hi_b
        h = self._h
        tp, hq, hkv = self.tp, self.hq, self.hkv
        adp = self._adp
        t_all = s.prefill_tokens + s.decode_seqs
        t = t_all / adp  # tokens through attention-side ops on this GPU
        dqk, dv = self._dqk, self._dv
        out: list[Op] = []
        add = out.append
        ew_k = self._ew_kernels
        ew_t = self._ew_traffic
        ew_th = self._ew_traffic_hidden  # ops on the full hidden width (not split by TP)

        awb, akind = self.awb, self._attn_kind  # attention projections: their own weight format

        def gemm(
            name: str, n_layers: int, rows: float, n: float, k: float, wbytes: float = wb, kind: str | None = None
        ) -> None:
            """``rows × k`` activations times a ``k × n`` weight, ``n_layers`` times."""
            if rows <= 0:
                return
            w = n_layers * n * k * wbytes
            add(
                GemmOp(
                    name,
                    kind or (GEMM if wbytes == wb else GEMM16),
                    n_layers,
                    n_layers * 2.0 * rows * n * k,
                    w + n_layers * rows * (k + n) * ab,
                    w,
                    rows,
                )
            )

        def elem(name: str, n_layers: int, nbytes: float, kernels: float = 1.0, traffic: float = ew_t) -> None:
            """An elementwise op moving ``nbytes`` minimal bytes per layer in ``kernels`` launches, at
            ``traffic`` × the minimal bytes (TP-sharded ops ``elementwise_traffic``; hidden-width ops
            ``elementwise_traffic_hidden``)."""
            if nbytes > 0:
                add(
                    ElementwiseOp(
                        name,
                        ELEM,
                        n_layers,
                        n_layers * nbytes / ab * 2.0,
                        n_layers * nbytes * traffic,
                        0.0,
                        kernels * ew_k,
                    )
                )

        def allreduce(name: str, n_layers: int, nbytes: float, group: int) -> None:
            if group > 1 and nbytes > 0:
                add(CollectiveOp(name, ALLREDUCE, n_layers, 0.0, n_layers * nbytes, 0.0, group))

        for window, L in self._attn_groups:
            win = window is not None
            pairs = s.w_pairs if win else s.pairs
            kv_read = s.w_kv_read if win else s.kv_read
            csum = s.w_dec_ctx_sum if win else s.dec_ctx_sum
            cmax = s.w_dec_ctx_max if win else s.dec_ctx_max
            elem("attn_norm", L, 2.0 * t * h * ab, 1.0, ew_th)
            if self._is_mla:
                rope_d, lat = m.qk_rope_head_dim, m.kv_lora_rank
                if m.q_lora_rank:
                    gemm("q_a_proj", L, t, m.q_lora_rank, h, awb, akind)
                    elem("q_a_norm", L, 2.0 * t * m.q_lora_rank * ab, 1.0, ew_th)
                    gemm("q_b_proj", L, t, hq * dqk, m.q_lora_rank, awb, akind)
                else:
                    gemm("q_proj", L, t, hq * dqk, h, awb, akind)
                gemm("kv_a_proj", L, t, lat + rope_d, h, awb, akind)
                elem("rope_kv_write", L, t * (2.0 * hq * rope_d * ab + (lat + rope_d) * (ab + kvb)), 2.0)
                if s.prefill_tokens:
                    # prefill runs un-absorbed: up-project cached + new latents, then MHA
                    gemm("kv_b_proj", L, kv_read / adp, hq * (m.qk_nope_head_dim + dv), lat, awb, akind)
                    fl = 2.0 * hq * pairs / adp * (dqk + dv)
                    by = (s.prefill_tokens * hq * (dqk + dv) * ab + kv_read * hq * (dqk + dv) * ab) / adp
                    add(AttentionPrefillOp("attn_prefill", ATTN_P, L, L * fl, L * by, 0.0, fl))
                if s.decode_seqs:
                    dd = s.decode_seqs / adp
                    gemm("q_absorb", L, dd * hq, lat, m.qk_nope_head_dim, awb, akind)
                    fl = 2.0 * hq * csum / adp * (2 * lat + rope_d)
                    by = csum / adp * (lat + rope_d) * kvb + dd * hq * (lat + rope_d) * ab
                    add(AttentionDecodeOp("attn_decode", ATTN_D, L, L * fl, L * by, 0.0, cmax * (lat + rope_d) * kvb))
                    gemm("v_absorb", L, dd * hq, dv, lat, awb, akind)
            else:
                gemm("qkv_proj", L, t, (hq + 2 * hkv) * dqk, h, awb, akind)
                if self._qk_norm:  # per-head RMSNorm of queries and keys (Qwen3): read + write each
                    elem("qk_norm", L, 2.0 * t * (hq + hkv) * dqk * ab, 2.0)
                elem("rope_kv_write", L, t * ((hq + hkv) * dqk * 2.0 * ab + 2.0 * hkv * dqk * (ab + kvb)), 2.0)
                if s.prefill_tokens:
                    fl = 2.0 * hq * pairs / adp * (dqk + dv)
                    by = (s.prefill_tokens * hq * (dqk + dv) * ab + kv_read * hkv * (dqk + dv) * kvb) / adp
                    add(AttentionPrefillOp("attn_prefill", ATTN_P, L, L * fl, L * by, 0.0, fl))
                if s.decode_seqs:
                    fl = 2.0 * hq * csum / adp * (dqk + dv)
                    by = csum / adp * hkv * (dqk + dv) * kvb + s.decode_seqs / adp * hq * (dqk + dv) * ab
                    add(AttentionDecodeOp("attn_decode", ATTN_D, L, L * fl, L * by, 0.0, cmax * (dqk + dv) * kvb))
            gemm("o_proj", L, t, h, hq * dv, awb, akind)
            allreduce("attn_allreduce", L, t * h * ab, tp)
        for moe, L in self._mlp_groups:
            elem("residual_mlp_norm", L, 5.0 * t * h * ab, 2.0, ew_th)
            gate = self._gate
            if moe:
                ne, k = m.num_experts, m.num_experts_per_tok
                gemm("router", L, t, ne, h, hb)
                ep, etp = self._ep, self._etp
                inter = m.moe_intermediate_size // etp
                # the busiest EP rank sets the time: its routed pairs are ι × the mean
                imb = routing_imbalance(ep, t_all * k, self._imb, self._z_ep) if ep > 1 else 1.0
                pairs_gpu = t_all * k / ep * imb  # routed (token, expert) pairs computed on this GPU
                touched = expected_distinct_experts(ne, k, t_all * imb) / ep
                rows = pairs_gpu / touched if touched else 0.0
                t_src = t_all / max(tp, ep) if ep > 1 else t  # tokens this GPU routes out and gathers back
                if ep > 1:
                    a2a = 2.0 * t_src * k * h * ab * (ep - 1) / ep
                    add(CollectiveOp("ep_alltoall", ALLTOALL, L, 0.0, L * a2a, 0.0, ep))
                # permute: gather tokens into expert order; unpermute: scatter back + top-k weighted sum
                elem("moe_permute", L, (t_src + pairs_gpu) * h * ab, 1.0, ew_th)
                elem("moe_unpermute", L, (pairs_gpu + t_src) * h * ab, 1.0, ew_th)
                g_tile = self._g_tile
                eg = self._eff(self._eg, self._cg, rows if rows > g_tile else g_tile)
                w_up = L * touched * gate * inter * h * wb
                add(
                    GroupedGemmOp(
                        "experts_gate_up",
                        GROUPED,
                        L,
                        L * 2.0 * pairs_gpu * gate * inter * h,
                        w_up + L * pairs_gpu * (h + gate * inter) * ab,
                        w_up,
                        rows,
                        grouped_gemm_efficiency(eg, rows, h, g_tile, self._g_k0),
                    )
                )
                elem("experts_act", L, pairs_gpu * 3.0 * inter * ab)
                w_dn = L * touched * inter * h * wb
                add(
                    GroupedGemmOp(
                        "experts_down",
                        GROUPED,
                        L,
                        L * 2.0 * pairs_gpu * inter * h,
                        w_dn + L * pairs_gpu * (h + inter) * ab,
                        w_dn,
                        rows,
                        grouped_gemm_efficiency(eg, rows, inter, g_tile, self._g_k0),
                    )
                )
                if m.shared_expert_size:
                    si = m.shared_expert_size // tp
                    gemm("shared_gate_up", L, t, gate * si, h)
                    elem("shared_act", L, t * 3.0 * si * ab)
                    gemm("shared_down", L, t, h, si)
                allreduce("moe_allreduce", L, t * h * ab, tp)
            else:
                inter = m.intermediate_size // tp
                gemm("gate_up_proj", L, t, gate * inter, h)
                elem("act_mul", L, t * (gate + 1) * inter * ab)
                gemm("down_proj", L, t, h, inter)
                allreduce("mlp_allreduce", L, t * h * ab, tp)
            elem("residual_add", L, 3.0 * t * h * ab, 1.0, ew_th)
        elem("embedding", 1, 2.0 * t * h * ab, 1.0, ew_th)
        elem("final_norm", 1, 2.0 * t * h * ab, 1.0, ew_th)
        sampled = s.sampled / adp
        if sampled > 0:
            gemm("lm_head", 1, sampled, m.vocab_size / tp, h, hb)
            if tp > 1:
                add(CollectiveOp("logits_allgather", ALLGATHER, 1, 0.0, sampled * m.vocab_size / tp * 4.0, 0.0, tp))
        return out

    # ------------------------------------------------------------------ timing
    def _eff(self, curve: Callable[[float], float], cache: dict[float, float], x: float) -> float:
        """``curve(x)``, memoised per instance (the same abscissa recurs across the ops of a step)."""
        if len(cache) > 4096:
            cache.clear()
        v = cache[x] = curve(x)
        return v

    def _time_gemm(self, op: GemmOp) -> tuple[float, str]:
        """GEMM, 16-bit GEMM and grouped GEMM: ``max(FLOPs / (peak · η_gemm(M)), bytes / (BW · η_mem))
        + count · t_kernel``; the 16-bit path (embeddings-side GEMMs: router, lm_head) uses the bf16
        peak and curve whatever the weight dtype."""
        if op.kind == GEMM16:
            e = self._c16.get(op.rows) or self._eff(self._eg16, self._c16, op.rows)
            tc = op.flops / (self._peak16 * e)
        else:
            e = self._cg.get(op.rows) or self._eff(self._eg, self._cg, op.rows)
            tc = op.flops / (self._peak * e)
        tm = op.bytes / self._bw
        if tc > tm:
            return tc + self._kov * op.count, "compute"
        return tm + self._kov * op.count, "memory"

    def _time_grouped(self, op: GroupedGemmOp) -> tuple[float, str]:
        """Grouped expert GEMM: soft roofline ``(t_c^p + t_m^p)^(1/p) + count · t_kernel`` with
        ``t_c = FLOPs / (peak · η_grouped)`` (η_grouped carried by the op) and ``t_m = bytes / (BW · η_mem)``,
        p = ``grouped_gemm_blend`` (:mod:`dashboard.features.moe_cost`)."""
        tc = op.flops / (self._peak * op.eta)
        tm = op.bytes / self._bw
        return soft_roofline_s(tc, tm, self._g_p) + self._kov * op.count, ("compute" if tc > tm else "memory")

    def _time_elementwise(self, op: ElementwiseOp) -> tuple[float, str]:
        """Elementwise: ``bytes / (BW · η_mem) + count · kernels · t_kernel``."""
        return op.bytes / self._bw + self._kov * op.count * op.kernels, "memory"

    def _time_attention_prefill(self, op: AttentionPrefillOp) -> tuple[float, str]:
        """Prefill attention: ``max(FLOPs / (peak_attn · η_attn(FLOPs per call)), bytes / (BW · η_mem))
        + count · t_kernel``."""
        x = op.flops_per_call
        tc = op.flops / (self._peak_attn * (self._ca.get(x) or self._eff(self._ea, self._ca, x)))
        tm = op.bytes / self._bw
        if tc > tm:
            return tc + self._kov * op.count, "compute"
        return tm + self._kov * op.count, "memory"

    def _time_attention_decode(self, op: AttentionDecodeOp) -> tuple[float, str]:
        """Decode attention: ``max(FLOPs / (peak_attn · η_gemm16(rows)), bytes / (BW · η_mem),
        count · unit_bytes / unit_BW) + count · t_kernel``; the last term (the decode work-unit cap)
        applies when the profile gives ``attention_decode_unit_gb_s``."""
        tm = op.bytes / self._bw
        if self._unit_bw:
            tu = op.count * op.unit_bytes / self._unit_bw
            if tu > tm:
                tm = tu
        tc = op.flops / self._decode_peak
        if tc > tm:
            return tc + self._kov * op.count, "compute"
        return tm + self._kov * op.count, "memory"

    def _time_allreduce(self, op: CollectiveOp) -> tuple[float, str]:
        """Ring all-reduce over ``n`` GPUs: ``count · t_lat + 2(n−1)/n · bytes / (link · η_comm)``."""
        n = op.group
        return op.count * self._comm_lat + 2.0 * (n - 1) / n * op.bytes / self._tp_link, "comm"

    def _time_alltoall(self, op: CollectiveOp) -> tuple[float, str]:
        """EP all-to-all (dispatch + combine, both in ``bytes``): ``2 · count · t_lat + bytes /
        (link(max(tp, ep)) · η_comm)``."""
        return 2.0 * op.count * self._comm_lat + op.bytes / self._ep_link, "comm"

    def _time_allgather(self, op: CollectiveOp) -> tuple[float, str]:
        """Ring all-gather over ``n`` GPUs: ``count · t_lat + (n−1)/n · bytes / (link · η_comm)``."""
        n = op.group
        return op.count * self._comm_lat + (n - 1) / n * op.bytes / self._tp_link, "comm"

    def op_time(self, op: Op) -> tuple[float, str]:
        """Seconds and bound (``"compute"``, ``"memory"`` or ``"comm"``) of one op of :meth:`ops`."""
        return self._timers[op.kind](op)

    def _combine(self, compute: float, comm: float) -> tuple[float, float]:
        hidden = min(self.overlap * comm, compute)
        exposed = comm - hidden
        return compute + exposed + self._step_ov, exposed

    def step_time_s(self, s: BatchStats) -> float:
        """Latency of one step in seconds (fast path: no per-op objects)."""
        return self.step_summary(s)[0]

    def step_summary(self, s: BatchStats) -> tuple[float, float, float]:
        """``(latency_s, flops, hbm_bytes)`` of one step in one pass (for utilisation accounting)."""
        compute = comm = flops_t = bytes_t = 0.0
        timers, comm_kinds = self._timers, COMM_KINDS
        for op in self.ops(s):
            kind = op.kind
            dt = timers[kind](op)[0]
            if kind in comm_kinds:
                comm += dt
            else:
                compute += dt
                flops_t += op.flops
                bytes_t += op.bytes
        return self._combine(compute, comm)[0], flops_t, bytes_t

    def price(self, s: BatchStats) -> StepCost:
        """Full breakdown of one step: per-op FLOPs, bytes, time and bound (summed over layers)."""
        agg: dict[str, list[Any]] = {}
        compute = comm = flops_t = bytes_t = comm_b = ov = wbytes_t = 0.0
        for op in self.ops(s):
            name, kind, count, flops, nbytes, wbytes = op.name, op.kind, op.count, op.flops, op.bytes, op.weight_bytes
            dt, bound = self.op_time(op)
            is_comm = kind in COMM_KINDS
            if is_comm:
                comm += dt
                comm_b += nbytes
            else:
                compute += dt
                flops_t += flops
                bytes_t += nbytes
                wbytes_t += wbytes
                ov += self._kov * count * (op.kernels if isinstance(op, ElementwiseOp) else 1)
            row = agg.get(name)
            if row is None:
                agg[name] = [
                    kind,
                    count,
                    flops,
                    0.0 if is_comm else nbytes,
                    dt,
                    {bound: dt},
                    nbytes if is_comm else 0.0,
                    wbytes,
                ]
            else:
                row[1] += count
                row[2] += flops
                row[3] += 0.0 if is_comm else nbytes
                row[4] += dt
                row[5][bound] = row[5].get(bound, 0.0) + dt
                row[6] += nbytes if is_comm else 0.0
                row[7] += wbytes
        latency, exposed = self._combine(compute, comm)
        ops = tuple(
            OpCost(
                name=n,
                kind=r[0],
                count=r[1],
                flops=r[2],
                bytes=r[3],
                time_s=r[4],
                bound=max(r[5], key=r[5].get),
                comm_bytes=r[6],
                weight_bytes=r[7],
            )
            for n, r in agg.items()
        )
        return StepCost(
            latency_s=latency,
            compute_s=compute,
            comm_s=comm,
            exposed_comm_s=exposed,
            overhead_s=ov + self._step_ov,
            flops=flops_t,
            bytes=bytes_t,
            comm_bytes=comm_b,
            tokens=s.tokens,
            ops=ops,
            weight_bytes=wbytes_t,
        )

    # ------------------------------------------------------------------ conveniences
    def step(self, spec: StepSpec) -> StepCost:
        """Breakdown of a uniform :class:`StepSpec` (the CLI's and calibration's step format)."""
        return self.price(self.stats_for(spec))

    def step_latency_s(
        self,
        prefill_seqs: int = 0,
        prefill_len: int = 0,
        prefix_len: int = 0,
        decode_seqs: int = 0,
        decode_context: int = 0,
    ) -> float:
        return self.step_time_s(
            self.stats_for(StepSpec(prefill_seqs, prefill_len, prefix_len, decode_seqs, decode_context))
        )

    def prefill_time_s(self, batch: int, input_len: int, chunk: int | None = None) -> float:
        """Time to prefill ``batch`` prompts of ``input_len`` tokens, in chunks of ``chunk`` tokens
        per sequence if given (each chunk attends the chunks before it)."""
        if chunk is None or chunk >= input_len:
            return self.step_latency_s(batch, input_len)
        total, done = 0.0, 0
        while done < input_len:
            n = min(chunk, input_len - done)
            total += self.step_latency_s(batch, n, done)
            done += n
        return total

    def decode_time_s(self, batch: int, context: int) -> float:
        """One decode step of ``batch`` sequences each attending ``context`` tokens."""
        return self.step_latency_s(decode_seqs=batch, decode_context=context)

    def generation_time_s(self, batch: int, input_len: int, output_len: int, samples: int = 16) -> float:
        """Decode time of ``output_len`` tokens after ``input_len`` (first token excluded),
        integrating the context growth with ``samples`` midpoint evaluations."""
        steps = max(0, output_len - 1)
        if steps == 0:
            return 0.0
        n = max(1, min(samples, steps))
        width = steps / n
        return sum(self.decode_time_s(batch, int(input_len + (i + 0.5) * width)) * width for i in range(n))

    def tpot_s(self, batch: int, input_len: int, output_len: int, samples: int = 16) -> float:
        """Mean time per output token after the first (TPOT): the ``output_len − 1`` decode steps of
        :meth:`generation_time_s` divided by their count; one decode step at ``input_len`` when
        ``output_len`` is 1."""
        if output_len <= 1:
            return self.decode_time_s(batch, input_len)
        return tpot_s(self.generation_time_s(batch, input_len, output_len, samples), output_len)


FLOPS_ONLY_HW = HardwareProfile(
    slug="flops-only",
    name="FLOP counting only",
    peak_tflops={"bf16": 1.0},
    hbm_capacity_gb=1.0,
    hbm_bandwidth_gb_s=1.0,
)


def forward_flops(
    model: ModelProfile, new_tokens: int, context_before: int, seqs: int, sampled: int | None = None
) -> float:
    """Forward FLOPs (2 per multiply-add) of ``seqs`` sequences each processing ``new_tokens``
    tokens after ``context_before`` cached ones, the lm_head on ``sampled`` tokens (default: one
    per sequence). Counted by the same op list the cost model times (tp = 1, bf16)."""
    cm = CostModel(model, FLOPS_ONLY_HW)
    if new_tokens == 1 and context_before > 0:
        spec = StepSpec(decode_seqs=seqs, decode_context=context_before)
    else:
        spec = StepSpec(prefill_seqs=seqs, prefill_len=new_tokens, prefix_len=context_before)
    st = cm.stats_for(spec)
    if sampled is not None:
        from dataclasses import replace

        st = replace(st, sampled=sampled)
    return cm.step_summary(st)[1]
