"""Read serving-benchmark results into scenario rows (the input of ``bench-predict`` and ``calibrate-serving``).

Three formats, detected by content (not by file name):

* **Scenario CSV** — header with at least ``model,isl,osl,load`` of
  :data:`~dashboard.services.serving_predict.INPUT_COLUMNS` (missing optional columns are empty) and
  optional measured means ``ttft_ms,tpot_ms,itl_ms,output_tok_s_per_gpu``; extra columns are kept.
* **vLLM** ``vllm bench serve --save-result`` JSON (``vllm/benchmarks/serve.py``; older
  ``benchmarks/benchmark_serving.py``): ``model_id``, ``num_prompts``, ``request_rate`` (a number or
  ``"inf"``), ``burstiness``, ``max_concurrency``, ``input_lens``/``output_lens`` (per request; their
  distribution is simulated, not only the means), ``mean_ttft_ms``, ``mean_tpot_ms``, ``mean_itl_ms``,
  ``output_throughput`` (tok/s of the whole deployment). ``--metadata`` key=value pairs land at the top
  level: ``hardware``/``gpu``, ``engine``, ``num_gpus``, ``tp``/``tensor_parallel_size``, ``ep``,
  ``weight_dtype``/``dtype``, ``kv_dtype``/``kv_cache_dtype`` are read when present.
* **AIPerf** ``profile_export_aiperf.json``: metric objects ``{"unit", "avg", "p50", ...}`` —
  ``time_to_first_token``, ``inter_token_latency`` (AIPerf's per-request ``(latency − TTFT)/(OSL − 1)``,
  i.e. vLLM's TPOT, so it is read as ``tpot_ms``), ``output_token_throughput`` (tok/s),
  ``input_sequence_length``/``output_sequence_length`` (means), ``request_count``; the load from
  ``input_config.loadgen`` (``concurrency``, ``request_rate``), the model from
  ``input_config.endpoint.model_names``.

A file that is none of these raises ``ValueError`` naming the file and what was expected.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.features.parallel import GpuBudget, ParallelConfig
from dashboard.features.params import like, validate_params
from dashboard.features.safe_io import read_text_capped
from dashboard.services.serving_predict import INPUT_COLUMNS, MEASURED_COLUMNS

__all__ = [
    "ResultDefaults",
    "detect_format",
    "parse_aiperf",
    "parse_results",
    "parse_scenario_csv",
    "parse_vllm_json",
    "read_results",
]

_SCENARIO_REQUIRED = ("model", "isl", "osl", "load")


def detect_format(text: str) -> str:
    """``"vllm"``, ``"aiperf"`` or ``"csv"`` from the content; ``ValueError`` otherwise."""
    s = text.lstrip("\ufeff").lstrip()
    if s.startswith("{"):
        try:
            d = json.loads(s)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(d, dict):
            raise ValueError("a JSON result must be an object")
        if "mean_ttft_ms" in d or "model_id" in d or "input_lens" in d:
            return "vllm"
        if "time_to_first_token" in d or ("input_config" in d and "request_throughput" in d):
            return "aiperf"
        raise ValueError(
            "JSON is neither a vLLM --save-result file (model_id, mean_ttft_ms) nor an AIPerf "
            "profile_export_aiperf.json (time_to_first_token)"
        )
    first = s.splitlines()[0] if s else ""
    cols = {c.strip().lower() for c in first.split(",")}
    if all(c in cols for c in _SCENARIO_REQUIRED):
        return "csv"
    raise ValueError(
        f"unrecognised file: a scenario CSV needs the columns {', '.join(_SCENARIO_REQUIRED)} "
        "(or give a vLLM / AIPerf JSON result)"
    )


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, str):
        t = v.strip().lower()
        if not t:
            return None
        if t in ("inf", "infinity"):
            return math.inf
        try:
            x = float(t)
        except ValueError:
            return None
    elif isinstance(v, (int, float)):
        x = float(v)
    else:
        return None
    return None if math.isnan(x) else x


def parse_scenario_csv(text: str, source: str = "scenario CSV") -> list[dict[str, Any]]:
    """Rows of a scenario CSV as dicts (empty cells → ``None``; every input column present)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        raise ValueError(f"{source}: empty file")
    names = [f.strip().lower() for f in reader.fieldnames]
    missing = [c for c in _SCENARIO_REQUIRED if c not in names]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}")
    rows = []
    for raw in reader:
        row: dict[str, Any] = {}
        for k, v in raw.items():
            if k is None:
                continue
            key = k.strip().lower()
            val = v.strip() if isinstance(v, str) else v
            row[key] = val if val not in ("", None) else None
        for c in INPUT_COLUMNS:
            row.setdefault(c, None)
        for c in MEASURED_COLUMNS:
            if row.get(c) is not None:
                x = _num(row[c])
                row[c] = x
        row["_source"] = source
        rows.append(row)
    if not rows:
        raise ValueError(f"{source}: no rows")
    return rows


