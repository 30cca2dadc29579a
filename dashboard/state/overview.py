"""Inputs of the overview page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OverviewInputs:
    batch: int = 1
    input_len: int = 1024
    output_len: int = 256

    def __post_init__(self) -> None:
        for name in ("batch", "input_len", "output_len"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1_000_000:
                raise ValueError(f"{name} must be an integer between 1 and 1,000,000")
