"""Table export helpers (CSV/JSON bytes for download buttons); pure pandas/json."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported lazily: the CLI's JSON output must not pay for it
    import pandas as pd

__all__ = ["jsonable", "neutralise_cell", "neutralise_formulas", "to_csv_bytes", "to_json_bytes"]


def jsonable(obj: Any) -> Any:
    """Convert dataclasses, DataFrames, numpy scalars and non-finite floats to JSON-safe data."""
    t = type(obj)  # fast path for the plain values a search result holds millions of
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else None
    if t is dict:
        return {str(k): jsonable(v) for k, v in obj.items()}
    if t is list or t is tuple:
        return [jsonable(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    pd_mod = sys.modules.get("pandas")  # a DataFrame exists only if pandas was imported
    if pd_mod is not None and isinstance(obj, pd_mod.DataFrame):
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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (starts with ``=``, ``+``, ``-``,
    ``@``, tab or CR; OWASP "CSV injection") gets a leading apostrophe; numbers, and text that is
    a plain number such as ``-3.5``, stay as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with :func:`neutralise_cell` applied to every text cell and column name."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for downloads, formula cells neutralised (names typed or uploaded by users end up in
    tables: a model called ``=HYPERLINK(...)`` must not run in a spreadsheet)."""
    return neutralise_formulas(df).to_csv(index=False).encode("utf-8")


def to_json_bytes(payload: Any) -> bytes:
    return json.dumps(jsonable(payload), indent=2, ensure_ascii=False).encode("utf-8")
