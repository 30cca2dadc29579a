"""Multi-model comparison: several models (presets or pasted configs, each with its own layers /
hidden / batch / TP) on the current hardware side by side, priced by the shared cost model."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import json
from typing import Any

import pandas as pd

from dashboard.actions.settings import set_page_input
from dashboard.app_context import bootstrap
from dashboard.common import plots_kernels
from dashboard.common.json_config import format_model_json, parse_json_object
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, column_label, json_download, table
from dashboard.components.url_text import mirror_text, read_text
from dashboard.features.model_profile import parse_hf_config
from dashboard.features.params import describe, widget_bounds
from dashboard.features.presets import list_model_presets, model_config
from dashboard.services.multi_model import evaluate_model_row
from dashboard.state.multi_model_dashboard import (
    MAX_MODELS,
    ModelRow,
    MultiModelInputs,
    format_models_spec,
    override_config,
    rows_from_records,
)

PAGE = "multi_model_dashboard"
EDITOR_KEY = f"{PAGE}__editor"
BASE_KEY = f"{PAGE}.editor_base"
TITLE = {"en": "Multi-model comparison", "zh": "多模型对比"}
CAPTION = {
    "en": "Several models on one hardware profile: prefill/decode time, weights, KV, effective TFLOP/s, utilisation.",
    "zh": "同一硬件上并排对比多个模型：prefill/decode 耗时、权重、KV、有效 TFLOP/s 与利用率。",
}

HELP = {
    "en": r"""
