"""Attention vs head_dim: FlashAttention-3-style attention component by component (Q·Kᵀ, softmax
exponentials, rescaling, P·V, tile loads, causal tile waste) as head_dim or head count sweeps."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_kernels
from dashboard.common.numfmt import format_sig
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.flash_attention import (
    COMPONENTS,
    SWEEP_MODES,
    AttentionShape,
    MicroarchMissingError,
    attention_cost,
    compare_with_reference,
    cost_model_attention_prefill,
    kv_heads_for,
    measured_attention,
    rates_from_hardware,
    scaled_overrides,
    sweep_shapes,
)
from dashboard.features.parallel import Dtypes
from dashboard.features.reference import reference_rows
from dashboard.state.attention_vs_head_dim import ATTN_DTYPES, AttentionInputs

PAGE = "attention_vs_head_dim"
TITLE = {"en": "Attention vs head_dim", "zh": "Attention 与 head_dim"}
CAPTION = {
    "en": "FlashAttention-3-style attention per component (Q·Kᵀ, exp, rescale, P·V, tile loads, causal waste) "
    "as head_dim sweeps.",
    "zh": "FlashAttention-3 风格 attention 的分组件（Q·Kᵀ、exp、重缩放、P·V、tile 加载、因果浪费）随 head_dim 扫描。",
}

HELP = {
    "en": r"""
**What it computes.** One FlashAttention-3-style forward call (Shah et al. 2024, arXiv:2407.08608) split into
components, each timed on the unit that runs it, with rates from the hardware profile's `microarch` block
(`dashboard/features/flash_attention.py`):

| component | work | unit |
|---|---|---|
| Q·Kᵀ GEMM | `2·B·H·pairs·d` FLOPs | tensor cores: `tensor_flops_per_clk_per_sm × SMs × clock` |
| softmax exp | `B·H·pairs` exponentials | SFU: `sfu_ops_per_clk_per_sm × SMs × clock` |
| rescale | `B·H·(3·pairs + rows·kblocks·d_v + Lq·d_v)` FP32 ops (scale−max FFMA, row max, row sum, `O·exp(m_old−m_new)`, final `O/ℓ`) | FP32 lanes |
| P·V GEMM | `2·B·H·pairs·d_v` FLOPs | tensor cores |
| tile loads | SMEM bytes: K/V TMA fills + WGMMA operand reads (Q once per tile, K and V once per 64-row warp group); HBM bytes: Q, K, V, O once | `max(SMEM bytes / SMEM rate, HBM bytes / HBM BW)` |
| causal mask waste | the share of the above spent on masked scores in diagonal tiles (included above, not added) | — |

`pairs` = (query, key) pairs the tiles compute: a causal kernel skips key blocks above the diagonal but computes
diagonal tiles in full. Dense: `pairs = Lq·Lk` (so Q·Kᵀ = `2·B·H·Lq·Lk·d`, exp count = `B·H·Lq·Lk`). One tile with
`L = Br = Bc` wastes `(Br−1)/(2·Br)`; for `L` a multiple of `B = Br = Bc` the waste is `(B−1)/(L+B)`.

**Kernel time** `= max(t_loads, max(t_tensor, t_softmax) + (1−φ)·min(t_tensor, t_softmax))`, divided by the wave
efficiency `CTAs/(⌈CTAs/SMs⌉·SMs)` with one CTA per (batch, head, query block). Loads are asynchronous (TMA producer
warps); φ is how much of the softmax hides behind the other warp group's GEMMs (ping-pong). The **binding unit** is the
term that sets the kernel time; the **hot stage** is the largest component on it. **Effective TFLOP/s**
counts the useful (unmasked) matmul FLOPs `2·B·H·pairs_useful·(d + d_v)`, as FA papers and benchmarks do.

**Why head_dim matters.** Matmul FLOPs per exponential are `4·d`: the FA3 paper's H100 has 989 TFLOP/s of matmul but
3.9 T/s of exponentials, so at `d = 128` the exponentials take half the matmul time, at `d = 64` as long as it. With
`heads = hidden / head_dim`, matmul FLOPs stay fixed while the exponentials (∝ H) double each time d halves.

