"""Benchmark-results mode of the calibration page: upload result files, fit, see, download, register.

Thin: parsing (:mod:`dashboard.services.bench_io`), the fit
(:func:`dashboard.services.serving_calibration.calibrate_serving`) and the figure
(:mod:`dashboard.common.plots_serving`) live outside; this module reads widgets and renders.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from dashboard.common import plots_serving
from dashboard.common.tables import to_json_bytes
from dashboard.components.outputs import chart, localized_columns, table
from dashboard.features.hardware import hardware_to_dict, list_hardware_presets
from dashboard.features.safe_io import MAX_UPLOAD_BYTES
from dashboard.services.bench_io import fill_missing_gpus, parse_results
from dashboard.services.serving_calibration import calibrate_serving
from dashboard.services.serving_predict import MEASURED_COLUMNS, list_engines

PAGE = "regression_calibration"
RESULT_KEY = f"{PAGE}.bench_fit"
COL_LABEL = {"ttft_ms": "TTFT", "tpot_ms": "TPOT", "itl_ms": "ITL", "output_tok_s_per_gpu": "tok/s/GPU"}


def _read(uploads: list[Any]) -> tuple[list[dict[str, Any]], str]:
    rows: list[dict[str, Any]] = []
    h = hashlib.sha256()
    for up in uploads:
        data = up.getvalue()
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValueError(f"{up.name}: larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
        h.update(up.name.encode() + b"\0" + data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{up.name}: not UTF-8 text") from None
        try:
            rows.extend(parse_results(text, up.name))
        except ValueError as exc:
            raise ValueError(f"{up.name}: {exc}") from None
    fill_missing_gpus(rows, None, None)
    return rows, h.hexdigest()


def _pct(e: dict[str, Any] | None) -> str:
    return f"{e['mape']:.1f}" if e and e.get("n") else "–"


def render_benchmark_mode(ctx: Any, actions: Any) -> None:
    st = ctx.st
    ss = ctx.session_state
    st.markdown(ctx.t("bcal.help"))
    uploads = st.file_uploader(
        ctx.t("bcal.upload"), type=["csv", "json"], accept_multiple_files=True, key=f"{PAGE}__bench_upload"
    )
    c1, c2, c3 = st.columns(3)
    presets = list_hardware_presets()
    hw = c1.selectbox(
        ctx.t("bcal.hardware"),
        presets,
        index=presets.index("h200") if "h200" in presets else 0,
        key=f"{PAGE}__bench_hardware",
    )
    engines = list_engines()
    engine = c2.selectbox(
        ctx.t("bcal.engine"),
        engines,
        index=engines.index("vllm") if "vllm" in engines else 0,
        key=f"{PAGE}__bench_engine",
    )
    loo = c3.toggle(ctx.t("bcal.loo"), value=False, key=f"{PAGE}__bench_loo")
    last = ss.results.get(RESULT_KEY)
    if not uploads:
        st.info(ctx.t("bcal.none"))
        return
    try:
        rows, digest = _read(list(uploads))
    except ValueError as exc:
        st.error(ctx.t("bcal.error", error=exc))
        return
    n_meas = sum(1 for r in rows if any(r.get(c) is not None for c in MEASURED_COLUMNS))
    st.caption(ctx.t("bcal.rows_read", n=len(rows), m=n_meas))
    sig = f"{digest}|{hw}|{engine}|{loo}"
    if st.button(ctx.t("bcal.run"), key=f"{PAGE}__bench_run", type="primary"):
        try:
            with st.spinner(ctx.t("bcal.fitting")):
                rep = calibrate_serving(rows, hardware=hw, engine=engine, loo=loo, max_nfev=25)
            ss.results[RESULT_KEY] = (sig, rep)
            last = ss.results[RESULT_KEY]
        except ValueError as exc:
            st.error(ctx.t("bcal.error", error=exc))
    if last is None:
        return
    rep = last[1]
    st.subheader(ctx.t("bcal.errors"))
    err_rows = []
    for col in MEASURED_COLUMNS:
        fe = rep.fit_error.get(col) or {}
        if not fe.get("n"):
            continue
        err_rows.append(
            {
                "column": COL_LABEL[col],
                "n": fe["n"],
                ctx.t("bcal.col.fit"): _pct(fe),
                ctx.t("bcal.col.loo"): _pct(rep.loo_error.get(col)),
                ctx.t("bcal.col.uncal"): _pct(rep.uncalibrated_error.get(col)),
            }
        )
    st.dataframe(localized_columns(pd.DataFrame(err_rows), ctx.lang), hide_index=True)
    st.subheader(ctx.t("bcal.params"))
    prows = []
    for stage, info in rep.stages.items():
        for k in info["fitted"]:
            ci = info["ci95"].get(k)
            scale = 1e3 if k.endswith("_s") else 1.0
            prows.append(
                {
                    "fit": stage,
                    "parameter": k + (" (ms)" if scale != 1.0 else ""),
                    "value": info["params"][k] * scale,
                    "95% CI": f"[{ci[0] * scale:.4g}, {ci[1] * scale:.4g}]" if ci else "–",
                }
            )
    st.dataframe(localized_columns(pd.DataFrame(prows), ctx.lang), hide_index=True)
    chart(
        ctx,
        plots_serving.serving_residuals(rep.rows, ctx.t("bcal.residuals"), COL_LABEL, ctx.lang),
        key=f"{PAGE}_bench_res",
    )
    b1, b2 = st.columns(2)
    prof = rep.profile
    b1.download_button(
        ctx.t("bcal.download"),
        to_json_bytes(prof.as_dict()),
        file_name=f"{prof.name}.json",
        mime="application/json",
        key=f"{PAGE}__bench_json",
        on_click="ignore",
    )
    if b2.button(ctx.t("bcal.register"), key=f"{PAGE}__bench_register"):
        err = actions.add_custom_hardware(hardware_to_dict(prof.hardware_profile()))
        if err:
            st.error(ctx.t("bcal.error", error=err))
        else:
            st.success(ctx.t("bcal.registered", name=prof.name))
    st.subheader(ctx.t("bcal.rows"))
    df = pd.DataFrame(rep.rows)
    for col in df.columns:  # CSV cells are text, JSON ones numbers: one type per column for the table
        if df[col].dtype == object:
            df[col] = df[col].map(lambda v: "" if v is None else str(v))
    table(ctx, df, key=f"{PAGE}_bench_rows", file_name="serving_calibration_rows.csv")
