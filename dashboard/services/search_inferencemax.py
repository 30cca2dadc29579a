"""InferenceMAX-style scenario evaluation: one or many scenarios served with continuous batching,
with the anatomy of their prefill and decode steps.

A scenario is one engine layout (TP, DP replicas) on a hardware profile serving ``batch`` concurrent
sequences per replica (closed loop: a finished request is replaced by a new one), each ``seq_len``
new prompt tokens after ``kv_len`` cached tokens (a prefix-cache hit), then ``output_len``
generated tokens. Every time comes from the shared cost model:

* **Headline figures (continuous batching)** from the steady state of
  :func:`dashboard.services.search_steady.steady_state` at concurrency ``batch`` with the engine's
  chunked-prefill budget (vLLM's ``max_num_batched_tokens`` default on this GPU): prompts are
  chunked into steps that also carry the running decodes, so TTFT = the prompt's own chunk steps
  (+ queueing when the budget saturates), TPOT = the mean step, throughput = ``dp`` × the engine's
  output tokens/s, per GPU ÷ ``tp · dp``.
* **Step anatomy** (static batch, for utilisation and bounds): prefill stage =
  ``cm.step(StepSpec(batch, seq_len, kv_len))``; decode stage =
  ``cm.generation_time_s(batch, kv_len + seq_len, output_len)``; a mid-generation decode step
  ``cm.step(StepSpec(decode_seqs=batch, decode_context=kv_len + seq_len + output_len // 2))`` gives
  the per-op breakdown. The static-batch latencies are kept as ``static_ttft_ms``,
  ``static_tpot_ms`` and ``static_output_tok_s`` for comparison (one batch after another, no
  overlap of prefill and decode).
* utilisation of a step: MFU = FLOPs ÷ (latency × dense peak of the GEMM format),
  HBM-bandwidth utilisation = bytes ÷ (latency × HBM GB/s); compute vs bandwidth share = the
  fraction of step time in compute-bound vs memory-bound ops (communication and fixed overheads
  shown apart);
* memory from :func:`memory_breakdown` at context ``kv_len + seq_len + output_len``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass
from typing import Any

import pandas as pd

from dashboard.common.tables import to_csv_bytes
from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel, StepCost
from dashboard.features.dtypes import gemm_compute_dtype
from dashboard.features.hardware import GIB, HardwareError, HardwareProfile, load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import hbm_utilisation, mfu, tokens_per_s, tokens_per_s_per_user, tpot_s
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.params import like, param, validate_params
from dashboard.features.request import RequestShape
from dashboard.services.planner import scheduler_limits
from dashboard.services.search_steady import steady_state

__all__ = [
    "SCENARIO_COLUMNS",
    "Scenario",
    "decode_phase_stage",
    "editor_frame",
    "evaluate_scenario",
    "evaluate_scenarios",
    "frame_rows",
    "scenarios_from_csv",
    "scenarios_to_csv",
    "stage_summary",
    "validate_scenario_rows",
]

#: columns of the scenario table, in order (name, hardware, then integers)
SCENARIO_COLUMNS: tuple[str, ...] = ("name", "hardware", "tp", "dp", "batch", "seq_len", "output_len", "kv_len")


# declared once (dashboard/features/params.py): the scenario table's integer columns
@dataclass(frozen=True)
class Scenario:
    """One row of the scenario table: ``batch`` sequences of ``seq_len`` prompt and ``output_len``
    generated tokens after ``kv_len`` cached tokens, on ``dp`` engines of ``tp`` GPUs."""

    name: str = param(MISSING, label="Scenario")
    hardware: str = param(MISSING, label="Hardware")
    tp: int = like(ParallelConfig, "tp")
    dp: int = like(ParallelConfig, "dp")
    batch: int = like(RequestShape, "batch")
    seq_len: int = like(RequestShape, "input_len", 1024, label="Sequence length")
    output_len: int = like(RequestShape, "output_len", 1024)
    kv_len: int = like(RequestShape, "context", 0, lo=0, label="Cached KV length", help="tokens already cached")

    def __post_init__(self) -> None:
        validate_params(self)


def _missing(v: Any) -> bool:
    if v is None or (isinstance(v, str) and not v.strip()):
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _as_int(name: str, v: Any) -> int:
    if _missing(v):
        raise ValueError(f"{name} is empty")
    if isinstance(v, bool):
        raise ValueError(f"{name} must be an integer, got {v!r}")
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer, got {v!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise ValueError(f"{name} must be an integer, got {v!r}")
    return int(f)


def validate_scenario_rows(
    rows: Sequence[Mapping[str, Any]],
    default_hardware: str = "h200",
    known_hardware: Mapping[str, HardwareProfile] | None = None,
) -> list[tuple[Scenario | None, str | None]]:
    """One ``(scenario, None)`` or ``(None, error)`` per row, in order; never raises, so one bad row
    does not lose the others. Hardware must be a preset slug/alias or a key of ``known_hardware``
    (empty → ``default_hardware``)."""
    out: list[tuple[Scenario | None, str | None]] = []
    for i, row in enumerate(rows):
        try:
            name = row.get("name")
            name = f"scenario {i + 1}" if _missing(name) else str(name).strip()
            hw_ref = row.get("hardware")
            hw_ref = default_hardware if _missing(hw_ref) else str(hw_ref).strip()
            if known_hardware and hw_ref in known_hardware:
                hw_slug = hw_ref
            else:
                try:
                    hw_slug = load_hardware(hw_ref).slug
                except HardwareError as exc:
                    raise ValueError(f"hardware: {exc}") from None
            vals = {
                k: _as_int(k, row.get(k, 0 if k == "kv_len" else None))
                for k in SCENARIO_COLUMNS[2:]
                if not (k == "kv_len" and _missing(row.get(k)))
            }
            out.append((Scenario(name=name, hardware=hw_slug, **vals), None))
        except ValueError as exc:
            out.append((None, str(exc)))
    return out


def stage_summary(cost: StepCost, hw: HardwareProfile, dtypes: Dtypes, tokens: int) -> dict[str, float]:
    """Utilisation and time shares of one priced step (see the module docstring)."""
    peak = hw.peak_flops(gemm_compute_dtype(dtypes.weight, dtypes.activation))
    lat = cost.latency_s
    by = cost.by_bound()
    busy = sum(by.values()) or 1.0
    return {
        "time_ms": lat * 1e3,
        "tflop": cost.flops / 1e12,
        "gb": cost.bytes / 1e9,
        "comm_gb": cost.comm_bytes / 1e9,
        "mfu": mfu(cost.flops, lat, peak),
        "hbm_util": hbm_utilisation(cost.bytes, lat, hw.hbm_bytes_per_s),
        "compute_share": by.get("compute", 0.0) / busy,
        "memory_share": by.get("memory", 0.0) / busy,
        "comm_share": by.get("comm", 0.0) / busy,
        "compute_ms": by.get("compute", 0.0) * 1e3,
        "memory_ms": by.get("memory", 0.0) * 1e3,
        "comm_ms": by.get("comm", 0.0) * 1e3,
        "tokens_per_s": tokens_per_s(tokens, lat),
    }


def decode_phase_stage(result: Mapping[str, Any]) -> dict[str, float]:
    """The whole decode phase of an :func:`evaluate_scenario` result as a stage row (same keys as
    :func:`stage_summary`): its time (``decode_ms``, integrated over the ``output_len − 1`` steps),
    FLOPs and bytes of the mid-generation step × steps, the step's utilisation and shares, and
    ``tokens_per_s`` = batch · steps ÷ decode time."""
    dec = result["decode_step"]
    steps = max(0, int(result["output_len"]) - 1)
    return {
        "time_ms": result["decode_ms"],
        "tflop": dec["tflop"] * steps,
        "gb": dec["gb"] * steps,
        "mfu": dec["mfu"],
        "hbm_util": dec["hbm_util"],
        "compute_share": dec["compute_share"],
        "memory_share": dec["memory_share"],
        "comm_share": dec["comm_share"],
        "tokens_per_s": tokens_per_s(result["batch"] * steps, result["decode_ms"] / 1e3),
    }


def evaluate_scenario(
    model: ModelProfile,
    hw: HardwareProfile,
    sc: Scenario,
    dtypes: Dtypes | None = None,
    cm: CostModel | None = None,
    ops: bool = False,
    budget: int | None = None,
) -> dict[str, Any]:
    """Continuous-batching figures, step anatomy, utilisation and memory of one scenario
    (``budget``: chunked-prefill tokens per step, default the engine's); raises ``ValueError`` for
    a layout the model cannot use."""
    dtypes = dtypes or Dtypes()
    cm = cm or CostModel(model, hw, ParallelConfig(tp=sc.tp), dtypes)
    ctx0 = sc.kv_len + sc.seq_len
    pre = cm.step(StepSpec(prefill_seqs=sc.batch, prefill_len=sc.seq_len, prefix_len=sc.kv_len))
    mid = cm.step(StepSpec(decode_seqs=sc.batch, decode_context=ctx0 + sc.output_len // 2))
    dec_s = cm.generation_time_s(sc.batch, ctx0, sc.output_len)
    steps = sc.output_len - 1
    tpot = tpot_s(dec_s, sc.output_len) if steps else mid.latency_s
    e2e = pre.latency_s + dec_s
    gpus = sc.tp * sc.dp
    static_out_tok_s = sc.dp * sc.batch * sc.output_len / e2e
    budget = budget or scheduler_limits("vllm", hw)[0]
    cb = steady_state(cm, sc.seq_len, sc.output_len, sc.batch, budget, prefix_len=sc.kv_len)
    out_tok_s = sc.dp * cb.output_tok_s
    mem = memory_breakdown(
        model,
        hw,
        ParallelConfig(tp=sc.tp),
        dtypes,
        context=ctx0 + sc.output_len,
        max_batched_tokens=sc.batch * sc.seq_len,
        max_seqs=sc.batch,
    )
    res: dict[str, Any] = {
        "name": sc.name,
        "hardware": hw.name,
        "tp": sc.tp,
        "dp": sc.dp,
        "gpus": gpus,
        "batch": sc.batch,
        "seq_len": sc.seq_len,
        "output_len": sc.output_len,
        "kv_len": sc.kv_len,
        "batching": "continuous",
        "budget": budget,
        "saturated": cb.saturated,
        "ttft_ms": cb.ttft_s * 1e3,
        "tpot_ms": cb.tpot_s * 1e3,
        "e2e_ms": cb.e2e_s * 1e3,
        "tps_per_user": tokens_per_s_per_user(cb.tpot_s),
        "output_tok_s": out_tok_s,
        "output_tok_s_per_gpu": out_tok_s / gpus,
        "static_ttft_ms": pre.latency_s * 1e3,
        "static_tpot_ms": tpot * 1e3,
        "static_e2e_ms": e2e * 1e3,
        "static_output_tok_s": static_out_tok_s,
        "decode_ms": dec_s * 1e3,
        "prefill_tok_s": sc.dp * sc.batch * sc.seq_len / pre.latency_s,
        "fits": bool(mem.fits and mem.max_sequences >= sc.batch),
        "max_sequences": mem.max_sequences,
        "weights_gib_per_gpu": mem.weight_bytes / GIB,
        "prefill": stage_summary(pre, hw, dtypes, sc.batch * sc.seq_len),
        "decode_step": stage_summary(mid, hw, dtypes, sc.batch),
    }
    if ops:
        res["ops"] = {"prefill": pre.ops, "decode_step": mid.ops}
    return res


def evaluate_scenarios(
    model: ModelProfile,
    rows: Sequence[Mapping[str, Any]],
    dtypes: Dtypes | None = None,
    ttft_ms: float | None = None,
    tpot_ms: float | None = None,
    default_hardware: str = "h200",
    hardware_override: Mapping[str, HardwareProfile] | None = None,
) -> dict[str, Any]:
    """Validate and evaluate every row of a scenario table.

    Returns ``{"results": [...], "errors": [(row_index, message), ...], "totals": {...}}``; a row
    that fails validation or cannot be laid out is reported in ``errors`` and the others still run.
    ``hardware_override`` maps slugs to profiles (e.g. the sidebar's edited profile).
    """
    dtypes = dtypes or Dtypes()
    results: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    hw_cache: dict[str, HardwareProfile] = dict(hardware_override or {})
    cms: dict[tuple[str, int], CostModel] = {}
    for i, (sc, err) in enumerate(validate_scenario_rows(rows, default_hardware, hw_cache)):
        if sc is None:
            errors.append((i, err or "invalid row"))
            continue
        try:
            hw = hw_cache.get(sc.hardware) or load_hardware(sc.hardware)
            hw_cache[sc.hardware] = hw
            key = (sc.hardware, sc.tp)
            if key not in cms:
                cms[key] = CostModel(model, hw, ParallelConfig(tp=sc.tp), dtypes)
            r = evaluate_scenario(model, hw, sc, dtypes, cms[key])
        except ValueError as exc:
            errors.append((i, str(exc)))
            continue
        miss = []
        if ttft_ms and r["ttft_ms"] > ttft_ms:
            miss.append("TTFT")
        if tpot_ms and r["tpot_ms"] > tpot_ms:
            miss.append("TPOT")
        if not r["fits"]:
            miss.append("OOM")
        r["row"] = i
        r["meets_sla"] = not miss
        r["sla_miss"] = ", ".join(miss)
        results.append(r)
    ok = [r for r in results if r["meets_sla"]]
    totals = {
        "scenarios": len(rows),
        "evaluated": len(results),
        "invalid": len(errors),
        "meeting_sla": len(ok),
        "sla_attainment": len(ok) / len(results) if results else 0.0,
        "total_output_tok_s": sum(r["output_tok_s"] for r in results),
        "total_output_tok_s_meeting_sla": sum(r["output_tok_s"] for r in ok),
        "total_gpus": sum(r["gpus"] for r in results),
        "best_per_gpu": max(results, key=lambda r: r["output_tok_s_per_gpu"])["name"] if results else None,
    }
    # the worst row against the SLA: its TTFT / TPOT and their ratio to the target (None without one)
    worst_ttft = max((float(r["ttft_ms"]) for r in results), default=None)
    worst_tpot = max((float(r["tpot_ms"]) for r in results), default=None)
    totals["worst_ttft_ms"] = worst_ttft
    totals["worst_tpot_ms"] = worst_tpot
    totals["worst_ttft_over_sla"] = worst_ttft / ttft_ms if ttft_ms and worst_ttft is not None else None
    totals["worst_tpot_over_sla"] = worst_tpot / tpot_ms if tpot_ms and worst_tpot is not None else None
    return {"results": results, "errors": errors, "totals": totals}


def scenarios_from_csv(data: bytes | str) -> list[dict[str, Any]]:
    """Rows of a scenario CSV (header with the :data:`SCENARIO_COLUMNS`; ``name`` and ``kv_len`` optional).
    Values are kept as read — :func:`validate_scenario_rows` reports bad ones per row. Raises
    ``ValueError`` when the file is not a CSV table or lacks required columns."""
    import io

    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a CSV table: {exc}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    required = [c for c in SCENARIO_COLUMNS if c not in ("name", "kv_len")]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"CSV lacks column(s): {', '.join(missing)} (expected {', '.join(SCENARIO_COLUMNS)})")
    if len(df) > 500:
        raise ValueError("at most 500 scenarios per table")
    rows = []
    for rec in df.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for c in SCENARIO_COLUMNS:
            raw = str(rec.get(c, "")).strip()
            if c in ("name", "hardware"):
                row[c] = raw or None
            else:
                try:
                    f = float(raw) if raw else None
                    row[c] = int(f) if f is not None and math.isfinite(f) and f == int(f) else (raw or None)
                except ValueError:
                    row[c] = raw
        rows.append(row)
    return rows


def scenarios_to_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The scenario table as CSV bytes (columns in :data:`SCENARIO_COLUMNS` order)."""
    df = pd.DataFrame(
        [{c: _cell(r.get(c)) for c in SCENARIO_COLUMNS} for r in rows], columns=list(SCENARIO_COLUMNS), dtype=object
    )
    return to_csv_bytes(df)  # formula cells neutralised (issue 11)


def _cell(v: Any) -> Any:
    if _missing(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    try:
        if hasattr(v, "item"):
            v = v.item()
    except (TypeError, ValueError):
        pass
    return int(v) if isinstance(v, float) and v.is_integer() else v


def editor_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The scenario rows as a typed frame for ``st.data_editor``: text columns as strings, integer
    columns as nullable ``Int64`` (a value that is not an integer becomes empty — validation then
    flags that row)."""
    data: dict[str, list[Any]] = {c: [] for c in SCENARIO_COLUMNS}
    for r in rows:
        for c in SCENARIO_COLUMNS:
            v = r.get(c)
            if c in ("name", "hardware"):
                data[c].append(None if _missing(v) else str(v))
            else:
                try:
                    data[c].append(_as_int(c, v))
                except ValueError:
                    data[c].append(None)
    df = pd.DataFrame(
        {c: pd.Series(data[c], dtype="string" if c in ("name", "hardware") else "Int64") for c in SCENARIO_COLUMNS}
    )
    return df


def frame_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of an edited frame as plain dicts (missing cells → ``None``)."""
    return [{c: _cell(rec.get(c)) for c in SCENARIO_COLUMNS} for rec in df.to_dict(orient="records")]
