"""Chunked-prefill + decode scale-up explorer, in one self-contained file.

Model JSON, hardware, scheduler and SLA inputs → simulated run curves over TP × concurrency, a
configuration table with the best configuration that meets the SLA, JSON and CSV export, and MFU /
HBM-bandwidth utilisation. Everything page-specific (inputs, strings, figures) lives in this file, so
it also works when copied alone next to an installed ``modeling-dashboard`` package; it uses only the
package's public pieces (``bootstrap``, the output components, the cost model, the simulator).
"""

from __future__ import annotations

import sys
from pathlib import Path

if (
    str(Path(__file__).resolve().parent.parent) not in sys.path
    and (Path(__file__).resolve().parent / "app_context.py").exists()
):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.app_context import bootstrap
from dashboard.common.i18n import localize_error, tr
from dashboard.common.json_config import parse_json_object
from dashboard.common.labels import source_label
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.components.run import fingerprint, run_button
from dashboard.components.url_text import mirror_text, seed_text
from dashboard.features.hardware import list_hardware_presets, load_hardware
from dashboard.features.metrics import tokens_per_s_per_user
from dashboard.features.model_profile import parse_hf_config
from dashboard.features.parallel import ParallelConfig, validate_parallel
from dashboard.features.params import like, param, validate_params
from dashboard.services.search import SLA as TargetSLA  # the one declaration of the SLA targets
from dashboard.services.simulation import SimJob, check_work, run_jobs
from dashboard.sim_scheduler import SLA, SchedulerConfig, WorkloadConfig

PAGE = "llm_chunked_prefill_decoder_scaleup"
SIDEBAR = "(sidebar)"
MAX_STEPS_PER_RUN = 150_000

HELP = {
    "en": r"""
**What it explores.** How far one model scales on one GPU type with chunked prefill + decode, as
*tensor parallelism × client concurrency* grows. Each point is a closed-loop benchmark (`C` clients, each sending
its next request when the previous one finishes; `max(16, 3·C)` requests) simulated by the vLLM-style scheduler
(`dashboard/sim_scheduler.py`); every step is priced by the shared cost model from its exact composition.

- **Model**: the sidebar model, or a Hugging Face `config.json` pasted here. **Hardware**: the sidebar profile
  (spec sheet or calibrated) or any preset.
- **Scheduler**: `max_num_batched_tokens` (the chunk budget per step, decodes included), `max_num_seqs`, chunked
  prefill on/off, KV blocks from the memory model at `gpu_memory_utilization`.
- **SLA**: a configuration passes when TTFT p90 ≤ target and TPOT p90 ≤ target (0 disables a target). The best
  configuration is the passing one with the most output tokens/s **per GPU**.
- **Utilisation**: MFU = FLOPs per GPU ÷ (duration × peak FLOP/s); HBM = bytes per GPU ÷ (duration × bandwidth);
  FLOPs and bytes come from the cost model's op list of each simulated step.
- **Export**: the configuration table as CSV, inputs + every result as JSON.
""",
    "zh": r"""
**探索内容。** 单个模型在一种 GPU 上，采用 chunked prefill + decode 时，随 *张量并行 × 客户端并发* 增长能扩展到什么程度。
每个点是一次闭环压测（`C` 个客户端，每个在上一个请求完成后立即发送下一个；共 `max(16, 3·C)` 个请求），由 vLLM 风格调度器
（`dashboard/sim_scheduler.py`）模拟；每一步都由共享成本模型按其确切组成定价。

- **模型**：侧边栏模型，或在此粘贴 Hugging Face `config.json`。**硬件**：侧边栏配置（规格或校准）或任一预设。
- **调度器**：`max_num_batched_tokens`（每步 chunk 预算，含 decode）、`max_num_seqs`、是否 chunked prefill，KV 块数由显存
  模型按 `gpu_memory_utilization` 计算。
- **SLA**：TTFT p90 ≤ 目标且 TPOT p90 ≤ 目标时配置达标（0 表示不限）。最佳配置是达标配置中**每卡**输出 token/s 最高者。
- **利用率**：MFU = 每卡 FLOPs ÷ (时长 × 峰值 FLOP/s)；HBM = 每卡字节 ÷ (时长 × 带宽)；FLOPs 与字节来自每个模拟步的成本模型算子列表。
- **导出**：配置表导出为 CSV，输入与全部结果导出为 JSON。
""",
}

