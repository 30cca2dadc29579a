"""State-writing operations on :class:`~dashboard.state.SessionState` (pure, unit-testable)."""

from dashboard.actions.settings import Actions

__all__ = ["Actions"]
