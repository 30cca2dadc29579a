"""Every page has a help panel in both UI languages and runs in Chinese without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.page_registry import PAGE_SPECS
from dashboard.state.session import SessionState


# the seed's example page keeps its help text exactly as the seed wrote it (Chinese only)
@pytest.mark.parametrize(
    "spec", [s for s in PAGE_SPECS if s.file != "example_latency_inspector"], ids=lambda s: s.url_path
)
def test_page_help_in_both_languages(spec) -> None:
    at = AppTest.from_file(str(spec.path), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    help_en = [e for e in at.expander if e.label.startswith("Help")]
    assert help_en, "page has no help panel"
    assert len(" ".join(m.value for m in help_en[0].markdown)) > 200, "help panel too thin"
    ss = SessionState()
    ss.settings.language = "zh"
    at2 = AppTest.from_file(str(spec.path), default_timeout=120)
    at2.session_state["app_state"] = ss
    at2.run()
    assert not at2.exception, [e.value for e in at2.exception]
    help_zh = [e for e in at2.expander if e.label.startswith("帮助")]
    assert help_zh, "no Chinese help panel"
    text = " ".join(m.value for m in help_zh[0].markdown)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), "Chinese help text missing"
