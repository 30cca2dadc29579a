"""Reference measurements, found through the hardware profile that was measured.

A profile names its measurement set in ``reference_data`` (the H200 preset: ``"h200"``; a
calibrated or custom profile may keep or drop it). :func:`reference_rows` is the one way pages and
services get measured rows for a profile; nothing matches device names by substring. Sets and
their files (copies in ``dashboard/data/reference/``, sources in its README):

* ``h200``: ``gemm`` (``gemm.csv``, dense GEMMs bf16/fp8), ``attention_prefill``
  (``attention_prefill.csv``, causal prefill by backend), ``attention_decode``, ``steps``
  (``steps_llama3.1-8b.csv``, whole engine steps) and ``host_device_copy``.

The row parsers live with the models that use them (:func:`~dashboard.features.mma.load_gemm_reference`,
:func:`~dashboard.features.flash_attention.load_attention_reference`); other datasets return their
CSV rows as dicts of strings.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

__all__ = ["REFERENCE_DIR", "REFERENCE_SETS", "reference_path", "reference_rows"]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

#: measurement set → dataset → file in REFERENCE_DIR
REFERENCE_SETS: dict[str, dict[str, str]] = {
    "h200": {
        "gemm": "gemm.csv",
        "attention_prefill": "attention_prefill.csv",
        "attention_decode": "attention_decode.csv",
        "steps": "steps_llama3.1-8b.csv",
        "host_device_copy": "host_device_copy.csv",
    },
}


def reference_path(hw: Any, dataset: str) -> Path | None:
    """File of ``dataset`` measured on profile ``hw`` (its ``reference_data`` set), or ``None``."""
    files = REFERENCE_SETS.get(getattr(hw, "reference_data", "") or "", {})
    name = files.get(dataset)
    if name is None:
        return None
    p = REFERENCE_DIR / name
    return p if p.exists() else None


def reference_rows(hw: Any, dataset: str) -> list[dict[str, Any]]:
    """Measured rows of ``dataset`` for profile ``hw``; ``[]`` when the profile has none."""
    p = reference_path(hw, dataset)
    if p is None:
        return []
    if dataset == "gemm":
        from dashboard.features.mma import load_gemm_reference

        return load_gemm_reference(p)
    if dataset == "attention_prefill":
        from dashboard.features.flash_attention import load_attention_reference

        return load_attention_reference(p)
    with p.open(newline="") as f:
        return [dict(r) for r in csv.DictReader(f)]