_S = {
    "model_src": ("Model", "模型"),
    "model_json": ("Model config.json (empty = sidebar model)", "模型 config.json（留空 = 侧边栏模型）"),
    "hardware": ("Hardware", "硬件"),
    "tp_values": ("TP degrees (comma list)", "TP 并行度（逗号分隔）"),
    "concurrencies": ("Concurrencies (comma list)", "并发列表（逗号分隔）"),
    "input_len": ("Prompt tokens", "输入 token"),
    "output_len": ("Output tokens", "输出 token"),
    "budget": ("max_num_batched_tokens", "max_num_batched_tokens（每步预算）"),
    "max_seqs": ("max_num_seqs", "max_num_seqs（最大并发序列）"),
    "chunked": ("Chunked prefill", "Chunked prefill"),
    "gpu_mem": ("gpu_memory_utilization", "gpu_memory_utilization（显存使用比例）"),
    "sla_ttft": ("SLA TTFT p90 (ms, 0 = none)", "SLA TTFT p90（ms，0 = 不限）"),
    "sla_tpot": ("SLA TPOT p90 (ms, 0 = none)", "SLA TPOT p90（ms，0 = 不限）"),
    "source": (
        "Time model: **{hw}** — {source}; model **{model}**.",
        "时间模型：**{hw}** —— {source}；模型 **{model}**。",
    ),
    "bad_model": ("Model JSON rejected: {error}", "模型 JSON 无效：{error}"),
    "progress": ("Simulating {done}/{total}…", "正在模拟 {done}/{total}…"),
    "curves": ("Run curves", "运行曲线"),
    "configs": ("Configurations", "配置表"),
    "best": ("Best under SLA", "满足 SLA 的最佳配置"),
    "none_pass": ("No configuration meets the SLA.", "没有满足 SLA 的配置。"),
    "best_tps": ("Output tok/s/GPU", "每卡输出 tok/s"),
    "best_mfu": ("MFU / HBM BW", "MFU / HBM 带宽利用率"),
    "passing": ("Passing configs", "达标配置数"),
    "errors": ("{n} configurations could not run (e.g. {first})", "{n} 个配置无法运行（例如 {first}）"),
}


def _t(ctx: Any, key: str, **fmt: Any) -> str:
    en, zh = _S[key]
    text = zh if ctx.lang == "zh" else en
    return text.format(**fmt) if fmt else text


@dataclass(frozen=True)
class ScaleUpInputs:
    """Inputs of this page (kept here so the file stands alone)."""

    hardware: str = param(SIDEBAR, label="Hardware", help="a preset or the sidebar's")
    tp_values: tuple[int, ...] = like(ParallelConfig, "tp", (1, 2, 4, 8), hi=64, max_items=8, label="TP values")
    concurrencies: tuple[int, ...] = like(
        WorkloadConfig, "concurrency", (4, 16, 64), hi=2048, max_items=10, optional=False, label="Concurrencies"
    )
    # the workload/scheduler fields refer to their one declaration (dashboard/features/params.py)
    input_len: int = like(WorkloadConfig, "input_len", hi=131_072)
    output_len: int = like(WorkloadConfig, "output_len", hi=16_384)
    max_num_batched_tokens: int = like(SchedulerConfig, "max_num_batched_tokens", hi=65_536)
    max_num_seqs: int = like(SchedulerConfig, "max_num_seqs", hi=4096)
    chunked_prefill: bool = param(True, label="Chunked prefill")
    gpu_memory_utilization: float = like(SchedulerConfig, "gpu_memory_utilization", lo=0.05, open_lo=False)
    sla_ttft_ms: float = like(TargetSLA, "ttft_ms", 2000.0, open_lo=False, optional=False, help="0 = no target")
    sla_tpot_ms: float = like(TargetSLA, "tpot_ms", 50.0, open_lo=False, optional=False, help="0 = no target")

    def __post_init__(self) -> None:
        validate_params(self)
        if not self.hardware:
            raise ValueError("hardware must be a preset name")