def _meta(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if d.get(k) not in (None, ""):
            return d[k]
    return None


def parse_vllm_json(text: str | dict[str, Any], source: str = "vLLM result") -> list[dict[str, Any]]:
    """One scenario row from a ``vllm bench serve --save-result`` JSON."""
    d = json.loads(text) if isinstance(text, str) else text
    model = _meta(d, "model_id", "model", "tokenizer_id")
    ins, outs = d.get("input_lens"), d.get("output_lens")
    lengths = None
    if isinstance(ins, list) and isinstance(outs, list) and ins and len(ins) == len(outs):
        try:
            lengths = ([int(x) for x in ins], [int(x) for x in outs])
        except (TypeError, ValueError):
            raise ValueError(f"{source}: input_lens/output_lens must be lists of integers") from None
    rate = _num(d.get("request_rate"))
    conc = _num(d.get("max_concurrency"))
    nreq = _num(_meta(d, "num_prompts", "completed"))
    rate_out: float | str | None  # a rate in req/s, "inf" (all at once) or None (closed loop)
    conc_out: int | None
    if conc is not None and conc >= 1 and (rate is None or math.isinf(rate)):
        load, rate_out, conc_out = "concurrency", None, int(conc)
    else:
        load, rate_out, conc_out = "rate", ("inf" if rate is None or math.isinf(rate) else rate), None
    isl = round(sum(lengths[0]) / len(lengths[0])) if lengths else _num(d.get("total_input_tokens"))
    osl = round(sum(lengths[1]) / len(lengths[1])) if lengths else None
    if lengths is None and nreq and d.get("total_input_tokens") and d.get("total_output_tokens"):
        isl = round(float(d["total_input_tokens"]) / nreq)
        osl = round(float(d["total_output_tokens"]) / nreq)
    num_gpus = _num(_meta(d, "num_gpus", "gpus"))
    tp = _num(_meta(d, "tp", "tensor_parallel_size"))
    row: dict[str, Any] = {
        "model": model,
        "hardware": _meta(d, "hardware", "gpu"),
        "engine": _meta(d, "engine") or d.get("backend_engine"),
        "num_gpus": int(num_gpus) if num_gpus else (int(tp) if tp else None),
        "tp": int(tp) if tp else None,
        "ep": int(_num(d.get("ep")) or 0) or None,
        "weight_dtype": _meta(d, "weight_dtype", "dtype", "quantization"),
        "kv_dtype": _meta(d, "kv_dtype", "kv_cache_dtype"),
        "isl": isl,
        "osl": osl,
        "load": load,
        "concurrency": conc_out,
        "request_rate": rate_out,
        "num_requests": int(nreq) if nreq else None,
        "burstiness": _num(d.get("burstiness")) or 1.0,
        "ttft_ms": _num(d.get("mean_ttft_ms")),
        "tpot_ms": _num(d.get("mean_tpot_ms")),
        "itl_ms": _num(d.get("mean_itl_ms")),
        "output_tok_s_per_gpu": None,
        "_lengths": lengths,
        "_source": source,
        "_output_throughput": _num(d.get("output_throughput")),
    }
    if row["engine"] is None and d.get("backend") == "vllm":
        row["engine"] = "vllm"
    if row["_output_throughput"] is not None and row["num_gpus"]:
        row["output_tok_s_per_gpu"] = row["_output_throughput"] / row["num_gpus"]
    return [row]


def _avg(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    if isinstance(v, dict):
        return _num(v.get("avg"))
    return _num(v)


def parse_aiperf(text: str | dict[str, Any], source: str = "AIPerf export") -> list[dict[str, Any]]:
    """One scenario row from an AIPerf ``profile_export_aiperf.json``."""
    d = json.loads(text) if isinstance(text, str) else text
    cfg = d.get("input_config") or {}
    ep_cfg = cfg.get("endpoint") or {}
    names = ep_cfg.get("model_names") or []
    model = names[0] if isinstance(names, list) and names else d.get("model")
    lg = cfg.get("loadgen") or {}
    conc = _num(lg.get("concurrency"))
    rate = _num(lg.get("request_rate"))
    rate_out: float | str | None  # a rate in req/s, "inf" (all at once) or None (closed loop)
    if rate is not None and rate > 0:
        load, rate_out, conc_out = "rate", rate, None
    elif conc is not None and conc >= 1:
        load, rate_out, conc_out = "concurrency", None, int(conc)
    else:
        load, rate_out, conc_out = "rate", "inf", None
    meta = (
        {**(d.get("metadata") or {}), **(cfg.get("metadata") or {})}
        if isinstance(d.get("metadata") or {}, dict)
        else {}
    )
    isl, osl = _avg(d, "input_sequence_length"), _avg(d, "output_sequence_length")
    num_gpus = _num(_meta(meta, "num_gpus"))
    tp = _num(_meta(meta, "tp"))
    count = _avg(d, "request_count")
    out_tput = _avg(d, "output_token_throughput")
    ttft, itl = _avg(d, "time_to_first_token"), _avg(d, "inter_token_latency")
    for key, val in (("time_to_first_token", ttft), ("inter_token_latency", itl)):
        unit = (d.get(key) or {}).get("unit") if isinstance(d.get(key), dict) else None
        if val is not None and unit and unit not in ("ms",):
            raise ValueError(f"{source}: {key} unit {unit!r} (expected ms)")
    row: dict[str, Any] = {
        "model": model,
        "hardware": _meta(meta, "hardware", "gpu"),
        "engine": _meta(meta, "engine"),
        "num_gpus": int(num_gpus) if num_gpus else (int(tp) if tp else None),
        "tp": int(tp) if tp else None,
        "ep": int(_num(meta.get("ep")) or 0) or None,
        "weight_dtype": _meta(meta, "weight_dtype", "dtype"),
        "kv_dtype": _meta(meta, "kv_dtype"),
        "isl": round(isl) if isl else None,
        "osl": round(osl) if osl else None,
        "load": load,
        "concurrency": conc_out,
        "request_rate": rate_out,
        "num_requests": int(count) if count else None,
        "ttft_ms": ttft,
        "tpot_ms": itl,
        "itl_ms": None,
        "output_tok_s_per_gpu": None,
        "_source": source,
        "_output_throughput": out_tput,
    }
    if out_tput is not None and row["num_gpus"]:
        row["output_tok_s_per_gpu"] = out_tput / row["num_gpus"]
    return [row]


def parse_results(text: str, source: str = "input") -> list[dict[str, Any]]:
    """Rows of one file's text, whatever its format."""
    fmt = detect_format(text)
    if fmt == "csv":
        return parse_scenario_csv(text, source)
    d = json.loads(text)
    return parse_vllm_json(d, source) if fmt == "vllm" else parse_aiperf(d, source)


def read_results(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Rows of several files, in file order; ``ValueError`` naming the file on a bad one."""
    rows: list[dict[str, Any]] = []
    for p in paths:
        try:
            text = read_text_capped(Path(p))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{p}: cannot read ({exc})") from None
        try:
            rows.extend(parse_results(text, str(p)))
        except ValueError as exc:
            msg = str(exc)
            raise ValueError(msg if msg.startswith(str(p)) else f"{p}: {msg}") from None
    return rows


# declared once (dashboard/features/params.py): the ``--num-gpus``/``--tp`` flags of bench-predict
# and calibrate-serving
@dataclass(frozen=True)
class ResultDefaults:
    """What a JSON benchmark result that does not say ran on: ``num_gpus`` GPUs, TP ``tp``."""

    num_gpus: int | None = like(
        GpuBudget, "max_gpus", None, label="GPUs per result", help="for JSON results without a num_gpus key"
    )
    tp: int | None = like(ParallelConfig, "tp", None, help="for JSON results without a tp key")

    def __post_init__(self) -> None:
        validate_params(self)


def fill_missing_gpus(rows: list[dict[str, Any]], num_gpus: int | None, tp: int | None) -> None:
    """Apply ``--num-gpus``/``--tp`` flags to rows whose file did not say (the JSON formats)."""
    ResultDefaults(num_gpus, tp)  # ValueError naming the field
    for r in rows:
        if r.get("tp") is None and tp:
            r["tp"] = tp
        if r.get("num_gpus") is None:
            r["num_gpus"] = num_gpus or r.get("tp") or 1
        if r.get("output_tok_s_per_gpu") is None and r.get("_output_throughput") is not None and r["num_gpus"]:
            r["output_tok_s_per_gpu"] = r["_output_throughput"] / int(r["num_gpus"])
