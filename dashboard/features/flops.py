"""FLOP counts of whole forward passes (re-exported from the cost model's op list)."""

from __future__ import annotations

from dashboard.features.cost_model import forward_flops

__all__ = ["forward_flops"]
