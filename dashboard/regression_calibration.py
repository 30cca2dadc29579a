"""Calibration: fit the hardware profile's efficiencies to measured step latencies."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hashlib
import math
from typing import Any

import pandas as pd

from dashboard.app_context import bootstrap
from dashboard.common import plots_calibration as plots
from dashboard.common.i18n import localize_error
from dashboard.common.labels import profile_name, source_label
from dashboard.common.tables import to_json_bytes
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, json_download, metrics_row, table
from dashboard.components.run import fingerprint, run_button
from dashboard.features.hardware import list_hardware_presets, load_hardware
from dashboard.features.safe_io import MAX_UPLOAD_BYTES as SAFE_MAX_UPLOAD_BYTES
from dashboard.features.safe_io import MAX_UPLOAD_MB
from dashboard.services.calibration import METHODS, CalibrationResult, calibrate
from dashboard.services.calibration_io import (
    MeasurementError,
    load_input_files,
    parse_model_overrides,
    reference_steps,
)
from dashboard.state.regression_calibration import RegressionCalibrationInputs

PAGE = "regression_calibration"
RESULT_KEY = f"{PAGE}.last_good"
MAX_UPLOAD_BYTES = SAFE_MAX_UPLOAD_BYTES  # the one upload cap (5 MB, = server.maxUploadSize; issue 11)

HELP = {
    "en": """
**What it computes.** Every measured step (one row of the step format: `prefill_seqs` chunks of
`prefill_len` new tokens after `prefix_len` cached ones, plus `decode_seqs` decodes at `decode_context`)
is priced by the shared cost model; the regression adjusts the hardware profile's efficiency data until
the predicted latencies match the measured ones (least squares on the *relative* error).

