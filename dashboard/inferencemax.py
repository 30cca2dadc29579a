"""InferenceMAX scenario: prefill and decode stage times, utilisation, and compute vs bandwidth share of
one scenario (batch, sequence lengths, KV length, hardware profile)."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.hardware import HardwareError, list_hardware_presets, load_hardware
from dashboard.services.search_inferencemax import Scenario, decode_phase_stage, evaluate_scenario
from dashboard.state.inferencemax import SIDEBAR_HW, InferenceMaxInputs

PAGE = "inferencemax"

HELP = {
    "en": r"""
**What it computes.** One engine of TP GPUs (the sidebar model and dtypes; EP = 1) serving `batch` **concurrent**
sequences with **continuous batching** — each `seq_len` new prompt tokens after `kv_len` tokens already in the KV cache,
then `output_len` generated tokens — priced by the shared cost model (`dashboard/services/search_inferencemax.py`):

- **Headline figures** from the steady-state continuous-batching service (`dashboard/services/search_steady.py`):
  prompts are chunked with the engine's token budget (vLLM's `max_num_batched_tokens` on that GPU) into steps that
  also carry the running decodes. **TTFT** = the prompt's chunk steps (+ queueing when the budget saturates);
  **TPOT** = the mean step; throughput = the engine's output tokens/s in steady state.
- **Step anatomy** (the table and charts): the **prefill stage** = one step of `batch × seq_len` tokens, the
  **decode stage** = the `output_len − 1` decode steps of the batch (`CostModel.generation_time_s`), the per-op
  breakdown of the mid-generation decode step. These static-batch times are kept in the JSON as `static_*`.
- **Utilisation**: MFU = FLOPs ÷ (step time × dense peak of the GEMM format); HBM-bandwidth utilisation =
  bytes ÷ (step time × HBM GB/s).
- **Compute vs bandwidth share**: the fraction of step time spent in compute-bound vs bandwidth-bound ops
  (each op is `max(FLOPs/(peak·η), bytes/(BW·η_mem))` + kernel overhead); communication shown apart.
- Memory from the memory model at `kv_len + seq_len + output_len` tokens.
""",
    "zh": r"""
**计算内容。** 一个 TP 卡的引擎（侧边栏的模型与数据类型；EP = 1）以**连续批处理**服务 `batch` 条**并发**序列——
每条在已缓存 `kv_len` 个 token 之后输入 `seq_len` 个新 token，再生成 `output_len` 个 token——由共享成本模型计算
（`dashboard/services/search_inferencemax.py`）：

- **主要指标**来自稳态连续批处理服务（`dashboard/services/search_steady.py`）：prompt 按引擎 token 预算（该 GPU 上
  vLLM 的 `max_num_batched_tokens`）切块，与正在 decode 的请求同步执行。**TTFT** = 该 prompt 的 chunk 步（预算饱和时
  加排队）；**TPOT** = 平均步时；吞吐 = 引擎稳态输出 token/s。
- **步骤剖析**（表格与图）：**Prefill 阶段** = 一步处理 `batch × seq_len` 个 token，**Decode 阶段** = 该批之后的
  `output_len − 1` 个 decode 步（`CostModel.generation_time_s`），算子拆解取生成中点的 decode 步。这些静态批时间以
  `static_*` 保留在 JSON 中。
- **利用率**：MFU = FLOPs ÷（步时 × GEMM 格式的稠密峰值）；HBM 带宽利用率 = 字节 ÷（步时 × HBM GB/s）。
- **计算 vs 带宽占比**：步时中计算受限算子与带宽受限算子所占比例（每个算子为 `max(FLOPs/(峰值·η), 字节/(带宽·η_mem))`
  + kernel 开销）；通信单独列出。
