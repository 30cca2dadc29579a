"""Speculative decoding: acceptance model, draft construction, step cost and memory, composed from the cost model.

A speculative decode step of a batch of ``B`` sequences, each with ``c`` tokens in its KV cache,
proposes ``k`` draft tokens per sequence and verifies them with one forward of the target:

* **Draft** (:meth:`SpeculativeCostModel.draft_time_s`): ``k`` forward passes of the draft over the
  batch, priced by a :class:`~dashboard.features.cost_model.CostModel` of the draft's own
  :class:`~dashboard.features.model_profile.ModelProfile`. As vLLM V1's proposer does
  (``vllm/v1/spec_decode/eagle.py``, ``EagleProposer.propose``; the draft-model proposer derives
  from it), the first pass runs over the ``k+1`` tokens the target just verified (a chunk of
  ``k+1`` tokens after ``c`` cached ones, logits for one token per sequence) and the ``k−1``
  later passes are one-token decodes at contexts ``c+k+1 … c+2k−1`` (priced once at their mean
  context ``c + 3k/2`` and counted ``k−1`` times). Feature-fusion projections
  that are not decoder layers (EAGLE's ``fc`` ``2h→h``, EAGLE-3's ``3h→h`` and its ``2h``-wide
  QKV input, DeepSeek MTP's ``eh_proj`` ``2h→h``) are priced as extra GEMM rows by the same
  roofline (:meth:`CostModel.op_time` of a :class:`GemmOp` on the draft's cost model).
* **Verification**: one target forward of ``k+1`` tokens per sequence, priced by the target's
  cost model as a short prefill chunk after the ``c`` cached tokens, with logits for all
  ``B·(k+1)`` positions (``BatchStats.sampled``).
* **Rejection sampling**: a memory-bound pass over the target's and (for drafts that emit a
  distribution) the draft's fp32 probabilities, ``B·(k+1)·V·4 + B·k·V·4`` bytes at the profile's
  HBM bandwidth × memory efficiency, plus two kernel launches.

The step emits ``E = 1 + Σ_{i=1..k} Π_{j≤i} a_j`` tokens per sequence on average, where ``a_j`` is
the *conditional* probability that draft position ``j`` is accepted given positions ``< j`` were
(Leviathan, Kalman, Matias, "Fast Inference from Transformers via Speculative Decoding", ICML 2023,
arXiv:2211.17192, eq. 1: for a constant rate α, ``E = (1 − α^{k+1}) / (1 − α)``). vLLM's
``spec_decode_per_position_acceptance_rates`` are the *unconditional* rates ``p_i = Π_{j≤i} a_j``
(``num_accepted_tokens_per_pos[i] / num_drafts``), so ``E = 1 + Σ p_i`` and ``a_i = p_i / p_{i−1}``
(:func:`conditional_from_vllm`).

Methods: ``draft_model`` (any preset or ``config.json``; a draft bigger than the target is
refused), ``eagle`` / ``eagle3`` (``eagle_layers`` decoder layers of the target's shape on the
target's hidden states; EAGLE shares the target's embedding and lm_head; EAGLE-3 owns an lm_head
over a reduced draft vocabulary, 32 000 for the Llama-3.1-8B head ``yuhuili/EAGLE3-LLaMA3.1-Instruct-8B``,
``draft_vocab_size`` in its config), ``mtp`` (the target's own MTP layer(s) as parsed from
``num_nextn_predict_layers``, reused for each of the ``k`` passes as vLLM does, sharing the
embedding and lm_head), ``ngram`` (prompt lookup on the CPU: no draft compute, no draft memory).

Units: seconds, bytes, tokens. Assumptions: chain (not tree) drafting, one acceptance model for
all sequences, drafts run at the target's dtypes and TP (``draft_tp`` 1 or the target's, as vLLM
requires), host time of the n-gram lookup not modelled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, replace
from typing import Any

import numpy as np

from dashboard.features.batch import BatchStats, StepSpec
from dashboard.features.cost_model import GEMM, CostModel, GemmOp
from dashboard.features.dtypes import dtype_bytes
from dashboard.features.memory import (
    MemoryBreakdown,
    kv_bytes_per_token_per_gpu,
    memory_breakdown,
    weight_bytes_per_gpu,
)
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig, ParallelError, validate_parallel
from dashboard.features.params import check_value, like, param, param_specs, validate_params

__all__ = [
    "METHODS",
    "Draft",
    "MeanAcceptance",
    "SpecStepCost",
    "SpeculativeConfig",
    "SpeculativeCostModel",
    "acceptance_from_vllm_result",
    "accepted_distribution",
    "alpha_for_length",
    "build_draft",
    "conditional_from_vllm",
    "crossover_batch",
    "draft_memory",
    "expected_tokens",
    "expected_tokens_constant",
    "make_speculative_config",
    "parse_vllm_speculative_config",
    "sample_emitted",
    "speculative_config_to_sglang_args",
    "speculative_config_to_trtllm_yaml",
    "speculative_config_to_vllm_dict",
    "speculative_config_to_vllm_json",
    "speculative_memory_breakdown",
    "tpot_vs_batch",
]

METHODS: tuple[str, ...] = ("draft_model", "eagle", "eagle3", "mtp", "ngram")
MAX_SPEC_TOKENS = 32
EAGLE3_DRAFT_VOCAB = 32000  # draft_vocab_size of yuhuili/EAGLE3-LLaMA3.1-Instruct-8B (its config.json)
# Published EAGLE heads for presets (Hugging Face ids, used only as the "model" of a launch command)
_KNOWN_HEADS: dict[tuple[str, str], str] = {
    ("eagle", "llama-3.1-8b"): "yuhuili/EAGLE-LLaMA3.1-Instruct-8B",
    ("eagle3", "llama-3.1-8b"): "yuhuili/EAGLE3-LLaMA3.1-Instruct-8B",
}
# vLLM --speculative-config keys (docs/features/spec_decode, "Configuration Reference"); the ones
# this model does not use are accepted and ignored so a real config pastes unchanged.
VLLM_KEYS: frozenset[str] = frozenset(
    {
        "method",
        "num_speculative_tokens",
        "model",
        "enforce_eager",
        "draft_tensor_parallel_size",
        "quantization",
        "max_model_len",
        "revision",
        "code_revision",
        "draft_load_config",
        "prompt_lookup_max",
        "prompt_lookup_min",
        "disable_padded_drafter_batch",
        "use_local_argmax_reduction",
        "speculative_token_tree",
        "parallel_drafting",
        "disable_by_batch_size",
        "disable_logprobs",
        "disable_log_stats",
        "suffix_decoding_max_tree_depth",
        "suffix_decoding_max_cached_requests",
        "suffix_decoding_max_spec_factor",
        "suffix_decoding_min_token_prob",
    }
)
_VLLM_METHOD_ALIASES = {
    "draft_model": "draft_model",
    "eagle": "eagle",
    "eagle3": "eagle3",
    "ngram": "ngram",
    "mtp": "mtp",
    "deepseek_mtp": "mtp",
}


# ---------------------------------------------------------------------------- acceptance model
def expected_tokens(rates: Sequence[float]) -> float:
    """Expected tokens emitted per sequence per step, ``E = 1 + Σ_i Π_{j≤i} a_j`` for the
    conditional per-position acceptance rates ``a_1..a_k`` (the bonus/correction token is the 1)."""
    total, run = 1.0, 1.0
    for a in rates:
        run *= a
        total += run
    return total


def expected_tokens_constant(alpha: float, k: int) -> float:
    """Closed form for a constant acceptance rate α (Leviathan et al. 2023, eq. 1):
    ``(1 − α^{k+1}) / (1 − α)``, ``k + 1`` at α = 1."""
    if alpha >= 1.0:
        return float(k + 1)
    return (1.0 - alpha ** (k + 1)) / (1.0 - alpha)


@dataclass(frozen=True)
class MeanAcceptance:
    """A mean acceptance length (tokens emitted per verification step, vLLM's
    ``spec_decode_acceptance_length``): the user-level alternative to per-position rates. Declared
    here with its static bound ``[1, MAX_SPEC_TOKENS + 1]``; ``≤ k + 1`` depends on ``k`` and is
    checked with it (:func:`alpha_for_length`)."""

    acceptance_length: float = param(
        2.0,
        lo=1.0,
        hi=MAX_SPEC_TOKENS + 1,
        unit="tokens per step",
        label="Mean acceptance length",
        help="vLLM spec_decode_acceptance_length, at most k+1",
    )

    def __post_init__(self) -> None:
        validate_params(self)


def alpha_for_length(length: float, k: int) -> float:
    """The constant α whose expected length over ``k`` drafts is ``length`` (1 ≤ length ≤ k+1),
    by bisection on the monotone closed form. ``length`` is checked against its declaration
    (:class:`MeanAcceptance`), then against ``k + 1``."""
    MeanAcceptance(length)
    if length > k + 1:
        raise ValueError(f"mean acceptance length must be between 1 and k+1 = {k + 1}, got {length}")
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if expected_tokens_constant(mid, k) < length:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def conditional_from_vllm(per_position: Sequence[float]) -> tuple[float, ...]:
    """vLLM's unconditional per-position rates ``p_i`` (accepted at position i ÷ drafts) to the
    conditional rates ``a_i = p_i / p_{i−1}`` of :func:`expected_tokens` (``a_i = 0`` after a 0)."""
    out: list[float] = []
    prev = 1.0
    for p in per_position:
        p = float(p)
        if not 0.0 <= p <= 1.0 or p != p:
            raise ValueError(f"per-position acceptance rates must be in [0, 1], got {p}")
        a = 0.0 if prev <= 0.0 else min(1.0, p / prev)
        out.append(a)
        prev = p
    return tuple(out)


def accepted_distribution(rates: Sequence[float]) -> np.ndarray:
    """``P(m drafts accepted)`` for ``m = 0..k``: ``Π_{j≤m} a_j · (1 − a_{m+1})`` (``a_{k+1} = 0``).
    The step emits ``m + 1`` tokens; the mean of ``m + 1`` is :func:`expected_tokens`."""
    k = len(rates)
    probs = np.zeros(k + 1)
    run = 1.0
    for m in range(k + 1):
        nxt = rates[m] if m < k else 0.0
        probs[m] = run * (1.0 - nxt)
        run *= nxt
    return probs


def sample_emitted(rng: np.random.Generator, rates: Sequence[float], n: int) -> np.ndarray:
    """Tokens emitted by ``n`` sequences in one step (``1 + accepted``), drawn from
    :func:`accepted_distribution` with ``rng`` (the simulator passes the run's seeded generator)."""
    probs = accepted_distribution(rates)
    return rng.choice(len(probs), size=n, p=probs / probs.sum()) + 1


@dataclass(frozen=True)
class SpeculativeConfig:
    """A speculative-decoding setup. ``acceptance_rates`` are conditional (see module doc), one
    per draft position. ``draft_model``: preset/``config.json`` of the draft (``draft_model``), or
    optionally the EAGLE head's config/HF id (``eagle``/``eagle3``; only a label if not loadable)."""

    # declared once (dashboard/features/params.py): pages, CLI flags and JSON derive from these
    method: str = param(MISSING, choices=METHODS, label="Speculative method")
    num_speculative_tokens: int = param(
        MISSING,
        lo=1,
        hi=MAX_SPEC_TOKENS,
        unit="tokens",
        label="Draft tokens per step (k)",
        help="vLLM num_speculative_tokens",
    )
    acceptance_rates: tuple[float, ...] = param(
        MISSING,
        lo=0.0,
        hi=1.0,
        unit="probability",
        label="Acceptance rates",
        help="conditional, one per draft position",
        max_items=MAX_SPEC_TOKENS,
    )
    draft_model: str | None = param(None, label="Draft model", help="a preset name or a config.json path")
    eagle_layers: int = param(1, lo=1, hi=8, unit="layers", label="EAGLE head layers")
    draft_tp: int | None = like(ParallelConfig, "tp", None, label="Draft TP", help="None: the target's TP")
    draft_vocab_size: int | None = param(
        None, lo=1, hi=1 << 24, unit="tokens", label="Draft vocabulary", help="EAGLE-3 only; None: 32000 capped"
    )

    def __post_init__(self) -> None:
        validate_params(self)
        k = self.num_speculative_tokens
        if len(self.acceptance_rates) != k:
            raise ValueError(
                f"acceptance rates: expected {k} values (one per speculative token), got {len(self.acceptance_rates)}"
            )
        if self.method == "draft_model" and not self.draft_model:
            raise ValueError("method draft_model needs a draft model (a preset name or a config.json path)")

    @property
    def k(self) -> int:
        return self.num_speculative_tokens

    @property
    def expected_tokens(self) -> float:
        """Tokens emitted per sequence per step (mean acceptance length, as vLLM reports it)."""
        return expected_tokens(self.acceptance_rates)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "num_speculative_tokens": self.k,
            "acceptance_rates": list(self.acceptance_rates),
            "draft_model": self.draft_model,
            "eagle_layers": self.eagle_layers,
            "expected_tokens_per_step": self.expected_tokens,
        }