- **curves** (default): GEMM efficiency η(M) per dtype from a GEMM sweep (`2MNK / (peak·(t − t₀))`,
  median over shapes; t₀ and the streaming bandwidth from its memory-bound M ≤ 32 rows), attention
  efficiency vs FLOPs per call from an attention sweep (the backend that fits the steps best); then
  fitted on the steps: a sustained-clock factor on GEMMs, the attention rate relative to the sweep,
  HBM efficiency, elementwise traffic and kernels per op (the engine's fusion level), the decode
  work-unit rate (one sequence × one KV head, for decode kernels that do not split the KV sequence),
  and link efficiency + collective latency when TP > 1.
- **derate**: one compute factor on the baseline's compute curves, one HBM efficiency, a per-kernel overhead.
- **linear**: `t = a + b·FLOPs + c·bytes` (FLOPs and HBM bytes from the cost model), for comparison.

Confidence intervals: 95 %, from the Jacobian at the optimum (`cov = s²(JᵀJ)⁻¹`, Student t).
Leave-one-out: refit without each row, predict it. With one model in the data all steps launch the
same kernels, so a per-step overhead cannot be told apart from per-kernel overheads; it is then kept
at the baseline's value. The spec-sheet profile's error on the same data is shown beside the fit.
**Use this profile in every page** registers the calibrated profile in the session (sidebar → hardware);
the JSON also works with every CLI command's `--hardware`.

**Benchmark results** (the second mode): fit an engine+hardware serving profile to `vllm bench serve`,
AIPerf or scenario-CSV results through the same predictor as `modeling bench-predict`
(`modeling calibrate-serving` on the command line).
""",
    "zh": """
**计算内容。** 每条实测 step（`prefill_seqs` 个 chunk，每个 `prefill_len` 个新 token，之前已缓存 `prefix_len`
个；外加 `decode_seqs` 个 decode，上下文 `decode_context`）都由共享成本模型定价；回归调整硬件配置中的效率参数，
使预测时延与实测一致（对相对误差做最小二乘）。

- **效率曲线**（`curves`，默认）：由 GEMM 扫描得到各 dtype 的 η(M)（`2MNK / (峰值·(t − t₀))` 取各形状中位数；t₀ 与带宽由
  M ≤ 32 的访存受限行拟合），由 attention 扫描得到效率随单次调用 FLOPs 的曲线（选与 step 最吻合的后端）；
  再在 step 上拟合：GEMM 持续频率系数、attention 相对扫描的速率、HBM 效率、逐元素算子的流量倍数与 kernel 数
  （引擎的融合程度）、decode 工作单元速率（一个序列 × 一个 KV 头），TP > 1 时还有互联效率与集合通信延迟。
- **折减**（`derate`）：对基线算力曲线的一个折减系数、一个 HBM 效率、单 kernel 开销。
- **线性**（`linear`）：`t = a + b·FLOPs + c·bytes`，用于对比。

置信区间：95%，由最优点的雅可比矩阵给出（`cov = s²(JᵀJ)⁻¹`，t 分布）。留一法：去掉每一行重新拟合后预测该行。
数据中只有一个模型时，每个 step 启动的 kernel 数相同，单步开销与单 kernel 开销无法区分，此时单步开销保持基线值。
页面同时给出规格表配置在同一数据上的误差。**在所有页面使用该配置** 会把校准后的配置注册到会话（侧边栏 → 硬件），
下载的 JSON 也可用于所有 CLI 命令的 `--hardware`。

**基准测试结果**（第二种模式）：用与 `modeling bench-predict` 相同的预测器，把引擎+硬件的服务配置拟合到
`vllm bench serve`、AIPerf 或场景 CSV 结果（命令行：`modeling calibrate-serving`）。
""",
}


def _signature(files: list[tuple[str, bytes]], inputs: RegressionCalibrationInputs, extra: Any = None) -> str:
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode())
        h.update(hashlib.sha256(data).digest())
    h.update(repr(inputs).encode())
    h.update(repr(extra).encode())
    return h.hexdigest()


def _fit(files: list[tuple[str, bytes]], inputs: RegressionCalibrationInputs, sidebar_model: Any) -> CalibrationResult:
    table_, sweeps = load_input_files(files)
    overrides: dict[str, Any] = dict(parse_model_overrides(inputs.model_items()))
    for k, v in overrides.items():
        if v.lower() == "sidebar":
            overrides[k] = sidebar_model
    return calibrate(
        table_,
        load_hardware(inputs.baseline),
        inputs.method,
        sweeps=sweeps or None,
        models=overrides,
        use_reference_sweeps=inputs.reference_sweeps,
        loo=inputs.loo,
    )


def _pct(v: Any) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2%}"


def _render_result(ctx: Any, actions: Any, res: CalibrationResult) -> None:
    st = ctx.st
    m, b = res.metrics, res.baseline_metrics
    metrics_row(
        ctx,
        {
            ctx.t("cal.m.mape"): _pct(m["mape"]),
            ctx.t("cal.m.loo"): _pct(m.get("loo_mape")),
            ctx.t("cal.m.worst"): _pct(m["max_abs_rel_error"]),
            ctx.t("cal.m.r2"): f"{m['r2']:.4f}",
            ctx.t("cal.m.spec"): _pct(b["mape"]),
        },
        help={ctx.t("cal.m.spec"): ctx.t("cal.m.spec_help", worst=b["max_abs_rel_error"], r2=b["r2"])},
    )
    st.caption(
        ctx.t(
            "cal.profile_source",
            name=profile_name(res.profile.name, ctx.lang),
            source=source_label(res.profile, ctx.lang),
        )
    )
    phases = [ph for ph in ("prefill", "decode", "mixed") if f"mape_{ph}" in m]
    st.caption(
        ctx.t("cal.by_phase")
        + " "
        + " · ".join(
            f"{ph}: {_pct(m[f'mape_{ph}'])} (LOO {_pct(m.get(f'loo_mape_{ph}'))}, spec {_pct(b.get(f'mape_{ph}'))})"
            for ph in phases
        )
    )
    st.subheader(ctx.t("cal.factors"))
    fdf = pd.DataFrame(
        [
            {
                "factor": p.label,
                "name": p.name,
                "value": p.value,
                "ci_low": None if math.isnan(p.ci_low) else p.ci_low,
                "ci_high": None if math.isnan(p.ci_high) else p.ci_high,
                "unit": p.unit,
                "at_bound": p.at_bound,
            }
            for p in res.params
        ]
    )
    table(ctx, fdf, key=f"{PAGE}_factors", file_name="calibration_factors.csv")
    s = res.suggested
    extra = ""
    if "prefill_step_mfu_max" in s:
        extra += ctx.t("cal.suggested_prefill", v=s["prefill_step_mfu_max"], m=s["prefill_step_mfu_median"])
    if "decode_step_tb_s_max" in s:
        extra += ctx.t("cal.suggested_decode", v=s["decode_step_tb_s_max"], m=s["decode_step_tb_s_median"])
    st.subheader(ctx.t("cal.suggested"))
    st.markdown(
        ctx.t(
            "cal.suggested_text",
            gemm_tflops=s["gemm_tflops"],
            gemm_mfu=s["gemm_mfu"],
            hbm_tb_s=s["hbm_tb_s"],
            hbm_efficiency=s["hbm_efficiency"],
            extra=extra,
        )
    )
    base_name = f"{res.profile.calibration.get('baseline', 'baseline') if res.profile.calibration else 'baseline'} spec"
    c1, c2 = st.columns(2)
    with c1:
        chart(
            ctx,
            plots.predicted_vs_measured(res.rows, ctx.t("cal.scatter"), base_name, lang=ctx.lang),
            key=f"{PAGE}_scatter",
        )
    with c2:
        chart(
            ctx,
            plots.residual_plot(res.rows, ctx.t("cal.residuals"), base_name, lang=ctx.lang),
            key=f"{PAGE}_residuals",
        )
    b1, b2 = st.columns(2)
    if b1.button(ctx.t("cal.register"), key=f"{PAGE}__register", type="primary"):
        err = actions.add_custom_hardware(res.profile_dict())
        if err:
            st.error(ctx.t("cal.error", error=err))
        else:
            st.success(ctx.t("cal.registered", name=res.profile.name))
    b2.download_button(
        ctx.t("cal.download"),
        to_json_bytes(res.profile_dict()),
        file_name=f"{res.profile.slug}.json",
        mime="application/json",
        key=f"{PAGE}__profile_json",
        on_click="ignore",
    )
    st.subheader(ctx.t("cal.rows"))
    cols = [
        "source",
        "row",
        "model",
        "phase",
        "prefill_seqs",
        "prefill_len",
        "prefix_len",
        "decode_seqs",
        "decode_context",
        "latency_ms",
        "predicted_ms",
        "rel_error",
        "loo_rel_error",
        "baseline_ms",
        "baseline_rel_error",
    ]
    rdf = pd.DataFrame(res.rows)
    table(ctx, rdf[[c for c in cols if c in rdf.columns]], key=f"{PAGE}_rows", file_name="calibration_rows.csv")
    if res.notes:
        st.caption(ctx.t("cal.notes") + ": " + " · ".join(localize_error(n, ctx.lang) for n in res.notes))
    json_download(
        ctx,
        {"inputs": {"method": res.method, "data": res.data}, "outputs": res.as_dict(), "profile": res.profile_dict()},
        key=f"{PAGE}_json",
        file_name="calibration.json",
    )


def render() -> None:
    ctx, actions = bootstrap(
        title="Calibration",
        header_description="Fit the hardware profile to measured step "
        "latencies (derating factors, efficiency curves, overheads).",
        help_title="Calibration",
        help_markdown=HELP,
    )
    st = ctx.st
    ss = ctx.session_state
    if f"{PAGE}__mode" not in st.session_state and st.query_params.get("mode") in ("steps", "bench"):
        st.session_state[f"{PAGE}__mode"] = st.query_params["mode"]  # a copied link keeps the mode
    mode = st.radio(
        ctx.t("bcal.mode"),
        ["steps", "bench"],
        format_func=lambda m: ctx.t(f"bcal.mode.{m}"),
        horizontal=True,
        key=f"{PAGE}__mode",
    )
    if st.query_params.get("mode") != mode:
        st.query_params["mode"] = mode
    if mode == "bench":  # second mode: fit an engine+hardware profile to benchmark results (issue 12 §2)
        from dashboard.components.bench_calibration import render_benchmark_mode

        render_benchmark_mode(ctx, actions)
        return
    inputs = PageInputs(ctx, PAGE, RegressionCalibrationInputs)
    uploads = st.file_uploader(
        ctx.t("cal.upload"),
        type=["csv", "tsv", "txt"],
        accept_multiple_files=True,
        key=f"{PAGE}__upload",
        help=ctx.t("cal.upload_help"),
    )
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    inputs.select("method", ctx.t("cal.method"), METHODS, format_func=lambda m: ctx.t(f"cal.method.{m}"), container=c1)
    inputs.select("baseline", ctx.t("cal.baseline"), list_hardware_presets(), container=c2)
    inputs.toggle("reference_sweeps", ctx.t("cal.reference_sweeps"), container=c3)
    inputs.toggle("loo", ctx.t("cal.loo"), container=c4)
    inputs.text("models", ctx.t("cal.models"), help=ctx.t("cal.models_help"))
    inputs.sync_query_params()
    values: RegressionCalibrationInputs = inputs.values

    error = None
    files: list[tuple[str, bytes]] = []
    for up in uploads or []:
        data = up.getvalue()
        if len(data) > MAX_UPLOAD_BYTES:
            error = f"{up.name}: larger than {MAX_UPLOAD_MB} MB"
        files.append((up.name, data))
    if not files:
        name, data = reference_steps()
        files = [(name, data)]
        st.caption(ctx.t("cal.using_default", data=f"dashboard/data/reference/{name}"))

    last = ss.results.get(RESULT_KEY)
    result: CalibrationResult | None = None
    if error is None:
        sidebar_key = ctx.model.summary() if "sidebar" in values.models.lower() else None
        sig = _signature(files, values, sidebar_key)
        try:  # the fit runs on the Run button; results are kept per input signature
            result = run_button(
                ctx, PAGE, fingerprint(sig), lambda: _fit(files, values, ctx.model), label=ctx.t("ui.run_fit")
            )
            if result is not None:
                ss.results[RESULT_KEY] = (sig, result)
        except (MeasurementError, ValueError) as exc:
            error = str(exc)
    if error is not None:
        st.error(ctx.t("cal.error", error=error))
        if last is not None:
            result = last[1]
            st.info(ctx.t("cal.kept", data=result.data, method=result.method))
    if result is None:
        if error is not None:
            st.info(ctx.t("cal.no_fit"))
        return
    _render_result(ctx, actions, result)


if __name__ == "__main__":
    render()
