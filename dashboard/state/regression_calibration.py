"""Inputs of the calibration page (``dashboard/regression_calibration.py``).

The uploaded files themselves are widget state (bytes); these fields are the choices that persist
across page switches and go into the URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.hardware import HardwareError, load_hardware

METHODS = ("curves", "derate", "linear")  # = dashboard.services.calibration.METHODS

__all__ = ["RegressionCalibrationInputs"]


@dataclass(frozen=True)
class RegressionCalibrationInputs:
    """``method``: curves | derate | linear; ``baseline``: hardware preset the fit starts from;
    ``reference_sweeps``: use the shipped H200 kernel sweeps when none are uploaded (curves only);
    ``loo``: compute the leave-one-out error (one refit per row); ``models``: comma-separated
    ``NAME=PRESET`` mappings for names of the file's ``model`` column (``NAME=sidebar``: the sidebar's
    current model, e.g. an uploaded config)."""

    method: str = "curves"
    baseline: str = "h200"
    reference_sweeps: bool = True
    loo: bool = True
    models: str = ""  # "NAME=PRESET, NAME2=sidebar": names of the file's model column → presets / sidebar model

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not isinstance(self.baseline, str) or not self.baseline:
            raise ValueError("baseline must name a hardware preset")
        try:
            load_hardware(self.baseline)
        except HardwareError as exc:
            raise ValueError(f"baseline: {exc}") from None
        if not isinstance(self.models, str) or len(self.models) > 2000:
            raise ValueError("models must be text like 'NAME=PRESET, NAME2=sidebar'")
        for item in self.model_items():
            if "=" not in item or not item.split("=", 1)[0].strip() or not item.split("=", 1)[1].strip():
                raise ValueError(f"model mapping {item!r}: expected NAME=PRESET or NAME=sidebar")
        for name in ("reference_sweeps", "loo"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")

    def model_items(self) -> list[str]:
        return [x.strip() for x in self.models.replace(";", ",").split(",") if x.strip()]
