"""Quick estimation: one scenario, fewest inputs — prefill and decode per-op times, bytes, TTFT,
TPOT, tokens/s, and the overlap timeline for φ = 0, the chosen φ and 1."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from dashboard.actions.settings import set_page_input
from dashboard.app_context import bootstrap
from dashboard.common import plots, plots_estimation
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, localized_columns, metrics_row, table
from dashboard.components.speculative import speculative_section
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.features.memory import memory_breakdown, weight_bytes_per_gpu
from dashboard.features.parallel import ParallelConfig
from dashboard.services.estimation import (
    edited_hardware,
    estimate_scenario,
    op_table,
    profile_spec_values,
    sidebar_defaults,
)
from dashboard.state.quick_estimation import MIN_SPEC, QuickEstimationInputs

PAGE = "quick_estimation"

HELP = {
    "en": r"""
**What it computes.** One scenario — `batch` requests (per DP replica) of `input_len` prompt tokens and
`output_len` generated tokens — priced op by op by the shared cost model
(`dashboard/features/cost_model.py`) on the sidebar model, with this page's TP / DP / EP and overlap φ.

- **Per-op time** (per GPU, summed over layers): GEMMs and attention are rooflines
  `max(FLOPs / (peak·η), bytes / (BW_HBM·η_mem)) + t_kernel`; norms/RoPE/activations are `bytes / BW`;
  collectives are `latency + bytes / link` (ring all-reduce moves `2(n−1)/n · bytes`). The **bound** column says
  which term won: compute, memory or comm.
- **TTFT** = one prefill step of `batch × input_len` tokens. **TPOT** = the decode phase (the other
  `output_len − 1` tokens, context growing from `input_len`) ÷ its steps. **E2E** = TTFT + decode phase.
  **tok/s** = `batch / TPOT` per replica, × DP for the cluster. The decode rows of the table are one step at
  the mid-generation context.
- **Bytes**: weights per GPU (memory model: TP/EP shards, weight dtype; the cost model reads them once per
  step), HBM bytes per step (weights + activations + KV, cost model) and communication bytes per step.
