"""A page rendered in 简体中文 shows no English beyond units, numbers, names and code (issue 14 §4).

Each registered page is rendered by AppTest with ``lang=zh`` (its Run button pressed and its
charts open, so results are scanned too). Every visible string — title, captions, markdown,
alerts, metric labels, widget labels and options, expander labels, table column headers, and the
titles, axis titles, legend entries, annotations and category labels of every Plotly chart — goes
through :func:`tests.zh_scan.english_words`.

* The shared chrome (title, description, header, help panel label, sidebar) must be clean.
* The whole page shows none (the failure message lists the offending strings). Allowed English
  is decided in :mod:`tests.zh_scan` only: units, numbers, model/hardware/engine names, code
  identifiers and the listed serving terms — never prose.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.page_registry import PAGE_SPECS

sys.path.insert(0, str(Path(__file__).parent))
from zh_scan import chart_texts, english_words, visible_texts

QUERY = {"experts_calculation": {"model": "qwen3-30b-a3b"}, "host_bandwidth": {"model": "qwen3-30b-a3b"}}


def _offending(texts: list[tuple[str, str]]) -> list[str]:
    return [f"{kind}: {text[:120]!r} -> {english_words(text)[:5]}" for kind, text in texts if english_words(text)]


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=[s.url_path for s in PAGE_SPECS])
def test_page_in_chinese(spec) -> None:
    at = AppTest.from_file(str(spec.path), default_timeout=300)
    at.query_params["lang"] = "zh"
    for k, v in QUERY.get(spec.url_path, {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    chrome = [("title", t.value) for t in at.title]
    # the language switch is labelled in both languages on purpose ("Language / 语言")
    chrome += [(kind, text) for kind, text in visible_texts(at, at.sidebar) if text != "Language / 语言"]
    chrome += [("expander.label", e.label) for e in at.expander if e.label.startswith("帮助")]
    chrome += [("markdown", m.value) for m in at.markdown if m.value.startswith("模型：")]
    if spec.file != "example_latency_inspector" and at.caption:
        chrome.append(("caption", at.caption[0].value))  # the page description
    bad_chrome = _offending(chrome)
    assert not bad_chrome, "English in the shared chrome:\n" + "\n".join(bad_chrome)
    shown = [(k, t) for k, t in visible_texts(at) if t != "Language / 语言"] + chart_texts(at)
    bad = _offending(shown)
    assert not bad, f"{spec.url_path}: {len(bad)} strings with English in zh:\n" + "\n".join(bad)


#: Other states that draw other strings (MoE and fp8 checkpoints, other modes, sweeps and fits),
#: set through the page URL as a copied link would.
OTHER_STATES: list[tuple[str, dict[str, str]]] = [
    ("quick_estimation", {"tp": "2", "custom_spec": "True"}),
    ("quick_memory", {"custom_hbm": "True", "model": "deepseek-v3"}),
    ("custom_runtime_planner", {"custom_eff": "True"}),
    ("attention_vs_head_dim", {"sweep_mode": "num_heads", "causal": "False"}),
    ("mma_modeler_app", {"sweep_dim": "k", "dtype": "fp8"}),
    ("vllm_simulator_dashboard", {"load_mode": "burst", "chunked_prefill": "False", "input_dist": "lognormal"}),
    ("vllm_simulator_dashboard", {"load_mode": "concurrency", "model": "qwen3-30b-a3b"}),
    ("scale_up_sweep_with_sim", {"load": "concurrency"}),
    ("planner", {"disaggregated": "on", "model": "qwen3-30b-a3b"}),
    ("frontier", {"disaggregated": "True", "frontier_only": "True"}),
    ("host_bandwidth", {"phase": "prefill", "model": "qwen3-30b-a3b", "pinned": "False"}),
    ("experts_calculation", {"model": "deepseek-v3", "popularity": "uniform", "pinned": "False"}),
    ("regression_calibration", {"method": "linear"}),
    ("regression_calibration", {"method": "derate", "loo": "False"}),
    ("scale_up_search", {"model": "qwen3-30b-a3b"}),
    ("inferencemax", {"model": "deepseek-v3"}),
    ("quick_estimation", {"spec_on": "True"}),
    ("vllm_simulator_dashboard", {"spec_on": "True"}),
]


@pytest.mark.parametrize(("url_path", "query"), OTHER_STATES, ids=[f"{u}-{i}" for i, (u, _) in enumerate(OTHER_STATES)])
def test_other_states_in_chinese(url_path: str, query: dict[str, str]) -> None:
    spec = next(s for s in PAGE_SPECS if s.url_path == url_path)
    at = AppTest.from_file(str(spec.path), default_timeout=300)
    at.query_params["lang"] = "zh"
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [(k, t) for k, t in visible_texts(at) if t != "Language / 语言"] + chart_texts(at)
    bad = _offending(shown)
    assert not bad, f"{url_path} {query}: {len(bad)} strings with English in zh:\n" + "\n".join(bad)
