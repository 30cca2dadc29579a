"""Reading calibration inputs: measured engine steps and kernel sweeps (CSV or TSV).

Step format (one row = one forward step; see ``dashboard/data/reference/README.md``)::

    model, hardware, tp, dtype, prefill_seqs, prefill_len, prefix_len, decode_seqs, decode_context, latency_ms

Kernel sweeps are recognised by their columns: GEMM (``label, dtype, M, N, K, ms_median``), causal
attention prefill (``phase, backend, batch, q_heads, kv_heads, head_dim, q_len, kv_len, ms_median``)
and decode attention (``backend, batch, q_heads, kv_heads, head_dim, kv_len, ms_median``), as in
the shipped H200 reference files.

Every problem raises :class:`MeasurementError` (a ``ValueError``) whose one-line message names the
file, the rows (1-based data rows; line = row + 1) and the columns at fault.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.features.batch import StepSpec
from dashboard.features.dtypes import ACT_DTYPES
from dashboard.features.model_profile import ModelConfigError, ModelProfile
from dashboard.features.parallel import Dtypes
from dashboard.features.params import param, validate_params
from dashboard.features.presets import list_model_presets, load_model

__all__ = [
    "METHODS",
    "REFERENCE_DIR",
    "STEP_COLUMNS",
    "CalibrationMethod",
    "KernelSweeps",
    "MeasurementError",
    "StepRow",
    "StepTable",
    "load_input_files",
    "merge_tables",
    "parse_model_overrides",
    "parse_step_table",
    "parse_sweep",
    "read_table",
    "reference_steps",
    "reference_sweeps",
    "resolve_models",
    "row_dtypes",
    "sniff_kind",
]

#: calibration methods (:func:`dashboard.services.calibration.calibrate`)
METHODS = ("curves", "derate", "linear")


@dataclass(frozen=True)
class CalibrationMethod:
    """The calibration method, declared once: ``calibrate(method=)`` checks it through this,
    ``modeling calibrate --method`` and the calibration page take their choices from it."""

    method: str = param(
        "curves",
        choices=METHODS,
        label="Calibration method",
        help="curves: sweep-derived efficiency curves + physical step fit; derate: compute and memory "
        "factors + overheads; linear: t = a + b·FLOPs + c·bytes",
    )

    def __post_init__(self) -> None:
        validate_params(self)


REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
REFERENCE_STEPS = "steps_llama3.1-8b.csv"
REFERENCE_SWEEPS = ("gemm.csv", "attention_prefill.csv", "attention_decode.csv")

STEP_COLUMNS = (
    "model",
    "hardware",
    "tp",
    "dtype",
    "prefill_seqs",
    "prefill_len",
    "prefix_len",
    "decode_seqs",
    "decode_context",
    "latency_ms",
)
_INT_COLUMNS = ("tp", "prefill_seqs", "prefill_len", "prefix_len", "decode_seqs", "decode_context")
_GEMM_COLUMNS = ("dtype", "M", "N", "K", "ms_median")
_ATTN_P_COLUMNS = ("backend", "batch", "q_heads", "kv_heads", "head_dim", "q_len", "kv_len", "ms_median")
_ATTN_D_COLUMNS = ("backend", "batch", "q_heads", "kv_heads", "head_dim", "kv_len", "ms_median")
_MAX_LISTED = 6


class MeasurementError(ValueError):
    """Bad calibration input; the message names the file, rows and columns at fault."""


def _rows_text(rows: Iterable[int]) -> str:
    rows = sorted(set(rows))
    shown = ", ".join(str(r) for r in rows[:_MAX_LISTED])
    more = f" (+{len(rows) - _MAX_LISTED} more)" if len(rows) > _MAX_LISTED else ""
    return ("row " if len(rows) == 1 else "rows ") + shown + more


#: Most data rows read from one measurement/sweep file (calibration work grows with rows; 20,000
#: rows fit in about 20 s on one core).
MAX_TABLE_ROWS = 20_000


def _decode(data: str | bytes, name: str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MeasurementError(f"{name}: not a UTF-8 text file (CSV or TSV expected)") from None
    return data.lstrip("\ufeff")


def read_table(data: str | bytes, name: str = "measurements") -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV or TSV text (delimiter: tab if the header has one, else comma;
    ``;`` if the header has neither). Blank lines and ``#`` comment lines are skipped."""
    text = _decode(data, name)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise MeasurementError(f"{name}: the file is empty (expected a header row and data rows)")
    if len(lines) > MAX_TABLE_ROWS + 1:  # bounded work (issue 11): refuse before parsing
        raise MeasurementError(f"{name}: {len(lines) - 1:,} rows; the limit is {MAX_TABLE_ROWS:,} rows per file")
    head = lines[0]
    delim = "\t" if "\t" in head else ("," if "," in head else (";" if ";" in head else ","))
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)
    try:
        rows = [[c.strip() for c in r] for r in reader]
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KB field limit
        raise MeasurementError(f"{name}: not a readable CSV/TSV table ({exc})") from None
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    if not body:
        raise MeasurementError(f"{name}: the file has a header but no data rows")
    return header, body


