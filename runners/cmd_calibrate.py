"""``modeling calibrate`` and ``modeling predict``: fit a hardware profile to measured steps, and check
any profile against measured steps.

``modeling calibrate --measurements FILE [--measurements FILE …] --hardware BASE
[--model NAME=PRESET|CONFIG.json …] [--method derate|curves|linear] --out PROFILE.json [--json]``

``modeling predict --measurements FILE --hardware PRESET|PROFILE.json [--model NAME=PRESET|CONFIG.json …] [--json]``

Measurement files are CSV or TSV in the step format of ``dashboard/data/reference/README.md``; kernel
sweeps (gemm / attention_prefill / attention_decode columns) may be passed with ``--measurements``
too and are recognised by their columns.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dashboard.common.tables import jsonable
from runners.common import CliError, emit_json, resolve_hardware


def add_parser(sub: Any) -> None:
    p = sub.add_parser("calibrate", help="fit a calibrated hardware profile to measured engine steps")
    p.add_argument(
        "--measurements",
        action="append",
        required=True,
        metavar="FILE",
        help="measured steps (CSV/TSV, step format); repeat for more files; kernel sweeps accepted too",
    )
    p.add_argument("--hardware", required=True, help="baseline hardware preset (e.g. h200) or profile JSON")
    p.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME=PRESET|CONFIG.json",
        help="map a name of the file's model column to a preset or HF config.json",
    )
    from dashboard.features.params import add_arguments
    from dashboard.services.calibration_io import CalibrationMethod

    add_arguments(p, CalibrationMethod, ("method",), defaults=True)
    p.add_argument("--out", required=True, metavar="PROFILE.json", help="where to write the calibrated profile")
    p.add_argument("--json", action="store_true", help="print factors and fit metrics as JSON")
    p.set_defaults(func=run_calibrate)

    q = sub.add_parser("predict", help="predicted vs measured latency of measured steps on a hardware profile")
    q.add_argument(
        "--measurements",
        action="append",
        required=True,
        metavar="FILE",
        help="measured steps (CSV/TSV, step format); repeat for more files",
    )
    q.add_argument("--hardware", required=True, help="hardware preset or (calibrated) profile JSON")
    q.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME=PRESET|CONFIG.json",
        help="map a name of the file's model column to a preset or HF config.json",
    )
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=run_predict)


MAX_MEASUREMENT_BYTES = 64_000_000  # per --measurements file (the row bound is calibration_io.MAX_TABLE_ROWS)


def _read_files(paths: list[str]) -> list[tuple[str, bytes]]:
    out = []
    for p in paths:
        path = Path(p)
        try:
            if path.is_file() and path.stat().st_size > MAX_MEASUREMENT_BYTES:
                raise CliError(
                    f"--measurements: {p} is larger than {MAX_MEASUREMENT_BYTES // 1_000_000} MB (size bound)"
                )
            out.append((path.name, path.read_bytes()))
        except FileNotFoundError:
            raise CliError(f"--measurements: file not found: {p}") from None
        except OSError as exc:
            raise CliError(f"--measurements: cannot read {p}: {exc.strerror or exc}") from None
    return out


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def run_calibrate(args: argparse.Namespace) -> int:
    from dashboard.services.calibration import calibrate
    from dashboard.services.calibration_io import MeasurementError, load_input_files, parse_model_overrides

    base = resolve_hardware(args.hardware)
    files = _read_files(args.measurements)
    try:
        overrides = parse_model_overrides(args.model)
        table, sweeps = load_input_files(files)
        result = calibrate(table, base, args.method, sweeps=sweeps or None, models=overrides)
    except MeasurementError as exc:
        raise CliError(_one_line(exc)) from None
    out = Path(args.out)
    if not out.parent.is_dir():  # create only the file, never directories (issue 11)
        raise CliError(f"--out: directory {out.parent} does not exist (create it first)")
    if out.exists() and not out.is_file():
        raise CliError(f"--out: {args.out} exists and is not a regular file")
    try:
        out.write_text(json.dumps(jsonable(result.profile_dict()), indent=2) + "\n")
    except OSError as exc:
        raise CliError(f"--out: cannot write {args.out}: {exc.strerror or exc}") from None
    doc = {
        "profile": str(out),
        "name": result.profile.name,
        "baseline": base.slug,
        "method": result.method,
        "data": result.data,
        "factors": [p.as_dict() for p in result.params],
        "metrics": result.metrics,
        "baseline_metrics": result.baseline_metrics,
        "suggested": result.suggested,
        "notes": result.notes,
        "rows": result.rows,
    }
    if args.json:
        emit_json(doc)
        return 0
    m = result.metrics
    print(f"calibrated {base.name} on {result.data} with method {result.method!r} → {out}")
    print(f"{'factor':<58}{'value':>12}  95% CI")
    for p in result.params:
        ci = "fixed" if p.ci_low != p.ci_low else f"[{p.ci_low:.4g}, {p.ci_high:.4g}]"
        print(f"{p.label:<58}{p.value:>12.4g}  {ci} {p.unit}{'  (at bound)' if p.at_bound else ''}")
    print(
        f"MAPE {m['mape']:.2%}  worst {m['max_abs_rel_error']:.2%}  R² {m['r2']:.4f}"
        + (
            f"  leave-one-out MAPE {m['loo_mape']:.2%} (worst {m['loo_max_abs_rel_error']:.2%})"
            if "loo_mape" in m
            else ""
        )
    )
    print(
        f"uncalibrated {base.slug}: MAPE {result.baseline_metrics['mape']:.2%}  "
        f"worst {result.baseline_metrics['max_abs_rel_error']:.2%}"
    )
    s = result.suggested
    print(
        f"quote: GEMM {s['gemm_tflops']:.0f} TFLOP/s ({s['gemm_mfu']:.0%} MFU), HBM {s['hbm_tb_s']:.2f} TB/s "
        f"({s['hbm_efficiency']:.0%})"
    )
    for n in result.notes:
        print(f"note: {n}")
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from dashboard.services.calibration import predict
    from dashboard.services.calibration_io import (
        MeasurementError,
        load_input_files,
        parse_model_overrides,
    )

    hw = resolve_hardware(args.hardware)
    files = _read_files(args.measurements)
    try:
        overrides = parse_model_overrides(args.model)
        table, _ = load_input_files(files)
        res = predict(table, hw, overrides)
    except MeasurementError as exc:
        raise CliError(_one_line(exc)) from None
    if args.json:
        emit_json(res)
        return 0
    print(f"{res['data']} on {hw.name} ({res['profile']})")
    print(f"{'source':<24}{'row':>4} {'model':<16}{'phase':<8}{'measured ms':>12}{'predicted ms':>13}{'error':>9}")
    for r in res["rows"]:
        print(
            f"{r['source'][:23]:<24}{r['row']:>4} {r['model'][:15]:<16}{r['phase']:<8}{r['measured_ms']:>12.4f}"
            f"{r['predicted_ms']:>13.4f}{r['rel_error']:>+9.2%}"
        )
    print(f"MAPE {res['mape']:.2%}  worst {res['max_abs_rel_error']:.2%}  R² {res['r2']:.4f}")
    return 0
