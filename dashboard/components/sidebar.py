"""The shared sidebar: model preset / JSON editor / upload, hardware profile with editable specs,
numeric formats, TP/EP defaults and language. Every widget is seeded from the session state on
each run and writes back through :mod:`dashboard.actions` in its ``on_change`` callback.
"""

from __future__ import annotations

from typing import Any

from dashboard.actions import settings as act
from dashboard.common.i18n import LANGUAGES, tr
from dashboard.common.json_config import MAX_JSON_BYTES, parse_json_object
from dashboard.common.labels import native_format_label, source_label
from dashboard.common.tables import to_json_bytes
from dashboard.common.text import md_escape
from dashboard.features.checkpoint import native_format
from dashboard.features.dtypes import ACT_DTYPES, KV_DTYPES, WEIGHT_DTYPES
from dashboard.features.hardware import (
    SPEC_EDIT_PATHS,
    HardwareProfile,
    SpecEdits,
    hardware_to_dict,
    list_hardware_presets,
)
from dashboard.features.model_profile import ModelConfigError, parse_hf_config
from dashboard.features.params import widget_bounds
from dashboard.features.presets import list_model_presets, model_preset_info
from dashboard.state.session import SessionState, Settings

__all__ = ["EDITORS_OPEN_BY_DEFAULT", "SPEC_FIELDS", "render_sidebar"]

# (path in the profile JSON, step); labels come from the catalogue ("spec.<path>"), bounds from the
# path's declaration (SpecEdits, via SPEC_EDIT_PATHS: the limits the profile itself enforces)
SPEC_FIELDS: tuple[tuple[str, float], ...] = (
    ("peak_tflops.bf16", 1.0),
    ("peak_tflops.fp8", 1.0),
    ("peak_tflops.fp4", 1.0),
    ("hbm_capacity_gb", 1.0),
    ("hbm_bandwidth_gb_s", 10.0),
    ("scale_up.bandwidth_gb_s", 10.0),
    ("scale_up.domain_size", 1.0),
    ("scale_out_gb_s", 5.0),
    ("pcie.bandwidth_gb_s", 1.0),
    ("host_ddr_gb_s", 10.0),
    ("l2_cache_mb", 1.0),
    ("sm_count", 1.0),
    ("boost_clock_mhz", 10.0),
    ("tdp_w", 10.0),
    ("efficiency.memory", 0.01),
    ("efficiency.kernel_overhead_us", 0.1),
    ("efficiency.step_overhead_us", 10.0),
    ("efficiency.comm", 0.01),
    ("efficiency.comm_latency_us", 1.0),
)


def spec_widget_bounds(path: str) -> dict[str, Any]:
    """``min_value``/``max_value`` of the spec editor's widget for ``path``, from its declaration."""
    bounds = widget_bounds(SpecEdits, SPEC_EDIT_PATHS[path])
    bounds.pop("step", None)
    return bounds


def _get(d: dict[str, Any], path: str) -> Any:
    for k in path.split("."):
        d = d.get(k) if isinstance(d, dict) else None  # type: ignore[assignment]
    return d


def _seed(st: Any, key: str, value: Any) -> str:
    st.session_state[key] = value
    return key


#: The sidebar's two editors (model JSON, hardware specs) start closed and draw their widgets only
#: once opened: closed, they were ~25 of the ~45 sidebar elements re-sent, re-run and re-painted
#: on every rerun of every page (issue 14, rerun <= 0.3 s). An editor opened stays open for the
#: session. The AppTest suites, which edit these widgets, set this to True (tests/conftest.py).
EDITORS_OPEN_BY_DEFAULT = False
_OPEN = "ui.sidebar_open"  # session_state.results[_OPEN] = {editor: open?}


def _lazy_expander(st: Any, ss: SessionState, label: str, name: str, force_open: bool = False) -> Any:
    """A sidebar expander whose content is drawn only while it is open: returns the container to
    draw into, or ``None`` while closed (nothing is sent then)."""
    remembered: dict[str, bool] = ss.results.setdefault(_OPEN, {})
    wkey = f"sb_open_{name}"

    def on_toggle() -> None:
        remembered[name] = bool(st.session_state.get(wkey))

    box = st.sidebar.expander(
        label, expanded=force_open or remembered.get(name, EDITORS_OPEN_BY_DEFAULT), key=wkey, on_change=on_toggle
    )
    return box if box.open else None


