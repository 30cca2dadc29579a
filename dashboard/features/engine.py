"""Serving engines as data: scheduler defaults, KV-memory rule, admission, overheads.

An engine profile is JSON (``dashboard/data/engines/<name>.json``, presets ``vllm`` (default),
``sglang``, ``trtllm``), loaded like a hardware profile. Every default carries a cited source in
the JSON's ``sources``; what the simulator does with each field is documented on
:class:`EngineProfile`. Nothing here prices a step: latencies come from the cost model.

* **Scheduler defaults as functions of the GPU** (``batch_rules``): an ordered list of tiers;
  the first whose conditions hold gives ``max_num_batched_tokens``/``max_num_seqs`` (and the
  CUDA-graph batch limit where the engine derives one). Conditions: ``min_hbm_gib`` (≥),
  ``max_hbm_gib`` (<), ``name_excludes`` (substrings of the GPU name, lower case). E.g. vLLM's
  ``get_batch_defaults`` for ``vllm serve``: ≥ 70 GiB and not an A100 → 8192/1024, else 2048/256.
* **KV-capacity rule** (``kv_rule``), bytes of KV cache one GPU holds, with ``C`` the HBM
  capacity, ``W`` the weights, ``A`` the activation peak of a step of ``max_num_batched_tokens``,
  ``N`` the non-torch memory (CUDA context, NCCL, cuBLAS workspace), ``G`` the CUDA graphs:

  - ``fraction_of_total`` (vLLM ``gpu_memory_utilization`` f): ``f·C − W − A − N − G``;
  - ``fraction_of_free`` (TRT-LLM ``free_gpu_memory_fraction`` f): ``f·(C − W − A − N − G)``;
  - ``static_fraction`` (SGLang ``mem_fraction_static`` f): ``f·C − W``, where f, when not
    given, is SGLang's own rule ``(C − R)/C`` with the reserve
    ``R = base + per_chunk_token·max(chunk, min_chunk) + per_graph_bs·graph_bs + per_tp_pp·tp·pp``
    MiB, at least ``floor_mib`` on GPUs above ``floor_above_gib``.

  Negative results are returned as they are (the layout does not fit; an answer, not an error).
* **Admission** (``admission``): ``full_prompt`` (vLLM V1: a waiting or preempted request is
  admitted only if blocks for its whole remaining prompt are free), ``guaranteed_no_evict``
  (TRT-LLM default: prompt + max output reserved up front, never preempted), ``max_utilization``
  (greedy: admit what the step's chunk needs).
* ``async_scheduling``: step n+1 is scheduled while step n runs, so a request arriving during step
  n is scheduled at step n+2 at the earliest, and host cost per step is hidden when shorter than
  the GPU step.
* ``overheads`` (seconds): ``per_request_s`` added to each TTFT (frontend, tokenise, first-token
  detokenise/stream); ``per_step_s + per_step_per_seq_s·running`` host cost per step (visible only
  where it exceeds the GPU step under async scheduling). Fittable; presets ship estimates.
* ``preempt`` victim: ``last_admitted`` (vLLM ``running.pop()``), ``last_arrived``,
  ``fewest_generated`` (SGLang ``retract_decode``: fewest output tokens, longest prompt first).
* ``dp_router``: ``vllm_least_loaded`` (least ``4·waiting + running``), ``round_robin``,
  ``least_outstanding_tokens``.

Units: bytes, GiB = 2**30 B, MiB = 2**20 B, seconds.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.features.hardware import GIB, HardwareProfile, _dir_stamp
from dashboard.features.params import param, param_specs
from dashboard.features.safe_io import path_refused_hint, paths_allowed, read_text_capped

__all__ = [
    "ADMISSIONS",
    "DEFAULT_ENGINE",
    "DP_ROUTERS",
    "ENGINE_DIR",
    "KV_RULES",
    "PREEMPT_VICTIMS",
    "BatchRule",
    "EngineError",
    "EngineProfile",
    "KvRule",
    "Overheads",
    "engine_from_dict",
    "engine_to_dict",
    "host_step_s",
    "list_engine_presets",
    "load_engine",
    "step_wall_s",
]

ENGINE_DIR = Path(__file__).resolve().parent.parent / "data" / "engines"
DEFAULT_ENGINE = "vllm"
ADMISSIONS: tuple[str, ...] = ("full_prompt", "guaranteed_no_evict", "max_utilization")
KV_RULES: tuple[str, ...] = ("fraction_of_total", "fraction_of_free", "static_fraction")
#: the simulator's preemption victims and DP routers (dashboard/sim/policies.py implements them and
#: takes these names from here: one list each)
PREEMPT_VICTIMS: tuple[str, ...] = ("last_arrived", "last_admitted", "fewest_generated")
DP_ROUTERS: tuple[str, ...] = ("round_robin", "least_outstanding_tokens", "vllm_least_loaded")


class EngineError(ValueError):
    """An engine preset or profile could not be found or is invalid (names the field)."""


def _num(
    v: Any, name: str, lo: float = 0.0, hi: float = math.inf, *, integer: bool = False, lo_open: bool = False
) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise EngineError(f"{name} must be a number, got {v!r}")
    if integer and int(v) != v:
        raise EngineError(f"{name} must be an integer, got {v!r}")
    if v < lo or v > hi or (lo_open and v == lo):
        rng = f"({lo}, {hi}]" if lo_open else f"[{lo}, {hi}]"
        raise EngineError(f"{name} must be in {rng}, got {v!r}")
    return int(v) if integer else float(v)


def host_step_s(per_step_s: float, per_step_per_seq_s: float, running: int) -> float:
    """Host (CPU) cost of one engine step with ``running`` sequences: scheduling, input
    preparation and sampling bookkeeping, ``per_step_s + per_step_per_seq_s · running`` seconds."""
    return per_step_s + per_step_per_seq_s * running


def step_wall_s(gpu_s: float, host_s: float, async_scheduling: bool) -> float:
    """Wall time of one engine step from its GPU time and its host cost (seconds): with
    asynchronous scheduling the host work of step n+1 overlaps the GPU work of step n, so
    ``max(gpu, host)``; without it they run back to back, ``gpu + host``."""
    return (gpu_s if host_s <= gpu_s else host_s) if async_scheduling else gpu_s + host_s


@dataclass(frozen=True)
class Overheads:
    """Serving overheads beside the GPU step (seconds)."""

    per_request_s: float = param(
        0.0, lo=0.0, hi=10.0, unit="s", label="Per-request overhead", help="added to every request's TTFT"
    )
    per_step_s: float = param(0.0, lo=0.0, hi=10.0, unit="s", label="Per-step host cost")
    per_step_per_seq_s: float = param(0.0, lo=0.0, hi=10.0, unit="s", label="Per-step host cost per sequence")

    def __post_init__(self) -> None:
        # profile JSON may write integers: coerced to float, bounds from the declarations above
        for name, spec in param_specs(self).items():
            lo = 0.0 if spec.lo is None else spec.lo
            hi = math.inf if spec.hi is None else spec.hi
            object.__setattr__(self, name, _num(getattr(self, name), f"overheads.{name}", lo, hi))

    def host_step_s(self, running: int) -> float:
        """Host cost of one step with ``running`` sequences (:func:`host_step_s`)."""
        return host_step_s(self.per_step_s, self.per_step_per_seq_s, running)


@dataclass(frozen=True)
class BatchRule:
    """One tier of scheduler defaults; applies when every condition holds."""

    max_num_batched_tokens: int
    max_num_seqs: int
    min_hbm_gib: float = 0.0
    max_hbm_gib: float | None = None
    name_excludes: tuple[str, ...] = ()
    cuda_graph_max_bs: int | None = None
    cuda_graph_max_bs_tp4: int | None = None  # SGLang: a larger graph batch limit at tp >= 4

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "max_num_batched_tokens",
            _num(self.max_num_batched_tokens, "batch_rules.max_num_batched_tokens", 1, 1e8, integer=True),
        )
        object.__setattr__(
            self, "max_num_seqs", _num(self.max_num_seqs, "batch_rules.max_num_seqs", 1, 1e7, integer=True)
        )
        object.__setattr__(self, "min_hbm_gib", _num(self.min_hbm_gib, "batch_rules.min_hbm_gib", 0, 1e6))
        if self.max_hbm_gib is not None:
            object.__setattr__(self, "max_hbm_gib", _num(self.max_hbm_gib, "batch_rules.max_hbm_gib", 0, 1e6))
        if not isinstance(self.name_excludes, (tuple, list)) or not all(isinstance(s, str) for s in self.name_excludes):
            raise EngineError("batch_rules.name_excludes must be a list of strings")
        object.__setattr__(self, "name_excludes", tuple(s.lower() for s in self.name_excludes))
        for n in ("cuda_graph_max_bs", "cuda_graph_max_bs_tp4"):
            v = getattr(self, n)
            if v is not None:
                object.__setattr__(self, n, _num(v, f"batch_rules.{n}", 1, 1e6, integer=True))

    def matches(self, hw: HardwareProfile) -> bool:
        gib = hw.hbm_capacity_gb
        if gib < self.min_hbm_gib or (self.max_hbm_gib is not None and gib >= self.max_hbm_gib):
            return False
        names = f"{hw.name} {hw.slug}".lower()
        return not any(s in names for s in self.name_excludes)


@dataclass(frozen=True)
class KvRule:
    """How much HBM the engine gives the KV cache (see the module docstring for the formulas).

    ``fraction`` is vLLM's ``gpu_memory_utilization``, TRT-LLM's ``free_gpu_memory_fraction`` or
    SGLang's ``mem_fraction_static`` (``None`` with ``static_fraction``: SGLang's reserve rule).
    ``non_torch_gib``/``cuda_graph_gib``: memory outside weights and activations.
    ``reserve_mib``: SGLang's reserve-rule parameters."""

    kind: str = "fraction_of_total"
    fraction: float | None = 0.9
    non_torch_gib: float = 0.0
    cuda_graph_gib: float = 0.0
    reserve_mib: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KV_RULES:
            raise EngineError(f"kv_rule.kind must be one of {', '.join(KV_RULES)}, got {self.kind!r}")
        if self.fraction is None:
            if self.kind != "static_fraction":
                raise EngineError(f"kv_rule.fraction is required for {self.kind}")
        else:
            object.__setattr__(self, "fraction", _num(self.fraction, "kv_rule.fraction", 0.0, 1.0, lo_open=True))
        object.__setattr__(self, "non_torch_gib", _num(self.non_torch_gib, "kv_rule.non_torch_gib", 0, 1e4))
        object.__setattr__(self, "cuda_graph_gib", _num(self.cuda_graph_gib, "kv_rule.cuda_graph_gib", 0, 1e4))
        if not isinstance(self.reserve_mib, dict):
            raise EngineError("kv_rule.reserve_mib must be an object")
        allowed = {"base", "per_chunk_token", "min_chunk", "per_graph_bs", "per_tp_pp", "floor_mib", "floor_above_gib"}
        clean: dict[str, float] = {}
        for k, v in self.reserve_mib.items():
            if k not in allowed:
                raise EngineError(f"kv_rule.reserve_mib.{k}: unknown key (allowed: {', '.join(sorted(allowed))})")
            clean[k] = _num(v, f"kv_rule.reserve_mib.{k}", 0, 1e7)
        object.__setattr__(self, "reserve_mib", clean)
        if self.kind == "static_fraction" and self.fraction is None and not clean:
            raise EngineError("kv_rule: static_fraction needs a fraction or reserve_mib")


