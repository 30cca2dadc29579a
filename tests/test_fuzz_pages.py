"""Page fuzzing (issue 8): every page in the registry, driven by AppTest with extreme and random
widget values, must never show an uncaught exception.

Each page gets a few seeded runs (``random.Random(f"{FUZZ_SEED}:{url_path}:{iteration}")``):

* ``low``    — every number/slider at its minimum (0 or a large negative where unbounded), first
  options, empty multiselects, toggles off, empty strings in text fields;
* ``high``   — every number/slider at its maximum (10⁹ where unbounded), last options, all
  options, toggles on, garbage strings;
* ``random`` — random in-range values, garbage text, garbage JSON pasted into every text area
  (including the sidebar's model JSON editor ``sb_model_json``), a few sidebar widgets changed,
  and one main-area button clicked.

A failure names the page, the seed and every widget value that was set, so
``FUZZ_SEED=<seed> pytest tests/test_fuzz_pages.py -k <page>`` reproduces it. ``FUZZ_ITERATIONS``
sets the number of rounds (default 5: low, high and three random).

The last tests check the model editor and upload: invalid JSON or bytes show a clear error and
keep the last valid model (the header still names it).
"""

from __future__ import annotations

import json
import math
import os
import random
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.page_registry import DASHBOARD_DIR, PAGE_SPECS, PageSpec

SEED = int(os.environ.get("FUZZ_SEED", "0"))
MODES = ("low", "high", "random") + ("random",) * max(0, int(os.environ.get("FUZZ_ITERATIONS", "5")) - 3)
TIMEOUT = 60
HUGE_INT = 10**9
HUGE_FLOAT = 1e12

GARBAGE_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "abc",
    "1,,2",
    "1, 2, x",
    "1;2;3",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "9" * 40,
    "0x10",
    "1_000",
    "½",
    "١٢٣",
    "\u202e123",
    "\x00",
    "🙂" * 20,
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "{{7*7}}",
    "${HOME}",
    "__import__('os').system('echo pwned')",
    "x" * 5000,
    "\n\n\n",
    "1,2,3," * 200,
]


def _base_model() -> dict[str, Any]:
    from dashboard.common.json_config import DEFAULT_MODEL_JSON

    return json.loads(json.dumps(DEFAULT_MODEL_JSON))