def _model_section(st: Any, ss: SessionState, lang: str) -> None:
    sb = st.sidebar
    sb.subheader(tr("sidebar.model", lang))
    presets = list_model_presets()
    options = presets + (["custom"] if ss.model.preset not in presets else [])
    current = ss.model.preset if ss.model.preset in options else options[-1]

    def fmt(slug: str) -> str:
        return "custom (edited JSON)" if slug == "custom" else model_preset_info(slug)["display_name"]

    def on_preset() -> None:
        v = st.session_state["sb_model_preset"]
        if v != "custom":
            act.select_model_preset(ss, v)

    sb.selectbox(
        tr("sidebar.model_preset", lang),
        options,
        format_func=fmt,
        key=_seed(st, "sb_model_preset", current),
        on_change=on_preset,
    )

    def on_json() -> None:
        act.set_model_json(ss, st.session_state["sb_model_json"])

    box = _lazy_expander(st, ss, tr("sidebar.model_json", lang), "model_json", force_open=bool(ss.model.error))
    if box is None:
        return
    with box:
        st.text_area(
            tr("sidebar.model_json", lang),
            height=220,
            key=_seed(st, "sb_model_json", ss.model.json_text),
            on_change=on_json,
            label_visibility="collapsed",
        )

        def on_upload() -> None:
            up = st.session_state.get("sb_model_upload")
            if up is not None:
                data = up.getvalue()
                if len(data) > MAX_JSON_BYTES:
                    ss.model.error = f"upload is larger than {MAX_JSON_BYTES // 1000} kB"
                    return
                act.set_model_json(ss, data)

        st.file_uploader(tr("sidebar.model_upload", lang), type=["json"], key="sb_model_upload", on_change=on_upload)


def _hardware_section(st: Any, ss: SessionState, hw: HardwareProfile, lang: str) -> None:
    sb = st.sidebar
    sb.subheader(tr("sidebar.hardware", lang))
    options = list_hardware_presets() + [f"custom:{n}" for n in ss.hardware.custom]

    def on_hw() -> None:
        act.select_hardware(ss, st.session_state["sb_hw_preset"])

    current = ss.hardware.preset if ss.hardware.preset in options else options[0]
    sb.selectbox(
        tr("sidebar.hardware_preset", lang),
        options,
        key=_seed(st, "sb_hw_preset", current),
        on_change=on_hw,
        format_func=lambda s: s[7:] + " ★" if s.startswith("custom:") else s,
    )
    sb.caption(f"{hw.name} — {source_label(hw, lang)}")
    data = hardware_to_dict(hw)
    box = _lazy_expander(st, ss, tr("sidebar.hardware_specs", lang), "hardware_specs")
    if box is not None:
        with box:
            for path, step in SPEC_FIELDS:
                value = _get(data, path)
                if value is None:
                    continue
                key = "sb_spec_" + path.replace(".", "_")
                bounds = spec_widget_bounds(path)
                is_int = isinstance(bounds.get("min_value"), int)

                def on_spec(path: str = path, key: str = key, is_int: bool = is_int) -> None:
                    v = st.session_state[key]
                    act.set_hardware_override(ss, path, int(v) if is_int else float(v))

                st.number_input(
                    tr(f"spec.{path}", lang),
                    **bounds,
                    step=int(step) if is_int else float(step),
                    key=_seed(st, key, int(value) if is_int else float(value)),
                    on_change=on_spec,
                )
            if ss.hardware.overrides and st.button(tr("sidebar.reset_specs", lang), key="sb_reset_specs"):
                ss.hardware.overrides = {}
                st.rerun()
            name = st.text_input(tr("sidebar.custom_name", lang), key="sb_custom_name")
            if st.button(tr("sidebar.save_custom", lang), key="sb_save_custom"):
                err = act.save_custom_hardware(ss, name or f"{hw.name} custom")
                if err:
                    st.error(err)
                else:
                    st.rerun()
            st.download_button(
                tr("sidebar.download_profile", lang),
                to_json_bytes(data),
                file_name=f"{hw.slug}.json",
                mime="application/json",
                key="sb_download_profile",
                on_click="ignore",
            )

            def on_hw_upload() -> None:
                up = st.session_state.get("sb_hw_upload")
                if up is not None:
                    data = up.getvalue()
                    if len(data) > MAX_JSON_BYTES:
                        ss.hardware.error = f"upload is larger than {MAX_JSON_BYTES // 1000} kB"
                        return
                    act.add_custom_hardware(ss, data)

            st.file_uploader(
                tr("sidebar.hardware_upload", lang), type=["json"], key="sb_hw_upload", on_change=on_hw_upload
            )
    if ss.hardware.error:
        sb.error(tr("sidebar.hardware_invalid", lang, error=md_escape(ss.hardware.error)))


