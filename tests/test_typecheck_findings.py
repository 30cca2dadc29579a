"""Bugs the type checker found (issue 17 §5), pinned so they stay fixed."""

from __future__ import annotations

import pytest

from dashboard.features.hardware import load_hardware
from dashboard.features.presets import load_model
from dashboard.services.search import Workload, evaluate_config


def test_evaluate_config_with_an_engine_prices_it() -> None:
    """``evaluate_config(engine=...)`` passed the engine name as the speculative config
    (positional arguments shifted by one) and crashed; mypy flagged the str/float mismatch."""
    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    wl = Workload(input_len=1024, output_len=128)
    plain = evaluate_config(m, hw, 1, 1, 1, 16, 2048, wl)
    vllm = evaluate_config(m, hw, 1, 1, 1, 16, 2048, wl, engine="vllm")
    assert vllm["ttft_ms"] == pytest.approx(plain["ttft_ms"], rel=0.5) and vllm["reason_code"] is None
    tight = evaluate_config(m, hw, 1, 1, 1, 16, 2048, wl, engine="vllm", memory_fraction=0.1)
    assert tight["reason_code"] == "oom"
