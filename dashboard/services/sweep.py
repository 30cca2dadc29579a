"""Sweeps: the cross product of a sweep spec as independent simulation tasks, on a process pool or Ray.

A **sweep spec** (JSON or YAML) names lists; these keys are read exactly (other tools write them):

``models``, ``hardware``, ``engines``, ``tp``, ``ep``, ``workloads`` (a list of objects with
``input_len``, ``output_len``, ``request_rate`` or ``concurrency``, ``num_requests``, or ``trace``),
``seeds``, ``max_num_seqs``, ``max_num_batched_tokens``; optional ``weight_dtype``, ``kv_dtype``
(lists), ``dp`` (list) and per-workload ``input_dist``/``output_dist``/``arrival``/``burstiness``
/``trace_block_size``/``time_scale``. A missing key takes its default (one value). Every cell of
the cross product is one :class:`SweepCell`; its **key** is the canonical JSON of its parameters,
so results are identified by what was run, not by position.

Backends: ``pool`` (``ProcessPoolExecutor``, spawned workers) or ``ray`` (one remote task per cell;
``ray.init()`` locally with ``num_cpus=workers``, or an existing cluster by address / ``auto``).
A cell's result depends only on its parameters (the seed is one of them), so both backends give
identical rows. :func:`run_sweep` is resumable: rows already in the output file (matched by
``cell_key``) are kept and only missing cells run; the output is rewritten atomically as results
arrive, so an interrupted sweep loses at most the cells in flight.

Every metric comes from :func:`dashboard.sim_scheduler.simulate` through
:func:`dashboard.services.simulation.run_job`, hence from the shared cost model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.features.safe_io import allow_paths, paths_allowed
from dashboard.services.sweep_run import SweepRun

__all__ = [
    "MAX_SWEEP_CELLS",
    "SPEC_KEYS",
    "SweepCell",
    "SweepRun",
    "SweepSpec",
    "cells_of",
    "load_spec",
    "parse_spec",
    "read_results",
    "run_cell",
    "run_sweep",
    "write_results",
]

#: Keys a sweep spec may hold.
SPEC_KEYS: tuple[str, ...] = (
    "models",
    "hardware",
    "engines",
    "tp",
    "ep",
    "dp",
    "workloads",
    "seeds",
    "max_num_seqs",
    "max_num_batched_tokens",
    "weight_dtype",
    "kv_dtype",
    "name",
)
WORKLOAD_KEYS: tuple[str, ...] = (
    "input_len",
    "output_len",
    "request_rate",
    "concurrency",
    "num_requests",
    "trace",
    "input_dist",
    "output_dist",
    "arrival",
    "burstiness",
    "trace_block_size",
    "time_scale",
    "name",
)
#: Most cells in one sweep (each is a simulation).
MAX_SWEEP_CELLS = 100_000
#: Most requests in one cell.
MAX_CELL_REQUESTS = 1_000_000
#: Largest spec file (bytes).
MAX_SPEC_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (lists of values per axis)."""

    models: tuple[str, ...]
    hardware: tuple[str, ...]
    engines: tuple[str, ...]
    tp: tuple[int, ...]
    ep: tuple[int, ...]
    dp: tuple[int, ...]
    workloads: tuple[dict[str, Any], ...]
    seeds: tuple[int, ...]
    max_num_seqs: tuple[int | None, ...]
    max_num_batched_tokens: tuple[int | None, ...]
    weight_dtype: tuple[str, ...]
    kv_dtype: tuple[str, ...]
    base_dir: str = "."
    #: strings may name files (model/hardware/engine profiles, traces): true for a spec read from a
    #: file by the program or the CLI, false for spec text typed in a page (issue 11)
    paths_trusted: bool = False

    @property
    def num_cells(self) -> int:
        n = 1
        for axis in (
            self.models,
            self.hardware,
            self.engines,
            self.tp,
            self.ep,
            self.dp,
            self.workloads,
            self.seeds,
            self.max_num_seqs,
            self.max_num_batched_tokens,
            self.weight_dtype,
            self.kv_dtype,
        ):
            n *= len(axis)
        return n


