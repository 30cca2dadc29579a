"""Simulation drivers: one run, grids of runs on every CPU core, and seed aggregation.

A :class:`SimJob` is a picklable description of one simulation (model, hardware, layout, dtypes,
workload, scheduler, DP, router, SLA) plus ``labels`` that identify it in a sweep. :func:`run_jobs`
runs a list of them in a ``ProcessPoolExecutor`` (spawned workers, one per core by default;
inline when there is a single job or ``workers=1``), calling ``progress(done, total)`` as results
arrive, and returns flat result rows in job order. Every number in a row comes from
:func:`dashboard.sim_scheduler.simulate`, hence from the shared cost model.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from typing import Any

import numpy as np
import pandas as pd

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import HardwareProfile
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.sim_scheduler import SLA, SchedulerConfig, SimResult, Workload, WorkloadConfig, simulate

__all__ = [
    "MAX_INTERACTIVE_STEPS",
    "PARALLEL_MIN_STEPS",
    "SUMMARY_COLUMNS",
    "SimJob",
    "aggregate_seeds",
    "check_work",
    "choose_workers",
    "estimate_steps",
    "explode_slas",
    "flatten_summary",
    "grid_jobs",
    "run_job",
    "run_jobs",
    "simulate_job",
    "sweep_jobs",
]

#: Flat summary columns of a result row, in display order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "completed",
    "duration_s",
    "request_throughput_req_s",
    "input_throughput_tok_s",
    "output_throughput_tok_s",
    "output_throughput_tok_s_per_gpu",
    "goodput_req_s",
    "sla_attainment",
    "ttft_mean_ms",
    "ttft_p50_ms",
    "ttft_p90_ms",
    "ttft_p99_ms",
    "tpot_mean_ms",
    "tpot_p50_ms",
    "tpot_p90_ms",
    "tpot_p99_ms",
    "itl_p50_ms",
    "itl_p99_ms",
    "e2e_mean_ms",
    "e2e_p50_ms",
    "e2e_p90_ms",
    "e2e_p99_ms",
    "queue_mean_ms",
    "mfu",
    "hbm_bw_utilization",
    "busy_fraction",
    "peak_kv_usage",
    "preemptions",
    "num_steps",
    "num_kv_blocks",
)


@dataclass(frozen=True)
class SimJob:
    """One simulation to run, picklable for worker processes."""

    model: ModelProfile
    hardware: HardwareProfile
    workload: WorkloadConfig | Workload
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    parallel: ParallelConfig = field(default_factory=ParallelConfig)
    dtypes: Dtypes = field(default_factory=Dtypes)
    dp: int = 1
    router: str = "round_robin"
    sla: SLA | None = None
    overlap: float = 0.0
    labels: tuple[tuple[str, Any], ...] = ()
    max_steps: int | None = None  # no cap: long runs report progress and can be stopped
    extra_slas: tuple[SLA, ...] = ()  # goodput is also reported under each of these (``by_sla``)
    steady: bool = False  # statistics over the steady window only (services/sweep_points.py)

    def cost_model(self) -> CostModel:
        return CostModel(self.model, self.hardware, self.parallel, self.dtypes, self.overlap)


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary as one flat row: ``ttft_p90_ms`` etc.; missing SLA fields are NaN."""
    row: dict[str, Any] = {}
    for k, v in summary.items():
        if isinstance(v, dict) and k.endswith("_ms"):
            base = k[:-3]
            for stat, x in v.items():
                row[f"{base}_{stat}_ms"] = x
        elif not isinstance(v, dict):
            row[k] = v
    row.setdefault("goodput_req_s", math.nan)
    row.setdefault("sla_attainment", math.nan)
    return row


def simulate_job(
    job: SimJob, record_steps: bool = True, progress: Callable[[int, int], Any] | None = None
) -> SimResult:
    """The full result of one job (timeline included) in this process; ``progress(done, total)``
    requests is called during the run, and returning ``False`` stops it
    (:class:`~dashboard.sim_scheduler.SimulationStopped`)."""
    return simulate(
        job.cost_model(),
        job.workload,
        job.scheduler,
        dp=job.dp,
        router=job.router,
        sla=job.sla,
        record_steps=record_steps,
        max_steps=job.max_steps,
        progress=progress,
    )


