"""Host bandwidth: bytes per step over host DDR → CPU → PCIe/NVLink-C2C → HBM for cold MoE experts
(host → device) and KV write-back (device → host), the bottleneck channel and the step-time inflation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_offload
from dashboard.common.labels import channel_label
from dashboard.components.host_link import host_link_inputs
from dashboard.components.inputs import PageInputs, declared_list_parser
from dashboard.components.moe_try import try_moe_buttons
from dashboard.components.outputs import chart, json_download, localized_columns, metrics_row, table
from dashboard.features.batch import StepSpec
from dashboard.features.offload import (
    POPULARITY_KINDS,
    REFERENCE_PCIE_GB_S,
    host_copy_of_pcie,
    host_copy_reference,
    measured_pageable_factor,
    offload_step,
)
from dashboard.state.host_bandwidth import PHASES, HostBandwidthInputs

PAGE = "host_bandwidth"
TITLE = {"en": "Host bandwidth", "zh": "主机带宽"}
DESCRIPTION = {
    "en": "Bytes moved between host DDR, CPU, PCIe/NVLink-C2C and HBM per step: cold MoE experts in, KV out.",
    "zh": "每步在主机 DDR、CPU、PCIe/NVLink-C2C 与 HBM 之间搬运的字节：冷专家回灌、KV 回写。",
}

HELP = {
    "en": """
**What it computes.** For one engine step (decode of `batch` sequences at `context` tokens, or prefill of
`batch` prompts of `context` tokens) on one GPU of the engine (TP/EP from the sidebar):

