"""Pieces of the scheduler simulator: workloads (:mod:`dashboard.sim.workload`) and summaries
(:mod:`dashboard.sim.metrics`). The public entry is :mod:`dashboard.sim_scheduler`."""
