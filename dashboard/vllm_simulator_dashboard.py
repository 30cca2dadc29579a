"""vLLM scheduler simulator: a timeline, throughput and latency statistics, a concurrency sweep and
a concurrency × token-budget heatmap, all from the event-driven simulator on the shared cost model."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import math
from dataclasses import replace
from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_sim
from dashboard.common.labels import source_label
from dashboard.common.numfmt import format_sig
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.components.run import fingerprint, run_button
from dashboard.components.speculative import speculative_section
from dashboard.services.simulation import SimJob, check_work, grid_jobs, run_jobs, simulate_job
from dashboard.services.sweep_points import REQUESTS_PER_CLIENT, engine_saturation, point_requests
from dashboard.sim.traces import load_trace
from dashboard.sim_scheduler import (
    ARRIVALS,
    LENGTH_DISTS,
    ROUTERS,
    SLA,
    SchedulerConfig,
    SimResult,
    Workload,
    WorkloadConfig,
)
from dashboard.state.vllm_simulator_dashboard import (
    BLOCK_SIZES,
    HEAT_METRICS,
    KV_STRATEGIES,
    LOAD_MODES,
    SimulatorInputs,
)

PAGE = "vllm_simulator_dashboard"

HELP = {
    "en": r"""
**What it simulates.** A vLLM V1-style engine serving a stream of requests, step by step
(`dashboard/sim_scheduler.py`). Each step's duration is the shared cost model's price of that step's exact
composition — its prefill chunks `(new, prefix)` and its decodes with their contexts —
`CostModel.step_time_s(stats_for_batch(chunks, decode_contexts, sampled))`. With a calibrated hardware profile the
simulation is calibrated too (the time-model source is shown above the inputs).

- **Scheduler**: per step at most `max_num_batched_tokens` tokens and `max_num_seqs` sequences. Running decodes go
  first (one token each), then partially prefilled prompts continue, then waiting prompts (FCFS) fill the rest of
  the budget with chunks. *Prefill-first* (chunked prefill off) runs whole prompts in prefill-only steps, as vLLM
  V0 did; decodes wait.
- **KV cache**: blocks of `block_size` tokens; the count comes from the memory model (HBM × `gpu_memory_utilization`
  − weights − activations − runtime reserve, ÷ bytes per block) or is given. When a step needs blocks that are not
  free, the running request that arrived last is **preempted by recompute**.
- **Load**: Poisson / gamma / constant arrivals at a request rate, a closed loop of `C` clients (as
  `vllm bench serve --max-concurrency`), every request at once, or an uploaded trace CSV
  (`arrival_s,prompt_tokens,output_tokens`). Lengths: fixed, uniform, normal or lognormal
  around the mean.
- **Metrics**: TTFT (arrival → first token), TPOT ((last − first token) / (output − 1)), ITL, E2E, queueing;
  throughput over first arrival → last completion; goodput = requests/s meeting the SLA; MFU = FLOPs per GPU ÷
  (duration × peak); HBM utilisation = bytes per GPU ÷ (duration × bandwidth).
- **Sweeps**: the same workload lengths in a closed loop at each concurrency, for every token budget of the heatmap.
  Each point runs `max(min. requests, 4 × C)` requests; its statistics exclude the **warm-up** (requests that arrive
  before the first request finishes — the first wave of `C` clients) and the **drain** (requests still running at the
  last arrival — the last `C`), so `2·C` of `4·C` count; throughputs count the requests finishing in the window
  from the last warm-up finish to the last arrival, over its length. MFU/HBM stay whole-run figures.
- **Saturation**: the cost model's steady state (`services/search_steady.py`) at the largest concurrency
  `C_max = min(max_num_seqs, KV-capacity sequences)` gives the maximum sustainable request rate; the knee is the
  smallest concurrency reaching 90 % of it (marked on the sweep chart). An open-loop rate above it has no steady state.
- **Speculative decoding** (section below the statistics): TPOT and tokens/s vs batch with and without, the crossover
  batch, and this workload simulated with speculation. In the simulation each running request schedules `1 + k`
  tokens (they count against the token budget and get KV slots, as in vLLM V1), the step costs `k` draft passes +
  one verification forward of the `k+1` tokens + rejection sampling, and each request then emits `1 + m` tokens with
  `m` accepted drafts drawn from the acceptance model with the run's seed. Tokens of one step stream as one chunk:
  ITL has one gap per step, TPOT is per output token; the realised mean acceptance length is reported.
