"""Custom runtime planner: the pure compute view of prefill and decode — FLOPs per phase and op,
compute time under custom kernel efficiencies, and per-token latency/throughput curves."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from dashboard.actions.settings import set_page_input
from dashboard.app_context import bootstrap
from dashboard.common import plots
from dashboard.common.labels import source_label
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.services.estimation import (
    OP_CATEGORIES,
    compute_only_hardware,
    phase_op_table,
    phase_ops,
    profile_kernel_efficiencies,
    runtime_summary,
    token_curves,
    with_kernel_efficiencies,
)
from dashboard.state.custom_runtime_planner import (
    MIN_ATTN_EFF,
    MIN_GEMM_EFF,
    MIN_MEM_EFF,
    MIN_OVERHEAD_US,
    CustomRuntimeInputs,
)

PAGE = "custom_runtime_planner"

HELP = {
    "en": r"""
**What it computes.** Prefill and decode of `batch` sequences — `input_len` new prompt tokens after `kv_len` tokens
already in the KV cache, then `output_len` generated tokens — seen as compute, with the sidebar model, TP/EP and
dtypes. Every FLOP count and time comes from the shared cost model's op list (`dashboard/features/cost_model.py`).

- **FLOPs** (2 per multiply-add, per GPU): GEMMs `2·M·N·K` (M = tokens through the layer; lm_head on one sampled token
  per sequence); prefill attention `2·H·pairs·(d_qk + d_v)` with causal pairs
  `new·prefix + new·(new+1)/2` per sequence — **quadratic** in the prompt length; decode attention
  `2·H·context·(d_qk + d_v)` per step — linear in the context; MoE experts on the routed tokens only.
- **Decode phase** = the `output_len − 1` steps after the prefill step (which emits token 1), integrated at 16
  midpoints of the growing context (the same points as `CostModel.generation_time_s`).
- **Compute-only time**: the cost model on this profile with unbounded HBM and link bandwidth and no fixed costs, so
  each op takes `FLOPs / (peak · η)` (η_gemm for GEMMs, η_attn for prefill attention; memory-only ops ~0).
- **Roofline time**: the full cost model with the same efficiencies —
  `max(FLOPs/(peak·η), bytes/(BW·η_mem)) + t_kernel`, collectives included. Decode is usually memory-bound, so the
  two views differ most there.
- **Custom kernel efficiencies** replace the profile's curves (`HardwareProfile.with_efficiency`) with constants: GEMM η
  for every GEMM format, prefill-attention η, HBM η and the per-kernel overhead. The profile's GEMM η depends on the
  row count M (small M wastes tensor-core tiles); a constant does not.
- **Curves**: for output token k, the step that produces it (k = 1: the prefill step; k ≥ 2: a decode step attending
  `kv_len + input_len + k − 1` tokens), its throughput `batch / latency`, and the elapsed time to token k.
- **Compute-bound tok/s** = `batch · output_len` ÷ (prefill + decode compute-only time): the ceiling if memory and
  communication were free. **MFU** = prefill FLOPs ÷ (roofline prefill time × dense peak of the GEMM format).
""",
    "zh": r"""
**计算内容。** 以纯计算视角规划 `batch` 条序列：在已缓存 `kv_len` 个 token 之后输入 `input_len` 个新 token，再生成
`output_len` 个 token。模型、TP/EP 与 dtype 取自侧边栏；所有 FLOPs 与耗时都来自共享成本模型的算子列表。

- **FLOPs**（乘加计 2，每卡）：GEMM `2·M·N·K`（M 为经过该层的 token 数；lm_head 每序列只算一个采样 token）；prefill
  attention `2·H·pairs·(d_qk + d_v)`，因果位置对数 `pairs` 为每序列 `new·prefix + new·(new+1)/2` —— 随输入长度**二次**增长；
  decode attention 每步 `2·H·context·(d_qk + d_v)` —— 随上下文线性增长；MoE 专家只计路由到的 token。
- **Decode 阶段** = prefill（产出第 1 个 token）之后的 `output_len − 1` 步，在增长的上下文上取 16 个中点积分
  （与 `CostModel.generation_time_s` 相同）。
- **纯计算时间**：在 HBM 与链路带宽无限、无固定开销的配置上运行成本模型，每个算子耗时 `FLOPs / (峰值 · η)`
  （GEMM 用 η_gemm，prefill attention 用 η_attn；纯访存算子约为 0）。