- **Overlap φ** hides up to φ of the communication behind compute:
  `hidden = min(φ·comm, compute)`, `latency = compute + (comm − hidden) + step overhead`.
  The timeline spreads compute and communication evenly over the layers (per layer `c = compute/L`,
  `m = comm/L`, hidden part `min(φ·m, c)` under the tail of the layer's compute, the rest exposed after it),
  so it ends exactly at the cost model's step time. φ = 1 is never slower than φ = 0.
- **GPU spec.** By default the sidebar profile. "Edit GPU spec" replaces the dense TFLOP/s of the GEMM format
  (every format scales by the same factor), the HBM bandwidth, and the per-GPU bandwidth of the link the TP/EP
  group uses (scale-up inside the NVLink domain, scale-out beyond it). Efficiencies stay the profile's.
- **Fit check**: the shared memory model (10 % of HBM reserved) says how many sequences of `input_len + output_len`
  tokens fit beside the weights; a warning appears when `batch` is more than that (see Quick memory for details).

- **Speculative decoding** (section at the bottom): a decode step runs `k` draft passes, verifies the `k` drafts
  plus one token per sequence in one target forward (a `k+1`-token prefill after the context) and rejection-samples;
  it emits `E = 1 + Σ_i Π_{j≤i} a_j` tokens per sequence (constant α: `(1 − α^{k+1}) / (1 − α)`, Leviathan et al.
  2023), so TPOT = step ÷ E. Curves of TPOT and tokens/s vs batch with and without; the crossover batch is where
  speculation stops paying (the step turns compute-bound and verification costs ~`k+1` decode steps).

Assumptions: balanced shards, uniform expert routing, no pipeline parallelism, one engine of `max(TP, EP)` GPUs
per DP replica, replicas independent.
""",
    "zh": r"""
**计算内容。** 单一场景：每个 DP 副本 `batch` 个请求，输入 `input_len`、输出 `output_len` token，
由共享成本模型（`dashboard/features/cost_model.py`）逐算子计算，模型取自侧边栏，TP / DP / EP 与 φ 取本页设置。

- **逐算子耗时**（每卡、各层求和）：GEMM 与 attention 按 roofline
  `max(FLOPs/(峰值·η), 字节/(HBM 带宽·η_mem)) + kernel 开销`；norm/RoPE/激活按 `字节/带宽`；集合通信为
  `延迟 + 字节/链路带宽`（环形 all-reduce 传输 `2(n−1)/n · 字节`）。**受限类型** 列表示瓶颈：计算、访存或通信。
- **TTFT** = 一次 `batch × input_len` 的 prefill 步；**TPOT** = decode 阶段（其余 `output_len − 1` 个 token，
  上下文从 `input_len` 增长）÷ 步数；**E2E** = TTFT + decode 阶段；**tok/s** = 每副本 `batch / TPOT`，
  集群再乘 DP。表中 decode 行为生成中点上下文处的一个 decode 步。
- **字节**：每卡权重（显存模型，按 TP/EP 切分与权重 dtype；成本模型每步读取一次）、每步 HBM 字节
  （权重 + 激活 + KV）与每步通信字节。
- **Overlap φ**：最多把 φ 比例的通信藏在计算之后：`hidden = min(φ·comm, compute)`，
  `时延 = compute + (comm − hidden) + 单步开销`。时间线把计算与通信平均分到各层（每层 `c = compute/L`，
  `m = comm/L`，被掩盖部分 `min(φ·m, c)` 与该层计算尾部重叠，其余在其后暴露），因此与成本模型的单步时间完全一致。
  φ = 1 永远不慢于 φ = 0。
- **GPU 规格**：默认使用侧边栏硬件配置；“编辑 GPU 规格”可替换 GEMM 格式的稠密算力（其他格式按同一比例缩放）、
  HBM 带宽，以及 TP/EP 组所用链路的每卡带宽（NVLink 域内为 scale-up，域外为 scale-out）。效率系数沿用配置。
- **容量检查**：共享显存模型（保留 10% HBM）给出权重之外能放下多少条 `input_len + output_len` token 的序列；
  `batch` 超过该值时给出警告（详见「快速显存估算」页面）。

- **投机解码**（页面底部）：每个 decode 步先跑 `k` 次草稿前向，再用一次目标模型前向验证 `k` 个草稿加 1 个 token
  （上下文之后 `k+1` 个 token 的 prefill），并做拒绝采样；每条序列每步产出 `E = 1 + Σ_i Π_{j≤i} a_j` 个 token
  （恒定 α 时 `(1 − α^{k+1}) / (1 − α)`，Leviathan 等 2023），TPOT = 单步 ÷ E。给出启用与不启用时 TPOT 与 tok/s
  随批量的曲线；交叉批量即投机解码不再有收益之处（单步转为算力受限，验证代价约为 `k+1` 次 decode）。

假设：切分均衡、专家路由均匀、无流水并行；每个 DP 副本为一个 `max(TP, EP)` 卡的引擎，副本之间相互独立。
""",
}


def _num(x: float) -> str:
    """Compact metric text: thousands separators from 1000 up, else 4 significant digits."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _inputs(ctx) -> PageInputs:
    first = PAGE not in ctx.session_state.pages
    inputs = PageInputs(ctx, PAGE, QuickEstimationInputs)
    if first:
        try:
            given = set(ctx.st.query_params.keys())
        except (AttributeError, TypeError):
            given = set()
        for f, v in sidebar_defaults(QuickEstimationInputs, ctx.session_state.settings, given).items():
            set_page_input(ctx.session_state, PAGE, f, v)
    return inputs


def render() -> None:
    ctx, _ = bootstrap(
        title="Quick estimation",
        header_description="One scenario, fewest inputs: prefill/decode per-op times, bytes, "
        "TTFT/TPOT/tok/s and the overlap timeline.",
        help_title="Quick estimation",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    model = ctx.model
    inputs = _inputs(ctx)
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("tp", t("qe.tp"), step=1, container=c1)
    inputs.number("dp", t("qe.dp"), step=1, container=c2)
    if model.is_moe:
        inputs.number("ep", t("qe.ep"), step=1, container=c3)
    inputs.number("batch", t("qe.batch"), step=1, container=c4)
    c1, c2, c3 = st.columns([1, 1, 2])
    inputs.number("input_len", t("qe.input_len"), step=256, container=c1)
    inputs.number("output_len", t("qe.output_len"), step=64, container=c2)
    inputs.slider("overlap", t("qe.overlap"), step=0.05, container=c3)

    v = inputs.values
    ep = v.ep if model.is_moe else 1
    group = max(v.tp, ep)
    dt = ctx.dtypes
    fmt = gemm_compute_dtype(dt.weight, dt.activation)
    prof = profile_spec_values(ctx.hardware, dt.weight, dt.activation, group)
    link = ctx.hardware.scale_up_name if group <= ctx.hardware.scale_up_domain else "scale-out"
    custom = inputs.toggle("custom_spec", t("qe.custom_spec"))
    if custom:
        for f in ("peak_tflops", "hbm_gb_s", "link_gb_s"):
            if getattr(inputs.values, f) == 0.0:
                set_page_input(ctx.session_state, PAGE, f, round(float(prof[f]), 3))
        s1, s2, s3 = st.columns(3)
        inputs.number("peak_tflops", t("qe.peak_tflops", fmt=fmt), min_value=MIN_SPEC, step=10.0, container=s1)
        inputs.number("hbm_gb_s", t("qe.hbm_gb_s"), min_value=MIN_SPEC, step=100.0, container=s2)
        inputs.number("link_gb_s", t("qe.link_gb_s", link=link), min_value=MIN_SPEC, step=10.0, container=s3)
    inputs.sync_query_params()
    v = inputs.values

    try:
        hw = ctx.hardware
        if v.custom_spec:
            hw = edited_hardware(
                hw,
                weight_dtype=dt.weight,
                activation_dtype=dt.activation,
                group=group,
                peak_tflops=v.peak_tflops,
                hbm_gb_s=v.hbm_gb_s,
                link_gb_s=v.link_gb_s,
            )
        est = estimate_scenario(
            lambda phi: ctx.cost_model(tp=v.tp, ep=ep, overlap=phi, hardware=hw),
            batch=v.batch,
            input_len=v.input_len,
            output_len=v.output_len,
            phi=v.overlap,
            dp=v.dp,
            layers=model.num_hidden_layers,
        )
        par = ParallelConfig(tp=v.tp, ep=ep)
        weights = weight_bytes_per_gpu(model, par, dt.weight)
        mem = memory_breakdown(model, hw, par, dt, context=v.input_len + v.output_len)
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    used = profile_spec_values(hw, dt.weight, dt.activation, group)
    if v.custom_spec:
        st.caption(
            t(
                "qe.spec_edited",
                tflops=used["peak_tflops"],
                fmt=fmt,
                hbm=used["hbm_gb_s"],
                net=used["link_gb_s"],
                p_tflops=prof["peak_tflops"],
                p_hbm=prof["hbm_gb_s"],
                p_net=prof["link_gb_s"],
            )
        )
    else:
        st.caption(
            t(
                "qe.spec_caption",
                hw=hw.name,
                tflops=prof["peak_tflops"],
                fmt=fmt,
                hbm=prof["hbm_gb_s"],
                link=link,
                net=prof["link_gb_s"],
            )
        )

    metrics_row(
        ctx,
        {
            t("qe.m_ttft"): _num(est.ttft_s * 1e3),
            t("qe.m_tpot"): _num(est.tpot_s * 1e3),
            t("qe.m_tps"): _num(est.tokens_per_s),
            t("qe.m_cluster_tps"): _num(est.cluster_tokens_per_s),
            t("qe.m_e2e"): _num(est.e2e_s),
        },
    )
    metrics_row(
        ctx,
        {
            t("qe.m_weights"): f"{weights / 2**30:.3f}",
            t("qe.m_hbm_prefill"): _num(est.prefill.bytes / 1e9),
            t("qe.m_hbm_decode"): _num(est.decode.bytes / 1e9),
            t("qe.m_wread_decode"): _num(est.decode.weight_bytes / 2**30),  # GiB, like the weights (issue 14 §3)
            t("qe.m_comm_prefill"): _num(est.prefill.comm_bytes / 1e6),
            t("qe.m_comm_decode"): _num(est.decode.comm_bytes / 1e6),
            t("qe.m_gpus"): f"{group * v.dp:,}",
        },
    )

    fit_seqs = mem.max_sequences * par.attention_dp
    if not mem.fits:
        st.error(t("qe.no_fit", ctx=v.input_len + v.output_len, hbm=hw.hbm_capacity_gb))
    elif fit_seqs < v.batch:
        st.warning(t("qe.batch_too_big", batch=v.batch, fit=fit_seqs, ctx=v.input_len + v.output_len))
    if model.is_moe:
        st.caption(t("qe.moe_note"))

    st.subheader(t("qe.ops_header"))
    df = pd.DataFrame(op_table(est))
    series = {
        t(f"bound.{b}"): [float(df[(df.phase == ph) & (df.bound == b)].time_ms.sum()) for ph in ("prefill", "decode")]
        for b in ("compute", "memory", "comm")
    }
    chart(
        ctx,
        lambda: plots.stacked_bars(
            [t("qe.phase.prefill"), t("qe.phase.decode")], series, title=t("qe.bounds_title"), yaxis="ms"
        ),
        key="qe_bounds",
        title=t("qe.bounds_title"),
    )
    st.caption(t("qe.decode_note", ctx=est.decode_context))
    table(ctx, df, key="qe_ops", file_name="quick_estimation_ops.csv")

    st.subheader(t("qe.timeline_header"))
    if est.prefill.comm_s == 0 and est.decode.comm_s == 0:
        st.info(t("qe.timeline_no_comm"))
    kind_names = {k: t(f"qe.kind.{k}") for k in plots_estimation.KIND_COLORS}
    tabs = st.tabs([t("qe.phase.prefill"), t("qe.phase.decode")])
    trows = []
    for tab, phase in zip(tabs, ("prefill", "decode"), strict=True):
        tls = {f"φ={p:g}": tl for p, tl in sorted(est.timelines[phase].items())}
        unit = "ms" if max(tl.total_s for tl in tls.values()) >= 1e-3 else "us"
        with tab:
            chart(
                ctx,
                plots_estimation.overlap_timeline_figure(
                    tls,
                    title=t("qe.timeline_title", phase=t(f"qe.phase.{phase}"), phi=v.overlap),
                    unit=unit,
                    names=kind_names,
                    lang=ctx.lang,
                ),
                key=f"qe_timeline_{phase}",
            )
        for p, tl in sorted(est.timelines[phase].items()):
            trows.append(
                {
                    "phase": phase,
                    "phi": p,
                    "compute_ms": tl.compute_s * 1e3,
                    "comm_ms": tl.comm_s * 1e3,
                    "hidden_ms": tl.hidden_s * 1e3,
                    "exposed_ms": tl.exposed_s * 1e3,
                    "overhead_ms": tl.fixed_s * 1e3,
                    "step_ms": tl.total_s * 1e3,
                }
            )
    st.caption(t("qe.overlap_table"))
    tdf = pd.DataFrame(trows)
    st.dataframe(localized_columns(tdf, ctx.lang), width="stretch", hide_index=True, key="qe_overlap_df")
    spec = speculative_section(
        ctx,
        PAGE,
        ctx.cost_model(tp=v.tp, ep=ep, overlap=v.overlap, hardware=hw),
        batch=v.batch,
        context=est.decode_context,
    )
    json_download(
        ctx,
        {
            "inputs": inputs.values,
            "model": model.summary(),
            "hardware": {
                "name": hw.name,
                "dtypes": {"weight": dt.weight, "activation": dt.activation, "kv": dt.kv},
                "gemm_format": fmt,
                **used,
            },
            "outputs": {
                **est.as_dict(),
                "weights_per_gpu_bytes": weights,
                "overlap": trows,
                "max_sequences_in_hbm": fit_seqs,
                "speculative": spec,
            },
        },
        key="qe_json",
        file_name="quick_estimation.json",
    )


if __name__ == "__main__":
    render()