""",
    "zh": r"""
**模拟内容。** 一个 vLLM V1 风格的推理引擎逐步处理请求流（`dashboard/sim_scheduler.py`）。每一步的时长等于共享成本模型
对该步确切组成（prefill chunk `(new, prefix)` 与各 decode 的上下文）的定价：
`CostModel.step_time_s(stats_for_batch(chunks, decode_contexts, sampled))`。使用校准后的硬件配置时，模拟结果也随之校准
（输入区上方显示时间模型来源）。

- **调度器**：每步最多 `max_num_batched_tokens` 个 token、`max_num_seqs` 条序列。先调度正在运行的 decode（每条 1 个 token），
  再继续未完成的 prefill，最后等待队列（先来先服务）的 prompt 以 chunk 填满剩余预算。*Prefill 优先*（关闭 chunked prefill）
  时整段 prompt 在纯 prefill 步中运行（vLLM V0 行为），decode 需等待。
- **KV 缓存**：以 `block_size` token 为一块；块数由显存模型计算（HBM × `gpu_memory_utilization` − 权重 − 激活 − 运行时预留，
  除以每块字节数）或直接指定。某步所需的块不足时，最晚到达的运行中请求被**抢占并重算**。
- **负载**：按请求速率的泊松 / gamma / 恒定到达，`C` 个客户端的闭环（同 `vllm bench serve --max-concurrency`），全部同时到达，
  或上传的请求轨迹 CSV（`arrival_s,prompt_tokens,output_tokens`）。
  长度分布：固定、均匀、正态或对数正态。
- **指标**：TTFT（到达 → 首 token）、TPOT（(末 token − 首 token) / (输出 − 1)）、ITL、端到端延迟、排队时间；吞吐按首次到达到
  最后完成计算；有效吞吐 = 满足 SLA 的请求/s；MFU = 每卡 FLOPs ÷ (时长 × 峰值)；HBM 利用率 = 每卡字节 ÷ (时长 × 带宽)。
- **扫描**：相同长度的请求以闭环方式在各并发下运行，热力图再遍历各 token 预算。
  每个点运行 `max(最少请求数, 4 × C)` 个请求；统计排除**预热**（在第一个请求完成之前到达的请求，即第一波 `C` 个客户端）
  和**收尾**（最后一次到达时仍在运行的请求，即最后 `C` 个），因此 `4·C` 中计入 `2·C`；吞吐按从最后一个预热请求完成到最后一次到达
  这一窗口内完成的请求除以窗口长度计算。MFU/HBM 仍为全程数值。
- **饱和点**：成本模型稳态（`services/search_steady.py`）在最大并发 `C_max = min(max_num_seqs, KV 容量可容纳的序列数)`
  下的吞吐即最大可持续请求速率；拐点是吞吐达到其 90 % 的最小并发（在扫描图上标出）。高于该速率的开环负载不存在稳态。
- **投机解码**（统计表下方）：启用与不启用时 TPOT 与 tok/s 随批量的曲线、交叉批量，以及启用投机解码后对本负载的仿真。
  仿真中每个运行中的请求每步调度 `1 + k` 个 token（计入 token 预算并分配 KV 槽位，与 vLLM V1 一致），单步代价为 `k` 次草稿前向 +
  一次验证 `k+1` 个 token 的目标前向 + 拒绝采样，随后每个请求产出 `1 + m` 个 token（`m` 为按运行随机种子从接受模型抽样的
  已接受草稿数）。同一步的 token 作为一个 chunk 流式返回：ITL 每步一个间隔，TPOT 按输出 token 计；报告实际平均接受长度。
