"""``modeling search``: the SLA search (aggregated, or prefill/decode disaggregated with ``--disaggregated``).

The analytic search is the shortlist; the ``--rerun`` N best feasible configurations (default 5) are
re-run in the scheduler simulator under ``--engine`` (default vllm) with the arrival process
``--request-rate R`` (Poisson) or ``--concurrency C`` (closed loop), by default Poisson at the rate each
configuration sustains, and the SLA is checked on simulated ``--percentile`` (default 90).

JSON (``--json``): ``best`` (the best re-run row that meets the SLA in simulation: ``tp``, ``dp``,
``concurrency``, ``output_tok_s_per_gpu``, analytic ``ttft_ms``/``tpot_ms``, simulated
``ttft_ms_p50``/``ttft_ms_p90``/``ttft_ms_p99``/``tpot_ms_p90``/``itl_ms_p90`` …, the scheduler
settings ``max_num_seqs``/``max_num_batched_tokens``; the analytic best when nothing was re-run;
``null`` when nothing meets the SLA), ``best_analytic``, ``rerun`` (each re-run row), ``feasible``,
``rejected`` (each with ``reason``), ``reason_counts``, ``pareto``, ``inputs``; with
``--disaggregated`` also ``aggregated_best`` on the same GPUs (no re-run).
``budget`` means vLLM's ``max_num_batched_tokens`` (decodes included).
"""

from __future__ import annotations

import argparse
from typing import Any

from dashboard.features.parallel import GpuBudget
from dashboard.features.params import add_arguments, argument, coerce_param
from dashboard.features.speculative import SpeculativeConfig
from dashboard.services.search import DEFAULT_BUDGETS, DEFAULT_CONCURRENCY, SLA, Economics, SearchSpace, Workload
from dashboard.services.search_rerun import DEFAULT_RERUN, RerunSettings
from dashboard.sim.pd import PDPools
from dashboard.sim.workload import WorkloadConfig
from runners.common import (
    CliError,
    add_dtype_args,
    add_engine_args,
    add_model_hw_args,
    declared_list,
    dtypes_from,
    emit_json,
    memory_fraction_from,
    resolve_engine,
    resolve_hardware,
    resolve_model,
)


