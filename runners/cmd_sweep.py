"""``modeling sweep``: run a sweep spec's cross product of simulations on a process pool or Ray.

``--spec`` is a JSON or YAML file (keys in :mod:`dashboard.services.sweep`); ``--out`` a ``.csv`` or
``.parquet`` file, one row per cell with its parameters and metrics. An existing ``--out`` is
resumed: cells already in it are skipped. ``--ray`` runs the cells as Ray tasks (a local
``ray.init()`` by default; ``--ray auto`` or ``--ray ADDRESS`` joins an existing cluster).
Progress (cells done / total and ETA) goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from runners.common import CliError, emit_json


def add_parser(sub: Any) -> None:
    from dashboard.features.params import add_arguments
    from dashboard.services.sweep_run import SweepRun

    p = sub.add_parser("sweep", help="run a sweep spec (models × hardware × engines × layouts × workloads × seeds)")
    p.add_argument("--spec", required=True, help="sweep spec, JSON or YAML")
    p.add_argument("--out", required=True, help="results file, .csv or .parquet (resumed when it exists)")
    add_arguments(p, SweepRun)  # type, bounds and help from the declaration
    p.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="run on Ray: local ray.init() without ADDRESS, or 'auto' / an address of a cluster",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.services.sweep import load_spec, run_sweep

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise CliError("--out must end in .csv or .parquet")
    if not out.parent.is_dir():
        raise CliError(f"--out: directory {str(out.parent)!r} does not exist")
    try:
        spec = load_spec(args.spec)
    except ValueError as exc:
        raise CliError(f"--spec: {exc}") from None
    t0 = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int, eta: float) -> None:
        if args.quiet:
            return
        now = time.perf_counter()
        if done < total and now - last[0] < 0.5:
            return
        last[0] = now
        width = 30
        fill = int(width * done / max(1, total))
        eta_txt = f"ETA {eta:6.1f} s" if eta == eta else "ETA    –"
        sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} cells  {eta_txt}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    backend = "ray" if args.ray is not None else "pool"
    try:
        df = run_sweep(
            spec, out, workers=args.workers, backend=backend, ray_address=args.ray or None, progress=progress
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    errors = int((df["error"].fillna("") != "").sum()) if "error" in df else 0
    summary = {
        "cells": len(df),
        "errors": errors,
        "out": str(out),
        "backend": backend,
        "wall_s": time.perf_counter() - t0,
    }
    if args.json:
        emit_json(summary)
    else:
        print(f"{len(df)} cells ({errors} with errors) -> {out} on {backend} in {summary['wall_s']:.1f} s")
    return 0
