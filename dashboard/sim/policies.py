"""Engine policies of the simulator: the preemption victim and the DP router.

* Victims (recompute preemption): ``last_admitted`` — the request admitted to the running set
  last, re-admissions included (vLLM V1 FCFS ``self.running.pop()``); ``last_arrived`` — the
  latest arrival; ``fewest_generated`` — fewest output tokens so far, longest prompt first
  (SGLang ``retract_decode``).
* Routers across DP engines/ranks: ``round_robin``; ``least_outstanding_tokens`` (prompt + output
  tokens not yet processed); ``vllm_least_loaded`` (least ``4·waiting + running``, vLLM's DP
  load balancer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboard.features.engine import DP_ROUTERS, PREEMPT_VICTIMS
from dashboard.features.params import param, validate_params
from dashboard.sim.state import DECODE, EngineState, Req

__all__ = ["PREEMPT_ORDERS", "ROUTERS", "Routing", "pick_engine", "pick_victim"]

# one list each, shared with the engine profiles' preempt / dp_router (features/engine.py)
PREEMPT_ORDERS: tuple[str, ...] = PREEMPT_VICTIMS
ROUTERS: tuple[str, ...] = DP_ROUTERS


@dataclass(frozen=True)
class Routing:
    """The DP router, declared once: ``simulate(router=)`` checks it through this declaration,
    ``modeling simulate --router`` and the simulator page's router take their choices from it."""

    router: str = param(
        "round_robin", choices=ROUTERS, label="Router", help="how requests are spread over the DP engines"
    )

    def __post_init__(self) -> None:
        validate_params(self)


def _generated(r: Req, eng: EngineState) -> int:
    return r.base_g + eng.dctr - r.d_entry if r.state == DECODE else r.g


def pick_victim(order: str, eng: EngineState, pool: Iterable[Req]) -> Req | None:
    """The recompute victim among ``pool`` under ``order`` (None when empty)."""
    if order == "last_admitted":
        return max(pool, key=lambda r: r.admitted, default=None)
    if order == "fewest_generated":
        return min(pool, key=lambda r: (_generated(r, eng), -r.prompt, -r.admitted), default=None)
    return max(pool, key=lambda r: (r.arrival, r.rid), default=None)


def pick_engine(router: str, engines: Sequence[EngineState], counter: int) -> EngineState:
    """The engine (or DP rank) a new request goes to; ``counter`` is the round-robin position."""
    if len(engines) == 1:
        return engines[0]
    if router == "round_robin":
        return engines[counter % len(engines)]
    if router == "vllm_least_loaded":
        return min(engines, key=lambda e: (4 * len(e.waiting) + e.running(), e.idx))
    return min(engines, key=lambda e: (e.outstanding, e.idx))