def _garbage_json(rng: random.Random) -> str:
    """Pasted garbage: broken JSON, wrong types, deep nesting, and valid configs with absurd fields."""
    base = _base_model()
    candidates = [
        "",
        "{",
        "}",
        "[]",
        "null",
        "true",
        "42",
        '"text"',
        "{'single': 'quotes'}",
        '{"a": 1,}',
        '{"a": NaN}',
        "[" * 50_000,
        '{"a":' * 50_000,
        "\ufeff{}",
        "{}",
        '{"hidden_size": "4096"}',
        json.dumps({**base, "hidden_size": -4096}),
        json.dumps({**base, "num_hidden_layers": 0}),
        json.dumps({**base, "num_attention_heads": 7}),
        json.dumps({**base, "num_key_value_heads": 0}),
        json.dumps({**base, "vocab_size": 10**30}),
        json.dumps({**base, "hidden_size": 2**20, "intermediate_size": 2**22}),
        json.dumps(
            {
                **base,
                "num_hidden_layers": 1,
                "hidden_size": 64,
                "intermediate_size": 64,
                "num_attention_heads": 1,
                "num_key_value_heads": 1,
                "vocab_size": 1,
            }
        ),
        json.dumps({**base, "torch_dtype": ["x"], "model_type": {"nested": True}}),
        json.dumps(base).replace("4096", "Infinity", 1),
        json.dumps(base).replace("4096", "NaN", 1),
        json.dumps(base)[: len(json.dumps(base)) // 2],
    ]
    return rng.choice(candidates)


def _in_range(v: float, lo: float | None, hi: float | None) -> float:
    if lo is not None and v < lo:
        v = lo
    if hi is not None and v > hi:
        v = hi
    return v


def _number_value(w: Any, mode: str, rng: random.Random) -> float | int:
    lo, hi = w.min, w.max
    cur = w.value
    is_int = (isinstance(cur, int) and not isinstance(cur, bool)) or (
        cur is None
        and isinstance(w.step, int | float)
        and float(w.step).is_integer()
        and (lo is None or float(lo).is_integer())
    )
    huge = HUGE_INT if is_int else HUGE_FLOAT
    if mode == "low":
        v = lo if lo is not None else rng.choice([0, -1, -huge])
    elif mode == "high":
        v = hi if hi is not None else huge
    else:
        picks = [0, 1, -1, huge, -huge, 2, 3, 7, 1000, 0.5, 1e-9]
        if lo is not None:
            picks += [lo, lo + (w.step or 1)]
        if hi is not None:
            picks += [hi, hi - (w.step or 1)]
        if lo is not None and hi is not None:
            picks += [rng.uniform(lo, hi) for _ in range(3)]
        v = rng.choice(picks)
    v = _in_range(v, lo, hi)
    if is_int:
        v = math.floor(v) if v >= 0 else math.ceil(v)
        v = int(_in_range(v, lo, hi))
    else:
        v = float(v)
    return v


def _slider_value(w: Any, mode: str, rng: random.Random) -> Any:
    lo, hi, step = w.min, w.max, w.step
    if not all(isinstance(x, int | float) for x in (lo, hi)):
        return None  # date/time sliders: not fuzzed
    is_int = isinstance(lo, int) and isinstance(hi, int) and float(step or 1).is_integer()

    def one() -> Any:
        if mode == "low":
            return lo
        if mode == "high":
            return hi
        if is_int:
            return rng.randint(int(lo), int(hi))
        n = max(1, round((hi - lo) / step)) if step else 1000
        return lo + rng.randint(0, n) * (step or (hi - lo) / 1000)

    if isinstance(w.value, tuple | list):
        a, b = sorted((one(), one())) if mode == "random" else (lo, lo if mode == "low" else hi)
        if mode == "high":
            a, b = hi, hi
        return (_in_range(a, lo, hi), _in_range(b, lo, hi))
    return _in_range(one(), lo, hi)


def _raw_options(area: Any, w: Any) -> list[Any]:
    """The widget's option *values* (AppTest exposes only the formatted labels; ``set_value`` wants
    values). Read from the widget's registered serde; falls back to the labels."""
    try:
        state = w.root.session_state
        for _ in range(4):  # AppTest wrapper -> SafeSessionState -> SessionState
            if hasattr(state, "_new_widget_state"):
                break
            state = state._state
        meta = state._new_widget_state.widget_metadata[w.id]
        return list(meta.deserializer.__self__.options)
    except (AttributeError, KeyError, TypeError):
        return list(w.options)


def _fuzz_area(area: Any, where: str, mode: str, rng: random.Random, log: list[str], budget: int | None) -> None:
    """Set every supported widget in ``area`` (or ``budget`` random ones)."""
    widgets: list[tuple[str, Any]] = []
    for kind in (
        "number_input",
        "slider",
        "selectbox",
        "multiselect",
        "radio",
        "checkbox",
        "toggle",
        "text_input",
        "text_area",
    ):
        widgets += [(kind, w) for w in getattr(area, kind)]
    if budget is not None:
        widgets = rng.sample(widgets, min(budget, len(widgets)))
    for kind, w in widgets:
        name = f"{where}.{kind}[{w.key or getattr(w, 'label', '?')}]"
        try:
            if kind == "number_input":
                v = _number_value(w, mode, rng)
                w.set_value(v)
            elif kind == "slider":
                v = _slider_value(w, mode, rng)
                if v is None:
                    continue
                w.set_value(v)
            elif kind in ("selectbox", "radio"):
                opts = _raw_options(area, w)
                if not opts:
                    continue
                i = 0 if mode == "low" else len(opts) - 1 if mode == "high" else rng.randrange(len(opts))
                v = opts[i]
                w.set_value(v)
            elif kind == "multiselect":
                opts = _raw_options(area, w)
                if mode == "low":
                    v = []
                elif mode == "high":
                    v = opts
                else:
                    v = rng.sample(opts, rng.randint(0, len(opts)))
                w.set_value(v)
            elif kind in ("checkbox", "toggle"):
                v = mode == "high" if mode != "random" else rng.random() < 0.5
                w.set_value(v)
            elif kind == "text_area":
                v = "" if mode == "low" else _garbage_json(rng)
                w.set_value(v)
            else:  # text_input
                v = "" if mode == "low" else rng.choice(GARBAGE_TEXT)
                w.set_value(v)
        except (ValueError, TypeError, IndexError) as exc:  # the test harness could not set it: record, go on
            log.append(f"{name}: could not set ({type(exc).__name__}: {exc})")
            continue
        shown = repr(v)
        log.append(f"{name} = {shown[:120] + '…' if len(shown) > 120 else shown}")


def _fuzz_editors(at: AppTest, mode: str, rng: random.Random, log: list[str]) -> None:
    """Data editors: ``low`` empties dynamic tables, ``high`` adds a blank row and writes extreme
    numbers, ``random`` edits random cells. Respects disabled columns and column min/max (the
    browser enforces them too). Edits go through session state (``set_value`` is unsupported)."""
    for d in at.data_editor:
        proto = d.proto
        if proto.disabled or proto.editing_mode == 0:  # read-only
            continue
        dynamic = proto.editing_mode == 2
        df = d.value
        try:
            config = json.loads(proto.columns or "{}")
        except ValueError:
            config = {}
        editable = [c for c in df.columns if not (config.get(str(c)) or {}).get("disabled")]
        state_key = d.key or proto.id
        delta: dict[str, Any] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
        if mode == "low" and dynamic:
            delta["deleted_rows"] = list(range(len(df)))
        else:
            if dynamic and mode != "low":
                delta["added_rows"] = [{}]  # a blank row, as a user who clicks "+" and leaves it
            rows = range(len(df)) if mode == "high" else rng.sample(range(len(df)), min(2, len(df)))
            for r in rows:
                for c in editable if mode == "high" else rng.sample(editable, min(2, len(editable))):
                    tc = (config.get(str(c)) or {}).get("type_config") or {}
                    lo, hi = tc.get("min_value"), tc.get("max_value")
                    col = df[c]
                    if col.dtype.kind == "b":
                        v: Any = rng.random() < 0.5
                    elif col.dtype.kind in "iu":
                        v = int(_in_range(HUGE_INT if mode == "high" else rng.choice([0, -1, 1, HUGE_INT]), lo, hi))
                    elif col.dtype.kind == "f":
                        v = float(
                            _in_range(
                                HUGE_FLOAT if mode == "high" else rng.choice([0.0, -1.0, 1e-9, HUGE_FLOAT]), lo, hi
                            )
                        )
                    elif tc.get("type") == "selectbox" and tc.get("options"):
                        v = rng.choice(tc["options"])
                    else:
                        v = rng.choice(GARBAGE_TEXT[:20])
                    delta["edited_rows"].setdefault(r, {})[str(c)] = v
        at.session_state[state_key] = delta
        log.append(f"data_editor[{d.key or proto.id[-12:]}] = {json.dumps(delta, default=str)[:160]}")


def _exceptions(at: AppTest) -> str:
    return "\n\n".join(f"{e.value}\n" + "\n".join(e.stack_trace or []) for e in at.exception)


def _run(at: AppTest, spec: PageSpec, seed: str, log: list[str]) -> None:
    try:
        at.run()
    except RuntimeError as exc:  # AppTest timeout
        pytest.fail(
            f"{spec.url_path} (seed {seed!r}) did not finish within {TIMEOUT} s: {exc}\ninputs:\n  " + "\n  ".join(log),
            pytrace=False,
        )
    if at.exception:
        pytest.fail(
            f"{spec.url_path} (seed {seed!r}) raised:\n{_exceptions(at)}\ninputs:\n  " + "\n  ".join(log), pytrace=False
        )


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=[s.url_path for s in PAGE_SPECS])
def test_fuzz_page(spec: PageSpec) -> None:
    at = AppTest.from_file(str(spec.path), default_timeout=TIMEOUT)
    log: list[str] = []
    _run(at, spec, "initial", log)
    for i, mode in enumerate(MODES):
        seed = f"{SEED}:{spec.url_path}:{i}"
        rng = random.Random(seed)
        log.append(f"-- round {i} ({mode}, seed {seed!r})")
        _fuzz_area(at.main, "main", mode, rng, log, budget=None)
        _fuzz_editors(at, mode, rng, log)
        if mode == "random":
            _fuzz_area(at.sidebar, "sidebar", mode, rng, log, budget=3)
            if at.text_area(key="sb_model_json") is not None:
                bad = _garbage_json(rng)
                at.text_area(key="sb_model_json").set_value(bad)
                log.append(f"sidebar.text_area[sb_model_json] = {bad[:80]!r}")
            buttons = [b for b in at.main.button if not getattr(b, "disabled", False)]
            if buttons:
                b = rng.choice(buttons)
                b.click()
                log.append(f"main.button[{b.key or b.label}] clicked")
        _run(at, spec, seed, log)


