"""The speculative-decoding section shared by the quick-estimation and simulator pages.

Inputs (``SpeculativeInputs``, stored under ``<page>_spec``), then — when switched on — the step at
the page's batch and context (``SpeculativeCostModel``), TPOT and output tokens/s vs batch with and
without speculation, the crossover batch, the vLLM flag, and (simulator page) the same workload
simulated with speculation. Every number comes from ``features/speculative.py`` and the simulator.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.common import plots_speculative
from dashboard.components.inputs import PageInputs
from dashboard.components.outputs import chart, metrics_row, table
from dashboard.features.cost_model import CostModel
from dashboard.features.presets import list_model_presets
from dashboard.features.speculative import (
    METHODS,
    SpeculativeCostModel,
    crossover_batch,
    draft_memory,
    make_speculative_config,
    speculative_config_to_vllm_json,
    tpot_vs_batch,
)
from dashboard.state.speculative import SpeculativeInputs

__all__ = ["speculative_section"]


def speculative_section(
    ctx: Any, page: str, cm: CostModel, *, batch: int, context: int, sim_job: Any = None
) -> dict[str, Any] | None:
    """Render the section; returns its JSON-ready outputs (``None`` when off or invalid)."""
    st, t = ctx.st, ctx.t
    st.subheader(t("spec.header"))
    inputs = PageInputs(ctx, f"{page}_spec", SpeculativeInputs)
    if not inputs.toggle("spec_on", t("spec.on"), help=t("spec.help")):
        inputs.sync_query_params()
        return None
    c1, c2, c3, c4 = st.columns(4)
    inputs.select("spec_method", t("spec.method"), METHODS, container=c1)
    inputs.number("spec_k", t("spec.k"), step=1, container=c2)
    inputs.text("spec_acceptance", t("spec.acceptance"), container=c3)
    if inputs.values.spec_method == "draft_model":
        inputs.select("spec_draft", t("spec.draft"), list_model_presets(), container=c4)
    inputs.text("spec_batches", t("spec.batches"))
    inputs.sync_query_params()
    v = inputs.values
    try:
        acc = v.spec_acceptance[0] if len(v.spec_acceptance) == 1 else v.spec_acceptance
        cfg = make_speculative_config(
            v.spec_method,
            v.spec_k,
            acceptance=acc,
            draft_model=v.spec_draft if v.spec_method == "draft_model" else None,
        )
        scm = SpeculativeCostModel(cm, cfg)
        s = scm.step(batch, context)
        rows = tpot_vs_batch(cm, cfg, sorted(set(v.spec_batches)), context)
        dmem = draft_memory(cfg, scm.draft, cm.par, cm.dt)
    except ValueError as exc:
        st.error(t("common.invalid_input", error=exc))
        return None
    st.caption(t("spec.at", batch=batch, ctx=context))
    metrics_row(
        ctx,
        {
            t("spec.m_expected"): f"{s.expected_tokens:.3f}",
            t("spec.m_tpot_off"): f"{s.plain_s * 1e3:.3f}",
            t("spec.m_tpot_on"): f"{s.s_per_output_token * 1e3:.3f}",
            t("spec.m_speedup"): f"{s.speedup:.2f}×",
            t("spec.m_draft"): f"{s.draft_s * 1e3:.3f} / {s.verify_s * 1e3:.3f}",
            t("spec.m_draft_mem"): f"{dmem['weight_bytes'] / 2**30:.3f}",
        },
    )
    off, on = t("spec.off"), t("spec.with", method=cfg.method)
    c1, c2 = st.columns(2)
    with c1:
        chart(
            ctx, plots_speculative.tpot_vs_batch(rows, off, on, t("spec.tpot_title"), ctx.lang), key=f"{page}_spec_tpot"
        )
    with c2:
        chart(
            ctx,
            plots_speculative.throughput_vs_batch(rows, off, on, t("spec.tps_title"), ctx.lang),
            key=f"{page}_spec_tps",
        )
    cb = crossover_batch(rows)
    st.markdown(t("spec.crossover", batch=cb) if cb is not None else t("spec.no_crossover"))
    table(ctx, pd.DataFrame(rows), key=f"{page}_spec_table", file_name=f"{page}_speculative.csv")
    vjson = speculative_config_to_vllm_json(cfg, cm.model)
    st.caption(t("spec.vllm"))
    st.code(f"--speculative-config '{vjson}'", language="bash")
    out: dict[str, Any] = {
        "config": cfg.as_dict(),
        "step": s.as_dict(),
        "curve": rows,
        "crossover_batch": cb,
        "draft_weight_bytes_per_gpu": dmem["weight_bytes"],
        "vllm_speculative_config": vjson,
    }
    if sim_job is not None:
        out["simulation"] = _simulated(ctx, page, sim_job, cfg)
    return out


def _simulated(ctx: Any, page: str, job: Any, cfg: Any) -> dict[str, Any] | None:
    """The page's simulation job re-run with speculation (memoised per job and config)."""
    from dashboard.sim_scheduler import simulate

    st, t = ctx.st, ctx.t
    slot = f"{page}.spec_sim"
    key = repr(job) + repr(cfg)
    hit = ctx.session_state.results.get(slot)
    if hit is None or hit[0] != key:
        try:
            res = simulate(
                job.cost_model(),
                job.workload,
                job.scheduler,
                dp=job.dp,
                router=job.router,
                sla=job.sla,
                record_steps=False,
                speculative=cfg,
            )
        except ValueError as exc:
            st.error(t("common.invalid_input", error=exc))
            return None
        hit = (key, res.summary)
        ctx.session_state.results[slot] = hit
    s = hit[1]
    st.markdown(f"**{t('spec.sim_header')}**")
    metrics_row(
        ctx,
        {
            t("spec.m_ttft"): f"{s['ttft_ms']['p50']:,.1f}",
            t("spec.m_tpot"): f"{s['tpot_ms']['p50']:.2f}",
            t("spec.m_itl"): f"{s['itl_ms']['mean']:.2f}",
            t("spec.m_tps"): f"{s['output_throughput_tok_s']:,.0f}",
        },
    )
    st.caption(t("spec.sim_accept", real=s["spec_decode_acceptance_length"], exp=s["spec_expected_acceptance_length"]))
    return s
