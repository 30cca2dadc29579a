"""Overview: the current model on the current hardware at a glance (prefill, decode, memory)."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots
from dashboard.common.i18n import page_text
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.features.batch import StepSpec
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import decode_tokens_per_s, memory_needed_bytes
from dashboard.page_registry import PAGE_SPECS
from dashboard.state.overview import OverviewInputs

HELP = {
    "en": """
**What it shows.** One request of `input_len` prompt tokens and `output_len` generated tokens, at
batch `batch`, priced by the shared cost model (`dashboard/features/cost_model.py`):

- **TTFT** = one prefill step of `batch × input_len` tokens (lm_head on the last token of each prompt).
- **TPOT** = mean decode step time while the context grows from `input_len` to `input_len + output_len`.
- Each op is a roofline `max(FLOPs / (peak·η), bytes / (BW·η_mem))` plus a per-kernel overhead;
  η comes from the hardware profile (spec sheet + default efficiencies, or calibrated).
- **Memory**: weights per GPU under TP/EP, KV bytes per token, and how many sequences of
  `input_len + output_len` tokens fit (10 % of HBM reserved).

Use the sidebar to change model, hardware, dtypes and TP; the other pages go deeper.
""",
    "zh": """
**展示内容。** 单个请求（输入 `input_len`、输出 `output_len` token，批量 `batch`），由共享成本模型计算：

- **TTFT** = 一次 `batch × input_len` 的 prefill 步（仅对每个 prompt 的最后一个 token 计算 lm_head）。
- **TPOT** = 上下文从 `input_len` 增长到 `input_len + output_len` 期间 decode 步的平均耗时。
- 每个算子按 roofline `max(FLOPs/(峰值·η), 字节/(带宽·η_mem))` 加单 kernel 开销计算，η 来自硬件配置。
- **显存**：TP/EP 下每卡权重、每 token 的 KV 字节、可容纳的序列数（保留 10% HBM）。
""",
}


def render() -> None:
    ctx, _ = bootstrap(
        title={"en": "Overview", "zh": "总览"},
        header_description={"en": "The current model on the current hardware.", "zh": "当前模型在当前硬件上的概况。"},
        help_title={"en": "Overview", "zh": "总览"},
        help_markdown=HELP,
    )
    t = ctx.t
    st = ctx.st
    inputs = PageInputs(ctx, "overview", OverviewInputs)
    c1, c2, c3 = st.columns(3)
    batch = inputs.number("batch", t("overview.batch"), step=1, container=c1)
    ilen = inputs.number("input_len", t("overview.input_len"), step=128, container=c2)
    olen = inputs.number("output_len", t("overview.output_len"), step=64, container=c3)
    inputs.sync_query_params()
    try:
        cm = ctx.cost_model()
    except ValueError as exc:
        st.error(ctx.t("common.invalid_input", error=exc))
        return
    prefill = cm.step(StepSpec(prefill_seqs=batch, prefill_len=ilen))
    decode_mid = cm.step(StepSpec(decode_seqs=batch, decode_context=ilen + olen // 2))
    tpot = cm.tpot_s(batch, ilen, olen)
    mem = memory_breakdown(ctx.model, ctx.hardware, ctx.parallel, ctx.dtypes, context=ilen + olen)
    metrics_row(
        ctx,
        {
            t("overview.ttft"): f"{prefill.latency_s * 1e3:.2f}",
            t("overview.tpot"): f"{tpot * 1e3:.3f}",
            t("overview.tps"): f"{decode_tokens_per_s(batch, tpot):,.0f}",
            t("overview.weights"): f"{mem.weight_bytes / 2**30:.2f}",
            t("overview.max_seqs"): f"{mem.max_sequences:,}",
        },
    )
    if not mem.fits:
        st.error(
            ctx.t(
                "common.does_not_fit",
                need=memory_needed_bytes(
                    mem.weight_bytes, mem.kv_bytes_per_sequence, 1, mem.activation_bytes, mem.runtime_reserve_bytes
                )
                / 2**30,
                have=mem.usable_bytes / 2**30,
            )
        )
    rows = []
    for phase, cost in (("prefill", prefill), ("decode (mid-generation)", decode_mid)):
        for op in cost.ops:
            rows.append(
                {
                    "phase": phase,
                    "op": op.name,
                    "time_ms": op.time_s * 1e3,
                    "bound": op.bound,
                    "GFLOP": op.flops / 1e9,
                    "MB": (op.bytes + op.comm_bytes) / 1e6,
                }
            )
    df = pd.DataFrame(rows)
    series = {}
    for bound in ("compute", "memory", "comm"):
        series[t(f"bound.{bound}")] = [
            df[(df.phase == ph) & (df.bound == bound)].time_ms.sum() for ph in ("prefill", "decode (mid-generation)")
        ]
    chart(
        ctx,
        lambda: plots.stacked_bars(["prefill", "decode step"], series, title=t("overview.chart"), yaxis="ms"),
        key="overview_bounds",
        title=t("overview.chart"),
    )
    table(ctx, df, key="overview_ops", file_name="overview_ops.csv")
    json_download(
        ctx,
        {
            "inputs": inputs.values,
            "model": ctx.model.summary(),
            "hardware": ctx.hardware.name,
            "ttft_ms": prefill.latency_s * 1e3,
            "tpot_ms": tpot * 1e3,
            "memory": mem.as_dict(),
        },
        key="overview_json",
        file_name="overview.json",
    )
    st.subheader(t("overview.pages"))
    st.markdown(
        "\n".join(
            f"- **{page_text(s.section, ctx.lang, prefix='section')}** / {page_text(s.title, ctx.lang)} "
            f"(`dashboard/{s.file}.py`)"
            for s in PAGE_SPECS
            if s.file != "overview"
        )
    )


if __name__ == "__main__":
    render()
