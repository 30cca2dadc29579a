"""Pure-Python services built on the cost model (search, simulation drivers, calibration)."""
