"""How a sweep runs, declared apart from :mod:`dashboard.services.sweep` so that the ``modeling``
parser can build ``--workers`` from the declaration without importing pandas."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import param, validate_params

__all__ = ["SweepRun"]


# declared once (dashboard/features/params.py): ``modeling sweep --workers``
@dataclass(frozen=True)
class SweepRun:
    """How a sweep runs: ``workers`` parallel tasks (``None``: the CPU count)."""

    workers: int | None = param(
        None, lo=1, hi=1024, unit="processes", label="Parallel tasks", help="default: CPU count"
    )

    def __post_init__(self) -> None:
        validate_params(self)