**Assumptions.** K/V of one head stay in L2 across its query blocks; 2-stage K/V pipeline for the SMEM footprint;
FP32 rate 128 ops/clk/SM (Hopper) unless the profile gives `fp32_ops_per_clk_per_sm`. **Overrides** replace a
component's work at the detail head_dim; the sweep scales it by the same ratio. On H200, `φ = 0.2` at the sustained
1600 MHz clock fits the measured cuDNN prefill (L ≥ 4096) with an rms error of about 20 % (worst row 40 %;
see the check below).
""",
    "zh": r"""
**计算内容。** 将一次 FlashAttention-3 风格的前向调用（Shah 等，2024，arXiv:2407.08608）拆成组件，每个组件按其执行单元
计时，速率来自硬件配置的 `microarch` 字段（`dashboard/features/flash_attention.py`）：

| 组件 | 工作量 | 单元 |
|---|---|---|
| Q·Kᵀ GEMM | `2·B·H·pairs·d` FLOPs | Tensor Core：`tensor_flops_per_clk_per_sm × SM 数 × 频率` |
| softmax exp | `B·H·pairs` 次指数 | SFU：`sfu_ops_per_clk_per_sm × SM 数 × 频率` |
| rescale | `B·H·(3·pairs + 行·kblock·d_v + Lq·d_v)` 次 FP32 运算（缩放减最大值、行最大值、行求和、`O·exp(m_old−m_new)`、最终 `O/ℓ`） | FP32 单元 |
| P·V GEMM | `2·B·H·pairs·d_v` FLOPs | Tensor Core |
| tile 加载 | SMEM 字节：K/V 的 TMA 写入 + WGMMA 操作数读取（每 tile 读一次 Q，每个 64 行 warpgroup 各读一次 K、V）；HBM 字节：Q、K、V、O 各一次 | `max(SMEM 字节 / SMEM 速率, HBM 字节 / HBM 带宽)` |
| 因果掩码浪费 | 上述各项中花在对角 tile 被掩码部分的份额（已包含，不重复相加） | — |

`pairs` = tile 实际计算的 (query, key) 对：因果 kernel 跳过对角线以上的 key block，但对角 tile 全量计算。非因果时
`pairs = Lq·Lk`（Q·Kᵀ = `2·B·H·Lq·Lk·d`，exp 次数 = `B·H·Lq·Lk`）。`L = Br = Bc` 的单个 tile 浪费 `(Br−1)/(2·Br)`；
`L` 为 `B = Br = Bc` 整数倍时浪费 `(B−1)/(L+B)`。

**Kernel 时间** `= max(t_loads, max(t_tensor, t_softmax) + (1−φ)·min(t_tensor, t_softmax))`，再除以波次效率
`CTA/(⌈CTA/SM⌉·SM)`（每个 (batch, head, query block) 一个 CTA）。加载为异步（TMA 生产者 warp）；φ 表示 softmax 被另一个
warpgroup 的 GEMM 掩盖的比例（乒乓调度）。**约束单元**为决定 kernel 时间的那一项；**热点阶段**为该项中耗时最大的组件。
**有效 TFLOP/s** 只计有效（未掩码）矩阵乘 FLOPs `2·B·H·pairs_useful·(d + d_v)`，与 FA 论文和基准一致。

**head_dim 的影响。** 每次指数对应 `4·d` 矩阵乘 FLOPs：FA3 论文中 H100 矩阵乘 989 TFLOP/s，而指数只有 3.9 T/s，故
`d = 128` 时指数耗时为矩阵乘的一半，`d = 64` 时与之相当。`头数 = hidden / head_dim` 时矩阵乘 FLOPs 不变，而指数（∝ H）
随 d 减半而翻倍。