def _check_field(name: str, value: Any, kind: str = "int") -> None:
    """``value`` against the declaration of ``SpeculativeConfig.name`` (one item of a list field)."""
    check_value(name, value, param_specs(SpeculativeConfig)[name], kind)


def make_speculative_config(
    method: str,
    num_speculative_tokens: int | None = None,
    acceptance: float | Sequence[float] | None = None,
    acceptance_length: float | None = None,
    draft_model: str | None = None,
    **kw: Any,
) -> SpeculativeConfig:
    """Build a config from user-level inputs: ``acceptance`` one rate α (all positions) or a list
    of conditional per-position rates (its length sets ``k`` when ``k`` is not given), or
    ``acceptance_length`` the mean tokens per step (solved for a constant α). Raises ``ValueError``
    naming the field."""
    if (acceptance is None) == (acceptance_length is None):
        raise ValueError(
            "give either an acceptance rate (one number or a per-position list) or a mean "
            "acceptance length, not both and not neither"
        )
    k = num_speculative_tokens
    if acceptance_length is not None:
        if k is None:
            raise ValueError("num_speculative_tokens is required with a mean acceptance length")
        _check_field("num_speculative_tokens", k)
        rates: tuple[float, ...] = (alpha_for_length(float(acceptance_length), k),) * k
    elif isinstance(acceptance, (int, float)) and not isinstance(acceptance, bool):
        if k is None:
            raise ValueError("num_speculative_tokens is required with a single acceptance rate")
        _check_field("acceptance_rates", float(acceptance), "float")
        _check_field("num_speculative_tokens", k)
        rates = (float(acceptance),) * k
    else:
        rates = tuple(float(a) for a in acceptance)  # type: ignore[union-attr]
        if not rates:
            raise ValueError("the acceptance-rate list is empty")
        if k is None:
            k = len(rates)
        elif len(rates) != k:
            raise ValueError(f"acceptance-rate list has {len(rates)} values but num_speculative_tokens is {k}")
    return SpeculativeConfig(
        method=method, num_speculative_tokens=k, acceptance_rates=rates, draft_model=draft_model, **kw
    )


