"""Inputs of the InferenceMAX pages (``dashboard/inferencemax.py``, ``dashboard/inferencemax_v2.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.state.validate import check_float as check_number
from dashboard.state.validate import check_int as check_int_value

__all__ = ["DEFAULT_SCENARIOS", "SIDEBAR_HW", "InferenceMaxInputs", "InferenceMaxV2Inputs", "ScenarioTable"]

#: the hardware choice meaning "the profile selected in the sidebar (with its edits)"
SIDEBAR_HW = "(sidebar)"


@dataclass(frozen=True)
class InferenceMaxInputs:
    """One scenario: ``batch`` sequences of ``seq_len`` new tokens after ``kv_len`` cached ones, then
    ``output_len`` generated tokens, on ``hardware`` (a preset slug or :data:`SIDEBAR_HW`) at ``tp``."""

    hardware: str = SIDEBAR_HW
    tp: int = 1
    batch: int = 32
    seq_len: int = 1024
    output_len: int = 1024
    kv_len: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.hardware, str) or not self.hardware:
            raise ValueError("hardware must be a preset name")
        check_int_value("tp", self.tp, 1, 1024)
        check_int_value("batch", self.batch, 1, 65536)
        check_int_value("seq_len", self.seq_len, 1, 2_000_000)
        check_int_value("output_len", self.output_len, 1, 2_000_000)
        check_int_value("kv_len", self.kv_len, 0, 16_000_000)


@dataclass(frozen=True)
class InferenceMaxV2Inputs:
    """SLA targets applied to every scenario (``0`` = no target)."""

    ttft_ms: float = 2000.0
    tpot_ms: float = 50.0

    def __post_init__(self) -> None:
        check_number("ttft_ms", self.ttft_ms, 0.0, 1e9)
        check_number("tpot_ms", self.tpot_ms, 0.0, 1e9)


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
