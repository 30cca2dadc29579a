"""Inputs of the quick-memory page (``dashboard/quick_memory.py``).

Layout, formats, context, reserved fraction and scheduler limits refer to their one declaration
(``like``), the edited HBM capacity to ``SpecEdits.hbm_capacity_gb`` (the profile's own limit), with
``0`` kept as the page's "not set yet"."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.hardware import SpecEdits
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.features.request import CostSettings, RequestShape
from dashboard.sim_scheduler import SchedulerConfig
from dashboard.state.spec_edits import check_spec_edits, spec_minimum

__all__ = ["MIN_HBM_GIB", "QuickMemoryInputs"]

#: smallest edited capacity once custom HBM is on (0 = "not set yet": seeded from the profile)
MIN_HBM_GIB = spec_minimum("hbm_capacity_gb")


@dataclass(frozen=True)
class QuickMemoryInputs:
    """Layout, formats and HBM budget of one GPU.

    ``custom_hbm`` off: capacity from the sidebar hardware profile; on: ``hbm_capacity_gib``
    (``0`` = not set yet, seeded from the profile). ``reserved_fraction`` is the share of HBM left
    unused (vLLM's ``1 − gpu_memory_utilization``).
    """

    tp: int = like(ParallelConfig, "tp")
    dp: int = like(ParallelConfig, "dp")
    ep: int = like(ParallelConfig, "ep")
    weight_dtype: str = like(Dtypes, "weight")
    kv_dtype: str = like(Dtypes, "kv")
    context: int = like(RequestShape, "context", 8192)
    # the page's slider stops at 0.95 (a GPU with 5 % of its HBM for weights and KV is the extreme)
    reserved_fraction: float = like(CostSettings, "reserved_fraction", hi=0.95, open_hi=False)
    custom_hbm: bool = param(False, label="Edit HBM capacity")
    # the memory model reads the profile's capacity number as GiB (features/memory.py), so does the page
    hbm_capacity_gib: float = like(
        SpecEdits, "hbm_capacity_gb", 0.0, lo=0.0, optional=False, unit="GiB", help="0 = hardware profile"
    )
    max_batched_tokens: int = like(SchedulerConfig, "max_num_batched_tokens", 8192)
    max_seqs: int = like(SchedulerConfig, "max_num_seqs")

    def __post_init__(self) -> None:
        validate_params(self)
        if self.custom_hbm:
            check_spec_edits(self, {"hbm_capacity_gib": "hbm_capacity_gb"})
