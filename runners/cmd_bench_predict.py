"""``modeling bench-predict``: predict serving-benchmark means for scenario rows, vLLM or AIPerf results.

``--scenarios FILE...`` takes scenario CSVs, ``vllm bench serve --save-result`` JSONs and AIPerf
``profile_export_aiperf.json`` files (detected by content). One output row per input row, in order;
a row the tool cannot express is ``status: "unsupported: <why>"``. ``--json`` prints
``{"rows": [...], "summary": {<measured column>: {"n", "mape", "bias"}}, "timing": {...}}``;
``--out FILE.csv`` writes the rows as CSV. See ``dashboard/services/serving_predict.py``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from typing import Any

from runners.common import CliError, emit_json


def add_parser(sub: Any) -> None:
    from dashboard.features.params import add_arguments, argument
    from dashboard.services.bench_io import ResultDefaults
    from dashboard.sim.workload import WorkloadConfig

    p = sub.add_parser(
        "bench-predict",
        help="predict TTFT/TPOT/ITL/throughput of benchmark scenarios "
        "(scenario CSV, vLLM --save-result JSON, AIPerf export)",
    )
    p.add_argument(
        "--scenarios",
        nargs="+",
        required=True,
        metavar="FILE",
        help="scenario CSV / vLLM result JSON / AIPerf profile_export_aiperf.json (several allowed)",
    )
    p.add_argument(
        "--hardware",
        help="hardware preset, fitted profile (e.g. h200+trtllm) or profile JSON; overrides the hardware column",
    )
    p.add_argument("--engine", help="engine (vllm, sglang, trtllm); overrides the engine column")
    p.add_argument("--model", help="model preset for JSON results whose model_id matches no preset")
    # types, bounds and help from the declarations (dashboard/features/params.py)
    add_arguments(p, ResultDefaults)
    p.add_argument("--seed", dest="seed", **argument(WorkloadConfig, "seed", default=0, suffix="of simulated arrivals"))
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--out", metavar="FILE.csv", help="write the rows to this CSV")
    p.set_defaults(func=run)


def load_rows(paths: list[str], model: str | None, num_gpus: int | None, tp: int | None) -> list[dict[str, Any]]:
    """Parse the files; JSON results whose model matches no preset need ``--model`` (CliError)."""
    from dashboard.services.bench_io import fill_missing_gpus, read_results
    from dashboard.services.serving_predict import resolve_model_name

    try:
        rows = read_results(paths)
    except ValueError as exc:
        raise CliError(f"--scenarios: {exc}") from None
    fill_missing_gpus(rows, num_gpus, tp)
    for r in rows:
        if "_lengths" in r or r.get("_output_throughput") is not None:  # a JSON result
            if model:
                r["model"] = model
                continue
            try:
                resolve_model_name(str(r.get("model") or ""))
            except ValueError:
                raise CliError(
                    f"--scenarios: {r.get('_source')}: model {r.get('model')!r} matches no preset; give --model PRESET"
                ) from None
    return rows


def public_row(r: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in r.items() if not k.startswith("_")}


def run(args: argparse.Namespace) -> int:
    from dashboard.services.serving_predict import (
        MEASURED_COLUMNS,
        is_serving_profile_ref,
        predict_row,
        summarize_errors,
    )

    if args.hardware:
        from dashboard.features.hardware import HardwareError, load_hardware
        from dashboard.services.serving_predict import load_serving_profile, normalise_hardware_name

        try:
            if is_serving_profile_ref(args.hardware):
                load_serving_profile(args.hardware)
            else:
                load_hardware(normalise_hardware_name(args.hardware))
        except (HardwareError, ValueError) as exc:
            raise CliError(f"--hardware: {exc}") from None
    if args.engine:
        from dashboard.services.serving_predict import list_engines

        if args.engine.strip().lower() not in list_engines():
            raise CliError(f"--engine: unknown engine {args.engine!r}; known: {', '.join(list_engines())}")
    rows = load_rows(args.scenarios, args.model, args.num_gpus, args.tp)
    out = [public_row(predict_row(r, hardware=args.hardware, engine=args.engine, seed=args.seed)) for r in rows]
    summary = summarize_errors(out)
    timing = _timing(out)
    if args.out:
        _write_csv(args.out, out)
    if args.json:
        emit_json({"rows": out, "summary": summary, "timing": timing})
        return 0
    _print_table(out, summary, timing, MEASURED_COLUMNS)
    return 0


def _timing(rows: list[dict[str, Any]]) -> dict[str, Any]:
    t: dict[str, Any] = {}
    for mode in ("max", "concurrency", "rate"):
        ms = [r["elapsed_ms"] for r in rows if str(r.get("load") or "").lower() == mode and r["status"] == "ok"]
        if ms:
            t[mode] = {"rows": len(ms), "mean_ms_per_row": sum(ms) / len(ms), "max_ms_per_row": max(ms)}
    return t


def _write_csv(path: str, rows: list[dict[str, Any]]) -> None:
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=keys)
            w.writeheader()
            for r in rows:
                w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in keys})
    except OSError as exc:
        raise CliError(f"--out: cannot write {path} ({exc})") from None


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None:
        return "-"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "-" if math.isnan(x) else f"{x:,.{nd}f}"


def _print_table(
    rows: list[dict[str, Any]], summary: dict[str, Any], timing: dict[str, Any], measured: tuple[str, ...]
) -> None:
    w = sys.stdout.write
    w(
        f"{'#':>3} {'model':<22} {'load':<11} {'gpus':>4} {'tp/ep':>6} "
        f"{'TTFT ms':>17} {'TPOT ms':>15} {'ITL ms':>15} {'tok/s/GPU':>21}  profile\n"
    )
    for i, r in enumerate(rows):
        if r["status"] != "ok":
            w(f"{i:>3} {str(r.get('model'))[:22]:<22} {r.get('load')!s:<11} {'':>4} {'':>6} {r['status']}\n")
            continue
        cells = []
        for c, nd in zip(measured, (1, 2, 2, 0), strict=True):
            m = r.get(c)
            cells.append(f"{_fmt(r.get('pred_' + c), nd)}" + (f" ({_fmt(m, nd)})" if m is not None else ""))
        lay = f"{r.get('tp_used')}/{r.get('ep_used')}"
        warn = f"  ⚠ {r['warning']}" if r.get("warning") else ""
        w(
            f"{i:>3} {str(r.get('model'))[:22]:<22} {r.get('load')!s:<11} {_fmt(r.get('num_gpus'), 0):>4} {lay:>6} "
            f"{cells[0]:>17} {cells[1]:>15} {cells[2]:>15} {cells[3]:>21}  {r.get('profile')}{warn}\n"
        )
    w("predicted (measured); summary per measured column: n, MAPE %, bias %\n")
    for c, s in summary.items():
        if s["n"]:
            w(f"  {c:<22} n={s['n']:<4} MAPE {s['mape']:6.1f} %  bias {s['bias']:+6.1f} %\n")
    for mode, t in timing.items():
        w(f"  speed: {mode:<11} {t['rows']} rows, {t['mean_ms_per_row']:.1f} ms/row (max {t['max_ms_per_row']:.1f})\n")
