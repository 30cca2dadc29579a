"""One row of the multi-model comparison: a model (preset or edited config) priced by the shared
cost and memory models on one hardware profile.

TTFT = one prefill step of ``batch × input_len``; TPOT = :meth:`CostModel.tpot_s` (the mean of the
``output_len − 1`` decode steps as the context grows); decode tok/s = ``batch / TPOT``. Per phase
(prefill step, one decode step at ``input_len + output_len / 2``): effective TFLOP/s = FLOPs /
latency, MFU and HBM utilisation from :mod:`dashboard.features.metrics`. Weights and KV per token
per GPU come from :func:`~dashboard.features.memory.memory_breakdown`.
"""

from __future__ import annotations

from typing import Any

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.features.hardware import GIB, HardwareProfile
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import decode_tokens_per_s, flops_per_s, hbm_utilisation, mfu
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig

__all__ = ["evaluate_model_row"]


def evaluate_model_row(
    model: ModelProfile,
    hw: HardwareProfile,
    dtypes: Dtypes,
    *,
    batch: int,
    tp: int,
    ep: int,
    input_len: int,
    output_len: int,
    label: str,
    overlap: float = 0.0,
) -> dict[str, Any]:
    """The comparison row of ``model`` (see the module docstring); raises ``ValueError`` for a
    layout the model cannot use. ``ep`` applies to MoE models only (1 otherwise)."""
    if ep > 1 and not model.is_moe:
        raise ValueError(f"ep={ep} needs a mixture-of-experts model")
    ep = ep if model.is_moe else 1
    par = ParallelConfig(tp=tp, ep=ep)
    cm = CostModel(model, hw, par, dtypes, overlap)
    prefill = cm.step(StepSpec(prefill_seqs=batch, prefill_len=input_len))
    decode = cm.step(StepSpec(decode_seqs=batch, decode_context=input_len + output_len // 2))
    tpot = cm.tpot_s(batch, input_len, output_len)
    mem = memory_breakdown(model, hw, par, dtypes, context=input_len + output_len)
    peak = hw.peak_flops(gemm_compute_dtype(dtypes.weight, dtypes.activation))
    out: dict[str, Any] = {
        "model": label,
        "params_B": model.total_params() / 1e9,
        "active_params_B": model.active_params() / 1e9,
        "active_params_incl_embedding_B": model.active_params(include_input_embedding=True) / 1e9,
        "layers": model.num_hidden_layers,
        "hidden": model.hidden_size,
        "batch": batch,
        "tp": tp,
        "ep": ep,
        "ttft_ms": prefill.latency_s * 1e3,
        "tpot_ms": tpot * 1e3,
        "decode_tok_s": decode_tokens_per_s(batch, tpot),
    }
    for phase, cost in (("prefill", prefill), ("decode", decode)):
        out[f"{phase}_tflops"] = flops_per_s(cost.flops, cost.latency_s) / 1e12
        out[f"{phase}_mfu"] = mfu(cost.flops, cost.latency_s, peak)
        out[f"{phase}_hbm_util"] = hbm_utilisation(cost.bytes, cost.latency_s, hw.hbm_bytes_per_s)
    out.update(
        {
            "weights_gib_per_gpu": mem.weight_bytes / GIB,
            "kv_kib_per_token_per_gpu": mem.kv_bytes_per_token / 1024,
            "kv_kib_per_token_engine": mem.kv_bytes_per_token * tp / 1024,
            # one sequence of input + output tokens (sliding-window layers hold only their window)
            "kv_gib_per_sequence_per_gpu": mem.kv_bytes_per_sequence / GIB,
            "fits": mem.fits,
            "max_sequences": mem.max_sequences,
        }
    )
    return out
