"""Edited GPU specs on a page: ``0`` = "not set yet" (the page seeds it from the hardware profile),
any other value must reach the lower bound of its one declaration,
:class:`~dashboard.features.hardware.SpecEdits` (the limit the profile itself enforces)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.features.hardware import SpecEdits
from dashboard.features.params import param_specs

__all__ = ["check_spec_edits", "spec_minimum"]


def spec_minimum(field: str) -> float:
    """The smallest value :class:`SpecEdits` accepts for ``field`` (a page widget's ``min_value``
    once its custom-spec toggle is on)."""
    lo = param_specs(SpecEdits)[field].lo
    assert lo is not None  # every SpecEdits field has a lower bound
    return float(lo)


def check_spec_edits(obj: Any, fields: Mapping[str, str]) -> None:
    """Raise ``ValueError`` naming the page field when one of ``fields`` (page field → ``SpecEdits``
    field) is neither 0 (not set yet) nor at least the declared minimum."""
    for name, spec in fields.items():
        v = getattr(obj, name)
        lo = spec_minimum(spec)
        if v != 0.0 and v < lo:
            raise ValueError(f"{name} must be 0 (from the profile) or at least {lo:g}, got {v!r}")