def sniff_kind(header: list[str]) -> str:
    """``"steps"``, ``"gemm"``, ``"attention_prefill"``, ``"attention_decode"`` or ``"unknown"``."""
    cols = {h.strip().lower() for h in header}
    if {"latency_ms", "prefill_seqs"} & cols or "model" in cols or len(cols & set(STEP_COLUMNS)) >= 3:
        return "steps"
    if {c.lower() for c in _GEMM_COLUMNS} <= cols:
        return "gemm"
    if {c.lower() for c in _ATTN_P_COLUMNS} <= cols:
        return "attention_prefill"
    if {c.lower() for c in _ATTN_D_COLUMNS} <= cols:
        return "attention_decode"
    return "unknown"


def _check_columns(header: list[str], required: Iterable[str], name: str, what: str) -> dict[str, int]:
    low = [h.lower() for h in header]
    dupes = sorted({h for h in low if low.count(h) > 1})
    if dupes:
        raise MeasurementError(f"{name}: column(s) {', '.join(dupes)} appear more than once in the header")
    index = {h: i for i, h in enumerate(low)}
    missing = [c for c in required if c.lower() not in index]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(
                c.lower(), [h for h in low if h not in {r.lower() for r in required}], n=1, cutoff=0.6
            )
            if close:
                hints.append(f"{header[index[close[0]]]!r} → {c!r}?")
        hint = f"; did you mean {', '.join(hints)}" if hints else ""
        raise MeasurementError(
            f"{name}: missing column(s) {', '.join(missing)} for {what}{hint} "
            f"(found: {', '.join(header)}; expected: {', '.join(required)})"
        )
    return {c: index[c.lower()] for c in required}


@dataclass(frozen=True)
class StepRow:
    """One measured engine step."""

    row: int  # 1-based data row in its file
    source: str
    model: str
    hardware: str
    tp: int
    dtype: str
    spec: StepSpec
    latency_ms: float

    @property
    def phase(self) -> str:
        s = self.spec
        if s.prefill_seqs and s.decode_seqs:
            return "mixed"
        return "prefill" if s.prefill_seqs else "decode"

    def key(self) -> tuple[Any, ...]:
        s = self.spec
        return (
            self.model.lower(),
            self.hardware.lower(),
            self.tp,
            self.dtype.lower(),
            s.prefill_seqs,
            s.prefill_len,
            s.prefix_len,
            s.decode_seqs,
            s.decode_context,
        )

    def as_dict(self) -> dict[str, Any]:
        s = self.spec
        return {
            "source": self.source,
            "row": self.row,
            "model": self.model,
            "hardware": self.hardware,
            "tp": self.tp,
            "dtype": self.dtype,
            "prefill_seqs": s.prefill_seqs,
            "prefill_len": s.prefill_len,
            "prefix_len": s.prefix_len,
            "decode_seqs": s.decode_seqs,
            "decode_context": s.decode_context,
            "phase": self.phase,
            "latency_ms": self.latency_ms,
        }