def acceptance_from_vllm_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """Acceptance model from a ``vllm bench serve`` result (``spec_decode_*`` keys, as vLLM's
    ``benchmarks/serve.py`` writes them): ``{"num_speculative_tokens", "acceptance_rates"
    (conditional), "acceptance_length"}``. Uses the per-position rates when present, else the
    mean acceptance length (or accepted/drafts) with ``k`` = draft tokens ÷ drafts, as a constant α.
    Raises ``ValueError`` when the keys are missing or inconsistent."""
    per = result.get("spec_decode_per_position_acceptance_rates")
    if per:
        if not isinstance(per, (list, tuple)):
            raise ValueError("spec_decode_per_position_acceptance_rates must be a list")
        rates = conditional_from_vllm(per)
        return {
            "num_speculative_tokens": len(rates),
            "acceptance_rates": rates,
            "acceptance_length": expected_tokens(rates),
        }
    drafts = result.get("spec_decode_num_drafts")
    draft_tokens = result.get("spec_decode_draft_tokens")
    length = result.get("spec_decode_acceptance_length")
    if length is None and drafts and result.get("spec_decode_accepted_tokens") is not None:
        length = 1.0 + float(result["spec_decode_accepted_tokens"]) / float(drafts)
    if length is None or not drafts or not draft_tokens:
        raise ValueError(
            "the result has no usable spec_decode_* keys (need per-position rates, or "
            "acceptance length with num_drafts and draft_tokens)"
        )
    k = round(float(draft_tokens) / float(drafts))
    if k < 1:
        raise ValueError("spec_decode_draft_tokens / spec_decode_num_drafts is below 1")
    alpha = alpha_for_length(min(float(length), k + 1.0), k)
    return {"num_speculative_tokens": k, "acceptance_rates": (alpha,) * k, "acceptance_length": float(length)}


