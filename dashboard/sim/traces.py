"""Request traces for the simulator: Mooncake-style JSONL, BurstGPT CSV and the project's own CSV.

A trace becomes a :class:`TraceWorkload`: the simulator's :class:`~dashboard.sim.workload.Workload`
(arrival seconds, prompt and output tokens) plus, where the trace has them, each request's
prefix-block ids (``hash_ids``) and the number of tokens one id covers (``hash_block_size``).

Formats (detected from the content, see :func:`detect_trace_format`):

* **Mooncake JSONL** — one JSON object per line with ``timestamp`` (milliseconds since the start),
  ``input_length``, ``output_length`` and ``hash_ids``: one id per ``hash_block_size`` tokens of the
  prompt (512 in the Mooncake traces, 16 in Alibaba's), ids chained so that two requests share an
  id only if they share the whole prefix up to that block. The last id may cover a partial block.
* **BurstGPT CSV** — header ``Timestamp, Model, Request tokens, Response tokens, Total tokens, Log
  Type`` (``Timestamp`` in seconds). Rows with zero response tokens are failed requests in BurstGPT
  and are skipped (counted in ``skipped``). BurstGPT has no prefix ids.
* **Project CSV** — ``arrival_s,prompt_tokens,output_tokens`` (see
  :func:`~dashboard.sim.workload.workload_from_trace`).

Transformations: arrivals are shifted so the first request arrives at 0; ``time_scale`` multiplies
every arrival time (0.5 replays twice as fast); ``request_rate`` instead rescales arrivals so that
the mean rate over the trace is that many requests/s (``(n − 1) / span``). A trace larger than
``MAX_TRACE_BYTES`` or with more than ``MAX_TRACE_REQUESTS`` rows is refused before parsing.

:func:`kv_block_keys` maps a request's ``hash_ids`` onto the simulator's KV blocks
(``kv_block_size`` tokens each): KV block ``j`` holds tokens ``[j·b, (j+1)·b)``, which lie in hash
block ``⌊j·b / B⌋``; its key is ``(hash_id, offset within that hash block)``. Only KV blocks that
are full *and* inside a full hash block get a shareable key, as vLLM caches only full blocks and
a trace's last id may cover fewer than ``B`` tokens. Two requests therefore share KV block ``j``
exactly when they share the hash id covering it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dashboard.features.params import like, param, validate_params
from dashboard.features.safe_io import paths_allowed
from dashboard.sim.workload import Workload, WorkloadConfig, workload_from_trace

__all__ = [
    "MAX_TRACE_BYTES",
    "MAX_TRACE_REQUESTS",
    "TRACE_FORMATS",
    "TraceReplay",
    "TraceWorkload",
    "detect_trace_format",
    "kv_block_keys",
    "load_trace",
    "parse_burstgpt",
    "parse_mooncake",
    "read_trace_text",
    "rescale_arrivals",
    "trace_to_mooncake_jsonl",
]

#: Largest trace file accepted (bytes). The dashboard's upload cap (5 MB) is lower still.
MAX_TRACE_BYTES = 256 * 1024 * 1024
#: Most requests in one trace.
MAX_TRACE_REQUESTS = 2_000_000
#: Most prefix ids in one request (2M tokens at 16 tokens per id).
MAX_HASH_IDS = 131_072

TRACE_FORMATS: tuple[str, ...] = ("mooncake", "burstgpt", "csv")

_BURSTGPT_COLS = ("Timestamp", "Request tokens", "Response tokens")


@dataclass(frozen=True)
class TraceWorkload:
    """A parsed trace: the workload, optional per-request prefix ids, and provenance."""

    workload: Workload
    format: str
    hash_ids: tuple[tuple[int, ...], ...] | None = None
    hash_block_size: int | None = None
    skipped: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def num_requests(self) -> int:
        return self.workload.num_requests

    def shared_prefix_tokens(self) -> int:
        """Prompt tokens that a perfect (infinite) prefix cache would serve: for every request,
        the full hash blocks whose id was seen in an earlier request (ids are prefix-chained, so
        a seen id means the whole prefix up to it is shared). An upper bound for the simulator's
        ``prefix_cache_hit_rate``, which a finite, LRU-evicting cache can only lower."""
        if self.hash_ids is None or not self.hash_block_size:
            return 0
        seen: set[int] = set()
        hit = 0
        B = self.hash_block_size
        for ids, prompt in zip(self.hash_ids, self.workload.prompt, strict=True):
            full = min(len(ids), prompt // B)
            k = 0
            while k < full and ids[k] in seen:
                k += 1
            hit += k * B
            seen.update(ids)
        return hit


def read_trace_text(source: str | Path | bytes) -> str:
    """The text of a trace given as a path, raw bytes or text; refuses files over
    ``MAX_TRACE_BYTES`` before reading them and strips a UTF-8 byte-order mark."""
    if isinstance(source, bytes):
        if len(source) > MAX_TRACE_BYTES:
            raise ValueError(f"trace is {len(source):,} bytes; the limit is {MAX_TRACE_BYTES:,}")
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("trace is not UTF-8 text") from None
    elif isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and paths_allowed() and Path(source).is_file()
    ):  # a string names a file only on the CLI (issue 11)
        path = Path(source)
        size = path.stat().st_size
        if size > MAX_TRACE_BYTES:
            raise ValueError(f"trace file is {size:,} bytes; the limit is {MAX_TRACE_BYTES:,}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError("trace is not UTF-8 text") from None
    else:
        text = str(source)
    return text.lstrip("\ufeff")


def detect_trace_format(text: str) -> str:
    """``mooncake`` when the first non-empty line is a JSON object, ``burstgpt`` when the CSV
    header names BurstGPT's columns, else ``csv``."""
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("{"):
            return "mooncake"
        if all(c.lower() in s.lower() for c in _BURSTGPT_COLS):
            return "burstgpt"
        return "csv"
    raise ValueError("trace is empty")