@dataclass(frozen=True)
class StepTable:
    rows: tuple[StepRow, ...]
    sources: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def describe(self) -> str:
        return f"{' + '.join(self.sources)} ({len(self.rows)} rows)"


def _number(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def parse_step_table(data: str | bytes, name: str = "measurements") -> StepTable:
    """Parse one steps file; raises :class:`MeasurementError` listing every bad cell (up to a few)."""
    header, body = read_table(data, name)
    col = _check_columns(header, STEP_COLUMNS, name, "engine steps")
    problems: dict[tuple[str, str], list[int]] = {}

    def bad(column: str, why: str, row: int) -> None:
        problems.setdefault((column, why), []).append(row)

    out: list[StepRow] = []
    for i, cells in enumerate(body, start=1):
        if len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))
        vals: dict[str, Any] = {}
        ok = True
        for c in ("model", "hardware", "dtype"):
            text = cells[col[c]]
            if not text:
                bad(c, "is empty", i)
                ok = False
            vals[c] = text
        for c in (*_INT_COLUMNS, "latency_ms"):
            raw = cells[col[c]]
            try:
                v = _number(raw)
            except ValueError:
                bad(c, "is not a number" if raw else "is empty", i)
                ok = False
                continue
            if v < 0:
                bad(c, "is negative", i)
                ok = False
                continue
            if c != "latency_ms":
                if v != int(v):
                    bad(c, "is not a whole number", i)
                    ok = False
                    continue
                vals[c] = int(v)
            else:
                vals[c] = v
        if not ok:
            continue
        if vals["latency_ms"] <= 0:
            bad("latency_ms", "must be positive", i)
            continue
        if vals["tp"] < 1:
            bad("tp", "must be at least 1", i)
            continue
        try:
            spec = StepSpec(
                vals["prefill_seqs"],
                vals["prefill_len"],
                vals["prefix_len"],
                vals["decode_seqs"],
                vals["decode_context"],
            )
        except ValueError as exc:
            cols = (
                "prefill_seqs/prefill_len"
                if "prefill" in str(exc) and "decode" not in str(exc)
                else "prefill_seqs/decode_seqs"
            )
            bad(cols, f"do not describe a step ({exc})", i)
            continue
        if spec.decode_seqs and spec.decode_context < 1:
            bad("decode_context", "must be at least 1 when decode_seqs > 0", i)
            continue
        out.append(
            StepRow(
                row=i,
                source=name,
                model=vals["model"],
                hardware=vals["hardware"],
                tp=vals["tp"],
                dtype=vals["dtype"].lower(),
                spec=spec,
                latency_ms=float(vals["latency_ms"]),
            )
        )
    if problems:
        parts = [f"{_rows_text(rows)}: column {c} {why}" for (c, why), rows in problems.items()]
        raise MeasurementError(f"{name}: " + "; ".join(parts))
    return StepTable(rows=tuple(out), sources=(name,))


def merge_tables(tables: Iterable[StepTable]) -> StepTable:
    """Concatenate step tables; identical steps (same model, hardware, tp, dtype and shape) are an error."""
    rows: list[StepRow] = []
    sources: list[str] = []
    for t in tables:
        rows.extend(t.rows)
        sources.extend(t.sources)
    if not rows:
        raise MeasurementError("no measured steps given (a steps file has columns " + ", ".join(STEP_COLUMNS) + ")")
    seen: dict[tuple[Any, ...], StepRow] = {}
    dupes: list[str] = []
    for r in rows:
        first = seen.get(r.key())
        if first is not None:
            where = f"{first.source} row {first.row}" if first.source != r.source else f"row {first.row}"
            dupes.append(f"{r.source} row {r.row} repeats {where}")
        else:
            seen[r.key()] = r
    if dupes:
        more = f" (+{len(dupes) - _MAX_LISTED} more)" if len(dupes) > _MAX_LISTED else ""
        raise MeasurementError(
            "duplicate rows (same model, hardware, tp, dtype and step shape): "
            + "; ".join(dupes[:_MAX_LISTED])
            + more
            + "; keep one median per step"
        )
    return StepTable(rows=tuple(rows), sources=tuple(sources))