def _lines(df: pd.DataFrame, y: str, title: str, yaxis: str, scale: float = 1.0, lang: str = "en") -> go.Figure:
    fig = go.Figure()
    for tp, g in df.groupby("tp", sort=True):
        g = g.sort_values("concurrency")
        fig.add_trace(go.Scatter(x=g["concurrency"], y=g[y] * scale, mode="lines+markers", name=f"TP={tp}"))
    fig.update_layout(
        title=title,
        xaxis_title=tr("fig.concurrency", lang),
        yaxis_title=yaxis,
        margin={"l": 50, "r": 20, "t": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(type="log")
    return fig


def _frontier(df: pd.DataFrame, lang: str = "en") -> go.Figure:
    fig = go.Figure()
    for tp, g in df.groupby("tp", sort=True):
        g = g.sort_values("concurrency")
        fig.add_trace(
            go.Scatter(
                x=g["tok_s_per_user"],
                y=g["output_throughput_tok_s_per_gpu"],
                mode="lines+markers",
                name=f"TP={tp}",
                text=[f"C={c}" for c in g["concurrency"]],
            )
        )
    fig.update_layout(
        title=tr("fig.cpd_frontier", lang),
        xaxis_title=tr("fig.cpd_per_user", lang),
        yaxis_title=tr("fig.output_per_gpu", lang),
        margin={"l": 50, "r": 20, "t": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def render() -> None:
    ctx, _ = bootstrap(
        title="Chunked-prefill scale-up",
        header_description="TP × concurrency scale-up of chunked prefill + decode, simulated.",
        help_title="Chunked-prefill scale-up",
        help_markdown=HELP,
    )
    st = ctx.st
    inputs = PageInputs(ctx, PAGE, ScaleUpInputs)
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown(f"**{_t(ctx, 'model_src')}**")
        seed_text(st, f"{PAGE}__model_json", "model_json")  # a pasted config travels in the URL (issue 14 §2)
        model_text = st.text_area(_t(ctx, "model_json"), key=f"{PAGE}__model_json", height=120)
        mirror_text(st, "model_json", model_text)
        inputs.select("hardware", _t(ctx, "hardware"), [SIDEBAR, *list_hardware_presets()])
        inputs.text("tp_values", _t(ctx, "tp_values"))
        inputs.text("concurrencies", _t(ctx, "concurrencies"))
    with c2:
        inputs.number("input_len", _t(ctx, "input_len"), step=128)  # bounds: the declaration
        inputs.number("output_len", _t(ctx, "output_len"), step=32)
        inputs.number("max_num_batched_tokens", _t(ctx, "budget"), step=256)
        inputs.number("max_num_seqs", _t(ctx, "max_seqs"), step=16)
    with c3:
        inputs.toggle("chunked_prefill", _t(ctx, "chunked"))
        inputs.number("gpu_memory_utilization", _t(ctx, "gpu_mem"), step=0.05)
        inputs.number("sla_ttft_ms", _t(ctx, "sla_ttft"), step=100.0)
        inputs.number("sla_tpot_ms", _t(ctx, "sla_tpot"), step=5.0)
    inputs.sync_query_params()
    v: ScaleUpInputs = inputs.values

    model = ctx.model
    if model_text and model_text.strip():
        try:
            cfg = parse_json_object(model_text)
            model = parse_hf_config(cfg, name=str(cfg.get("_name_or_path") or "pasted model"))
        except (ValueError, RecursionError) as exc:
            st.error(_t(ctx, "bad_model", error=localize_error(str(exc)[:300], ctx.lang)))
            return
    hw = ctx.hardware if v.hardware == SIDEBAR else load_hardware(v.hardware)
    st.info(_t(ctx, "source", hw=hw.name, source=source_label(hw, ctx.lang), model=model.name))

    try:
        sched = SchedulerConfig(
            max_num_batched_tokens=v.max_num_batched_tokens,
            max_num_seqs=v.max_num_seqs,
            chunked_prefill=v.chunked_prefill,
            gpu_memory_utilization=v.gpu_memory_utilization,
        )
        sla = SLA(ttft_ms=v.sla_ttft_ms or None, tpot_ms=v.sla_tpot_ms or None)
        jobs, bad = [], []
        for tp in dict.fromkeys(v.tp_values):
            par = ParallelConfig(
                tp=tp, ep=ctx.parallel.ep if ctx.parallel.ep % tp == 0 or tp % ctx.parallel.ep == 0 else 1
            )
            try:
                validate_parallel(model, par)
            except ValueError as exc:
                bad.append({"tp": tp, "error": str(exc)})
                continue
            for c in dict.fromkeys(v.concurrencies):
                n = min(2000, max(16, 3 * c))
                wl = WorkloadConfig(num_requests=n, input_len=v.input_len, output_len=v.output_len, concurrency=c)
                jobs.append(
                    SimJob(
                        model=model,
                        hardware=hw,
                        workload=wl,
                        scheduler=sched,
                        parallel=par,
                        dtypes=ctx.dtypes,
                        sla=sla,
                        labels=(("tp", tp), ("concurrency", c)),
                        max_steps=MAX_STEPS_PER_RUN,
                    )
                )
        check_work(jobs)
    except ValueError as exc:
        st.error(ctx.t("common.invalid_input", error=exc))
        return

    def compute() -> list:
        bar = st.progress(0.0, text=_t(ctx, "progress", done=0, total=len(jobs)))
        out = run_jobs(jobs, progress=lambda d, n: bar.progress(d / n, text=_t(ctx, "progress", done=d, total=n)))
        bar.empty()
        return out

    rows = run_button(ctx, PAGE, fingerprint(jobs), compute)
    if rows is None:
        return
    df = pd.DataFrame(rows + bad)
    errs = df[df["error"].fillna("") != ""] if "error" in df else df.iloc[0:0]
    if len(errs):
        st.warning(_t(ctx, "errors", n=len(errs), first=errs["error"].iloc[0]))
    ok = df[df["error"].fillna("") == ""].copy() if "error" in df else df.copy()
    if ok.empty:
        st.error(ctx.t("common.invalid_input", error=errs["error"].iloc[0] if len(errs) else "nothing to simulate"))
        return
    ok["gpus"] = ok["gpus"].astype(int)
    ok["tok_s_per_user"] = tokens_per_s_per_user(ok["tpot_mean_ms"] / 1e3)
    ok["meets_sla"] = (ok["ttft_p90_ms"] <= (v.sla_ttft_ms or math.inf)) & (
        ok["tpot_p90_ms"].fillna(0) <= (v.sla_tpot_ms or math.inf)
    )
    passing = ok[ok["meets_sla"]]
    if len(passing):
        best = passing.sort_values("output_throughput_tok_s_per_gpu", ascending=False).iloc[0]
        metrics_row(
            ctx,
            {
                _t(ctx, "best"): f"TP={int(best['tp'])} · C={int(best['concurrency'])}",
                _t(ctx, "best_tps"): f"{best['output_throughput_tok_s_per_gpu']:,.0f}",
                "TTFT / TPOT p90 (ms)": f"{best['ttft_p90_ms']:,.0f} / {best['tpot_p90_ms']:.1f}",
                _t(ctx, "best_mfu"): f"{best['mfu'] * 100:.1f} % / {best['hbm_bw_utilization'] * 100:.1f} %",
                _t(ctx, "passing"): f"{len(passing)}/{len(ok)}",
            },
        )
    else:
        st.warning(_t(ctx, "none_pass"))
        metrics_row(
            ctx,
            {
                _t(ctx, "best_tps"): f"{ok['output_throughput_tok_s_per_gpu'].max():,.0f}",
                _t(ctx, "passing"): f"0/{len(ok)}",
            },
        )
    st.subheader(_t(ctx, "curves"))
    a, b = st.columns(2)
    with a:
        chart(
            ctx,
            _lines(ok, "output_throughput_tok_s_per_gpu", ctx.t("fig.output_per_gpu"), "tok/s", lang=ctx.lang),
            key="cpd_tps",
        )
        chart(ctx, _lines(ok, "ttft_p90_ms", "TTFT p90 (ms)", "ms", lang=ctx.lang), key="cpd_ttft")
        chart(ctx, _lines(ok, "mfu", "MFU (%)", "%", 100.0, lang=ctx.lang), key="cpd_mfu")
    with b:
        chart(ctx, _frontier(ok, ctx.lang), key="cpd_frontier")
        chart(ctx, _lines(ok, "tpot_p90_ms", "TPOT p90 (ms)", "ms", lang=ctx.lang), key="cpd_tpot")
        chart(ctx, _lines(ok, "hbm_bw_utilization", ctx.t("fig.hbm_bw_pct"), "%", 100.0, lang=ctx.lang), key="cpd_hbm")
    st.subheader(_t(ctx, "configs"))
    cols = [
        "tp",
        "concurrency",
        "gpus",
        "meets_sla",
        "output_throughput_tok_s",
        "output_throughput_tok_s_per_gpu",
        "input_throughput_tok_s",
        "tok_s_per_user",
        "request_throughput_req_s",
        "ttft_p50_ms",
        "ttft_p90_ms",
        "ttft_p99_ms",
        "tpot_p50_ms",
        "tpot_p90_ms",
        "tpot_p99_ms",
        "e2e_p90_ms",
        "mfu",
        "hbm_bw_utilization",
        "peak_kv_usage",
        "preemptions",
        "num_kv_blocks",
        "completed",
    ]
    view = ok.sort_values(["tp", "concurrency"])[[c for c in cols if c in ok]]
    table(ctx, view, key="cpd_table", file_name="chunked_prefill_scaleup.csv")
    json_download(
        ctx,
        {
            "inputs": v,
            "model": model.name,
            "hardware": hw.name,
            "hardware_source": hw.source_label,
            "results": view.to_dict(orient="records"),
            "errors": errs.to_dict(orient="records"),
        },
        key="cpd_json",
        file_name="chunked_prefill_scaleup.json",
    )


if __name__ == "__main__":
    render()
