"""Inputs of the InferenceMAX scenario-table page (defined with the single-scenario page)."""

from dashboard.state.inferencemax import DEFAULT_SCENARIOS, InferenceMaxV2Inputs, ScenarioTable

__all__ = ["DEFAULT_SCENARIOS", "InferenceMaxV2Inputs", "ScenarioTable"]