# ---------------------------------------------------------------------------------------------- sweeps
@dataclass(frozen=True)
class KernelSweeps:
    """Kernel sweep rows as plain dicts (keys: lower-case column names, numbers as floats)."""

    gemm: tuple[dict[str, Any], ...] = ()
    attention_prefill: tuple[dict[str, Any], ...] = ()
    attention_decode: tuple[dict[str, Any], ...] = ()
    sources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.gemm or self.attention_prefill or self.attention_decode)

    def merged(self, other: KernelSweeps) -> KernelSweeps:
        return KernelSweeps(
            self.gemm + other.gemm,
            self.attention_prefill + other.attention_prefill,
            self.attention_decode + other.attention_decode,
            self.sources + other.sources,
        )

    def describe(self) -> str:
        parts = [
            f"{k} {len(getattr(self, k))}"
            for k in ("gemm", "attention_prefill", "attention_decode")
            if getattr(self, k)
        ]
        return f"{' + '.join(self.sources)} ({', '.join(parts)} rows)"


def parse_sweep(data: str | bytes, name: str = "sweep", kind: str | None = None) -> KernelSweeps:
    """Parse one kernel-sweep file (kind from its columns unless given)."""
    header, body = read_table(data, name)
    kind = kind or sniff_kind(header)
    required = {"gemm": _GEMM_COLUMNS, "attention_prefill": _ATTN_P_COLUMNS, "attention_decode": _ATTN_D_COLUMNS}.get(
        kind
    )
    if required is None:
        raise MeasurementError(
            f"{name}: unrecognised columns ({', '.join(header)}); expected engine steps ({', '.join(STEP_COLUMNS)}) "
            f"or a kernel sweep (gemm: {', '.join(_GEMM_COLUMNS)}; attention_prefill: {', '.join(_ATTN_P_COLUMNS)}; "
            f"attention_decode: {', '.join(_ATTN_D_COLUMNS)})"
        )
    col = _check_columns(header, required, name, f"a {kind} sweep")
    low = [h.lower() for h in header]
    text_cols = {"dtype", "backend", "label", "phase"}
    problems: dict[tuple[str, str], list[int]] = {}
    rows: list[dict[str, Any]] = []
    for i, cells in enumerate(body, start=1):
        cells = cells + [""] * (len(header) - len(cells))
        rec: dict[str, Any] = {h: cells[j] for j, h in enumerate(low)}
        ok = True
        for c in required:
            if c.lower() in text_cols:
                continue
            raw = cells[col[c]]
            try:
                v = _number(raw)
            except ValueError:
                problems.setdefault((c, "is not a number"), []).append(i)
                ok = False
                continue
            if v <= 0:
                problems.setdefault((c, "must be positive"), []).append(i)
                ok = False
                continue
            rec[c.lower()] = v
        if ok:
            rows.append(rec)
    if problems:
        raise MeasurementError(
            f"{name}: " + "; ".join(f"{_rows_text(r)}: column {c} {w}" for (c, w), r in problems.items())
        )
    return KernelSweeps(**{kind: tuple(rows)}, sources=(name,))


def load_input_files(files: Iterable[tuple[str, str | bytes]]) -> tuple[StepTable, KernelSweeps]:
    """Sort ``(name, content)`` files into steps and kernel sweeps by their columns."""
    steps: list[StepTable] = []
    sweeps = KernelSweeps()
    for name, data in files:
        header, _ = read_table(data, name)
        kind = sniff_kind(header)
        if kind == "steps":
            steps.append(parse_step_table(data, name))
        else:
            sweeps = sweeps.merged(parse_sweep(data, name, None if kind == "unknown" else kind))
    return merge_tables(steps), sweeps


