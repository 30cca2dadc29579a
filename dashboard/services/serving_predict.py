"""Benchmark-level prediction: one row of a serving benchmark in, the means a user measures out.

A *scenario* is one benchmark run: model, hardware, engine, layout (``num_gpus``, ``tp``, ``ep``),
dtypes, lengths and a load mode:

* ``max`` — saturated throughput with a deep request queue, as vendors' max-throughput tables
  report (``trtllm-bench throughput``). Priced with the analytic steady state of
  :mod:`dashboard.services.search_steady` at the deepest concurrency the engine admits
  (``min(max_num_seqs, KV capacity in sequences of isl+osl tokens)``) and the engine's token budget.
  With ``tp``/``ep`` empty every layout on ``num_gpus`` GPUs is priced and the best output tokens/s per
  GPU wins. Cost: a handful of step prices per layout (≤ 50 ms per row).
* ``concurrency`` — closed loop with N clients (``vllm bench serve --max-concurrency N`` at an infinite
  rate) and ``rate`` — Poisson (gamma with ``burstiness``) arrivals at ``request_rate`` req/s, ``inf`` =
  all at t=0. Priced by the scheduler simulator :func:`dashboard.sim_scheduler.simulate`. The
  simulated request count is the row's ``num_requests`` capped at :data:`SIM_REQUEST_CAP` (default
  400, with at least ``4 × concurrency`` kept for closed loops) so a row stays ≤ 0.5 s.

Means follow ``vllm bench serve`` (``vllm/benchmarks/serve.py``, ``calculate_metrics``): TTFT mean over
requests; TPOT per request ``(e2e − ttft) / (output − 1)`` excluding the first token, then the mean;
ITL token-weighted (every inter-token gap counts once); output throughput = output tokens ÷ benchmark
duration. Throughput per GPU divides by ``num_gpus``.

**Serving parameters** (:class:`ServingParams`, the ones ``calibrate-serving`` fits) act on the
shared cost model's per-op prices without a second latency formula: the step price of
:class:`ScaledCostModel` is the cost model's :meth:`~dashboard.features.cost_model.CostModel.price`
with the time of the compute-bound GEMMs × ``compute_scale``, memory-bound GEMMs (weight streaming) ×
``memory_scale``, elementwise ops (norms, RoPE, activations: the engine's fusion level) ×
``elementwise_scale``, attention kernels (prefill and decode) × ``attention_scale`` and MoE expert ops (grouped GEMMs, their
activation) × ``moe_scale`` (collectives unchanged), plus the host
cost ``per_step_s + per_step_per_seq_s × sequences`` — added when the engine schedules synchronously,
``max(gpu, host)`` when it schedules asynchronously (the host work of step n+1 overlaps the GPU work
of step n). ``per_request_s`` (frontend, tokenisation, first-token detokenise) is added to every TTFT.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.features.batch import BatchStats
from dashboard.features.cost_model import ATTN_D, ATTN_P, COMM_KINDS, ELEM, GROUPED, CostModel
from dashboard.features.engine import Overheads, list_engine_presets, load_engine, step_wall_s
from dashboard.features.hardware import Curve, HardwareError, HardwareProfile, load_hardware
from dashboard.features.memory import memory_breakdown
from dashboard.features.model_profile import ModelConfigError, ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig, ParallelError, validate_parallel
from dashboard.features.params import like, param, validate_params
from dashboard.features.presets import load_model
from dashboard.features.safe_io import path_refused_hint, paths_allowed, read_text_capped
from dashboard.services.search_steady import steady_state

__all__ = [
    "INPUT_COLUMNS",
    "LOAD_MODES",
    "MEASURED_COLUMNS",
    "PROFILE_DIR",
    "SIM_REQUEST_CAP",
    "EngineSettings",
    "ScaledCostModel",
    "ServingParams",
    "ServingProfile",
    "dtypes_for",
    "engine_settings",
    "family_of",
    "find_serving_profile",
    "list_serving_profiles",
    "load_serving_profile",
    "predict_row",
    "predict_rows",
    "resolve_model_name",
    "summarize_errors",
]

INPUT_COLUMNS: tuple[str, ...] = (
    "model",
    "hardware",
    "engine",
    "num_gpus",
    "tp",
    "ep",
    "weight_dtype",
    "kv_dtype",
    "isl",
    "osl",
    "load",
    "concurrency",
    "request_rate",
    "num_requests",
)
MEASURED_COLUMNS: tuple[str, ...] = ("ttft_ms", "tpot_ms", "itl_ms", "output_tok_s_per_gpu")
PRED_COLUMNS: tuple[str, ...] = tuple(f"pred_{c}" for c in MEASURED_COLUMNS)
LOAD_MODES: tuple[str, ...] = ("max", "concurrency", "rate")
SIM_REQUEST_CAP = 500
PROFILE_DIR = Path(__file__).resolve().parent.parent / "data" / "profiles"
DEFAULT_ENGINE = "vllm"


# ---------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class ServingParams:
    """Fittable serving parameters (see the module docstring). Scales are time multipliers
    (2.0 = those ops take twice the cost model's time); overheads in seconds."""

    compute_scale: float = param(1.0, lo=0.05, hi=20.0, unit="×", label="Compute-bound GEMM time scale")
    memory_scale: float = param(1.0, lo=0.05, hi=20.0, unit="×", label="Memory-bound GEMM time scale")
    moe_scale: float = param(1.0, lo=0.05, hi=20.0, unit="×", label="MoE expert time scale")
    attention_scale: float = param(1.0, lo=0.05, hi=20.0, unit="×", label="Attention time scale")
    elementwise_scale: float = param(1.0, lo=0.05, hi=20.0, unit="×", label="Elementwise time scale")
    per_request_s: float = like(Overheads, "per_request_s")
    per_step_s: float = like(Overheads, "per_step_s")
    per_step_per_seq_s: float = like(Overheads, "per_step_per_seq_s")

    def __post_init__(self) -> None:
        validate_params(self)

    def overheads(self) -> Overheads:
        """The host-side parameters as the engine profile's :class:`~dashboard.features.engine.Overheads`."""
        return Overheads(
            per_request_s=self.per_request_s, per_step_s=self.per_step_s, per_step_per_seq_s=self.per_step_per_seq_s
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ServingParams:
        d = d or {}
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown serving parameter(s): {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in d.items()})


def family_of(model: ModelProfile, weight_dtype: str) -> str:
    """Fit family of a row: ``dense|moe`` / dtype class (``bf16`` for 16-bit, ``fp8``, ``fp4``, ``int4``)."""
    w = weight_dtype.lower()
    cls = {"fp16": "bf16", "bf16": "bf16", "fp8": "fp8", "int8": "fp8", "fp4": "fp4", "mxfp4": "fp4"}.get(w, w)
    return f"{'moe' if model.is_moe else 'dense'}/{cls}"


# ---------------------------------------------------------------------------- engines
@dataclass(frozen=True)
class EngineSettings:
    """What the predictor needs from an engine profile (:mod:`dashboard.features.engine`): its
    scheduler defaults on a GPU, async scheduling, default overheads and the profile itself (whose
    KV rule :func:`kv_capacity_tokens` applies through the memory model)."""

    name: str
    max_num_batched_tokens: int
    max_num_seqs: int
    block_size: int
    async_scheduling: bool
    overheads: ServingParams
    profile: Any = None  # the EngineProfile


def list_engines() -> list[str]:
    return list(list_engine_presets())


def engine_settings(name: str | None, hw: HardwareProfile) -> EngineSettings:
    """Scheduler defaults and overheads of engine ``name`` (default ``vllm``) on ``hw``."""
    try:
        eng = load_engine((name or DEFAULT_ENGINE).strip().lower())
    except (ValueError, KeyError, OSError) as exc:
        raise ValueError(f"engine: {exc}") from None
    d = eng.scheduler_defaults(hw)
    ov = eng.overheads
    return EngineSettings(
        name=eng.name,
        max_num_batched_tokens=int(d["max_num_batched_tokens"]),
        max_num_seqs=int(d["max_num_seqs"]),
        block_size=int(d["block_size"]),
        async_scheduling=bool(eng.async_scheduling),
        overheads=ServingParams(
            per_request_s=float(ov.per_request_s),
            per_step_s=float(ov.per_step_s),
            per_step_per_seq_s=float(ov.per_step_per_seq_s),
        ),
        profile=eng,
    )


def kv_capacity_tokens(
    model: ModelProfile, hw: HardwareProfile, par: ParallelConfig, dt: Dtypes, eng: EngineSettings, context: int
) -> int:
    """KV tokens one engine holds under the engine's KV rule (the shared memory model with
    ``engine=``), summed over the attention-DP groups."""
    mem = memory_breakdown(
        model,
        hw,
        par,
        dt,
        context=context,
        engine=eng.profile,
        max_batched_tokens=eng.max_num_batched_tokens,
        max_seqs=eng.max_num_seqs,
    )
    return max(0, mem.max_kv_tokens) * par.attention_dp


# ---------------------------------------------------------------------------- scaled cost model
class ScaledCostModel(CostModel):
    """The shared cost model with serving parameters applied to its per-op prices (module docstring).

    Only :meth:`step_summary` (hence :meth:`step_time_s`) changes: the cost model's own step time
    (:meth:`CostModel.step_summary`), FLOPs and bytes, plus ``(scale − 1) ×`` the time of each op
    category, then the engine overheads' host cost (:meth:`~dashboard.features.engine.Overheads.host_step_s`)
    combined by :func:`~dashboard.features.engine.step_wall_s`, as the simulator combines them."""

    def __init__(
        self,
        model: ModelProfile,
        hardware: HardwareProfile,
        parallel: ParallelConfig | None = None,
        dtypes: Dtypes | None = None,
        params: ServingParams | None = None,
        async_scheduling: bool = True,
    ) -> None:
        super().__init__(model, hardware, parallel, dtypes)
        self.params = params or ServingParams()
        self.overheads = self.params.overheads()
        self.async_scheduling = async_scheduling
        self._memo: dict[BatchStats, tuple[float, float, float]] = {}
        self._parts: dict[BatchStats, tuple[float, float, float, float, float, float, float, float]] = {}

    def gpu_parts(self, s: BatchStats) -> tuple[float, float, float, float, float, float, float, float]:
        """``(compute_bound_s, memory_bound_s, moe_s, attention_s, elementwise_s, step_s, flops, bytes)``
        of one step, unscaled: the time of each op category (compute/memory-bound: the dense GEMMs by
        their bound; attention: prefill and decode attention kernels; elementwise: norms, RoPE + KV
        write, activations, residuals; collectives in none) with the cost model's per-op times, and the
        cost model's own step time, FLOPs and bytes (:meth:`CostModel.step_summary`). Memoised by step
        composition."""
        hit = self._parts.get(s)
        if hit is not None:
            return hit
        step_s, fl, by = CostModel.step_summary(self, s)
        comp = mem = moe = attn = elem = 0.0
        timef = self.op_time
        for op in self.ops(s):
            if op.kind in COMM_KINDS:
                continue
            dt, bound = timef(op)
            if op.kind == GROUPED or op.name.startswith("experts_"):
                moe += dt
            elif op.kind == ELEM:
                elem += dt
            elif op.kind == ATTN_P or op.kind == ATTN_D:
                attn += dt
            elif bound == "compute":
                comp += dt
            else:
                mem += dt
        out = (comp, mem, moe, attn, elem, step_s, fl, by)
        if len(self._parts) > 200_000:
            self._parts.clear()
        self._parts[s] = out
        return out

    def set_params(self, params: ServingParams) -> None:
        """Change the serving parameters (keeps the unscaled per-step parts memo)."""
        self.params = params
        self.overheads = params.overheads()
        self._memo.clear()

    def step_summary(self, s: BatchStats) -> tuple[float, float, float]:
        hit = self._memo.get(s)
        if hit is not None:
            return hit
        p = self.params
        comp, mem, moe, attn, elem, step_s, fl, by = self.gpu_parts(s)
        gpu = (
            step_s
            + comp * (p.compute_scale - 1.0)
            + mem * (p.memory_scale - 1.0)
            + moe * (p.moe_scale - 1.0)
            + attn * (p.attention_scale - 1.0)
            + elem * (p.elementwise_scale - 1.0)
        )
        host = self.overheads.host_step_s(s.prefill_seqs + s.decode_seqs)
        t = step_wall_s(gpu, host, self.async_scheduling)
        out = (t, fl, by)
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[s] = out
        return out


# ---------------------------------------------------------------------------- fitted profiles
@dataclass(frozen=True)
class ServingProfile:
    """A fitted engine+hardware profile (``<hardware>+<engine>``, e.g. ``h200+trtllm``): the base
    hardware profile, the engine, default parameters, per-family parameters, its domain and provenance."""

    name: str
    base_hardware: str
    engine: str
    params: ServingParams = field(default_factory=ServingParams)
    families: dict[str, ServingParams] = field(default_factory=dict)
    domain: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def params_for(self, family: str) -> tuple[ServingParams, str | None]:
        """Parameters for ``family`` and a warning when the family was not fitted."""
        if family in self.families:
            return self.families[family], None
        return self.params, f"family {family} not fitted in {self.name} (profile defaults used)"

    def domain_warnings(
        self,
        *,
        model: str,
        family: str,
        tp: int,
        ep: int,
        isl: int | None = None,
        osl: int | None = None,
        hardware: str | None = None,
        engine: str | None = None,
    ) -> list[str]:
        """Where a row lies outside the fitted domain (empty list when inside); ``None`` lengths are
        not checked (the page header knows no lengths)."""
        d = self.domain
        out: list[str] = []
        if not d:
            return out
        if hardware and d.get("hardware") and hardware not in d["hardware"]:
            out.append(f"hardware {hardware} (fitted on {', '.join(d['hardware'])})")
        if engine and d.get("engine") and engine != d["engine"]:
            out.append(f"engine {engine} (fitted on {d['engine']})")
        fams = d.get("families") or []
        if fams and family not in fams:
            out.append(f"family {family} (fitted: {', '.join(fams)})")
        models = d.get("models") or []
        if models and model not in models:
            out.append(f"model {model} not among the fitted models")
        for key, v in (("tp", tp), ("ep", ep), ("isl", isl), ("osl", osl)):
            rng = d.get(key)
            if rng and v is not None and not (rng[0] <= v <= rng[1]):
                out.append(f"{key} {v} outside [{rng[0]}, {rng[1]}]")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "serving_profile",
            "name": self.name,
            "description": self.description,
            "base_hardware": self.base_hardware,
            "engine": self.engine,
            "params": asdict(self.params),
            "families": {k: asdict(v) for k, v in self.families.items()},
            "domain": self.domain,
            "fit": self.fit,
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ServingProfile:
        if not isinstance(d, dict) or d.get("kind") != "serving_profile":
            raise ValueError('not a serving profile (expected a JSON object with "kind": "serving_profile")')
        for key in ("name", "base_hardware", "engine"):
            if not isinstance(d.get(key), str) or not d[key]:
                raise ValueError(f"serving profile: field {key!r} must be a non-empty string")
        fams = d.get("families") or {}
        if not isinstance(fams, dict):
            raise ValueError("serving profile: field 'families' must be an object")
        return cls(
            name=d["name"],
            base_hardware=d["base_hardware"],
            engine=d["engine"],
            params=ServingParams.from_dict(d.get("params")),
            families={str(k): ServingParams.from_dict(v) for k, v in fams.items()},
            domain=dict(d.get("domain") or {}),
            fit=dict(d.get("fit") or {}),
            provenance=dict(d.get("provenance") or {}),
            description=str(d.get("description") or ""),
        )

    def hardware(self) -> HardwareProfile:
        return load_hardware(self.base_hardware)

    def hardware_profile(self, family: str | None = None) -> HardwareProfile:
        """The profile lowered onto a plain :class:`HardwareProfile` for commands that take hardware
        only (``simulate``, ``search``, ``memory``, ``plan``): GEMM/attention efficiency curves ÷
        ``compute_scale``, HBM efficiency ÷ ``memory_scale``, ``per_step_s`` added to the step
        overhead. ``moe_scale``, ``elementwise_scale``, the decode part of ``attention_scale`` and the
        per-request / per-sequence overheads have no hardware field: they act only in ``bench-predict``
        (the notes say so)."""
        hw = self.hardware()
        p = self.families.get(family, self.params) if family else self.params
        eff = hw.efficiency

        def sc(curve: Any) -> Any:
            if curve is None:
                return None
            return Curve(tuple((x, min(1.5, y / p.compute_scale)) for x, y in curve.points))

        changes: dict[str, Any] = {
            "gemm_compute": sc(eff.gemm_compute),
            "attention_prefill": Curve(
                tuple((x, min(1.5, y / p.attention_scale)) for x, y in eff.attention_prefill.points)
            ),
            "memory": min(1.5, max(0.01, eff.memory / p.memory_scale)),
            "step_overhead_us": eff.step_overhead_us + p.per_step_s * 1e6,
        }
        for name in ("gemm_compute_fp8", "gemm_compute_fp4"):
            if hasattr(eff, name):
                changes[name] = sc(getattr(eff, name))
        note = (
            f"{self.name}: {hw.name} with fitted serving parameters ({family or 'default'} family: compute "
            f"×{p.compute_scale:.3g}, memory ×{p.memory_scale:.3g}, prefill attention ×{p.attention_scale:.3g}); the "
            "MoE, elementwise and decode-attention scales and the per-request overheads act only in bench-predict"
        )
        return replace(
            hw,
            slug=self.name,
            name=f"{hw.name} + {self.engine} (fitted)",
            efficiency=replace(eff, **changes),
            notes=note,
        )


def list_serving_profiles() -> list[str]:
    """Names of the shipped fitted profiles (``dashboard/data/profiles/*.json``)."""
    if not PROFILE_DIR.is_dir():
        return []
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json"))


def _profile_path(ref: str | Path) -> Path | None:
    """A shipped profile by name, or a file when the caller may name files (CLI, a ``Path`` object;
    see :mod:`dashboard.features.safe_io`)."""
    s = str(ref).strip()
    shipped = PROFILE_DIR / f"{s.lower()}.json"
    if "/" not in s and "\\" not in s and shipped.is_file():
        return shipped
    if isinstance(ref, Path) or paths_allowed():
        p = Path(s)
        if p.suffix.lower() == ".json" and p.is_file():
            return p
    return None


def load_serving_profile(ref: str | Path | dict[str, Any]) -> ServingProfile:
    """A shipped profile by name (``h200+trtllm``), a path to a profile JSON (CLI only), or a dict."""
    if isinstance(ref, dict):
        return ServingProfile.from_dict(ref)
    s = str(ref).strip()
    path = _profile_path(ref)
    if path is None:
        raise ValueError(
            f"unknown serving profile {s!r}; shipped: {', '.join(list_serving_profiles()) or 'none'}"
            + path_refused_hint(s)
        )
    try:
        data = json.loads(read_text_capped(path))
    except (OSError, ValueError) as exc:
        raise ValueError(f"serving profile {s}: cannot read JSON ({exc})") from None
    return ServingProfile.from_dict(data)


def is_serving_profile_ref(ref: str | Path) -> bool:
    """Whether ``ref`` names a shipped serving profile or (CLI) a serving-profile JSON file."""
    path = _profile_path(ref)
    if path is None:
        return False
    if path.parent == PROFILE_DIR:
        return True
    try:
        return json.loads(read_text_capped(path)).get("kind") == "serving_profile"
    except (OSError, ValueError, AttributeError):
        return False


#: published hardware names → hardware presets
_HW_ALIASES = {
    "h100": "h100-sxm",
    "h100-sxm": "h100-sxm",
    "h100-sxm-80gb": "h100-sxm",
    "h100-sxm5": "h100-sxm",
    "h200": "h200",
    "h200-sxm": "h200",
    "h200-sxm-141gb": "h200",
    "b200": "b200",
    "b200-180gb": "b200",
    "gb200": "gb200",
    "a100": "a100-80g",
    "a100-sxm4-80gb": "a100-80g",
    "l40s": "l40s",
    "b300": "b300",
    "h20": "h20",
    "h800": "h800",
    "mi300x": "mi300x",
    "mi325x": "mi325x",
    "mi355x": "mi355x",
}


def normalise_hardware_name(name: str) -> str:
    s = name.strip().lower().replace(" ", "-").replace("_", "-")
    return _HW_ALIASES.get(s, s)


def find_serving_profile(hardware: str, engine: str | None) -> str | None:
    """Name of the shipped profile for this hardware+engine pair, if one ships."""
    if not hardware or not engine:
        return None
    name = f"{normalise_hardware_name(hardware)}+{engine.strip().lower()}"
    return name if name in list_serving_profiles() else None


#: model names as benchmarks write them → presets with the same architecture. Llama 3 / 3.3 share
#: Llama 3.1's shapes (config.json of each: hidden 4096/8192, 32/80 layers, GQA 8, vocab 128256).
_MODEL_ALIASES = {
    "llama-3.3-70b": "llama-3.1-70b",
    "llama-v3.3-70b": "llama-3.1-70b",
    "llama-3-70b": "llama-3.1-70b",
    "llama-v3-70b": "llama-3.1-70b",
    "llama-v3.1-70b": "llama-3.1-70b",
    "llama-3-8b": "llama-3.1-8b",
    "llama-v3-8b": "llama-3.1-8b",
    "llama-v3.1-8b": "llama-3.1-8b",
    "llama-v3.1-405b": "llama-3.1-405b",
    "llama-v2-7b": "llama-2-7b",
    "mixtral-8x7b-v0.1": "mixtral-8x7b",
    "mixtral-8x22b-v0.1": "mixtral-8x22b",
    "mistral-7b-v0.1": "mistral-7b",
    "qwen3-30b-a3b": "qwen3-30b-a3b",
    "qwen3-235b-a22b": "qwen3-235b-a22b",
    "deepseek-r1-0528": "deepseek-r1",
    # architecture proxy: Llama 2 70B has Llama 3 70B's shapes (hidden 8192, 80 layers, 64 heads, GQA 8,
    # FFN 28672) except the vocabulary (32000 vs 128256), which only changes the lm_head (< 2 % of a step)
    "llama-2-70b": "llama-3.1-70b",
    "llama-v2-70b": "llama-3.1-70b",
    "llama2-70b": "llama-3.1-70b",
    "gpt-oss-20b": "gpt-oss-20b",
    "gpt-oss-120b": "gpt-oss-120b",
}


def resolve_model_name(name: str) -> ModelProfile:
    """A preset by its slug/alias, a Hub id (``meta-llama/Llama-3.1-8B-Instruct``) or a benchmark's
    spelling (``LLaMA v3.1 70B``, ``Llama 3.3 70B``); ``ValueError`` when nothing matches."""
    raw = str(name).strip()
    if not raw:
        raise ValueError("model is empty")
    try:
        return load_model(raw)
    except (ModelConfigError, ValueError, OSError):
        pass
    s = raw.split("/")[-1].lower().replace(" ", "-").replace("_", "-")
    for suffix in ("-instruct", "-chat", "-hf", "-fp8", "-fp4", "-nvfp4", "-it"):
        s = s.replace(suffix, "")
    s = s.replace("meta-", "").replace("llama-v", "llama-v")
    cands = [s, _MODEL_ALIASES.get(s, ""), s.replace("llama-v", "llama-")]
    cands.append(_MODEL_ALIASES.get(cands[-1], ""))
    for c in cands:
        if not c:
            continue
        try:
            return load_model(c)
        except (ModelConfigError, ValueError, OSError):
            continue
    raise ValueError(f"model {raw!r} matches no preset; pass --model with a preset name or a config.json")


# ---------------------------------------------------------------------------- rows
def dtypes_for(weight_dtype: str, kv_dtype: str | None) -> Dtypes:
    """Engine dtypes of a benchmark row: FP8 weights run W8A8 (TensorRT-LLM/vLLM FP8 checkpoints),
    NVFP4 runs W4A4; other weight formats keep 16-bit activations. KV defaults to 16-bit."""
    w = (weight_dtype or "bf16").strip().lower()
    w = {"mixed": "bf16", "fp16": "fp16", "nvfp4": "fp4"}.get(w, w)
    act = {"fp8": "fp8", "int8": "fp8", "fp4": "fp4"}.get(w, "bf16")
    kv = (kv_dtype or "").strip().lower() or ("fp8" if w in ("fp8", "fp4") else "bf16")
    kv = {"nvfp4": "fp4"}.get(kv, kv)
    return Dtypes(weight=w, activation=act, kv=kv)


def _int_or_none(v: Any) -> int | None:
    if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(float(v))


def _layouts(model: ModelProfile, num_gpus: int, tp: int | None, ep: int | None) -> list[tuple[int, int]]:
    """``(tp, ep)`` pairs to price: the given one, or every valid one with ``max(tp, ep)`` dividing ``num_gpus``."""
    if tp is not None:
        out = [(tp, ep or 1)]
    else:
        tps = [t for t in (1, 2, 4, 8, 16, 32, 64) if t <= num_gpus and num_gpus % t == 0]
        eps = [e for e in (1, 2, 4, 8, 16, 32, 64) if e <= num_gpus and num_gpus % e == 0] if model.is_moe else [1]
        if ep is not None:
            eps = [ep]
        out = [(t, e) for t in tps for e in eps if max(t, e) <= num_gpus and num_gpus % max(t, e) == 0]
    ok = []
    for t, e in out:
        try:
            validate_parallel(model, ParallelConfig(tp=t, ep=e))
        except ParallelError:
            continue
        ok.append((t, e))
    return ok


@dataclass
class _Context:
    model: ModelProfile
    hw: HardwareProfile
    eng: EngineSettings
    params: ServingParams
    dt: Dtypes
    profile: str
    warnings: list[str]


def _kv_cached(ctx: _Context, par: ParallelConfig, context: int, cache: dict | None) -> int:
    key = ("kv", ctx.model.name, id(ctx.hw), par.tp, par.ep, ctx.dt, ctx.eng.name, context)
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        hit = kv_capacity_tokens(ctx.model, ctx.hw, par, ctx.dt, ctx.eng, context)
        if cache is not None:
            cache[key] = hit
    return hit


def _cost_model(ctx: _Context, tp: int, ep: int, cache: dict | None) -> ScaledCostModel:
    """A :class:`ScaledCostModel` for this layout, re-used from ``cache`` (the unscaled step parts
    stay memoised across parameter changes, which makes refits cheap)."""
    key = (ctx.model.name, ctx.hw.slug, id(ctx.hw), tp, ep, ctx.dt, ctx.eng.async_scheduling)
    cm = cache.get(key) if cache is not None else None
    if cm is None:
        cm = ScaledCostModel(
            ctx.model, ctx.hw, ParallelConfig(tp=tp, ep=ep), ctx.dt, ctx.params, ctx.eng.async_scheduling
        )
        if cache is not None:
            cache[key] = cm
    elif cm.params != ctx.params:
        cm.set_params(ctx.params)
    return cm


def _price_max(ctx: _Context, tp: int, ep: int, isl: int, osl: int, cms: dict | None = None) -> dict[str, float] | None:
    par = ParallelConfig(tp=tp, ep=ep)
    kv_tokens = _kv_cached(ctx, par, isl + osl, cms)
    per_seq = -(-(isl + osl) // ctx.eng.block_size) * ctx.eng.block_size
    conc = min(ctx.eng.max_num_seqs * par.attention_dp, kv_tokens // per_seq)
    if conc < 1:
        return None
    cm = _cost_model(ctx, tp, ep, cms)
    st = steady_state(cm, isl, osl, conc, ctx.eng.max_num_batched_tokens)
    g = max(tp, ep)
    return {
        "ttft_ms": (st.ttft_s + ctx.params.per_request_s) * 1e3,
        "tpot_ms": st.tpot_s * 1e3,
        "itl_ms": st.tpot_s * 1e3,
        "output_tok_s_per_gpu": st.output_tok_s / g,
        "concurrency_used": conc,
    }


#: simulated steps one rate/concurrency row may take (≈ 0.2 s at ~60 µs per simulated step)
SIM_STEP_BUDGET = 3000
SIM_MIN_REQUESTS = 100


def sim_request_count(
    load: str, num_requests: int | None, concurrency: int | None, rate: float | None, osl: int, one_seq_step_s: float
) -> int:
    """Requests to simulate for a rate/concurrency row (see the module docstring): the row's
    ``num_requests`` (default 500 for rate rows, ``max(200, 8 × concurrency)`` for closed loops) capped
    so the run takes about :data:`SIM_STEP_BUDGET` steps: a closed loop of ``C`` clients needs about
    ``n·osl/C`` steps; a Poisson rate ``λ`` runs ``n/λ`` seconds, at least one step of one sequence
    (``one_seq_step_s``) each. Never below :data:`SIM_MIN_REQUESTS` (nor ``4·C``), never above the row's count."""
    if load == "concurrency":
        c = int(concurrency or 1)
        want = num_requests or max(200, 8 * c)
        cap = max(4 * c, SIM_MIN_REQUESTS, SIM_STEP_BUDGET * c // max(1, osl))
        return int(min(want, cap))
    want = num_requests or 500
    if rate is None or not math.isfinite(rate):
        return int(min(want, max(SIM_REQUEST_CAP, SIM_MIN_REQUESTS)))
    cap = max(SIM_MIN_REQUESTS, int(rate * SIM_STEP_BUDGET * max(one_seq_step_s, 1e-4)))
    return int(min(want, cap, SIM_REQUEST_CAP * 4))


def _sim_row(
    ctx: _Context,
    tp: int,
    ep: int,
    num_gpus: int,
    load: str,
    isl: int,
    osl: int,
    concurrency: int | None,
    rate: float | None,
    num_requests: int | None,
    lengths: Any,
    burstiness: float,
    seed: int,
    cms: dict | None = None,
) -> dict[str, float]:
    from dashboard.sim_scheduler import SchedulerConfig, Workload, simulate

    par = ParallelConfig(tp=tp, ep=ep)
    g = max(tp, ep)
    dp = max(1, num_gpus // g)
    cm = _cost_model(ctx, tp, ep, cms)
    t1 = cm.step_time_s(cm.stats_for_batch([], [isl + osl // 2]))
    # the offered request rate when the load is a finite rate (None: closed loop or unbounded rate)
    offered: float | None = rate if load == "rate" and rate is not None and math.isfinite(rate) else None
    # each of the dp engines sees rate/dp: the step budget is per engine
    n_full = num_requests or (500 if load == "rate" else max(200, 8 * int(concurrency or 1)))
    n = sim_request_count(load, n_full, concurrency, (offered / dp) if offered is not None else rate, osl, t1)
    if offered is not None:
        n = min(n_full, n * dp)
    rng = np.random.default_rng(seed)
    if lengths is not None:
        ins, outs = np.asarray(lengths[0], dtype=np.int64), np.asarray(lengths[1], dtype=np.int64)
        idx = rng.choice(len(ins), size=n, replace=len(ins) < n) if len(ins) != n else np.arange(n)
        prompt, output = np.maximum(1, ins[idx]), np.maximum(1, outs[idx])
    else:
        prompt, output = np.full(n, isl, dtype=np.int64), np.full(n, osl, dtype=np.int64)
    if offered is not None:
        gaps = rng.gamma(burstiness, 1.0 / (offered * burstiness), n)
        gaps[0] = 0.0
        if n > 1:  # condition on the expected span (n − 1)/rate: removes the span's sampling noise
            gaps *= ((n - 1) / offered) / gaps.sum()
        arr = np.cumsum(gaps)
    else:
        arr = np.zeros(n)
    wl = Workload(
        tuple(arr.tolist()),
        tuple(int(x) for x in prompt),
        tuple(int(x) for x in output),
        concurrency if load == "concurrency" else None,
    )
    longest = int((prompt + output).max())
    kv_tokens = _kv_cached(ctx, par, longest, cms)
    nblocks = kv_tokens // ctx.eng.block_size
    if nblocks < 1:
        raise _Unsupported("no KV cache fits beside the weights at this layout")
    seqs = min(ctx.eng.max_num_seqs, ctx.eng.max_num_batched_tokens)
    sched = SchedulerConfig(
        max_num_batched_tokens=ctx.eng.max_num_batched_tokens,
        max_num_seqs=seqs,
        block_size=ctx.eng.block_size,
        num_kv_blocks=int(nblocks),
        preempt="last_admitted",
    )
    try:
        res = simulate(cm, wl, sched, dp=dp, router="round_robin", record_steps=False)
    except ValueError as exc:
        raise _Unsupported(str(exc)) from None
    sm = res.summary
    rq = res.requests
    ttft = float(np.nanmean(rq["ttft_s"])) + ctx.params.per_request_s
    tpot = float(np.nanmean(rq["tpot_s"])) if np.any(output > 1) else math.nan
    duration = float(sm["duration_s"])
    out_tok = float(sm["total_output_tokens"])
    if n < n_full:  # fewer requests simulated than the benchmark sent: extend the run at the offered rate
        if offered is not None:
            duration += (n_full - n) / offered
        else:
            duration *= n_full / n
        out_tok *= n_full / n
    if load == "concurrency" and ctx.params.per_request_s > 0:  # each client also waits the frontend
        e2e = float(np.nanmean(rq["e2e_s"]))
        duration *= (e2e + ctx.params.per_request_s) / e2e
    out_s = out_tok / duration if duration > 0 else math.nan
    return {
        "ttft_ms": ttft * 1e3,
        "tpot_ms": tpot * 1e3,
        "itl_ms": float(sm["itl_ms"]["mean"]),
        "output_tok_s_per_gpu": out_s / num_gpus,
        "sim_requests": n,
    }


class _Unsupported(Exception):
    pass


def _float_or_none(v: Any) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    x = float(v)
    return None if math.isnan(x) else x


def predict_row(
    row: dict[str, Any],
    *,
    hardware: str | None = None,
    engine: str | None = None,
    model_override: str | None = None,
    seed: int = 0,
    params: ServingParams | None = None,
    cache: dict | None = None,
) -> dict[str, Any]:
    """Predict one scenario row (dict of :data:`INPUT_COLUMNS`, optional measured columns, optional
    ``_lengths`` = ``(input_lens, output_lens)`` and ``burstiness``). Never raises for a row it
    cannot express: the output has ``status = "unsupported: <why>"``."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {k: row.get(k) for k in INPUT_COLUMNS}
    for k in MEASURED_COLUMNS:
        if k in row:
            out[k] = row.get(k)
    for k in PRED_COLUMNS:
        out[k] = None
    out.update({"status": "ok", "profile": None, "tp_used": None, "ep_used": None})
    try:
        res = _predict(row, hardware, engine, model_override, seed, cache, params)
        out.update(res)
    except _Unsupported as exc:
        out["status"] = f"unsupported: {exc}"
    except (ValueError, HardwareError, ModelConfigError, ParallelError, TypeError, OverflowError) as exc:
        out["status"] = f"unsupported: {exc}"
    out["elapsed_ms"] = (time.perf_counter() - t0) * 1e3
    return out


def _context_for(
    row: dict[str, Any], hardware: str | None, engine: str | None, model_override: str | None
) -> tuple[_Context, ServingProfile | None, str]:
    """Model, hardware, engine, dtypes and parameters of a row: a fitted profile when ``--hardware``
    names one or the row's hardware+engine pair has one shipped, else the base hardware with the
    engine's default overheads (uncalibrated)."""
    model = resolve_model_name(model_override or str(row.get("model") or ""))
    warnings: list[str] = []
    eng_name = (engine or str(row.get("engine") or "").strip() or DEFAULT_ENGINE).lower()
    hw_ref = hardware or str(row.get("hardware") or "").strip()
    if not hw_ref:
        raise _Unsupported("no hardware (give the column or --hardware)")
    dt = dtypes_for(str(row.get("weight_dtype") or "bf16"), str(row.get("kv_dtype") or ""))
    fam = family_of(model, dt.weight)
    prof: ServingProfile | None = None
    if is_serving_profile_ref(hw_ref):
        prof = load_serving_profile(hw_ref)
    else:
        name = find_serving_profile(hw_ref, eng_name) if (row.get("engine") or engine) else None
        if name:
            prof = load_serving_profile(name)
    if prof is not None:
        hw = prof.hardware()
        if eng_name != prof.engine and (engine or row.get("engine")):
            warnings.append(f"profile {prof.name} was fitted for engine {prof.engine}, row says {eng_name}")
        eng = engine_settings(prof.engine if not (engine or row.get("engine")) else eng_name, hw)
        params, w = prof.params_for(fam)
        if w:
            warnings.append(w)
        label = prof.name
    else:
        try:
            hw = load_hardware(normalise_hardware_name(hw_ref))
        except HardwareError:
            hw = load_hardware(hw_ref)
        eng = engine_settings(eng_name, hw)
        params = eng.overheads
        label = f"{hw.slug} ({eng.name}, uncalibrated)"
    return _Context(model, hw, eng, params, dt, label, warnings), prof, fam


def _predict(
    row: dict[str, Any],
    hardware: str | None,
    engine: str | None,
    model_override: str | None,
    seed: int,
    cache: dict | None,
    params: ServingParams | None = None,
) -> dict[str, Any]:
    key = (
        "ctx",
        str(row.get("model") or ""),
        str(row.get("hardware") or ""),
        str(row.get("engine") or ""),
        str(row.get("weight_dtype") or ""),
        str(row.get("kv_dtype") or ""),
        hardware,
        engine,
        model_override,
    )
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        hit = _context_for(row, hardware, engine, model_override)
        if cache is not None:
            cache[key] = hit
    ctx, prof, fam = hit
    ctx = replace(ctx, params=params if params is not None else ctx.params, warnings=list(ctx.warnings))
    load = str(row.get("load") or "").strip().lower()
    if load not in LOAD_MODES:
        raise _Unsupported(f"load must be one of {', '.join(LOAD_MODES)}, got {load!r}")
    num_gpus = _int_or_none(row.get("num_gpus"))
    tp, ep = _int_or_none(row.get("tp")), _int_or_none(row.get("ep"))
    if num_gpus is None:
        num_gpus = max(tp or 1, ep or 1)
    isl, osl = _int_or_none(row.get("isl")), _int_or_none(row.get("osl"))
    lengths = row.get("_lengths")
    if lengths is not None:
        isl = isl or round(float(np.mean(lengths[0])))
        osl = osl or round(float(np.mean(lengths[1])))
    if not isl or not osl or isl < 1 or osl < 1:
        raise _Unsupported("isl and osl must be positive integers")
    if num_gpus < 1 or (tp is not None and tp < 1) or (ep is not None and ep < 1):
        raise _Unsupported("num_gpus, tp and ep must be positive")
    pp = _int_or_none(row.get("pp"))
    if pp and pp > 1:
        raise _Unsupported("pipeline parallelism (pp > 1) is not modelled")
    layouts = _layouts(ctx.model, num_gpus, tp, ep)
    if not layouts:
        raise _Unsupported(f"no valid tp/ep layout of {ctx.model.name} on {num_gpus} GPUs")
    if tp is not None and max(tp, ep or 1) > num_gpus:
        raise _Unsupported(f"tp={tp}, ep={ep} needs more than num_gpus={num_gpus} GPUs")
    res: dict[str, Any] | None = None
    best = None
    cms: dict = cache if cache is not None else {}
    if load == "max":
        for t, e in layouts:
            r = _price_max(ctx, t, e, isl, osl, cms)
            if r is None:
                continue
            if best is None or r["output_tok_s_per_gpu"] > best[2]["output_tok_s_per_gpu"]:
                best = (t, e, r)
        if best is None:
            raise _Unsupported(f"the model does not fit in memory on any layout of {num_gpus} GPUs")
    else:
        conc = _int_or_none(row.get("concurrency"))
        rate_raw = row.get("request_rate")
        rate = None
        if isinstance(rate_raw, str) and rate_raw.strip().lower() in ("inf", "infinity"):
            rate = math.inf
        else:
            rate = _float_or_none(rate_raw)
        if load == "concurrency" and (conc is None or conc < 1):
            raise _Unsupported("load=concurrency needs a positive concurrency")
        if load == "rate" and (rate is None or rate <= 0):
            raise _Unsupported("load=rate needs a positive request_rate (or inf)")
        nreq = _int_or_none(row.get("num_requests"))
        burst = _float_or_none(row.get("burstiness")) or 1.0
        if len(layouts) > 1:  # pick the layout the max-throughput model prefers, then simulate it
            for t, e in layouts:
                r = _price_max(ctx, t, e, isl, osl, cms)
                if r is not None and (best is None or r["output_tok_s_per_gpu"] > best[2]["output_tok_s_per_gpu"]):
                    best = (t, e, r)
            if best is None:
                raise _Unsupported(f"the model does not fit in memory on any layout of {num_gpus} GPUs")
            t, e = best[0], best[1]
        else:
            t, e = layouts[0]
        r = _sim_row(ctx, t, e, num_gpus, load, isl, osl, conc, rate, nreq, lengths, burst, seed, cache)
        best = (t, e, r)
    t, e, r = best
    res = {f"pred_{k}": r[k] for k in MEASURED_COLUMNS}
    res.update({"profile": ctx.profile, "tp_used": t, "ep_used": e})
    if "sim_requests" in r:
        res["sim_requests"] = r["sim_requests"]
    warns = list(ctx.warnings)
    if prof is not None:
        dw = prof.domain_warnings(
            model=ctx.model.slug if hasattr(ctx.model, "slug") else ctx.model.name,
            family=fam,
            tp=t,
            ep=e,
            isl=isl,
            osl=osl,
        )
        if dw:
            warns.append("outside fitted domain: " + "; ".join(dw))
    if warns:
        res["warning"] = " | ".join(warns)
    return res


def predict_rows(
    rows: Sequence[dict[str, Any]],
    *,
    hardware: str | None = None,
    engine: str | None = None,
    model_override: str | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """:func:`predict_row` for each row, in order."""
    return [predict_row(r, hardware=hardware, engine=engine, model_override=model_override, seed=seed) for r in rows]


def summarize_errors(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """Per measured column: ``n`` rows with both a measurement and a prediction, ``mape`` (%) =
    mean |pred − meas| / meas × 100, ``bias`` (%) = mean (pred − meas) / meas × 100 (positive: over-predicts)."""
    out: dict[str, dict[str, float | int | None]] = {}
    for col in MEASURED_COLUMNS:
        errs = []
        for r in rows:
            m, p = _float_or_none(r.get(col)), r.get(f"pred_{col}")
            if m is None or p is None or not math.isfinite(float(p)) or m <= 0:
                continue
            errs.append((float(p) - m) / m)
        if errs:
            a = np.asarray(errs)
            out[col] = {"n": len(errs), "mape": float(np.mean(np.abs(a)) * 100), "bias": float(np.mean(a) * 100)}
        else:
            out[col] = {"n": 0, "mape": None, "bias": None}
    return out
