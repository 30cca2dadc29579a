"""Shared CLI plumbing: flags, resolvers and the one-line error contract (exit code 2)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dashboard.common.tables import jsonable
from dashboard.features.hardware import HardwareError, HardwareProfile, load_hardware
from dashboard.features.model_profile import ModelConfigError, ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig, ParallelError, validate_parallel
from dashboard.features.params import add_arguments, argument
from dashboard.features.presets import load_model

__all__ = [
    "CliError",
    "add_dtype_args",
    "add_engine_args",
    "add_model_hw_args",
    "add_parallel_args",
    "declared_list",
    "dtypes_from",
    "emit_json",
    "memory_fraction_from",
    "nonneg_int",
    "parallel_from",
    "positive_float",
    "positive_int",
    "resolve_engine",
    "resolve_hardware",
    "resolve_model",
]


class CliError(Exception):
    """Bad user input: printed as one line on stderr, exit code 2."""


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {v}")
    return v


def nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {v}")
    return v


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return v


def declared_list(cls: type, name: str, max_items: int = 64) -> Any:
    """An argparse type for a comma-separated list whose every value is checked against the
    scalar declaration ``cls.name`` (``--speculative-k-values`` against
    ``SpeculativeConfig.num_speculative_tokens``), at most ``max_items`` values."""
    from dashboard.features.params import coerce_param

    def conv(text: str) -> tuple[Any, ...]:
        parts = [x for x in text.replace(";", ",").split(",") if x.strip()]
        if not 1 <= len(parts) <= max_items:
            raise argparse.ArgumentTypeError(f"{name} needs 1 to {max_items} values")
        try:
            return tuple(coerce_param(cls, name, x) for x in parts)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    conv.declaration = (cls, name)  # type: ignore[attr-defined]
    return conv


def add_model_hw_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="model preset (e.g. llama-3.1-8b) or path to a HF config.json")
    p.add_argument("--hardware", required=True, help="hardware preset (e.g. h200) or path to a profile JSON")


def add_parallel_args(p: argparse.ArgumentParser) -> None:
    """``--tp``/``--ep`` from ``ParallelConfig``'s declarations (type, bounds, help)."""
    add_arguments(p, ParallelConfig, ("tp", "ep"), defaults=True)


def add_dtype_args(p: argparse.ArgumentParser) -> None:
    """``--weight-dtype`` / ``--activation-dtype`` default to ``native``: the checkpoint's own
    per-module formats (DeepSeek-V3/R1 fp8 W8A8, gpt-oss MXFP4 experts + bf16 attention, else bf16;
    :mod:`dashboard.features.checkpoint`)."""
    from dashboard.features.checkpoint import RunFormats

    add_arguments(p, RunFormats, ("weight_dtype", "activation_dtype"), defaults=True)
    add_arguments(p, Dtypes, ("kv",), defaults=True, dests={"kv": "kv_dtype"})


def add_engine_args(p: argparse.ArgumentParser) -> None:
    """``--engine`` (preset or profile JSON, default vllm) and the engine's memory fraction."""
    p.add_argument(
        "--engine",
        default="vllm",
        help="serving engine: vllm (default), sglang, trtllm or a path to an engine profile JSON",
    )
    from dashboard.features.request import CostSettings

    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--gpu-memory-utilization",
        dest="memory_fraction",
        **argument(CostSettings, "memory_fraction", suffix="(default: the engine's)"),
    )
    g.add_argument(
        "--kv-fraction",
        dest="memory_fraction",
        **argument(CostSettings, "memory_fraction", suffix="— same as --gpu-memory-utilization"),
    )


def resolve_engine(args: argparse.Namespace) -> Any:
    """The engine profile of ``--engine`` (CliError naming the flag on a bad name or file)."""
    from dashboard.features.engine import EngineError, load_engine

    try:
        return load_engine(getattr(args, "engine", None) or "vllm")
    except EngineError as exc:
        raise CliError(f"--engine: {exc}") from None


def memory_fraction_from(args: argparse.Namespace) -> float | None:
    """``--gpu-memory-utilization``/``--kv-fraction`` (checked against its declaration when parsed)."""
    return getattr(args, "memory_fraction", None)


def resolve_model(ref: str) -> ModelProfile:
    try:
        return load_model(ref)
    except ModelConfigError as exc:
        raise CliError(f"--model: {exc}") from None


def resolve_hardware(ref: str) -> HardwareProfile:
    from dashboard.services.serving_predict import is_serving_profile_ref, load_serving_profile

    if is_serving_profile_ref(ref):  # a fitted <gpu>+<engine> profile (modeling calibrate-serving)
        try:
            return load_serving_profile(ref).hardware_profile()
        except (ValueError, HardwareError) as exc:
            raise CliError(f"--hardware: {exc}") from None
    try:
        hw = load_hardware(ref)
    except HardwareError as exc:
        raise CliError(f"--hardware: {exc}") from None
    for w in hw.plausibility_warnings():  # valid but implausible numbers (issue 11): warn, keep going
        print(f"modeling: warning: --hardware {hw.name}: {w}", file=sys.stderr)
    return hw


def parallel_from(args: argparse.Namespace, model: ModelProfile, dp: int = 1) -> ParallelConfig:
    try:
        par = ParallelConfig(tp=args.tp, ep=getattr(args, "ep", 1), dp=dp)
        validate_parallel(model, par)
    except ParallelError as exc:
        raise CliError(f"--tp/--ep: {exc}") from None
    return par


def dtypes_from(args: argparse.Namespace, model: ModelProfile | None = None) -> Dtypes:
    """The formats of ``--weight-dtype/--activation-dtype/--kv-dtype``; ``native`` (the default)
    takes the checkpoint's per-module formats of ``model`` (or of ``--model``)."""
    from dashboard.features.checkpoint import native_format

    w = getattr(args, "weight_dtype", "native")
    a = getattr(args, "activation_dtype", "native")
    if "native" not in (w, a):
        return Dtypes(weight=w, activation=a, kv=args.kv_dtype)
    nf = native_format(model if model is not None else resolve_model(args.model))
    weight = nf.weight if w == "native" else w
    attention = nf.attention if (w == "native" and nf.attention != nf.weight) else None
    return Dtypes(
        weight=weight, activation=nf.activation if a == "native" else a, kv=args.kv_dtype, attention_weight=attention
    )


#: documents longer than this (compact) are printed compact: Python's indenting encoder is pure
#: Python, ~10 s for a 16-GPU disaggregated search's 50k rows; the C encoder takes < 1 s
INDENT_MAX_CHARS = 2_000_000


def emit_json(obj: Any) -> None:
    """Print one JSON document on stdout: indented when small, compact when large."""
    text = json.dumps(jsonable(obj), separators=(",", ":"))
    if len(text) <= INDENT_MAX_CHARS:
        text = json.dumps(json.loads(text), indent=2)
    sys.stdout.write(text)
    sys.stdout.write("\n")
