"""Table export helpers (CSV/JSON bytes for download buttons); pure pandas/json."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pandas as pd

__all__ = ["jsonable", "to_csv_bytes", "to_json_bytes"]


def jsonable(obj: Any) -> Any:
    """Convert dataclasses, DataFrames, numpy scalars and non-finite floats to JSON-safe data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, pd.DataFrame):
        return [jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        try:
            obj = obj.item()
        except (TypeError, ValueError):
            return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def to_json_bytes(payload: Any) -> bytes:
    return json.dumps(jsonable(payload), indent=2, ensure_ascii=False).encode("utf-8")