_SIMPLE = (
    "name",
    "label",
    "version",
    "block_size",
    "admission",
    "async_scheduling",
    "preempt",
    "dp_router",
    "chunked_prefill",
    "prefix_caching",
    "kind",
    "notes",
)


@dataclass(frozen=True)
class EngineProfile:
    """One serving engine's scheduling and memory behaviour (see the module docstring).

    ``scheduler_overrides`` (``max_num_batched_tokens``, ``max_num_seqs``) replace the per-GPU
    defaults when set (a fitted or user profile)."""

    name: str
    batch_rules: tuple[BatchRule, ...]
    kv_rule: KvRule
    label: str = ""
    version: str = ""
    block_size: int = 16
    admission: str = "full_prompt"
    async_scheduling: bool = True
    overheads: Overheads = field(default_factory=Overheads)
    preempt: str = "last_admitted"
    dp_router: str = "vllm_least_loaded"
    chunked_prefill: bool = True
    prefix_caching: bool = True
    scheduler_overrides: dict[str, int] = field(default_factory=dict)
    kind: str = "preset"  # "preset" | "custom" | "fitted"
    sources: dict[str, str] = field(default_factory=dict)
    notes: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}", self.name):
            raise EngineError(f"name must be 1-64 letters, digits or _.+- , got {self.name!r}")
        if not self.batch_rules:
            raise EngineError("batch_rules must list at least one tier")
        object.__setattr__(self, "block_size", _num(self.block_size, "block_size", 1, 4096, integer=True))
        if self.admission not in ADMISSIONS:
            raise EngineError(f"admission must be one of {', '.join(ADMISSIONS)}, got {self.admission!r}")
        if self.preempt not in PREEMPT_VICTIMS:
            raise EngineError(f"preempt must be one of {', '.join(PREEMPT_VICTIMS)}, got {self.preempt!r}")
        if self.dp_router not in DP_ROUTERS:
            raise EngineError(f"dp_router must be one of {', '.join(DP_ROUTERS)}, got {self.dp_router!r}")
        for n in ("async_scheduling", "chunked_prefill", "prefix_caching"):
            if not isinstance(getattr(self, n), bool):
                raise EngineError(f"{n} must be true or false, got {getattr(self, n)!r}")
        clean: dict[str, int] = {}
        for k, v in (self.scheduler_overrides or {}).items():
            if k not in ("max_num_batched_tokens", "max_num_seqs"):
                raise EngineError(f"scheduler_overrides.{k}: unknown key")
            if v is not None:
                clean[k] = _num(v, f"scheduler_overrides.{k}", 1, 1e8, integer=True)
        object.__setattr__(self, "scheduler_overrides", clean)

    # ---- rules
    def batch_rule(self, hw: HardwareProfile) -> BatchRule:
        """The first tier of ``batch_rules`` that matches ``hw`` (the last one otherwise)."""
        for rule in self.batch_rules:
            if rule.matches(hw):
                return rule
        return self.batch_rules[-1]

    def scheduler_defaults(self, hw: HardwareProfile, tp: int = 1) -> dict[str, Any]:
        """``max_num_batched_tokens``, ``max_num_seqs``, ``block_size`` (and ``cuda_graph_max_bs``
        where the engine derives one) as the engine computes them on ``hw``, overrides applied."""
        rule = self.batch_rule(hw)
        graph = rule.cuda_graph_max_bs_tp4 if (tp >= 4 and rule.cuda_graph_max_bs_tp4) else rule.cuda_graph_max_bs
        out: dict[str, Any] = {
            "max_num_batched_tokens": rule.max_num_batched_tokens,
            "max_num_seqs": rule.max_num_seqs,
            "block_size": self.block_size,
            "cuda_graph_max_bs": graph,
        }
        out.update(self.scheduler_overrides)
        return out

    def memory_fraction(
        self, hw: HardwareProfile, *, tp: int = 1, pp: int = 1, max_num_batched_tokens: int | None = None
    ) -> float:
        """The engine's memory fraction on ``hw`` (SGLang: its reserve rule when not given)."""
        r = self.kv_rule
        if r.fraction is not None:
            return r.fraction
        p = r.reserve_mib
        gpu_mib = hw.hbm_capacity_gb * 1024.0
        d = self.scheduler_defaults(hw, tp)
        chunk = max_num_batched_tokens or d["max_num_batched_tokens"]
        reserve = (
            p.get("base", 0.0)
            + p.get("per_chunk_token", 0.0) * max(chunk, p.get("min_chunk", 0.0))
            + p.get("per_graph_bs", 0.0) * (d.get("cuda_graph_max_bs") or 0)
            + p.get("per_tp_pp", 0.0) * tp * pp
        )
        if hw.hbm_capacity_gb > p.get("floor_above_gib", math.inf):
            reserve = max(reserve, p.get("floor_mib", 0.0))
        return round(max(0.0, gpu_mib - reserve) / gpu_mib, 3)

    def kv_capacity_bytes(
        self,
        hw: HardwareProfile,
        weight_bytes_per_gpu: float,
        activation_bytes: float = 0.0,
        *,
        tp: int = 1,
        pp: int = 1,
        fraction: float | None = None,
        capacity_bytes: float | None = None,
        max_num_batched_tokens: int | None = None,
    ) -> float:
        """Bytes of KV cache per GPU under the engine's rule (module docstring); ``fraction``
        overrides the engine's memory fraction (``--gpu-memory-utilization``/``--kv-fraction``)."""
        r = self.kv_rule
        cap = float(capacity_bytes if capacity_bytes is not None else hw.hbm_bytes)
        f = (
            fraction
            if fraction is not None
            else self.memory_fraction(hw, tp=tp, pp=pp, max_num_batched_tokens=max_num_batched_tokens)
        )
        if not 0.0 < f <= 1.0:
            raise EngineError(f"memory fraction must be in (0, 1], got {f!r}")
        other = (r.non_torch_gib + r.cuda_graph_gib) * GIB
        if r.kind == "fraction_of_total":
            return f * cap - weight_bytes_per_gpu - activation_bytes - other
        if r.kind == "fraction_of_free":
            free = cap - weight_bytes_per_gpu - activation_bytes - other
            return f * free if free > 0 else free
        return f * cap - weight_bytes_per_gpu

    def with_overrides(self, **changes: Any) -> EngineProfile:
        """A copy with fields replaced. Flat aliases: ``per_request_s``/``per_step_s``/
        ``per_step_per_seq_s`` (overheads), ``gpu_memory_utilization``/``kv_fraction``/
        ``free_gpu_memory_fraction``/``mem_fraction_static`` (kv_rule.fraction),
        ``non_torch_gib``/``cuda_graph_gib`` (kv_rule), ``max_num_batched_tokens``/``max_num_seqs``
        (scheduler_overrides); nested dicts (``overheads={...}``, ``kv_rule={...}``) merge."""
        data = engine_to_dict(self)
        for k, v in changes.items():
            if v is None:
                continue
            if k in ("per_request_s", "per_step_s", "per_step_per_seq_s"):
                data["overheads"][k] = v
            elif k in ("gpu_memory_utilization", "kv_fraction", "free_gpu_memory_fraction", "mem_fraction_static"):
                data["kv_rule"]["fraction"] = v
            elif k in ("non_torch_gib", "cuda_graph_gib"):
                data["kv_rule"][k] = v
            elif k in ("max_num_batched_tokens", "max_num_seqs"):
                data["scheduler_overrides"][k] = v
            elif k in ("overheads", "kv_rule", "scheduler_overrides") and isinstance(v, dict):
                data[k] = {**data[k], **v}
            elif k in data:
                data[k] = v
            else:
                raise EngineError(f"unknown engine field {k!r}")
        if data.get("kind") == "preset":
            data["kind"] = "custom"
        return engine_from_dict(data)

    @property
    def source_label(self) -> str:
        return {
            "preset": f"{self.label or self.name} defaults",
            "custom": f"{self.name} (custom)",
            "fitted": f"{self.name} (fitted)",
        }.get(self.kind, self.kind)


