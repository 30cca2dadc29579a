"""Typed session state shared by every page (pure dataclasses, no Streamlit)."""

from dashboard.state.session import HardwareState, ModelState, SessionState, Settings

__all__ = ["HardwareState", "ModelState", "SessionState", "Settings"]
