"""Overlap timeline: how the cost model's overlap factor φ hides communication behind compute,
drawn per layer as a compute lane and a communication lane.

The cost model combines one step as (``CostModel._combine``)::

    hidden  = min(φ · comm, compute)
    exposed = comm − hidden
    latency = compute + exposed + fixed            (fixed = per-step overhead)

This module lays those totals out in time. Assumptions: compute and communication are spread
evenly over the ``layers`` transformer layers (per layer ``c = compute / L``, ``m = comm / L``;
the embedding / lm_head / logits all-gather are folded into the per-layer averages), and within
a layer the hidden part of the communication runs under the *tail* of that layer's compute while
the exposed part follows it (the compute lane idles). Per layer ``h = min(φ·m, c)``, ``e = m − h``,
the layer takes ``c + e``; since ``min`` is positively homogeneous, ``Σ_layers (c + e) =
compute + exposed``, so the timeline ends exactly at the cost model's latency. The fixed per-step
overhead is drawn last on the compute lane.

Units: seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OverlapTimeline", "Segment", "overlap_timeline"]


@dataclass(frozen=True)
class Segment:
    """One bar of the timeline: ``lane`` is ``"compute"`` or ``"comm"``; ``kind`` is
    ``"compute"``, ``"comm_hidden"``, ``"comm_exposed"`` or ``"overhead"``."""

    lane: str
    layer: int  # 0-based layer index, -1 for the step overhead
    start_s: float
    duration_s: float
    kind: str


@dataclass(frozen=True)
class OverlapTimeline:
    phi: float
    layers: int
    compute_s: float
    comm_s: float
    hidden_s: float
    exposed_s: float
    fixed_s: float
    total_s: float
    segments: tuple[Segment, ...]


def overlap_timeline(
    compute_s: float, comm_s: float, phi: float, layers: int, fixed_s: float = 0.0, max_layers_drawn: int | None = None
) -> OverlapTimeline:
    """Lay out one step of ``compute_s`` compute and ``comm_s`` communication over ``layers``
    layers with overlap factor ``phi`` ∈ [0, 1] (see the module docstring for the formulas).

    ``max_layers_drawn`` keeps only the first N layers' segments (totals still cover all layers).
    Raises ``ValueError`` for negative times, ``phi`` outside [0, 1] or ``layers < 1``.
    """
    if not 0.0 <= phi <= 1.0:
        raise ValueError("overlap φ must be between 0 and 1")
    if layers < 1:
        raise ValueError("layers must be at least 1")
    if min(compute_s, comm_s, fixed_s) < 0:
        raise ValueError("times must be non-negative")
    c = compute_s / layers
    m = comm_s / layers
    h = min(phi * m, c)
    e = m - h
    tiny = 1e-12 * max(c, m)  # rounding residue (e.g. φ = 1 − 1 ulp) is not a segment
    if e <= tiny:
        e = 0.0
    if h <= tiny:
        h = 0.0
    segs: list[Segment] = []
    drawn = layers if max_layers_drawn is None else max(0, min(layers, max_layers_drawn))
    t = 0.0
    for i in range(drawn):
        if c > 0:
            segs.append(Segment("compute", i, t, c, "compute"))
        if h > 0:
            segs.append(Segment("comm", i, t + c - h, h, "comm_hidden"))
        if e > 0:
            segs.append(Segment("comm", i, t + c, e, "comm_exposed"))
        t += c + e
    hidden = min(phi * comm_s, compute_s)
    exposed = comm_s - hidden
    body = compute_s + exposed
    if fixed_s > 0 and drawn == layers:
        segs.append(Segment("compute", -1, body, fixed_s, "overhead"))
    return OverlapTimeline(
        phi=phi,
        layers=layers,
        compute_s=compute_s,
        comm_s=comm_s,
        hidden_s=hidden,
        exposed_s=exposed,
        fixed_s=fixed_s,
        total_s=body + fixed_s,
        segments=tuple(segs),
    )