@dataclass(frozen=True)
class SweepCell:
    """One simulation of a sweep: plain, picklable parameters."""

    model: str
    hardware: str
    engine: str
    tp: int
    ep: int
    dp: int
    workload: tuple[tuple[str, Any], ...]
    seed: int
    max_num_seqs: int | None
    max_num_batched_tokens: int | None
    weight_dtype: str
    kv_dtype: str
    paths_trusted: bool = False  # not a parameter: kept out of params() and the key

    def params(self) -> dict[str, Any]:
        """The cell's parameters as one flat row (workload fields prefixed ``wl_``)."""
        row: dict[str, Any] = {
            "model": self.model,
            "hardware": self.hardware,
            "engine": self.engine,
            "tp": self.tp,
            "ep": self.ep,
            "dp": self.dp,
            "seed": self.seed,
            "max_num_seqs": self.max_num_seqs,
            "max_num_batched_tokens": self.max_num_batched_tokens,
            "weight_dtype": self.weight_dtype,
            "kv_dtype": self.kv_dtype,
        }
        for k, v in self.workload:
            row[f"wl_{k}"] = v
        return row

    @property
    def key(self) -> str:
        return json.dumps(self.params(), sort_keys=True, separators=(",", ":"), default=str)


def _as_list(spec: dict[str, Any], key: str, default: list[Any]) -> list[Any]:
    v = spec.get(key, default)
    if v is None:
        return list(default)
    if not isinstance(v, list):
        v = [v]
    if not v:
        raise ValueError(f"sweep spec: {key!r} must not be empty")
    if len(v) > 10_000:
        raise ValueError(f"sweep spec: {key!r} has more than 10,000 values")
    return v


def _ints(
    spec: dict[str, Any], key: str, default: list[Any], *, allow_none: bool = False, hi: int = 1 << 20
) -> tuple[Any, ...]:
    out: list[Any] = []
    for v in _as_list(spec, key, default):
        if v is None and allow_none:
            out.append(None)
            continue
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi:
            raise ValueError(f"sweep spec: {key!r} values must be integers in [1, {hi}], got {v!r}")
        out.append(v)
    return tuple(dict.fromkeys(out))


def _strs(spec: dict[str, Any], key: str, default: list[str]) -> tuple[str, ...]:
    out = []
    for v in _as_list(spec, key, default):
        if not isinstance(v, str) or not v.strip() or len(v) > 500:
            raise ValueError(f"sweep spec: {key!r} values must be non-empty strings, got {v!r}")
        out.append(v.strip())
    return tuple(dict.fromkeys(out))


def _workload(i: int, w: Any) -> dict[str, Any]:
    where = f"sweep spec: workloads[{i}]"
    if not isinstance(w, dict):
        raise ValueError(f"{where} must be an object")
    unknown = sorted(set(w) - set(WORKLOAD_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(WORKLOAD_KEYS)})")
    out: dict[str, Any] = {}
    if "trace" in w:
        if not isinstance(w["trace"], str) or not w["trace"]:
            raise ValueError(f"{where}: trace must be a file path")
        if "input_len" in w or "output_len" in w:
            raise ValueError(f"{where}: give either trace or input_len/output_len, not both")
    else:
        for k in ("input_len", "output_len"):
            if k not in w:
                raise ValueError(f"{where}: {k} is required (or give trace)")
    for k in ("input_len", "output_len", "num_requests", "concurrency", "trace_block_size"):
        if k in w and w[k] is not None:
            v = w[k]
            hi = MAX_CELL_REQUESTS if k == "num_requests" else 1 << 20
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi:
                raise ValueError(f"{where}: {k} must be an integer in [1, {hi}], got {v!r}")
    for k in ("request_rate", "burstiness", "time_scale"):
        if k in w and w[k] is not None:
            v = w[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v > 0):
                raise ValueError(f"{where}: {k} must be a positive finite number, got {v!r}")
    if w.get("request_rate") is not None and w.get("concurrency") is not None:
        raise ValueError(f"{where}: give request_rate or concurrency, not both")
    for k in WORKLOAD_KEYS:
        if k in w and w[k] is not None:
            out[k] = w[k]
    if "trace" not in out:
        out.setdefault("num_requests", 200)
    return out


