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
