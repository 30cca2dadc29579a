"""Construction cost of a validated config, for choosing how parameters are declared (issue 17 §1).

Configs are built in loops (the search builds a ``SchedulerConfig`` per candidate, the sweep per
point), so the declaration's validation must stay cheap. Prints µs per construction of:

* ``SchedulerConfig`` as shipped (``dataclasses.field(metadata=param(...))`` + ``validate_params``);
* the same fields with hand-written checks (the pre-issue-17 style);
* a pydantic v2 model with ``Field(ge=, le=)`` (only if pydantic is importable; it is not a dependency).

Run: ``python benchmarks/bench_params.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from dashboard.sim_scheduler import SchedulerConfig


@dataclass(frozen=True)
class HandChecked:
    max_num_batched_tokens: int = 2048
    max_num_seqs: int = 256
    block_size: int = 16
    num_kv_blocks: int | None = None
    prefix_cache_hit: float = 0.0
    gpu_memory_utilization: float = 0.9
    per_request_s: float = 0.0
    per_step_s: float = 0.0
    per_step_per_seq_s: float = 0.0

    def __post_init__(self) -> None:
        for name in ("max_num_batched_tokens", "max_num_seqs", "block_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if not 0.0 <= self.prefix_cache_hit < 1.0:
            raise ValueError("prefix_cache_hit")
        if not 0.0 < self.gpu_memory_utilization <= 1.0:
            raise ValueError("gpu_memory_utilization")
        for name in ("per_request_s", "per_step_s", "per_step_per_seq_s"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0.0 <= v <= 10.0):
                raise ValueError(name)


def _pydantic_model() -> Any:
    try:
        from pydantic import BaseModel, ConfigDict, Field
    except ImportError:
        return None

    class PydanticScheduler(BaseModel):
        model_config = ConfigDict(frozen=True, strict=True)
        max_num_batched_tokens: int = Field(2048, ge=1, le=1 << 20)
        max_num_seqs: int = Field(256, ge=1, le=65_536)
        block_size: int = Field(16, ge=1, le=1024)
        num_kv_blocks: int | None = Field(None, ge=1)
        prefix_cache_hit: float = Field(0.0, ge=0.0, lt=1.0)
        gpu_memory_utilization: float = Field(0.9, gt=0.0, le=1.0)
        per_request_s: float = Field(0.0, ge=0.0, le=10.0)
        per_step_s: float = Field(0.0, ge=0.0, le=10.0)
        per_step_per_seq_s: float = Field(0.0, ge=0.0, le=10.0)

    return PydanticScheduler


def _us(build: Any, n: int = 20_000) -> float:
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        for i in range(n):
            build(i)
        best = min(best, (time.process_time() - t0) / n * 1e6)
    return best


def bench() -> list[tuple[str, float]]:
    kw = lambda i: {"max_num_batched_tokens": 2048 + (i & 7), "max_num_seqs": 256, "block_size": 16}  # noqa: E731
    rows = [
        ("SchedulerConfig (declared: param + validate_params)", _us(lambda i: SchedulerConfig(**kw(i)))),
        ("hand-written checks (same fields)", _us(lambda i: HandChecked(**kw(i)))),
    ]
    model = _pydantic_model()
    if model is not None:
        rows.append(("pydantic v2 BaseModel, Field(ge, le), strict", _us(lambda i: model(**kw(i)))))
    rows += declared_in_loops()
    return rows


def declared_in_loops() -> list[tuple[str, float]]:
    """The other declared dataclasses that are built per candidate / per point: ParallelConfig
    (search and planner layouts), StepSpec (calibration rows, ``cm.step``), Workload/SLA/SearchSpace
    (once per search), WorkloadConfig (per re-run and sweep point), SpeculativeConfig (per k)."""
    from dashboard.features.batch import StepSpec
    from dashboard.features.parallel import ParallelConfig
    from dashboard.features.speculative import SpeculativeConfig
    from dashboard.services.search import SLA, SearchSpace, Workload
    from dashboard.sim.workload import WorkloadConfig

    return [
        ("ParallelConfig(tp, ep)", _us(lambda i: ParallelConfig(tp=1 + (i & 7), ep=1))),
        ("StepSpec(prefill + decode)", _us(lambda i: StepSpec(1, 512 + (i & 7), 0, 8, 1024))),
        ("Workload(input_len, output_len)", _us(lambda i: Workload(1024 + (i & 7), 256))),
        ("SLA(ttft_ms, tpot_ms)", _us(lambda i: SLA(1000.0 + (i & 7), 50.0))),
        ("SearchSpace() (11 concurrencies, 3 budgets)", _us(lambda i: SearchSpace(overlap=(i & 7) / 8), n=5_000)),
        ("WorkloadConfig(num_requests, lengths, rate)", _us(lambda i: WorkloadConfig(200 + (i & 7), request_rate=4.0))),
        (
            "SpeculativeConfig(eagle, k=3)",
            _us(lambda i: SpeculativeConfig("eagle", 3, (0.8, 0.7, 0.6 + (i & 7) / 100))),
        ),
    ]


if __name__ == "__main__":
    for name, us in bench():
        print(f"{name:<56}{us:8.2f} µs per construction")