**假设。** 同一头的 K/V 在其 query block 之间常驻 L2；SMEM 占用按 2 级 K/V 流水计算；FP32 速率默认 128 ops/clk/SM（Hopper），
除非配置提供 `fp32_ops_per_clk_per_sm`。**覆写** 替换明细 head_dim 下某组件的工作量，扫描中按同一比例缩放。在 H200 上，
持续频率 1600 MHz、`φ = 0.2` 时与实测 cuDNN prefill（L ≥ 4096）的均方根误差约 20%（最差一行 40%；见下方对比）。
""",
}


def _side_by_side(
    ctx: Any, dtype: str, shape: AttentionShape, ideal_tflops: float, sweep: list[AttentionShape]
) -> tuple[list[float], list[float | None]]:
    """This page's component model, the shared cost model and the measured prefill (best backend of
    the profile's reference set) for the same attention call, side by side (issue 14 §3). Returns
    the cost model's and the measured TFLOP/s over the sweep shapes (``None`` where unmeasured)."""
    st, t = ctx.st, ctx.t
    q = "fp8" if dtype == "fp8" else "bf16"
    try:
        cm = ctx.cost_model(tp=1, ep=1, dtypes=Dtypes(weight=q, activation=q, kv=q))
        _, cm_tflops, bound = cost_model_attention_prefill(cm, shape)
        cm_sweep = [cost_model_attention_prefill(cm, s)[1] for s in sweep]
    except ValueError as exc:
        st.caption(t("common.invalid_input", error=exc))
        return [], [None] * len(sweep)
    rows = reference_rows(ctx.hardware, "attention_prefill") if q == "bf16" else []  # the set is bf16
    meas = measured_attention(rows, shape)
    st.subheader(t("attn.sbs"))
    cards = {t("attn.sbs.ideal"): format_sig(ideal_tflops, 4), t("attn.sbs.cm"): format_sig(cm_tflops, 4)}
    if meas:
        cards[t("attn.sbs.measured", ref=ctx.hardware.reference_data, backend=meas[0]["backend"])] = format_sig(
            meas[0]["tflops"], 4
        )
    metrics_row(ctx, cards)
    note = t("attn.sbs.note", bound=t(f"attn.sbs.bound.{bound}"))
    if not meas:
        note += " " + t("attn.sbs.no_measured")
    st.caption(note)
    meas_sweep = [(m[0]["tflops"] if (m := measured_attention(rows, s)) else None) for s in sweep]
    return cm_sweep, meas_sweep


