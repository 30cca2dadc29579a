"""Quick memory: weights per GPU, KV bytes per token, maximum KV tokens and concurrent sequences,
and whether the model fits the HBM budget."""

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
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.dtypes import KV_DTYPES, WEIGHT_DTYPES
from dashboard.features.hardware import GIB
from dashboard.features.memory import memory_breakdown
from dashboard.features.model_profile import kv_heads_per_gpu
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.services.estimation import memory_component_rows, sidebar_defaults
from dashboard.state.quick_memory import MIN_HBM_GIB, QuickMemoryInputs

PAGE = "quick_memory"
LOW_HEADROOM = 0.10  # warn when the KV budget is below this share of usable HBM

HELP = {
    "en": r"""
**What it computes.** What one GPU of the engine holds, from the shared memory model
(`dashboard/features/memory.py`), and how much KV cache fits beside it.

- **Usable HBM** = capacity × (1 − reserved fraction). **KV budget** = usable − weights − activation workspace −
  runtime reserve (1.5 GiB: CUDA context, cuBLAS workspace, NCCL buffers, CUDA graphs).
- **Weights per GPU**: attention and dense-MLP linears split by TP, routed experts by EP (then by expert-TP),
  embeddings and lm_head vocab-parallel; linear layers in the weight dtype (int4/fp4 scale overhead included),
  embeddings, lm_head, routers and norms 16-bit. Doubling TP roughly halves it.
- **KV bytes per token per GPU**: full attention `2 · ⌈Hkv / TP⌉ · head_dim · bytes · layers` (GQA/MQA heads are
  replicated when TP > Hkv); **MLA** stores one latent of `kv_lora_rank + qk_rope_head_dim` per token per layer, not
  split by TP; **sliding-window** layers hold at most `window` tokens per sequence. fp8 KV halves it versus bf16.
- **Max KV tokens** = ⌊budget / KV per token⌋; **max sequences** = ⌊budget / KV of one sequence of `context`
  tokens⌋ per TP group; with EP > TP attention runs data-parallel, so the engine holds that × EP/TP; × DP for the
  cluster.
- **Activation workspace**: the widest per-token tensors of a layer for `max_num_batched_tokens` tokens plus fp32
  logits of `max_num_seqs` rows.
- **Alerts**: error when not even one sequence fits; warning when the KV budget is under 10 % of usable HBM.

The model, activation dtype and the default TP/EP/dtypes come from the sidebar; this page's inputs override them.
""",
    "zh": r"""
**计算内容。** 基于共享显存模型（`dashboard/features/memory.py`），计算引擎中每张 GPU 的占用以及剩余能放下多少 KV 缓存。

- **可用 HBM** = 容量 × (1 − 保留比例)。**KV 预算** = 可用 − 权重 − 激活工作区 − 运行时预留（1.5 GiB：CUDA 上下文、
  cuBLAS 工作区、NCCL 缓冲、CUDA graph）。
- **每卡权重**：attention 与稠密 MLP 线性层按 TP 切分，路由专家按 EP（再按专家内 TP）切分，embedding 与 lm_head
  按词表并行；线性层使用权重 dtype（int4/fp4 含缩放因子开销），embedding、lm_head、router、归一化层为 16 位。TP 翻倍约减半。
- **每 token 每卡 KV 字节**：全注意力 `2 · ⌈Hkv / TP⌉ · head_dim · 字节 · 层数`（TP > `Hkv` 时 GQA/MQA 的 KV 头被复制）；
  **MLA** 每 token 每层存一个 `kv_lora_rank + qk_rope_head_dim` 的潜变量，不随 TP 切分；**滑动窗口**层每序列最多保留
  `window` 个 token。fp8 KV 相比 bf16 减半。
- **最大 KV token** = ⌊预算 / 每 token KV⌋；**最大序列数** = ⌊预算 / 一条 `context` token 序列的 KV⌋（每个 TP 组）；
  EP > TP 时 attention 数据并行，引擎可容纳其 EP/TP 倍；集群再乘 DP。
- **激活工作区**：`max_num_batched_tokens` 个 token 的单层最宽张量，加上 `max_num_seqs` 行 fp32 logits。
- **告警**：连一条序列都放不下时报错；KV 预算低于可用 HBM 的 10% 时警告。

模型、激活 dtype 以及默认的 TP/EP/dtype 来自侧边栏；本页输入会覆盖它们。
""",
}


