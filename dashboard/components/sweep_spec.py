"""The sweep-spec runner shown on the simulator-sweep page: the service behind ``modeling sweep``
(``dashboard/services/sweep.py``) with a Run button, progress, a results table and a chart."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import pandas as pd

from dashboard.common import plots_sweep
from dashboard.components.outputs import chart, table
from dashboard.components.url_text import mirror_text, seed_text
from dashboard.features.params import widget_bounds
from dashboard.services.sweep_run import SweepRun

__all__ = ["DEFAULT_SPEC", "MAX_PAGE_CELLS", "parse_spec_text", "render_sweep_spec"]

MAX_PAGE_CELLS = 400
MAX_PAGE_WORKERS = 64  # the page narrows SweepRun.workers (a browser session, not a batch job)

DEFAULT_SPEC = """models: [llama-3.1-8b]
hardware: [h200, h100-sxm]
engines: [vllm]
tp: [1, 2]
workloads:
  - {input_len: 1024, output_len: 128, request_rate: 8, num_requests: 200}
  - {input_len: 2048, output_len: 256, concurrency: 16, num_requests: 128}
seeds: [0, 1]
max_num_batched_tokens: [2048]
"""


def parse_spec_text(text: str) -> Any:
    """A :class:`~dashboard.services.sweep.SweepSpec` from YAML or JSON text (``ValueError`` on bad input)."""
    import yaml

    from dashboard.services.sweep import MAX_SPEC_BYTES, parse_spec

    if len(text.encode("utf-8")) > MAX_SPEC_BYTES:
        raise ValueError(f"sweep spec is larger than {MAX_SPEC_BYTES:,} bytes")
    s = text.strip()
    try:
        data = json.loads(s) if s.startswith("{") else yaml.safe_load(s)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"sweep spec is not valid YAML/JSON: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # "[[[[…" pasted in the editor (issue 11)
        raise ValueError("sweep spec is nested too deeply") from None
    return parse_spec(data)


def render_sweep_spec(ctx: Any, page: str) -> None:
    """An expander with the spec editor, backend choice and Run button; results kept per session."""
    from dashboard.services.sweep import run_sweep

    st, t = ctx.st, ctx.t
    with st.expander(t("sweepspec.title")):
        st.markdown(t("sweepspec.intro"))
        key = f"{page}__sweep_spec"
        seed_text(st, key, "sweep_spec", DEFAULT_SPEC)  # the spec travels in the URL (issue 14 §2)
        up = st.file_uploader(t("sweepspec.upload"), type=["yaml", "yml", "json"], key=f"{page}__sweep_spec_file")
        if up is not None:
            try:
                st.session_state[key] = up.getvalue().decode("utf-8")
            except UnicodeDecodeError:
                st.error(t("sweepspec.bad_upload"))
        text = st.text_area(t("sweepspec.spec"), key=key, height=220)
        mirror_text(st, "sweep_spec", text, DEFAULT_SPEC)
        c1, c2 = st.columns(2)
        backend = c1.radio(
            t("sweepspec.backend"),
            ("pool", "ray"),
            key=f"{page}__sweep_backend",
            horizontal=True,
            format_func=lambda b: t(f"sweepspec.backend.{b}"),
        )
        workers = c2.number_input(
            t("sweepspec.workers"),
            **{**widget_bounds(SweepRun, "workers"), "max_value": MAX_PAGE_WORKERS},
            value=2,
            key=f"{page}__sweep_workers",
        )
        try:
            spec = parse_spec_text(text)
            if spec.num_cells > MAX_PAGE_CELLS:
                raise ValueError(t("sweepspec.too_big", limit=MAX_PAGE_CELLS))
        except ValueError as exc:
            st.error(t("common.invalid_input", error=exc))
            return
        st.caption(t("sweepspec.cells", n=spec.num_cells))
        slot = f"{page}.sweep_spec"
        if st.button(t("sweepspec.run"), key=f"{page}__sweep_run", type="primary"):
            bar = st.progress(0.0, text=t("sweepspec.progress", done=0, total=spec.num_cells, eta="–"))

            def progress(done: int, total: int, eta: float) -> None:
                eta_txt = "–" if math.isnan(eta) else f"{eta:.0f} s"
                bar.progress(done / max(1, total), text=t("sweepspec.progress", done=done, total=total, eta=eta_txt))

            t0 = time.perf_counter()
            try:
                df = run_sweep(spec, None, workers=int(workers), backend=backend, progress=progress)
            except ValueError as exc:
                st.error(t("common.invalid_input", error=exc))
                return
            bar.empty()
            ctx.session_state.results[slot] = (df, backend, time.perf_counter() - t0)
        hit = ctx.session_state.results.get(slot)
        if hit is None:
            return
        df, used, wall = hit
        errors = int((df["error"] != "").sum()) if "error" in df else 0
        st.success(t("sweepspec.done", n=len(df), errors=errors, backend=used, wall=wall))
        rows = df.to_dict("records")
        chart(
            ctx,
            plots_sweep.sweep_scatter(
                rows,
                "ttft_p90_ms",
                "output_throughput_tok_s_per_gpu",
                ["hardware", "model"],
                title=t("sweepspec.chart"),
                xaxis=t("sweepspec.x"),
                yaxis=t("sweepspec.y"),
            ),
            key=f"{page}_sweep_spec_chart",
        )
        show = df.drop(columns=["cell_key"], errors="ignore")
        table(ctx, pd.DataFrame(show), key=f"{page}_sweep_spec_table", file_name="sweep_results.csv", height=300)
