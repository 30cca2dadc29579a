"""Every registered page runs standalone and through the navigation entry, with no exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.page_registry import DASHBOARD_DIR, PAGE_SPECS, all_page_specs


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=lambda s: s.url_path)
def test_page_runs_standalone(spec) -> None:
    at = AppTest.from_file(str(spec.path), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value  # the shared header rendered


def test_navigation_reaches_every_page() -> None:
    at = AppTest.from_file(str(DASHBOARD_DIR / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Overview"
    for spec in PAGE_SPECS:
        at.switch_page(f"{spec.file}.py").run()
        assert not at.exception, (spec.file, [e.value for e in at.exception])


def test_registry_paths_are_unique_and_planned_pages_exist() -> None:
    specs = all_page_specs()
    assert len({s.url_path for s in specs}) == len(specs)
    assert sum(s.default for s in specs) == 1
    seed_pages = {
        "quick_estimation",
        "attention_vs_head_dim",
        "quick_memory",
        "host_bandwidth",
        "experts_calculation",
        "scale_up_search",
        "scale_up_search_pd_disaggregate",
        "regression_calibration",
        "inferencemax",
        "inferencemax_v2",
        "custom_runtime_planner",
        "vllm_simulator_dashboard",
        "llm_chunked_prefill_decoder_scaleup",
        "multi_model_dashboard",
        "scale_up_sweep_with_sim",
        "mma_modeler_app",
        "example_latency_inspector",
    }
    assert seed_pages <= {s.file for s in specs}
    missing = [s.file for s in specs if not s.path.exists()]
    assert not missing, f"registered pages without a file: {missing}"
    assert len(PAGE_SPECS) == len(specs)