def _inputs(ctx) -> PageInputs:
    first = PAGE not in ctx.session_state.pages
    inputs = PageInputs(ctx, PAGE, QuickMemoryInputs)
    if first:
        try:
            given = set(ctx.st.query_params.keys())
        except (AttributeError, TypeError):
            given = set()
        for f, v in sidebar_defaults(QuickMemoryInputs, ctx.session_state.settings, given).items():
            set_page_input(ctx.session_state, PAGE, f, v)
    return inputs


def _layout_note(ctx, model, tp: int) -> str:
    t = ctx.t
    if model.is_mla:
        note = t("qm.layout_mla", lat=model.kv_lora_rank + model.qk_rope_head_dim)
    else:
        hkv = model.num_key_value_heads
        kind = "MHA" if hkv == model.num_attention_heads else ("MQA" if hkv == 1 else "GQA")
        rep = t("qm.layout_rep", n=hkv) if tp > hkv else ""
        note = t("qm.layout_gqa", kind=kind, hkv=kv_heads_per_gpu(model, tp), d=model.head_dim, rep=rep)
    windowed = sum(g.count for g in model.layer_groups() if g.window)
    if windowed:
        note += t("qm.layout_window", n=windowed, L=model.num_hidden_layers, w=model.sliding_window)
    return note


