"""Shared fixtures: clear Streamlit caches between AppTests (they are process-global)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover
        yield
        return
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture(autouse=True)
def _charts_open_in_apptest(monkeypatch):
    """Pages draw charts in lazy expanders, closed by default (issue 14); the AppTest suites assert
    on the charts, so they see them open. tests/test_ui_mechanics.py checks the closed default."""
    try:
        from dashboard.components import outputs
    except ImportError:  # pragma: no cover
        yield
        return
    monkeypatch.setattr(outputs, "CHARTS_OPEN_BY_DEFAULT", True)
    yield


@pytest.fixture(autouse=True)
def _sidebar_editors_open_in_apptest(monkeypatch):
    """The sidebar's model-JSON and hardware-spec editors draw their widgets only once opened
    (issue 14); the AppTest suites edit those widgets, so they see them open.
    tests/test_page_speed.py checks the closed default."""
    try:
        from dashboard.components import sidebar
    except ImportError:  # pragma: no cover
        yield
        return
    monkeypatch.setattr(sidebar, "EDITORS_OPEN_BY_DEFAULT", True)
    yield


@pytest.fixture(autouse=True)
def _help_open_in_apptest(monkeypatch):
    """The help panel draws its text only once opened (issue 14); the AppTest suites read it, so
    they see it open. tests/test_page_speed.py checks the closed default."""
    try:
        from dashboard.components import header
    except ImportError:  # pragma: no cover
        yield
        return
    monkeypatch.setattr(header, "HELP_OPEN_BY_DEFAULT", True)
    yield


@pytest.fixture(autouse=True)
def _auto_run_in_apptest(monkeypatch):
    """Expensive pages compute on a Run button (issue 14); the AppTest suites assert on their
    results, so the pages compute without the click there."""
    try:
        from dashboard.components import run
    except ImportError:  # pragma: no cover
        yield
        return
    monkeypatch.setattr(run, "AUTO_RUN", True)
    yield