def _settings_section(st: Any, ss: SessionState, lang: str) -> None:
    sb = st.sidebar
    s = ss.settings
    sb.subheader(tr("sidebar.dtypes", lang))
    for col, (attr, label, opts) in zip(
        (sb, sb, sb),
        (
            ("weight_dtype", "sidebar.weight_dtype", WEIGHT_DTYPES),
            ("activation_dtype", "sidebar.act_dtype", ACT_DTYPES),
            ("kv_dtype", "sidebar.kv_dtype", KV_DTYPES),
        ),
        strict=True,
    ):
        key = f"sb_{attr}"

        def on_dtype(attr: str = attr, key: str = key) -> None:
            act.update_settings(ss, **{attr: st.session_state[key]})

        col.selectbox(tr(label, lang), opts, key=_seed(st, key, getattr(s, attr)), on_change=on_dtype)
    _native_format_section(st, ss, lang)
    sb.subheader(tr("sidebar.parallel", lang))
    cols = sb.columns(2)
    for col, attr, label in ((cols[0], "tp", "sidebar.tp"), (cols[1], "ep", "sidebar.ep")):
        key = f"sb_{attr}"

        def on_par(attr: str = attr, key: str = key) -> None:
            err = act.update_settings(ss, **{attr: int(st.session_state[key])})
            ss.results["sidebar.parallel_error"] = err

        col.number_input(
            tr(label, lang), **widget_bounds(Settings, attr), key=_seed(st, key, getattr(s, attr)), on_change=on_par
        )

    def on_engine() -> None:
        act.update_settings(ss, engine=st.session_state["sb_engine"])

    from dashboard.services.engine_choice import engine_choices

    sb.selectbox(
        tr("sidebar.engine", lang),
        engine_choices(),
        key=_seed(st, "sb_engine", s.engine),
        on_change=on_engine,
        help=tr("sidebar.engine_help", lang),
    )

    def on_lang() -> None:
        act.update_settings(ss, language=st.session_state["sb_language"])

    sb.radio(
        tr("sidebar.language", lang),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        horizontal=True,
        key=_seed(st, "sb_language", s.language),
        on_change=on_lang,
    )


def _native_format_section(st: Any, ss: SessionState, lang: str) -> None:
    """The checkpoint's native per-module format, the attention-weight override and a reset."""
    sb = st.sidebar
    s = ss.settings

    def on_attn() -> None:
        act.update_settings(ss, attention_weight_dtype=st.session_state["sb_attention_weight_dtype"])

    sb.selectbox(
        tr("sidebar.attn_weight_dtype", lang),
        ("same", *WEIGHT_DTYPES),
        format_func=lambda v: tr("ui.same_as_weights", lang) if v == "same" else v,
        key=_seed(st, "sb_attention_weight_dtype", s.attention_weight_dtype),
        on_change=on_attn,
    )
    try:
        model = parse_hf_config(parse_json_object(ss.model.last_valid_json), name=ss.model.preset)
    except (ValueError, ModelConfigError):
        return
    nf = native_format(model)
    sb.caption(tr("sidebar.native_format", lang, label=native_format_label(nf, lang)))
    attn = "same" if nf.attention == nf.weight else nf.attention
    if (s.weight_dtype, s.activation_dtype, s.attention_weight_dtype) != (nf.weight, nf.activation, attn) and sb.button(
        tr("sidebar.use_native", lang), key="sb_use_native"
    ):
        act.apply_native_format(ss, model)
        st.rerun()


def render_sidebar(st: Any, ss: SessionState, hw: HardwareProfile) -> None:
    lang = ss.settings.language
    _model_section(st, ss, lang)
    _hardware_section(st, ss, hw, lang)
    _settings_section(st, ss, lang)
