"""Inputs of the speculative-decoding section (quick estimation and simulator pages).

Method, draft-token count, acceptance rates and draft model refer to their one declaration on
:class:`~dashboard.features.speculative.SpeculativeConfig` (``like``); the batch sizes of the
TPOT-vs-batch curve to ``RequestShape.batch``."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape
from dashboard.features.speculative import SpeculativeConfig

__all__ = ["SpeculativeInputs"]


@dataclass(frozen=True)
class SpeculativeInputs:
    """``spec_on`` switches the section on; ``spec_acceptance``: one conditional acceptance rate α
    or one per draft position (its length must then be ``spec_k``); ``spec_draft``: preset of the
    draft model (``draft_model`` only); ``spec_batches``: batch sizes of the TPOT-vs-batch curve."""

    spec_on: bool = param(False, label="Speculative decoding")
    spec_method: str = like(SpeculativeConfig, "method", "eagle3")
    spec_k: int = like(SpeculativeConfig, "num_speculative_tokens", 3)
    spec_acceptance: tuple[float, ...] = like(SpeculativeConfig, "acceptance_rates", (0.8,))
    spec_draft: str = like(SpeculativeConfig, "draft_model", "llama-3.1-8b", optional=False)
    spec_batches: tuple[int, ...] = like(
        RequestShape, "batch", (1, 4, 16, 64, 128, 256, 512), max_items=32, label="Batch sizes of the curve"
    )

    def __post_init__(self) -> None:
        validate_params(self)
        if len(self.spec_acceptance) not in (1, self.spec_k):
            raise ValueError(
                f"spec_acceptance needs one rate or {self.spec_k} (one per draft position), "
                f"got {len(self.spec_acceptance)}"
            )
        if not self.spec_draft:
            raise ValueError("spec_draft must name a model preset")