@pytest.mark.parametrize("mode", ["low", "high", "random"])
def test_fuzz_whole_sidebar(mode: str) -> None:
    """Every sidebar widget at once (hardware specs, dtypes, TP/EP, language, model JSON), then its
    buttons, on the overview page; the pages' rounds above only touch a few sidebar widgets each."""
    spec = next(s for s in PAGE_SPECS if s.file == "overview")
    at = AppTest.from_file(str(spec.path), default_timeout=TIMEOUT)
    log: list[str] = []
    _run(at, spec, "initial", log)
    for i in range(2):
        seed = f"{SEED}:sidebar:{mode}:{i}"
        log.append(f"-- round {i} ({mode}, seed {seed!r})")
        _fuzz_area(at.sidebar, "sidebar", mode, random.Random(seed), log, budget=None)
        _run(at, spec, seed, log)
        if mode != "low":  # then press the sidebar's buttons (save custom profile, reset specs)
            for key in [b.key for b in at.sidebar.button if not b.disabled]:
                log.append(f"sidebar.button[{key}] clicked")
                at.sidebar.button(key=key).click()
                _run(at, spec, seed, log)


# --- the model editor and upload keep the last valid model ------------------------------------------------


def _header_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown if "**" in m.value)


def _warnings_text(at: AppTest) -> str:
    return " ".join(str(w.value) for w in list(at.warning) + list(at.error))


