"""MMA / GEMM tile modeler: one GEMM on one GPU, bytes per cycle demanded vs available at every
memory level, arithmetic intensity, wave quantisation and the bottleneck; H200 measurements beside
the model."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataclasses import replace
from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_kernels
from dashboard.common.numfmt import format_sig
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.metrics import mfu
from dashboard.features.mma import (
    GEMM_DTYPES,
    LEVELS,
    GemmProblem,
    GemmTiling,
    caps_from_hardware,
    compare_gemm_with_reference,
    cost_model_gemm,
    load_gemm_reference,
    measured_gemm,
    measured_over_model,
    reference_shapes,
    solve_gemm,
)
from dashboard.features.parallel import Dtypes
from dashboard.features.reference import reference_rows
from dashboard.state.mma_modeler_app import SWEEP_DIMS, MmaInputs

PAGE = "mma_modeler_app"
TITLE = {"en": "MMA / GEMM tile modeler", "zh": "MMA / GEMM Tile 建模"}
CAPTION = {
    "en": "One GEMM: tiles, memory-hierarchy bandwidth demand, wave quantisation and the bottleneck.",
    "zh": "单个 GEMM：tile、各级存储带宽需求、波次量化与瓶颈。",
}

HELP = {
    "en": r"""
**What it computes.** One GEMM `C[M,N] = A[M,K]·B[K,N]` cut into CTA tiles `BM×BN` (K in steps of `BK`, `stages`
shared-memory buffers) and warp-group tiles `WM×WN`, priced level by level (`dashboard/features/mma.py`):

| level | bytes for the whole GEMM | available (per SM per clock) |
|---|---|---|
| registers | fp32 accumulators read + written by every MMA instruction: `4 / k_inst` bytes per FLOP (`k_inst` = 16 for 16-bit, 32 for 8-bit inputs) | input; default 1536 B = 4 sub-partitions × 32 lanes × 3 operands × 4 B (what an FFMA per lane per clock reads) |
| shared memory | TMA writes of A and B tiles + warp-group operand reads: `tiles·Kp·b·[(BM+BN) + (BM/WM)(BN/WN)(WM+WN)]` | profile `microarch.smem_bytes_per_clk_per_sm` (Hopper: 128) |
| L2 | every CTA loads its A and B tiles, stores C: `tiles·Kp·(BM+BN)·b + M·N·b_out` (+ split-K fp32 partials) | `L2 GB/s ÷ (clock·SMs)`; the shipped profiles have no L2 bandwidth, so L2 is not a limit unless you enter one |
| HBM | `max(compulsory (M·K + K·N)·b + M·N·b_out, (1 − hit)·L2 bytes)` | `HBM GB/s ÷ (clock·SMs)` |

- **Arithmetic intensity** at a level = `2·M·N·K ÷ bytes`; per CTA at L2 it is `2·BM·BN / ((BM+BN)·b)`.
- **Compute**: one CTA tile per SM at a time on the tensor cores; `waves = ⌈tiles / SMs⌉`, each
  `2·BM·BN·Kp / (tensor FLOP/clk/SM × clock)`; **wave efficiency** = `tiles / (waves·SMs)`. Partial tiles are
  computed in full (M = 1 costs BM rows), so small M needs **split-K** (0 = auto: the fastest power of two).
  A CTA holds `stages·(BM+BN)·BK·b` bytes of shared memory; when fewer stages fit the GPU, the page models the
  number that fits (and says so).
- **Demanded bytes/clk/SM** = level bytes ÷ compute cycles: what the level must deliver to keep the tensor cores at
  peak; **utilisation** = demanded ÷ available (above 1 that level, not the tensor cores, sets the time).
