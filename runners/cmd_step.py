"""``modeling step``: price one engine step op by op."""

from __future__ import annotations

import argparse
from typing import Any

from dashboard.features.batch import StepSpec
from dashboard.features.params import add_arguments, describe_inputs
from dashboard.features.request import CostSettings
from runners.common import (
    CliError,
    add_dtype_args,
    add_model_hw_args,
    add_parallel_args,
    dtypes_from,
    emit_json,
    parallel_from,
    resolve_hardware,
    resolve_model,
)
from runners.spec_args import add_speculative_args, speculative_from


def add_parser(sub: Any) -> None:
    p = sub.add_parser("step", help="latency of one prefill/decode/mixed step, per op")
    add_model_hw_args(p)
    add_parallel_args(p)
    add_dtype_args(p)
    # flags, types, bounds and help from the declarations (dashboard/features/params.py)
    add_arguments(p, StepSpec, defaults=True)
    add_arguments(p, CostSettings, ("overlap",), defaults=True)
    p.add_argument("--json", action="store_true", help="print JSON")
    add_speculative_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.features.cost_model import CostModel
    from dashboard.features.memory import memory_breakdown

    model = resolve_model(args.model)
    hw = resolve_hardware(args.hardware)
    par = parallel_from(args, model)
    dt = dtypes_from(args)
    if args.prefill_seqs and not args.prefill_len:
        raise CliError("--prefill-len must be positive when --prefill-seqs is given")
    if args.prefill_len and not args.prefill_seqs:
        args.prefill_seqs = 1
    if args.decode_seqs and not args.decode_context:
        raise CliError("--decode-context must be positive when --decode-seqs is given")
    try:
        spec = StepSpec(args.prefill_seqs, args.prefill_len, args.prefix_len, args.decode_seqs, args.decode_context)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    cfg = speculative_from(args, model)
    cm = CostModel(model, hw, par, dt, overlap=args.overlap)
    ctx = max(args.prefix_len + args.prefill_len, args.decode_context + 1)
    if cfg is not None:
        from runners.spec_step import speculative_step

        spec_out, cost, mem = speculative_step(cm, cfg, spec, ctx)
    else:
        cost = cm.step(spec)
        mem = memory_breakdown(model, hw, par, dt, context=ctx)
        spec_out = {"expected_tokens_per_step": 1.0, "ms_per_output_token": cost.latency_s * 1e3}
    out = {
        "model": model.name,
        "hardware": hw.name,
        "hardware_source": hw.source_label,
        "efficiency_provenance": hw.efficiency_provenance,
        "tp": par.tp,
        "ep": par.ep,
        "dtypes": {"weight": dt.weight, "activation": dt.activation, "kv": dt.kv},
        "step": {
            "prefill_seqs": spec.prefill_seqs,
            "prefill_len": spec.prefill_len,
            "prefix_len": spec.prefix_len,
            "decode_seqs": spec.decode_seqs,
            "decode_context": spec.decode_context,
        },
        **cost.as_dict(),
        **spec_out,
        "fits": mem.fits,
        "weight_bytes_per_gpu": mem.weight_bytes,
        # value, unit, bounds and label of every declared input (dashboard/features/params.py)
        "parameters": describe_inputs(
            step=spec, parallel=par, dtypes=dt, cost=CostSettings(overlap=args.overlap), speculative=cfg
        ),
    }
    if args.json:
        emit_json(out)
        return 0
    print(f"{model.name} on {hw.name} ({hw.source_label}), TP={par.tp} EP={par.ep}, weights {dt.weight}, KV {dt.kv}")
    if not mem.fits:
        print(
            f"WARNING: does not fit in memory ({mem.weight_bytes / 2**30:.1f} GiB of weights per GPU, "
            f"{mem.usable_bytes / 2**30:.1f} GiB usable)"
        )
    print(f"{'op':<22}{'count':>6}{'GFLOP':>12}{'MB':>12}{'time ms':>11}  bound")
    for op in cost.ops:
        print(
            f"{op.name:<22}{op.count:>6}{op.flops / 1e9:>12.2f}{(op.bytes + op.comm_bytes) / 1e6:>12.2f}"
            f"{op.time_s * 1e3:>11.4f}  {op.bound}"
        )
    print(
        f"latency {cost.latency_s * 1e3:.4f} ms (compute {cost.compute_s * 1e3:.4f}, comm {cost.comm_s * 1e3:.4f}, "
        f"exposed comm {cost.exposed_comm_s * 1e3:.4f})"
    )
    if cfg is not None:
        from runners.spec_step import print_speculative

        print_speculative(spec_out)
    return 0