def run_job(job: SimJob) -> dict[str, Any]:
    """One flat result row: the job's labels, then the summary; a configuration the simulator
    rejects gives a row with ``error`` set instead of raising."""
    labels = dict(job.labels)
    try:
        res = simulate_job(job, record_steps=False)
    except ValueError as exc:
        return {**labels, "error": str(exc)}
    row = {**labels, "error": "", **flatten_summary(res.summary)}
    rq = res.requests
    rate_of = 1.0 / res.summary["duration_s"] if res.summary["duration_s"] > 0 else math.nan  # per request
    if job.steady:  # warm-up and drain excluded (services/sweep_points.py says exactly which requests)
        from dashboard.services.sweep_points import steady_stats, steady_window

        st = steady_stats(rq, gpus=int(res.summary["gpus"]), sla=job.sla)
        row.update(st)
        if st["steady"]:
            keep = steady_window(rq["arrival_s"], rq["finish_s"]).measured
            rq = {k: v[keep] for k, v in rq.items()}
            rate_of = st["request_throughput_req_s"] / int(keep.sum())
    if job.extra_slas:
        n = len(rq["ttft_s"])
        by = []
        for sla in job.extra_slas:
            met = int(sla.met(rq["ttft_s"], rq["tpot_s"], rq["e2e_s"]).sum())
            by.append(
                {
                    "sla_ttft_ms": sla.ttft_ms,
                    "sla_tpot_ms": sla.tpot_ms,
                    "sla_e2e_ms": sla.e2e_ms,
                    "goodput_req_s": met * rate_of,
                    "sla_attainment": met / n,
                }
            )
        row["by_sla"] = by
    return row


