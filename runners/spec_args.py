"""Speculative-decoding flags shared by ``step``, ``simulate``, ``search`` (and ``plan``).

``--speculative-method`` (draft_model | eagle | eagle3 | mtp | ngram), ``--num-speculative-tokens``,
``--acceptance-rate`` (one conditional rate α, or a comma list, one per draft position),
``--acceptance-length`` (mean tokens per step, solved for a constant α), ``--draft-model`` (preset
or config.json), or ``--speculative-config JSON`` exactly as ``vllm serve`` takes it (acceptance
still comes from ``--acceptance-rate``/``--acceptance-length``: vLLM measures it, it is not set).
"""

from __future__ import annotations

import argparse
from typing import Any

from dashboard.features.model_profile import ModelProfile
from dashboard.features.params import add_arguments, argument
from dashboard.features.speculative import (
    MeanAcceptance,
    SpeculativeConfig,
    build_draft,
    make_speculative_config,
    parse_vllm_speculative_config,
)
from runners.common import CliError

__all__ = ["add_speculative_args", "speculative_from"]


def add_speculative_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("speculative decoding")
    # types, bounds and help from SpeculativeConfig's declarations (dashboard/features/params.py)
    g.add_argument(
        "--speculative-method",
        dest="speculative_method",
        **argument(SpeculativeConfig, "method", suffix="(off when absent)"),
    )
    add_arguments(
        g, SpeculativeConfig, ("num_speculative_tokens",), suffix="(default: the length of the --acceptance-rate list)"
    )
    g.add_argument(
        "--acceptance-rate",
        dest="acceptance_rate",
        **argument(
            SpeculativeConfig,
            "acceptance_rates",
            suffix="— one number or a comma list (vLLM's spec_decode_per_position_acceptance_rates p_i "
            "convert as a_i = p_i / p_(i-1))",
        ),
    )
    g.add_argument(
        "--acceptance-length",
        dest="acceptance_length",
        **argument(MeanAcceptance, "acceptance_length", suffix="— instead of --acceptance-rate"),
    )
    g.add_argument(
        "--acceptance-from",
        default=None,
        metavar="RESULT.json",
        help="acceptance from a `vllm bench serve --save-result` JSON (its spec_decode_* keys)",
    )
    g.add_argument(
        "--draft-model",
        dest="draft_model",
        **argument(SpeculativeConfig, "draft_model", suffix="(draft_model), or the EAGLE head's id/config"),
    )
    g.add_argument(
        "--speculative-config",
        default=None,
        metavar="JSON",
        help='vLLM --speculative-config JSON, e.g. \'{"method": "eagle3", "model": ..., "num_speculative_tokens": 3}\'',
    )


def _flag_for(msg: str) -> str:
    low = msg.lower()
    if "mtp" in low or "method" in low:
        return "--speculative-method"
    if "acceptance" in low:
        return "--acceptance-rate"
    if "num_speculative_tokens" in low:
        return "--num-speculative-tokens"
    if "draft" in low:
        return "--draft-model"
    return "--speculative-method"


def speculative_from(args: argparse.Namespace, model: ModelProfile) -> SpeculativeConfig | None:
    """The speculative config the flags describe (``None`` when speculation is off); checks the
    draft against ``model`` (a bigger draft, a missing preset, MTP without MTP layers). Raises
    :class:`CliError` naming the flag."""
    method: str | None = getattr(args, "speculative_method", None)
    vjson = getattr(args, "speculative_config", None)
    k = getattr(args, "num_speculative_tokens", None)
    rates = getattr(args, "acceptance_rate", None)
    length = getattr(args, "acceptance_length", None)
    result_file = getattr(args, "acceptance_from", None)
    if result_file is not None:
        if rates is not None or length is not None:
            raise CliError("--acceptance-from: give it or --acceptance-rate/--acceptance-length, not both")
        rates, k_measured = _acceptance_from_file(result_file)
        if k is None:
            k = k_measured
        elif k != k_measured:
            rates = list(rates[:k]) + [rates[-1]] * max(0, k - len(rates))
    draft = getattr(args, "draft_model", None)
    if method is None and vjson is None:
        if rates is not None or length is not None or k is not None or draft is not None or result_file is not None:
            raise CliError(
                "--acceptance-rate/--num-speculative-tokens/--draft-model need --speculative-method "
                "or --speculative-config"
            )
        return None
    kw: dict[str, Any] = {}
    if vjson is not None:
        if method is not None:
            raise CliError("--speculative-config: give either it or --speculative-method, not both")
        try:
            parsed = parse_vllm_speculative_config(vjson)
        except ValueError as exc:
            raise CliError(f"--speculative-config: {exc}") from None
        method = parsed["method"]
        if parsed["num_speculative_tokens"] is not None:
            if k is not None and k != parsed["num_speculative_tokens"]:
                raise CliError("--num-speculative-tokens disagrees with num_speculative_tokens in --speculative-config")
            k = parsed["num_speculative_tokens"]
        if parsed["draft_model"] is not None:
            if draft is not None and draft != parsed["draft_model"]:
                raise CliError("--draft-model disagrees with model in --speculative-config")
            draft = parsed["draft_model"]
        if parsed["draft_tp"] is not None:
            kw["draft_tp"] = parsed["draft_tp"]
    if rates is None and length is None:
        raise CliError("--acceptance-rate: speculative decoding needs --acceptance-rate or --acceptance-length")
    if rates is not None and length is not None:
        raise CliError("--acceptance-rate: give --acceptance-rate or --acceptance-length, not both")
    acc: Any = None
    if rates is not None:
        acc = rates[0] if len(rates) == 1 and k is not None else rates
    assert method is not None  # from --speculative-method or the --speculative-config JSON (checked above)
    try:
        cfg = make_speculative_config(method, k, acceptance=acc, acceptance_length=length, draft_model=draft, **kw)
        build_draft(cfg, model)
    except ValueError as exc:
        msg = str(exc)
        raise CliError(f"{_flag_for(msg)}: {msg}") from None
    return cfg


def _acceptance_from_file(path: str) -> tuple[list[float], int]:
    """Conditional per-position rates and ``k`` measured in a vLLM bench result file."""
    import json

    from dashboard.features.safe_io import read_text_capped
    from dashboard.features.speculative import acceptance_from_vllm_result

    try:
        data = json.loads(read_text_capped(path))
    except FileNotFoundError:
        raise CliError(f"--acceptance-from: file not found: {path}") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise CliError(f"--acceptance-from: {exc}") from None
    if not isinstance(data, dict):
        raise CliError("--acceptance-from: expected a JSON object (a vllm bench serve result)")
    try:
        acc = acceptance_from_vllm_result(data)
    except ValueError as exc:
        raise CliError(f"--acceptance-from: {exc}") from None
    return list(acc["acceptance_rates"]), int(acc["num_speculative_tokens"])