def engine_from_dict(data: Any) -> EngineProfile:
    """Build a profile from its JSON form; raises :class:`EngineError` naming the bad field."""
    if not isinstance(data, dict):
        raise EngineError("an engine profile must be a JSON object")
    missing = [k for k in ("name", "batch_rules", "kv_rule") if k not in data]
    if missing:
        raise EngineError(f"engine profile is missing: {', '.join(missing)}")
    kw: dict[str, Any] = {k: data[k] for k in _SIMPLE if k in data and data[k] is not None}
    rules = data["batch_rules"]
    if not isinstance(rules, list) or not rules:
        raise EngineError("batch_rules must be a non-empty list")
    try:
        parsed = []
        for i, r in enumerate(rules):
            if not isinstance(r, dict):
                raise EngineError(f"batch_rules[{i}] must be an object")
            r = {k: v for k, v in r.items() if not k.startswith("_")}
            if "name_excludes" in r:
                r["name_excludes"] = tuple(r["name_excludes"] or ())
            parsed.append(BatchRule(**r))
        kw["batch_rules"] = tuple(parsed)
        kv = data["kv_rule"]
        if not isinstance(kv, dict):
            raise EngineError("kv_rule must be an object")
        kw["kv_rule"] = KvRule(**{k: v for k, v in kv.items() if not k.startswith("_")})
        ov = data.get("overheads") or {}
        if not isinstance(ov, dict):
            raise EngineError("overheads must be an object")
        kw["overheads"] = Overheads(**{k: v for k, v in ov.items() if not k.startswith("_")})
        so = data.get("scheduler_overrides") or {}
        if not isinstance(so, dict):
            raise EngineError("scheduler_overrides must be an object")
        kw["scheduler_overrides"] = dict(so)
        src = data.get("sources") or {}
        if not isinstance(src, dict):
            raise EngineError("sources must be an object")
        kw["sources"] = {str(k): str(v) for k, v in src.items()}
        return EngineProfile(**kw)
    except TypeError as exc:
        raise EngineError(f"engine profile: {exc}") from None


