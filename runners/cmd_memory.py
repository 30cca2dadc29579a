"""``modeling memory``: weights, KV cache and capacity of one GPU."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dashboard.features.parallel import ParallelConfig
from dashboard.features.params import add_arguments, describe_inputs
from dashboard.features.request import CostSettings, RequestShape
from runners.common import (
    CliError,
    add_dtype_args,
    add_engine_args,
    add_model_hw_args,
    add_parallel_args,
    dtypes_from,
    emit_json,
    memory_fraction_from,
    parallel_from,
    resolve_engine,
    resolve_hardware,
    resolve_model,
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("memory", help="weights per GPU, KV bytes per token, max KV tokens, fits")
    add_model_hw_args(p)
    add_parallel_args(p)
    # flags, types, bounds and help from the declarations (dashboard/features/params.py)
    add_arguments(p, ParallelConfig, ("pp",), defaults=True)
    add_dtype_args(p)
    add_arguments(p, RequestShape, ("context",), defaults=True)
    add_engine_args(p)
    add_arguments(
        p,
        CostSettings,
        ("reserved_fraction",),
        suffix="(generic rule instead of the engine's, with a 1.5 GiB reserve)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.features.hardware import GIB
    from dashboard.features.memory import memory_breakdown
    from dashboard.features.parallel import ParallelError, validate_parallel

    model = resolve_model(args.model)
    hw = resolve_hardware(args.hardware)
    parallel_from(args, model)
    try:
        par = ParallelConfig(tp=args.tp, ep=args.ep, pp=args.pp)
        validate_parallel(model, par)
    except ParallelError as exc:
        raise CliError(f"--pp: {exc}") from None
    engine = resolve_engine(args)
    fraction = memory_fraction_from(args)
    dt = dtypes_from(args, model)
    if args.reserved_fraction is not None:
        if fraction is not None:
            raise CliError("--reserved-fraction: give it or --gpu-memory-utilization/--kv-fraction, not both")
        mem = memory_breakdown(model, hw, par, dt, context=args.context, reserved_fraction=args.reserved_fraction)
        kv_rule = "reserved_fraction"
    else:
        mem = memory_breakdown(model, hw, par, dt, context=args.context, engine=engine, memory_fraction=fraction)
        kv_rule = engine.kv_rule.kind
    out = {
        "model": model.name,
        "hardware": hw.name,
        "tp": par.tp,
        "ep": par.ep,
        "pp": par.pp,
        "weight_dtype": dt.weight,
        "attention_weight_dtype": dt.attention,
        "kv_dtype": args.kv_dtype,
        "engine": None if kv_rule == "reserved_fraction" else engine.name,
        "kv_rule": kv_rule,
        **mem.as_dict(),
        # value, unit, bounds and label of every declared input (dashboard/features/params.py)
        "parameters": describe_inputs(
            parallel=par,
            dtypes=dt,
            request=RequestShape(context=args.context),
            cost=CostSettings(reserved_fraction=args.reserved_fraction) if args.reserved_fraction is not None else None,
        ),
    }
    for w in mem.warnings:  # e.g. context beyond max_position_embeddings (issue 11)
        print(f"modeling memory: warning: {w}", file=sys.stderr)
    if args.json:
        emit_json(out)
        return 0
    print(
        f"{model.name} on {hw.name}: TP={par.tp} EP={par.ep} PP={par.pp}, weights {dt.weight}"
        f"{f' (attention {dt.attention})' if dt.attention != dt.weight else ''}, "
        f"KV {args.kv_dtype}, KV rule: {out['engine'] or 'generic'} ({kv_rule})"
    )
    print(
        f"parameters           {mem.total_params / 1e9:10.2f} B total, {mem.active_params / 1e9:.2f} B active "
        f"({mem.active_params_incl_embedding / 1e9:.2f} B with the input embedding)"
    )
    print(f"HBM usable           {mem.usable_bytes / GIB:10.2f} GiB of {mem.capacity_bytes / GIB:.2f}")
    print(f"weights per GPU      {mem.weight_bytes / GIB:10.2f} GiB")
    print(f"activations          {mem.activation_bytes / GIB:10.2f} GiB")
    print(f"runtime reserve      {mem.runtime_reserve_bytes / GIB:10.2f} GiB")
    print(f"KV budget            {mem.kv_budget_bytes / GIB:10.2f} GiB")
    print(f"KV bytes per token   {mem.kv_bytes_per_token:10.0f} B per GPU")
    print(f"max KV tokens        {mem.max_kv_tokens:10d}")
    print(f"max sequences @ {mem.context:<5d}{mem.max_sequences:10d}")
    if not mem.fits:
        print("WARNING: does not fit — no sequence of this context fits beside the weights")
    return 0