- 显存按 `kv_len + seq_len + output_len` 个 token 由内存模型计算。
""",
}


def render() -> None:
    ctx, _ = bootstrap(
        title="InferenceMAX scenario",
        header_description="Prefill and decode stages of one scenario: times, utilisation, compute vs bandwidth share.",
        help_title="InferenceMAX scenario",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    inputs = PageInputs(ctx, PAGE, InferenceMaxInputs)
    c1, c2, c3 = st.columns(3)
    inputs.select(
        "hardware",
        t("imx.hardware"),
        [SIDEBAR_HW, *list_hardware_presets()],
        format_func=lambda s: t("imx.hw_sidebar", name=ctx.hardware.name) if s == SIDEBAR_HW else s,
        container=c1,
    )
    inputs.number("tp", t("imx.tp"), step=1, container=c2)
    inputs.number("batch", t("imx.batch"), step=1, container=c3)
    c4, c5, c6 = st.columns(3)
    inputs.number("seq_len", t("imx.seq_len"), step=256, container=c4)
    inputs.number("output_len", t("imx.output_len"), step=64, container=c5)
    inputs.number("kv_len", t("imx.kv_len"), step=256, container=c6)
    inputs.sync_query_params()
    v = inputs.values
    try:
        hw = ctx.hardware if v.hardware == SIDEBAR_HW else load_hardware(v.hardware)
        sc = Scenario(
            name="scenario",
            hardware=hw.slug,
            tp=v.tp,
            dp=1,
            batch=v.batch,
            seq_len=v.seq_len,
            output_len=v.output_len,
            kv_len=v.kv_len,
        )
        cm = ctx.cost_model(tp=v.tp, ep=1, hardware=hw)
        r = evaluate_scenario(ctx.model, hw, sc, ctx.dtypes, cm, ops=True)
    except (ValueError, HardwareError) as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    pre, dec = r["prefill"], r["decode_step"]
    st.caption(
        t(
            "imx.continuous",
            c=v.batch,
            b=r["budget"],
            sat=t("imx.saturated") if r["saturated"] else "",
            sttft=r["static_ttft_ms"],
            stpot=r["static_tpot_ms"],
        )
    )
    metrics_row(
        ctx,
        {
            t("imx.m_ttft"): f"{r['ttft_ms']:,.2f}",
            t("imx.m_tpot"): f"{r['tpot_ms']:.3f}",
            t("imx.m_e2e"): f"{r['e2e_ms']:,.1f}",
            t("imx.m_tps"): f"{r['output_tok_s']:,.0f}",
            t("imx.m_tps_gpu"): f"{r['output_tok_s_per_gpu']:,.0f}",
        },
    )
    metrics_row(
        ctx,
        {
            t("imx.m_prefill_mfu"): f"{pre['mfu']:.1%}",
            t("imx.m_decode_hbm"): f"{dec['hbm_util']:.1%}",
            t("imx.m_weights"): f"{r['weights_gib_per_gpu']:.1f}",
        },
    )
    if not r["fits"]:
        st.error(t("imx.oom", seqs=r["max_sequences"], batch=v.batch))
    st.subheader(t("imx.stages"))
    stage_rows = [
        {"stage": t("imx.stage_prefill"), **pre},
        {"stage": t("imx.stage_decode_step"), **dec},
        {"stage": t("imx.stage_decode_total"), **decode_phase_stage(r)},
    ]
    df = pd.DataFrame(stage_rows)[
        [
            "stage",
            "time_ms",
            "tflop",
            "gb",
            "mfu",
            "hbm_util",
            "compute_share",
            "memory_share",
            "comm_share",
            "tokens_per_s",
        ]
    ]
    table(ctx, df, key="imx_stages", file_name="inferencemax_stages.csv")
    cats = [t("imx.stage_prefill"), t("imx.stage_decode_step")]
    c1, c2 = st.columns(2)
    with c1:
        chart(
            ctx,
            lambda: plots.stacked_bars(
                cats,
                {
                    t("imx.b_compute"): [pre["compute_ms"], dec["compute_ms"]],
                    t("imx.b_memory"): [pre["memory_ms"], dec["memory_ms"]],
                    t("imx.b_comm"): [pre["comm_ms"], dec["comm_ms"]],
                },
                title=t("imx.chart_time"),
                yaxis="ms",
            ),
            key="imx_time",
            title=t("imx.chart_time"),
        )
    with c2:
        chart(
            ctx,
            lambda: plots.stacked_bars(
                cats,
                {
                    t("imx.b_compute"): [pre["compute_share"], dec["compute_share"]],
                    t("imx.b_memory"): [pre["memory_share"], dec["memory_share"]],
                    t("imx.b_comm"): [pre["comm_share"], dec["comm_share"]],
                },
                title=t("imx.chart_share"),
                yaxis=t("fig.share"),
            ),
            key="imx_share",
            title=t("imx.chart_share"),
        )
    st.subheader(t("imx.ops"))
    op_rows = []
    for stage, ops in (("prefill", r["ops"]["prefill"]), ("decode_step", r["ops"]["decode_step"])):
        for op in ops:
            op_rows.append(
                {
                    "stage": stage,
                    "op": op.name,
                    "time_ms": op.time_s * 1e3,
                    "bound": op.bound,
                    "GFLOP": op.flops / 1e9,
                    "MB": (op.bytes + op.comm_bytes) / 1e6,
                }
            )
    table(ctx, pd.DataFrame(op_rows), key="imx_ops", file_name="inferencemax_ops.csv")
    out = {k: val for k, val in r.items() if k != "ops"}
    json_download(
        ctx, {"inputs": v, "model": ctx.model.name, "outputs": out}, key="imx_json", file_name="inferencemax.json"
    )


if __name__ == "__main__":
    render()
