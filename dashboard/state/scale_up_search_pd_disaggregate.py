"""Inputs of the PD-disaggregated SLA search page (defined with the aggregated one)."""

from dashboard.state.scale_up_search import PDSearchInputs

__all__ = ["PDSearchInputs"]
