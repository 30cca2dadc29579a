"""MoE expert offload: how many experts a host link can (re)load per window, how long one takes,
how many fit in HBM beside everything else, and a pass/fail verdict against a latency budget."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from functools import lru_cache

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_offload
from dashboard.common.labels import channel_label
from dashboard.components.host_link import host_link_inputs
from dashboard.components.inputs import PageInputs
from dashboard.components.moe_try import try_moe_buttons
from dashboard.components.outputs import chart, json_download, localized_columns, metrics_row, table
from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel
from dashboard.features.dtypes import WEIGHT_DTYPES
from dashboard.features.hardware import GIB
from dashboard.features.model_profile import ModelConfigError, ModelProfile
from dashboard.features.offload import experts_per_window, offload_step
from dashboard.features.parallel import Dtypes, ParallelConfig, validate_parallel
from dashboard.features.presets import list_model_presets, load_model, model_preset_info
from dashboard.services.expert_offload import evaluate_experts
from dashboard.state.experts_calculation import CHECKPOINT, POPULARITY, SIDEBAR, ExpertsInputs

PAGE = "experts_calculation"
TITLE = {"en": "MoE expert offload", "zh": "MoE 专家卸载"}
DESCRIPTION = {
    "en": "How many experts a host link can (re)load per window, how many fit in HBM, and whether the step meets "
    "its latency budget.",
    "zh": "给定带宽与时延预算：每个窗口可（重新）加载多少专家、HBM 可常驻多少专家、能否满足 SLA。",
}

HELP = {
    "en": """
**What it computes** for one GPU of an engine of `max(TP, EP)` GPUs (DP replicas share the host):

- **Expert shard** = `expert_params · bytes(weight format) ÷ expert-TP` (expert-TP = engine GPUs ÷ EP).
- **Host → GPU rate** = the slowest stage of host DDR (socket GB/s × η_DDR ÷ GPUs streaming from that
  socket, at most TP·EP·DP; pageable copies pass DDR 3×), CPU staging (pageable only: `pageable factor ×`
  pinned link), PCIe or NVLink-C2C (per direction × η_link) and HBM.
- **Load time per expert** = shard ÷ rate. **Experts per window** = ⌊window × rate ÷ shard⌋ per GPU; the
  engine loads that × EP distinct experts in the same window.
- **Resident experts** (memory model): usable HBM − non-expert weights − KV of `batch × context` tokens −
  activations − runtime reserve − prefetch buffers (`w` layers of the worst-case expert working set), divided
  by the shard size, spread evenly over the MoE layers.
- **Verdict.** The decode step of `batch` sequences at `context` is priced by the shared cost model
  (all experts resident) and stretched by the cold-expert fetches with the residency above (see the *Host
  bandwidth* page for the overlap model: prefetch window `w`, on-demand for `w = 0`). **PASS** when the
  stretched step ≤ the latency budget and the rest of the model fits.

**Assumptions.** The most popular experts are the resident ones; uniform or Zipf popularity, the same in
every MoE layer; EP ranks balanced; prefetch knows the routing `w` layers ahead. Link efficiency 0.825 and
pageable factor 0.368 come from the H200 copy measurements (≈53 GB/s pinned, 15–19 GB/s pageable vs PCIe
Gen5 64 GB/s per direction); DDR efficiency 0.75 is an assumption.
""",
    "zh": """
**计算内容**（引擎共 `max(TP, EP)` 张卡，针对其中一张；DP 副本共享主机）：

- **专家分片** = `expert_params · 权重字节数 ÷ 专家 TP`（专家 TP = 引擎卡数 ÷ EP）。
- **主机 → GPU 速率** = 各级最慢者：主机 DDR（插槽带宽 × η_DDR ÷ 同时读取该插槽的 GPU 数，至多 TP·EP·DP；
  可分页拷贝经过 DDR 3 次）、CPU 中转（仅可分页：可分页系数 × 锁页链路速率）、PCIe 或 NVLink-C2C（单向 × η_link）、HBM。
- **单专家加载时间** = 分片 ÷ 速率。**每窗口可加载专家数** = ⌊窗口 × 速率 ÷ 分片⌋（单卡），整个引擎同一窗口可加载其 EP 倍。
- **可常驻专家数**（显存模型）：可用 HBM − 非专家权重 − `batch × context` 的 KV − 激活 − 运行时预留 − 预取缓冲
  （`w` 层的最坏专家工作集），除以分片大小，平均分配到各 MoE 层。
