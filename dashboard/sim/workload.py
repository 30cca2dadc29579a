"""Request workloads for the scheduler simulator: lengths, arrivals, closed-loop clients, traces.

A :class:`Workload` is plain arrays (arrival seconds, prompt tokens, output tokens) plus an
optional closed-loop ``concurrency`` (then arrivals are ignored: ``concurrency`` clients each send
their next request the moment the previous one finishes, as ``vllm bench serve --max-concurrency``
does with an infinite request rate).

Lengths (``fixed``/``uniform``/``normal``/``lognormal``) keep the given mean:

* uniform: integers in ``[mean·(1 − spread), mean·(1 + spread)]`` (vLLM's random dataset
  ``range_ratio``);
* normal: ``N(mean, (spread·mean)²)``;
* lognormal: ``exp(N(μ, σ²))`` with ``σ = spread`` and ``μ = ln(mean) − σ²/2`` (mean preserved);

all rounded and clipped to ``[1, max_len]``. Arrivals: Poisson (exponential gaps of mean
``1/rate``), gamma (shape = ``burstiness``, scale ``1/(rate·burstiness)``, as vLLM's benchmark;
burstiness < 1 is burstier than Poisson), constant (gaps of exactly ``1/rate``), or all at t = 0
when ``request_rate`` is ``None`` (infinite rate). Everything is drawn from
``numpy.random.default_rng(seed)``: same seed, same workload.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape
from dashboard.features.safe_io import paths_allowed, read_text_capped

__all__ = [
    "ARRIVALS",
    "LENGTH_DISTS",
    "Workload",
    "WorkloadConfig",
    "make_workload",
    "sample_lengths",
    "workload_from_trace",
]

LENGTH_DISTS: tuple[str, ...] = ("fixed", "uniform", "normal", "lognormal")
ARRIVALS: tuple[str, ...] = ("poisson", "gamma", "constant")
MAX_LEN = 1 << 20
#: most requests one synthetic workload generates (docs/SECURITY.md, "Size bounds")
MAX_REQUESTS = 1_000_000
#: Latest arrival accepted, s (~31 years): float64 seconds still resolve 0.1 µs there; at 1e17 s a
#: whole decode rounds away.
MAX_ARRIVAL_S = 1e9
#: Most requests read from one trace CSV.
MAX_TRACE_ROWS = 1_000_000


@dataclass(frozen=True)
class WorkloadConfig:
    """A synthetic workload; ``request_rate`` in requests/s (``None`` = all at once)."""

    # declared once (dashboard/features/params.py): pages, URL, CLI and JSON derive from these
    num_requests: int = param(200, lo=1, hi=MAX_REQUESTS, unit="requests", label="Requests")
    input_len: int = like(RequestShape, "input_len", 1024)
    output_len: int = like(RequestShape, "output_len", 256)
    input_dist: str = param("fixed", choices=LENGTH_DISTS, label="Prompt length distribution")
    output_dist: str = param("fixed", choices=LENGTH_DISTS, label="Output length distribution")
    input_spread: float = param(
        0.5, lo=0.0, hi=5.0, unit="× mean", label="Prompt length spread", help="σ (lognormal) or half-width (uniform)"
    )
    output_spread: float = param(
        0.5, lo=0.0, hi=5.0, unit="× mean", label="Output length spread", help="σ (lognormal) or half-width (uniform)"
    )
    arrival: str = param("poisson", choices=ARRIVALS, label="Arrival process")
    request_rate: float | None = param(
        None, lo=0.0, hi=1e6, open_lo=True, unit="req/s", label="Request rate", help="Poisson or gamma arrivals"
    )
    burstiness: float = param(
        1.0, lo=0.0, hi=1000.0, open_lo=True, label="Burstiness", help="gamma shape; 1 = Poisson, < 1 burstier"
    )
    concurrency: int | None = param(
        None, lo=1, hi=1 << 16, unit="clients", label="Concurrent clients", help="closed loop"
    )
    max_len: int = like(RequestShape, "input_len", 131072, label="Longest request")
    seed: int = param(0, lo=0, hi=(1 << 32) - 1, label="Random seed")

    def __post_init__(self) -> None:
        validate_params(self)
        for name in ("input_len", "output_len"):  # never clip a requested length (issue 11)
            if getattr(self, name) > self.max_len:
                raise ValueError(
                    f"{name} {getattr(self, name)} exceeds the longest request this workload generates "
                    f"(max_len {self.max_len}); lengths are never silently clipped"
                )
        if (self.input_dist == "uniform" and self.input_spread > 1) or (
            self.output_dist == "uniform" and self.output_spread > 1
        ):
            raise ValueError("a uniform length spread must be at most 1 (lengths stay positive)")


@dataclass(frozen=True)
class Workload:
    """Concrete requests: ``arrival_s`` (ignored when ``concurrency`` is set), ``prompt`` and
    ``output`` tokens per request, in request order."""

    arrival_s: tuple[float, ...]
    prompt: tuple[int, ...]
    output: tuple[int, ...]
    concurrency: int | None = None
    #: per request, the prefix-block ids of a trace (Mooncake ``hash_ids``): one id per
    #: ``hash_block_size`` tokens, shared ids = shared prefix (see :mod:`dashboard.sim.traces`);
    #: with ``hash_block_size`` None, one key per KV block of the simulator's block size.
    hash_ids: tuple[tuple[int, ...], ...] | None = None
    hash_block_size: int | None = None

    def __post_init__(self) -> None:
        n = len(self.prompt)
        if n == 0:
            raise ValueError("a workload needs at least one request")
        if len(self.output) != n or len(self.arrival_s) != n:
            raise ValueError("arrival_s, prompt and output must have the same length")
        if min(self.prompt) < 1 or min(self.output) < 1:
            raise ValueError("prompt and output lengths must be at least 1 token")
        if any(not math.isfinite(a) or a < 0 for a in self.arrival_s):
            raise ValueError("arrival times must be finite and non-negative")
        if self.arrival_s and max(self.arrival_s) > MAX_ARRIVAL_S:  # issue 11: 1e17 s gave TTFT 0
            raise ValueError(
                f"arrival times must be at most {MAX_ARRIVAL_S:.0e} s: beyond that, float seconds "
                "cannot resolve per-token times (lower the horizon or raise the request rate)"
            )
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.hash_ids is not None and len(self.hash_ids) != n:
            raise ValueError("hash_ids must have one entry per request")
        if self.hash_block_size is not None and self.hash_block_size < 1:
            raise ValueError("hash_block_size must be a positive number of tokens")

    @property
    def num_requests(self) -> int:
        return len(self.prompt)

    @property
    def mean_prompt_len(self) -> float:
        """Mean prompt (input) length in tokens (0 for no requests)."""
        return sum(self.prompt) / len(self.prompt) if self.prompt else 0.0

    @property
    def mean_output_len(self) -> float:
        """Mean output length in tokens (0 for no requests)."""
        return sum(self.output) / len(self.output) if self.output else 0.0


def sample_lengths(rng: np.random.Generator, n: int, mean: int, dist: str, spread: float, max_len: int) -> np.ndarray:
    """``n`` integer lengths of mean ``mean`` from ``dist`` (see the module docstring).

    Random draws are clipped to ``[1, max_len]`` (the tails only); a mean above ``max_len`` is
    refused (``ValueError``), never clipped, so a fixed length is always honoured exactly."""
    if mean > max_len:
        raise ValueError(f"length {mean} exceeds max_len {max_len}; lengths are never silently clipped")
    if dist == "fixed" or spread == 0:
        x = np.full(n, float(mean))
    elif dist == "uniform":
        lo, hi = mean * (1.0 - spread), mean * (1.0 + spread)
        x = rng.uniform(lo, hi, n)
    elif dist == "normal":
        x = rng.normal(mean, spread * mean, n)
    elif dist == "lognormal":
        sigma = spread
        x = rng.lognormal(math.log(mean) - sigma * sigma / 2.0, sigma, n)
    else:
        raise ValueError(f"unknown length distribution {dist!r}")
    return np.clip(np.rint(x), 1, max_len).astype(np.int64)


def _arrivals(rng: np.random.Generator, n: int, arrival: str, rate: float | None, burstiness: float) -> np.ndarray:
    if rate is None:
        return np.zeros(n)
    if arrival == "constant":
        gaps = np.full(n, 1.0 / rate)
    elif arrival == "gamma":
        gaps = rng.gamma(burstiness, 1.0 / (rate * burstiness), n)
    else:
        gaps = rng.exponential(1.0 / rate, n)
    gaps[0] = 0.0  # the first request starts the clock
    return np.cumsum(gaps)


def make_workload(cfg: WorkloadConfig) -> Workload:
    """Draw the requests of ``cfg`` (deterministic in ``cfg.seed``)."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.num_requests
    prompt = sample_lengths(rng, n, cfg.input_len, cfg.input_dist, cfg.input_spread, cfg.max_len)
    output = sample_lengths(rng, n, cfg.output_len, cfg.output_dist, cfg.output_spread, cfg.max_len)
    arr = _arrivals(rng, n, cfg.arrival, None if cfg.concurrency else cfg.request_rate, cfg.burstiness)
    return Workload(tuple(arr.tolist()), tuple(prompt.tolist()), tuple(output.tolist()), cfg.concurrency)


