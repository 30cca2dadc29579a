"""Inputs of the speculative-decoding section (quick estimation and simulator pages)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.speculative import MAX_SPEC_TOKENS, METHODS
from dashboard.state.validate import check_float_tuple, check_int, check_int_tuple

__all__ = ["SpeculativeInputs"]


@dataclass(frozen=True)
class SpeculativeInputs:
    """``spec_on`` switches the section on; ``spec_acceptance``: one conditional acceptance rate α
    or one per draft position (its length must then be ``spec_k``); ``spec_draft``: preset of the
    draft model (``draft_model`` only); ``spec_batches``: batch sizes of the TPOT-vs-batch curve."""

    spec_on: bool = False
    spec_method: str = "eagle3"
    spec_k: int = 3
    spec_acceptance: tuple[float, ...] = (0.8,)
    spec_draft: str = "llama-3.1-8b"
    spec_batches: tuple[int, ...] = (1, 4, 16, 64, 128, 256, 512)

    def __post_init__(self) -> None:
        if not (self.spec_on is True or self.spec_on is False):
            raise ValueError("spec_on must be true or false")
        if self.spec_method not in METHODS:
            raise ValueError(f"spec_method must be one of {', '.join(METHODS)}, got {self.spec_method!r}")
        check_int("spec_k", self.spec_k, 1, MAX_SPEC_TOKENS)
        check_float_tuple("spec_acceptance", self.spec_acceptance, 0.0, 1.0, max_items=MAX_SPEC_TOKENS)
        if len(self.spec_acceptance) not in (1, self.spec_k):
            raise ValueError(
                f"spec_acceptance needs one rate or {self.spec_k} (one per draft position), "
                f"got {len(self.spec_acceptance)}"
            )
        if not isinstance(self.spec_draft, str) or not self.spec_draft:
            raise ValueError("spec_draft must name a model preset")
        check_int_tuple("spec_batches", self.spec_batches, 1, 65536, max_items=32)
