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

from runners.common import CliError, emit_json, positive_float, positive_int, resolve_hardware, resolve_model

EMIT_CHOICES = ("vllm", "sglang", "trtllm", "k8s")


def _price(text: str) -> tuple[str, float]:
    from dashboard.state.planner import parse_prices

    try:
        prices = parse_prices(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if len(prices) != 1:
        raise argparse.ArgumentTypeError(f"expected one HARDWARE=USD_PER_GPU_HOUR (e.g. h200=3.5), got {text!r}")
    return next(iter(prices.items()))


def _percentile(text: str) -> float:
    v = positive_float(text)
    if v > 100:
        raise argparse.ArgumentTypeError(f"must be in (0, 100], got {text}")
    return v


def add_emit_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--emit",
        choices=EMIT_CHOICES,
        default=None,
        help="print only the launch command / manifest of the best configuration",
    )


def add_parser(sub: Any) -> None:
    p = sub.add_parser("plan", help="capacity planner: GPU type, count, layout and cost for a rate and an SLA")
    p.add_argument("--model", required=True, help="model preset (e.g. llama-3.1-70b) or path to a HF config.json")
    p.add_argument(
        "--hardware",
        required=True,
        help="comma-separated GPU types, e.g. h100-sxm,h200,b200 (presets or profile paths)",
    )
    p.add_argument("--engine", default="vllm", choices=("vllm", "sglang", "trtllm"), help="serving engine")
    p.add_argument("--input-len", type=positive_int, required=True, help="prompt tokens per request")
    p.add_argument("--output-len", type=positive_int, required=True, help="generated tokens per request")
    load = p.add_mutually_exclusive_group(required=True)
    load.add_argument("--request-rate", type=positive_float, help="requests per second to serve")
    load.add_argument("--concurrency", type=positive_int, help="concurrent clients (closed loop)")
    p.add_argument("--ttft-ms", type=positive_float, default=None, help="TTFT target at the percentile (ms)")
    p.add_argument("--tpot-ms", type=positive_float, default=None, help="TPOT target at the percentile (ms)")
    p.add_argument("--percentile", type=_percentile, default=90.0, help="SLA percentile (default 90)")
    p.add_argument("--max-gpus", type=positive_int, default=64, help="most GPUs one plan may use (default 64)")
    p.add_argument(
        "--disaggregated",
        choices=("auto", "on", "off"),
        default="auto",
        help="also plan prefill/decode disaggregated pools (auto: both, keep the cheaper)",
    )
    p.add_argument("--kv-dtype", choices=("bf16", "fp8"), default="bf16", help="KV cache format (default bf16)")
    p.add_argument(
        "--price",
        type=_price,
        action="append",
        default=[],
        metavar="HW=USD",
        help="override a GPU-hour price, e.g. --price h200=3.5 (repeatable)",
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
    names = tuple(h.strip() for h in args.hardware.split(",") if h.strip())
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