def parse_spec(spec: Any, base_dir: str | Path = ".") -> SweepSpec:
    """Validate a sweep spec (a dict as read from JSON/YAML); raises ``ValueError`` naming the key."""
    if not isinstance(spec, dict):
        raise ValueError("sweep spec must be a JSON/YAML object")
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise ValueError(f"sweep spec: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(SPEC_KEYS)})")
    if "models" not in spec or "hardware" not in spec or "workloads" not in spec:
        raise ValueError("sweep spec needs 'models', 'hardware' and 'workloads'")
    wls = _as_list(spec, "workloads", [])
    out = SweepSpec(
        models=_strs(spec, "models", []),
        hardware=_strs(spec, "hardware", []),
        engines=_strs(spec, "engines", ["vllm"]),
        tp=_ints(spec, "tp", [1], hi=1024),
        ep=_ints(spec, "ep", [1], hi=1024),
        dp=_ints(spec, "dp", [1], hi=1024),
        workloads=tuple(_workload(i, w) for i, w in enumerate(wls)),
        seeds=tuple(dict.fromkeys(_seed(v) for v in _as_list(spec, "seeds", [0]))),
        max_num_seqs=_ints(spec, "max_num_seqs", [None], allow_none=True, hi=1 << 16),
        max_num_batched_tokens=_ints(spec, "max_num_batched_tokens", [None], allow_none=True),
        weight_dtype=_strs(spec, "weight_dtype", ["bf16"]),
        kv_dtype=_strs(spec, "kv_dtype", ["bf16"]),
        base_dir=str(base_dir),
    )
    if out.num_cells > MAX_SWEEP_CELLS:
        raise ValueError(f"sweep spec has {out.num_cells:,} cells; the limit is {MAX_SWEEP_CELLS:,}")
    return out


