"""Simulator sweep: request distributions × token budgets × scheduler policies × load × seeds, run on
every CPU core; latency percentiles with their spread across seeds, goodput and utilisation trends."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import math
from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_sim
from dashboard.common.i18n import localize_error
from dashboard.common.labels import source_label
from dashboard.common.numfmt import format_sig
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.components.run import fingerprint, run_button
from dashboard.components.sweep_spec import render_sweep_spec
from dashboard.services.simulation import (
    SimJob,
    aggregate_seeds,
    check_work,
    choose_workers,
    explode_slas,
    run_jobs,
    sweep_jobs,
)
from dashboard.sim_scheduler import LENGTH_DISTS, SLA, SchedulerConfig, WorkloadConfig
from dashboard.state.scale_up_sweep_with_sim import POLICIES, SWEEP_LOADS, SweepInputs

PAGE = "scale_up_sweep_with_sim"
MAX_JOBS = 400
STEPS_PER_JOB = 200_000

HELP = {
    "en": r"""
**What it computes.** A grid of simulations with the vLLM-style scheduler simulator (`dashboard/sim_scheduler.py`):
every **length distribution** (prompt and output lengths drawn fixed / uniform / normal / lognormal around the
means) × **token budget** (`max_num_batched_tokens`, the chunk size of chunked prefill) × **scheduler policy**
(chunked prefill, or prefill-first without chunking) × **load point** (Poisson request rate or closed-loop
concurrency) × **seed**. Every step of every run is priced by the shared cost model from its exact composition.

- Runs execute in parallel on all CPU cores (`concurrent.futures.ProcessPoolExecutor`,
  `dashboard/services/simulation.py`) when the sweep is big enough to repay starting the worker processes (or
  always, with an explicit worker count); the bar shows progress.
- The **statistics table** averages each configuration over its seeds and gives the `[min – max]` spread across
  seeds — the sampling noise of a finite benchmark. Percentiles (p50/p90/p99) are computed per run, as
  `vllm bench serve` reports them.
- **Goodput** counts requests meeting every SLA target (TTFT and TPOT; 0 disables a target) per second, for each
  SLA of *TTFT targets × TPOT targets* (evaluated on the same runs, so SLAs do not add simulations).
- **Utilisation**: MFU = FLOPs per GPU ÷ (duration × peak), HBM = bytes per GPU ÷ (duration × bandwidth); both from
  the cost model's per-step op list. Rising load raises both until the engine saturates.
- KV blocks come from the memory model (90 % of HBM); budgets below `max_num_seqs` cap `max_num_seqs`.
- **Steady state** (`dashboard/services/sweep_points.py`): each point runs `max(requests, 4 × in-flight)` requests,
  the in-flight count being the concurrency, or `ceil(λ · E2E)` at rate `λ` (Little's law, E2E from the cost
  model's steady state). The statistics exclude the **warm-up** (requests arriving before the first request
  finishes) and the **drain** (requests still running at the last arrival); throughputs count the requests finishing
  between the last warm-up finish and the last arrival. MFU/HBM stay whole-run figures.
- **Saturation**: the cost model's steady-state throughput at `C_max = min(max_num_seqs, KV-capacity sequences)` is
  the maximum sustainable request rate (dashed line on rate sweeps); the knee is the smallest concurrency reaching
  90 % of it (dashed line on concurrency sweeps). A rate above saturation has no steady state: its queue keeps growing.
""",
    "zh": r"""
**计算内容。** 用 vLLM 风格调度模拟器（`dashboard/sim_scheduler.py`）运行一组模拟：**长度分布**（输入与输出长度按固定 /
均匀 / 正态 / 对数正态围绕均值抽样）× **token 预算**（`max_num_batched_tokens`，即 chunked prefill 的 chunk 大小）×
**调度策略**（chunked prefill，或不分块的 prefill 优先）× **负载点**（泊松请求速率或闭环并发）× **随机种子**。
每次运行的每一步都由共享成本模型按其确切组成定价。

- 扫描规模足够大时（或指定了工作进程数时），所有运行在全部 CPU 核心上并行执行（`concurrent.futures.ProcessPoolExecutor`，
  `dashboard/services/simulation.py`），进度条显示进度。