def render() -> None:
    ctx, _ = bootstrap(
        title="Quick memory",
        header_description="Weights per GPU, KV-cache capacity, and whether the HBM budget is enough.",
        help_title="Quick memory",
        help_markdown=HELP,
    )
    st, t = ctx.st, ctx.t
    model = ctx.model
    inputs = _inputs(ctx)
    c1, c2, c3, c4, c5 = st.columns(5)
    inputs.number("tp", t("qm.tp"), step=1, container=c1)
    inputs.number("dp", t("qm.dp"), step=1, container=c2)
    if model.is_moe:
        inputs.number("ep", t("qm.ep"), step=1, container=c3)
    inputs.select("weight_dtype", t("qm.weight_dtype"), WEIGHT_DTYPES, container=c4)
    inputs.select("kv_dtype", t("qm.kv_dtype"), KV_DTYPES, container=c5)
    c1, c2, c3 = st.columns([1, 2, 1])
    inputs.number("context", t("qm.context"), step=1024, container=c1)
    inputs.slider("reserved_fraction", t("qm.reserved"), step=0.01, container=c2)
    with c3:
        custom = inputs.toggle("custom_hbm", t("qm.custom_hbm"))
        if custom:
            if inputs.values.hbm_capacity_gib == 0.0:
                set_page_input(ctx.session_state, PAGE, "hbm_capacity_gib", float(ctx.hardware.hbm_capacity_gb))
            inputs.number("hbm_capacity_gib", t("qm.hbm_capacity"), min_value=MIN_HBM_GIB, step=8.0)
    with st.expander(t("qm.advanced")):
        a1, a2 = st.columns(2)
        inputs.number("max_batched_tokens", t("qm.max_batched_tokens"), step=1024, container=a1)
        inputs.number("max_seqs", t("qm.max_seqs"), step=16, container=a2)
    inputs.sync_query_params()
    v = inputs.values
    ep = v.ep if model.is_moe else 1
    cap_gib = v.hbm_capacity_gib if v.custom_hbm and v.hbm_capacity_gib > 0 else ctx.hardware.hbm_capacity_gb

    def breakdown(kv_dtype: str, context: int):
        # the sidebar's per-module attention format applies while this page keeps the sidebar's weight format
        attn = dt.attention_weight if v.weight_dtype == dt.weight else None
        return memory_breakdown(
            model,
            ctx.hardware,
            par,
            Dtypes(weight=v.weight_dtype, activation=dt.activation, kv=kv_dtype, attention_weight=attn),
            context=context,
            reserved_fraction=v.reserved_fraction,
            max_batched_tokens=v.max_batched_tokens,
            max_seqs=v.max_seqs,
            hbm_capacity_gib=cap_gib,
        )

    try:
        dt = ctx.dtypes
        par = ParallelConfig(tp=v.tp, ep=ep)
        mem = breakdown(v.kv_dtype, v.context)
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return

    gib = 1.0 / GIB
    group_seqs = mem.max_sequences * par.attention_dp
    metrics_row(
        ctx,
        {
            t("qm.m_weights"): f"{mem.weight_bytes * gib:.3f}",
            t("qm.m_kv_token"): f"{mem.kv_bytes_per_token / 1024:.6g}",
            t("qm.m_kv_tokens"): f"{mem.max_kv_tokens:,}",
        },
    )
    metrics_row(
        ctx,
        {
            t("qm.m_seqs"): f"{group_seqs:,}",
            t("qm.m_cluster_seqs"): f"{group_seqs * v.dp:,}",
            t("qm.m_headroom"): f"{100 * mem.headroom_fraction:.1f}",
        },
    )
    st.caption(_layout_note(ctx, model, v.tp))
    kv_gib = max(0.0, mem.kv_budget_bytes) * gib
    if not mem.fits:
        st.error(
            t(
                "qm.alert_no_fit",
                w=mem.weight_bytes * gib,
                a=mem.activation_bytes * gib,
                r=mem.runtime_reserve_bytes * gib,
                kv=mem.kv_budget_bytes * gib,
                ctx=v.context,
                seq=mem.kv_bytes_per_sequence * gib,
            )
        )
    elif mem.headroom_fraction < LOW_HEADROOM:
        st.warning(t("qm.alert_low", pct=100 * mem.headroom_fraction, kv=kv_gib, seqs=group_seqs, ctx=v.context))
    else:
        st.success(t("qm.alert_ok", kv=kv_gib, pct=100 * mem.headroom_fraction, seqs=group_seqs, ctx=v.context))

    names = {k: t(f"qm.c.{k}") for k in ("weights", "activations", "runtime", "kv", "free", "reserved")}
    comp_rows = memory_component_rows(mem)
    colors = {
        names["weights"]: "#4C78A8",
        names["activations"]: "#F58518",
        names["runtime"]: "#B279A2",
        names["kv"]: "#54A24B",
        names["free"]: "#D8D8D8",
        names["reserved"]: "#9D755D",
    }
    chart(
        ctx,
        lambda: plots_estimation.memory_stack_figure(
            {names[r["component"]]: r["GiB"] for r in comp_rows},
            mem.capacity_bytes * gib,
            mem.usable_bytes * gib,
            title=t("qm.bar_title"),
            colors=colors,
            lang=ctx.lang,
        ),
        key="qm_bar",
        title=t("qm.bar_title"),
    )
    df = pd.DataFrame(
        [
            {
                "component": r["component"],
                "label": names[r["component"]],
                "GiB": r["GiB"],
                "pct_of_HBM": r["pct_of_HBM"],
            }
            for r in comp_rows
        ]
    )
    table(ctx, df, key="qm_components", file_name="quick_memory.csv")

    # sweep: max sequences vs context for each KV dtype (the chosen one included)
    ctxs = sorted({2**k for k in range(10, 18)} | {v.context})
    sweep: dict[str, list[float]] = {}
    for kvd in dict.fromkeys((v.kv_dtype, "bf16", "fp8")):
        sweep[f"KV {kvd}"] = [breakdown(kvd, c).max_sequences * par.attention_dp for c in ctxs]
    fig = plots.line_chart(
        ctxs, sweep, title=t("qm.sweep_title"), xaxis=t("qm.sweep_x"), yaxis=t("qm.sweep_y"), log_x=True
    )
    fig.update_xaxes(tickvals=ctxs, ticktext=[f"{c // 1024}k" if c % 1024 == 0 else f"{c:,}" for c in ctxs])
    chart(ctx, fig, key="qm_sweep")
    json_download(
        ctx,
        {
            "inputs": v,
            "model": model.summary(),
            "hardware": {"name": ctx.hardware.name, "hbm_capacity_gib": cap_gib, "activation_dtype": dt.activation},
            "outputs": {
                **mem.as_dict(),
                "engine_sequences": group_seqs,
                "cluster_sequences": group_seqs * v.dp,
                "sweep": {"context": ctxs, **sweep},
            },
        },
        key="qm_json",
        file_name="quick_memory.json",
    )


if __name__ == "__main__":
    render()
