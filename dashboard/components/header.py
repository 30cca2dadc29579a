"""Shared header and help panel."""

from __future__ import annotations

import hashlib
from typing import Any

from dashboard.common.i18n import tr
from dashboard.common.labels import domain_warning_label, source_label
from dashboard.common.text import md_escape
from dashboard.features.hardware import NOT_FITTED

__all__ = ["HELP_OPEN_BY_DEFAULT", "render_header", "render_help"]


def render_header(ctx: Any, title: str, description: str) -> None:
    st = ctx.st
    st.title(title)
    if description:
        st.caption(description)
    m, hw = ctx.model, ctx.hardware
    params = tr("header.params", ctx.lang, total=m.total_params() / 1e9)
    if m.is_moe:  # active as the model cards count it (input embedding excluded), the other convention beside
        params += tr(
            "header.active",
            ctx.lang,
            active=m.active_params() / 1e9,
            incl=m.active_params(include_input_embedding=True) / 1e9,
        )
    st.markdown(
        tr("header.model", ctx.lang, name=md_escape(m.name), params=params)
        + " · "  # names come from pasted configs and uploads: plain text, never Markdown (issue 11)
        + tr("header.profile", ctx.lang, hw=md_escape(hw.name), source=md_escape(source_label(hw, ctx.lang)))
    )
    if hw.efficiency_provenance == NOT_FITTED:  # issue 12: unfitted chips say so on every page
        st.caption(tr("header.not_fitted", ctx.lang))
    choice = getattr(ctx, "engine_choice", None)
    if choice is not None and choice.profile is not None:  # a fitted <hw>+<engine> profile (issue 14 §3)
        key = "header.engine_fitted" if choice.applied else "header.engine_not_applied"
        st.caption(
            tr(
                key,
                ctx.lang,
                name=md_escape(choice.name),
                engine=choice.engine.name,
                data=md_escape(choice.fitted_on),
                base=choice.profile.base_hardware,
            )
        )
        if choice.warnings:
            st.warning(
                tr(
                    "header.out_of_domain",
                    ctx.lang,
                    name=md_escape(choice.name),
                    items=md_escape("; ".join(domain_warning_label(w, ctx.lang) for w in choice.warnings)),
                )
            )


#: The help panel draws its text (the page's longest, with KaTeX formulas) only once opened: closed,
#: it is not sent, laid out or typeset on a page's first render and reruns (issue 14). A panel
#: opened stays open for the session. The AppTest suites, which read the help text, set this to
#: True (tests/conftest.py).
HELP_OPEN_BY_DEFAULT = False
_OPEN = "ui.help_open"  # session_state.results[_OPEN] = {panel title: open?}


def render_help(ctx: Any, title: str, markdown: str | dict[str, str]) -> None:
    text = markdown.get(ctx.lang) or markdown.get("en", "") if isinstance(markdown, dict) else markdown
    st = ctx.st
    remembered: dict[str, bool] = ctx.session_state.results.setdefault(_OPEN, {})
    wkey = f"help__{hashlib.sha256(title.encode()).hexdigest()[:12]}"

    def on_toggle() -> None:
        remembered[title] = bool(st.session_state.get(wkey))

    box = st.expander(
        tr("help.expander", ctx.lang, title=title),
        expanded=remembered.get(title, HELP_OPEN_BY_DEFAULT),
        key=wkey,
        on_change=on_toggle,
    )
    if box.open:
        with box:
            st.markdown(text)