- **统计表**对每个配置的多个种子取平均，并给出种子间的 `[最小 – 最大]` 范围（有限次压测的抽样噪声）。分位数
  （p50/p90/p99）按单次运行计算，与 `vllm bench serve` 一致。
- **有效吞吐**：每秒满足全部 SLA 目标（TTFT 与 TPOT；0 表示不限）的请求数，对 *TTFT 目标 × TPOT 目标* 的每个 SLA 分别计算
  （基于同一批运行，不增加模拟次数）。
- **利用率**：MFU = 每卡 FLOPs ÷ (时长 × 峰值)，HBM = 每卡字节 ÷ (时长 × 带宽)，均来自成本模型每步的算子列表。
  负载上升时两者随之上升，直到引擎饱和。
- KV 块数由显存模型计算（90% HBM）；低于 `max_num_seqs` 的预算会把 `max_num_seqs` 限制为该预算。
- **稳态**（`dashboard/services/sweep_points.py`）：每个点运行 `max(请求数, 4 × 在途请求数)` 个请求；在途请求数为并发数，
  或在速率 `λ` 下为 `ceil(λ · E2E)`（利特尔定律，E2E 取自成本模型稳态）。统计排除**预热**（在第一个请求完成之前到达的请求）
  和**收尾**（最后一次到达时仍在运行的请求）；吞吐按在“最后一个预热请求完成”与“最后一次到达”之间完成的请求计算。MFU/HBM 仍为全程数值。
- **饱和点**：成本模型在 `C_max = min(max_num_seqs, KV 容量可容纳的序列数)` 下的稳态吞吐即最大可持续请求速率（速率扫描图中的虚线）；
  拐点是吞吐达到其 90 % 的最小并发（并发扫描图中的虚线）。高于饱和速率的负载不存在稳态：队列会持续增长。