def explode_slas(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (run, SLA) from rows carrying ``by_sla``: the SLA targets become an ``sla``
    label (``"TTFT≤500 ms, TPOT≤30 ms"``) and ``goodput_req_s``/``sla_attainment`` take that
    SLA's values. Rows without ``by_sla`` pass through unchanged."""
    out: list[dict[str, Any]] = []
    for row in rows:
        by = row.get("by_sla")
        base = {k: v for k, v in row.items() if k != "by_sla"}
        if not by:
            out.append(base)
            continue
        for b in by:
            parts = [
                f"{name}≤{b[key]:g} ms"
                for name, key in (("TTFT", "sla_ttft_ms"), ("TPOT", "sla_tpot_ms"), ("E2E", "sla_e2e_ms"))
                if b[key] is not None
            ]
            out.append(
                {
                    **base,
                    "sla": ", ".join(parts) or "none",
                    "goodput_req_s": b["goodput_req_s"],
                    "sla_attainment": b["sla_attainment"],
                }
            )
    return out


def choose_workers(jobs: Sequence[SimJob], workers: int | None = None) -> int:
    """Processes :func:`run_jobs` uses: ``workers`` if given, else every CPU core when the jobs
    hold at least ``PARALLEL_MIN_STEPS`` estimated steps (spawning a worker costs about a second),
    else 1; never more than the number of jobs."""
    if workers is None or workers < 1:
        big = sum(estimate_steps(j.workload, j.scheduler) for j in jobs) >= PARALLEL_MIN_STEPS
        workers = (os.cpu_count() or 1) if big else 1
    return max(1, min(workers, len(jobs)))


def run_jobs(
    jobs: Sequence[SimJob],
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run ``jobs`` on ``workers`` processes and return their rows in job order. The default uses
    every CPU core when the jobs hold at least ``PARALLEL_MIN_STEPS`` estimated steps, else runs
    inline. ``progress(done, total)`` is called after each finished job."""
    total = len(jobs)
    workers = choose_workers(jobs, workers)
    rows: list[dict[str, Any] | None] = [None] * total
    if workers == 1:
        for i, job in enumerate(jobs):
            rows[i] = run_job(job)
            if progress:
                progress(i + 1, total)
        return [r for r in rows if r is not None]
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            rows[futures[fut]] = fut.result()
            done += 1
            if progress:
                progress(done, total)
    return [r for r in rows if r is not None]


def grid_jobs(base: SimJob, axes: dict[str, Iterable[Any]]) -> list[SimJob]:
    """The cartesian product of ``axes`` applied to ``base``. Axis names address the job
    (``dp``, ``router``, ``sla``), its workload (``workload.concurrency``, ``workload.seed`` …) or
    its scheduler (``scheduler.max_num_batched_tokens`` …); each job is labelled with its values."""
    names = list(axes)
    values = [list(axes[n]) for n in names]
    jobs: list[SimJob] = []

    def rec(i: int, job: SimJob, labels: tuple[tuple[str, Any], ...]) -> None:
        if i == len(names):
            jobs.append(replace(job, labels=base.labels + labels))
            return
        name = names[i]
        for v in values[i]:
            label = name.split(".", 1)[-1]
            rec(i + 1, _with(job, name, v), (*labels, (label, v)))

    rec(0, base, ())
    return jobs


def _with(job: SimJob, name: str, value: Any) -> SimJob:
    if name.startswith("workload."):
        wl = job.workload
        if not isinstance(wl, WorkloadConfig):
            raise ValueError("a trace workload cannot be swept over its fields")
        return replace(job, workload=replace(wl, **{name[9:]: value}))
    if name.startswith("scheduler."):
        return replace(job, scheduler=replace(job.scheduler, **{name[10:]: value}))
    return replace(job, **{name: value})


def aggregate_seeds(
    rows: Sequence[dict[str, Any]], by: Sequence[str], seed_col: str = "seed", metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Group rows by ``by`` (all but the seed) and report each metric's mean, min and max across
    seeds (``<metric>``, ``<metric>_min``, ``<metric>_max``) and the number of seeds."""
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    if "error" in df:
        df = df[df["error"].fillna("") == ""]
    metrics = [m for m in (metrics or SUMMARY_COLUMNS) if m in df.columns]
    keys = [k for k in by if k != seed_col and k in df.columns]
    if not keys:
        df = df.assign(_all=0)
        keys = ["_all"]
    out = []
    for key, grp in df.groupby(keys, sort=False, dropna=False):
        rec = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        rec["seeds"] = int(grp[seed_col].nunique()) if seed_col in grp else len(grp)
        for m in metrics:
            vals = pd.to_numeric(grp[m], errors="coerce").to_numpy(dtype=float)
            vals = vals[~np.isnan(vals)]
            rec[m] = float(vals.mean()) if vals.size else math.nan
            rec[f"{m}_min"] = float(vals.min()) if vals.size else math.nan
            rec[f"{m}_max"] = float(vals.max()) if vals.size else math.nan
        out.append(rec)
    res = pd.DataFrame(out)
    return res.drop(columns=["_all"], errors="ignore")


#: Estimated steps below which a sweep runs inline (process start-up would dominate).
PARALLEL_MIN_STEPS = 40_000

#: Sanity ceiling on simulated steps per page run (about 10 minutes on one core at ~8k steps/s); runs
#: below it show progress, and a 64-engine, 640k-request run (about 1M steps) fits.
MAX_INTERACTIVE_STEPS = 5_000_000

#: Shortest step assumed when estimating the steps of an open-loop run.
MIN_STEP_S = 0.005


def estimate_steps(workload: WorkloadConfig | Workload, sched: SchedulerConfig) -> float:
    """Rough step count of a run, for refusing interactive runs that would take minutes.

    ``ub = Σ ceil(prompt / budget) + Σ output`` bounds the steps of requests served one at a time;
    batching divides it by ``min(max_num_seqs, concurrency or requests)``. An open-loop run lasts at
    least ``requests / rate`` seconds, so it also takes about that duration over a 5 ms step
    (``MIN_STEP_S``), capped at ``ub``."""
    budget = sched.max_num_batched_tokens
    if isinstance(workload, WorkloadConfig):
        n = workload.num_requests
        ub = n * (-(-workload.input_len // budget) + workload.output_len)
        conc, rate = workload.concurrency, workload.request_rate
    else:
        n = workload.num_requests
        ub = sum(-(-p // budget) for p in workload.prompt) + sum(workload.output)
        conc = workload.concurrency
        span = max(workload.arrival_s)
        rate = (n - 1) / span if span > 0 and n > 1 else None
    batched = ub / max(1, min(sched.max_num_seqs, conc or n))
    if conc is None and rate is not None:
        return max(batched, min(float(ub), n / rate / MIN_STEP_S))
    return batched


def check_work(jobs: Sequence[SimJob], limit: float = MAX_INTERACTIVE_STEPS) -> float:
    """Estimated steps of ``jobs``; raises ``ValueError`` when above ``limit``."""
    total = sum(estimate_steps(j.workload, j.scheduler) for j in jobs)
    if total > limit:
        raise ValueError(
            f"about {total:,.0f} simulated steps requested (limit {limit:,.0f} per run): "
            "use fewer requests, shorter outputs, fewer sweep points or a larger token budget"
        )
    return total


def sweep_jobs(
    base: SimJob,
    dists: Sequence[str],
    budgets: Sequence[int],
    policies: Sequence[str],
    loads: Sequence[float],
    load_kind: str,
    seeds: int,
    steady: bool = True,
) -> list[SimJob]:
    """The simulator-sweep grid: length distribution (prompt and output alike) × token budget ×
    policy (``chunked`` or ``prefill_first``) × load (request rate in req/s with Poisson arrivals,
    or closed-loop concurrency) × seeds ``0 … seeds−1``. Labels: ``dist, policy, budget, load,
    seed``. Budgets below ``max_num_seqs`` lower ``max_num_seqs`` to the budget (vLLM requires
    ``max_num_batched_tokens ≥ max_num_seqs``).

    ``steady`` (default): each point runs ``max(num_requests, 4 · in-flight)`` requests and reports
    its steady window only (:mod:`dashboard.services.sweep_points`: warm-up = arrivals before the
    first finish, drain = requests running at the last arrival); the in-flight count is the
    concurrency, or ``ceil(λ · E2E)`` at rate ``λ`` from the analytic steady state."""
    if load_kind not in ("rate", "concurrency"):
        raise ValueError("load_kind must be 'rate' or 'concurrency'")
    wl0 = base.workload
    if not isinstance(wl0, WorkloadConfig):
        raise ValueError("the sweep needs a synthetic workload")
    jobs = []
    for dist in dists:
        for policy in policies:
            if policy not in ("chunked", "prefill_first"):
                raise ValueError(f"unknown policy {policy!r}")
            for budget in budgets:
                sched = replace(
                    base.scheduler,
                    max_num_batched_tokens=int(budget),
                    max_num_seqs=min(base.scheduler.max_num_seqs, int(budget)),
                    chunked_prefill=policy == "chunked",
                )
                sat = None  # one engine's saturation (rate points: the in-flight count by Little's law)
                if steady and load_kind == "rate":
                    from dashboard.services.sweep_points import engine_saturation

                    sat = engine_saturation(base.cost_model(), sched, wl0.input_len, wl0.output_len)
                for load in loads:
                    n_req = wl0.num_requests
                    if steady:
                        from dashboard.services.sweep_points import in_flight_at_rate, point_requests

                        in_flight = max(1, int(load))
                        if sat is not None:  # λ split evenly over the DP engines
                            in_flight = base.dp * in_flight_at_rate(
                                base.cost_model(),
                                wl0.input_len,
                                wl0.output_len,
                                int(budget),
                                float(load) / base.dp,
                                sat,
                            )
                        n_req = point_requests(wl0.num_requests, in_flight)
                    for seed in range(seeds):
                        if load_kind == "rate":
                            wl = replace(
                                wl0,
                                input_dist=dist,
                                output_dist=dist,
                                request_rate=float(load),
                                concurrency=None,
                                seed=seed,
                                num_requests=n_req,
                            )
                        else:
                            wl = replace(
                                wl0,
                                input_dist=dist,
                                output_dist=dist,
                                request_rate=None,
                                concurrency=max(1, int(load)),
                                seed=seed,
                                num_requests=n_req,
                            )
                        labels = (
                            ("dist", dist),
                            ("policy", policy),
                            ("budget", int(budget)),
                            ("load", float(load) if load_kind == "rate" else int(load)),
                            ("seed", seed),
                        )
                        jobs.append(
                            replace(base, workload=wl, scheduler=sched, labels=base.labels + labels, steady=steady)
                        )
    return jobs