- **判定。** `batch` 条序列在 `context` 上下文下的 decode 步由共享成本模型计价（全部常驻），再叠加上述常驻情况下的冷专家
  搬运（重叠模型见 *主机带宽* 页：预取窗口 `w`，`w = 0` 为按需）。步时 ≤ 预算且其余部分放得下即 **通过**。

**假设。** 常驻的是最热门的专家；热度为均匀或 Zipf，各 MoE 层相同；EP 负载均衡；预取提前 `w` 层已知路由。
链路效率 0.825 与可分页系数 0.368 取自 H200 拷贝实测（锁页约 53 GB/s、可分页 15–19 GB/s，对照 PCIe Gen5 单向 64 GB/s）；
DDR 效率 0.75 为假设值。
""",
}


@lru_cache(maxsize=1)
def moe_presets() -> tuple[str, ...]:
    """Preset slugs of the mixture-of-experts models (DeepSeek, Qwen3-MoE, Mixtral, gpt-oss)."""
    out = []
    for slug in list_model_presets():
        try:
            if load_model(slug).is_moe:
                out.append(slug)
        except (ModelConfigError, ValueError):
            continue
    return tuple(out)


def _model(ctx, choice: str) -> ModelProfile:
    return ctx.model if choice == SIDEBAR else load_model(choice)


def render() -> None:
    ctx, _ = bootstrap(title=TITLE, header_description=DESCRIPTION, help_title=TITLE, help_markdown=HELP)
    st = ctx.st
    t = ctx.t
    hw = ctx.hardware
    eff = ctx.hardware.efficiency  # host-path efficiencies are data of the hardware profile
    inputs = PageInputs(
        ctx,
        PAGE,
        ExpertsInputs,
        defaults={
            "link_efficiency": eff.host_link,
            "ddr_efficiency": eff.host_ddr,
            "pageable_factor": eff.host_pageable,
        },
    )

    sidebar_name = ctx.model.name

    def fmt_model(slug: str) -> str:
        if slug == SIDEBAR:
            return t("ex.model_sidebar")  # constant label: the widget keeps its value when the sidebar changes
        return model_preset_info(slug)["display_name"]

    c1, c2 = st.columns(2)
    choice = inputs.select("moe_model", t("ex.model"), (SIDEBAR, *moe_presets()), format_func=fmt_model, container=c1)
    try:
        model = _model(ctx, choice)
    except (ModelConfigError, ValueError) as exc:
        st.error(t("common.invalid_input", error=exc))
        return
    if choice != SIDEBAR:
        st.caption(t("ex.using", name=model.name, sidebar=sidebar_name))
    else:
        st.caption(t("ex.using_sidebar", name=sidebar_name))
    sb_dtype = ctx.dtypes.weight
    ck_dtype = model.weights_dtype if model.weights_dtype in WEIGHT_DTYPES else sb_dtype

    def fmt_dtype(d: str) -> str:  # constant labels: the choice survives a model change; the dtype is shown below
        if d == SIDEBAR:
            return t("ex.dtype_sidebar_plain")
        return t("ex.dtype_checkpoint_plain") if d == CHECKPOINT else d

    wd = inputs.select(
        "weight_dtype", t("ex.weight_dtype"), (CHECKPOINT, SIDEBAR, *WEIGHT_DTYPES), container=c2, format_func=fmt_dtype
    )
    weight_dtype = {SIDEBAR: sb_dtype, CHECKPOINT: ck_dtype}.get(wd, wd)
    if wd in (SIDEBAR, CHECKPOINT):
        c2.caption(t("ex.dtype_sidebar" if wd == SIDEBAR else "ex.dtype_checkpoint", dtype=weight_dtype))
    if not model.is_moe:
        st.warning(t("ex.not_moe", name=model.name))
        try_moe_buttons(ctx, PAGE)
        inputs.sync_query_params()
        return

    st.subheader(t("offload.section_workload"))
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("tp_size", t("ex.tp"), step=1, container=c1)
    inputs.number("ep_size", t("ex.ep"), step=1, container=c2)
    inputs.number("dp_size", t("ex.dp"), step=1, container=c3)
    inputs.number("window_ms", t("ex.window"), step=1.0, container=c4)
    c1, c2, c3, c4 = st.columns(4)
    inputs.number("batch", t("ex.batch"), step=1, container=c1)
    inputs.number("context", t("ex.context"), step=256, container=c2)
    inputs.number("sla_ms", t("ex.sla"), step=5.0, container=c3)
    inputs.number("reserved_fraction", t("ex.reserved"), step=0.01, container=c4)

    st.subheader(t("offload.section_experts"))
    c1, c2, c3 = st.columns(3)
    inputs.select("popularity", t("offload.popularity"), POPULARITY, container=c1)
    inputs.number("zipf_exponent", t("offload.zipf"), step=0.1, container=c2)
    inputs.number("prefetch_window", t("offload.prefetch"), step=1, container=c3)

    c4 = host_link_inputs(ctx, inputs)
    inputs.toggle("pinned", t("offload.pinned"), container=c4)
    inputs.sync_query_params()
    v: ExpertsInputs = inputs.values

    try:
        par = ParallelConfig(tp=v.tp_size, ep=v.ep_size, dp=v.dp_size)
        validate_parallel(model, par)
        s = ctx.session_state.settings
        dtypes = Dtypes(weight=weight_dtype, activation=s.activation_dtype, kv=s.kv_dtype)
        cm = CostModel(model, hw, par, dtypes)
        link = v.link_config().for_gpus(hw, par.total_gpus)
        pop = v.popularity_model()
        verdict = evaluate_experts(
            cm,
            link,
            pop,
            batch=v.batch,
            context=v.context,
            reserved_fraction=v.reserved_fraction,
            prefetch_window=v.prefetch_window,
            window_s=v.window_ms * 1e-3,
            budget_s=v.sla_ms * 1e-3,
        )
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return

    rate, bott_id, rates = verdict.rate_bytes_per_s, verdict.bottleneck, verdict.channel_rates
    shard, cap, base, res, rl = verdict.shard_bytes, verdict.capacity, verdict.baseline_s, verdict.step, verdict.reload
    spec = StepSpec(decode_seqs=v.batch, decode_context=v.context)
    load_s, per_window_gpu, per_window_engine = rl.load_s, rl.per_window_gpu, rl.per_window_engine
    labels = {c.channel: c.label for c in res.channels}
    fits, passed = verdict.fits, verdict.passed

    metrics_row(
        ctx,
        {
            t("ex.m_shard"): f"{shard / 1e6:,.1f}",
            t("ex.m_rate"): f"{rate / 1e9:,.1f}",
            t("ex.m_bottleneck"): channel_label(labels.get(bott_id, bott_id), ctx.lang),
        },
    )
    metrics_row(
        ctx,
        {
            t("ex.m_load"): f"{load_s * 1e3:,.3f}",
            t("ex.m_window"): f"{per_window_gpu:,} / {per_window_engine:,}",
            t("ex.m_resident"): f"{cap.resident_per_layer} / {model.num_experts}",
            t("ex.m_step"): f"{res.step_s * 1e3:,.2f}",
        },
    )
    if not fits:
        need = (cap.non_expert_bytes + cap.kv_bytes + cap.other_bytes) / GIB
        st.error(t("ex.fail_memory", batch=v.batch, context=v.context, need=need, have=cap.usable_bytes / GIB))
    elif passed:
        st.success(
            t(
                "ex.pass",
                resident=cap.resident_per_layer,
                experts=model.num_experts,
                step=res.step_s * 1e3,
                sla=v.sla_ms,
                inflation=res.inflation,
                base=base * 1e3,
            )
        )
    else:
        st.error(
            t(
                "ex.fail",
                resident=cap.resident_per_layer,
                experts=model.num_experts,
                step=res.step_s * 1e3,
                sla=v.sla_ms,
                channel=channel_label(res.bottleneck_label, ctx.lang),
                inflation=res.inflation,
                base=base * 1e3,
            )
        )
    if base * 1e3 > v.sla_ms:
        st.info(t("ex.base_over", base=base * 1e3, sla=v.sla_ms))
    st.markdown(
        t(
            "ex.window_line",
            need=rl.needed_shards,
            need_ms=rl.needed_s * 1e3,
            rate=rate / 1e9,
            window=v.window_ms,
            fit=per_window_gpu,
            verdict=t("ex.window_ok") if rl.needed_shards <= per_window_gpu else t("ex.window_short"),
            local=rl.local_experts,
            layer_ms=rl.layer_reload_s * 1e3,
            all_ms=rl.all_layers_reload_s * 1e3,
        )
    )

    # residency sweep: step time vs resident experts per layer (multiples of EP)
    e = model.num_experts
    grid = sorted(
        {
            min(e, max(0, round(e * f / par.ep) * par.ep))
            for f in (0, 1 / 16, 1 / 8, 1 / 4, 3 / 8, 1 / 2, 5 / 8, 3 / 4, 7 / 8, 1)
        }
        | {cap.resident_per_layer}
    )
    rows = []
    for h in grid:
        r = offload_step(cm, spec, link, h, pop, v.prefetch_window, 0.0, baseline_s=base)
        rows.append(
            {
                "resident_per_layer": h,
                "cold_experts_per_layer": r.touched.cold,
                "h2d_MB_per_step_per_gpu": r.h2d_bytes / 1e6,
                "transfer_ms": r.transfer_s * 1e3,
                "step_ms": r.step_s * 1e3,
                "inflation": r.inflation,
                t("ex.col_fits"): h <= cap.resident_per_layer and fits,
                "meets_budget": r.step_s * 1e3 <= v.sla_ms,
            }
        )
    sweep = pd.DataFrame(rows)
    st.subheader(t("ex.sweep"))
    chart(  # figures are built only while their expander is open
        ctx,
        lambda: plots_offload.residency_curve(
            sweep.resident_per_layer.tolist(),
            sweep.step_ms.tolist(),
            v.sla_ms,
            cap.resident_per_layer if fits else None,
            base * 1e3,
            lang=ctx.lang,
        ),
        key="ex_residency_chart",
        title=t("fig.off.residency"),
    )
    table(ctx, sweep, key="ex_sweep", file_name="experts_residency.csv")

    st.subheader(t("ex.window_curve"))
    windows = sorted({v.window_ms * f for f in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)})
    chart(
        ctx,
        lambda: plots_offload.window_curve(
            windows, [experts_per_window(w * 1e-3, rate, shard) for w in windows], v.window_ms, lang=ctx.lang
        ),
        key="ex_window_chart",
        title=t("fig.off.window_title"),
    )

    with st.expander(t("ex.details")):
        st.dataframe(
            localized_columns(
                pd.DataFrame(
                    [
                        {
                            "channel": channel_label(labels.get(cid, cid), ctx.lang),
                            "h2d_rate_GB_s": r / 1e9,
                            "bottleneck": cid == bott_id,
                        }
                        for cid, r in rates.items()
                    ]
                ),
                ctx.lang,
            ),
            hide_index=True,
            key="ex_rates_df",
        )
        st.dataframe(
            localized_columns(
                pd.DataFrame(
                    [
                        {"item": t(f"ex.item.{k}"), "GiB": val / GIB}
                        for k, val in (
                            ("usable", cap.usable_bytes),
                            ("non_expert", cap.non_expert_bytes),
                            ("kv", cap.kv_bytes),
                            ("other", cap.other_bytes),
                            ("left", cap.budget_bytes),
                            ("all_experts", cap.all_expert_bytes),
                        )
                    ]
                ),
                ctx.lang,
            ),
            hide_index=True,
            key="ex_budget_df",
        )

    outputs = {
        "expert_shard_MB": shard / 1e6,
        "host_to_gpu_GB_s": rate / 1e9,
        "bottleneck": labels.get(bott_id, bott_id),
        "load_ms_per_expert": load_s * 1e3,
        "experts_per_window_gpu": per_window_gpu,
        "experts_per_window_engine": per_window_engine,
        "capacity": cap.as_dict(),
        "baseline_step_ms": base * 1e3,
        "offload": res.as_dict(),
        "verdict": "pass" if passed else "fail",
        "residency_sweep": sweep,
    }
    json_download(
        ctx,
        {"inputs": v, "model": model.summary(), "hardware": hw.name, "outputs": outputs},
        key="ex_json",
        file_name="experts_calculation.json",
    )


if __name__ == "__main__":
    render()