""",
}


def _jobs(ctx: Any, v: SimulatorInputs, trace: bytes | None = None) -> tuple[SimJob, SchedulerConfig]:
    """The main run as a job (the uploaded ``trace`` in trace mode); raises ValueError for an
    unusable configuration."""
    # the sidebar's serving engine supplies admission, async scheduling, prefix caching, preemption
    # victim, overheads and its KV rule; the page's own fields override its scheduler defaults
    sched = SchedulerConfig.from_engine(
        ctx.engine,
        ctx.hardware,
        ctx.parallel.tp,
        max_num_batched_tokens=v.max_num_batched_tokens,
        max_num_seqs=v.max_num_seqs,
        block_size=v.block_size,
        num_kv_blocks=v.num_kv_blocks if v.kv_strategy == "fixed_blocks" else None,
        chunked_prefill=v.chunked_prefill,
        prefix_cache_hit=v.prefix_cache_hit,
        memory_fraction=v.gpu_memory_utilization,
    )
    wl: WorkloadConfig | Workload
    if v.load_mode == "trace":
        if trace is None:
            raise ValueError("no trace uploaded")
        wl = load_trace(trace).workload  # Mooncake JSONL (512-token ids), BurstGPT CSV or the project CSV
        if wl.hash_ids is not None:  # the trace's prefix ids drive a shared, LRU prefix cache
            sched = replace(sched, prefix_caching=True)
    else:
        wl = WorkloadConfig(
            num_requests=v.num_requests,
            input_len=v.input_len,
            output_len=v.output_len,
            input_dist=v.input_dist,
            output_dist=v.output_dist,
            input_spread=v.spread,
            output_spread=v.spread,
            arrival=v.arrival,
            request_rate=v.request_rate if v.load_mode == "rate" else None,
            burstiness=v.burstiness,
            concurrency=v.concurrency if v.load_mode == "concurrency" else None,
            seed=v.seed,
        )
    sla = SLA(ttft_ms=v.sla_ttft_ms or None, tpot_ms=v.sla_tpot_ms or None)
    ctx.cost_model()  # validates the layout (raises ValueError naming the field)
    job = SimJob(
        model=ctx.model,
        hardware=ctx.hardware,
        workload=wl,
        scheduler=sched,
        parallel=ctx.parallel,
        dtypes=ctx.dtypes,
        dp=v.dp,
        router=v.router,
        sla=sla,
    )
    return job, sched


def _saturation_note(ctx: Any, job: SimJob, sched: SchedulerConfig, v: SimulatorInputs) -> Any:
    """Where the engine saturates (services/sweep_points.py) and this load as a fraction of it."""
    if v.load_mode == "trace":
        return None
    sat = engine_saturation(job.cost_model(), sched, v.input_len, v.output_len, dp=v.dp)
    if v.load_mode == "rate":
        load = ctx.t("vsim.sat.rate_load", pct=100 * sat.load_fraction(v.request_rate))
    elif v.load_mode == "concurrency":
        load = ctx.t("vsim.sat.conc_load", c=v.concurrency, knee=sat.knee_concurrency)
    else:
        load = ""
    ctx.st.caption(
        ctx.t(
            "vsim.sat.note",
            rate=format_sig(sat.rate_req_s),
            tok=format_sig(sat.output_tok_s),
            cmax=sat.max_concurrency,
            knee=sat.knee_concurrency,
        )
        + " "
        + load
    )
    return sat


def _fmt(x: float, spec: str = ",.1f") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _stats_frame(summary: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for key in ("ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "queue_ms"):
        d = summary[key]
        rows.append({"metric": key[:-3].upper(), **{k: d[k] for k in ("mean", "p50", "p90", "p99", "max")}})
    return pd.DataFrame(rows)


def render() -> None:
    ctx, _ = bootstrap(
        title="vLLM scheduler simulator",
        header_description="Continuous batching, chunked prefill, KV blocks and preemption, "
        "priced step by step by the shared cost model.",
        help_title="vLLM scheduler simulator",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    st.info(t("vsim.time_model", hw=ctx.hardware.name, source=source_label(ctx.hardware, ctx.lang)))
    inputs = PageInputs(ctx, PAGE, SimulatorInputs)
    v = inputs.values
    trace: bytes | None = None
    c_wl, c_sched, c_kv, c_sla = st.columns(4)
    with c_wl:
        st.markdown(f"**{t('vsim.workload')}**")
        inputs.number("num_requests", t("vsim.num_requests"), step=50)
        inputs.number("input_len", t("vsim.input_len"), step=128)
        inputs.number("output_len", t("vsim.output_len"), step=32)
        inputs.select("input_dist", t("vsim.input_dist"), LENGTH_DISTS)
        inputs.select("output_dist", t("vsim.output_dist"), LENGTH_DISTS)
        inputs.number("spread", t("vsim.spread"), step=0.1)
        mode = inputs.select(
            "load_mode", t("vsim.load_mode"), LOAD_MODES, format_func=lambda m: t(f"vsim.load.{m}"), radio=True
        )
        if mode == "rate":
            inputs.number("request_rate", t("vsim.request_rate"), step=1.0)
            arrival = inputs.select("arrival", t("vsim.arrival"), ARRIVALS)
            if arrival == "gamma":
                inputs.number("burstiness", t("vsim.burstiness"), step=0.1)
        elif mode == "concurrency":
            inputs.number("concurrency", t("vsim.concurrency"), step=1)
        elif mode == "trace":
            up = st.file_uploader(t("vsim.trace_upload"), type=["csv", "txt", "jsonl", "json"], key=f"{PAGE}__trace")
            trace = up.getvalue() if up is not None else None
        inputs.number("seed", t("vsim.seed"), step=1)
    with c_sched:
        st.markdown(f"**{t('vsim.scheduler')}**")
        inputs.number("max_num_batched_tokens", t("vsim.budget"), step=256)  # bounds: the declaration
        inputs.number("max_num_seqs", t("vsim.max_seqs"), step=16)
        inputs.toggle("chunked_prefill", t("vsim.chunked"))
        inputs.number("prefix_cache_hit", t("vsim.prefix_hit"), step=0.01)
        inputs.number("dp", t("vsim.dp"), step=1)
        inputs.select("router", t("vsim.router"), ROUTERS)
    with c_kv:
        st.markdown(f"**{t('vsim.kv')}**")
        kv = inputs.select(
            "kv_strategy", t("vsim.kv_strategy"), KV_STRATEGIES, format_func=lambda k: t(f"vsim.kv.{k}"), radio=True
        )
        inputs.select("block_size", t("vsim.block_size"), BLOCK_SIZES)
        if kv == "memory_model":
            inputs.number("gpu_memory_utilization", t("vsim.gpu_mem"), step=0.05)
        else:
            inputs.number("num_kv_blocks", t("vsim.num_kv_blocks"), step=256)
    with c_sla:
        st.markdown(f"**{t('vsim.sla_sweep')}**")
        inputs.number("sla_ttft_ms", t("vsim.sla_ttft"), step=100.0)
        inputs.number("sla_tpot_ms", t("vsim.sla_tpot"), step=5.0)
        inputs.text("concurrencies", t("vsim.concurrencies"))
        inputs.text("budgets", t("vsim.budgets"))
        inputs.number("sweep_requests", t("vsim.sweep_requests"), step=16)
        inputs.select("heat_metric", t("vsim.heat_metric"), HEAT_METRICS)
    inputs.sync_query_params()
    v = inputs.values

    if v.load_mode == "trace" and trace is None:
        st.info(t("vsim.trace_needed"))
        return
    try:
        job, sched = _jobs(ctx, v, trace)
        sat = _saturation_note(ctx, job, sched, v)
        check_work([job])
        res: SimResult | None = run_button(ctx, PAGE, fingerprint(job), lambda: simulate_job(job))
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    if res is None:
        return
    s = res.summary
    if isinstance(job.workload, Workload):
        wl = job.workload
        st.caption(
            t(
                "vsim.trace_info",
                n=wl.num_requests,
                span=max(wl.arrival_s),
                p=wl.mean_prompt_len,
                o=wl.mean_output_len,
            )
        )
        if wl.hash_ids is not None:
            st.caption(t("vsim.trace_hit", hit=s["prefix_cache_hit_rate"] * 100))
    metrics_row(
        ctx,
        {
            t("vsim.m.out_tps"): _fmt(s["output_throughput_tok_s"], ",.0f"),
            t("vsim.m.out_tps_gpu"): _fmt(s["output_throughput_tok_s_per_gpu"], ",.0f"),
            t("vsim.m.req_s"): _fmt(s["request_throughput_req_s"], ",.2f"),
            t("vsim.m.goodput"): _fmt(s.get("goodput_req_s", math.nan), ",.2f"),
            t("vsim.m.mfu"): f"{s['mfu'] * 100:.1f} %",
            t("vsim.m.hbm"): f"{s['hbm_bw_utilization'] * 100:.1f} %",
        },
    )
    metrics_row(
        ctx,
        {
            t("vsim.m.ttft50"): _fmt(s["ttft_ms"]["p50"]),
            t("vsim.m.ttft99"): _fmt(s["ttft_ms"]["p99"]),
            t("vsim.m.tpot50"): _fmt(s["tpot_ms"]["p50"], ".2f"),
            t("vsim.m.tpot99"): _fmt(s["tpot_ms"]["p99"], ".2f"),
            t("vsim.m.e2e50"): _fmt(s["e2e_ms"]["p50"], ",.0f"),
            t("vsim.m.queue"): _fmt(s["queue_ms"]["mean"]),
        },
    )
    st.caption(
        t(
            "vsim.kv_blocks_info",
            blocks=res.num_kv_blocks,
            bs=sched.block_size,
            tokens=res.num_kv_blocks * sched.block_size,
        )
    )
    if s["preemptions"]:
        st.warning(t("vsim.preempt_warn", n=s["preemptions"]))

    st.subheader(t("vsim.timeline"))
    chart(ctx, plots_sim.step_timeline(res.steps, res.num_kv_blocks, lang=ctx.lang), key="vsim_timeline")
    st.subheader(t("vsim.stats"))
    c1, c2 = st.columns(2)
    with c1:
        table(ctx, _stats_frame(s), key="vsim_stats", file_name="simulator_latency_stats.csv")
    with c2:
        rq = res.requests
        chart(
            ctx,
            plots_sim.latency_cdf(
                {"TTFT": rq["ttft_s"] * 1e3, "TPOT": rq["tpot_s"] * 1e3, "E2E": rq["e2e_s"] * 1e3},
                title=t("vsim.cdf"),
                lang=ctx.lang,
            ),
            key="vsim_cdf",
        )
    with st.expander(t("vsim.requests_table")):
        table(ctx, res.requests_frame(), key="vsim_requests", file_name="simulator_requests.csv", height=300)
    speculative_section(
        ctx,
        PAGE,
        job.cost_model(),
        batch=min(v.concurrency, v.max_num_seqs),
        context=v.input_len + v.output_len // 2,
        sim_job=job,
    )

    # ---- concurrency sweep and heatmap (closed loop, same lengths)
    base = SimJob(
        model=job.model,
        hardware=job.hardware,
        workload=WorkloadConfig(
            num_requests=v.sweep_requests,
            input_len=v.input_len,
            output_len=v.output_len,
            input_dist=v.input_dist,
            output_dist=v.output_dist,
            input_spread=v.spread,
            output_spread=v.spread,
            seed=v.seed,
        ),
        scheduler=sched,
        parallel=job.parallel,
        dtypes=job.dtypes,
        dp=v.dp,
        router=v.router,
        sla=job.sla,
    )
    budgets = sorted(set(v.budgets) | {v.max_num_batched_tokens})
    budgets = [b for b in budgets if b >= v.max_num_seqs] or [v.max_num_batched_tokens]
    try:
        jobs = grid_jobs(
            base, {"workload.concurrency": list(v.concurrencies), "scheduler.max_num_batched_tokens": budgets}
        )
        # each point: max(minimum, 4 × concurrency) requests, warm-up and drain excluded (issue 14 §2)
        jobs = [
            replace(
                j,
                workload=replace(j.workload, num_requests=point_requests(v.sweep_requests, j.workload.concurrency)),
                steady=True,
            )
            for j in jobs
        ]
        check_work(jobs)
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        json_download(ctx, {"inputs": v, "summary": s}, key="vsim_json", file_name="vllm_simulator.json")
        return

    def run_grid() -> list[dict[str, Any]]:
        bar = st.progress(0.0, text=t("vsim.running", done=0, total=len(jobs)))
        rows = run_jobs(jobs, progress=lambda d, n: bar.progress(d / n, text=t("vsim.running", done=d, total=n)))
        bar.empty()
        return rows

    rows = run_button(ctx, f"{PAGE}.grid", fingerprint(jobs), run_grid, label=t("ui.run_sweep"))
    if rows is None:
        json_download(ctx, {"inputs": v, "summary": s}, key="vsim_json", file_name="vllm_simulator.json")
        return
    grid = pd.DataFrame(rows)
    st.subheader(t("vsim.sweep", budget=v.max_num_batched_tokens))
    st.caption(t("vsim.sweep_steady", k=REQUESTS_PER_CLIENT, n=v.sweep_requests))
    sweep = grid[grid["max_num_batched_tokens"] == v.max_num_batched_tokens].sort_values("concurrency")
    ok = sweep[sweep["error"] == ""] if "error" in sweep else sweep
    if len(ok):
        c1, c2 = st.columns(2)
        with c1:
            # one quantity per axis (issue 14 §3): TTFT on the right axis here, TPOT on its own chart
            chart(
                ctx,
                plots_sim.metric_lines(
                    ok["concurrency"],
                    {t("fig.output_tok_s"): ok["output_throughput_tok_s"]},
                    secondary={"TTFT p90 (ms)": ok["ttft_p90_ms"]},
                    xaxis=t("fig.concurrency"),
                    yaxis="tok/s",
                    y2="TTFT p90 (ms)",
                    log_x=True,
                    title=t("vsim.sweep", budget=v.max_num_batched_tokens),
                    marks_x={t("vsim.sat.knee", knee=sat.knee_concurrency): sat.knee_concurrency} if sat else None,
                ),
                key="vsim_sweep_chart",
            )
            chart(
                ctx,
                plots_sim.metric_lines(
                    ok["concurrency"],
                    {"TPOT p90 (ms)": ok["tpot_p90_ms"]},
                    xaxis=t("fig.concurrency"),
                    yaxis="TPOT p90 (ms)",
                    log_x=True,
                    title="TPOT p90 (ms)",
                ),
                key="vsim_tpot_chart",
            )
        with c2:
            chart(
                ctx,
                plots_sim.metric_lines(
                    ok["concurrency"],
                    {"MFU %": ok["mfu"] * 100, "HBM BW %": ok["hbm_bw_utilization"] * 100},
                    xaxis=t("fig.concurrency"),
                    yaxis="%",
                    log_x=True,
                    title="MFU / HBM",
                ),
                key="vsim_util_chart",
            )
    cols = [
        "concurrency",
        "max_num_batched_tokens",
        "error",
        "measured_requests",
        "warmup_requests",
        "drain_requests",
        "output_throughput_tok_s",
        "output_throughput_tok_s_per_gpu",
        "request_throughput_req_s",
        "ttft_p50_ms",
        "ttft_p90_ms",
        "ttft_p99_ms",
        "tpot_p50_ms",
        "tpot_p90_ms",
        "tpot_p99_ms",
        "e2e_p90_ms",
        "goodput_req_s",
        "mfu",
        "hbm_bw_utilization",
        "preemptions",
    ]
    table(ctx, sweep[[c for c in cols if c in sweep]], key="vsim_sweep", file_name="simulator_concurrency_sweep.csv")
    st.subheader(t("vsim.heatmap", metric=v.heat_metric))
    metric = v.heat_metric
    if metric in grid:
        piv = grid.pivot_table(index="max_num_batched_tokens", columns="concurrency", values=metric, aggfunc="first")
        piv = piv.reindex(index=budgets, columns=list(dict.fromkeys(v.concurrencies)))
        chart(
            ctx,
            plots_sim.grid_heatmap(
                piv.to_numpy().tolist(),
                list(piv.columns),
                list(piv.index),
                title=metric,
                xaxis=t("fig.concurrency"),
                yaxis="max_num_batched_tokens",
                colorbar=metric,
            ),
            key="vsim_heatmap",
        )
    json_download(
        ctx,
        {
            "inputs": v,
            "hardware_source": ctx.hardware.source_label,
            "summary": s,
            "sweep": grid.to_dict(orient="records"),
        },
        key="vsim_json",
        file_name="vllm_simulator.json",
    )


if __name__ == "__main__":
    render()
