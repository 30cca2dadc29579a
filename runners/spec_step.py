"""``modeling step`` with speculative decoding: the verification step's op table, the draft and
rejection-sampling times, and the per-output-token latency (all from features/speculative.py)."""

from __future__ import annotations

from typing import Any

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel, StepCost
from dashboard.features.memory import MemoryBreakdown
from dashboard.features.speculative import (
    SpeculativeConfig,
    SpeculativeCostModel,
    speculative_config_to_sglang_args,
    speculative_config_to_trtllm_yaml,
    speculative_config_to_vllm_json,
    speculative_memory_breakdown,
)
from runners.common import CliError

__all__ = ["launch_fields", "print_speculative", "speculative_step"]


def speculative_step(
    cm: CostModel, cfg: SpeculativeConfig, spec: StepSpec, context: int
) -> tuple[dict[str, Any], StepCost, MemoryBreakdown]:
    """``(json fields, verification StepCost, memory with the draft)`` of a speculative decode
    step. ``latency_ms`` in the fields is the whole step (draft + verification + rejection)."""
    if spec.prefill_seqs or not spec.decode_seqs:
        raise CliError(
            "--speculative-method: speculative pricing applies to decode steps; give --decode-seqs "
            "and --decode-context without prefill"
        )
    try:
        scm = SpeculativeCostModel(cm, cfg)
    except ValueError as exc:
        raise CliError(f"--draft-model: {exc}") from None
    s = scm.step(spec.decode_seqs, spec.decode_context)
    verify = cm.price(scm.verify_stats([spec.decode_context] * spec.decode_seqs))
    mem, draft_mem = speculative_memory_breakdown(cm.model, cm.hw, cfg, cm.par, cm.dt, context=context + cfg.k + 1)
    fields = {
        "latency_ms": s.latency_s * 1e3,
        "expected_tokens_per_step": s.expected_tokens,
        "ms_per_output_token": s.s_per_output_token * 1e3,
        "speculative": {
            **cfg.as_dict(),
            **s.as_dict(),
            "draft": scm.draft.label,
            "draft_weight_bytes_per_gpu": draft_mem["weight_bytes"],
            "draft_kv_bytes_per_token_per_gpu": draft_mem["kv_bytes_per_token"],
            "vllm_speculative_config": speculative_config_to_vllm_json(cfg, cm.model),
            "sglang_args": speculative_config_to_sglang_args(cfg, cm.model),
            "ops": "the op table is the verification forward of k+1 tokens per sequence",
        },
    }
    return fields, verify, mem


def print_speculative(fields: dict[str, Any]) -> None:
    sp = fields["speculative"]
    print(
        f"speculative {sp['method']} k={sp['num_speculative_tokens']} (draft: {sp['draft']}): the table above is "
        f"the verification forward"
    )
    print(
        f"  draft {sp['draft_ms']:.4f} ms + verification {sp['verify_ms']:.4f} ms + rejection sampling "
        f"{sp['rejection_ms']:.4f} ms = step {fields['latency_ms']:.4f} ms"
    )
    print(
        f"  expected tokens per step {fields['expected_tokens_per_step']:.3f} -> "
        f"{fields['ms_per_output_token']:.4f} ms per output token (plain decode {sp['plain_decode_ms']:.4f} ms, "
        f"speedup {sp['speedup']:.2f}x)"
    )
    print(f"  vLLM: --speculative-config '{sp['vllm_speculative_config']}'")


def launch_fields(args: Any, model: Any, k: int) -> dict[str, Any]:
    """LaunchSpec speculative fields for the flags in ``args`` at ``k`` draft tokens (the k of a
    search row): vLLM JSON, SGLang flags, TRT-LLM YAML line."""
    from dashboard.services.search_spec import config_for_k
    from runners.spec_args import speculative_from

    cfg = speculative_from(args, model)
    if cfg is None:
        return {}
    cfg = config_for_k(cfg, k)
    return {
        "speculative_config": speculative_config_to_vllm_json(cfg, model),
        "sglang_speculative": tuple(speculative_config_to_sglang_args(cfg, model)),
        "trtllm_speculative": speculative_config_to_trtllm_yaml(cfg, model),
    }