def _pos_int(v: object, what: str, line: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v != int(v):
        raise ValueError(f"trace line {line}: {what} must be a whole number, got {v!r}")
    if v < 1 or v > 1 << 24:
        raise ValueError(f"trace line {line}: {what} must be between 1 and {1 << 24}, got {v!r}")
    return int(v)


def _check_count(n: int) -> None:
    if n > MAX_TRACE_REQUESTS:
        raise ValueError(f"trace has more than {MAX_TRACE_REQUESTS:,} requests")


def parse_mooncake(text: str, block_size: int = 512) -> TraceWorkload:
    """Parse Mooncake-style JSONL (see the module docstring); ``block_size`` tokens per hash id."""
    TraceReplay(trace_block_size=block_size)  # ValueError naming the field
    rows: list[tuple[float, int, int, tuple[int, ...]]] = []
    for i, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s:
            continue
        try:
            obj = json.loads(s, parse_constant=lambda c: math.nan)
        except json.JSONDecodeError as exc:
            raise ValueError(f"trace line {i}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise ValueError(f"trace line {i}: expected a JSON object")
        for key in ("timestamp", "input_length", "output_length"):
            if key not in obj:
                raise ValueError(f"trace line {i}: missing {key!r}")
        ts = obj["timestamp"]
        if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not math.isfinite(ts) or ts < 0 or ts > 1e13:
            raise ValueError(f"trace line {i}: timestamp must be a non-negative number of milliseconds, got {ts!r}")
        p = _pos_int(obj["input_length"], "input_length", i)
        o = _pos_int(obj["output_length"], "output_length", i)
        raw_ids = obj.get("hash_ids", [])
        if not isinstance(raw_ids, list) or len(raw_ids) > MAX_HASH_IDS:
            raise ValueError(f"trace line {i}: hash_ids must be a list of at most {MAX_HASH_IDS} integers")
        ids: list[int] = []
        for h in raw_ids:
            if isinstance(h, bool) or not isinstance(h, int):
                raise ValueError(f"trace line {i}: hash_ids must be integers, got {h!r}")
            ids.append(h)
        if len(ids) > -(-p // block_size):
            raise ValueError(
                f"trace line {i}: {len(ids)} hash_ids cover more than input_length {p} "
                f"at {block_size} tokens per id (is --trace-block-size right?)"
            )
        rows.append((ts / 1000.0, p, o, tuple(ids)))
        _check_count(len(rows))
    if not rows:
        raise ValueError("trace has no requests")
    order = sorted(range(len(rows)), key=lambda k: rows[k][0])
    t0 = rows[order[0]][0]
    all_ids = tuple(rows[k][3] for k in order)
    wl = Workload(
        tuple(rows[k][0] - t0 for k in order),
        tuple(rows[k][1] for k in order),
        tuple(rows[k][2] for k in order),
        hash_ids=all_ids,
        hash_block_size=block_size,
    )
    return TraceWorkload(wl, "mooncake", all_ids, block_size)


def parse_burstgpt(text: str) -> TraceWorkload:
    """Parse a BurstGPT CSV (see the module docstring)."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t")
        delim = dialect.delimiter
    except (csv.Error, IndexError):
        delim = ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    if reader.fieldnames is None:
        raise ValueError("BurstGPT trace has no header")
    cols = {f.strip().lower(): f for f in reader.fieldnames if f}
    missing = [c for c in _BURSTGPT_COLS if c.lower() not in cols]
    if missing:
        raise ValueError(f"BurstGPT trace lacks the column(s) {', '.join(missing)}")
    rows: list[tuple[float, int, int]] = []
    skipped = 0
    for i, raw in enumerate(reader, start=2):
        try:
            ts = float(raw[cols["timestamp"]])
            req = float(raw[cols["request tokens"]])
            resp = float(raw[cols["response tokens"]])
        except (TypeError, ValueError):
            raise ValueError(f"trace line {i}: Timestamp, Request tokens and Response tokens must be numbers") from None
        if not (math.isfinite(ts) and 0 <= ts <= 1e10):
            raise ValueError(f"trace line {i}: Timestamp must be a non-negative number of seconds")
        if not (math.isfinite(req) and math.isfinite(resp)) or req < 0 or resp < 0 or req > 1 << 24 or resp > 1 << 24:
            raise ValueError(f"trace line {i}: token counts must be between 0 and {1 << 24}")
        if req < 1 or resp < 1:
            skipped += 1  # failed requests (no response) in BurstGPT
            continue
        rows.append((ts, int(req), int(resp)))
        _check_count(len(rows))
    if not rows:
        raise ValueError("BurstGPT trace has no successful requests")
    rows.sort(key=lambda r: r[0])
    t0 = rows[0][0]
    wl = Workload(tuple(r[0] - t0 for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows))
    notes = (f"skipped {skipped} failed request(s) with zero tokens",) if skipped else ()
    return TraceWorkload(wl, "burstgpt", skipped=skipped, notes=notes)


# declared once (dashboard/features/params.py): the simulator page and ``modeling simulate`` trace flags
@dataclass(frozen=True)
class TraceReplay:
    """How a trace is replayed: ``trace_block_size`` tokens per hash id of a JSONL trace (``None``:
    512, Mooncake's; Alibaba's traces use 16), arrival times × ``time_scale``, or rescaled to the
    mean rate ``trace_rate`` (requests/s) instead."""

    trace_block_size: int | None = param(
        None, lo=1, hi=1 << 16, unit="tokens", label="Tokens per hash id", help="JSONL traces; default 512"
    )
    time_scale: float = param(
        1.0, lo=0.0, hi=1e6, open_lo=True, label="Time scale", help="multiplies arrival times (0.5: twice as fast)"
    )
    trace_rate: float | None = like(
        WorkloadConfig, "request_rate", label="Trace request rate", help="rescale arrivals to this mean rate"
    )

    def __post_init__(self) -> None:
        validate_params(self)


def rescale_arrivals(
    arrivals: tuple[float, ...], time_scale: float = 1.0, request_rate: float | None = None
) -> tuple[float, ...]:
    """Arrival times × ``time_scale``, or rescaled so that ``(n − 1) / span`` equals
    ``request_rate`` requests/s (a trace whose requests all arrive at once is left as it is)."""
    TraceReplay(time_scale=time_scale, trace_rate=request_rate)  # ValueError naming the field
    a = np.asarray(arrivals, dtype=float)
    if request_rate is not None:
        span = float(a.max() - a.min()) if a.size else 0.0
        if a.size > 1 and span > 0:
            a = (a - a.min()) * ((a.size - 1) / request_rate / span)
        return tuple(a.tolist())
    return tuple((a * float(time_scale)).tolist())


def load_trace(
    source: str | Path | bytes,
    *,
    block_size: int | None = None,
    time_scale: float = 1.0,
    request_rate: float | None = None,
    concurrency: int | None = None,
    fmt: str | None = None,
) -> TraceWorkload:
    """Read a trace in any supported format (detected unless ``fmt`` is given), then apply the
    time scale or rate override and the closed-loop ``concurrency`` (arrivals then ignored).
    ``block_size`` is the tokens per hash id of a Mooncake trace (default 512)."""
    text = read_trace_text(source)
    fmt = fmt or detect_trace_format(text)
    if fmt not in TRACE_FORMATS:
        raise ValueError(f"trace format must be one of {', '.join(TRACE_FORMATS)}, got {fmt!r}")
    if fmt == "mooncake":
        tw = parse_mooncake(text, block_size or 512)
    elif fmt == "burstgpt":
        tw = parse_burstgpt(text)
    else:
        if text.count("\n") + 1 > MAX_TRACE_REQUESTS + 1:
            raise ValueError(f"trace has more than {MAX_TRACE_REQUESTS:,} requests")
        tw = TraceWorkload(workload_from_trace(text if "\n" in text else text + "\n"), "csv")
    wl = tw.workload
    arr = rescale_arrivals(wl.arrival_s, time_scale, request_rate)
    new = Workload(arr, wl.prompt, wl.output, concurrency, hash_ids=wl.hash_ids, hash_block_size=wl.hash_block_size)
    return TraceWorkload(new, tw.format, tw.hash_ids, tw.hash_block_size, tw.skipped, tw.notes)


def kv_block_keys(
    hash_ids: tuple[int, ...], hash_block_size: int, kv_block_size: int, prompt_len: int
) -> list[tuple[int, int]]:
    """Shareable keys of a request's leading KV blocks (see the module docstring): one key per
    full KV block of ``kv_block_size`` tokens that lies inside a full hash block of
    ``hash_block_size`` tokens. The list stops at the first block without a key."""
    if hash_block_size < 1 or kv_block_size < 1:
        raise ValueError("block sizes must be positive")
    full_hash = min(len(hash_ids), prompt_len // hash_block_size)
    covered = full_hash * hash_block_size  # tokens inside full hash blocks
    keys: list[tuple[int, int]] = []
    for j in range(covered // kv_block_size):
        start = j * kv_block_size
        h = start // hash_block_size
        keys.append((hash_ids[h], (start % hash_block_size) // kv_block_size))
    return keys


def trace_to_mooncake_jsonl(tw: TraceWorkload) -> str:
    """Write a trace as Mooncake JSONL (``timestamp`` in whole ms); used to generate samples."""
    lines = []
    ids = tw.hash_ids or tuple(() for _ in range(tw.num_requests))
    for a, p, o, h in zip(tw.workload.arrival_s, tw.workload.prompt, tw.workload.output, ids, strict=True):
        lines.append(
            json.dumps({"timestamp": round(a * 1000), "input_length": p, "output_length": o, "hash_ids": list(h)})
        )
    return "\n".join(lines) + "\n"
