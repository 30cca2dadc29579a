"""``bootstrap()``: the one call every page makes first.

It initialises the typed session state (once per session, reading shareable query parameters),
renders the shared sidebar, header and help panel, parses the current model and hardware, and
returns ``(state, actions)``:

* ``state.st`` — the Streamlit API behind :class:`~dashboard.components.st_proxy.StProxy`;
* ``state.session_state`` — the typed :class:`~dashboard.state.SessionState`;
* ``state.model`` — the parsed :class:`~dashboard.features.model_profile.ModelProfile`;
* ``state.hardware``, ``state.dtypes``, ``state.parallel``, ``state.cost_model()`` — the shared
  cost model inputs;
* ``actions`` — :class:`~dashboard.actions.Actions` bound to the session state.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from dashboard.actions import Actions
from dashboard.actions import settings as act
from dashboard.common.i18n import page_text, tr
from dashboard.common.json_config import parse_json_object
from dashboard.common.text import md_escape
from dashboard.common.url_state import GLOBAL_KEYS, decode_blob, global_query, parse_overrides
from dashboard.components.exposure import enforce_exposure_policy
from dashboard.components.header import render_header, render_help
from dashboard.components.sidebar import render_sidebar
from dashboard.components.st_proxy import StProxy
from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import HardwareError, HardwareProfile, load_hardware
from dashboard.features.model_profile import ModelConfigError, ModelProfile, parse_hf_config
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.presets import DEFAULT_MODEL
from dashboard.state.session import DEFAULT_HARDWARE, SESSION_KEY, SessionState

__all__ = ["PageContext", "bootstrap"]


@dataclass
class PageContext:
    """What a page gets from :func:`bootstrap` (the seed's ``state``)."""

    st: Any
    session_state: SessionState
    model: ModelProfile
    hardware: HardwareProfile
    actions: Actions

    @property
    def lang(self) -> str:
        return self.session_state.settings.language

    def t(self, key: str, **fmt: Any) -> str:
        return tr(key, self.lang, **fmt)

    @property
    def dtypes(self) -> Dtypes:
        s = self.session_state.settings
        attn = s.attention_weight_dtype
        return Dtypes(
            weight=s.weight_dtype,
            activation=s.activation_dtype,
            kv=s.kv_dtype,
            attention_weight=None if attn == "same" else attn,
        )

    engine_choice: Any = None  # services.engine_choice.EngineChoice (set by bootstrap)

    @property
    def engine(self) -> Any:
        """The serving engine chosen in the sidebar (:class:`~dashboard.features.engine.EngineProfile`;
        a fitted profile ``<hw>+<engine>`` gives its engine)."""
        if self.engine_choice is not None:
            return self.engine_choice.engine
        from dashboard.features.engine import load_engine

        return load_engine(self.session_state.settings.engine)

    @property
    def parallel(self) -> ParallelConfig:
        s = self.session_state.settings
        return ParallelConfig(tp=s.tp, ep=s.ep)

    def cost_model(
        self,
        tp: int | None = None,
        ep: int | None = None,
        dtypes: Dtypes | None = None,
        overlap: float = 0.0,
        hardware: HardwareProfile | None = None,
        model: ModelProfile | None = None,
    ) -> CostModel:
        """The shared cost model for this page's model/hardware; raises ``ValueError`` (with a
        message naming the field) for a layout the model cannot use."""
        s = self.session_state.settings
        par = ParallelConfig(tp=tp or s.tp, ep=ep or s.ep)
        return CostModel(model or self.model, hardware or self.hardware, par, dtypes or self.dtypes, overlap)


def _read_shared_model_hw(qp: Any, ss: SessionState) -> None:
    """``model=custom&cfg=…`` / ``hw=custom&hwcfg=…`` / ``hwo=…`` (see common/url_state.py); a part
    that cannot be restored leaves a message in ``ss.results["ui.url_error"]``."""
    if qp.get("model") == "custom" and "cfg" in qp:
        try:
            err = act.set_model_json(ss, decode_blob(str(qp["cfg"])))
        except ValueError as exc:
            err = str(exc)
        if err:
            act.select_model_preset(ss, DEFAULT_MODEL)
            ss.results["ui.url_error"] = ("model", err)
    elif "model" in qp:
        act.select_model_preset(ss, str(qp["model"]))
    if qp.get("hw") == "custom" and "hwcfg" in qp:
        try:
            err = act.add_custom_hardware(ss, decode_blob(str(qp["hwcfg"])))
        except ValueError as exc:
            err = str(exc)
        if err:
            ss.hardware.error = None
            ss.results["ui.url_error"] = ("hardware", err)
    elif "hw" in qp:
        act.select_hardware(ss, str(qp["hw"]))
    if "hwo" in qp:
        try:
            for path, value in parse_overrides(str(qp["hwo"])).items():
                act.set_hardware_override(ss, path, value)
        except ValueError as exc:
            ss.hardware.error = str(exc)


def _write_query_params(st: Any, ss: SessionState) -> None:
    """Mirror the sidebar's state into the URL (pages add their own inputs)."""
    try:
        qp = st.query_params
        want = global_query(ss)
        current = dict(qp.to_dict())
        for k in GLOBAL_KEYS:
            if k not in want and k in current:
                qp.pop(k)
        if any(current.get(k) != v for k, v in want.items()):
            qp.update(want)
    except (AttributeError, TypeError, KeyError):
        return


def _read_query_params(st: Any, ss: SessionState) -> None:
    try:
        qp = st.query_params
        _read_shared_model_hw(qp, ss)
        changes: dict[str, Any] = {}
        for k in ("tp", "ep"):  # sb_tp/sb_ep (the sidebar's); a page's own tp/ep in older links
            # ASCII digits only: "²".isdigit() is true but int("²") fails (issue 11)
            raw = str(qp.get(f"sb_{k}", qp.get(k, "")))
            if raw.isascii() and raw.isdecimal() and len(raw) <= 4:
                changes[k] = int(raw)
        if qp.get("lang") in ("en", "zh"):
            changes["language"] = qp["lang"]
        if "sb_engine" in qp:  # an unknown name is refused by Settings (the page says so)
            err = act.update_settings(ss, engine=str(qp["sb_engine"]))
            if err:
                ss.results["ui.engine_url_error"] = err
        for k, attr in (
            ("wdtype", "weight_dtype"),
            ("kvdtype", "kv_dtype"),
            ("adtype", "activation_dtype"),
            ("attndtype", "attention_weight_dtype"),
        ):
            if k in qp:
                changes[attr] = str(qp[k])
        if changes:
            act.update_settings(ss, **changes)
    except (AttributeError, TypeError, ValueError):
        pass
    ss.query_loaded = True


def _current_model(ss: SessionState) -> ModelProfile:
    for text in (ss.model.json_text, ss.model.last_valid_json):
        try:
            name = ss.model.preset if ss.model.preset != "custom" else None
            cfg = parse_json_object(text)
            return parse_hf_config(cfg, name=name or cfg.get("_name_or_path") or "custom model")
        except (ValueError, ModelConfigError):
            continue
    act.select_model_preset(ss, "llama-3.1-8b")
    return parse_hf_config(parse_json_object(ss.model.json_text), name=ss.model.preset)


def _current_hardware(ss: SessionState) -> HardwareProfile:
    try:
        return act.resolve_hardware(ss)
    except (HardwareError, KeyError, ValueError) as exc:
        ss.hardware.error = str(exc)
        ss.hardware.overrides = {}
        if ss.hardware.preset.startswith("custom:") and ss.hardware.preset[7:] not in ss.hardware.custom:
            ss.hardware.preset = DEFAULT_HARDWARE
        try:
            return act.resolve_hardware(ss)
        except (HardwareError, KeyError, ValueError):
            ss.hardware.preset = DEFAULT_HARDWARE
            return load_hardware(DEFAULT_HARDWARE)


def _engine_choice(ss: SessionState, model: ModelProfile, hardware: HardwareProfile) -> Any:
    """The sidebar's engine resolved (a fitted profile lowers onto its own hardware and carries its
    out-of-domain warnings; see services/engine_choice.py)."""
    from dashboard.services.engine_choice import resolve_engine_choice

    s = ss.settings
    kw: dict[str, Any] = {
        "model": model,
        "model_slug": ss.model.preset,
        "hardware": hardware,
        "hardware_slug": ss.hardware.preset,
        "hardware_edited": bool(ss.hardware.overrides),
        "weight_dtype": s.weight_dtype,
        "tp": s.tp,
        "ep": s.ep,
    }
    try:
        return resolve_engine_choice(s.engine, **kw)
    except ValueError:  # a profile file that cannot be read: the default engine, never a traceback
        act.update_settings(ss, engine="vllm")
        return resolve_engine_choice("vllm", **kw)


def _pick(text: str | dict[str, str], lang: str) -> str:
    if isinstance(text, dict):
        return text.get(lang) or text.get("en") or ""
    return page_text(text, lang)


def bootstrap(
    title: str | dict[str, str],
    header_description: str | dict[str, str] = "",
    help_title: str | dict[str, str] = "",
    help_markdown: str | dict[str, str] = "",
    st_module: Any = None,
) -> tuple[PageContext, Actions]:
    """Initialise state, draw the shared chrome, and hand the page its context and actions.

    ``title``, ``header_description``, ``help_title`` and ``help_markdown`` may be plain strings or
    ``{"en": ..., "zh": ...}`` dicts resolved in the session's language.
    """
    st = StProxy(st_module)
    # set_page_config may be called once per run in older Streamlit releases; harmless to skip then
    with contextlib.suppress(Exception):
        st.set_page_config(page_title=_pick(title, "en"), layout="wide")
    ss = st.session_state.get(SESSION_KEY)
    if not isinstance(ss, SessionState):
        ss = SessionState()
        st.session_state[SESSION_KEY] = ss
    enforce_exposure_policy(st, ss.settings.language)
    if not ss.query_loaded:
        _read_query_params(st, ss)
    model = _current_model(ss)
    hardware = _current_hardware(ss)
    actions = Actions(ss)
    render_sidebar(st, ss, hardware)
    choice = _engine_choice(ss, model, hardware)
    ctx = PageContext(
        st=st, session_state=ss, model=model, hardware=choice.hardware, actions=actions, engine_choice=choice
    )
    lang = ctx.lang
    title, header_description, help_title = (_pick(x, lang) for x in (title, header_description, help_title))
    render_header(ctx, title, header_description)
    _write_query_params(st, ss)
    engine_error = ss.results.pop("ui.engine_url_error", None)
    if engine_error:
        st.warning(tr("ui.engine_unrestorable", ctx.lang, error=md_escape(engine_error), name=ss.settings.engine))
    url_error = ss.results.pop("ui.url_error", None)
    if url_error:
        st.warning(
            tr(
                "ui.cfg_unrestorable",
                ctx.lang,
                error=md_escape(f"{url_error[0]}: {url_error[1]}"),
                name=md_escape(model.name),
            )
        )
    if ss.model.error:
        st.warning(tr("sidebar.model_invalid", ctx.lang, error=md_escape(ss.model.error), name=md_escape(model.name)))
    for w in hardware.plausibility_warnings():  # valid but implausible profile numbers (issue 11)
        st.warning(tr("sidebar.hardware_implausible", ctx.lang, name=md_escape(hardware.name), warning=md_escape(w)))
    perr = ss.results.get("sidebar.parallel_error")
    if perr:
        st.warning(tr("sidebar.parallel_invalid", ctx.lang, error=perr))
    if help_markdown:
        render_help(ctx, help_title or title, help_markdown)
    return ctx, actions
