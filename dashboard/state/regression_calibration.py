"""Inputs of the calibration page (``dashboard/regression_calibration.py``).

The uploaded files themselves are widget state (bytes); these fields are the choices that persist
across page switches and go into the URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.hardware import HardwareError, load_hardware
from dashboard.features.params import like, param, validate_params
from dashboard.services.calibration_io import CalibrationMethod

__all__ = ["RegressionCalibrationInputs"]


@dataclass(frozen=True)
class RegressionCalibrationInputs:
    """``method``: curves | derate | linear; ``baseline``: hardware preset the fit starts from;
    ``reference_sweeps``: use the shipped H200 kernel sweeps when none are uploaded (curves only);
    ``loo``: compute the leave-one-out error (one refit per row); ``models``: comma-separated
    ``NAME=PRESET`` mappings for names of the file's ``model`` column (``NAME=sidebar``: the sidebar's
    current model, e.g. an uploaded config)."""

    method: str = like(CalibrationMethod, "method")
    baseline: str = param("h200", label="Baseline hardware", help="the preset the fit starts from")
    reference_sweeps: bool = param(True, label="Shipped H200 kernel sweeps", help="when none are uploaded")
    loo: bool = param(True, label="Leave-one-out error", help="one refit per row")
    # "NAME=PRESET, NAME2=sidebar": names of the file's model column → presets / sidebar model
    models: str = param("", label="Model mapping")

    def __post_init__(self) -> None:
        validate_params(self)
        if not self.baseline:
            raise ValueError("baseline must name a hardware preset")
        try:
            load_hardware(self.baseline)
        except HardwareError as exc:
            raise ValueError(f"baseline: {exc}") from None
        if len(self.models) > 2000:
            raise ValueError("models must be text like 'NAME=PRESET, NAME2=sidebar'")
        for item in self.model_items():
            if "=" not in item or not item.split("=", 1)[0].strip() or not item.split("=", 1)[1].strip():
                raise ValueError(f"model mapping {item!r}: expected NAME=PRESET or NAME=sidebar")

    def model_items(self) -> list[str]:
        return [x.strip() for x in self.models.replace(";", ",").split(",") if x.strip()]
