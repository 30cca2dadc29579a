"""``modeling search``: the SLA search (aggregated, or prefill/decode disaggregated with ``--disaggregated``).

JSON (``--json``): ``best`` (``tp``, ``dp``, ``concurrency``, ``output_tok_s_per_gpu``, ``ttft_ms``,
``tpot_ms`` …; ``null`` when nothing meets the SLA), ``feasible`` (list), ``rejected`` (each with
``reason``), ``reason_counts``, ``pareto``, ``inputs``; with ``--disaggregated`` also
``aggregated_best`` on the same GPUs.
"""

from __future__ import annotations

import argparse
from typing import Any

from runners.common import (
    CliError,
    add_dtype_args,
    add_model_hw_args,
    dtypes_from,
    emit_json,
    nonneg_int,
    positive_float,
    positive_int,
    resolve_hardware,
    resolve_model,
)


def _int_list(text: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(x) for x in text.replace(";", ",").split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not vals or any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return vals


def add_parser(sub: Any) -> None:
    p = sub.add_parser("search", help="search TP × DP (× EP) × concurrency × chunk budget for the SLA")
    add_model_hw_args(p)
    add_dtype_args(p)
    p.add_argument("--gpus", type=positive_int, required=True, help="GPU budget")
    p.add_argument("--input-len", type=positive_int, required=True, help="prompt tokens per request")
    p.add_argument("--output-len", type=positive_int, required=True, help="generated tokens per request")
    p.add_argument("--ttft-ms", type=positive_float, default=None, help="TTFT target (ms)")
    p.add_argument("--tpot-ms", type=positive_float, default=None, help="TPOT target (ms)")
    p.add_argument("--min-tps-per-user", type=positive_float, default=None, help="minimum tokens/s per user")
    p.add_argument("--disaggregated", action="store_true", help="prefill/decode disaggregated pools")
    p.add_argument("--link", default="ib", choices=("nvlink", "ib", "roce", "pcie"),
                   help="KV transfer link for --disaggregated (default ib)")
    p.add_argument("--tp-values", type=_int_list, default=(1, 2, 4, 8), help="TP degrees, e.g. 1,2,4,8")
    p.add_argument("--concurrency", type=_int_list, default=None, help="concurrency per engine (default 1…1024)")
    p.add_argument("--budgets", type=_int_list, default=None, help="chunked-prefill token budgets (default 512,2048,8192)")
    p.add_argument("--usd-per-gpu-hour", type=positive_float, default=2.5, help="GPU price for cost per token")
    p.add_argument("--sim-check", type=nonneg_int, default=0,
                   help="re-check the N best feasible configurations with the scheduler simulator")
    p.add_argument("--json", action="store_true", help="print JSON")
    from runners.spec_args import add_speculative_args

    add_speculative_args(p)
    p.add_argument("--speculative-k-values", type=_int_list, default=None,
                   help="search speculation off and on with each k, e.g. 1,2,3,5 (default: off and the given k)")
    from runners.cmd_plan import add_emit_arg

    add_emit_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.services.search import (
        DEFAULT_BUDGETS,
        DEFAULT_CONCURRENCY,
        SLA,
        Economics,
        SearchSpace,
        Workload,
        search_aggregated,
    )
    from dashboard.services.search_pd import search_disaggregated

    model = resolve_model(args.model)
    hw = resolve_hardware(args.hardware)
    dtypes = dtypes_from(args)
    from runners.spec_args import speculative_from

    spec = speculative_from(args, model)
    if args.speculative_k_values and spec is None:
        raise CliError("--speculative-k-values needs --speculative-method or --speculative-config")
    if spec is not None and args.disaggregated:
        raise CliError("--speculative-method: the disaggregated search does not model speculative decoding yet")
    try:
        wl = Workload(args.input_len, args.output_len)
        sla = SLA(args.ttft_ms, args.tpot_ms, args.min_tps_per_user)
        space = SearchSpace(tp=args.tp_values, concurrency=args.concurrency or DEFAULT_CONCURRENCY,
                            budgets=args.budgets or DEFAULT_BUDGETS)
        econ = Economics(args.usd_per_gpu_hour)
        if args.disaggregated:
            res = search_disaggregated(model, hw, args.gpus, wl, sla, dtypes, space, econ, link=args.link)
        elif spec is not None:
            from dashboard.services.search_spec import search_with_speculation

            res = search_with_speculation(model, hw, args.gpus, wl, sla, dtypes, space, econ, speculative=spec,
                                          k_values=args.speculative_k_values or (spec.k,))
        else:
            res = search_aggregated(model, hw, args.gpus, wl, sla, dtypes, space, econ)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    out = res.as_dict()
    if getattr(args, "emit", None):
        from runners.cmd_plan import emit_search_launch

        return emit_search_launch(args, model, dtypes, res.best, wl.input_len, wl.output_len)
    if args.sim_check and res.feasible and not args.disaggregated:
        from dashboard.services.search_sim import recheck_with_simulator, simulator_available

        if simulator_available():
            top = sorted(res.feasible, key=lambda r: -r["output_tok_s_per_gpu"])[: args.sim_check]
            out["simulator_check"] = recheck_with_simulator(model, hw, top, wl.input_len, wl.output_len, dtypes,
                                                            sla=sla)
    if args.json:
        emit_json(out)
        return 0
    mode = "disaggregated (PD)" if args.disaggregated else "aggregated"
    print(f"{model.name} on {args.gpus} × {hw.name} ({hw.source_label}), {mode}; I={wl.input_len} O={wl.output_len}; "
          f"{len(res.feasible)} feasible, {len(res.rejected)} rejected {res.reason_counts} in {res.elapsed_s:.3f} s")
    b = res.best
    if not b:
        print("no configuration meets the SLA")
        return 0
    if args.disaggregated:
        print(f"best: {b['x']} prefill × TP{b['tp_p']} + {b['y']} decode × TP{b['tp_d']} (budget {b['budget']}, "
              f"{b['decode_concurrency']} seqs/decode engine), prefill util {b['prefill_util']:.2f}, "
              f"KV transfer {b['kv_transfer_ms']:.2f} ms")
        agg = out.get("aggregated_best")
        if agg:
            print(f"aggregated best: TP{agg['tp']} DP{agg['dp']} C={agg['concurrency']} → "
                  f"{agg['output_tok_s_per_gpu']:.0f} tok/s/GPU")
    else:
        sp = f", speculative {b['speculative']} k={b['num_speculative_tokens']}" if "speculative" in b else ""
        print(f"best: TP{b['tp']} EP{b['ep']} DP{b['dp']} concurrency {b['concurrency']} budget {b['budget']}{sp}")
    print(f"  {b['output_tok_s_per_gpu']:.0f} output tok/s/GPU, TTFT {b['ttft_ms']:.1f} ms, TPOT {b['tpot_ms']:.2f} ms, "
          f"{b['tps_per_user']:.1f} tok/s/user, ${b['cost_per_m_output_usd']:.3f}/M output tokens")
    return 0
