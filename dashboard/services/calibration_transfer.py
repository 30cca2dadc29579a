"""Transfer checks for step calibration: does a profile fitted on one model's steps hold on another shape?

A profile fitted on Llama-3.1-8B steps is used on other models. The risk is a factor that the 8B steps
cannot pin down and that weighs differently elsewhere: with one elementwise-traffic factor for every op,
the eager overhead of the activation and RoPE kernels (TP-sharded, large in 8B) is also charged to the
norms and residual adds on the full hidden width, which dominate a TP-rank shard of a 70B model (hidden
8192 vs 3584 FFN columns per GPU). The cost model therefore has two classes
(:class:`~dashboard.features.hardware.Efficiency`: ``elementwise_traffic`` for TP-sharded ops,
``elementwise_traffic_hidden`` for hidden-width ones) and the calibration fits the second only when
the steps separate them (:func:`dashboard.services.calibration._shape_diverse`).

This module provides what the checks need (used by ``tests/test_calibration_transfer.py`` and
``benchmarks/bench_calibration.py``):

* :func:`tp_shard_config` — the config of one TP rank's shard of a dense preset, as a single-GPU model;
* :func:`synthetic_steps` — a step table with the shapes of the shipped 8B steps, priced by a given profile;
* :func:`uniform_elementwise_fit` — the previous parameterisation (one elementwise factor for all ops),
  for before/after figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from dashboard.features.hardware import HardwareProfile
from dashboard.features.presets import load_model
from dashboard.services.calibration import StepPredictor, _efficiency_candidates, _Fitter, _params_for
from dashboard.services.calibration_io import StepTable, parse_step_table, reference_steps, resolve_models

__all__ = ["mape", "reference_shapes", "synthetic_steps", "tp_shard_config", "uniform_elementwise_fit"]

_HEAD = "model,hardware,tp,dtype,prefill_seqs,prefill_len,prefix_len,decode_seqs,decode_context,latency_ms"


def tp_shard_config(slug: str, tp: int) -> dict[str, Any]:
    """HF-style config of one TP rank of dense preset ``slug`` at tensor parallelism ``tp``, as a
    single-GPU model: heads, KV heads (at least 1), FFN width and vocabulary divided by ``tp``; the
    hidden size, head dimension and depth kept. Example: Llama-3.1-70B at TP 8 → hidden 8192, 8 query
    heads, 1 KV head, FFN 3584, vocab 16032."""
    m = load_model(slug)
    if m.is_moe or m.is_mla:
        raise ValueError(f"{slug}: only dense GQA models have a simple TP shard config")
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_act": "silu",
        "hidden_size": m.hidden_size,
        "intermediate_size": m.intermediate_size // tp,
        "num_attention_heads": m.num_attention_heads // tp,
        "num_key_value_heads": max(1, m.num_key_value_heads // tp),
        "head_dim": m.q_head_dim,
        "num_hidden_layers": m.num_hidden_layers,
        "vocab_size": m.vocab_size // tp,
        "rms_norm_eps": 1e-5,
        "rope_theta": 500000.0,
        "max_position_embeddings": 131072,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
    }


def reference_shapes() -> list[str]:
    """``prefill_seqs,prefill_len,prefix_len,decode_seqs,decode_context`` of the shipped Llama-3.1-8B
    reference steps (24 rows: prefill, decode, mixed)."""
    name, data = reference_steps()
    t = parse_step_table(data, name)
    return [
        f"{s.prefill_seqs},{s.prefill_len},{s.prefix_len},{s.decode_seqs},{s.decode_context}"
        for s in (r.spec for r in t.rows)
    ]


def synthetic_steps(
    models: str | Iterable[str],
    hw: HardwareProfile,
    tps: Iterable[int] = (1,),
    overrides: Mapping[str, Any] | None = None,
    shapes: Iterable[str] | None = None,
) -> StepTable:
    """A step table of ``models`` × ``tps`` × ``shapes`` (default :func:`reference_shapes`) whose
    latencies are the cost model's on ``hw`` (``overrides`` maps model names to configs)."""
    names = (models,) if isinstance(models, str) else tuple(models)
    shp = list(shapes) if shapes is not None else reference_shapes()
    rows = [f"{m},{hw.slug},{tp},bf16,{s},1" for m in names for tp in tps for s in shp]
    t = parse_step_table(("\n".join([_HEAD, *rows]) + "\n").encode(), "synthetic.csv")
    lat = StepPredictor(t, resolve_models(t, overrides)).predict_ms(hw)
    return replace(t, rows=tuple(replace(r, latency_ms=float(v)) for r, v in zip(t.rows, lat, strict=True)))


def mape(
    hw: HardwareProfile, table: StepTable, overrides: Mapping[str, Any] | None = None, phase: str | None = None
) -> tuple[float, float]:
    """(MAPE, mean signed relative error) of ``hw`` on ``table`` (rows of ``phase`` only if given)."""
    if phase:
        table = replace(table, rows=tuple(r for r in table.rows if r.phase == phase))
    p = StepPredictor(table, resolve_models(table, overrides))
    rel = p.predict_ms(hw) / p.measured_ms - 1.0
    return float(np.mean(np.abs(rel))), float(np.mean(rel))


def uniform_elementwise_fit(
    table: StepTable,
    base: HardwareProfile,
    attention_backend: str | None = None,
    models: Mapping[str, Any] | None = None,
) -> HardwareProfile:
    """The curves fit as it was before the two elementwise classes: one traffic factor for every
    elementwise op (``elementwise_traffic_hidden = None``), for before/after comparisons."""
    cands = _efficiency_candidates("curves", base, None, None, attention_backend, [])
    pred = StepPredictor(table, resolve_models(table, models))
    best = None
    for eff, _info, fix in cands:
        eff = replace(eff, elementwise_traffic_hidden=None)
        fitter = _Fitter(pred, base, eff, _params_for("curves", table, eff, fix), "curves")
        res = fitter.fit(list(range(pred.n)))
        if best is None or res.cost < best[0]:
            best = (res.cost, fitter.profile(res.x))
    assert best is not None
    return best[1]