# ---------------------------------------------------------------------------- vLLM / SGLang interop
def parse_vllm_speculative_config(obj: str | Mapping[str, Any]) -> dict[str, Any]:
    """Read a vLLM ``--speculative-config`` (JSON text or dict) into ``{"method",
    "num_speculative_tokens", "draft_model", "draft_tp"}`` for :func:`make_speculative_config`.
    Method inference follows vLLM when ``method`` is absent (``eagle3``/``eagle`` in the model name,
    else ``draft_model``). Unknown keys and unmodelled methods raise ``ValueError``."""
    if isinstance(obj, str):
        try:
            obj = json.loads(obj)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"speculative config is not valid JSON: {exc}") from None
    if not isinstance(obj, Mapping):
        raise ValueError("speculative config must be a JSON object")
    unknown = sorted(set(obj) - VLLM_KEYS)
    if unknown:
        raise ValueError(f"speculative config: unknown key(s) {', '.join(unknown)}")
    model = obj.get("model")
    if model is not None and not isinstance(model, str):
        raise ValueError("speculative config: model must be a string")
    method = obj.get("method")
    if method is None:
        if not model:
            raise ValueError("speculative config: give a method (or a model to infer it from)")
        low = model.lower()
        method = "eagle3" if "eagle3" in low else "eagle" if "eagle" in low else "draft_model"
    if not isinstance(method, str):
        raise ValueError("speculative config: method must be a string")
    m = method.lower()
    if m.endswith("_mtp"):
        m = "mtp"
    if m not in _VLLM_METHOD_ALIASES:
        raise ValueError(f"speculative config: method {method!r} is not modelled; modelled: {', '.join(METHODS)}")
    k = obj.get("num_speculative_tokens")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int)):
        raise ValueError("speculative config: num_speculative_tokens must be an integer")
    dtp = obj.get("draft_tensor_parallel_size")
    if dtp is not None and (isinstance(dtp, bool) or not isinstance(dtp, int) or dtp < 1):
        raise ValueError("speculative config: draft_tensor_parallel_size must be a positive integer")
    return {"method": _VLLM_METHOD_ALIASES[m], "num_speculative_tokens": k, "draft_model": model, "draft_tp": dtp}


def _head_name(cfg: SpeculativeConfig, target: ModelProfile | None) -> str:
    if cfg.draft_model:
        return cfg.draft_model
    if target is not None and (cfg.method, target.name) in _KNOWN_HEADS:
        return _KNOWN_HEADS[(cfg.method, target.name)]
    return f"<{cfg.method} head for {target.name if target else 'the target'}>"


def speculative_config_to_vllm_dict(cfg: SpeculativeConfig, target: ModelProfile | None = None) -> dict[str, Any]:
    """The ``--speculative-config`` object vLLM takes for ``cfg`` (acceptance is measured, not set)."""
    out: dict[str, Any] = {}
    if cfg.method == "mtp":
        out["method"] = "deepseek_mtp" if target is not None and target.model_type.startswith("deepseek") else "mtp"
    else:
        out["method"] = cfg.method
    if cfg.method in ("draft_model", "eagle", "eagle3"):
        out["model"] = _head_name(cfg, target)
    out["num_speculative_tokens"] = cfg.k
    if cfg.method == "ngram":
        out["prompt_lookup_max"] = 5  # vLLM's default window (docs: defaults to 5)
        out["prompt_lookup_min"] = 2
    if cfg.draft_tp is not None:
        out["draft_tensor_parallel_size"] = cfg.draft_tp
    return out


def speculative_config_to_vllm_json(cfg: SpeculativeConfig, target: ModelProfile | None = None) -> str:
    """``speculative_config_to_vllm_dict`` as the JSON text of ``vllm serve --speculative-config``."""
    return json.dumps(speculative_config_to_vllm_dict(cfg, target))


def speculative_config_to_sglang_args(cfg: SpeculativeConfig, target: ModelProfile | None = None) -> list[str]:
    """SGLang server flags for ``cfg`` (``--speculative-algorithm`` EAGLE/EAGLE3/NEXTN/STANDALONE/NGRAM,
    chain drafting: ``--speculative-num-steps k --speculative-eagle-topk 1
    --speculative-num-draft-tokens k+1``; SGLang ``server_args.py``)."""
    algo = {"eagle": "EAGLE", "eagle3": "EAGLE3", "mtp": "NEXTN", "draft_model": "STANDALONE", "ngram": "NGRAM"}[
        cfg.method
    ]
    args = ["--speculative-algorithm", algo]
    if cfg.method in ("eagle", "eagle3", "draft_model"):
        args += ["--speculative-draft-model-path", _head_name(cfg, target)]
    if cfg.method == "ngram":
        args += ["--speculative-num-draft-tokens", str(cfg.k + 1)]
        return args
    args += [
        "--speculative-num-steps",
        str(cfg.k),
        "--speculative-eagle-topk",
        "1",
        "--speculative-num-draft-tokens",
        str(cfg.k + 1),
    ]
    return args


def speculative_config_to_trtllm_yaml(cfg: SpeculativeConfig, target: ModelProfile | None = None) -> str:
    """One YAML line for ``trtllm-serve --extra_llm_api_options``: ``speculative_config: {decoding_type:
    Eagle | Eagle3 | MTP | NGram | DraftTarget, max_draft_len: k, ...}`` (TensorRT-LLM LLM API; MTP
    takes ``num_nextn_predict_layers: k``, drafts a ``speculative_model_dir``)."""
    kind = {"eagle": "Eagle", "eagle3": "Eagle3", "mtp": "MTP", "ngram": "NGram", "draft_model": "DraftTarget"}
    items = [f"decoding_type: {kind[cfg.method]}"]
    if cfg.method == "mtp":
        items.append(f"num_nextn_predict_layers: {cfg.k}")
    else:
        items.append(f"max_draft_len: {cfg.k}")
    if cfg.method in ("eagle", "eagle3", "draft_model"):
        items.append(f"speculative_model_dir: {json.dumps(_head_name(cfg, target))}")
    return "speculative_config: {" + ", ".join(items) + "}"