def _rows(reader: csv.DictReader) -> Iterator[dict[str, Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise ValueError(f"trace CSV is not readable: {exc}") from None


def workload_from_trace(source: str | Path | bytes, concurrency: int | None = None) -> Workload:
    """A trace CSV with header ``arrival_s,prompt_tokens,output_tokens`` (file path, CSV text or
    bytes). Rows are sorted by arrival and the clock starts at the first one (arrivals are shifted
    so that it is 0); raises ``ValueError`` naming the bad row."""
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("trace is not UTF-8 text") from None
    elif isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and paths_allowed() and Path(source).is_file()
    ):  # a string names a file only on the CLI (issue 11)
        text = read_text_capped(Path(source))
    else:
        text = str(source)
    text = text.lstrip("\ufeff").strip()  # a BOM, as measurement files accept (issue 11)
    head = text.split("\n", 1)[0]
    delim = "\t" if "\t" in head else ("," if "," in head else (";" if ";" in head else ","))
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    need = {"arrival_s", "prompt_tokens", "output_tokens"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise ValueError("trace CSV needs the header arrival_s,prompt_tokens,output_tokens")
    rows: list[tuple[float, int, int]] = []
    for i, raw in enumerate(_rows(reader), start=2):
        row = {k.strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items() if k}
        if len(rows) >= MAX_TRACE_ROWS:
            raise ValueError(f"trace has more than {MAX_TRACE_ROWS:,} requests (size bound)")
        try:
            a = float(row["arrival_s"])
            pf, of = float(row["prompt_tokens"]), float(row["output_tokens"])
        except ValueError:
            raise ValueError(f"trace line {i}: not a number in {str(row)[:200]}") from None
        if not all(math.isfinite(x) for x in (a, pf, of)) or a < 0 or pf < 1 or of < 1:
            raise ValueError(f"trace line {i}: arrival must be a finite number ≥ 0 and token counts ≥ 1")
        if not (pf.is_integer() and of.is_integer()) or max(pf, of) > MAX_LEN * 16:
            raise ValueError(f"trace line {i}: token counts must be whole numbers of at most {MAX_LEN * 16:,}")
        rows.append((a, int(pf), int(of)))
    if not rows:
        raise ValueError("trace CSV has no rows")
    rows.sort(key=lambda r: r[0])
    t0 = rows[0][0]
    if rows[-1][0] - t0 > MAX_ARRIVAL_S:
        raise ValueError(
            f"trace spans {rows[-1][0] - t0:.3g} s; at most {MAX_ARRIVAL_S:.0e} s (beyond that, float "
            "seconds cannot resolve per-token times)"
        )
    return Workload(tuple(r[0] - t0 for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows), concurrency)