def engine_to_dict(engine: EngineProfile) -> dict[str, Any]:
    """JSON form of a profile (round-trips through :func:`engine_from_dict`)."""
    d: dict[str, Any] = {k: getattr(engine, k) for k in _SIMPLE}
    d["batch_rules"] = [
        {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in ((f.name, getattr(r, f.name)) for f in fields(r))
            if v is not None and v != ()
        }
        for r in engine.batch_rules
    ]
    kv = engine.kv_rule
    d["kv_rule"] = {
        "kind": kv.kind,
        "fraction": kv.fraction,
        "non_torch_gib": kv.non_torch_gib,
        "cuda_graph_gib": kv.cuda_graph_gib,
        "reserve_mib": dict(kv.reserve_mib),
    }
    d["overheads"] = {f.name: getattr(engine.overheads, f.name) for f in fields(engine.overheads)}
    d["scheduler_overrides"] = dict(engine.scheduler_overrides)
    d["sources"] = dict(engine.sources)
    return d


def list_engine_presets() -> list[str]:
    """Names of the shipped engine presets, sorted."""
    return list(_engine_files(ENGINE_DIR, _dir_stamp(ENGINE_DIR)))


@lru_cache(maxsize=4)
def _engine_files(folder: Path, stamp: tuple[int, ...]) -> dict[str, str]:
    """``{preset name: file text}`` of the shipped engine profiles as of ``stamp`` (read once per
    process instead of on every page run; profiles a session adds never land here)."""
    return {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted(folder.glob("*.json"), key=lambda q: q.stem)
        if not p.stem.startswith("_")
    }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_ALIASES = {"vllmv1": "vllm", "tensorrtllm": "trtllm", "trtllmserve": "trtllm", "trt": "trtllm"}


