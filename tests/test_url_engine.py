"""Issue 14 §2/§3: the sidebar's engine (a preset or a fitted ``<hw>+<engine>`` profile) travels in
the URL, a fitted profile warns outside its fitted domain in the page header, and every page input
that changes a number is in the URL (an audit over ``PAGE_SPECS``)."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common.url_state import GLOBAL_KEYS
from dashboard.components.inputs import SIDEBAR_FIELDS
from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.page_registry import DASHBOARD_DIR, PAGE_SPECS
from dashboard.services.engine_choice import engine_choices, resolve_engine_choice
from dashboard.services.serving_predict import load_serving_profile

QE = str(DASHBOARD_DIR / "quick_estimation.py")
INPUT_KINDS = (
    "number_input",
    "selectbox",
    "slider",
    "select_slider",
    "text_input",
    "text_area",
    "toggle",
    "checkbox",
    "multiselect",
    "radio",
)
#: Page widgets deliberately not in the URL, with the reason (none of them changes a number).
NOT_IN_URL = {
    "multi_model_dashboard__paste_name": "staging form: a pasted config joins the comparison on 'Add'",
    "multi_model_dashboard__paste_json": "staging form: a pasted config joins the comparison on 'Add'",
    "scale_up_sweep_with_sim__sweep_workers": "how the sweep runs (worker count), not what it computes",
    "scale_up_sweep_with_sim__sweep_backend": "how the sweep runs (process pool or Ray), not what it computes",
    "planner_pick": "which of the computed plans is detailed below the table (all are in the table)",
}
#: Free-text inputs that travel as an encoded blob only when they differ from the default.
TEXT_BLOBS = {"scale_up_sweep_with_sim__sweep_spec", "llm_chunked_prefill_decoder_scaleup__model_json"}


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page(query: dict[str, str], path: str = QE) -> AppTest:
    at = AppTest.from_file(path, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return _run(at)


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def _metrics(at: AppTest) -> list[tuple[str, str]]:
    """The metric cards, less wall-clock timings (they differ run to run)."""
    return [(m.label, m.value) for m in at.metric if "time (ms)" not in m.label.lower()]


def test_engine_choices_are_presets_then_fitted_profiles() -> None:
    choices = engine_choices()
    assert choices[:3] == ["sglang", "trtllm", "vllm"]
    assert "h200+trtllm" in choices and "b200+trtllm" in choices


def test_fitted_profile_resolves_onto_its_hardware_with_the_bench_predict_domain_check() -> None:
    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    kw = {"model": m, "model_slug": "llama-3.1-8b", "hardware": hw, "hardware_slug": "h200", "hardware_edited": False}
    inside = resolve_engine_choice("h200+trtllm", weight_dtype="fp8", tp=1, ep=1, **kw)
    assert inside.applied and inside.engine.name == "trtllm" and inside.warnings == ()
    prof = load_serving_profile("h200+trtllm")
    fp8 = prof.families["dense/fp8"]
    # the lowered GEMM efficiency is the H200 curve divided by the fitted compute scale
    x, y = hw.efficiency.gemm_compute.points[-1]
    assert inside.hardware.efficiency.gemm_compute.points[-1] == pytest.approx((x, min(1.5, y / fp8.compute_scale)))
    out = resolve_engine_choice("h200+trtllm", weight_dtype="bf16", tp=16, ep=1, **kw)
    # the same strings bench-predict appends per row (ServingProfile.domain_warnings)
    assert list(out.warnings) == prof.domain_warnings(model="llama-3.1-8b", family="dense/bf16", tp=16, ep=1)
    assert out.warnings == ("family dense/bf16 (fitted: dense/fp8, moe/fp8)", "tp 16 outside [1, 8]")
    b200 = dict(kw, hardware=load_hardware("b200"), hardware_slug="b200")
    other = resolve_engine_choice("h200+trtllm", weight_dtype="fp8", tp=1, ep=1, **b200)
    assert not other.applied and other.hardware.name == load_hardware("b200").name
    assert other.warnings[0] == "hardware b200 (fitted on h200)" and "not applied" in other.warnings[1]
    assert resolve_engine_choice("sglang", weight_dtype="bf16", tp=1, ep=1, **kw).hardware is hw


def test_engine_travels_in_the_url_and_the_link_reproduces_the_numbers() -> None:
    plain = _page({"wdtype": "fp8", "adtype": "fp8"})
    fitted = _page({"wdtype": "fp8", "adtype": "fp8", "sb_engine": "h200+trtllm"})
    assert fitted.query_params["sb_engine"] == "h200+trtllm"
    assert fitted.session_state["app_state"].settings.engine == "h200+trtllm"
    assert "Engine profile **h200+trtllm**" in "\n".join(m.value for m in fitted.markdown) + _captions(fitted)
    assert not [w for w in fitted.warning if "fitted domain" in w.value]
    assert _metrics(fitted) and _metrics(fitted) != _metrics(plain)  # the fitted parameters act on the numbers
    again = _page({k: str(v) for k, v in fitted.query_params.items()})  # the copied link, a new session
    assert _metrics(again) == _metrics(fitted)


def test_out_of_domain_warning_in_the_header_and_bad_engine_in_a_link() -> None:
    at = _page({"sb_engine": "h200+trtllm", "wdtype": "bf16"})
    warns = [w.value.replace("\\", "") for w in at.warning if "fitted domain" in w.value]
    assert len(warns) == 1 and "family dense/bf16 (fitted: dense/fp8, moe/fp8)" in warns[0]
    bad = _page({"sb_engine": "no-such-engine"})
    assert any("engine that could not be restored" in w.value for w in bad.warning)
    assert bad.session_state["app_state"].settings.engine == "vllm"
    assert bad.query_params["sb_engine"] == "vllm"


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=[s.file for s in PAGE_SPECS])
def test_every_page_input_is_in_the_url_and_a_link_restores_it(spec) -> None:
    query = {"model": "qwen3-8b", "wdtype": "fp8", "sb_engine": "sglang"}
    first = _page(query, str(spec.path))
    qp = dict(first.query_params)
    for obj in first.session_state["app_state"].pages.values():  # no page field shadows a shared key
        names = {f.name for f in dataclasses.fields(obj)}
        assert not names & set(GLOBAL_KEYS), (spec.file, names & set(GLOBAL_KEYS))
        if "pinned" in names:  # the URL's "pinned" marker (sidebar TP/EP pinned) then belongs to the field
            assert not names & set(SIDEBAR_FIELDS), spec.file
    missing = []
    for kind in INPUT_KINDS:
        for w in first.get(kind):
            key = getattr(w, "key", None) or ""
            if key.startswith("sb_") or key in NOT_IN_URL:  # the sidebar's keys: GLOBAL_KEYS
                continue
            assert "__" in key, f"{spec.file}: widget {kind} not bound to page inputs ({key!r})"
            field = key.split("__", 1)[1]
            if key in TEXT_BLOBS and field not in qp:
                continue  # the default text: nothing to carry
            if field not in qp:
                missing.append(f"{kind} {key}")
    assert not missing, f"{spec.file}: inputs not in the URL: {missing}"
    again = _page(qp, str(spec.path))

    def state(at: AppTest) -> dict:  # asdict: a page may define its dataclass in the (re-executed) page module
        return {k: dataclasses.asdict(v) for k, v in at.session_state["app_state"].pages.items()}

    assert state(again) == state(first)
    assert _metrics(again) == _metrics(first)


def test_out_of_domain_warning_in_chinese() -> None:
    from dashboard.common.labels import domain_warning_label

    at = _page({"sb_engine": "h200+trtllm", "wdtype": "bf16", "sb_tp": "16", "lang": "zh"})
    warns = [w.value.replace("\\", "") for w in at.warning if "拟合范围" in w.value]
    assert len(warns) == 1
    assert "模型族 dense/bf16（拟合范围：dense/fp8, moe/fp8）" in warns[0] and "tp = 16 超出 [1, 8]" in warns[0]
    note = "hardware b200: fitted parameters not applied, trtllm preset rules on NVIDIA B200"
    assert domain_warning_label(note, "zh") == "硬件 b200：未套用拟合参数，改用 trtllm 预设规则（NVIDIA B200）"
    assert domain_warning_label(note, "en") == note


def test_a_config_pasted_on_the_multi_model_page_travels_in_the_link() -> None:
    import json

    from dashboard.common.url_state import encode_blob
    from dashboard.features.presets import model_config

    cfg = dict(model_config("qwen3-8b"), num_hidden_layers=6)
    path = str(DASHBOARD_DIR / "multi_model_dashboard.py")
    first = _page({"pasted": encode_blob(json.dumps({"tiny": json.dumps(cfg)})), "models": "pasted:tiny"}, path)
    state = first.session_state["app_state"].pages["multi_model_dashboard"]
    assert dict(state.pasted)["tiny"] and json.loads(dict(state.pasted)["tiny"])["num_hidden_layers"] == 6
    assert not first.error, [e.value for e in first.error]
    again = _page({k: str(v) for k, v in first.query_params.items()}, path)  # the copied link, a new session
    assert again.session_state["app_state"].pages["multi_model_dashboard"].pasted == state.pasted
    tables = [d.value for d in again.dataframe if "model" in d.value]
    assert tables and any("tiny" in str(m) for m in tables[0]["model"])
    broken = _page({"pasted": "not-a-blob", "models": "llama-3.1-8b"}, path)  # ignored, never a traceback
    assert broken.session_state["app_state"].pages["multi_model_dashboard"].pasted == ()