def reference_steps() -> tuple[str, bytes]:
    """The shipped H200 steps file (Llama-3.1-8B, 24 steps)."""
    return REFERENCE_STEPS, (REFERENCE_DIR / REFERENCE_STEPS).read_bytes()


def reference_sweeps() -> KernelSweeps:
    """The shipped H200 kernel sweeps (cuBLAS GEMMs, SDPA attention)."""
    out = KernelSweeps()
    for f in REFERENCE_SWEEPS:
        out = out.merged(parse_sweep((REFERENCE_DIR / f).read_bytes(), f))
    return out


# ---------------------------------------------------------------------------------------------- models
def parse_model_overrides(items: Iterable[str] | None) -> dict[str, str]:
    """``["NAME=PRESET|CONFIG.json", ...]`` → ``{NAME: ref}``; raises naming the bad item."""
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, ref = str(item).partition("=")
        if not sep or not name.strip() or not ref.strip():
            raise MeasurementError(f"--model {item!r}: expected NAME=PRESET or NAME=CONFIG.json")
        out[name.strip()] = ref.strip()
    return out


_VARIANT_SUFFIX = re.compile(r"([-_.](instruct|chat|base|hf|it|fp16|bf16))+$", re.IGNORECASE)


def _base_model_name(name: str) -> str:
    """``"meta-llama/Llama-3.1-8B-Instruct"`` → ``"Llama-3.1-8B"``: fine-tuned variants share the base
    architecture, so a name falls back to its base preset."""
    return _VARIANT_SUFFIX.sub("", name.strip().split("/")[-1])


def resolve_models(
    table: StepTable, overrides: Mapping[str, str | dict[str, Any] | ModelProfile] | None = None
) -> dict[str, ModelProfile]:
    """Model profile for each name in the ``model`` column: an override (preset, config path or dict)
    or the preset of that name (aliases, case and punctuation ignored)."""
    overrides = dict(overrides or {})
    low_over = {k.lower(): v for k, v in overrides.items()}
    names: dict[str, list[int]] = {}
    for r in table.rows:
        names.setdefault(r.model, []).append(r.row)
    out: dict[str, ModelProfile] = {}
    unknown: list[str] = []
    for name, rows in names.items():
        ref = overrides.get(name, low_over.get(name.lower()))
        try:
            out[name] = load_model(ref if ref is not None else name)
        except ModelConfigError as exc:
            if ref is not None:
                raise MeasurementError(f"--model {name}={ref if isinstance(ref, str) else '<config>'}: {exc}") from None
            alt = _base_model_name(name)
            out.pop(name, None)
            if alt != name:  # a fine-tune named after its base model: price it as the base
                with contextlib.suppress(ModelConfigError):
                    out[name] = load_model(alt)
            if name not in out:
                unknown.append(f"{name!r} ({_rows_text(rows)})")
    if unknown:
        raise MeasurementError(
            f"unknown model name(s) in column model: {', '.join(unknown)}; map each with --model NAME=PRESET or "
            f"NAME=CONFIG.json (presets: {', '.join(list_model_presets())})"
        )
    return out


_DTYPE_ALIASES = {
    "bfloat16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "fp8_e4m3": "fp8",
    "e4m3": "fp8",
    "float8_e4m3fn": "fp8",
    "fp8e4m3": "fp8",
    "w8a8": "fp8",
}


def row_dtypes(dtype: str) -> Dtypes:
    """Formats of a step row: weights and activations in ``dtype`` (activations stay bf16 for weight-only
    formats such as int4), KV cache bf16 (the step format has no KV-format column; the reference
    harness quantises GEMM operands only)."""
    d = _DTYPE_ALIASES.get(dtype.lower().strip(), dtype.lower().strip())
    act = d if d in ACT_DTYPES else "bf16"
    return Dtypes(weight=d, activation=act, kv="bf16")
