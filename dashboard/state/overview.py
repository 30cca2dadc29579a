"""Inputs of the overview page: the request shape, referring to its one declaration."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import like, validate_params
from dashboard.features.request import RequestShape
from dashboard.state.shape import check_context_fits


@dataclass(frozen=True)
class OverviewInputs:
    """``batch`` requests of ``input_len`` prompt and ``output_len`` generated tokens. The page
    narrows the batch to 4,096 (its per-op table stays readable)."""

    batch: int = like(RequestShape, "batch", hi=4096)
    input_len: int = like(RequestShape, "input_len", 1024)
    output_len: int = like(RequestShape, "output_len", 256)

    def __post_init__(self) -> None:
        validate_params(self)
        check_context_fits(self, "input_len", "output_len")