**What it computes.** Every row is one model — a preset or a pasted Hugging Face `config.json` — with its own
overrides: `layers` and `hidden` edit the config dict (`num_hidden_layers`, `hidden_size`; per-layer lists such as
`layer_types` are cut or repeated; without an explicit `head_dim` the head size follows `hidden / heads`) and the
result is parsed with the same `parse_hf_config` as the sidebar; `batch`, `tp` and `ep` set the workload and the
tensor / expert parallelism (blank `ep` = the sidebar's EP; EP applies to MoE models only). All rows run on the
sidebar's hardware and dtypes.

- **TTFT** = one prefill step of `batch × prompt` tokens; **TPOT** = the mean of the `output − 1` decode steps of
  `batch` sequences as the context grows from `prompt` (`CostModel.tpot_s`, the project's one TPOT definition);
  decode tok/s = `batch / TPOT`. The utilisation columns of the decode phase describe one decode step at context
  `prompt + output/2` (`dashboard/services/multi_model.py`).
- **Effective TFLOP/s** = `StepCost.flops / latency` per GPU; **MFU** = that ÷ the dense tensor peak of the GEMM
  format; **HBM utilisation** = `StepCost.bytes / latency` ÷ HBM bandwidth. Prefill is usually compute-bound (high
  MFU), decode memory-bound (high HBM utilisation).
- **Weights / GPU** and **KV per token** (per GPU; × TP for the engine) come from the shared memory model, which
  also says whether a sequence of `prompt + output` tokens fits.

The table is editable (add rows with ＋, delete with the bin); its model list lives in the URL (`models=`), pasted
configs stay in the session.
""",
    "zh": r"""
**计算内容。** 每一行是一个模型——预设或粘贴的 Hugging Face `config.json`——并带有各自的覆写：`layers` 与 `hidden` 直接修改
配置字典（`num_hidden_layers`、`hidden_size`；`layer_types` 等逐层列表会被截断或重复；未显式给出 `head_dim` 时头维度随
`hidden / heads` 变化），再用与侧边栏相同的 `parse_hf_config` 解析；`batch`、`tp` 与 `ep` 设定负载与张量 / 专家并行（`ep` 留空 = 侧边栏的 EP；
EP 仅用于 MoE 模型）。所有行使用侧边栏的硬件与数据格式。

- **TTFT** = 一次 `batch × 输入长度` 的 prefill 步；**TPOT** = 上下文从 `输入` 增长时 `batch` 条序列的 `输出 − 1` 个 decode 步的
  平均值（`CostModel.tpot_s`，全项目唯一的 TPOT 定义）；decode tok/s = `batch / TPOT`。decode 阶段的利用率列描述上下文为
  `输入 + 输出/2` 时的一次 decode 步（`dashboard/services/multi_model.py`）。
- **有效 TFLOP/s** = 每卡 `StepCost.flops / 时延`；**MFU** = 其 ÷ GEMM 格式的稠密 Tensor 峰值；**HBM 利用率** =
  `StepCost.bytes / 时延` ÷ HBM 带宽。Prefill 通常受算力限制（MFU 高），decode 受访存限制（HBM 利用率高）。
- **每卡权重** 与 **每 token KV**（每卡；引擎总量再乘 TP）来自共享显存模型，并判断 `输入 + 输出` 长度的序列能否放下。

表格可编辑（＋ 添加行，垃圾桶删除）；模型列表保存在 URL（`models=`）中，粘贴的配置保存在会话中。
""",
}


def _records(rows: tuple[ModelRow, ...]) -> list[dict[str, Any]]:
    return [
        {
            "model": r.model,
            "layers": r.layers or None,
            "hidden": r.hidden or None,
            "batch": r.batch,
            "tp": r.tp,
            "ep": r.ep or None,
        }
        for r in rows
    ]


def _add_pasted(ctx: Any) -> None:
    """Button callback: validate the pasted config, store it, append a row, reset the editor."""
    st, ss = ctx.st, ctx.session_state
    name = str(st.session_state.get(f"{PAGE}__paste_name") or "").strip() or "pasted"
    text = st.session_state.get(f"{PAGE}__paste_json") or ""
    v: MultiModelInputs = ss.pages[PAGE]
    try:
        cfg = parse_json_object(text)
        parse_hf_config(cfg, name=name)
        rows = (*v.rows, ModelRow(model=f"pasted:{name}"))
        if len(rows) > MAX_MODELS:
            raise ValueError(f"compare at most {MAX_MODELS} models")
    except ValueError as exc:
        ss.results[f"{PAGE}.paste_msg"] = ("error", str(exc))
        return
    pasted = {**v.pasted_dict(), name: format_model_json(cfg)}
    set_page_input(ss, PAGE, "pasted", tuple(pasted.items()))
    set_page_input(ss, PAGE, "models", format_models_spec(rows))
    ss.results[f"{PAGE}.paste_msg"] = ("ok", name)
    ss.results.pop(BASE_KEY, None)
    if EDITOR_KEY in st.session_state:
        del st.session_state[EDITOR_KEY]


def _model_config(ref: str, pasted: dict[str, str]) -> dict[str, Any]:
    if ref.startswith("pasted:"):
        name = ref[7:]
        if name not in pasted:
            raise ValueError(f"no pasted config named {name!r} in this session (paste it again)")
        return parse_json_object(pasted[name])
    return model_config(ref)


def _evaluate(ctx: Any, row: ModelRow, v: MultiModelInputs) -> dict[str, Any]:
    """One row through :func:`dashboard.services.multi_model.evaluate_model_row`."""
    cfg = override_config(_model_config(row.model, v.pasted_dict()), row.layers, row.hidden)
    model = parse_hf_config(cfg, name=row.model)
    s = ctx.session_state.settings
    return evaluate_model_row(
        model,
        ctx.hardware,
        ctx.dtypes,
        batch=row.batch,
        tp=row.tp or s.tp,
        ep=row.ep or (s.ep if model.is_moe else 1),
        input_len=v.input_len,
        output_len=v.output_len,
        label=f"{row.model} ({row.label_suffix})",
    )


def _pasted_from_url(ctx: Any) -> None:
    """A link's ``pasted`` blob (``{name: config JSON}``) restores the configs pasted on the page
    (first load only; a blob that cannot be read is ignored — the rows naming it then say so)."""
    v = ctx.session_state.pages[PAGE]
    text = None if v.pasted else read_text(ctx.st, "pasted")
    if not text:
        return
    try:
        data = json.loads(text)
        pairs = tuple((str(k), str(val)) for k, val in data.items())
    except (ValueError, AttributeError):
        return
    set_page_input(ctx.session_state, PAGE, "pasted", pairs)


def render() -> None:
    ctx, _ = bootstrap(title=TITLE, header_description=CAPTION, help_title=TITLE, help_markdown=HELP)
    st, ss, t = ctx.st, ctx.session_state, ctx.t
    inputs = PageInputs(ctx, PAGE, MultiModelInputs)
    _pasted_from_url(ctx)
    c1, c2 = st.columns(2)
    inputs.number("input_len", t("mm.input_len"), step=256, container=c1)
    inputs.number("output_len", t("mm.output_len"), step=64, container=c2)
    v: MultiModelInputs = inputs.values

    with st.expander(t("mm.paste")):
        st.text_input(t("mm.paste_name"), key=f"{PAGE}__paste_name")
        st.text_area(t("mm.paste_json"), key=f"{PAGE}__paste_json", height=160)
        st.button(t("mm.paste_add"), key=f"{PAGE}__paste_add", on_click=_add_pasted, args=(ctx,))
        msg = ss.results.pop(f"{PAGE}.paste_msg", None)
        if msg and msg[0] == "error":
            st.error(t("mm.paste_error", error=msg[1]))
        elif msg:
            st.success(t("mm.paste_ok", name=msg[1]))
    v = inputs.values

    # editable model table: the base stays fixed while the widget holds its edits (deltas)
    base = ss.results.get(BASE_KEY)
    if base is None or EDITOR_KEY not in st.session_state:
        base = _records(v.rows)
        ss.results[BASE_KEY] = base
    options = list(list_model_presets()) + [f"pasted:{n}" for n in v.pasted_dict()]
    options += [r["model"] for r in base if r["model"] not in options]
    st.caption(t("mm.editor"))
    edited = st.data_editor(
        pd.DataFrame(base, columns=["model", "layers", "hidden", "batch", "tp", "ep"]),
        key=EDITOR_KEY,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            "model": st.column_config.SelectboxColumn(column_label("model", ctx.lang), options=options, required=True),
            # bounds from the row's declaration; a blank cell (not 0) means "the config's value"
            "layers": st.column_config.NumberColumn(
                column_label("layers", ctx.lang), **widget_bounds(ModelRow, "layers")
            ),
            "hidden": st.column_config.NumberColumn("hidden", **{**widget_bounds(ModelRow, "hidden"), "step": 64}),
            "batch": st.column_config.NumberColumn("batch", **widget_bounds(ModelRow, "batch"), default=1),
            "tp": st.column_config.NumberColumn("tp", **widget_bounds(ModelRow, "tp"), default=1),
            "ep": st.column_config.NumberColumn("ep", **widget_bounds(ModelRow, "ep"), help=t("mm.ep_help")),
        },
    )
    try:
        rows = rows_from_records(edited.to_dict(orient="records"))
        set_page_input(ss, PAGE, "models", format_models_spec(rows))
    except ValueError as exc:
        st.error(t("mm.table_error", error=exc))
    v = inputs.values
    inputs.sync_query_params()
    # configs pasted on the page travel in the URL too (issue 14 §2), as one encoded JSON object
    mirror_text(st, "pasted", json.dumps(v.pasted_dict(), sort_keys=True) if v.pasted else "")

    results, errors = [], []
    for i, row in enumerate(v.rows, start=1):
        try:
            results.append(_evaluate(ctx, row, v))
        except (ValueError, KeyError) as exc:
            errors.append(t("mm.row_error", label=f"{i}. {row.model}", error=exc))
    for e in errors:
        st.error(e)
    if not results:
        st.warning(t("mm.none"))
        return
    df = pd.DataFrame(results)
    df.insert(0, "#", range(1, len(df) + 1))
    labels = [f"{n}. {m}" for n, m in zip(df["#"], df.model, strict=True)]
    st.subheader(t("mm.results", hw=ctx.hardware.name))
    bad = [lbl for lbl, fits in zip(labels, df.fits, strict=True) if not fits]
    if bad:
        st.warning(t("mm.does_not_fit", names=", ".join(bad)))
    for col, name, key in (("ttft_ms", "TTFT (ms)", "mm_latency_chart"), ("tpot_ms", "TPOT (ms)", "mm_tpot_chart")):
        chart(  # one quantity per axis (issue 14 §3): TTFT and TPOT on their own charts
            ctx,
            plots_kernels.comparison_bars(
                labels, {name: list(df[col])}, title=f"{t('mm.chart_latency')}: {name}", yaxis=name, log_y=True
            ),
            key=key,
        )
    chart(
        ctx,
        lambda: plots_kernels.comparison_bars(
            labels,
            {"prefill": list(df.prefill_tflops), "decode": list(df.decode_tflops)},
            title=t("mm.chart_tflops"),
            yaxis="TFLOP/s",
        ),
        key="mm_tflops_chart",
        title=t("mm.chart_tflops"),
    )
    chart(
        ctx,
        lambda: plots_kernels.comparison_bars(
            labels,
            {
                "prefill MFU": list(df.prefill_mfu * 100),
                "prefill HBM": list(df.prefill_hbm_util * 100),
                "decode MFU": list(df.decode_mfu * 100),
                "decode HBM": list(df.decode_hbm_util * 100),
            },
            title=t("mm.chart_util"),
            yaxis="%",
        ),
        key="mm_util_chart",
        title=t("mm.chart_util"),
    )
    chart(
        ctx,
        lambda: plots_kernels.comparison_bars(
            labels,
            {
                t("mm.s_weights"): list(df.weights_gib_per_gpu),
                t("mm.s_kv_seq"): list(df.kv_gib_per_sequence_per_gpu),
            },
            title=t("mm.chart_memory"),
            yaxis="GiB",
        ),
        key="mm_memory_chart",
        title=t("mm.chart_memory"),
    )
    table(ctx, df, key="mm_table", file_name="multi_model_comparison.csv")
    json_download(
        ctx,
        {
            "inputs": {
                "input_len": v.input_len,
                "output_len": v.output_len,
                "models": v.models,
                "pasted": list(v.pasted_dict()),
            },
            "parameters": describe(v),
            "hardware": ctx.hardware.name,
            "dtypes": ctx.dtypes,
            "results": df,
            "errors": errors,
        },
        key="mm_json",
        file_name="multi_model_comparison.json",
    )


if __name__ == "__main__":
    render()