- **Time** = `max(compute, every level's bytes ÷ bandwidth)` (+ the profile's per-kernel overhead); the largest term
  is the **bottleneck**.

**Check.** On an H200 profile the measured `x[M,K]·w[N,K]ᵀ` points (`dashboard/data/reference/gemm.csv`, Llama 8B and
70B-TP8 shapes, bf16 and fp8) are drawn beside the model when the other two dimensions match. The model is a
roofline: with the defaults it lands within about 25 % of the memory-bound (small M) rows and above the compute-bound
ones (cuBLAS reaches 55–95 % of it; the sustained clock under load is about 1600 MHz, not 1980).
""",
    "zh": r"""
**计算内容。** 单个 GEMM `C[M,N] = A[M,K]·B[K,N]`，切分为 CTA tile `BM×BN`（K 方向步长 `BK`，`stages` 级共享内存缓冲）和
warpgroup tile `WM×WN`，逐层级计价（`dashboard/features/mma.py`）：

| 层级 | 整个 GEMM 的字节数 | 可用带宽（每 SM 每周期） |
|---|---|---|
| 寄存器 | 每条 MMA 指令读写 fp32 累加器：每 FLOP `4 / k_inst` 字节（16 位输入 `k_inst` = 16，8 位为 32） | 输入项；默认 1536 B = 4 个子分区 × 32 个线程 × 3 个操作数 × 4 B（每线程每周期一条 FFMA 的读取量） |
| 共享内存 | A、B tile 的 TMA 写入 + warpgroup 操作数读取：`tiles·Kp·b·[(BM+BN) + (BM/WM)(BN/WN)(WM+WN)]` | 配置 `microarch.smem_bytes_per_clk_per_sm`（Hopper：128） |
| L2 | 每个 CTA 读取自己的 A、B tile 并写回 C：`tiles·Kp·(BM+BN)·b + M·N·b_out`（+ split-K 的 fp32 部分和） | `L2 GB/s ÷ (频率·SM 数)`；预置配置无 L2 带宽，除非手动输入，L2 不作为限制 |
| HBM | `max(必需流量 (M·K + K·N)·b + M·N·b_out, (1 − 命中率)·L2 字节)` | `HBM GB/s ÷ (频率·SM 数)` |

- **算术强度** = `2·M·N·K ÷ 该层字节`；单个 CTA 在 L2 层为 `2·BM·BN / ((BM+BN)·b)`。
- **计算**：每个 SM 同时只有一个 CTA tile 占用 Tensor Core；`波次 = ⌈tiles / SM⌉`，每波 `2·BM·BN·Kp / (每 SM 每周期 Tensor
  FLOP × 频率)`；**波次效率** = `tiles / (波次·SM)`。不完整 tile 按完整计算（M = 1 也算 BM 行），因此小 M 需要 **split-K**
  （0 = 自动：选最快的 2 的幂）。
  每个 CTA 占用 `stages·(BM+BN)·BK·b` 字节共享内存；若该 GPU 放不下所设级数，页面按能放下的级数建模并提示。
- **需求字节/clk/SM** = 该层字节 ÷ 计算周期：让 Tensor Core 满速所需的供给；**利用率** = 需求 ÷ 可用（大于 1 时由该层而非
  Tensor Core 决定时间）。
- **时间** = `max(计算, 各层字节 ÷ 带宽)`（+ 配置中的单 kernel 开销）；最大项即 **瓶颈**。

**校验。** 硬件为 H200 时，若另外两个维度一致，会在模型旁绘制实测的 `x[M,K]·w[N,K]ᵀ` 点（`dashboard/data/reference/gemm.csv`，
Llama 8B 与 70B-TP8 形状，bf16 与 fp8）。模型是 roofline：默认参数下对访存受限（小 M）的行误差约 25% 以内，对计算受限的行
给出上界（cuBLAS 达到其 55–95%；负载下持续频率约 1600 MHz 而非 1980）。
""",
}


def _side_by_side(
    ctx: Any, dtype: str, m: int, n: int, k: int, tile_tflops: float, sweep_dims: list[dict[str, int]]
) -> list[float]:
    """The ideal tile model, the shared cost model and (when the profile has measurements of this
    shape) the measured figure for the same GEMM, side by side (issue 14 §3); returns the cost model's
    TFLOP/s over the sweep (empty when the cost model cannot be built)."""
    st, t = ctx.st, ctx.t
    q = "fp8" if dtype == "fp8" else "bf16"
    try:
        cm = ctx.cost_model(tp=1, ep=1, dtypes=Dtypes(weight=q, activation=q, kv=ctx.dtypes.kv))
        _, cm_tflops, bound = cost_model_gemm(cm, m, n, k)
        cm_sweep = [cost_model_gemm(cm, d["m"], d["n"], d["k"])[1] for d in sweep_dims]
    except ValueError as exc:
        st.caption(t("common.invalid_input", error=exc))
        return []
    meas = measured_gemm(reference_rows(ctx.hardware, "gemm"), m, n, k, dtype)
    st.subheader(t("mma.sbs"))
    cards = {t("mma.sbs.tile"): format_sig(tile_tflops, 4), t("mma.sbs.cm"): format_sig(cm_tflops, 4)}
    if meas is not None:
        cards[t("mma.sbs.measured", ref=ctx.hardware.reference_data)] = format_sig(meas["tflops"], 4)
    metrics_row(ctx, cards)
    note = t("mma.sbs.note", bound=t(f"mma.bound.{bound}"))
    if meas is not None:
        note += " " + t(
            "mma.sbs.ratio",
            label=meas["label"],
            tile=format_sig(measured_over_model(meas["tflops"], tile_tflops), 3),
            cm=format_sig(measured_over_model(meas["tflops"], cm_tflops), 3),
        )
    else:
        note += " " + t("mma.sbs.no_measured")
    st.caption(note)
    return cm_sweep


def render() -> None:
    ctx, _ = bootstrap(title=TITLE, header_description=CAPTION, help_title=TITLE, help_markdown=HELP)
    st = ctx.st
    t = ctx.t
    inputs = PageInputs(ctx, PAGE, MmaInputs)
    ref_rows = load_gemm_reference()
    shapes = reference_shapes(ref_rows)

    c1, c2, c3 = st.columns(3)
    shape = inputs.select(
        "shape",
        t("mma.shape"),
        ["custom", *shapes],
        container=c1,
        format_func=lambda s: t("mma.shape_custom") if s == "custom" else f"{s} {shapes[s]}",
    )
    inputs.number("m", t("mma.m"), step=1, container=c1)
    if shape == "custom":
        inputs.number("n", t("mma.n"), step=128, container=c1)
        inputs.number("k", t("mma.k"), step=128, container=c1)
    else:
        c1.caption(t("mma.shape_from", n=shapes[shape][0], k=shapes[shape][1], label=shape))
    inputs.select("dtype", t("mma.dtype"), list(GEMM_DTYPES), container=c2)
    inputs.number("out_bytes", t("mma.out_bytes"), step=0.5, container=c2)
    inputs.select("sweep_dim", t("mma.sweep_dim"), SWEEP_DIMS, container=c3, horizontal=True, radio=True)
    inputs.text(
        "sweep_values",
        t("mma.sweep_values"),
        container=c3,
    )
    with st.expander(t("mma.tiles"), expanded=True):
        cols = st.columns(4)
        inputs.number("block_m", t("mma.block_m"), step=8, container=cols[0])
        inputs.number("block_n", t("mma.block_n"), step=8, container=cols[0])
        inputs.number("block_k", t("mma.block_k"), step=8, container=cols[1])
        inputs.number("stages", t("mma.stages"), step=1, container=cols[1])
        inputs.number("wg_m", t("mma.wg_m"), step=8, container=cols[2])
        inputs.number("wg_n", t("mma.wg_n"), step=8, container=cols[2])
        inputs.number("split_k", t("mma.split_k"), step=1, container=cols[3])
    with st.expander(t("mma.memory")):
        cols = st.columns(4)
        inputs.slider("l2_hit_rate", t("mma.l2_hit"), step=0.05, container=cols[0])
        inputs.number("hbm_gb_s", t("mma.hbm"), step=100.0, container=cols[1])
        inputs.number("l2_gb_s", t("mma.l2"), step=500.0, container=cols[1])
        inputs.number("smem_bytes_per_clk", t("mma.smem"), step=16.0, container=cols[2])
        inputs.number("reg_bytes_per_clk", t("mma.reg"), step=128.0, container=cols[2])
        inputs.number("clock_mhz", t("mma.clock"), step=10.0, container=cols[3])
        inputs.toggle("overhead", t("mma.overhead"), container=cols[3])
    inputs.sync_query_params()
    v: MmaInputs = inputs.values
    n, k = (v.n, v.k) if shape == "custom" else shapes[shape]
    tkey, in_bytes, k_inst = GEMM_DTYPES[v.dtype]

    try:
        caps = caps_from_hardware(
            ctx.hardware,
            tkey,
            clock_mhz=v.clock_mhz or None,
            reg_bytes_per_clk_per_sm=v.reg_bytes_per_clk,
            l2_gb_s=v.l2_gb_s or None,
            hbm_gb_s=v.hbm_gb_s or None,
            smem_bytes_per_clk_per_sm=v.smem_bytes_per_clk or None,
            l2_hit_rate=v.l2_hit_rate,
            overhead_s=ctx.hardware.efficiency.kernel_overhead_us * 1e-6 if v.overhead else 0.0,
        )
    except ValueError as exc:
        st.error(t("mma.no_microarch", error=exc))
        return
    try:
        tiling = GemmTiling(
            block_m=v.block_m,
            block_n=v.block_n,
            block_k=v.block_k,
            wg_m=v.wg_m,
            wg_n=v.wg_n,
            stages=v.stages,
            k_inst=k_inst,
        )
        fit = tiling.stages_that_fit(caps.smem_bytes_per_sm, in_bytes)
        if 1 <= fit < v.stages:  # fewer stages than asked fit this GPU's shared memory: use what fits
            st.warning(t("mma.stages_reduced", asked=v.stages, used=fit, kib=caps.smem_bytes_per_sm / 1024))
            tiling = replace(tiling, stages=fit)
        problem = GemmProblem(v.m, n, k, in_bytes, v.out_bytes)
        res = solve_gemm(problem, tiling, caps, v.split_k)
        dims = {"m": v.m, "n": n, "k": k}
        sweep = []
        for x in v.sweep_values:
            d = {**dims, v.sweep_dim: x}
            sweep.append(
                solve_gemm(GemmProblem(d["m"], d["n"], d["k"], in_bytes, v.out_bytes), tiling, caps, v.split_k)
            )
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return

    l2_avail = caps.available_bytes_per_clk_per_sm("l2")
    st.markdown(
        t(
            "mma.caps",
            hw=caps.name,
            clock=caps.clock_hz / 1e6,
            peak=caps.peak_flops / 1e12,
            dtype=v.dtype,
            reg=caps.reg_bytes_per_clk_per_sm,
            smem=caps.smem_bytes_per_clk_per_sm,
            l2=f"{l2_avail:.1f} B" if l2_avail else t("mma.l2_none"),
            hbm=caps.available_bytes_per_clk_per_sm("hbm"),
            smem_kib=caps.smem_bytes_per_sm / 1024,
        )
    )
    metrics_row(
        ctx,
        {
            t("mma.m.time"): f"{res.time_s * 1e6:,.2f}",
            t("mma.m.tflops"): f"{res.tflops:,.1f}",
            t("mma.m.peak"): f"{mfu(res.problem.flops, res.time_s, caps.peak_flops):.1%}",
            t("mma.m.ai_l2"): f"{res.level('l2').arithmetic_intensity:,.1f}",
            t("mma.m.waves"): f"{res.waves:,}",
        },
    )
    b_time = res.compute_s if res.bottleneck == "compute" else res.level(res.bottleneck).time_s
    st.info(
        t(
            "mma.bottleneck",
            level=t(f"mma.level.{res.bottleneck}"),
            time=b_time * 1e6,
            total=res.time_s * 1e6,
            tiles=res.tiles,
            waves=res.waves,
            eff=res.wave_efficiency,
            split=res.split_k,
        )
    )

    cm_sweep = _side_by_side(ctx, v.dtype, v.m, n, k, res.tflops, [{**dims, v.sweep_dim: x} for x in v.sweep_values])

    st.subheader(t("mma.levels"))
    levels_df = pd.DataFrame(res.as_rows())
    table(ctx, levels_df, key="mma_levels", file_name="gemm_levels.csv")

    st.subheader(t("mma.sweep", dim=v.sweep_dim.upper()))
    rows = []
    for x, r in zip(v.sweep_values, sweep, strict=True):
        row = {
            v.sweep_dim: x,
            "time_us": r.time_s * 1e6,
            "tflops": r.tflops,
            "bottleneck": r.bottleneck,
            "tiles": r.tiles,
            "waves": r.waves,
            "wave_efficiency": r.wave_efficiency,
            "split_k": r.split_k,
        }
        for lv in r.levels:
            row[f"{lv.level}_flop_per_byte"] = lv.arithmetic_intensity
            row[f"{lv.level}_demand_B_clk_SM"] = lv.demanded_bytes_per_clk_per_sm
            row[f"{lv.level}_utilisation"] = lv.utilisation
        rows.append(row)
    sweep_df = pd.DataFrame(rows)

    measured = {}
    fixed = [d for d in SWEEP_DIMS if d != v.sweep_dim]
    measured_rows = reference_rows(ctx.hardware, "gemm")  # this profile's measurements, if it has any
    match_rows = [
        r
        for r in measured_rows
        if r["dtype"] == ("fp8" if v.dtype == "fp8" else "bf16") and all(r[d] == dims[d] for d in fixed)
    ]
    if match_rows:
        match_rows.sort(key=lambda r: r[v.sweep_dim])
        label = t("mma.measured", fixed=", ".join(f"{d.upper()}={dims[d]:,}" for d in fixed), dtype=v.dtype)
        measured[label] = ([r[v.sweep_dim] for r in match_rows], [r["tflops"] for r in match_rows])
    xs = list(v.sweep_values)
    chart(
        ctx,
        plots_kernels.gemm_throughput_chart(
            xs,
            [r.tflops for r in sweep],
            xaxis=v.sweep_dim.upper(),
            peak_tflops=caps.peak_flops / 1e12,
            measured=measured,
            bottlenecks=[t(f"mma.level.{r.bottleneck}") for r in sweep],
            title=t("mma.chart_tflops"),
            lang=ctx.lang,
            cost_model=(t("mma.cm_series"), cm_sweep) if cm_sweep else None,
        ),
        key="mma_tflops_chart",
    )
    chart(
        ctx,
        plots_kernels.gemm_levels_chart(
            xs,
            {t(f"mma.level.{lv}"): [r.level(lv).utilisation for r in sweep] for lv in LEVELS},
            xaxis=v.sweep_dim.upper(),
            title=t("mma.chart_util"),
            lang=ctx.lang,
        ),
        key="mma_util_chart",
    )
    chart(
        ctx,
        plots_kernels.lines_chart(
            xs,
            {t(f"mma.level.{lv}"): [r.level(lv).arithmetic_intensity for r in sweep] for lv in LEVELS},
            title=t("mma.chart_ai"),
            xaxis=v.sweep_dim.upper(),
            yaxis="FLOP/byte",
            log_x=True,
            log_y=True,
        ),
        key="mma_ai_chart",
    )
    table(ctx, sweep_df, key="mma_sweep", file_name="gemm_sweep.csv")

    cmp_df = None
    if match_rows:
        cmp_df = pd.DataFrame(compare_gemm_with_reference(match_rows, in_bytes, v.out_bytes, tiling, caps, v.split_k))
        table(ctx, cmp_df, key="mma_measured", file_name=f"gemm_vs_{ctx.hardware.reference_data}.csv")
    elif measured_rows:
        st.caption(t("mma.measured_none", shapes=", ".join(sorted({f"{a}×{b}" for a, b in shapes.values()}))))
    json_download(
        ctx,
        {
            "inputs": v,
            "hardware": ctx.hardware.name,
            "caps": caps,
            "n": n,
            "k": k,
            "result": {
                "time_us": res.time_s * 1e6,
                "tflops": res.tflops,
                "bottleneck": res.bottleneck,
                "tiles": res.tiles,
                "waves": res.waves,
                "wave_efficiency": res.wave_efficiency,
                "split_k": res.split_k,
                "levels": res.as_rows(),
            },
            "sweep": sweep_df,
            "measured_vs_model": cmp_df if cmp_df is not None else [],
        },
        key="mma_json",
        file_name="mma_modeler.json",
    )


if __name__ == "__main__":
    render()