def render() -> None:
    ctx, _ = bootstrap(title=TITLE, header_description=CAPTION, help_title=TITLE, help_markdown=HELP)
    st = ctx.st
    t = ctx.t
    inputs = PageInputs(ctx, PAGE, AttentionInputs)
    c1, c2, c3, c4 = st.columns(4)
    mode = inputs.select(
        "sweep_mode", t("attn.sweep_mode"), SWEEP_MODES, container=c1, format_func=lambda m: t(f"attn.mode.{m}")
    )
    inputs.text("head_dims", t("attn.head_dims"), container=c1)
    if mode == "head_dim":
        inputs.number("num_heads", t("attn.num_heads"), step=1, container=c2)
    else:
        inputs.number("hidden", t("attn.hidden"), step=128, container=c2)
    inputs.number("gqa_group", t("attn.gqa_group"), step=1, container=c2)
    inputs.number("batch", t("attn.batch"), step=1, container=c3)
    inputs.number("seq_len", t("attn.seq_len"), step=1024, container=c3)
    inputs.number("prefix_len", t("attn.prefix_len"), step=1024, container=c3)
    inputs.number("block_m", t("attn.block_m"), step=16, container=c4)
    inputs.number("block_n", t("attn.block_n"), step=16, container=c4)
    inputs.toggle("causal", t("attn.causal"), container=c4)
    with st.expander(t("attn.advanced")):
        a1, a2, a3 = st.columns(3)
        inputs.select("dtype", t("attn.dtype"), ATTN_DTYPES, container=a1)
        inputs.slider("overlap", t("attn.overlap"), step=0.05, container=a1)
        inputs.number("clock_mhz", t("attn.clock"), step=10.0, container=a2)
        inputs.number("fp32_ops_per_clk", t("attn.fp32"), step=32, container=a2)
        inputs.number("focus_head_dim", t("attn.focus"), step=8, container=a3)
        o_cols = st.columns(len(COMPONENTS))
        for col, comp in zip(o_cols, COMPONENTS, strict=True):
            inputs.number(
                f"override_{comp}",
                t("attn.override", name=comp),
                format="%.4g",
                container=col,
            )
    inputs.sync_query_params()
    v: AttentionInputs = inputs.values

    try:
        rates = rates_from_hardware(
            ctx.hardware, v.dtype, clock_mhz=v.clock_mhz or None, fp32_ops_per_clk_per_sm=v.fp32_ops_per_clk
        )
    except MicroarchMissingError as exc:
        st.error(t("attn.no_microarch", error=exc))
        return
    st.markdown(
        t(
            "attn.rates",
            hw=rates.name,
            clock=rates.clock_hz / 1e6,
            tensor=rates.tensor_flops_per_s / 1e12,
            dtype=v.dtype,
            sfu=rates.sfu_ops_per_s / 1e12,
            fp32=rates.fp32_ops_per_s / 1e12,
            smem=rates.smem_bytes_per_s / 1e12,
            hbm=rates.hbm_bytes_per_s / 1e12,
        )
    )

    common = {
        "batch": v.batch,
        "q_len": v.seq_len,
        "kv_len": v.kv_len,
        "causal": v.causal,
        "block_m": v.block_m,
        "block_n": v.block_n,
        "dtype": v.dtype,
    }
    try:
        focus_h = v.num_heads if mode == "head_dim" else v.hidden // v.focus_head_dim
        if mode != "head_dim" and v.hidden % v.focus_head_dim:
            raise ValueError(f"detail head_dim {v.focus_head_dim} does not divide hidden {v.hidden}")
        focus_shape = AttentionShape(
            q_heads=focus_h, kv_heads=kv_heads_for(focus_h, v.gqa_group), head_dim=v.focus_head_dim, **common
        )
        focus = attention_cost(focus_shape, rates, v.overlap, v.overrides())
        model_focus = attention_cost(focus_shape, rates, v.overlap)
        shapes, notes = sweep_shapes(
            mode, v.head_dims, num_heads=v.num_heads, hidden=v.hidden, gqa_group=v.gqa_group, **common
        )
        sweep = [
            attention_cost(s, rates, v.overlap, scaled_overrides(model_focus, v.overrides(), s, rates)) for s in shapes
        ]
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    if notes:
        st.warning(t("attn.skipped", notes="; ".join(notes)))

    metrics_row(
        ctx,
        {
            t("attn.m.time"): f"{focus.time_s * 1e6:,.1f}",
            t("attn.m.tflops"): f"{focus.effective_tflops:,.1f}",
            t("attn.m.waste"): f"{focus.tiles.mask_waste_fraction:.1%}",
            t("attn.m.ai"): f"{focus.tensor_arithmetic_intensity:,.1f}",
            t("attn.m.smem"): f"{focus.smem_bytes_per_cta / 1024:,.0f}",
        },
    )
    cm_sweep, meas_sweep = _side_by_side(ctx, v.dtype, focus_shape, focus.effective_tflops, shapes)
    hot = focus.component(focus.hot)
    st.info(
        t(
            "attn.hot",
            d=v.focus_head_dim,
            name=focus.hot,
            share=focus.hot_share,
            time=hot.time_s * 1e6,
            unit=t(f"attn.binding.{focus.binding}"),
        )
    )
    for c in (focus, *sweep):
        if not c.fits_smem:
            st.warning(
                t(
                    "attn.smem_warning",
                    bm=v.block_m,
                    bn=v.block_n,
                    need=c.smem_bytes_per_cta / 1024,
                    d=c.shape.head_dim,
                    have=rates.smem_bytes_per_sm / 1024,
                )
            )
            break

    st.subheader(t("attn.detail", d=v.focus_head_dim, h=focus_h, hkv=focus_shape.kv_heads))
    detail = pd.DataFrame(focus.as_rows())
    table(ctx, detail, key="attn_detail", file_name="attention_components.csv")

    st.subheader(t("attn.sweep"))
    rows = []
    for c in sweep:
        row = {
            "head_dim": c.shape.head_dim,
            "q_heads": c.shape.q_heads,
            "kv_heads": c.shape.kv_heads,
            "kernel_us": c.time_s * 1e6,
            "serial_us": c.serial_s * 1e6,
            "effective_tflops": c.effective_tflops,
            "hot": c.hot,
            "binding": c.binding,
            "mask_waste": c.tiles.mask_waste_fraction,
            "smem_kib_per_cta": c.smem_bytes_per_cta / 1024,
            "fits_smem": c.fits_smem,
        }
        for comp in c.components:
            row[f"{comp.name}_us"] = comp.time_s * 1e6
            row[f"{comp.name}_ops"] = comp.ops
        rows.append(row)
    df = pd.DataFrame(rows)
    xs = [c.shape.head_dim for c in sweep]
    series_t = {comp: [c.component(comp).time_s * 1e6 for c in sweep] for comp in COMPONENTS}
    series_t["mask_waste"] = [c.mask_waste.time_s * 1e6 for c in sweep]
    chart(
        ctx,
        lambda: plots_kernels.attention_component_chart(
            xs,
            series_t,
            title=t("attn.chart_time"),
            xaxis="head_dim",
            yaxis="µs",
            hot=focus.hot,
            total=[c.time_s * 1e6 for c in sweep],
            lang=ctx.lang,
        ),
        key="attn_time_chart",
        title=t("attn.chart_time"),
    )
    series_o = {comp: [c.component(comp).ops for c in sweep] for comp in COMPONENTS}
    chart(
        ctx,
        lambda: plots_kernels.attention_component_chart(
            xs, series_o, title=t("attn.chart_ops"), xaxis="head_dim", yaxis=t("fig.count"), log_y=True
        ),
        key="attn_ops_chart",
        title=t("attn.chart_ops"),
    )
    chart(
        ctx,
        lambda: plots_kernels.attention_component_chart(
            xs,
            {
                t("fig.effective_tflops"): [c.effective_tflops for c in sweep],
                **({t("attn.sbs.cm_series"): cm_sweep} if cm_sweep else {}),
                **({t("attn.sbs.meas_series"): meas_sweep} if any(x is not None for x in meas_sweep) else {}),
            },
            title=t("attn.chart_tflops"),
            xaxis="head_dim",
            yaxis="TFLOP/s",
        ),
        key="attn_tflops_chart",
        title=t("attn.chart_tflops"),
    )
    table(ctx, df, key="attn_sweep", file_name="attention_sweep.csv")

    ref = None
    measured = reference_rows(ctx.hardware, "attention_prefill")  # this profile's measurements, if any
    if measured:
        ref = pd.DataFrame(
            compare_with_reference(measured, rates, block_m=v.block_m, block_n=v.block_n, overlap=v.overlap)
        )
        if not ref.empty:
            with st.expander(t("attn.reference")):
                st.caption(t("attn.reference_note"))
                pts = {be: (list(g.measured_tflops), list(g.model_tflops)) for be, g in ref.groupby("backend")}
                hover = {
                    be: [f"B={r.batch} H={r.q_heads} d={r.head_dim} L={r.seq_len}" for r in g.itertuples()]
                    for be, g in ref.groupby("backend")
                }
                chart(ctx, plots_kernels.measured_vs_model_chart(pts, hover=hover, lang=ctx.lang), key="attn_ref_chart")
                table(ctx, ref, key="attn_ref", file_name=f"attention_vs_{ctx.hardware.reference_data}.csv")
    json_download(
        ctx,
        {
            "inputs": v,
            "hardware": ctx.hardware.name,
            "rates": rates,
            "focus": {
                "shape": focus.shape,
                "time_us": focus.time_s * 1e6,
                "hot": focus.hot,
                "effective_tflops": focus.effective_tflops,
                "components": focus.as_rows(),
            },
            "sweep": df,
            "reference": ref if ref is not None else [],
        },
        key="attn_json",
        file_name="attention_vs_head_dim.json",
    )


if __name__ == "__main__":
    render()
