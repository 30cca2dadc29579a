"""Calibration from benchmark results: fit an engine's serving parameters through the predictor.

The parameters (:class:`~dashboard.services.serving_predict.ServingParams`) are fitted by nonlinear
least squares (``scipy.optimize.least_squares``, trust-region reflective, bounded) on the
log-ratio residuals ``ln(predicted / measured)`` of every measured mean of every row
(``ttft_ms``, ``tpot_ms``, ``itl_ms``, ``output_tok_s_per_gpu``), each row predicted by
:func:`~dashboard.services.serving_predict.predict_row` — the same steady-state model (``max`` rows)
and simulator (``rate``/``concurrency`` rows) that ``bench-predict`` uses. Log ratios make a 10 %
miss cost the same on a 20 ms TTFT and a 20 000 tok/s throughput.

Fitted in transformed coordinates: ``ln`` of the five time scales (compute-bound and memory-bound
GEMMs, elementwise ops, attention kernels, MoE-expert ops; bounds ×0.2…×5) and the overheads in ms (``per_request_s`` 0…2 s, ``per_step_s``
0…50 ms). A parameter is fitted only when the data can see it: ``moe_scale`` needs MoE rows,
``per_request_s`` a TTFT column, ``per_step_s`` a rate/concurrency row or ≥ 3 max rows. Columns of
the Jacobian that stay ~0 are reported as not identifiable and kept at their starting value.

Standards (as the step calibration): 95 % confidence intervals from the Gauss–Newton covariance
``s² (JᵀJ)⁻¹`` (``s²`` = residual variance, ``n − p`` degrees of freedom) mapped back through the
transform; the fit error (MAPE on the fitted rows); the leave-one-out error — each *configuration*
(model × hardware × tp × ep × dtypes) left out in turn, refitted on the rest, and its rows
predicted; with a single configuration, each row is left out instead — and the uncalibrated error
(the starting parameters) beside them. Families (dense/MoE × dtype class) with enough measurements
get their own parameters; the pooled fit is the profile's default.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from dashboard.features.params import param, validate_params
from dashboard.services.serving_predict import (
    MEASURED_COLUMNS,
    ServingParams,
    ServingProfile,
    dtypes_for,
    engine_settings,
    family_of,
    load_serving_profile,
    normalise_hardware_name,
    predict_row,
    resolve_model_name,
    summarize_errors,
)

__all__ = [
    "FIT_PARAMS",
    "FitReport",
    "FitSettings",
    "calibrate_serving",
    "config_key",
    "fit_params",
    "fit_staged",
    "row_family",
]

#: fittable parameters, their transform and bounds (in transformed units)
FIT_PARAMS: dict[str, tuple[str, float, float]] = {
    "compute_scale": ("log", math.log(0.2), math.log(5.0)),
    "memory_scale": ("log", math.log(0.2), math.log(5.0)),
    "moe_scale": ("log", math.log(0.2), math.log(5.0)),
    "attention_scale": ("log", math.log(0.2), math.log(5.0)),
    "elementwise_scale": ("log", math.log(0.2), math.log(5.0)),
    "per_request_s": ("ms", 0.0, 2000.0),
    "per_step_s": ("ms", 0.0, 50.0),
    "per_step_per_seq_s": ("ms", 0.0, 1.0),
}
#: kernel-side parameters (identified by max-throughput rows); the engine-side ones
#: (``per_request_s``, ``per_step_per_seq_s``) are fitted on the serving rows after stage A — with max
#: rows present only the per-request overhead (it does not move throughput, so stage A stays consistent)
KERNEL_PARAMS = ("compute_scale", "memory_scale", "moe_scale", "attention_scale", "elementwise_scale", "per_step_s")
MIN_FAMILY_MEASUREMENTS = 4
#: simulated-step budget per serving row while fitting (bench-predict uses SIM_STEP_BUDGET)
FIT_SIM_STEP_BUDGET = 2500


def _to_x(p: ServingParams, names: Sequence[str]) -> np.ndarray:
    out = []
    for n in names:
        kind = FIT_PARAMS[n][0]
        v = getattr(p, n)
        out.append(math.log(v) if kind == "log" else v * 1e3)
    return np.asarray(out, dtype=float)


def _from_x(x: np.ndarray, names: Sequence[str], base: ServingParams) -> ServingParams:
    d = asdict(base)
    for n, v in zip(names, x, strict=True):
        d[n] = math.exp(v) if FIT_PARAMS[n][0] == "log" else max(0.0, float(v)) * 1e-3
    return ServingParams(**d)


def config_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """One *configuration*: model × hardware × engine × num_gpus × tp × ep × dtypes (lengths and load vary within)."""
    return (
        str(row.get("model") or "").strip().lower(),
        str(row.get("hardware") or "").strip().lower(),
        str(row.get("engine") or "").strip().lower(),
        str(row.get("num_gpus")),
        str(row.get("tp")),
        str(row.get("ep")),
        str(row.get("weight_dtype") or "").lower(),
        str(row.get("kv_dtype") or "").lower(),
    )


def row_family(row: dict[str, Any]) -> str:
    """Fit family of a row (``dense/fp8`` …); ``?`` when the model is unknown."""
    try:
        model = resolve_model_name(str(row.get("model") or ""))
    except ValueError:
        return "?"
    return family_of(model, dtypes_for(str(row.get("weight_dtype") or "bf16"), None).weight)


def _is_max(row: dict[str, Any]) -> bool:
    return str(row.get("load") or "").strip().lower() == "max"


def _measured(row: dict[str, Any]) -> list[tuple[str, float]]:
    out = []
    for c in MEASURED_COLUMNS:
        v = row.get(c)
        try:
            x = float(v) if v is not None and v != "" else math.nan
        except (TypeError, ValueError):
            x = math.nan
        if math.isfinite(x) and x > 0:
            out.append((c, x))
    return out


@dataclass
class FitResult:
    params: dict[str, ServingParams]  # family → parameters after the fit
    fitted: list[str]
    not_identifiable: list[str]
    ci95: dict[str, tuple[float, float]]
    n_residuals: int
    rms_log: float
    nfev: int


Starts = dict[str, ServingParams]


def _params_for(starts: Starts, row: dict[str, Any]) -> ServingParams:
    return starts.get(row_family(row)) or starts.get("*") or ServingParams()


def _predict_all(
    rows: Sequence[dict[str, Any]], starts: Starts, hardware: str, engine: str, cache: dict, seed: int = 0
) -> list[dict[str, Any]]:
    return [
        predict_row(r, hardware=hardware, engine=engine, params=_params_for(starts, r), cache=cache, seed=seed)
        for r in rows
    ]


def _residuals(preds: Sequence[dict[str, Any]]) -> np.ndarray:
    res = []
    for p in preds:
        for c, m in _measured(p):
            v = p.get(f"pred_{c}")
            if p["status"] != "ok" or v is None or not math.isfinite(float(v)) or float(v) <= 0:
                res.append(math.log(5.0))  # an unpriceable row counts as a large miss, not silently dropped
            else:
                res.append(math.log(float(v) / m))
    return np.asarray(res, dtype=float)


def _choose_params(rows: Sequence[dict[str, Any]], requested: Sequence[str] | None) -> list[str]:
    if requested is not None:
        return [n for n in requested if n in FIT_PARAMS]
    names = ["compute_scale", "memory_scale", "attention_scale", "elementwise_scale"]
    if any(row_family(r).startswith("moe") for r in rows):
        names.append("moe_scale")
    sim_rows = sum(1 for r in rows if not _is_max(r))
    if any(c == "ttft_ms" for r in rows for c, _ in _measured(r)):
        names.append("per_request_s")
    if sim_rows or len(rows) >= 3:
        names.append("per_step_s")
    if sim_rows >= 3:
        names.append("per_step_per_seq_s")
    return names


def fit_params(
    rows: Sequence[dict[str, Any]],
    hardware: str,
    engine: str,
    starts: Starts,
    names: Sequence[str] | None = None,
    max_nfev: int = 60,
    cache: dict | None = None,
    seed: int = 0,
) -> FitResult:
    """Least-squares fit of ``names`` (default: what the rows can identify); the fitted values
    replace those fields in every family's starting parameters (``starts``: family → params, ``"*"``
    for any family)."""
    from scipy.optimize import least_squares

    from dashboard.services import serving_predict as sp

    cache = cache if cache is not None else {}
    names = _choose_params(rows, names)
    n_res = sum(len(_measured(r)) for r in rows)
    ref = _params_for(starts, rows[0]) if rows else ServingParams()
    if not names or n_res == 0:
        return FitResult(dict(starts), [], list(names), {}, n_res, math.nan, 0)
    x0 = _to_x(ref, names)
    lo = np.array([FIT_PARAMS[n][1] for n in names])
    hi = np.array([FIT_PARAMS[n][2] for n in names])
    x0 = np.clip(x0, lo + 1e-6 * (hi - lo), hi - 1e-6 * (hi - lo))
    calls = [0]

    def starts_at(x: np.ndarray) -> Starts:
        return {k: _from_x(x, names, v) for k, v in starts.items()}

    def fun(x: np.ndarray) -> np.ndarray:
        calls[0] += 1
        return _residuals(_predict_all(rows, starts_at(x), hardware, engine, cache, seed))

    diff = np.array([0.03 if FIT_PARAMS[n][0] == "log" else 0.02 * (hi[i] - lo[i]) for i, n in enumerate(names)])
    old_budget = sp.SIM_STEP_BUDGET
    sp.SIM_STEP_BUDGET = min(old_budget, FIT_SIM_STEP_BUDGET)
    try:
        sol = least_squares(
            fun,
            x0,
            bounds=(lo, hi),
            method="trf",
            diff_step=diff / np.maximum(np.abs(x0), 1e-3),
            max_nfev=max_nfev,
            x_scale=np.where(diff > 0.1, 0.1 * (hi - lo), 0.3),
        )
    finally:
        sp.SIM_STEP_BUDGET = old_budget
    jac = sol.jac
    colnorm = np.linalg.norm(jac, axis=0)
    ident = colnorm > 1e-6 * max(1.0, float(colnorm.max(initial=0.0)))
    not_ident = [n for n, ok in zip(names, ident, strict=True) if not ok]
    x = sol.x.copy()
    for i, ok in enumerate(ident):
        if not ok:
            x[i] = x0[i]
    r = sol.fun
    dof = max(1, len(r) - int(ident.sum()))
    s2 = float(r @ r) / dof
    ci: dict[str, tuple[float, float]] = {}
    jj = jac[:, ident]
    cov = np.linalg.pinv(jj.T @ jj) * s2
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    k = 0
    for i, n in enumerate(names):
        if not ident[i]:
            continue
        lo_x, hi_x = x[i] - 1.96 * sd[k], x[i] + 1.96 * sd[k]
        k += 1
        if FIT_PARAMS[n][0] == "log":
            ci[n] = (math.exp(lo_x), math.exp(hi_x))
        else:
            ci[n] = (max(0.0, lo_x) * 1e-3, max(0.0, hi_x) * 1e-3)
    return FitResult(
        starts_at(x),
        [n for n in names if n not in not_ident],
        not_ident,
        ci,
        len(r),
        float(math.sqrt(float(r @ r) / max(1, len(r)))),
        calls[0],
    )


def fit_staged(
    rows: Sequence[dict[str, Any]],
    hardware: str,
    engine: str,
    start: ServingParams,
    names: Sequence[str] | None = None,
    max_nfev: int = 40,
    cache: dict | None = None,
    seed: int = 0,
    per_family: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[Starts, dict[str, Any]]:
    """The fit in two stages: (A) kernel-side parameters on the ``max`` rows — pooled, then per family
    with enough measurements — and (B) engine-side parameters (per-request overhead, per-sequence host
    cost) on the serving rows, shared by every family. Without ``max`` rows everything is fitted on
    the serving rows. Returns family → parameters (``"*"`` = default) and a report per stage."""
    say = progress or (lambda _m: None)
    cache = cache if cache is not None else {}
    names_all = _choose_params(rows, names)
    max_rows = [r for r in rows if _is_max(r) and _measured(r)]
    sim_rows = [r for r in rows if not _is_max(r) and _measured(r)]
    info: dict[str, Any] = {}
    starts: Starts = {"*": start}
    if max_rows:
        a_names = [n for n in names_all if n in KERNEL_PARAMS]
        say(f"stage A (kernel parameters) on {len(max_rows)} max rows")
        pooled = fit_params(max_rows, hardware, engine, starts, a_names, max_nfev, cache, seed)
        starts = dict(pooled.params)
        info["pooled"] = _fit_info(pooled, max_rows)
        fams: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in max_rows:
            fams[row_family(r)].append(r)
        for fam, sub in sorted(fams.items()):
            nmeas = sum(len(_measured(r)) for r in sub)
            if per_family and len(fams) > 1 and nmeas >= MIN_FAMILY_MEASUREMENTS:
                say(f"stage A family {fam}: {len(sub)} rows")
                fr = fit_params(sub, hardware, engine, {"*": starts["*"]}, a_names, max_nfev, cache, seed)
                starts[fam] = fr.params["*"]
                info[fam] = _fit_info(fr, sub)
            else:
                starts[fam] = starts["*"]
                info[fam] = {**info["pooled"], "pooled": True, "rows": len(sub)}
        b_names = [n for n in names_all if n == "per_request_s"]
    else:
        b_names = names_all
    if sim_rows and b_names:
        say(f"stage B (engine parameters {', '.join(b_names)}) on {len(sim_rows)} serving rows")
        fb = fit_params(sim_rows, hardware, engine, starts, b_names, max(8, max_nfev // 2), cache, seed)
        starts = fb.params
        info["serving"] = _fit_info(fb, sim_rows)
    return starts, info


def _fit_info(fr: FitResult, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    p = fr.params.get("*") or next(iter(fr.params.values()))
    return {
        "rows": len(rows),
        "measurements": fr.n_residuals,
        "params": asdict(p),
        "fitted": fr.fitted,
        "not_identifiable": fr.not_identifiable,
        "ci95": {k: list(v) for k, v in fr.ci95.items()},
        "rms_log_residual": fr.rms_log,
        "nfev": fr.nfev,
        "pooled": False,
    }


def _refit_without(
    held: Sequence[dict[str, Any]],
    rest: Sequence[dict[str, Any]],
    fitted: Starts,
    hardware: str,
    engine: str,
    start: ServingParams,
    names: Sequence[str] | None,
    max_nfev: int,
    cache: dict,
    seed: int,
    per_family: bool,
) -> Starts:
    """Parameters for predicting ``held`` from ``rest`` only: refit what the held rows depend on — their
    family's kernel parameters from the other max rows of the family (the pooled fit of all other max
    rows when the family has too few), and the engine parameters from the other serving rows."""
    out = dict(fitted)
    fams = {row_family(r) for r in held}
    rest_max = [r for r in rest if _is_max(r) and _measured(r)]
    rest_sim = [r for r in rest if not _is_max(r) and _measured(r)]
    names_all = _choose_params([*held, *rest], names)
    if not rest_max and not rest_sim:
        return {"*": start}
    if rest_max:
        a_names = [n for n in names_all if n in KERNEL_PARAMS]
        for fam in fams:
            sub = [r for r in rest_max if row_family(r) == fam]
            if per_family and sum(len(_measured(r)) for r in sub) >= MIN_FAMILY_MEASUREMENTS:
                fr = fit_params(
                    sub,
                    hardware,
                    engine,
                    {"*": fitted.get(fam, fitted["*"])},
                    a_names,
                    max(10, max_nfev // 2),
                    cache,
                    seed,
                )
            else:
                fr = fit_params(
                    rest_max, hardware, engine, {"*": fitted["*"]}, a_names, max(10, max_nfev // 2), cache, seed
                )
            out[fam] = fr.params["*"]
        b_names = [n for n in names_all if n == "per_request_s"]
    else:
        b_names = names_all
    if any(not _is_max(r) for r in held) and rest_sim and b_names:
        fb = fit_params(rest_sim, hardware, engine, out, b_names, max(8, max_nfev // 2), cache, seed)
        out = fb.params
    elif any(not _is_max(r) for r in held) and not rest_max:
        out = {"*": start}
    return out


@dataclass
class FitReport:
    """Everything ``calibrate-serving`` prints: the profile and its error figures."""

    profile: ServingProfile
    rows: list[dict[str, Any]]  # per row: inputs, measured, predicted (fitted), uncalibrated, held-out
    fit_error: dict[str, Any]
    loo_error: dict[str, Any]
    uncalibrated_error: dict[str, Any]
    stages: dict[str, Any] = field(default_factory=dict)
    loo_unit: str = "configuration"
    unsupported: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile.as_dict(),
            "fit_error": self.fit_error,
            "loo_error": self.loo_error,
            "uncalibrated_error": self.uncalibrated_error,
            "loo_unit": self.loo_unit,
            "stages": self.stages,
            "rows": self.rows,
            "unsupported": self.unsupported,
        }


def _domain(rows: Sequence[dict[str, Any]], hardware: str, engine: str, families: Sequence[str]) -> dict[str, Any]:
    def rng(key: str, fallback: str | None = None) -> list[int] | None:
        vals = []
        for r in rows:
            v = r.get(key) if r.get(key) not in (None, "") else (r.get(fallback) if fallback else None)
            if v is None:
                continue
            try:
                vals.append(int(float(v)))
            except (TypeError, ValueError):
                continue
        return [min(vals), max(vals)] if vals else None

    models = sorted({m.name for m in (_safe_model(r) for r in rows) if m is not None})
    dts = sorted({dtypes_for(str(r.get("weight_dtype") or "bf16"), None).weight for r in rows})
    return {
        "hardware": [normalise_hardware_name(hardware)],
        "engine": engine,
        "families": sorted(families),
        "models": models,
        "tp": rng("tp_used", "tp"),
        "ep": rng("ep_used", "ep"),
        "dtypes": dts,
        "isl": rng("isl"),
        "osl": rng("osl"),
        "load_modes": sorted({str(r.get("load") or "").lower() for r in rows}),
    }


def _safe_model(r: dict[str, Any]) -> Any:
    try:
        return resolve_model_name(str(r.get("model") or ""))
    except ValueError:
        return None


# declared once (dashboard/features/params.py): ``modeling calibrate-serving --max-nfev``
@dataclass(frozen=True)
class FitSettings:
    """Budget of one least-squares fit: ``max_nfev`` function evaluations (each one prices every row)."""

    max_nfev: int = param(40, lo=1, hi=10_000, unit="evaluations", label="Function evaluations per fit")

    def __post_init__(self) -> None:
        validate_params(self)


def calibrate_serving(
    rows: Sequence[dict[str, Any]],
    *,
    hardware: str,
    engine: str,
    name: str | None = None,
    names: Sequence[str] | None = None,
    max_nfev: int = 40,
    loo: bool = True,
    progress: Callable[[str], None] | None = None,
    seed: int = 0,
    per_family: bool = True,
) -> FitReport:
    """Fit a serving profile ``<hardware>+<engine>`` to measured rows (see the module docstring).

    ``hardware`` is a hardware preset (or a serving profile, whose parameters are the start);
    ``rows`` are parsed benchmark rows with at least one measured column. Raises ``ValueError`` when no
    row has a measurement."""
    from dashboard.features.hardware import load_hardware

    FitSettings(max_nfev=max_nfev)  # ValueError naming the field
    say = progress or (lambda _msg: None)
    base_prof = None
    try:
        base_prof = load_serving_profile(hardware)
    except ValueError:
        base_prof = None
    hw_name = base_prof.base_hardware if base_prof else normalise_hardware_name(hardware)
    rows = [dict(r) for r in rows]
    for r in rows:  # the base hardware and engine apply to every row (calibration is for one pair)
        r["hardware"] = hw_name
        r["engine"] = engine
    hw = load_hardware(hw_name)
    eng = engine_settings(engine, hw)
    start = base_prof.params if base_prof else eng.overheads
    usable = [r for r in rows if _measured(r)]
    if not usable:
        raise ValueError("no row has a measured column (ttft_ms, tpot_ms, itl_ms, output_tok_s_per_gpu)")
    cache: dict = {}
    say(f"uncalibrated predictions for {len(usable)} rows")
    start_fams: Starts = {"*": start}
    if base_prof:
        start_fams.update(base_prof.families)
    unc_all = _predict_all(usable, start_fams, hw_name, engine, cache, seed)
    unsupported = [{**{k: v for k, v in u.items() if not k.startswith("_")}} for u in unc_all if u["status"] != "ok"]
    keep = [i for i, u in enumerate(unc_all) if u["status"] == "ok"]
    usable = [usable[i] for i in keep]
    unc = [unc_all[i] for i in keep]
    if not usable:
        raise ValueError(
            "no measured row can be priced: " + "; ".join(sorted({u["status"] for u in unsupported}))[:300]
        )
    fitted_starts, stages = fit_staged(usable, hw_name, engine, start, names, max_nfev, cache, seed, per_family, say)
    fitted = _predict_all(usable, fitted_starts, hw_name, engine, cache, seed)
    # leave one configuration out (or one row when there is a single configuration)
    held: list[dict[str, Any] | None] = [None] * len(usable)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    unit = "configuration"
    for i, r in enumerate(usable):
        groups[config_key(r)].append(i)
    if len(groups) < 2:
        unit = "row"
        groups = {(i,): [i] for i in range(len(usable))}
    if loo and len(groups) >= 2:
        for gi, idx in enumerate(groups.values()):
            say(f"leave-one-{unit}-out {gi + 1}/{len(groups)}")
            out_set = set(idx)
            held_rows = [usable[i] for i in idx]
            rest = [usable[i] for i in range(len(usable)) if i not in out_set]
            st = _refit_without(
                held_rows, rest, fitted_starts, hw_name, engine, start, names, max_nfev, cache, seed, per_family
            )
            for i in idx:
                held[i] = predict_row(
                    usable[i],
                    hardware=hw_name,
                    engine=engine,
                    params=_params_for(st, usable[i]),
                    cache=cache,
                    seed=seed,
                )
    out_rows = []
    for r, u, f, h in zip(usable, unc, fitted, held, strict=True):
        row = {k: v for k, v in f.items() if not k.startswith("_")}
        row["family"] = row_family(r)
        row["config"] = "|".join(str(x) for x in config_key(r))
        for c in MEASURED_COLUMNS:
            row[f"uncal_{c}"] = u.get(f"pred_{c}")
            row[f"loo_{c}"] = h.get(f"pred_{c}") if h else None
        for k in ("table", "version", "source"):
            if k in r:
                row[k] = r[k]
        out_rows.append(row)
    prof_name = name or f"{normalise_hardware_name(hw_name)}+{engine}"
    fams = [f for f in fitted_starts if f != "*"]
    domain = _domain(fitted, hw_name, engine, fams or sorted({row_family(r) for r in usable}))
    fit_err = summarize_errors(fitted)
    loo_err = summarize_errors([h for h in held if h is not None]) if any(held) else {}
    unc_err = summarize_errors(unc)
    profile = ServingProfile(
        name=prof_name,
        base_hardware=hw_name,
        engine=engine,
        params=fitted_starts["*"],
        families={k: v for k, v in fitted_starts.items() if k != "*"},
        domain=domain,
        fit={
            "stages": stages,
            "fit_error": fit_err,
            "loo_error": loo_err,
            "loo_unit": unit,
            "uncalibrated_error": unc_err,
            "rows": len(usable),
            "unsupported_rows": len(unsupported),
        },
        provenance={
            "method": "modeling calibrate-serving (dashboard/services/serving_calibration.py)",
            "sources": sorted({str(r.get("_source") or r.get("source") or "") for r in rows} - {""})[:50],
        },
        description=f"{engine} on {hw_name}, fitted to {len(usable)} benchmark rows",
    )
    return FitReport(
        profile=profile,
        rows=out_rows,
        fit_error=fit_err,
        loo_error=loo_err,
        uncalibrated_error=unc_err,
        stages=stages,
        loo_unit=unit,
        unsupported=unsupported,
    )
