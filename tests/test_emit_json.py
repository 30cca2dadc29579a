"""``jsonable`` keeps its conversions on the fast path; ``emit_json`` indents small documents and
prints large ones compact (the indenting encoder is pure Python: a 50k-row search took ~10 s)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from dashboard.common.tables import jsonable
from runners import common


@dataclass
class _Row:
    x: float
    n: np.int64


def test_jsonable_values() -> None:
    out = jsonable({"a": (1, 2.5, True, None, math.nan, "s"), 3: [_Row(math.inf, np.int64(7))], "f": np.float32(0.5)})
    assert out == {"a": [1, 2.5, True, None, None, "s"], "3": [{"x": None, "n": 7}], "f": 0.5}
    assert type(out["a"][2]) is bool and type(out["3"][0]["n"]) is int


def test_emit_json_small_indented_large_compact(capsys, monkeypatch) -> None:
    doc = {"rows": [{"i": i, "v": i / 4} for i in range(50)]}
    common.emit_json(doc)
    small = capsys.readouterr().out
    assert small.startswith('{\n  "rows": [') and json.loads(small) == doc
    monkeypatch.setattr(common, "INDENT_MAX_CHARS", 100)
    common.emit_json(doc)
    large = capsys.readouterr().out
    assert "\n" not in large.rstrip("\n") and json.loads(large) == doc