def load_engine(ref: str | Path | dict[str, Any] | EngineProfile | None = None) -> EngineProfile:
    """Resolve a preset name (case-insensitive; ``None`` → ``vllm``), a profile JSON path, a dict
    or a profile."""
    if ref is None:
        ref = DEFAULT_ENGINE
    if isinstance(ref, EngineProfile):
        return ref
    if isinstance(ref, dict):
        return engine_from_dict(ref)
    text = str(ref).strip()
    path = Path(text)
    # a string names a file only on the CLI (issue 11: never open paths from URLs or text fields)
    if isinstance(ref, Path) or (
        paths_allowed() and (text.lower().endswith(".json") or (len(text) < 4096 and path.exists()))
    ):
        try:
            data = json.loads(read_text_capped(path))
        except FileNotFoundError:
            raise EngineError(f"engine profile file not found: {text}") from None
        except (OSError, json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            raise EngineError(f"engine profile {text} is not valid JSON: {exc}") from None
        return engine_from_dict(data)
    key = _norm(text)
    key = _ALIASES.get(key, key)
    for name, body in _engine_files(ENGINE_DIR, _dir_stamp(ENGINE_DIR)).items():
        if _norm(name) == key:
            return engine_from_dict(json.loads(body))
    hint = "" if paths_allowed() else path_refused_hint(text)
    raise EngineError(f"unknown engine {text[:80]!r}{hint}; presets: {', '.join(list_engine_presets())}")
