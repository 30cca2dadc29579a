"""A thin proxy in front of the Streamlit module, so tests can swap the API (``state.st``)."""

from __future__ import annotations

from typing import Any

__all__ = ["StProxy"]


class StProxy:
    """Forwards every attribute to ``backend`` (the ``streamlit`` module by default)."""

    def __init__(self, backend: Any = None) -> None:
        if backend is None:
            import streamlit as backend
        object.__setattr__(self, "_backend", backend)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._backend, name, value)
