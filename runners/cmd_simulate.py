"""``modeling simulate``: run the vLLM-style scheduler simulator on a synthetic workload or a trace.

Every step of the simulation is priced by the shared cost model; see ``dashboard/sim_scheduler.py``.
``--engine`` (vllm by default, sglang, trtllm or a profile JSON) sets the scheduler defaults per GPU,
the KV-capacity rule, admission, async scheduling, preemption victim, prefix caching and serving
overheads; explicit flags override them. ``--json`` prints the summary (``completed``,
``duration_s``, ``ttft_ms``/``tpot_ms``/``itl_ms``/``e2e_ms`` with ``mean``/``p50``/``p90``/``p99``,
throughputs, MFU, HBM utilisation …), the ``engine`` and the ``scheduler`` settings it ran with.
"""

from __future__ import annotations

import argparse
from typing import Any

from runners.common import (
    CliError,
    add_dtype_args,
    add_engine_args,
    add_model_hw_args,
    add_parallel_args,
    dtypes_from,
    emit_json,
    memory_fraction_from,
    resolve_engine,
    resolve_hardware,
    resolve_model,
)


def add_parser(sub: Any) -> None:
    from dashboard.features.kv_offload import CpuTierConfig
    from dashboard.features.parallel import ParallelConfig
    from dashboard.features.params import add_arguments, argument
    from dashboard.sim.metrics import SLA
    from dashboard.sim.pd import PDPools
    from dashboard.sim.policies import Routing
    from dashboard.sim.traces import TraceReplay
    from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig

    p = sub.add_parser("simulate", help="simulate a vLLM-style scheduler serving a workload (TTFT/TPOT/throughput)")
    add_model_hw_args(p)
    add_parallel_args(p)
    # flags, types, bounds and help from the declarations (dashboard/features/params.py)
    add_arguments(p, ParallelConfig, ("dp",), defaults=True, suffix="")
    add_dtype_args(p)
    add_arguments(p, WorkloadConfig, ("num_requests", "input_len", "output_len"), suffix="(required without --trace)")
    add_arguments(p, WorkloadConfig, ("input_dist", "output_dist", "input_spread", "output_spread"), defaults=True)
    load = p.add_mutually_exclusive_group()
    add_arguments(load, WorkloadConfig, ("request_rate", "concurrency"), suffix="(default: all at t=0)")
    add_arguments(p, WorkloadConfig, ("arrival", "burstiness"), defaults=True)
    p.add_argument(
        "--trace",
        help="trace file replacing the synthetic workload: Mooncake-style JSONL (timestamp ms, "
        "input_length, output_length, hash_ids), BurstGPT CSV, or CSV arrival_s,prompt_tokens,output_tokens",
    )
    add_arguments(p, TraceReplay, defaults=("time_scale",))
    p.add_argument(
        "--kv-cpu-gib",
        dest="kv_cpu_gib",
        **{**argument(CpuTierConfig, "capacity_gib", suffix="(off when absent)"), "metavar": "GIB"},
    )
    p.add_argument("--kv-connector", dest="kv_connector", **argument(CpuTierConfig, "mode", default="layerwise"))
    add_engine_args(p)
    # flags, types, bounds and help from SchedulerConfig's declarations (dashboard/features/params.py)
    add_arguments(
        p,
        SchedulerConfig,
        ("max_num_batched_tokens", "max_num_seqs", "block_size", "num_kv_blocks"),
        suffix="(default: the engine's for this GPU)",
    )
    chunk = p.add_mutually_exclusive_group()
    chunk.add_argument(
        "--no-chunked-prefill",
        action="store_true",
        help="whole prompts only, admitted beside the decodes when they fit (vLLM V1)",
    )
    chunk.add_argument("--chunked-prefill", action="store_true", help="split long prompts (default for vllm/sglang)")
    add_arguments(p, SchedulerConfig, ("prefix_cache_hit",), defaults=("prefix_cache_hit",))
    p.add_argument("--no-prefix-caching", action="store_true", help="turn the engine's prefix cache off")
    add_arguments(p, SchedulerConfig, ("preempt",), suffix="(default: the engine's; vLLM: last admitted)")
    p.add_argument("--router", **argument(Routing, "router", suffix="(default: the engine's)"))
    add_arguments(
        p,
        SLA,
        dests={"ttft_ms": "sla_ttft_ms", "tpot_ms": "sla_tpot_ms", "e2e_ms": "sla_e2e_ms"},
        suffix="(for goodput)",
    )
    add_arguments(p, WorkloadConfig, ("seed",), defaults=True)
    p.add_argument(
        "--disaggregated",
        action="store_true",
        help="prefill/decode disaggregation: --prefill-engines prefill engines send the KV over --link to "
        "--decode-engines decode engines (same layout); TTFT includes the transfer and the decode "
        "engine's first step",
    )
    add_arguments(p, PDPools, defaults=True)
    p.add_argument("--json", action="store_true", help="print JSON")
    from runners.spec_args import add_speculative_args

    add_speculative_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.features.cost_model import CostModel
    from dashboard.features.kv_offload import CpuTierConfig
    from dashboard.features.parallel import ParallelConfig, ParallelError, validate_parallel
    from dashboard.features.params import describe_inputs, from_namespace
    from dashboard.sim.traces import load_trace
    from dashboard.sim_scheduler import SLA, SchedulerConfig, WorkloadConfig, make_workload, simulate

    model = resolve_model(args.model)
    hw = resolve_hardware(args.hardware)
    try:
        par = ParallelConfig(tp=args.tp, ep=args.ep)
        validate_parallel(model, par)
    except ParallelError as exc:
        raise CliError(f"--tp/--ep: {exc}") from None
    dt = dtypes_from(args)
    from runners.spec_args import speculative_from

    spec = speculative_from(args, model)
    if spec is not None and args.no_chunked_prefill:
        raise CliError("--no-chunked-prefill: speculative decoding is simulated with chunked prefill (vLLM V1)")
    engine = resolve_engine(args)
    fraction = memory_fraction_from(args)
    router = args.router or engine.dp_router
    try:
        trace = None
        wl_cfg = None
        if args.trace:
            try:
                trace = load_trace(
                    args.trace,
                    block_size=args.trace_block_size,
                    time_scale=args.time_scale,
                    request_rate=args.trace_rate,
                    concurrency=args.concurrency,
                )
            except (ValueError, OSError) as exc:
                raise CliError(f"--trace: {exc}") from None
            wl = trace.workload
        else:
            missing = [
                f"--{n}"
                for n in ("num-requests", "input-len", "output-len")
                if getattr(args, n.replace("-", "_")) is None
            ]
            if missing:
                raise CliError(f"{', '.join(missing)} required (or give --trace)")
            wl_cfg = WorkloadConfig(**from_namespace(args, WorkloadConfig))  # every declared workload flag
            wl = make_workload(wl_cfg)
        chunked = False if args.no_chunked_prefill else (True if args.chunked_prefill else None)
        sched = SchedulerConfig.from_engine(
            engine,
            hw,
            par.tp,
            max_num_batched_tokens=args.max_num_batched_tokens,
            max_num_seqs=args.max_num_seqs,
            block_size=args.block_size,
            num_kv_blocks=args.num_kv_blocks,
            chunked_prefill=chunked,
            prefix_cache_hit=args.prefix_cache_hit,
            memory_fraction=fraction,
            preempt=args.preempt,
            prefix_caching=False if args.no_prefix_caching else None,
        )
        sla = None
        if args.sla_ttft_ms or args.sla_tpot_ms or args.sla_e2e_ms:
            sla = SLA(ttft_ms=args.sla_ttft_ms, tpot_ms=args.sla_tpot_ms, e2e_ms=args.sla_e2e_ms)
        cm = CostModel(model, hw, par, dt)
        if args.disaggregated:
            if args.concurrency or spec is not None or args.kv_cpu_gib:
                raise CliError(
                    "--disaggregated: give a --request-rate or a trace (open loop), without speculative "
                    "decoding or a CPU KV tier"
                )
            return _run_pd(args, model, hw, par, engine, sched, cm, wl, router)
        tier = CpuTierConfig(capacity_gib=args.kv_cpu_gib, mode=args.kv_connector) if args.kv_cpu_gib else None
        res = simulate(
            cm,
            wl,
            sched,
            dp=args.dp,
            router=router,
            sla=sla,
            record_steps=False,
            speculative=spec,
            spec_seed=args.seed,
            cpu_tier=tier,
        )
        if tier is not None:  # the same run without the tier, for the TTFT change
            base = simulate(
                cm,
                wl,
                sched,
                dp=args.dp,
                router=router,
                sla=sla,
                record_steps=False,
                speculative=spec,
                spec_seed=args.seed,
            )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    s = res.summary
    out = {
        "model": model.name,
        "hardware": hw.name,
        "hardware_source": hw.source_label,
        "tp": par.tp,
        "ep": par.ep,
        "dp": args.dp,
        "attention_dp_ranks": par.attention_dp,
        "router": router,
        "engine": engine.name,
        "engine_source": engine.source_label,
        "dtypes": {"weight": dt.weight, "activation": dt.activation, "kv": dt.kv},
        "scheduler": {
            **sched.settings(),
            "num_kv_blocks": res.num_kv_blocks,
            "memory_fraction": fraction if fraction is not None else engine.memory_fraction(hw, tp=par.tp),
        },
        "workload": {
            "num_requests": wl.num_requests,
            "request_rate": None if args.trace else args.request_rate,
            "concurrency": wl.concurrency,
            "trace": args.trace,
            "trace_format": trace.format if trace else None,
            "trace_skipped_rows": trace.skipped if trace else 0,
            "mean_input_len": wl.mean_prompt_len,
            "mean_output_len": wl.mean_output_len,
        },
        **s,
    }
    # value, unit, bounds and label of every declared input (dashboard/features/params.py)
    out["parameters"] = describe_inputs(
        workload=wl_cfg, scheduler=sched, parallel=par, dtypes=dt, sla=sla, speculative=spec, kv_cpu_tier=tier
    )
    if spec is not None:
        out["speculative"] = spec.as_dict()
    if tier is not None:
        b = base.summary
        out["kv_cpu_tier"].update(
            {
                "capacity_gib_per_gpu": tier.capacity_gib,
                "ttft_mean_ms_without_tier": b["ttft_ms"]["mean"],
                "ttft_p90_ms_without_tier": b["ttft_ms"]["p90"],
                "ttft_mean_change_ms": s["ttft_ms"]["mean"] - b["ttft_ms"]["mean"],
                "prefix_cache_hit_rate_without_tier": b["prefix_cache_hit_rate"],
            }
        )
    if args.json:
        emit_json(out)
        return 0
    print(
        f"{model.name} on {hw.name} ({hw.source_label}), engine {engine.name}, TP={par.tp} DP={args.dp}, "
        f"{'chunked prefill' if sched.chunked_prefill else 'whole prompts'}, budget {sched.max_num_batched_tokens}, "
        f"max seqs {sched.max_num_seqs}, {res.num_kv_blocks} KV blocks of {sched.block_size}"
    )
    print(f"{'completed':<34}{s['completed']}/{s['num_requests']}")
    print(f"{'duration (s)':<34}{s['duration_s']:.3f}")
    print(f"{'request throughput (req/s)':<34}{s['request_throughput_req_s']:.3f}")
    print(f"{'input throughput (tok/s)':<34}{s['input_throughput_tok_s']:.1f}")
    print(f"{'output throughput (tok/s)':<34}{s['output_throughput_tok_s']:.1f}")
    print(f"{'output tok/s per GPU':<34}{s['output_throughput_tok_s_per_gpu']:.1f}")
    if "goodput_req_s" in s:
        print(f"{'goodput (req/s), SLA attainment':<34}{s['goodput_req_s']:.3f}, {s['sla_attainment'] * 100:.1f} %")
    print(f"{'MFU / HBM BW utilisation':<34}{s['mfu'] * 100:.1f} % / {s['hbm_bw_utilization'] * 100:.1f} %")
    print(f"{'steps, preemptions':<34}{s['num_steps']}, {s['preemptions']}")
    print(f"{'prefix cache hit rate':<34}{s['prefix_cache_hit_rate'] * 100:.1f} %")
    if tier is not None:
        k = out["kv_cpu_tier"]
        print(
            f"{'  of which from the CPU tier':<34}{k['cpu_hit_rate'] * 100:.1f} % "
            f"({k['bytes_loaded'] / 1e9:.2f} GB loaded, {k['bytes_written'] / 1e9:.2f} GB written back per GPU)"
        )
        print(
            f"{'TTFT mean change with the tier':<34}{k['ttft_mean_change_ms']:+.1f} ms "
            f"(without: {k['ttft_mean_ms_without_tier']:.1f} ms)"
        )
    if spec is not None:
        print(
            f"{'speculative ' + spec.method + ' k=' + str(spec.k):<34}acceptance length "
            f"{s['spec_decode_acceptance_length']:.3f} realised ({s['spec_expected_acceptance_length']:.3f} expected)"
        )
    print(f"{'(ms)':<10}{'mean':>10}{'p50':>10}{'p90':>10}{'p99':>10}")
    for key in ("ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "queue_ms"):
        d = s[key]
        print(f"{key[:-3].upper():<10}{d['mean']:>10.2f}{d['p50']:>10.2f}{d['p90']:>10.2f}{d['p99']:>10.2f}")
    return 0


def _run_pd(
    args: argparse.Namespace, model: Any, hw: Any, par: Any, engine: Any, sched: Any, cm: Any, wl: Any, router: str
) -> int:
    from dashboard.sim.pd import simulate_pd

    try:
        res = simulate_pd(
            cm,
            cm,
            wl,
            x=args.prefill_engines,
            y=args.decode_engines,
            sched_prefill=sched,
            sched_decode=sched,
            link=args.link,
            router=router,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    s = res.summary
    out = {
        "model": model.name,
        "hardware": hw.name,
        "tp": par.tp,
        "ep": par.ep,
        "engine": engine.name,
        "scheduler": sched.settings(),
        "disaggregated": True,
        **s,
    }
    if args.json:
        emit_json(out)
        return 0
    print(
        f"{model.name} on {hw.name}, engine {engine.name}, TP={par.tp}: {args.prefill_engines} prefill + "
        f"{args.decode_engines} decode engines, KV over {args.link}"
    )
    print(f"{'completed':<34}{s['completed']}/{s['num_requests']}")
    print(f"{'output tok/s per GPU':<34}{s['output_throughput_tok_s_per_gpu']:.1f}")
    print(f"{'(ms)':<22}{'mean':>10}{'p50':>10}{'p90':>10}{'p99':>10}")
    for key in ("ttft_ms", "tpot_ms", "e2e_ms", "kv_transfer_ms", "kv_wait_ms", "decode_first_step_ms"):
        d = s[key]
        print(f"{key[:-3]:<22}{d['mean']:>10.2f}{d['p50']:>10.2f}{d['p90']:>10.2f}{d['p99']:>10.2f}")
    return 0