@pytest.fixture
def overview_on_qwen() -> AppTest:
    """The overview page with a non-default preset chosen, so 'the previous model' is recognisable."""
    at = AppTest.from_file(str(DASHBOARD_DIR / "overview.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, _exceptions(at)
    at.selectbox(key="sb_model_preset").set_value("qwen2.5-7b").run()
    assert not at.exception, _exceptions(at)
    assert "qwen2.5-7b" in _header_text(at).lower(), _header_text(at)
    return at


@pytest.mark.parametrize(
    "bad",
    [
        "{",
        "[1, 2, 3]",
        '{"hidden_size": "big"}',
        "null",
        '{"model_type": "llama"}',
        "",
        "[" * 50_000,
    ],
    ids=["truncated", "array", "wrong-type", "null", "missing-fields", "empty", "deep-nesting"],
)
def test_invalid_model_json_keeps_last_valid_model(overview_on_qwen: AppTest, bad: str) -> None:
    at = overview_on_qwen
    ttft_before = at.metric[0].value
    at.text_area(key="sb_model_json").set_value(bad).run()
    assert not at.exception, _exceptions(at)
    assert "Model JSON rejected" in _warnings_text(at), _warnings_text(at)
    assert "qwen2.5-7b" in _header_text(at).lower(), _header_text(at)
    assert at.metric[0].value == ttft_before  # numbers still from the last valid model


@pytest.mark.parametrize(
    "payload",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00garbage",
        b"\xff\xfe\x00{",
        b"{not json",
        b"[]",
        b'{"hidden_size": 1}',
        b" " * 10,
        b"{" * 50_000,
    ],
    ids=["binary", "utf16-bom", "broken", "array", "incomplete", "blank", "deep-nesting"],
)
def test_invalid_model_upload_keeps_last_valid_model(overview_on_qwen: AppTest, payload: bytes) -> None:
    at = overview_on_qwen
    at.sidebar.file_uploader(key="sb_model_upload").set_value(("config.json", payload, "application/json")).run()
    assert not at.exception, _exceptions(at)
    assert "Model JSON rejected" in _warnings_text(at), _warnings_text(at)
    assert "qwen2.5-7b" in _header_text(at).lower(), _header_text(at)


def test_oversized_model_upload_is_refused(overview_on_qwen: AppTest) -> None:
    from dashboard.common.json_config import MAX_JSON_BYTES

    at = overview_on_qwen
    big = b'{"pad": "' + b"x" * (MAX_JSON_BYTES + 10) + b'"}'
    at.sidebar.file_uploader(key="sb_model_upload").set_value(("config.json", big, "application/json")).run()
    assert not at.exception, _exceptions(at)
    assert "larger than" in _warnings_text(at), _warnings_text(at)
    assert "qwen2.5-7b" in _header_text(at).lower(), _header_text(at)


def test_valid_model_json_after_invalid_recovers(overview_on_qwen: AppTest) -> None:
    at = overview_on_qwen
    at.text_area(key="sb_model_json").set_value("{").run()
    good = _base_model()
    at.text_area(key="sb_model_json").set_value(json.dumps(good)).run()
    assert not at.exception, _exceptions(at)
    assert "Model JSON rejected" not in _warnings_text(at)


def test_invalid_hardware_upload_shows_error(overview_on_qwen: AppTest) -> None:
    at = overview_on_qwen
    name_before = _header_text(at)
    at.sidebar.file_uploader(key="sb_hw_upload").set_value(("hw.json", b"{garbage", "application/json")).run()
    assert not at.exception, _exceptions(at)
    assert "Hardware profile rejected" in _warnings_text(at), _warnings_text(at)
    assert _header_text(at) == name_before


# --- hostile URLs and configs (issue 11) -------------------------------------------------------------------

HOSTILE_QP = [
    "²",
    "١٢",
    "nan",
    "inf",
    "-1",
    "0",
    "1e309",
    "9" * 60,
    "/etc/passwd",
    "../../etc/hostname",
    "x" * 3000,
    "1," * 100,
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://x")',
    "custom:evil",
]


def _page_fields(spec: PageSpec) -> list[str]:
    """Field names of the page's input dataclass(es) in ``dashboard/state/<page>.py``."""
    import dataclasses
    import importlib

    try:
        mod = importlib.import_module(f"dashboard.state.{spec.file}")
    except ModuleNotFoundError:
        return []
    names: list[str] = []
    for obj in vars(mod).values():
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
            names += [f.name for f in dataclasses.fields(obj)]
    return sorted(set(names))


def _extreme_valid_config() -> str:
    """Parses (every field at its documented bound) but is as large as a config may be."""
    cfg = _base_model()
    cfg.update(
        hidden_size=131072,
        num_hidden_layers=4096,
        num_attention_heads=128,
        num_key_value_heads=8,
        head_dim=1024,
        intermediate_size=1 << 20,
        vocab_size=1 << 24,
        max_position_embeddings=1 << 30,
        _name_or_path="![x](http://198.51.100.7/x.png) <b>[click](http://198.51.100.7)</b>",
    )
    return json.dumps(cfg)


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=[s.url_path for s in PAGE_SPECS])
def test_hostile_url_and_config_never_raise(spec: PageSpec) -> None:
    """Every shared and page query parameter set to hostile text, then the largest config the
    parser accepts: the page renders (messages, no exception) and the header shows the name as
    plain text."""
    rng = random.Random(f"{SEED}:hostile:{spec.url_path}")
    at = AppTest.from_file(str(spec.path), default_timeout=TIMEOUT)
    params = {k: rng.choice(HOSTILE_QP) for k in ("tp", "ep", "hw", "model", "lang", "wdtype", "kvdtype", "adtype")}
    params.update({f: rng.choice(HOSTILE_QP) for f in _page_fields(spec)})
    for k, v in params.items():
        at.query_params[k] = v
    log = [f"?{k}={v[:40]!r}" for k, v in params.items()]
    _run(at, spec, "hostile-url", log)
    from dashboard.actions.settings import set_model_json
    from dashboard.state.session import SESSION_KEY

    assert set_model_json(at.session_state[SESSION_KEY], _extreme_valid_config()) is None
    log.append("extreme valid config")
    _run(at, spec, "extreme-config", log)
    header = _header_text(at)
    assert "![x](" not in header and "<b>" not in header, header
