"""Page inputs declared once (issue 17 §1, page side).

Static checks over ``dashboard/state/*.py`` and the page files:

* every field of a page-input dataclass is declared (``param`` for a page-only input, ``like`` for
  one that mirrors a domain parameter), apart from the few structured fields listed below;
* no state module calls a hand-written bound checker (``check_int``/``check_float``/…) or compares a
  declared field with a literal bound (``self.x < 5``): bounds live in the declaration;
* no page widget passes a literal ``min_value``/``max_value`` for a field that ``like``s a domain
  declaration (narrow it in the state with ``like(..., hi=...)``) or one that repeats the field's
  own declared bound; editable tables take their column bounds from the declaration too.

And one interaction test: a bound the page narrows (the sweep page's token budgets, ``[16, 65536]``
where ``SchedulerConfig.max_num_batched_tokens`` allows ``[1, 1048576]``) reaches the widget and the
URL, and a value outside it is refused with a message naming the field, the last value kept.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.features.params import param_specs, widget_bounds
from dashboard.sim_scheduler import SchedulerConfig
from dashboard.state.scale_up_sweep_with_sim import SweepInputs
from dashboard.state.session import SessionState

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "dashboard" / "state"
PAGES = sorted((ROOT / "dashboard").glob("*.py")) + sorted((ROOT / "dashboard" / "components").glob("*.py"))
#: page files that keep their input dataclass next to the page (they run standalone)
STANDALONE = {"llm_chunked_prefill_decoder_scaleup": "ScaleUpInputs"}
#: fields of page-input dataclasses that are structured state, not parameters (with the reason)
NOT_PARAMETERS = {
    ("MultiModelInputs", "pasted"): "(name, config JSON) pairs of pasted configs",
    ("ModelRow", "model"): "required row key (a preset slug or pasted:<name>), parsed from the models text",
}
STATE_SKIP = {"__init__.py", "session.py", "shape.py", "validate.py"}
HAND_CHECKERS = {"check_int", "check_float", "check_number", "check_int_tuple", "check_float_tuple"}


def _state_modules() -> list[str]:
    mods = [f"dashboard.state.{p.stem}" for p in sorted(STATE.glob("*.py")) if p.name not in STATE_SKIP]
    return mods + [f"dashboard.{name}" for name in STANDALONE]


def _input_classes() -> list[type]:
    """Every frozen page-input dataclass defined in a state module (and the standalone page's)."""
    out = []
    for mod_name in _state_modules():
        mod = importlib.import_module(mod_name)
        for obj in vars(mod).values():
            if not (isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__):
                continue
            ours = mod_name.startswith("dashboard.state.") or obj.__name__ in STANDALONE.values()
            if ours and hasattr(obj, "__post_init__"):
                out.append(obj)
    return out


def _source(mod_name: str) -> Path:
    return ROOT / (mod_name.replace(".", "/") + ".py")


def _like_fields(path: Path) -> dict[str, set[str]]:
    """``{class: {field, ...}}`` of the fields a module declares with ``like(...)``."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ClassDef):
            for st in node.body:
                if (
                    isinstance(st, ast.AnnAssign)
                    and isinstance(st.target, ast.Name)
                    and isinstance(st.value, ast.Call)
                    and isinstance(st.value.func, ast.Name)
                    and st.value.func.id == "like"
                ):
                    out.setdefault(node.name, set()).add(st.target.id)
    return out


def _literal(node: ast.AST | None) -> float | None:
    """The number a literal (``5``, ``-1.0``, ``1 << 20``, ``1e6``) stands for, else None."""
    try:
        value = ast.literal_eval(node) if node is not None else None
    except (ValueError, TypeError, SyntaxError):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.LShift):
            left, right = _literal(node.left), _literal(node.right)
            return int(left) << int(right) if left is not None and right is not None else None
        return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# ---------------------------------------------------------------------------------- the states


def test_every_page_input_is_declared() -> None:
    from dashboard.state.session import Settings  # the sidebar's defaults

    classes = [*_input_classes(), Settings]
    assert len(classes) >= 22, [c.__name__ for c in classes]
    undeclared = [
        f"{cls.__module__}.{cls.__name__}.{f.name}"
        for cls in classes
        for f in dataclasses.fields(cls)
        if f.name not in param_specs(cls) and (cls.__name__, f.name) not in NOT_PARAMETERS
    ]
    assert not undeclared, f"declare these with param(...) or like(Domain, 'field'): {undeclared}"


@pytest.mark.parametrize("mod_name", _state_modules())
def test_state_modules_have_no_hand_written_bounds(mod_name: str) -> None:
    path = _source(mod_name)
    tree = ast.parse(path.read_text())
    declared = {f for cls in _input_classes() for f in param_specs(cls)}
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in HAND_CHECKERS or name.lstrip("_") in HAND_CHECKERS:
                bad.append(f"line {node.lineno}: {name}(...) — the declaration is the bound")
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops):
            sides = [node.left, *node.comparators]
            fields = {
                s.attr
                for s in sides
                if isinstance(s, ast.Attribute) and isinstance(s.value, ast.Name) and s.value.id == "self"
            }
            if fields & declared and any(_literal(s) is not None for s in sides):
                bad.append(f"line {node.lineno}: literal bound on self.{sorted(fields & declared)[0]}")
    assert not bad, f"{path.relative_to(ROOT)}: {bad}"


def test_validate_module_keeps_only_the_list_parsers() -> None:
    import dashboard.state.validate as validate

    assert set(validate.__all__) == {"parse_float_list", "parse_int_list"}
    assert not HAND_CHECKERS & set(vars(validate))


# ---------------------------------------------------------------------------------- the widgets


def _page_classes(tree: ast.Module, mod_name: str) -> list[type]:
    """The input classes a page binds with ``PageInputs(ctx, PAGE, Cls)``."""
    mod = importlib.import_module(mod_name)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "PageInputs" and len(node.args) >= 3:
            arg = node.args[2]
            if isinstance(arg, ast.Name) and hasattr(mod, arg.id):
                out.append(getattr(mod, arg.id))
    return out


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_widgets_take_bounds_from_the_declaration(path: Path) -> None:
    text = path.read_text()
    if "min_value" not in text and "max_value" not in text:
        return
    tree = ast.parse(text)
    mod_name = "dashboard." + ("components." if path.parent.name == "components" else "") + path.stem
    classes = _page_classes(tree, mod_name) or _input_classes()  # components: any page's inputs
    likes: dict[str, set[str]] = {}
    for cls in classes:
        likes.setdefault(cls.__name__, set()).update(_like_fields(_source(cls.__module__)).get(cls.__name__, set()))
    bad = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        literal = {k: _literal(kw.get(k)) for k in ("min_value", "max_value")}
        literal = {k: v for k, v in literal.items() if v is not None}
        if not literal:
            continue
        if node.func.attr in ("number", "slider") and node.args and isinstance(node.args[0], ast.Constant):
            field = node.args[0].value
            owners = [c for c in classes if field in param_specs(c)]
            for cls in owners:
                if field in likes.get(cls.__name__, set()):
                    bad.append(f"line {node.lineno}: {field} likes a domain field: narrow it in the state")
                declared = widget_bounds(cls, field, _literal(kw.get("step")))
                for k, v in literal.items():
                    if declared.get(k) == v:
                        bad.append(f"line {node.lineno}: {field} {k}={v} repeats the declaration")
        elif node.func.attr == "NumberColumn":
            bad.append(f"line {node.lineno}: NumberColumn bounds: use widget_bounds(Cls, field)")
    assert not bad, f"{path.relative_to(ROOT)}: {bad}"


# ---------------------------------------------------------------------------------- interaction

SWEEP = str(ROOT / "dashboard" / "scale_up_sweep_with_sim.py")
P = "scale_up_sweep_with_sim"


def test_narrowed_bound_reaches_widget_url_and_error() -> None:
    # the declaration the page narrows: SchedulerConfig allows up to 2^20 tokens per step / 65,536 seqs
    assert widget_bounds(SchedulerConfig, "max_num_seqs")["max_value"] == 65_536
    assert widget_bounds(SweepInputs, "max_num_seqs")["max_value"] == 4096
    assert param_specs(SweepInputs)["budgets"].bounds_text() == "[16, 65536]"
    assert param_specs(SweepInputs)["budgets"].unit == param_specs(SchedulerConfig)["max_num_batched_tokens"].unit

    ss = SessionState()
    at = AppTest.from_file(SWEEP, default_timeout=120)
    at.session_state["app_state"] = ss
    # URL: a value beyond the page's narrowed bound is ignored, one inside it taken
    at.query_params["max_num_seqs"] = "5000"
    at.query_params["num_requests"] = "20"
    at.query_params["output_len"] = "16"
    at.query_params["seeds"] = "1"
    at.run()
    assert not at.exception
    v = at.session_state["app_state"].pages[P]
    assert (v.max_num_seqs, v.num_requests, v.output_len, v.seeds) == (256, 20, 16, 1)
    w = at.number_input(key=f"{P}__max_num_seqs")
    assert (w.min, w.max) == (1, 4096)
    # a budget above the narrowed bound: one message naming the field and the bound, value kept
    at.text_input(key=f"{P}__budgets").set_value("512, 100000").run()
    assert not at.exception
    msgs = " ".join(e.value for e in at.error)
    assert "budgets must be an integer in [16, 65536] (tokens), got 100000" in msgs
    assert at.session_state["app_state"].pages[P].budgets == (512, 2048)
    # below the lower bound: refused by the list parser with the declared minimum
    at.text_input(key=f"{P}__budgets").set_value("8").run()
    assert "8 is below 16" in " ".join(e.value for e in at.error)
    assert at.session_state["app_state"].pages[P].budgets == (512, 2048)


# ------------------------------------------------------------------- edited GPU specs (SpecEdits)


def test_spec_edits_are_the_limits_the_profile_enforces() -> None:
    """Each editable spec is declared once (``SpecEdits``) with the profile's own limits: the profile
    accepts the declared maximum and refuses the next value up (no second table of bounds)."""
    from dashboard.actions.settings import apply_overrides
    from dashboard.features.hardware import (
        EFFICIENCY_LIMITS,
        HARD_LIMITS,
        SPEC_EDIT_PATHS,
        HardwareError,
        SpecEdits,
        hardware_from_dict,
        hardware_to_dict,
        load_hardware,
    )

    specs = param_specs(SpecEdits)
    # every spec field but the constant efficiency curves (no single JSON path) is a profile path
    assert set(SPEC_EDIT_PATHS.values()) == set(specs) - {"gemm_efficiency", "attention_efficiency"}
    for key, (lo, hi) in HARD_LIMITS.items():
        assert (specs[key].lo, specs[key].hi) == (lo, hi), key
    assert (specs["memory_efficiency"].lo, specs["memory_efficiency"].hi) == EFFICIENCY_LIMITS["memory"]
    assert (specs["comm_latency_us"].lo, specs["comm_latency_us"].hi) == EFFICIENCY_LIMITS["comm_latency_us"]
    base = hardware_to_dict(load_hardware("h200"))
    for path, name in SPEC_EDIT_PATHS.items():
        hi = specs[name].hi
        assert hi is not None
        is_int = widget_bounds(SpecEdits, name).get("step") == 1
        hardware_from_dict(apply_overrides(base, {path: int(hi) if is_int else hi}))
        with pytest.raises(HardwareError):
            hardware_from_dict(apply_overrides(base, {path: int(hi) + 1 if is_int else hi * 1.01}))


def test_sidebar_spec_editor_takes_bounds_from_the_declaration() -> None:
    from dashboard.components.sidebar import SPEC_FIELDS, spec_widget_bounds
    from dashboard.features.hardware import SPEC_EDIT_PATHS, SpecEdits

    for path, _step in SPEC_FIELDS:
        name = SPEC_EDIT_PATHS[path]  # every editable path has its declaration
        b = spec_widget_bounds(path)
        assert (b["min_value"], b["max_value"]) == (
            widget_bounds(SpecEdits, name)["min_value"],
            widget_bounds(SpecEdits, name)["max_value"],
        )
    # no literal bound anywhere in the sidebar's widget calls (not even inside a conditional)
    tree = ast.parse((ROOT / "dashboard" / "components" / "sidebar.py").read_text())
    bad = [
        f"line {kw.value.lineno}: {kw.arg}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg in ("min_value", "max_value")
        and any(isinstance(c, ast.Constant) and isinstance(c.value, (int, float)) for c in ast.walk(kw.value))
    ]
    assert not bad, bad


#: page-state fields that mirror a domain declaration (issue 17 §1 leftovers): each must be ``like``
#: it, with the same upper bound (a page may widen the lower bound to 0 = "not set yet")
MIRRORED: dict[tuple[str, str], tuple[str, str]] = {
    ("QuickEstimationInputs", "peak_tflops"): ("SpecEdits", "peak_tflops"),
    ("QuickEstimationInputs", "hbm_gb_s"): ("SpecEdits", "hbm_bandwidth_gb_s"),
    ("QuickEstimationInputs", "link_gb_s"): ("SpecEdits", "scale_up_gb_s"),
    ("QuickMemoryInputs", "hbm_capacity_gib"): ("SpecEdits", "hbm_capacity_gb"),
    ("HostBandwidthInputs", "kv_tier_rate"): ("KvTierLoad", "request_rate"),
    ("HostBandwidthInputs", "kv_tier_hit"): ("KvTierLoad", "cpu_hit_rate"),
    ("FrontierInputs", "precisions"): ("FrontierSettings", "precisions"),
    ("FrontierInputs", "concurrency"): ("FrontierSettings", "concurrency"),
    ("FrontierInputs", "tp_values"): ("FrontierSettings", "tp_values"),
    ("FrontierInputs", "y_metric"): ("FrontierSettings", "y_metric"),
    ("FrontierInputs", "disaggregated"): ("FrontierSettings", "disaggregated"),
    ("FrontierInputs", "pd_gpus"): ("FrontierSettings", "pd_gpus"),
    **{("MmaInputs", d): ("GemmProblem", d) for d in ("m", "n", "k", "out_bytes")},
    ("MmaInputs", "sweep_values"): ("GemmProblem", "m"),
    **{("MmaInputs", t): ("GemmTiling", t) for t in ("block_m", "block_n", "block_k", "wg_m", "wg_n", "stages")},
    ("MmaInputs", "split_k"): ("GemmTiling", "split_k"),
    ("MmaInputs", "hbm_gb_s"): ("SpecEdits", "hbm_bandwidth_gb_s"),
    ("MmaInputs", "clock_mhz"): ("SpecEdits", "boost_clock_mhz"),
    ("MmaInputs", "l2_hit_rate"): ("GemmCaps", "l2_hit_rate"),
    ("CustomRuntimeInputs", "gemm_eff"): ("SpecEdits", "gemm_efficiency"),
    ("CustomRuntimeInputs", "attn_eff"): ("SpecEdits", "attention_efficiency"),
    ("CustomRuntimeInputs", "mem_eff"): ("SpecEdits", "memory_efficiency"),
    ("CustomRuntimeInputs", "kernel_overhead_us"): ("SpecEdits", "kernel_overhead_us"),
    ("AttentionInputs", "num_heads"): ("AttentionShape", "q_heads"),
    ("AttentionInputs", "causal"): ("AttentionShape", "causal"),
    ("AttentionInputs", "head_dims"): ("AttentionShape", "head_dim"),
    ("AttentionInputs", "focus_head_dim"): ("AttentionShape", "head_dim"),
    ("AttentionInputs", "block_m"): ("AttentionShape", "block_m"),
    ("AttentionInputs", "block_n"): ("AttentionShape", "block_n"),
    ("AttentionInputs", "dtype"): ("AttentionShape", "dtype"),
    ("AttentionInputs", "clock_mhz"): ("SpecEdits", "boost_clock_mhz"),
    ("SimulatorInputs", "router"): ("Routing", "router"),
    ("RegressionCalibrationInputs", "method"): ("CalibrationMethod", "method"),
}
#: mirrored fields the page narrows on purpose (smaller upper bound): (page hi, why)
NARROWED_HI = {
    ("FrontierInputs", "concurrency"): (4096, "the page sweeps at most 4,096 clients"),
    ("FrontierInputs", "tp_values"): (8, "one node"),
    ("AttentionInputs", "head_dims"): (512, "the FA3 component model's sweep range"),
    ("AttentionInputs", "focus_head_dim"): (512, "one of the swept head dims"),
    ("AttentionInputs", "block_m"): (512, "FA3 tiles"),
    ("AttentionInputs", "block_n"): (512, "FA3 tiles"),
    ("AttentionInputs", "clock_mhz"): (5000, "clocks up to 5 GHz"),
}


def _domain_class(name: str) -> type:
    from dashboard.features.flash_attention import AttentionShape
    from dashboard.features.hardware import SpecEdits
    from dashboard.features.kv_offload import KvTierLoad
    from dashboard.features.mma import GemmCaps, GemmProblem, GemmTiling
    from dashboard.services.calibration_io import CalibrationMethod
    from dashboard.services.frontier import FrontierSettings
    from dashboard.sim.policies import Routing

    classes = (SpecEdits, KvTierLoad, GemmProblem, GemmTiling, FrontierSettings, AttentionShape, Routing)
    classes += (CalibrationMethod, GemmCaps)
    return {c.__name__: c for c in classes}[name]


@pytest.mark.parametrize("page_field", sorted(MIRRORED), ids=lambda k: ".".join(k))
def test_mirrored_page_fields_are_like_their_declaration(page_field: tuple[str, str]) -> None:
    cls_name, name = page_field
    (cls,) = [c for c in _input_classes() if c.__name__ == cls_name]
    assert name in _like_fields(_source(cls.__module__)).get(cls_name, set()), f"{cls_name}.{name}: use like(...)"
    dom_name, dom_field = MIRRORED[page_field]
    page, dom = param_specs(cls)[name], param_specs(_domain_class(dom_name))[dom_field]
    assert page.hi == NARROWED_HI.get(page_field, (dom.hi,))[0] and page.open_hi == dom.open_hi
    if dom.lo is not None:  # a page may narrow it, or widen it to its "from the profile" value (0, -1)
        assert page.lo is not None and (page.lo in (0.0, -1.0) or page.lo >= dom.lo)
    assert page.choices == dom.choices


def test_edited_spec_below_the_declared_minimum_is_refused() -> None:
    from dashboard.state.quick_estimation import MIN_SPEC, QuickEstimationInputs
    from dashboard.state.quick_memory import MIN_HBM_GIB, QuickMemoryInputs

    assert MIN_SPEC == MIN_HBM_GIB == 1e-3  # HARD_LIMITS' lower bound
    QuickEstimationInputs(custom_spec=True, peak_tflops=0.0, hbm_gb_s=1e-3)  # 0: not set yet
    with pytest.raises(ValueError, match=r"hbm_gb_s must be 0 \(from the profile\) or at least 0.001"):
        QuickEstimationInputs(custom_spec=True, hbm_gb_s=1e-4)
    with pytest.raises(ValueError, match=r"peak_tflops must be a finite number in \[0, 10000000\] \(TFLOP/s\)"):
        QuickEstimationInputs(custom_spec=True, peak_tflops=2e7)
    with pytest.raises(ValueError, match=r"hbm_capacity_gib must be 0 \(from the profile\) or at least 0.001"):
        QuickMemoryInputs(custom_hbm=True, hbm_capacity_gib=1e-4)


def test_kv_tier_traffic_validates_through_its_declaration() -> None:
    """``kv_tier_traffic`` checks its arguments through ``KvTierLoad`` (the message is the
    declaration's), and the host-bandwidth page's KV-tier inputs are ``like`` those fields."""
    from dashboard.features.hardware import load_hardware
    from dashboard.features.kv_offload import CpuTierConfig, KvTierLoad, kv_tier_traffic
    from dashboard.state.host_bandwidth import HostBandwidthInputs

    hw, cfg = load_hardware("h200"), CpuTierConfig()
    ok = {"kv_bytes_per_token": 1.0, "request_rate": 1.0, "prompt_tokens": 1.0, "output_tokens": 1.0}
    for name, bad in (("request_rate", 1e6), ("cpu_hit_rate", 1.5), ("writeback_fraction", -0.1)):
        kw: dict[str, float] = {**ok, "cpu_hit_rate": 0.5, name: bad}
        spec = param_specs(KvTierLoad)[name]
        with pytest.raises(ValueError, match=rf"^{name} must be a finite number in \[{spec.bounds_text()[1:-1]}\]"):
            kv_tier_traffic(hw, cfg, **kw)  # type: ignore[arg-type]
    assert widget_bounds(HostBandwidthInputs, "kv_tier_rate") == widget_bounds(KvTierLoad, "request_rate")
    assert widget_bounds(HostBandwidthInputs, "kv_tier_hit") == widget_bounds(KvTierLoad, "cpu_hit_rate")


def test_planner_prices_take_the_declared_price_bound() -> None:
    from dashboard.services.search import Economics
    from dashboard.state.planner import FrontierInputs, PlannerInputs, parse_prices

    hi = param_specs(Economics)["usd_per_gpu_hour"].hi
    assert hi is not None
    assert parse_prices(f"h200={hi:g}, b200=6.03") == {"h200": hi, "b200": 6.03}
    for cls in (PlannerInputs, FrontierInputs):
        with pytest.raises(ValueError, match=r"^usd_per_gpu_hour must be a finite number in \[0, "):
            cls(prices=f"h200={hi * 2:g}")
    with pytest.raises(ValueError, match="expected GPU=USD_PER_HOUR"):
        parse_prices("h200=abc")
    # no literal price bound left in the parser
    tree = ast.parse((STATE / "planner.py").read_text())
    (fn,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "parse_prices"]
    literals = {_literal(c) for c in ast.walk(fn) if isinstance(c, ast.Constant)} - {None, 30, 64}
    assert not literals, literals


#: page-only fields that share a label or bounds with some domain declaration but are not a copy of it
NOT_A_COPY = {
    ("AttentionInputs", "overlap"): "FA3 softmax/GEMM overlap fraction, no domain field (shares only [0, 1])",
    ("InferenceMaxInputs", "hardware"): "a preset or the sidebar's profile ('sidebar'), not Scenario.hardware's list",
    ("ScaleUpInputs", "hardware"): "a preset or the sidebar's profile, not Scenario.hardware's list",
}


def _domain_declarations() -> dict[tuple[object, ...], list[str]]:
    """``(label,)`` and ``(lo, hi, unit)`` of every declared field in features/, sim/ and services/."""
    import pkgutil

    out: dict[tuple[object, ...], list[str]] = {}
    for pkg_name in ("dashboard.features", "dashboard.sim", "dashboard.services"):
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.iter_modules(pkg.__path__):
            mod = importlib.import_module(f"{pkg_name}.{info.name}")
            for obj in vars(mod).values():
                if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
                    for name, spec in param_specs(obj).items():
                        where = f"{obj.__name__}.{name}"
                        if spec.label:
                            out.setdefault(("label", spec.label), []).append(where)
                        if spec.unit and (spec.lo is not None or spec.hi is not None):
                            out.setdefault((spec.lo, spec.hi, spec.unit), []).append(where)
    return out


def test_no_page_param_copies_a_domain_declaration() -> None:
    """A page-only ``param`` with the label, or the bounds and unit, of a domain declaration is a
    second declaration of it: ``like(...)`` it instead (or list it above with the reason)."""
    domain = _domain_declarations()
    copies = []
    for cls in _input_classes():
        likes = _like_fields(_source(cls.__module__)).get(cls.__name__, set())
        for name, spec in param_specs(cls).items():
            if name in likes or (cls.__name__, name) in NOT_A_COPY:
                continue
            hits = set(domain.get(("label", spec.label), [])) if spec.label else set()
            if spec.unit and (spec.lo is not None or spec.hi is not None):
                hits |= set(domain.get((spec.lo, spec.hi, spec.unit), []))
            if hits:
                copies.append(f"{cls.__name__}.{name} ~ {sorted(hits)}")
    assert not copies, f"page params that repeat a domain declaration: {copies}"


def test_resident_capacity_batch_is_the_declared_batch() -> None:
    """The experts page's batch is ``like(RequestShape, "batch")``; the domain function it feeds checks
    the same declaration (it had its own bound of 10^6)."""
    from dashboard.features.hardware import load_hardware
    from dashboard.features.offload import resident_capacity
    from dashboard.features.parallel import Dtypes, ParallelConfig
    from dashboard.features.presets import load_model
    from dashboard.features.request import RequestShape

    hi = widget_bounds(RequestShape, "batch")["max_value"]
    with pytest.raises(ValueError, match=rf"^batch must be an integer in \[1, {hi}\]"):
        resident_capacity(load_model("qwen3-30b-a3b"), load_hardware("h200"), ParallelConfig(), Dtypes(), hi + 1, 1024)