""",
}

SHOW = [
    "output_throughput_tok_s",
    "request_throughput_req_s",
    "goodput_req_s",
    "sla_attainment",
    "ttft_p50_ms",
    "ttft_p90_ms",
    "ttft_p99_ms",
    "tpot_p50_ms",
    "tpot_p90_ms",
    "tpot_p99_ms",
    "e2e_p90_ms",
    "mfu",
    "hbm_bw_utilization",
    "preemptions",
]


def _saturation_marks(ctx: Any, v: SweepInputs) -> dict[str, float]:
    """Saturation per token budget (services/sweep_points.py): a caption, and the chart marks
    (the saturation rate on rate sweeps, the knee concurrency on concurrency sweeps)."""
    from dashboard.services.sweep_points import REQUESTS_PER_CLIENT, engine_saturation

    cm = ctx.cost_model()
    marks: dict[str, float] = {}
    parts = []
    for budget in v.budgets:
        sched = SchedulerConfig(max_num_seqs=min(v.max_num_seqs, budget), max_num_batched_tokens=budget)
        sat = engine_saturation(cm, sched, v.input_len, v.output_len)
        parts.append(ctx.t("ssweep.sat.one", budget=budget, rate=format_sig(sat.rate_req_s), knee=sat.knee_concurrency))
        x = sat.rate_req_s if v.load == "rate" else sat.knee_concurrency
        marks[ctx.t("ssweep.sat.mark" if v.load == "rate" else "ssweep.sat.knee", budget=budget)] = x
    ctx.st.caption(ctx.t("ssweep.sat.note", parts="; ".join(parts), k=REQUESTS_PER_CLIENT, n=v.num_requests))
    return marks


def _spread_frame(agg: pd.DataFrame) -> pd.DataFrame:
    """Display table: ``metric`` (mean) and ``metric [min–max]`` text for the latency columns."""
    keys = ["dist", "policy", "budget", "load", "sla", "seeds"]
    out = agg[[k for k in keys if k in agg]].copy()
    for m in SHOW:
        if m not in agg:
            continue
        out[m] = agg[m]
        if m.endswith("_ms"):
            out[f"{m} [min–max]"] = [
                "—" if math.isnan(lo) else f"{lo:,.1f} – {hi:,.1f}"
                for lo, hi in zip(agg[f"{m}_min"], agg[f"{m}_max"], strict=True)
            ]
    return out


def render() -> None:
    ctx, _ = bootstrap(
        title="Simulator sweep",
        header_description="Distributions × chunk sizes × policies × load × seeds on every core.",
        help_title="Simulator sweep",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    st.info(t("ssweep.time_model", hw=ctx.hardware.name, source=source_label(ctx.hardware, ctx.lang)))
    render_sweep_spec(ctx, PAGE)
    inputs = PageInputs(ctx, PAGE, SweepInputs)
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown(f"**{t('ssweep.workload')}**")
        inputs.number("num_requests", t("ssweep.num_requests"), step=20)  # bounds: the declarations
        inputs.number("input_len", t("ssweep.input_len"), step=128)
        inputs.number("output_len", t("ssweep.output_len"), step=32)
        inputs.number("spread", t("ssweep.spread"), step=0.1)
        inputs.number("max_num_seqs", t("ssweep.max_seqs"), step=16)
    with c2:
        st.markdown(f"**{t('ssweep.grid')}**")
        inputs.multiselect("dists", t("ssweep.dists"), LENGTH_DISTS)
        inputs.text("budgets", t("ssweep.budgets"))
        inputs.multiselect("policies", t("ssweep.policies"), POLICIES)
        inputs.select("load", t("ssweep.load"), SWEEP_LOADS, format_func=lambda k: t(f"ssweep.load.{k}"), radio=True)
        inputs.text("loads", t("ssweep.loads"))
        inputs.number("seeds", t("ssweep.seeds"), step=1)
    with c3:
        st.markdown(f"**{t('ssweep.sla')}**")
        inputs.text("sla_ttft_list", t("ssweep.sla_ttft"))
        inputs.text("sla_tpot_list", t("ssweep.sla_tpot"))
        inputs.number("workers", t("ssweep.workers"), step=1)
    inputs.sync_query_params()
    v: SweepInputs = inputs.values

    try:
        ctx.cost_model()  # validates the layout
        slas = tuple(
            dict.fromkeys(SLA(ttft_ms=a or None, tpot_ms=b or None) for a in v.sla_ttft_list for b in v.sla_tpot_list)
        )
        base = SimJob(
            model=ctx.model,
            hardware=ctx.hardware,
            parallel=ctx.parallel,
            dtypes=ctx.dtypes,
            workload=WorkloadConfig(
                num_requests=v.num_requests,
                input_len=v.input_len,
                output_len=v.output_len,
                input_spread=v.spread,
                output_spread=v.spread,
            ),
            scheduler=SchedulerConfig(max_num_seqs=v.max_num_seqs),
            sla=slas[0],
            extra_slas=slas,
            max_steps=STEPS_PER_JOB,
        )
        loads = v.loads if v.load == "rate" else tuple(max(1, int(x)) for x in v.loads)
        jobs = sweep_jobs(base, v.dists, v.budgets, v.policies, loads, v.load, v.seeds)
        if len(jobs) > MAX_JOBS:
            raise ValueError(f"{len(jobs)} simulations requested; at most {MAX_JOBS} per sweep")
        check_work(jobs)
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    workers = choose_workers(jobs, v.workers or None)
    marks = _saturation_marks(ctx, v)

    def compute() -> list:
        bar = st.progress(0.0, text=t("ssweep.progress", done=0, total=len(jobs)))
        out = run_jobs(
            jobs, workers=workers, progress=lambda d, n: bar.progress(d / n, text=t("ssweep.progress", done=d, total=n))
        )
        bar.empty()
        return out

    rows = run_button(ctx, PAGE, fingerprint(jobs, workers), compute)
    if rows is None:
        return
    st.caption(t("ssweep.runs", n=len(jobs), w=workers))
    rows = explode_slas(rows)
    raw = pd.DataFrame(rows)
    errors = raw[raw["error"] != ""] if "error" in raw else raw.iloc[0:0]
    if len(errors):
        st.warning(t("ssweep.errors", n=len(errors), first=localize_error(errors["error"].iloc[0], ctx.lang)))
    agg_all = aggregate_seeds(rows, ["dist", "policy", "budget", "load", "sla"])
    if agg_all.empty:
        st.error(t("common.invalid_input", error=errors["error"].iloc[0] if len(errors) else "no results"))
        return
    first_sla = agg_all["sla"].iloc[0] if "sla" in agg_all else None
    agg = agg_all[agg_all["sla"] == first_sla] if first_sla is not None else agg_all  # latencies: SLA-independent
    best = agg_all.sort_values("goodput_req_s", ascending=False, na_position="last").iloc[0]
    metrics_row(
        ctx,
        {
            t("ssweep.m.best"): f"{best['goodput_req_s']:,.2f}" if not math.isnan(best["goodput_req_s"]) else "—",
            t("ssweep.m.max_tps"): f"{agg['output_throughput_tok_s'].max():,.0f}",
            t("ssweep.m.runs"): f"{len(jobs)}",
        },
    )
    # the best configuration is a long text: a line under the cards, not a card that cuts it off (issue 14 §3)
    st.markdown(
        f"**{t('ssweep.m.best')}** {t('ssweep.m.best_cfg')}: `{best['dist']} · {best['policy']} · "
        f"{best['budget']} · {best['load']}" + (f" · {best['sla']}" if "sla" in best else "") + "`"
    )
    st.subheader(t("ssweep.table"))
    table(ctx, _spread_frame(agg_all), key="ssweep_stats", file_name="simulator_sweep_stats.csv")
    group = ["dist", "policy", "budget"]
    xlabel = t(f"ssweep.load.{v.load}")
    log_x = len(set(agg["load"])) > 2 and agg["load"].max() / max(agg["load"].min(), 1e-9) > 8
    st.subheader(t("ssweep.latency"))
    c1, c2 = st.columns(2)
    with c1:
        chart(
            ctx,
            plots_sim.sweep_lines(
                agg, "load", "ttft_p90_ms", group, title="TTFT p90 (ms)", xaxis=xlabel, log_x=log_x, marks_x=marks
            ),
            key="ssweep_ttft",
        )
        chart(
            ctx,
            plots_sim.sweep_lines(
                agg_all,
                "load",
                "goodput_req_s",
                [*group, "sla"],
                title=t("ssweep.goodput_sla"),
                xaxis=xlabel,
                yaxis="req/s",
                log_x=log_x,
                marks_x=marks,
            ),
            key="ssweep_goodput",
        )
    with c2:
        chart(
            ctx,
            plots_sim.sweep_lines(agg, "load", "tpot_p90_ms", group, title="TPOT p90 (ms)", xaxis=xlabel, log_x=log_x),
            key="ssweep_tpot",
        )
        chart(
            ctx,
            plots_sim.sweep_lines(agg, "load", "e2e_p99_ms", group, title="E2E p99 (ms)", xaxis=xlabel, log_x=log_x),
            key="ssweep_e2e",
        )
    st.subheader(t("ssweep.util"))
    c1, c2 = st.columns(2)
    with c1:
        chart(
            ctx,
            plots_sim.sweep_lines(
                agg.assign(
                    mfu_pct=agg["mfu"] * 100, mfu_pct_min=agg["mfu_min"] * 100, mfu_pct_max=agg["mfu_max"] * 100
                ),
                "load",
                "mfu_pct",
                group,
                title="MFU (%)",
                xaxis=xlabel,
                log_x=log_x,
            ),
            key="ssweep_mfu",
        )
    with c2:
        h = agg["hbm_bw_utilization"] * 100
        chart(
            ctx,
            plots_sim.sweep_lines(
                agg.assign(
                    hbm_pct=h,
                    hbm_pct_min=agg["hbm_bw_utilization_min"] * 100,
                    hbm_pct_max=agg["hbm_bw_utilization_max"] * 100,
                ),
                "load",
                "hbm_pct",
                group,
                title=t("fig.hbm_bw_pct"),
                xaxis=xlabel,
                log_x=log_x,
            ),
            key="ssweep_hbm",
        )
    with st.expander(t("ssweep.raw")):
        table(ctx, raw, key="ssweep_raw", file_name="simulator_sweep_runs.csv", height=300)
    payload: dict[str, Any] = {
        "inputs": v,
        "hardware": ctx.hardware.name,
        "hardware_source": ctx.hardware.source_label,
        "model": ctx.model.name,
        "statistics": agg_all.to_dict(orient="records"),
    }
    json_download(ctx, payload, key="ssweep_json", file_name="simulator_sweep.json")


if __name__ == "__main__":
    render()