def _seed(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**31:
        raise ValueError(f"sweep spec: 'seeds' values must be integers in [0, 2^31), got {v!r}")
    return v


def load_spec(path: str | Path) -> SweepSpec:
    """Read a JSON or YAML sweep spec file (``.yaml``/``.yml`` parsed with ``yaml.safe_load``)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ValueError(f"cannot read sweep spec {path}: {exc.strerror}") from None
    if size > MAX_SPEC_BYTES:
        raise ValueError(f"sweep spec is {size:,} bytes; the limit is {MAX_SPEC_BYTES:,}")
    text = p.read_text(encoding="utf-8").lstrip("\ufeff")
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"sweep spec is not valid YAML: {str(exc).splitlines()[0]}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"sweep spec is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    return dataclasses.replace(parse_spec(data, p.parent), paths_trusted=True)


def cells_of(spec: SweepSpec) -> list[SweepCell]:
    """Every cell of the cross product, in a deterministic order."""
    cells = []
    # two products of six (typeshed types itertools.product up to six iterables); same order as one of twelve
    for (m, hw, eng, tp, ep, dp), (wl, seed, mns, mbt, wd, kd) in itertools.product(
        itertools.product(spec.models, spec.hardware, spec.engines, spec.tp, spec.ep, spec.dp),
        itertools.product(
            spec.workloads, spec.seeds, spec.max_num_seqs, spec.max_num_batched_tokens, spec.weight_dtype, spec.kv_dtype
        ),
    ):
        w = dict(wl)
        if "trace" in w and not Path(w["trace"]).is_absolute():
            w["trace"] = str(Path(spec.base_dir) / w["trace"])
        cells.append(
            SweepCell(
                m,
                hw,
                eng,
                tp,
                ep,
                dp,
                tuple(sorted(w.items())),
                seed,
                mns,
                mbt,
                wd,
                kd,
                spec.paths_trusted or paths_allowed(),
            )
        )
    return cells


def _job_for(cell: SweepCell) -> Any:
    """The :class:`~dashboard.services.simulation.SimJob` of a cell (raises ``ValueError``)."""
    with allow_paths() if cell.paths_trusted else contextlib.nullcontext():
        return _job_for_trusted(cell)


def _job_for_trusted(cell: SweepCell) -> Any:
    from dashboard.features.engine import load_engine
    from dashboard.features.hardware import load_hardware
    from dashboard.features.parallel import Dtypes, ParallelConfig, validate_parallel
    from dashboard.features.presets import load_model
    from dashboard.services.simulation import SimJob
    from dashboard.sim.traces import load_trace
    from dashboard.sim_scheduler import SchedulerConfig, WorkloadConfig

    model = load_model(cell.model)
    hw = load_hardware(cell.hardware)
    par = ParallelConfig(tp=cell.tp, ep=cell.ep)
    validate_parallel(model, par)
    dt = Dtypes(weight=cell.weight_dtype, activation="bf16", kv=cell.kv_dtype)
    w = dict(cell.workload)
    engine = load_engine(cell.engine)
    mns = cell.max_num_seqs
    if mns is not None and cell.max_num_batched_tokens is not None:
        mns = min(mns, cell.max_num_batched_tokens)  # vLLM: max_num_seqs ≤ the token budget
    sched = SchedulerConfig.from_engine(
        engine, hw, cell.tp, max_num_batched_tokens=cell.max_num_batched_tokens, max_num_seqs=mns
    )
    if "trace" in w:
        tw = load_trace(
            w["trace"],
            block_size=w.get("trace_block_size"),
            time_scale=w.get("time_scale", 1.0),
            request_rate=w.get("request_rate"),
            concurrency=w.get("concurrency"),
        )
        workload: Any = tw.workload
    else:
        workload = WorkloadConfig(
            num_requests=w.get("num_requests", 200),
            input_len=w["input_len"],
            output_len=w["output_len"],
            input_dist=w.get("input_dist", "fixed"),
            output_dist=w.get("output_dist", "fixed"),
            arrival=w.get("arrival", "poisson"),
            request_rate=w.get("request_rate"),
            burstiness=w.get("burstiness", 1.0),
            concurrency=w.get("concurrency"),
            seed=cell.seed,
        )
    return SimJob(
        model=model,
        hardware=hw,
        workload=workload,
        scheduler=sched,
        parallel=par,
        dtypes=dt,
        dp=cell.dp,
        router=engine.dp_router,
        labels=(),
        max_steps=20_000_000,
    )


def run_cell(cell: SweepCell) -> dict[str, Any]:
    """One output row: the cell's key and parameters, then its metrics (or ``error``)."""
    from dashboard.services.simulation import run_job

    row: dict[str, Any] = {"cell_key": cell.key, **cell.params()}
    t0 = time.perf_counter()
    try:
        job = _job_for(cell)
        for k in ("max_num_batched_tokens", "max_num_seqs", "block_size", "chunked_prefill", "admission"):
            row[f"sched_{k}"] = getattr(job.scheduler, k)  # the settings the cell ran with
        res = run_job(job)
    except (ValueError, KeyError, OSError) as exc:
        res = {"error": str(exc)}
    row.update({k: v for k, v in res.items() if k != "by_sla"})
    row["error"] = row.get("error") or ""
    row["task_s"] = time.perf_counter() - t0
    return row


def read_results(path: str | Path) -> pd.DataFrame:
    """An existing results file (CSV or Parquet), or an empty frame when it does not exist."""
    p = Path(path)
    if not p.exists():
        return pd.DataFrame()
    try:
        if p.suffix.lower() == ".parquet":
            return pd.read_parquet(p)
        return pd.read_csv(p, keep_default_na=True)
    except Exception as exc:  # a corrupt file: refuse rather than overwrite it
        raise ValueError(f"cannot read existing results {path} to resume: {exc}") from None


def write_results(rows: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Write rows atomically (a temporary file renamed over ``path``); CSV or Parquet by suffix."""
    p = Path(path)
    df = pd.DataFrame(list(rows))
    tmp = p.with_name(p.name + ".tmp")
    if p.suffix.lower() == ".parquet":
        df.to_parquet(tmp, index=False)
    else:
        df.to_csv(tmp, index=False)
    os.replace(tmp, p)


def _pool_results(cells: Sequence[SweepCell], workers: int) -> Iterable[dict[str, Any]]:
    if workers <= 1 or len(cells) <= 1:
        for c in cells:
            yield run_cell(c)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futs = [pool.submit(run_cell, c) for c in cells]
        for fut in as_completed(futs):
            yield fut.result()


def _ray_results(cells: Sequence[SweepCell], workers: int, address: str | None) -> Iterable[dict[str, Any]]:
    try:
        import ray
    except ImportError:
        raise ValueError("Ray is not installed (pip install ray)") from None
    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, include_dashboard=False, logging_level=logging.ERROR)
        else:
            ray.init(
                num_cpus=max(1, workers), log_to_driver=False, include_dashboard=False, logging_level=logging.ERROR
            )
        started = True
    try:
        remote = ray.remote(num_cpus=1)(run_cell)
        pending = [remote.remote(c) for c in cells]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                yield ray.get(ref)
    finally:
        if started:
            ray.shutdown()


def run_sweep(
    spec: SweepSpec,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    backend: str = "pool",
    ray_address: str | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    flush_every_s: float = 2.0,
) -> pd.DataFrame:
    """Run every cell of ``spec`` not already in ``out`` and return all rows in cell order.

    ``backend``: ``pool`` or ``ray``; ``workers`` defaults to the CPU count. ``progress(done,
    total, eta_s)`` is called after each finished cell (``done`` counts resumed cells too)."""
    if backend not in ("pool", "ray"):
        raise ValueError(f"backend must be 'pool' or 'ray', got {backend!r}")
    cells = cells_of(spec)
    SweepRun(workers)  # ValueError naming the field
    workers = max(1, workers or os.cpu_count() or 1)
    existing = read_results(out) if out is not None else pd.DataFrame()
    by_key: dict[str, dict[str, Any]] = {}
    if not existing.empty:
        if "cell_key" not in existing.columns:
            raise ValueError(f"{out} has no cell_key column: not a sweep output, refusing to overwrite it")
        for rec in existing.to_dict("records"):
            by_key[str(rec["cell_key"])] = rec
    todo = [c for c in cells if c.key not in by_key]
    total = len(cells)
    done = total - len(todo)
    t0 = time.perf_counter()
    last_flush = t0
    if progress:
        progress(done, total, math.nan)
    results = _ray_results(todo, workers, ray_address) if backend == "ray" else _pool_results(todo, workers)
    for ran, row in enumerate(results, start=1):
        by_key[row["cell_key"]] = row
        done += 1
        if progress:
            rate = ran / max(1e-9, time.perf_counter() - t0)
            progress(done, total, (total - done) / rate if rate > 0 else math.nan)
        if out is not None and time.perf_counter() - last_flush >= flush_every_s:
            write_results([by_key[c.key] for c in cells if c.key in by_key], out)
            last_flush = time.perf_counter()
    rows = [by_key[c.key] for c in cells]
    if out is not None:
        write_results(rows, out)
    return pd.DataFrame(rows)