- **Experts touched per MoE layer.** `T` tokens, top-`k` routing over `E` experts. Uniform:
  `E·(1 − (1 − k/E)^T)` (the cost model's formula). Skewed (Zipf `p ∝ rank^−s`, or your histogram):
  `Σ_e 1 − (1 − π_e)^T`, `π_e = 1 − exp(−τ·p_e)` with `Σ π_e = k` (Rosén's approximation of a top-k
  draw without replacement; checked against a seeded Monte Carlo in the tests).
- **Hot / cold.** The `H` most popular experts per layer stay in HBM; the rest live in host memory.
  Cold bytes per layer per GPU = cold experts × `expert_params · bytes(weight dtype)` ÷ engine GPUs.
- **KV write-back** (device → host) = new tokens per GPU × KV bytes per token (memory model) × ratio.
- **Channels** run as a pipeline; each has `time = bytes / rate` and the slowest one is the **bottleneck**:
  host DDR = socket GB/s × η_DDR ÷ GPUs per socket (pageable copies pass DDR 3×); CPU staging (pageable
  only) = `pageable factor ×` pinned link rate; PCIe or NVLink-C2C = per-direction GB/s × η_link (full duplex:
  h2d and d2h each get the full rate); HBM = profile GB/s × η_mem.
- **Overlap.** Compute per layer = cost-model step latency ÷ layers. A prefetch window of `w ≥ 1` lets the
  fetch of layer `j` start when layer `j − w` starts; `w = 0` fetches on demand (fully exposed). Fetches
  share one link. Step time = max(schedule, bottleneck transfer time); **inflation** = that ÷ cost-model step.
- **Required bandwidth** = bytes ÷ all-resident step time (what would hide the transfers); **achieved** =
  bytes ÷ offloaded step time.

**Assumptions.** Every MoE layer has the same popularity; routing is independent across tokens; prefetch
knows the routing `w` layers ahead and does not cross step boundaries; EP ranks are balanced; compute is
not slowed by the copies. Defaults: η_link = 0.825 and pageable = 0.368× pinned from the H200 copies
(53 GB/s pinned, 15–19 GB/s pageable, vs the profile's PCIe Gen5 64 GB/s); η_DDR = 0.75 is an assumption.
""",
    "zh": """
**计算内容。** 对引擎中一张 GPU 的一步（`batch` 条序列在 `context` 上下文下 decode，或 `batch` 个长度为
`context` 的 prompt 做 prefill；TP/EP 取自侧边栏）：

- **每个 MoE 层触达的专家数。** `T` 个 token、`top-k` 路由、`E` 个专家。均匀：`E·(1 − (1 − k/E)^T)`
  （与成本模型同一公式）。偏斜（Zipf `p ∝ rank^−s` 或自定义直方图）：`Σ_e 1 − (1 − π_e)^T`，其中
  `π_e = 1 − exp(−τ·p_e)`、`Σ π_e = k`（Rosén 近似，测试中与固定种子的蒙特卡洛对比）。
- **冷热专家。** 每层最热门的 `H` 个专家常驻 HBM，其余在主机内存。每卡每层冷字节 = 冷专家数 ×
  `expert_params · 权重字节数` ÷ 引擎卡数。
- **KV 回写**（设备 → 主机）= 每卡新 token 数 × 每 token KV 字节（显存模型）× 回写比例。
- **通道** 按流水线并行，`时间 = 字节 / 速率`，最慢者为 **瓶颈**：主机 DDR = 插槽带宽 × η_DDR ÷ 每插槽 GPU 数
  （可分页拷贝经过 DDR 3 次）；CPU 中转（仅可分页）= 可分页系数 × 锁页链路速率；PCIe 或 NVLink-C2C =
  单向带宽 × η_link（全双工时 h2d 与 d2h 各享全速）；HBM = 配置带宽 × η_mem。
- **重叠。** 每层计算时间 = 成本模型步时 ÷ 层数。预取窗口 `w ≥ 1` 时第 `j` 层的搬运可在第 `j − w` 层开始时启动；
  `w = 0` 为按需加载（完全暴露）。步时 = max(调度结果, 瓶颈传输时间)；**膨胀** = 其与成本模型步时之比。
- **所需带宽** = 字节 ÷ 全部常驻步时；**实际带宽** = 字节 ÷ 卸载后步时。

**假设。** 各 MoE 层热度相同；token 间路由独立；预取提前 `w` 层已知路由且不跨步；EP 负载均衡；拷贝不拖慢计算。
默认 η_link = 0.825、可分页 = 0.368× 锁页，取自 H200 实测（锁页约 53 GB/s、可分页 15–19 GB/s，对照 PCIe Gen5
64 GB/s）；η_DDR = 0.75 为假设值。
""",
}


def _parse_hist(text: str) -> tuple[float, ...]:
    parse = declared_list_parser(HostBandwidthInputs, "histogram")
    assert parse is not None  # declared tuple[float, ...]
    vals = parse(text)
    if sum(vals) <= 0:
        raise ValueError("at least one weight must be positive")
    return vals


def _spec(phase: str, batch: int, context: int) -> StepSpec:
    if phase == "prefill":
        return StepSpec(prefill_seqs=batch, prefill_len=context)
    return StepSpec(decode_seqs=batch, decode_context=context)


def _kv_tier_section(ctx: Any, inputs: PageInputs, link: Any, link_ch: Any) -> dict[str, Any]:
    """The CPU KV tier's load on the same host link, next to the expert traffic of the step above."""
    from dashboard.features.kv_offload import CpuTierConfig, kv_tier_traffic
    from dashboard.features.memory import memory_breakdown

    st, t = ctx.st, ctx.t
    st.subheader(t("hb.kv_tier"))
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("kv_tier_rate", t("hb.kv_tier_rate"), step=0.5, container=c1)
    inputs.number("kv_tier_prompt", t("hb.kv_tier_prompt"), step=256, container=c2)
    inputs.number("kv_tier_output", t("hb.kv_tier_output"), step=32, container=c3)
    inputs.number("kv_tier_hit", t("hb.kv_tier_hit"), step=0.05, container=c4)
    inputs.sync_query_params()
    v = inputs.values
    mem = memory_breakdown(ctx.model, ctx.hardware, ctx.parallel, ctx.dtypes, context=v.kv_tier_prompt)
    tr = kv_tier_traffic(
        ctx.hardware,
        CpuTierConfig(link=link),
        kv_bytes_per_token=mem.kv_bytes_per_token,
        request_rate=v.kv_tier_rate,
        prompt_tokens=v.kv_tier_prompt,
        output_tokens=v.kv_tier_output,
        cpu_hit_rate=v.kv_tier_hit,
    )
    experts = link_ch.achieved_gb_s * 1e9  # expert reloads + KV write-back of the step above, per second
    rows = [
        {
            "traffic": t("hb.kv_tier_row_experts"),
            "GB_s": experts / 1e9,
            "link_share_pct": tr.link_share(experts) * 100,
        },
        {
            "traffic": t("hb.kv_tier_row_load"),
            "GB_s": tr.h2d_bytes_per_s / 1e9,
            "link_share_pct": tr.h2d_utilisation * 100,
        },
        {
            "traffic": t("hb.kv_tier_row_wb"),
            "GB_s": tr.d2h_bytes_per_s / 1e9,
            "link_share_pct": tr.d2h_utilisation * 100,
        },
    ]
    total = tr.total_h2d_share(experts)
    (st.success if total <= 1 else st.warning)(t("hb.kv_tier_total", pct=total * 100, rate=tr.link_bytes_per_s / 1e9))
    table(ctx, pd.DataFrame(rows), key="hb_kv_tier", file_name="host_bandwidth_kv_tier.csv")
    return {
        "h2d_GB_s": tr.h2d_bytes_per_s / 1e9,
        "d2h_GB_s": tr.d2h_bytes_per_s / 1e9,
        "expert_GB_s": experts / 1e9,
        "h2d_link_share": total,
    }


def render() -> None:
    ctx, _ = bootstrap(title=TITLE, header_description=DESCRIPTION, help_title=TITLE, help_markdown=HELP)
    st = ctx.st
    t = ctx.t
    model, hw = ctx.model, ctx.hardware
    eff = ctx.hardware.efficiency  # host-path efficiencies are data of the hardware profile
    inputs = PageInputs(
        ctx,
        PAGE,
        HostBandwidthInputs,
        defaults={
            "link_efficiency": eff.host_link,
            "ddr_efficiency": eff.host_ddr,
            "pageable_factor": eff.host_pageable,
        },
    )

    st.subheader(t("offload.section_workload"))
    c1, c2, c3 = st.columns(3)
    inputs.select("phase", t("hb.phase"), PHASES, container=c1)
    inputs.number("batch", t("hb.batch"), step=1, container=c2)
    inputs.number("context", t("hb.context"), step=256, container=c3)

    st.subheader(t("offload.section_experts"))
    c1, c2, c3, c4 = st.columns(4)
    max_res = model.num_experts if model.is_moe else 100_000
    inputs.number("resident_experts", t("hb.resident"), max_value=max_res, step=1, container=c1)
    inputs.select("popularity", t("offload.popularity"), POPULARITY_KINDS, container=c2)
    inputs.number("zipf_exponent", t("offload.zipf"), step=0.1, container=c3)
    inputs.number("prefetch_window", t("offload.prefetch"), step=1, container=c4)
    if inputs.values.popularity == "histogram":
        inputs.text("histogram", t("hb.histogram"), parse=_parse_hist)

    c4 = host_link_inputs(ctx, inputs)
    inputs.number("kv_writeback_ratio", t("hb.kv_ratio"), step=0.05, container=c4)
    c1, c2, c3 = st.columns(3)
    inputs.toggle("pinned", t("offload.pinned"), container=c1)
    inputs.toggle("full_duplex", t("hb.duplex"), container=c2)
    inputs.text("batch_sweep", t("hb.sweep"), container=c3)
    inputs.sync_query_params()
    v: HostBandwidthInputs = inputs.values

    if not model.is_moe:
        st.info(t("hb.not_moe", name=model.name))
        try_moe_buttons(ctx, PAGE)
    elif v.resident_experts > model.num_experts:
        st.caption(t("hb.clamped", n=model.num_experts))

    try:
        cm = ctx.cost_model()
        link = v.link_config()
        pop = v.popularity_model()
        spec = _spec(v.phase, v.batch, v.context)
        res = offload_step(cm, spec, link, v.resident_experts, pop, v.prefetch_window, v.kv_writeback_ratio)
    except ValueError as exc:
        st.error(ctx.t("common.invalid_input", error=exc))
        return

    link_ch = next(c for c in res.channels if c.channel == "link")
    bott = next(c for c in res.channels if c.channel == res.bottleneck)
    metrics_row(
        ctx,
        {
            t("hb.m_base"): f"{res.baseline_step_s * 1e3:.2f}",
            t("hb.m_step"): f"{res.step_s * 1e3:.2f}",
            t("hb.m_infl"): f"×{res.inflation:.2f}",
            t("hb.m_cold"): f"{res.touched.cold:.1f}",
            t("hb.m_h2d"): f"{res.h2d_bytes / 1e9:.3f}",
            t("hb.m_bottleneck"): channel_label(res.bottleneck_label, ctx.lang),
        },
        help={t("hb.m_cold"): t("hb.m_cold_help", distinct=res.touched.distinct, hot=res.touched.hot)},
    )
    if res.hidden:
        st.success(
            t(
                "hb.bottleneck_hidden",
                channel=channel_label(res.bottleneck_label, ctx.lang),
                transfer=res.transfer_s * 1e3,
                compute=res.baseline_step_s * 1e3,
            )
        )
    else:
        st.warning(
            t(
                "hb.bottleneck_stall",
                channel=channel_label(res.bottleneck_label, ctx.lang),
                transfer=res.transfer_s * 1e3,
                compute=res.baseline_step_s * 1e3,
                inflation=res.inflation,
                stall=res.stall_s * 1e3,
                need=bott.required_gb_s,
                have=bott.rate_gb_s,
            )
        )

    if model.is_moe:
        fetch = res.fetch_per_layer_s
        st.markdown(
            t(
                "hb.per_layer",
                cold=res.touched.cold,
                distinct=res.touched.distinct,
                hot=res.touched.hot,
                mb=res.cold_bytes_per_layer / 1e6,
                fetch=fetch * 1e3,
                compute=res.compute_per_layer_s * 1e3,
                verdict=t("hb.hides") if fetch <= res.compute_per_layer_s else t("hb.stalls"),
                steps_gb=res.h2d_bytes / 1e9,
                layers=res.moe_layers,
                expert_mb=res.expert_bytes / 1e6,
                kv_mb=res.kv_writeback_bytes / 1e6,
            )
        )

    st.subheader(t("hb.channels"))
    df = pd.DataFrame([c.as_dict() for c in res.channels])
    chart(  # figures are built only while their expander is open
        ctx,
        lambda: plots_offload.channel_times(res.channels, res.baseline_step_s * 1e3, lang=ctx.lang),
        key="hb_channels_chart",
        title=t("fig.off.channels"),
    )
    table(ctx, df, key="hb_channels", file_name="host_bandwidth_channels.csv")

    st.subheader(t("hb.curves"))
    rows = []
    for b in v.batch_sweep:
        s = _spec(v.phase, b, v.context)
        r = offload_step(cm, s, link, v.resident_experts, pop, v.prefetch_window, v.kv_writeback_ratio)
        lk = next(c for c in r.channels if c.channel == "link")
        rows.append(
            {
                "batch": b,
                "tokens": r.tokens,
                "cold_experts_per_layer": r.touched.cold,
                "h2d_MB": r.h2d_bytes / 1e6,
                "kv_writeback_MB": r.kv_writeback_bytes / 1e6,
                "baseline_ms": r.baseline_step_s * 1e3,
                "offload_ms": r.step_s * 1e3,
                "inflation": r.inflation,
                "baseline_tok_s": r.baseline_tokens_per_s,
                "offload_tok_s": r.tokens_per_s,
                "link_required_GB_s": lk.required_gb_s,
                "bottleneck": r.bottleneck_label,
            }
        )
    sweep = pd.DataFrame(rows)

    def curves() -> tuple:
        return plots_offload.throughput_curves(
            sweep.batch.tolist(),
            sweep.baseline_tok_s.tolist(),
            sweep.offload_tok_s.tolist(),
            sweep.link_required_GB_s.tolist(),
            link_ch.rate_gb_s,
            link_ch.label,
            lang=ctx.lang,
        )

    c1, c2 = st.columns(2)
    with c1:
        chart(ctx, lambda: curves()[0], key="hb_tps_chart", title=t("fig.off.throughput"))
    with c2:
        chart(ctx, lambda: curves()[1], key="hb_req_chart", title=t("fig.off.required", link=link_ch.label))
    table(ctx, sweep, key="hb_sweep", file_name="host_bandwidth_sweep.csv")

    kv_tier = _kv_tier_section(ctx, inputs, link, link_ch)

    if model.is_moe:
        st.subheader(t("hb.schedule"))
        chart(ctx, plots_offload.layer_timeline(res.schedule, max_layers=8, lang=ctx.lang), key="hb_timeline")

    with st.expander(t("offload.reference")):
        ref, of_pcie = host_copy_reference(), host_copy_of_pcie()
        st.markdown(
            t(
                "offload.reference_note",
                pinned=ref["h2d_pinned"],
                eff=of_pcie["h2d_pinned"],
                pcie=REFERENCE_PCIE_GB_S,
                pageable=ref["h2d_pageable"],
                factor=measured_pageable_factor(),
            )
        )
        st.dataframe(
            localized_columns(
                pd.DataFrame([{"copy": k, "GB_s": val, "of_profile_pcie": of_pcie[k]} for k, val in ref.items()]),
                ctx.lang,
            ),
            hide_index=True,
            key="hb_reference_df",
        )

    json_download(
        ctx,
        {
            "inputs": v,
            "model": model.summary(),
            "hardware": hw.name,
            "parallel": {"tp": cm.par.tp, "ep": cm.par.ep},
            "outputs": res.as_dict(),
            "sweep": sweep,
            "kv_cpu_tier": kv_tier,
        },
        key="hb_json",
        file_name="host_bandwidth.json",
    )


if __name__ == "__main__":
    render()
