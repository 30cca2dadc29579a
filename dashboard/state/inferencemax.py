"""Inputs of the InferenceMAX pages (``dashboard/inferencemax.py``, ``dashboard/inferencemax_v2.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.features.params import like, param, validate_params
from dashboard.services.search import SLA
from dashboard.services.search_inferencemax import Scenario
from dashboard.state.shape import check_context_fits

__all__ = ["DEFAULT_SCENARIOS", "SIDEBAR_HW", "InferenceMaxInputs", "InferenceMaxV2Inputs", "ScenarioTable"]

#: the hardware choice meaning "the profile selected in the sidebar (with its edits)"
SIDEBAR_HW = "(sidebar)"


@dataclass(frozen=True)
class InferenceMaxInputs:
    """One scenario: ``batch`` sequences of ``seq_len`` new tokens after ``kv_len`` cached ones, then
    ``output_len`` generated tokens, on ``hardware`` (a preset slug or :data:`SIDEBAR_HW`) at ``tp``."""

    hardware: str = param(SIDEBAR_HW, label="Hardware", help="a preset or the sidebar's profile")
    tp: int = like(Scenario, "tp")
    batch: int = like(Scenario, "batch", 32)
    seq_len: int = like(Scenario, "seq_len")
    output_len: int = like(Scenario, "output_len")
    kv_len: int = like(Scenario, "kv_len")

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "kv_len", "seq_len", "output_len")
        if not self.hardware:
            raise ValueError("hardware must be a preset name")


@dataclass(frozen=True)
class InferenceMaxV2Inputs:
    """SLA targets applied to every scenario (``0`` = no target)."""

    ttft_ms: float = like(SLA, "ttft_ms", 2000.0, open_lo=False, optional=False, help="0 = no target")
    tpot_ms: float = like(SLA, "tpot_ms", 50.0, open_lo=False, optional=False, help="0 = no target")

    def __post_init__(self) -> None:
        validate_params(self)


DEFAULT_SCENARIOS: tuple[dict, ...] = (
    {
        "name": "H200 TP1×DP8",
        "hardware": "h200",
        "tp": 1,
        "dp": 8,
        "batch": 64,
        "seq_len": 1024,
        "output_len": 1024,
        "kv_len": 0,
    },
    {
        "name": "H200 TP2×DP4",
        "hardware": "h200",
        "tp": 2,
        "dp": 4,
        "batch": 128,
        "seq_len": 1024,
        "output_len": 1024,
        "kv_len": 0,
    },
    {
        "name": "B200 TP1×DP8",
        "hardware": "b200",
        "tp": 1,
        "dp": 8,
        "batch": 64,
        "seq_len": 1024,
        "output_len": 1024,
        "kv_len": 0,
    },
    {
        "name": "MI300X TP1×DP8",
        "hardware": "mi300x",
        "tp": 1,
        "dp": 8,
        "batch": 64,
        "seq_len": 1024,
        "output_len": 1024,
        "kv_len": 0,
    },
)


@dataclass(frozen=True)
class ScenarioTable:
    """The editable scenario table: ``rows`` as last seen (bad rows included, so nothing is lost),
    ``base`` the rows the editor was seeded with (its edits apply on top), the signature of the last
    imported CSV and the import error, if any."""

    rows: tuple[dict[str, Any], ...] = field(default_factory=lambda: tuple(dict(r) for r in DEFAULT_SCENARIOS))
    base: tuple[dict[str, Any], ...] = field(default_factory=lambda: tuple(dict(r) for r in DEFAULT_SCENARIOS))
    upload_sig: str | None = None
    upload_error: str | None = None
