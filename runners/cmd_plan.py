"""``modeling plan``: the capacity planner — which GPU type, how many, which layout and at what cost
serve a request rate (or concurrency) within a TTFT/TPOT SLA, with launch commands.

JSON (``--json``): ``{"plans": [...], "rejected": [{"hardware", "reason"}...]}``; each plan has
``hardware, engine, num_gpus, replicas, tp, ep, dp, pp, weight_dtype, kv_dtype, max_num_seqs,
max_num_batched_tokens, mode, prefill, decode, ttft_ms, tpot_ms, itl_ms, output_tok_s_per_gpu,
usd_per_hour, usd_per_m_input_tokens, usd_per_m_output_tokens, tokens_per_joule, meets_sla, launch``
(``prefill``/``decode`` are ``null`` for aggregated plans). Plans meeting the SLA come first, cheapest
output token first. ``--emit vllm|sglang|trtllm|k8s`` prints only that launch text of the best plan.
"""

from __future__ import annotations

import argparse
from typing import Any

from dashboard.features.params import add_arguments, argument, coerce_param
from dashboard.services.search import Economics
from runners.common import CliError, emit_json, resolve_hardware, resolve_model


def _price(text: str) -> tuple[str, float]:
    """``HW=USD``: a GPU type and its price per GPU-hour, bounded by ``Economics.usd_per_gpu_hour``."""
    hw, sep, usd = text.partition("=")
    if not sep or not hw.strip():
        raise argparse.ArgumentTypeError(f"expected one HARDWARE=USD_PER_GPU_HOUR (e.g. h200=3.5), got {text[:40]!r}")
    try:
        return hw.strip(), coerce_param(Economics, "usd_per_gpu_hour", usd)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_price.declaration = (Economics, "usd_per_gpu_hour")  # type: ignore[attr-defined]


def add_emit_arg(p: argparse.ArgumentParser) -> None:
    from dashboard.services.launch import EmitTarget

    add_arguments(p, EmitTarget, ("emit",))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("plan", help="capacity planner: GPU type, count, layout and cost for a rate and an SLA")
    p.add_argument("--model", required=True, help="model preset (e.g. llama-3.1-70b) or path to a HF config.json")
    # flags, types, bounds and help from PlanRequest's declarations (dashboard/features/params.py)
    from dashboard.services.planner import PlanRequest

    add_arguments(
        p, PlanRequest, ("hardware",), required=("hardware",), suffix="(comma-separated, e.g. h100-sxm,h200,b200)"
    )
    add_arguments(p, PlanRequest, ("engine",), defaults=True)
    add_arguments(p, PlanRequest, ("input_len", "output_len"), required=("input_len", "output_len"))
    load = p.add_mutually_exclusive_group(required=True)
    add_arguments(load, PlanRequest, ("request_rate", "concurrency"))
    add_arguments(
        p, PlanRequest, ("ttft_ms", "tpot_ms", "percentile", "max_gpus", "disaggregated", "kv_dtype"), defaults=True
    )
    p.add_argument(
        "--price",
        type=_price,
        action="append",
        default=[],
        metavar="HW=USD",
        help="override a GPU-hour price, e.g. --price h200=3.5 (repeatable): "
        + argument(Economics, "usd_per_gpu_hour")["help"],
    )
    add_emit_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    from runners.spec_args import add_speculative_args

    add_speculative_args(p)
    p.set_defaults(func=run)


def _model_id(ref: str, model: Any) -> str:
    from dashboard.features.model_profile import ModelConfigError
    from dashboard.features.presets import model_preset_info

    try:
        return str(model_preset_info(ref).get("hf_id") or model.name)
    except ModelConfigError:
        return model.name


def emit_search_launch(
    args: argparse.Namespace, model: Any, dtypes: Any, best: dict[str, Any] | None, input_len: int, output_len: int
) -> int:
    """``modeling search --emit``: print the launch text of the search's best configuration."""
    from dashboard.features.checkpoint import native_format
    from dashboard.services.launch import launch_from_search_row

    if not best:
        raise CliError("no configuration meets the SLA: nothing to emit")
    spec = None
    if best.get("num_speculative_tokens"):  # a speculative row of modeling search (issue 13)
        from runners.spec_step import launch_fields

        spec = launch_fields(args, model, int(best["num_speculative_tokens"]))
    texts = launch_from_search_row(
        best,
        _model_id(args.model, model),
        input_len,
        output_len,
        weight_dtype=dtypes.weight,
        checkpoint_dtype=native_format(model).weight,
        kv_dtype=dtypes.kv,
        speculative=spec,
    )
    print(texts[args.emit])
    return 0


def run(args: argparse.Namespace) -> int:
    from dashboard.services.planner import PlanRequest, layout_label, plan

    model = resolve_model(args.model)
    names = tuple(h.strip() for h in args.hardware if h.strip())
    if not names:
        raise CliError("--hardware: give at least one GPU type")
    hws = [resolve_hardware(h) for h in names]
    from runners.spec_args import speculative_from

    spec = speculative_from(args, model)
    try:
        req = PlanRequest(
            hardware=tuple(h.slug for h in hws),
            engine=args.engine,
            input_len=args.input_len,
            output_len=args.output_len,
            request_rate=args.request_rate,
            concurrency=args.concurrency,
            ttft_ms=args.ttft_ms,
            tpot_ms=args.tpot_ms,
            percentile=args.percentile,
            max_gpus=args.max_gpus,
            disaggregated=args.disaggregated,
            kv_dtype=args.kv_dtype,
            speculative=spec,
        )
        res = plan(model, req, prices=dict(args.price), model_id=_model_id(args.model, model), hardware=hws)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.emit:
        if not res.plans:
            raise CliError("no plan to emit: " + "; ".join(f"{r['hardware']}: {r['reason']}" for r in res.rejected))
        print(res.plans[0]["launch"][args.emit])
        return 0
    if args.json:
        emit_json(res.as_dict())
        return 0
    load = f"{args.request_rate:g} req/s" if args.request_rate is not None else f"{args.concurrency} concurrent"
    print(
        f"{model.name}: {load}, I={args.input_len} O={args.output_len}, p{args.percentile:g} TTFT ≤ "
        f"{args.ttft_ms or '-'} ms, TPOT ≤ {args.tpot_ms or '-'} ms; {res.simulations} simulations in "
        f"{res.elapsed_s:.2f} s"
    )
    for p in res.plans:
        if p["mode"] == "disaggregated":
            lay = (
                f"{p['prefill']['replicas']} × P({layout_label(p['prefill'])}) + "
                f"{p['decode']['replicas']} × D({layout_label(p['decode'])})"
            )
        else:
            lay = f"{p['replicas']} × {layout_label(p)}"
        cost = p["usd_per_m_output_tokens"]
        cost_s = f"${cost:.3f}/M out" if cost is not None else "-"
        print(
            f"  {'OK  ' if p['meets_sla'] else 'MISS'} {p['hardware']:<9} {p['mode']:<13} {p['num_gpus']:>3} GPUs = "
            f"{lay:<24} TTFT {p['ttft_ms']:7.0f} ms  TPOT {p['tpot_ms']:6.1f} ms  "
            f"${p['usd_per_hour']:.2f}/h  {cost_s}"
        )
    for r in res.rejected:
        print(f"  rejected {r['hardware']}: {r['reason']}")
    if res.plans and res.plans[0]["meets_sla"]:
        print("\nlaunch (vllm):\n" + res.plans[0]["launch"]["vllm"])
    return 0