# ---------------------------------------------------------------------------- drafts
@dataclass(frozen=True)
class Draft:
    """What the draft computes and holds. ``profile`` is priced by a CostModel (``None``: no draft
    compute, n-gram); ``extra_gemms`` are ``(n, k_in)`` projections per pass outside the decoder
    layers; ``owns_embedding``/``owns_lm_head``: whether the draft holds its own tables (else it
    reads the target's, which the memory model already counts)."""

    method: str
    profile: ModelProfile | None
    extra_gemms: tuple[tuple[int, int], ...] = ()
    owns_embedding: bool = False
    owns_lm_head: bool = False
    emits_probs: bool = True  # the rejection sampler reads draft probabilities
    label: str = ""


def _try_load(ref: str) -> ModelProfile | None:
    from dashboard.features.model_profile import ModelConfigError
    from dashboard.features.presets import load_model

    try:
        return load_model(ref)
    except ModelConfigError:
        return None


def build_draft(cfg: SpeculativeConfig, target: ModelProfile) -> Draft:
    """The draft of ``cfg`` for ``target`` (see module doc); ``ValueError`` for a draft model
    bigger than the target, a missing preset, or ``mtp`` on a model without MTP layers."""
    h = target.hidden_size
    if cfg.method == "ngram":
        return Draft("ngram", None, emits_probs=False, label="n-gram prompt lookup")
    if cfg.method == "draft_model":
        from dashboard.features.presets import load_model

        prof = load_model(cfg.draft_model or "")  # ModelConfigError (a ValueError) names the field
        if prof.total_params() > target.total_params():
            raise ValueError(
                f"draft model {prof.name} ({prof.total_params() / 1e9:.1f} B parameters) is bigger than the "
                f"target {target.name} ({target.total_params() / 1e9:.1f} B); a draft must be smaller"
            )
        return Draft(
            "draft_model", prof, owns_embedding=True, owns_lm_head=not prof.tie_word_embeddings, label=prof.name
        )
    if cfg.method in ("eagle", "eagle3"):
        loaded = _try_load(cfg.draft_model) if cfg.draft_model and cfg.draft_model.lower().endswith(".json") else None
        inter = target.intermediate_size or target.moe_intermediate_size
        eagle3 = cfg.method == "eagle3"
        vocab = (cfg.draft_vocab_size or min(EAGLE3_DRAFT_VOCAB, target.vocab_size)) if eagle3 else target.vocab_size
        prof = loaded or replace(
            target,
            name=f"{target.name}-{cfg.method}-head",
            num_hidden_layers=cfg.eagle_layers,
            layer_types=(),
            sliding_window=None,
            num_experts=0,
            num_experts_per_tok=0,
            num_shared_experts=0,
            moe_intermediate_size=0,
            shared_expert_intermediate_size=0,
            first_k_dense=0,
            num_mtp_layers=0,
            intermediate_size=inter,
            vocab_size=vocab,
            tie_word_embeddings=False,
        )
        if prof.hidden_size != h:
            raise ValueError(f"EAGLE head hidden size {prof.hidden_size} differs from the target's {h}")
        q_out = (prof.num_attention_heads + 2 * prof.num_key_value_heads) * prof.q_head_dim
        extra = ((h, 3 * h), (q_out, h)) if eagle3 else ((h, 2 * h),)
        return Draft(
            cfg.method,
            prof,
            extra_gemms=extra,
            owns_embedding=False,
            owns_lm_head=eagle3,
            label=cfg.draft_model or prof.name,
        )
    # mtp
    if target.num_mtp_layers <= 0:
        raise ValueError(
            f"{target.name} has no MTP layers (num_nextn_predict_layers = 0); use eagle, eagle3, draft_model or ngram"
        )
    prof = replace(
        target,
        name=f"{target.name}-mtp",
        num_hidden_layers=1,
        layer_types=(),
        first_k_dense=0,
        moe_layer_freq=1,
        num_mtp_layers=0,
        sliding_window=None,
    )
    return Draft(
        "mtp",
        prof,
        extra_gemms=((h, 2 * h),),
        owns_embedding=False,
        owns_lm_head=False,
        label=f"{target.name} MTP ({target.num_mtp_layers} layer{'s' if target.num_mtp_layers > 1 else ''})",
    )


def _draft_parallel(cfg: SpeculativeConfig, draft: Draft, par: ParallelConfig) -> ParallelConfig:
    tp = cfg.draft_tp or par.tp
    if tp not in (1, par.tp):
        raise ValueError(f"draft tensor-parallel size must be 1 or the target's TP ({par.tp}), got {tp}")
    assert draft.profile is not None
    ep = par.ep if draft.profile.is_moe and tp == par.tp else 1
    dpar = ParallelConfig(tp=tp, ep=ep)
    try:
        validate_parallel(draft.profile, dpar)
    except ParallelError as exc:
        raise ValueError(f"draft {draft.label}: {exc}; set the draft TP to 1") from None
    return dpar


def draft_memory(cfg: SpeculativeConfig, draft: Draft, par: ParallelConfig, dtypes: Dtypes) -> dict[str, float]:
    """Per-GPU bytes the draft adds: ``weight_bytes`` (its layers, fusion projections and the
    tables it owns) and ``kv_bytes_per_token`` (its layers' KV cache, allocated beside the target's)."""
    if draft.profile is None:
        return {"weight_bytes": 0.0, "kv_bytes_per_token": 0.0}
    prof = draft.profile
    dpar = _draft_parallel(cfg, draft, par)
    w = weight_bytes_per_gpu(prof, dpar, dtypes.weight)
    if not draft.owns_embedding:
        w -= prof.embedding_params() / dpar.tp * 2.0
    if not draft.owns_lm_head:
        w -= prof.lm_head_params() / dpar.tp * 2.0
    wb = dtype_bytes(dtypes.weight)
    w += sum(n * k for n, k in draft.extra_gemms) / dpar.tp * wb
    kv = kv_bytes_per_token_per_gpu(prof, dpar, dtypes.kv)
    return {"weight_bytes": w, "kv_bytes_per_token": kv}


