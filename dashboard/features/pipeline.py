"""Pipeline parallelism (PP): stage imbalance, micro-batch bubbles and the stage-to-stage transfer.

An engine of ``pp`` stages × ``tp`` GPUs puts ``ceil(L / pp)`` of the ``L`` layers on the largest
stage (TP inside a node, stages on different nodes). The shared cost model prices a step of the
whole model on one TP group, ``T_all`` (every op, all layers); here it is split into stages:

* **Stage time** of the largest stage: ``t_stage = T_all · ceil(L / pp) / L`` (the imbalance factor
  ``ceil(L / pp) · pp / L`` ≥ 1; embeddings and the lm_head are charged with the layers, a small
  optimism for the first and last stage).
* **Point-to-point transfer** between stages: the hidden states of the step's tokens,
  ``tokens · hidden · act_bytes / tp`` per GPU (each TP rank sends its shard), over the scale-out
  NIC when stages sit on different nodes (``tp · pp`` larger than the scale-up domain) or NVLink
  otherwise: ``t_p2p = bytes / (link GB/s · η_comm) + comm latency``.
* **Serving with PP** (vLLM's virtual engines): ``pp`` micro-batches are in flight, each scheduled
  by its own scheduler with ``1/pp`` of the KV cache; a virtual engine is scheduled again once its
  micro-batch has passed every stage and the other ``pp − 1`` micro-batches have each taken their
  turn on the slowest stage. Its step *period* is therefore
  ``T_pp = pp · (t_stage + t_p2p)`` — the pipeline's bubble when fewer than ``pp`` micro-batches
  have work is the idle period of the empty virtual engines (the simulator sees them as idle), and
  the imbalance makes every stage wait for the largest.
* One micro-batch's latency through the pipe is ``T_all + (pp − 1) · t_p2p`` ≤ ``T_pp``.

:class:`PipelineCostModel` is a :class:`~dashboard.features.cost_model.CostModel` whose step time is
``T_pp`` (FLOPs and bytes are per GPU: the stage's share), so the simulator runs ``pp`` virtual
engines of it (``simulate(..., dp=pp)`` with ``1/pp`` of the KV blocks each). Units: seconds, bytes.
"""

from __future__ import annotations

from dashboard.features.batch import BatchStats
from dashboard.features.cost_model import CostModel
from dashboard.features.dtypes import dtype_bytes
from dashboard.features.hardware import HardwareProfile
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig

__all__ = ["PipelineCostModel", "make_cost_model", "p2p_time_s", "stage_imbalance", "stages_cross_nodes"]


def stage_imbalance(num_layers: int, pp: int) -> float:
    """Largest stage ÷ mean stage: ``ceil(L / pp) · pp / L`` (1 when ``pp`` divides ``L``)."""
    if pp <= 1:
        return 1.0
    return -(-num_layers // pp) * pp / num_layers


def stages_cross_nodes(hw: HardwareProfile, tp: int, pp: int) -> bool:
    """Whether consecutive stages sit on different nodes: the engine (``tp · pp`` GPUs) is larger
    than the scale-up domain."""
    return pp > 1 and tp * pp > int(hw.scale_up_domain)


def p2p_time_s(hw: HardwareProfile, tokens: float, hidden: int, act_dtype: str, tp: int, cross_node: bool) -> float:
    """One stage-to-stage send of ``tokens`` hidden states (per GPU: ``tokens · hidden · bytes / tp``)
    over the scale-out NIC (``cross_node``) or NVLink, at ``η_comm`` plus one link latency."""
    nbytes = tokens * hidden * dtype_bytes(act_dtype) / max(1, tp)
    gb = hw.scale_out_gb_s if cross_node else hw.scale_up_gb_s
    eff = hw.efficiency
    return nbytes / (gb * 1e9 * eff.comm) + eff.comm_latency_us * 1e-6


class PipelineCostModel(CostModel):
    """The cost model of one pipeline-parallel engine: ``step_time_s`` is the virtual-engine
    period ``pp · (t_stage + t_p2p)`` (module docstring); FLOPs and bytes per GPU are the largest
    stage's share."""

    def __init__(
        self,
        model: ModelProfile,
        hardware: HardwareProfile,
        parallel: ParallelConfig,
        dtypes: Dtypes | None = None,
        overlap: float = 0.0,
    ) -> None:
        super().__init__(model, hardware, parallel, dtypes, overlap)
        self.pp = parallel.pp
        self.stage_share = -(-model.num_hidden_layers // self.pp) / model.num_hidden_layers
        self.cross_node = stages_cross_nodes(hardware, parallel.tp, self.pp)

    def p2p_s(self, tokens: float) -> float:
        return p2p_time_s(self.hw, tokens, self.model.hidden_size, self.dt.activation, self.par.tp, self.cross_node)

    def step_summary(self, s: BatchStats) -> tuple[float, float, float]:
        t_all, flops, nbytes = super().step_summary(s)
        if self.pp <= 1:
            return t_all, flops, nbytes
        t_stage = t_all * self.stage_share
        return self.pp * (t_stage + self.p2p_s(s.tokens)), flops * self.stage_share, nbytes * self.stage_share

    def latency_s(self, s: BatchStats) -> float:
        """One micro-batch through every stage: ``T_all + (pp − 1) · t_p2p``."""
        t_all = super().step_summary(s)[0]
        return t_all + (self.pp - 1) * self.p2p_s(s.tokens)


def make_cost_model(
    model: ModelProfile,
    hardware: HardwareProfile,
    parallel: ParallelConfig,
    dtypes: Dtypes | None = None,
    overlap: float = 0.0,
) -> CostModel:
    """A :class:`PipelineCostModel` when ``parallel.pp > 1``, else the plain cost model."""
    if parallel.pp > 1:
        return PipelineCostModel(model, hardware, parallel, dtypes, overlap)
    return CostModel(model, hardware, parallel, dtypes, overlap)