def _int_or_list(text: str) -> int | tuple[int, ...]:
    """``--concurrency``: one value (the re-run's closed loop, ``WorkloadConfig.concurrency``) or the
    older spelling of ``--concurrency-values`` (``SearchSpace.concurrency``)."""
    try:
        if "," in text or ";" in text:
            return coerce_param(SearchSpace, "concurrency", text.replace(";", ","))
        return coerce_param(WorkloadConfig, "concurrency", text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_int_or_list.declaration = (WorkloadConfig, "concurrency")  # type: ignore[attr-defined]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("search", help="search TP × DP (× EP) × concurrency × chunk budget for the SLA")
    add_model_hw_args(p)
    add_dtype_args(p)
    # flags, types, bounds and help from the declarations (dashboard/features/params.py)
    add_arguments(p, GpuBudget, ("gpus",), required=("gpus",))
    add_arguments(p, Workload, ("input_len", "output_len"), required=("input_len", "output_len"))
    add_arguments(p, SLA, ("ttft_ms", "tpot_ms", "min_tps_per_user"))
    p.add_argument("--disaggregated", action="store_true", help="prefill/decode disaggregated pools")
    p.add_argument("--link", dest="link", **argument(PDPools, "link", default="ib", suffix="(with --disaggregated)"))
    add_arguments(p, SearchSpace, ("tp",), defaults=True, dests={"tp": "tp_values"})
    add_arguments(
        p,
        SearchSpace,
        ("concurrency",),
        dests={"concurrency": "concurrency_values"},
        suffix=f"(comma-separated; default 1,2,4…{DEFAULT_CONCURRENCY[-1]})",
    )
    add_arguments(
        p,
        SearchSpace,
        ("budgets",),
        suffix=f"(comma-separated, decodes included; default {','.join(map(str, DEFAULT_BUDGETS))})",
    )
    add_arguments(p, Economics, defaults=True)
    add_engine_args(p)
    p.add_argument("--rerun", "--sim-check", dest="rerun", **argument(RerunSettings, "rerun", default=DEFAULT_RERUN))
    load = p.add_mutually_exclusive_group()
    add_arguments(
        load,
        WorkloadConfig,
        ("request_rate",),
        suffix="of the re-run (default: the rate each configuration sustains)",
    )
    load.add_argument(
        "--concurrency",
        type=_int_or_list,
        metavar="CONCURRENCY",
        help=f"{argument(WorkloadConfig, 'concurrency')['help']} of the re-run (instead of Poisson); a comma "
        "list (e.g. 1,8,64) is the older spelling of --concurrency-values",
    )
    add_arguments(p, RerunSettings, ("percentile", "rerun_requests"), defaults=("percentile",))
    p.add_argument("--json", action="store_true", help="print JSON")
    from runners.spec_args import add_speculative_args

    add_speculative_args(p)
    p.add_argument(
        "--speculative-k-values",
        type=declared_list(SpeculativeConfig, "num_speculative_tokens", max_items=32),
        default=None,
        help="search speculation off and on with each k, e.g. 1,2,3,5 (default: off and the given k): "
        + argument(SpeculativeConfig, "num_speculative_tokens")["help"],
    )
    from runners.cmd_plan import add_emit_arg

    add_emit_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.services.search import search_aggregated
    from dashboard.services.search_pd import search_disaggregated

    model = resolve_model(args.model)
    hw = resolve_hardware(args.hardware)
    dtypes = dtypes_from(args)
    if isinstance(args.concurrency, tuple):  # the older grid spelling
        if args.concurrency_values:
            raise CliError("--concurrency: give the grid once, as --concurrency-values")
        args.concurrency_values, args.concurrency = args.concurrency, None
    engine = resolve_engine(args)
    fraction = memory_fraction_from(args)
    from runners.spec_args import speculative_from

    spec = speculative_from(args, model)
    if args.speculative_k_values and spec is None:
        raise CliError("--speculative-k-values needs --speculative-method or --speculative-config")
    if spec is not None and args.disaggregated:
        raise CliError("--speculative-method: the disaggregated search does not model speculative decoding yet")
    try:
        wl = Workload(args.input_len, args.output_len)
        sla = SLA(args.ttft_ms, args.tpot_ms, args.min_tps_per_user, ttft_percentile=args.percentile)
        space = SearchSpace(
            tp=args.tp_values,
            concurrency=args.concurrency_values or DEFAULT_CONCURRENCY,
            budgets=args.budgets or DEFAULT_BUDGETS,
            engine=args.engine,
            memory_fraction=fraction,
        )
        econ = Economics(args.usd_per_gpu_hour)
        if args.disaggregated:
            res = search_disaggregated(model, hw, args.gpus, wl, sla, dtypes, space, econ, link=args.link)
        elif spec is not None:
            from dashboard.services.search_spec import search_with_speculation

            res = search_with_speculation(
                model,
                hw,
                args.gpus,
                wl,
                sla,
                dtypes,
                space,
                econ,
                speculative=spec,
                k_values=args.speculative_k_values or (spec.k,),
            )
        else:
            res = search_aggregated(model, hw, args.gpus, wl, sla, dtypes, space, econ)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    out = res.as_dict()
    if getattr(args, "emit", None):
        from runners.cmd_plan import emit_search_launch

        return emit_search_launch(args, model, dtypes, res.best, wl.input_len, wl.output_len)
    out["best_analytic"] = res.best
    out["rerun"] = []
    out["rerun_settings"] = {
        "engine": engine.name,
        "percentile": args.percentile,
        "request_rate": args.request_rate,
        "concurrency": args.concurrency,
        "configurations": args.rerun,
    }
    if args.rerun and res.feasible and not args.disaggregated:
        from dashboard.services.search import _best_key
        from dashboard.services.search_rerun import pick_best, rerun_rows

        top = sorted(res.feasible, key=_best_key, reverse=True)[: args.rerun]
        try:
            rows = rerun_rows(
                model,
                hw,
                top,
                wl.input_len,
                wl.output_len,
                dtypes,
                engine=engine,
                memory_fraction=fraction,
                request_rate=args.request_rate,
                concurrency=args.concurrency,
                percentile=args.percentile,
                sla=sla,
                num_requests=args.rerun_requests,
                speculative=spec,
            )
        except ValueError as exc:
            raise CliError(str(exc)) from None
        out["rerun"] = rows
        out["best"] = pick_best(rows)
    if args.json:
        emit_json(out)
        return 0
    mode = "disaggregated (PD)" if args.disaggregated else "aggregated"
    print(
        f"{model.name} on {args.gpus} × {hw.name} ({hw.source_label}), {mode}; I={wl.input_len} O={wl.output_len}; "
        f"{len(res.feasible)} feasible, {len(res.rejected)} rejected {res.reason_counts} in {res.elapsed_s:.3f} s"
    )
    b = out["best"]
    if not b:
        print("no configuration meets the SLA" + (" in simulation" if out["rerun"] else ""))
        return 0
    if args.disaggregated:
        print(
            f"best: {b['x']} prefill × TP{b['tp_p']} + {b['y']} decode × TP{b['tp_d']} (budget {b['budget']}, "
            f"{b['decode_concurrency']} seqs/decode engine), prefill util {b['prefill_util']:.2f}, "
            f"KV transfer {b['kv_transfer_ms']:.2f} ms"
        )
        agg = out.get("aggregated_best")
        if agg:
            print(
                f"aggregated best: TP{agg['tp']} DP{agg['dp']} C={agg['concurrency']} → "
                f"{agg['output_tok_s_per_gpu']:.0f} tok/s/GPU"
            )
    else:
        sp = f", speculative {b['speculative']} k={b['num_speculative_tokens']}" if "speculative" in b else ""
        print(
            f"best: TP{b['tp']} EP{b['ep']} DP{b['dp']} concurrency {b['concurrency']}{sp} "
            f"(--max-num-seqs {b['max_num_seqs']} --max-num-batched-tokens {b['max_num_batched_tokens']})"
        )
    print(
        f"  analytic: {b['output_tok_s_per_gpu']:.0f} output tok/s/GPU, TTFT {b['ttft_ms']:.1f} ms, "
        f"TPOT {b['tpot_ms']:.2f} ms, {b['tps_per_user']:.1f} tok/s/user, ${b['cost_per_m_output_usd']:.3f}/M output tokens"
    )
    if "ttft_ms_p50" in b:
        print(
            f"  simulated ({engine.name}, {b['arrival']}): {b['sim_output_tok_s_per_gpu']:.0f} output tok/s/GPU, "
            f"TTFT p50/p90/p99 {b['ttft_ms_p50']:.1f}/{b['ttft_ms_p90']:.1f}/{b['ttft_ms_p99']:.1f} ms, "
            f"TPOT p90 {b['tpot_ms_p90']:.2f} ms, ITL p90 {b['itl_ms_p90']:.2f} ms"
        )
    for r in out["rerun"]:
        if "sim_error" in r:
            print(f"  re-run TP{r['tp']} DP{r['dp']} C={r['concurrency']}: {r['sim_error']}")
            continue
        verdict = "meets SLA" if r.get("sim_meets_sla", True) else r.get("sim_reason")
        print(
            f"  re-run TP{r['tp']} EP{r['ep']} DP{r['dp']} C={r['concurrency']} B={r['budget']}: TTFT analytic "
            f"{r['ttft_ms']:.1f} ms vs simulated p50/p90/p99 {r['ttft_ms_p50']:.1f}/{r['ttft_ms_p90']:.1f}/"
            f"{r['ttft_ms_p99']:.1f} ms; {verdict}"
        )
    return 0
