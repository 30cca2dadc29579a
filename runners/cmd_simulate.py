"""``modeling simulate``: run the vLLM-style scheduler simulator on a synthetic workload or a trace.

Every step of the simulation is priced by the shared cost model; see ``dashboard/sim_scheduler.py``.
``--json`` prints the summary (``completed``, ``duration_s``, ``ttft_ms``/``tpot_ms``/``itl_ms``/
``e2e_ms`` with ``mean``/``p50``/``p90``/``p99``, throughputs, MFU, HBM utilisation …).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from runners.common import (
    CliError,
    add_dtype_args,
    add_model_hw_args,
    add_parallel_args,
    dtypes_from,
    emit_json,
    positive_float,
    positive_int,
    resolve_hardware,
    resolve_model,
)


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= v < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return v


def _nonneg_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (v >= 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"must be a non-negative finite number, got {text}")
    return v


def add_parser(sub: Any) -> None:
    from dashboard.sim_scheduler import ARRIVALS, LENGTH_DISTS, PREEMPT_ORDERS, ROUTERS

    p = sub.add_parser("simulate", help="simulate a vLLM-style scheduler serving a workload (TTFT/TPOT/throughput)")
    add_model_hw_args(p)
    add_parallel_args(p)
    p.add_argument("--dp", type=positive_int, default=1, help="data-parallel engines behind the router")
    add_dtype_args(p)
    p.add_argument("--num-requests", type=positive_int, help="requests to simulate (required without --trace)")
    p.add_argument("--input-len", type=positive_int, help="mean prompt tokens (required without --trace)")
    p.add_argument("--output-len", type=positive_int, help="mean output tokens (required without --trace)")
    p.add_argument("--input-dist", choices=LENGTH_DISTS, default="fixed", help="prompt length distribution")
    p.add_argument("--output-dist", choices=LENGTH_DISTS, default="fixed", help="output length distribution")
    p.add_argument("--input-spread", type=_nonneg_float, default=0.5,
                   help="uniform: ±fraction of the mean; normal: σ/mean; lognormal: σ of log")
    p.add_argument("--output-spread", type=_nonneg_float, default=0.5, help="as --input-spread, for outputs")
    load = p.add_mutually_exclusive_group()
    load.add_argument("--request-rate", type=positive_float, help="requests/s (default: all at t=0)")
    load.add_argument("--concurrency", type=positive_int, help="closed loop: clients each with one request in flight")
    p.add_argument("--arrival", choices=ARRIVALS, default="poisson", help="arrival process for --request-rate")
    p.add_argument("--burstiness", type=positive_float, default=1.0, help="gamma shape (1 = Poisson, <1 burstier)")
    p.add_argument("--trace", help="CSV with arrival_s,prompt_tokens,output_tokens (replaces the synthetic workload)")
    p.add_argument("--max-num-batched-tokens", type=positive_int, default=2048, help="token budget per step")
    p.add_argument("--max-num-seqs", type=positive_int, default=256, help="running sequences per engine")
    p.add_argument("--block-size", type=positive_int, default=16, help="tokens per KV block")
    p.add_argument("--num-kv-blocks", type=positive_int, help="KV blocks per engine (default: from the memory model)")
    p.add_argument("--gpu-memory-utilization", type=positive_float, default=0.9, help="fraction of HBM vLLM may use")
    p.add_argument("--no-chunked-prefill", action="store_true", help="prefill-first scheduling (whole prompts)")
    p.add_argument("--prefix-cache-hit", type=_fraction, default=0.0, help="fraction of each prompt already cached")
    p.add_argument("--preempt", choices=PREEMPT_ORDERS, default="last_arrived",
                   help="recompute victim: latest arrival, or latest admitted (vLLM's running.pop())")
    p.add_argument("--router", choices=ROUTERS, default="round_robin", help="request router across --dp engines")
    p.add_argument("--sla-ttft-ms", type=positive_float, help="TTFT target for goodput")
    p.add_argument("--sla-tpot-ms", type=positive_float, help="TPOT target for goodput")
    p.add_argument("--sla-e2e-ms", type=positive_float, help="end-to-end latency target for goodput")
    p.add_argument("--seed", type=int, default=0, help="random seed of the workload")
    p.add_argument("--json", action="store_true", help="print JSON")
    from runners.spec_args import add_speculative_args

    add_speculative_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.features.cost_model import CostModel
    from dashboard.features.parallel import ParallelConfig, ParallelError, validate_parallel
    from dashboard.sim.workload import workload_from_trace
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
    if args.seed < 0:
        raise CliError("--seed must be a non-negative integer")
    if args.gpu_memory_utilization > 1:
        raise CliError("--gpu-memory-utilization must be in (0, 1]")
    try:
        if args.trace:
            try:
                wl = workload_from_trace(args.trace if "\n" in args.trace else _read(args.trace), args.concurrency)
            except ValueError as exc:
                raise CliError(f"--trace: {exc}") from None
        else:
            missing = [f"--{n}" for n in ("num-requests", "input-len", "output-len")
                       if getattr(args, n.replace("-", "_")) is None]
            if missing:
                raise CliError(f"{', '.join(missing)} required (or give --trace)")
            wl = make_workload(WorkloadConfig(
                num_requests=args.num_requests, input_len=args.input_len, output_len=args.output_len,
                input_dist=args.input_dist, output_dist=args.output_dist, input_spread=args.input_spread,
                output_spread=args.output_spread, arrival=args.arrival, request_rate=args.request_rate,
                burstiness=args.burstiness, concurrency=args.concurrency, seed=args.seed,
            ))
        sched = SchedulerConfig(
            max_num_batched_tokens=args.max_num_batched_tokens, max_num_seqs=args.max_num_seqs,
            block_size=args.block_size, num_kv_blocks=args.num_kv_blocks,
            chunked_prefill=not args.no_chunked_prefill, prefix_cache_hit=args.prefix_cache_hit,
            gpu_memory_utilization=args.gpu_memory_utilization, preempt=args.preempt,
        )
        sla = None
        if args.sla_ttft_ms or args.sla_tpot_ms or args.sla_e2e_ms:
            sla = SLA(ttft_ms=args.sla_ttft_ms, tpot_ms=args.sla_tpot_ms, e2e_ms=args.sla_e2e_ms)
        cm = CostModel(model, hw, par, dt)
        res = simulate(cm, wl, sched, dp=args.dp, router=args.router, sla=sla, record_steps=False,
                       speculative=spec, spec_seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    s = res.summary
    out = {
        "model": model.name, "hardware": hw.name, "hardware_source": hw.source_label,
        "tp": par.tp, "ep": par.ep, "dp": args.dp, "router": args.router,
        "dtypes": {"weight": dt.weight, "activation": dt.activation, "kv": dt.kv},
        "scheduler": {"max_num_batched_tokens": sched.max_num_batched_tokens, "max_num_seqs": sched.max_num_seqs,
                      "block_size": sched.block_size, "num_kv_blocks": res.num_kv_blocks,
                      "chunked_prefill": sched.chunked_prefill, "prefix_cache_hit": sched.prefix_cache_hit,
                      "preempt": sched.preempt},
        "workload": {"num_requests": wl.num_requests, "request_rate": None if args.trace else args.request_rate,
                     "concurrency": wl.concurrency, "trace": args.trace,
                     "mean_input_len": sum(wl.prompt) / wl.num_requests,
                     "mean_output_len": sum(wl.output) / wl.num_requests},
        **s,
    }
    if spec is not None:
        out["speculative"] = spec.as_dict()
    if args.json:
        emit_json(out)
        return 0
    print(f"{model.name} on {hw.name} ({hw.source_label}), TP={par.tp} DP={args.dp}, "
          f"{'chunked prefill' if sched.chunked_prefill else 'prefill-first'}, budget {sched.max_num_batched_tokens}, "
          f"max seqs {sched.max_num_seqs}, {res.num_kv_blocks} KV blocks of {sched.block_size}")
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
    if spec is not None:
        print(f"{'speculative ' + spec.method + ' k=' + str(spec.k):<34}acceptance length "
              f"{s['spec_decode_acceptance_length']:.3f} realised ({s['spec_expected_acceptance_length']:.3f} expected)")
    print(f"{'(ms)':<10}{'mean':>10}{'p50':>10}{'p90':>10}{'p99':>10}")
    for key in ("ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "queue_ms"):
        d = s[key]
        print(f"{key[:-3].upper():<10}{d['mean']:>10.2f}{d['p50']:>10.2f}{d['p90']:>10.2f}{d['p99']:>10.2f}")
    return 0


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise CliError(f"--trace: cannot read {path}: {exc.strerror}") from None
