"""``modeling calibrate-serving``: fit an engine+hardware serving profile to benchmark results.

``--results FILE...`` (scenario CSVs with measured columns, vLLM ``--save-result`` JSONs, AIPerf
exports), ``--hardware BASE`` (a hardware preset or a serving profile to start from), ``--engine NAME``,
``--out PROFILE.json`` (the fitted profile, loadable with ``--hardware PROFILE.json`` everywhere).
Prints the fitted parameters with 95 % CIs, the fit error, the leave-one-configuration-out error and
the uncalibrated error per measured column; ``--json`` prints the whole report.
See ``dashboard/services/serving_calibration.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from runners.common import CliError, emit_json


def add_parser(sub: Any) -> None:
    from dashboard.features.params import add_arguments
    from dashboard.services.bench_io import ResultDefaults
    from dashboard.services.serving_calibration import FitSettings

    p = sub.add_parser(
        "calibrate-serving",
        help="fit engine serving parameters to benchmark results "
        "(scenario CSV / vLLM JSON / AIPerf) and write a profile",
    )
    p.add_argument("--results", nargs="+", required=True, metavar="FILE", help="benchmark result files")
    p.add_argument("--hardware", required=True, help="base hardware preset (e.g. h200) or a serving profile")
    p.add_argument("--engine", required=True, help="engine the results were measured on (vllm, sglang, trtllm)")
    p.add_argument("--out", required=True, metavar="PROFILE.json", help="where to write the fitted profile")
    p.add_argument("--name", help="profile name (default <hardware>+<engine>)")
    p.add_argument("--model", help="model preset for JSON results whose model_id matches no preset")
    # types, bounds and help from the declarations (dashboard/features/params.py)
    add_arguments(p, ResultDefaults)
    add_arguments(p, FitSettings, defaults=True)
    p.add_argument("--no-loo", action="store_true", help="skip the leave-one-out refits")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.features.hardware import HardwareError, load_hardware
    from dashboard.services.serving_calibration import calibrate_serving
    from dashboard.services.serving_predict import (
        is_serving_profile_ref,
        list_engines,
        load_serving_profile,
        normalise_hardware_name,
    )
    from runners.cmd_bench_predict import load_rows

    try:
        if is_serving_profile_ref(args.hardware):
            load_serving_profile(args.hardware)
        else:
            load_hardware(normalise_hardware_name(args.hardware))
    except (HardwareError, ValueError) as exc:
        raise CliError(f"--hardware: {exc}") from None
    engine = args.engine.strip().lower()
    if engine not in list_engines():
        raise CliError(f"--engine: unknown engine {args.engine!r}; known: {', '.join(list_engines())}")
    rows = load_rows(args.results, args.model, args.num_gpus, args.tp)
    quiet = args.json

    def progress(msg: str) -> None:
        if not quiet:
            print(f"  … {msg}", file=sys.stderr)

    try:
        rep = calibrate_serving(
            rows,
            hardware=args.hardware,
            engine=engine,
            name=args.name,
            max_nfev=args.max_nfev,
            loo=not args.no_loo,
            progress=progress,
        )
    except ValueError as exc:
        raise CliError(f"--results: {exc}") from None
    try:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(rep.profile.as_dict(), fh, indent=2)
            fh.write("\n")
    except OSError as exc:
        raise CliError(f"--out: cannot write {args.out} ({exc})") from None
    if args.json:
        emit_json(rep.as_dict())
        return 0
    w = sys.stdout.write
    prof = rep.profile
    w(f"profile {prof.name} (base {prof.base_hardware}, engine {prof.engine}) → {args.out}\n")
    for stage, info in rep.stages.items():
        label = {"pooled": "all max rows (profile default)", "serving": "serving rows (engine overheads)"}.get(
            stage, f"family {stage}"
        )
        w(f"  fit on {label}: {info['rows']} rows{' (pooled fit reused)' if info.get('pooled') else ''}\n")
        for k in info["fitted"] + info["not_identifiable"]:
            v = info["params"][k]
            ci = info["ci95"].get(k)
            unit_scale, unit = (1e3, " ms") if k.endswith("_s") else (1.0, "")
            cis = f"  95% CI [{ci[0] * unit_scale:.4g}, {ci[1] * unit_scale:.4g}]" if ci else "  (not identifiable)"
            w(f"    {k:<20} {v * unit_scale:10.4g}{unit}{cis}\n")
    w(f"error per measured column (MAPE % / bias %): fit | leave-one-{rep.loo_unit}-out | uncalibrated\n")
    for col, fe in rep.fit_error.items():
        if not fe["n"]:
            continue
        le = rep.loo_error.get(col) or {}
        ue = rep.uncalibrated_error.get(col) or {}

        def f(e: dict[str, Any]) -> str:
            return f"{e['mape']:5.1f} / {e['bias']:+5.1f}" if e.get("n") else "    -      "

        w(f"  {col:<22} n={fe['n']:<4} {f(fe)} | {f(le)} | {f(ue)}\n")
    return 0
