"""One-click MoE models for the offload pages when the sidebar holds a dense model (issue 14 §2)."""

from __future__ import annotations

from typing import Any

from dashboard.actions import settings as act
from dashboard.common.i18n import tr
from dashboard.features.presets import model_preset_info

__all__ = ["TRY_MODELS", "try_moe_buttons"]

TRY_MODELS = ("deepseek-v3", "qwen3-30b-a3b")


def try_moe_buttons(ctx: Any, page_id: str) -> None:
    """A button per :data:`TRY_MODELS` preset that makes it the session's model (the sidebar follows)."""
    cols = ctx.st.columns(len(TRY_MODELS) + 2)
    for col, slug in zip(cols, TRY_MODELS, strict=False):
        name = model_preset_info(slug)["display_name"]
        col.button(
            tr("ui.try_model", ctx.lang, name=name),
            key=f"{page_id}__try_{slug}",
            icon=":material/hub:",
            on_click=act.select_model_preset,
            args=(ctx.session_state, slug),
        )
