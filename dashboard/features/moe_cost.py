"""MoE expert-layer formulas the cost model uses: grouped-GEMM efficiency, soft roofline, routing imbalance.

A MoE layer runs its experts as one *grouped* GEMM: every expert multiplies its own rows (the
tokens routed to it) by its own weights. It differs from a dense GEMM with the same total rows in
three ways, each priced here from profile data (:class:`~dashboard.features.hardware.Efficiency`):

* **Row padding.** Each expert's rows are padded to whole row tiles of height ``T``
  (``grouped_gemm_tile_rows``). With ``m`` rows per expert on average the remainder wastes
  ``T/2`` rows per expert, and an expert with any rows costs at least one tile:
  ``padded(m) = max(T, m + T/2)``; the tensor cores run at the dense efficiency of a GEMM with
  ``max(m, T)`` rows, times ``m / padded(m)``.
* **Reduction depth.** Every output tile pays a prologue/epilogue; with K the reduction depth the
  efficiency goes as ``K / (K + K0)`` (``grouped_gemm_k_overhead`` = K0). The dense curves were
  measured around K = 4096, so the factor is taken relative to K = 4096.
* **Soft roofline.** A grouped GEMM with a few hundred rows per expert is neither compute- nor
  bandwidth-bound: each expert's weight tile is streamed while its few rows are multiplied, so the
  two overlap imperfectly. Its time is ``(t_c^p + t_m^p)^(1/p)`` (``grouped_gemm_blend`` = p;
  p → ∞ is the hard ``max`` of a dense GEMM).

The per-expert N enters through the FLOPs (2·rows·N·K per expert), the weight bytes (N·K per touched
expert) and the output bytes (rows·N), hence through the soft roofline; no separate wave-quantisation
term is applied, because grouped kernels pick their block shapes to fill the SMs (DeepGEMM's
"unaligned block sizes", e.g. BLOCK_N = 112 so that 128 of 132 SMs work at M = 256, N = 7168), and the
ten grouped rows below are reproduced without one.

Sources: DeepGEMM README (deepseek-ai/DeepGEMM, H800 FP8, dense and grouped tables; rows copied
to ``dashboard/data/reference/deepgemm_h800_fp8.csv``): the dense M = 4096 rows with N ≥ 4096 sweeping
K from 512 to 16384 give K0 ≈ 710 (η = 0.716·K/(K + 710) within 3 %); with K0 fixed, the ten grouped rows
(contiguous and masked layouts, 256–8192 rows per expert) give p ≈ 2.5 (MAPE 4 %).

* **Routing imbalance.** Under expert parallelism the busiest rank sets the step time (the
  all-to-all waits for it). Its load relative to the mean is ``1 + sqrt(s_sys² + s_stat²)``:
  ``s_sys = moe_imbalance − 1`` is the systematic skew of real routers at large batches (default
  1.30, the lowest inter-rank imbalance UltraEP measured without balancing on MoE models of
  106B–671B, arXiv 2606.04101: "from 1.30–4.01"); ``s_stat = z_ep · sqrt((ep − 1) / P)`` is the
  sampling spread of P routed (token, expert) pairs over ``ep`` ranks (multinomial, relative sd
  ``sqrt((ep − 1)/P)``; ``z_ep`` = expected maximum of ``ep`` standard normals, Blom's
  approximation ``Φ⁻¹((ep − 0.375)/(ep + 0.25))``).

Units: rows and K are counts; times in seconds. Pure functions, no state.
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = [
    "K_REF",
    "expected_max_normal",
    "grouped_gemm_efficiency",
    "padded_rows",
    "routing_imbalance",
    "soft_roofline_s",
]

#: reduction depth around which the dense GEMM curves were measured (H200 gemm.csv: Llama-3.1-8B shapes)
K_REF = 4096.0


def padded_rows(rows: float, tile_rows: float) -> float:
    """Rows an expert with ``rows`` rows on average occupies after padding to tiles of
    ``tile_rows``: ``max(T, rows + T/2)`` (at least one tile; half a tile wasted on average)."""
    return max(tile_rows, rows + 0.5 * tile_rows)


def grouped_gemm_efficiency(
    eta_dense_at_tile: float, rows: float, k: float, tile_rows: float, k_overhead: float
) -> float:
    """Fraction of the tensor-core peak a grouped GEMM reaches on its *useful* FLOPs.

    ``eta_dense_at_tile`` is the dense curve at ``max(rows, T)`` rows (the caller looks it up);
    the result is ``η_dense · rows / padded(rows) · k_factor(K)`` with
    ``k_factor = (K/(K+K0)) / (K_REF/(K_REF+K0))`` (1 when K0 = 0).
    Example: η_dense 0.7, 256 rows, T = 64, K = 7168, K0 = 710 → 0.7 · 256/288 · 1.0676 = 0.6643.
    """
    if rows <= 0:
        return eta_dense_at_tile
    eta = eta_dense_at_tile * rows / padded_rows(rows, tile_rows)
    if k_overhead > 0 and k > 0:
        eta *= (k / (k + k_overhead)) * ((K_REF + k_overhead) / K_REF)
    return eta


def soft_roofline_s(t_compute: float, t_memory: float, p: float) -> float:
    """``(t_c^p + t_m^p)^(1/p)``, computed as ``hi · (1 + (lo/hi)^p)^(1/p)`` (no under/overflow);
    ``p ≥ 50`` returns ``max(t_c, t_m)``. Example: t_c = 3, t_m = 4, p = 2 → 5."""
    hi, lo = (t_compute, t_memory) if t_compute >= t_memory else (t_memory, t_compute)
    if p >= 50.0 or hi <= 0.0:
        return hi
    return hi * (1.0 + (lo / hi) ** p) ** (1.0 / p)


def expected_max_normal(n: int) -> float:
    """Expected maximum of ``n`` independent standard normals, Blom's approximation
    ``Φ⁻¹((n − 0.375)/(n + 0.25))`` (0 for n ≤ 1; n = 8 → 1.434, exact 1.4236)."""
    if n <= 1:
        return 0.0
    return NormalDist().inv_cdf((n - 0.375) / (n + 0.25))


def routing_imbalance(ep: int, routed_pairs: float, systematic: float, z_ep: float | None = None) -> float:
    """Load of the busiest of ``ep`` expert-parallel ranks over the mean, for ``routed_pairs``
    (token, expert) pairs in the step: ``1 + sqrt((systematic − 1)² + z_ep² · (ep − 1)/P)``.
    1 when ``ep`` ≤ 1 (every rank holds a shard of every expert). ``z_ep`` may be passed
    precomputed (:func:`expected_max_normal`)."""
    if ep <= 1:
        return 1.0
    s_sys = max(0.0, systematic - 1.0)
    z = expected_max_normal(ep) if z_ep is None else z_ep
    s_stat2 = z * z * (ep - 1) / routed_pairs if routed_pairs > 0 else 0.0
    return 1.0 + math.sqrt(s_sys * s_sys + s_stat2)