def speculative_memory_breakdown(
    model: ModelProfile,
    hardware: Any,
    cfg: SpeculativeConfig,
    parallel: ParallelConfig | None = None,
    dtypes: Dtypes | None = None,
    **kw: Any,
) -> tuple[MemoryBreakdown, dict[str, float]]:
    """:func:`~dashboard.features.memory.memory_breakdown` of the target with the draft's weights
    taken from the KV budget and its KV bytes added to every token (the draft's KV grows with the
    same sequences). Returns the adjusted breakdown and the draft's own figures."""
    parallel = parallel or ParallelConfig()
    dtypes = dtypes or Dtypes()
    base = memory_breakdown(model, hardware, parallel, dtypes, **kw)
    d = draft_memory(cfg, build_draft(cfg, model), parallel, dtypes)
    budget = base.kv_budget_bytes - d["weight_bytes"]
    per_seq = base.kv_bytes_per_sequence + d["kv_bytes_per_token"] * base.context
    per_tok = per_seq / base.context
    max_tokens = int(budget // per_tok) if budget > 0 else 0
    max_seqs = int(budget // per_seq) if budget > 0 else 0
    mb = replace(
        base,
        weight_bytes=base.weight_bytes + d["weight_bytes"],
        kv_budget_bytes=budget,
        kv_bytes_per_token=per_tok,
        kv_bytes_per_sequence=per_seq,
        max_kv_tokens=max_tokens,
        max_sequences=max_seqs,
        fits=max_seqs >= 1,
        headroom_fraction=budget / base.usable_bytes if base.usable_bytes else 0.0,
    )
    return mb, d


# ---------------------------------------------------------------------------- step cost
@dataclass(frozen=True)
class SpecStepCost:
    """One speculative decode step of ``batch`` sequences at ``context`` cached tokens (seconds)."""

    batch: int
    context: int
    k: int
    plain_s: float  # a plain (non-speculative) decode step of the same batch
    draft_s: float
    verify_s: float
    rejection_s: float
    expected_tokens: float  # per sequence
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def latency_s(self) -> float:
        return self.draft_s + self.verify_s + self.rejection_s

    @property
    def s_per_output_token(self) -> float:
        """Step latency ÷ expected tokens per sequence (the TPOT of a steady decode)."""
        return self.latency_s / self.expected_tokens

    @property
    def speedup(self) -> float:
        """Plain decode step time ÷ speculative time per output token (> 1: speculation pays)."""
        return self.plain_s / self.s_per_output_token

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "context": self.context,
            "num_speculative_tokens": self.k,
            "latency_ms": self.latency_s * 1e3,
            "draft_ms": self.draft_s * 1e3,
            "verify_ms": self.verify_s * 1e3,
            "rejection_ms": self.rejection_s * 1e3,
            "plain_decode_ms": self.plain_s * 1e3,
            "expected_tokens_per_step": self.expected_tokens,
            "ms_per_output_token": self.s_per_output_token * 1e3,
            "speedup": self.speedup,
            **self.extra,
        }


class SpeculativeCostModel:
    """Prices speculative steps with the target's :class:`CostModel` and one for the draft (same
    hardware, dtypes and overlap). Every time comes from those two cost models."""

    def __init__(self, cm: CostModel, cfg: SpeculativeConfig) -> None:
        self.cm = cm
        self.cfg = cfg
        self.k = cfg.k
        self.draft = build_draft(cfg, cm.model)
        self.draft_cm: CostModel | None = None
        if self.draft.profile is not None:
            dpar = _draft_parallel(cfg, self.draft, cm.par)
            self.draft_cm = CostModel(self.draft.profile, cm.hw, dpar, cm.dt, overlap=cm.overlap)
        hw = cm.hw
        self._bw = hw.hbm_bytes_per_s * hw.efficiency.memory
        self._kov = hw.efficiency.kernel_overhead_us * 1e-6
        self._fusion_cache: dict[float, float] = {}

    # -- parts -----------------------------------------------------------
    def _extra_gemms_s(self, rows: float) -> float:
        """Fusion projections of one draft pass over ``rows`` tokens, timed by the draft cost
        model's GEMM roofline (same efficiency curve, bandwidth and launch cost as its layers)."""
        dcm = self.draft_cm
        if dcm is None or rows <= 0 or not self.draft.extra_gemms:
            return 0.0
        hit = self._fusion_cache.get(rows)
        if hit is not None:
            return hit
        total = 0.0
        for n, k_in in self.draft.extra_gemms:
            n_loc = n / dcm.tp
            flops = 2.0 * rows * n_loc * k_in
            w = n_loc * k_in * dcm.wb
            total += dcm.op_time(GemmOp("draft_fusion", GEMM, 1, flops, w + rows * (k_in + n_loc) * dcm.ab, w, rows))[0]
        if len(self._fusion_cache) < 65536:
            self._fusion_cache[rows] = total
        return total

    @property
    def windowless(self) -> bool:
        """No sliding window in the target or the draft: a batch then depends on its contexts only
        through their count, sum and maximum (the fast path of :meth:`summary_sums`)."""
        return self.cm.window is None and (self.draft_cm is None or self.draft_cm.window is None)

    def draft_time_s(self, contexts: Sequence[int], prefill_chunks: Sequence[tuple[int, int]] = ()) -> float:
        """The ``k`` draft passes for decodes at ``contexts`` (first pass: ``k+1`` verified tokens
        per sequence, then ``k−1`` one-token decodes); ``prefill_chunks`` ride in the first pass
        (the draft fills its own KV for prompt tokens, as the target does)."""
        if self.draft_cm is not None and self.draft_cm.window is None:
            return self._draft_time_sums(
                len(contexts), float(sum(contexts)), float(max(contexts, default=0)), prefill_chunks
            )
        dcm = self.draft_cm
        if dcm is None or (not contexts and not prefill_chunks):
            return 0.0
        k = self.k
        first = self._spec_stats(dcm, contexts, k + 1, prefill_chunks, len(prefill_chunks), 1)
        rows = sum(n for n, _ in prefill_chunks) + len(contexts) * (k + 1)
        total = dcm.step_time_s(first) + self._extra_gemms_s(rows)
        if contexts and k > 1:
            # the k−1 one-token passes at contexts c+k+1 … c+2k−1, priced once at their mean context
            # (exact while the step time is linear in the context sums, i.e. between roofline kinks)
            mid = k + k / 2.0
            st = dcm.stats_for_batch([], [c + mid for c in contexts])
            total += (k - 1) * (dcm.step_time_s(st) + self._extra_gemms_s(len(contexts)))
        return total

    def _draft_time_sums(self, n: int, csum: float, cmax: float, prefill_chunks: Sequence[tuple[int, int]]) -> float:
        """:meth:`draft_time_s` from the contexts' count, sum and maximum (windowless draft)."""
        dcm = self.draft_cm
        if dcm is None or (not n and not prefill_chunks):
            return 0.0
        k = self.k
        first = _spec_stats_sums(dcm, n, csum, cmax, k + 1, prefill_chunks, len(prefill_chunks), 1)
        rows = sum(c for c, _ in prefill_chunks) + n * (k + 1)
        total = dcm.step_time_s(first) + self._extra_gemms_s(rows)
        if n and k > 1:
            mid = k + k / 2.0
            d = csum + n * mid
            st = replace(
                _EMPTY,
                decode_seqs=n,
                sampled=n,
                dec_ctx_sum=d,
                dec_ctx_max=cmax + mid,
                w_dec_ctx_sum=d,
                w_dec_ctx_max=cmax + mid,
            )
            total += (k - 1) * (dcm.step_time_s(st) + self._extra_gemms_s(n))
        return total

    def summary_sums(
        self,
        n: int,
        csum: float,
        cmax: float,
        prefill_chunks: Sequence[tuple[int, int]] = (),
        prefill_sampled: int | None = None,
    ) -> tuple[float, float, float]:
        """``(step seconds, target FLOPs, target HBM bytes)`` of a simulator step with ``n``
        speculative decodes whose contexts sum to ``csum`` (maximum ``cmax``) beside
        ``prefill_chunks``; requires :attr:`windowless` (same result as :meth:`mixed_step_time_s`)."""
        ps = len(prefill_chunks) if prefill_sampled is None else prefill_sampled
        vstats = _spec_stats_sums(self.cm, n, csum, cmax, self.k + 1, prefill_chunks, ps, self.k + 1)
        t, flops, nbytes = self.cm.step_summary(vstats)
        return t + self._draft_time_sums(n, csum, cmax, prefill_chunks) + self.rejection_time_s(n), flops, nbytes

    @staticmethod
    def _spec_stats(
        cm: CostModel,
        contexts: Sequence[int],
        q: int,
        prefill_chunks: Sequence[tuple[int, int]],
        prefill_sampled: int,
        sampled_per_seq: int,
    ) -> BatchStats:
        """Batch of ``q`` new tokens per sequence after ``contexts`` (plus prefill chunks). GQA/MHA:
        a ``q``-token chunk after the context (attention reads the KV once per sequence). MLA: ``q``
        absorbed decode rows per sequence, as vLLM's MLA backends run requests whose query length is
        at most ``1 + k`` through the decode kernel (``reorder_batch_threshold``); the KV stream is
        then counted once per row, an upper bound on its bytes."""
        if cm.window is None:
            return _spec_stats_sums(
                cm,
                len(contexts),
                float(sum(contexts)),
                float(max(contexts, default=0)),
                q,
                prefill_chunks,
                prefill_sampled,
                sampled_per_seq,
            )
        if cm.model.is_mla:
            decs = [c + i for c in contexts for i in range(q)]
            return cm.stats_for_batch(
                list(prefill_chunks), decs, sampled=prefill_sampled + len(contexts) * sampled_per_seq
            )
        chunks = list(prefill_chunks) + [(q, c) for c in contexts]
        return cm.stats_for_batch(chunks, [], sampled=prefill_sampled + len(contexts) * sampled_per_seq)

    def verify_stats(
        self,
        contexts: Sequence[int],
        prefill_chunks: Sequence[tuple[int, int]] = (),
        prefill_sampled: int | None = None,
    ) -> BatchStats:
        """Target batch of the verification: ``k+1`` tokens per decode after its context (all
        positions sampled) plus any prefill chunks (``prefill_sampled`` of them emit a token)."""
        ps = len(prefill_chunks) if prefill_sampled is None else prefill_sampled
        return self._spec_stats(self.cm, contexts, self.k + 1, prefill_chunks, ps, self.k + 1)

    def rejection_time_s(self, seqs: int) -> float:
        """Rejection sampling over ``seqs`` sequences: fp32 probabilities of the target for ``k+1``
        positions and of the draft for ``k`` (when the draft emits a distribution), read once at
        the HBM roofline, plus two kernel launches."""
        if seqs <= 0:
            return 0.0
        v = self.cm.model.vocab_size
        rows = seqs * (self.k + 1) + (seqs * self.k if self.draft.emits_probs else 0)
        return rows * v * 4.0 / self._bw + 2.0 * self._kov

    # -- whole steps -----------------------------------------------------
    def step(self, batch: int, context: int) -> SpecStepCost:
        """Uniform speculative decode step: ``batch`` sequences at ``context`` cached tokens."""
        if batch <= 0 or context <= 0:
            raise ValueError("batch and context must be positive")
        plain = self.cm.step_time_s(self.cm.stats_for(StepSpec(decode_seqs=batch, decode_context=context)))
        ctxs = [context] * batch
        verify = self.cm.step_time_s(self.verify_stats(ctxs))
        return SpecStepCost(
            batch=batch,
            context=context,
            k=self.k,
            plain_s=plain,
            draft_s=self.draft_time_s(ctxs),
            verify_s=verify,
            rejection_s=self.rejection_time_s(batch),
            expected_tokens=self.cfg.expected_tokens,
        )

    def mixed_step_time_s(
        self,
        contexts: Sequence[int],
        prefill_chunks: Sequence[tuple[int, int]] = (),
        prefill_sampled: int | None = None,
    ) -> float:
        """A simulator step: prefill chunks plus speculative decodes at ``contexts`` (draft +
        verification + rejection sampling)."""
        t = self.cm.step_time_s(self.verify_stats(contexts, prefill_chunks, prefill_sampled))
        return t + self.draft_time_s(contexts, prefill_chunks) + self.rejection_time_s(len(contexts))

    def tpot_s(self, batch: int, input_len: int, output_len: int, samples: int = 8) -> float:
        """Mean time per output token after the first, integrating the context growth (midpoint
        samples) like :meth:`CostModel.tpot_s`: each step emits the expected tokens."""
        steps = max(1, output_len - 1)
        n = max(1, min(samples, steps))
        width = steps / n
        return sum(self.step(batch, int(input_len + (i + 0.5) * width)).s_per_output_token for i in range(n)) / n


_EMPTY = BatchStats(
    prefill_seqs=0,
    prefill_tokens=0,
    prefix_tokens=0,
    decode_seqs=0,
    sampled=0,
    pairs=0.0,
    kv_read=0.0,
    dec_ctx_sum=0.0,
    dec_ctx_max=0.0,
    w_pairs=0.0,
    w_kv_read=0.0,
    w_dec_ctx_sum=0.0,
    w_dec_ctx_max=0.0,
)


def _spec_stats_sums(
    cm: CostModel,
    n: int,
    csum: float,
    cmax: float,
    q: int,
    prefill_chunks: Sequence[tuple[int, int]],
    prefill_sampled: int,
    sampled_per_seq: int,
) -> BatchStats:
    """Closed form of ``SpeculativeCostModel._spec_stats`` for a windowless model: ``n`` sequences
    of ``q`` new tokens whose contexts sum to ``csum`` (maximum ``cmax``). GQA: chunk sums
    ``pairs = q·Σc + n·q(q+1)/2``, ``kv_read = Σc + n·q``; MLA: ``q`` decode rows per sequence at
    contexts ``c … c+q−1``, ``Σ = q·Σc + n·q(q−1)/2``."""
    base = cm.stats_for_batch(list(prefill_chunks), [], sampled=prefill_sampled) if prefill_chunks else _EMPTY
    if n <= 0:
        return replace(base, sampled=prefill_sampled)
    sampled = prefill_sampled + n * sampled_per_seq
    if cm.model.is_mla:
        d = q * csum + n * q * (q - 1) / 2.0
        m = cmax + q - 1
        return replace(
            base, decode_seqs=n * q, sampled=sampled, dec_ctx_sum=d, dec_ctx_max=m, w_dec_ctx_sum=d, w_dec_ctx_max=m
        )
    pairs = q * csum + n * q * (q + 1) / 2.0
    kv = csum + n * q
    return replace(
        base,
        prefill_seqs=base.prefill_seqs + n,
        prefill_tokens=base.prefill_tokens + n * q,
        prefix_tokens=base.prefix_tokens + int(csum),
        sampled=sampled,
        pairs=base.pairs + pairs,
        kv_read=base.kv_read + kv,
        w_pairs=base.w_pairs + pairs,
        w_kv_read=base.w_kv_read + kv,
    )


def crossover_batch(rows: Sequence[Mapping[str, Any]]) -> int | None:
    """Smallest batch of a TPOT-vs-batch table (rows with ``batch`` and ``speedup``) at which
    speculation stops paying (speedup ≤ 1), or ``None`` if it pays at every batch listed."""
    for r in sorted(rows, key=lambda r: r["batch"]):
        if r["speedup"] <= 1.0:
            return int(r["batch"])
    return None


def tpot_vs_batch(cm: CostModel, cfg: SpeculativeConfig, batches: Sequence[int], context: int) -> list[dict[str, Any]]:
    """TPOT and decode throughput per batch size, with and without speculation, at ``context``
    (one row per batch: ``plain_tpot_ms``, ``spec_tpot_ms``, ``plain_tok_s``, ``spec_tok_s``, ``speedup``)."""
    scm = SpeculativeCostModel(cm, cfg)
    out = []
    for b in batches:
        s = scm.step(int(b), context)
        out.append(
            {
                "batch": int(b),
                "plain_tpot_ms": s.plain_s * 1e3,
                "spec_tpot_ms": s.s_per_output_token * 1e3,
                "plain_tok_s": b / s.plain_s,
                "spec_tok_s": b / s.s_per_output_token,
                "speedup": s.speedup,
                "draft_ms": s.draft_s * 1e3,
                "verify_ms": s.verify_s * 1e3,
                "rejection_ms": s.rejection_s * 1e3,
            }
        )
    return out