- **Roofline 时间**：同一组效率下的完整成本模型 `max(FLOPs/(峰值·η), 字节/(带宽·η_mem)) + kernel 开销`，含集合通信。
  Decode 通常受访存限制，两种视角在此差别最大。
- **自定义 kernel 效率**：用常数替换配置中的效率曲线（`HardwareProfile.with_efficiency`）：所有 GEMM 格式的 η、prefill
  attention η、HBM η 与单 kernel 开销。配置中的 GEMM η 随行数 M 变化（小 M 浪费 tensor core tile），常数则不随 M 变化。
- **曲线**：第 k 个输出 token 所在步的耗时（k = 1 为 prefill 步；k ≥ 2 为上下文 `kv_len + input_len + k − 1` 的 decode 步）、
  吞吐 `batch / 耗时`，以及到第 k 个 token 的累计时间。
- **计算上限 tok/s** = `batch · output_len` ÷（prefill + decode 纯计算时间），即访存与通信免费时的上限。
  **MFU** = prefill FLOPs ÷（roofline prefill 时间 × GEMM 格式的稠密峰值）。
""",
}


def render() -> None:
    ctx, _ = bootstrap(
        title="Custom runtime planner",
        header_description="Pure compute view: FLOPs per phase and op, compute time under custom "
        "kernel efficiencies, per-token latency and throughput curves.",
        help_title="Custom runtime planner",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    inputs = PageInputs(ctx, PAGE, CustomRuntimeInputs)
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("batch", t("crp.batch"), step=1, container=c1)
    inputs.number("input_len", t("crp.input_len"), step=256, container=c2)
    inputs.number("output_len", t("crp.output_len"), step=64, container=c3)
    inputs.number("kv_len", t("crp.kv_len"), step=256, container=c4)

    hw0 = ctx.hardware
    v = inputs.values
    prof = profile_kernel_efficiencies(hw0, v.batch, v.input_len)
    o1, o2 = st.columns([1, 2])
    with o1:
        custom = inputs.toggle("custom_eff", t("crp.custom_eff"))
    inputs.slider("points", t("crp.points"), step=1, container=o2)
    if custom:
        for f, sentinel in (("gemm_eff", 0.0), ("attn_eff", 0.0), ("mem_eff", 0.0), ("kernel_overhead_us", -1.0)):
            if getattr(inputs.values, f) == sentinel:
                set_page_input(ctx.session_state, PAGE, f, prof[f])
        e1, e2, e3, e4 = st.columns(4)
        inputs.number("gemm_eff", t("crp.gemm_eff"), min_value=MIN_GEMM_EFF, step=0.05, container=e1)
        inputs.number("attn_eff", t("crp.attn_eff"), min_value=MIN_ATTN_EFF, step=0.05, container=e2)
        inputs.number("mem_eff", t("crp.mem_eff"), min_value=MIN_MEM_EFF, step=0.05, container=e3)
        inputs.number(
            "kernel_overhead_us", t("crp.kernel_overhead_us"), min_value=MIN_OVERHEAD_US, step=0.5, container=e4
        )
    inputs.sync_query_params()
    v = inputs.values

    try:
        hw = hw0
        if v.custom_eff:
            hw = with_kernel_efficiencies(
                hw0, gemm=v.gemm_eff, attention=v.attn_eff, memory=v.mem_eff, kernel_overhead_us=v.kernel_overhead_us
            )
        cm_roof = ctx.cost_model(hardware=hw)
        cm_comp = ctx.cost_model(hardware=compute_only_hardware(hw))
        shape = {"batch": v.batch, "input_len": v.input_len, "output_len": v.output_len, "kv_len": v.kv_len}
        comp_rows, comp_tot = phase_ops(cm_comp, **shape)
        roof_rows, roof_tot = phase_ops(cm_roof, **shape)
        curves_c = token_curves(cm_comp, **shape, points=v.points)
        curves_r = token_curves(cm_roof, **shape, points=v.points)
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    if v.custom_eff:
        st.caption(t("crp.eff_caption_custom", g=v.gemm_eff, a=v.attn_eff, mem=v.mem_eff, kov=v.kernel_overhead_us))
    else:
        st.caption(
            t(
                "crp.eff_caption_profile",
                hw=hw.name,
                src=source_label(hw, ctx.lang),
                g=prof["gemm_eff"],
                m=prof["gemm_rows"],
                a=prof["attn_eff"],
                mem=prof["mem_eff"],
                kov=prof["kernel_overhead_us"],
            )
        )

    steps = v.output_len - 1
    dt = ctx.dtypes
    peak = hw.peak_flops(gemm_compute_dtype(dt.weight, dt.activation))
    summ = runtime_summary(
        comp_tot,
        roof_tot,
        batch=v.batch,
        output_len=v.output_len,
        first_step_s=curves_r["latency_s"][0],
        peak_flops_per_s=peak,
    )
    metrics_row(
        ctx,
        {
            t("crp.m_prefill_tflop"): f"{comp_tot['prefill_flops'] / 1e12:.4f}",
            t("crp.m_decode_tflop"): f"{comp_tot['decode_flops'] / 1e12:.4f}",
            t("crp.m_prefill_compute"): f"{comp_tot['prefill_s'] * 1e3:.4f}",
            t("crp.m_decode_compute"): f"{comp_tot['decode_s'] * 1e3:.4f}",
            t("crp.m_compute_tps"): f"{summ.compute_tokens_per_s:,.1f}" if summ.compute_tokens_per_s > 0 else "—",
        },
    )
    metrics_row(
        ctx,
        {
            t("crp.m_ttft"): f"{summ.ttft_s * 1e3:.4f}",
            t("crp.m_tpot"): f"{summ.tpot_s * 1e3:.4f}",
            t("crp.m_tps"): f"{summ.decode_tokens_per_s:,.1f}" if summ.tpot_s > 0 else "—",
            t("crp.m_achieved"): f"{summ.achieved_flops_per_s / 1e12:,.1f}",
            t("crp.m_mfu"): f"{100 * summ.prefill_mfu:.1f}",
        },
    )

    # FLOPs breakdown
    df = pd.DataFrame(phase_op_table(comp_rows, roof_rows, comp_tot, summ.decode_tokens))
    series = {
        t(f"opcat.{c}"): [
            float(df[(df.phase == ph) & (df.category == c)].GFLOP.sum()) / 1e3 for ph in ("prefill", "decode")
        ]
        for c in OP_CATEGORIES
        if c != "communication"
    }
    chart(
        ctx,
        lambda: plots.stacked_bars(
            ["prefill", f"decode ({steps:,} steps)"], series, title=t("crp.flops_title"), yaxis="TFLOP"
        ),
        key="crp_flops",
        title=t("crp.flops_title"),
    )
    st.subheader(t("crp.table_header"))
    table(ctx, df, key="crp_ops", file_name="custom_runtime_planner_ops.csv")

    st.subheader(t("crp.curves_header"))
    x = curves_c["token"]
    sc, sr = t("crp.s_compute"), t("crp.s_roofline")
    g1, g2 = st.columns(2)
    with g1:
        chart(
            ctx,
            lambda: plots.line_chart(
                x,
                {sc: [s * 1e3 for s in curves_c["latency_s"]], sr: [s * 1e3 for s in curves_r["latency_s"]]},
                title=t("crp.lat_title"),
                xaxis=t("crp.x_token"),
                yaxis="ms",
                log_y=True,
            ),
            key="crp_latency",
            title=t("crp.lat_title"),
        )
    with g2:
        chart(
            ctx,
            lambda: plots.line_chart(
                x,
                {sc: curves_c["tokens_per_s"], sr: curves_r["tokens_per_s"]},
                title=t("crp.tps_title"),
                xaxis=t("crp.x_token"),
                yaxis="tokens/s",
                log_y=True,
            ),
            key="crp_tps",
            title=t("crp.tps_title"),
        )
    chart(
        ctx,
        lambda: plots.line_chart(
            x,
            {sc: curves_c["elapsed_s"], sr: curves_r["elapsed_s"]},
            title=t("crp.elapsed_title"),
            xaxis=t("crp.x_token"),
            yaxis="s",
        ),
        key="crp_elapsed",
        title=t("crp.elapsed_title"),
    )
    json_download(
        ctx,
        {
            "inputs": v,
            "model": ctx.model.summary(),
            "hardware": {"name": hw.name, "efficiency": hw.efficiency.to_dict(), "peak_flops": peak},
            "outputs": {
                "compute_only": comp_tot,
                "roofline": roof_tot,
                "ops": df,
                "curves": {
                    "token": x,
                    "compute_latency_s": curves_c["latency_s"],
                    "roofline_latency_s": curves_r["latency_s"],
                    "compute_tokens_per_s": curves_c["tokens_per_s"],
                    "roofline_tokens_per_s": curves_r["tokens_per_s"],
                },
            },
        },
        key="crp_json",
        file_name="custom_runtime_planner.json",
    )


if __name__ == "__main__":
    render()
