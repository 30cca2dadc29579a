"""Copy the published serving rows the fitted profiles use into ``dashboard/data/reference/``.

Reads the collected tables (``--src``, default ``../shared/data/published-serving``: TensorRT-LLM
max-throughput tables, the TensorRT-LLM H100 online-serving table, MLPerf Inference v4.1) and writes
``dashboard/data/reference/published_serving.csv`` in the scenario-CSV format of ``modeling
bench-predict`` plus provenance columns (``table``, ``source``, ``version``, ``gpu_as_written``,
``pp``, ``notes``). Only H100-SXM, H200-SXM and B200 rows measured with TensorRT-LLM are kept:

* max-throughput tables: in-flight-batching runs (static-batch tables dropped); ``load = max``;
  ``output_tok_s_per_gpu`` = the table's ``derived_output_tok_s_per_gpu``; dtype FP8 → fp8 weights
  and KV (as the README states), FP4 → NVFP4 weights with fp8 KV, "Mixed"/FP16 → 16-bit;
* online table: ``load = rate`` at ``qps_target`` (INF → ``inf``), 500 requests, mean TTFT, mean ITL,
  output tok/s ÷ GPUs, BF16;
* MLPerf v4.1 Offline llama2-70b (``-99`` only; ``-99.9`` repeats the same runs): ``load = max``,
  per-GPU tokens/s = result ÷ accelerators, lengths the OpenOrca means (ISL 294, OSL 301, README),
  FP8 on Hopper and FP4 on B200 (NVIDIA's v4.1 submissions; not stated per row: ``notes`` says so).
  The 1000 W ``-CTS`` H200 variant is left out; Mixtral rows are left out (their data set's mean
  lengths are not in the collected table).

Run once when the published data changes: ``python benchmarks/import_published_serving.py``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.services.serving_predict import INPUT_COLUMNS

OUT = ROOT / "dashboard" / "data" / "reference" / "published_serving.csv"
GPU = {
    "H100-SXM-80GB": "h100-sxm",
    "H200-SXM-141GB": "h200",
    "B200-180GB": "b200",
    "NVIDIA H100-SXM-80GB": "h100-sxm",
    "NVIDIA H200-SXM-141GB": "h200",
    "NVIDIA B200-SXM-180GB": "b200",
}
COLUMNS = [
    *INPUT_COLUMNS,
    "ttft_ms",
    "tpot_ms",
    "itl_ms",
    "output_tok_s_per_gpu",
    "table",
    "pp",
    "version",
    "gpu_as_written",
    "source",
    "notes",
]


def _dtypes(d: str) -> tuple[str, str]:
    d = d.split()[0].upper()
    if d == "FP8":
        return "fp8", "fp8"
    if d == "FP4":
        return "fp4", "fp8"
    if d == "FP16":
        return "fp16", "fp16"
    return "bf16", "bf16"


def _i(v: str) -> str:
    if v is None or v == "":
        return ""
    x = float(v)
    return "" if math.isnan(x) else str(int(x))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default=str(ROOT.parent.parent / "shared" / "data" / "published-serving"))
    args = ap.parse_args()
    src = Path(args.src)
    rows: list[dict[str, str]] = []
    with open(src / "trtllm_max_throughput.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            hw = GPU.get(r["gpu"])
            if hw is None or "static" in r["benchmark_method"].lower():
                continue
            w, kv = _dtypes(r["dtype"])
            rows.append(
                {
                    "model": r["model"],
                    "hardware": hw,
                    "engine": "trtllm",
                    "num_gpus": _i(r["num_gpus"]),
                    "tp": _i(r["tp"]),
                    "ep": _i(r["ep"]),
                    "weight_dtype": w,
                    "kv_dtype": kv,
                    "isl": _i(r["isl"]),
                    "osl": _i(r["osl"]),
                    "load": "max",
                    "output_tok_s_per_gpu": r["derived_output_tok_s_per_gpu"],
                    "table": "trtllm_max_throughput",
                    "pp": _i(r["pp"]),
                    "version": r["doc_version"],
                    "gpu_as_written": r["gpu_as_written"],
                    "source": r["source"],
                    "notes": "; ".join(x for x in (r["benchmark_method"], r["notes"]) if x),
                }
            )
    with open(src / "trtllm_online_serving_h100.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            g = int(r["num_gpus"])
            rows.append(
                {
                    "model": r["model"],
                    "hardware": GPU[r["gpu"]],
                    "engine": "trtllm",
                    "num_gpus": str(g),
                    "tp": _i(r["tp"]),
                    "ep": _i(r["ep"]),
                    "weight_dtype": "bf16",
                    "kv_dtype": "bf16",
                    "isl": r["isl"],
                    "osl": r["osl"],
                    "load": "rate",
                    "request_rate": "inf" if r["qps_target"].upper() == "INF" else r["qps_target"],
                    "num_requests": "500",
                    "ttft_ms": r["ttft_ms"],
                    "itl_ms": r["tpot_or_itl_ms"],
                    "output_tok_s_per_gpu": f"{float(r['output_tok_s']) / g:.3f}",
                    "table": "trtllm_online_serving_h100",
                    "pp": "1",
                    "version": r["framework_version"],
                    "gpu_as_written": r["gpu"],
                    "source": r["source"],
                    "notes": r["notes"],
                }
            )
    with open(src / "mlperf_v4.1.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            hw = GPU.get(r["accelerator_model"])
            if hw is None or r["scenario"] != "Offline" or r["benchmark"] != "llama2-70b-99":
                continue
            n = int(float(r["total_accelerators"]))
            w, kv = ("fp4", "fp8") if hw == "b200" else ("fp8", "fp8")
            rows.append(
                {
                    "model": "llama-2-70b",
                    "hardware": hw,
                    "engine": "trtllm",
                    "num_gpus": str(n),
                    "tp": "",
                    "ep": "",
                    "weight_dtype": w,
                    "kv_dtype": kv,
                    "isl": "294",
                    "osl": "301",
                    "load": "max",
                    "output_tok_s_per_gpu": f"{float(r['performance_result']) / n:.3f}",
                    "table": "mlperf_v4.1_offline",
                    "pp": "",
                    "version": f"MLPerf {r['mlperf_version']} {r['submitter']} {r['system']}",
                    "gpu_as_written": r["accelerator_model"],
                    "source": r["source"],
                    "notes": f"{r['software']}; dtype assumed ({w} weights, NVIDIA v4.1 submissions); lengths = OpenOrca means",
                }
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=COLUMNS)
        wr.writeheader()
        for r in rows:
            wr.writerow({k: r.get(k, "") for k in COLUMNS})
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
