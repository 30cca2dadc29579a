"""SLA search over serving configurations (aggregated prefill + decode on the same engines).

Enumerates TP × EP (MoE only) × DP × client concurrency per engine × chunked-prefill budget on at
most ``gpus`` GPUs, prices each engine with the steady-state continuous-batching model of
:mod:`dashboard.services.search_steady` (every step time from the shared
:class:`~dashboard.features.cost_model.CostModel`), checks memory with
:func:`~dashboard.features.memory.memory_breakdown`, and keeps the configurations that meet the SLA.
Every rejected configuration says why (``oom``, ``ttft``, ``tpot``, ``tps_per_user``).

Speed: DP replicas are identical, so one engine is priced per ``(tp, ep, concurrency, budget)`` and
scaled to every DP degree; cost models are built once per ``(tp, ep)``; step times come from the
fast path :meth:`CostModel.step_time_s` and are memoised by step composition.

Conventions: ``concurrency`` is the number of concurrent clients of the whole deployment
(``concurrency_per_engine × dp``); "per GPU" divides by the GPUs the configuration uses
(``max(tp, ep) × dp``), so a larger GPU budget can only add configurations. The analytic model is
deterministic: its TTFT is the estimate for every percentile (the simulator re-check, when
available, reports the percentile asked for).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from dashboard.features.cost_model import CostModel
from dashboard.features.hardware import GIB, HardwareProfile
from dashboard.features.memory import memory_breakdown
from dashboard.features.metrics import memory_needed_bytes, tokens_per_s_per_user
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, GpuBudget, ParallelConfig, ParallelError, validate_parallel
from dashboard.features.params import describe_inputs, like, param, validate_params
from dashboard.features.request import CostSettings, RequestShape
from dashboard.services.search_pareto import economics, pareto_front
from dashboard.services.search_steady import EngineSteadyState, steady_state
from dashboard.sim.metrics import SLA as SimSLA
from dashboard.sim_scheduler import SchedulerConfig

__all__ = [
    "DEFAULT_BUDGETS",
    "DEFAULT_CONCURRENCY",
    "REASONS",
    "SLA",
    "Economics",
    "SearchResult",
    "SearchSpace",
    "Workload",
    "enumerate_layouts",
    "evaluate_config",
    "search_aggregated",
]

DEFAULT_CONCURRENCY: tuple[int, ...] = tuple(2**i for i in range(11))  # 1 … 1024
DEFAULT_BUDGETS: tuple[int, ...] = (512, 2048, 8192)
DEFAULT_TP: tuple[int, ...] = (1, 2, 4, 8)
#: rejection codes, in the order they are checked
REASONS = ("layout", "oom", "ttft", "tpot", "tps_per_user")


# declared once (dashboard/features/params.py): pages, URL, CLI flags and JSON derive from these
@dataclass(frozen=True)
class Workload:
    """Every request: ``input_len`` prompt tokens, ``output_len`` generated tokens."""

    input_len: int = like(RequestShape, "input_len", 1024)
    output_len: int = like(RequestShape, "output_len", 1024)

    def __post_init__(self) -> None:
        validate_params(self)


@dataclass(frozen=True)
class SLA:
    """Latency targets; ``None`` means no constraint."""

    ttft_ms: float | None = like(SimSLA, "ttft_ms")
    tpot_ms: float | None = like(SimSLA, "tpot_ms")
    min_tps_per_user: float | None = param(
        None, lo=0.0, hi=1e9, open_lo=True, unit="tok/s", label="Min tokens/s per user", help="empty: no constraint"
    )
    ttft_percentile: float = param(
        50.0, lo=0.0, hi=100.0, open_lo=True, unit="%", label="TTFT percentile", help="of the simulator re-check"
    )

    def __post_init__(self) -> None:
        validate_params(self)

    def violations(self, ttft_ms: float, tpot_ms: float) -> list[tuple[str, str]]:
        """``(code, text)`` for each target missed, in :data:`REASONS` order."""
        out: list[tuple[str, str]] = []
        if self.ttft_ms is not None and ttft_ms > self.ttft_ms:
            out.append(("ttft", f"TTFT {ttft_ms:.1f} ms > {self.ttft_ms:g} ms"))
        if self.tpot_ms is not None and tpot_ms > self.tpot_ms:
            out.append(("tpot", f"TPOT {tpot_ms:.2f} ms > {self.tpot_ms:g} ms"))
        tps = tokens_per_s_per_user(tpot_ms / 1e3) or float("inf")
        if self.min_tps_per_user is not None and tps < self.min_tps_per_user:
            out.append(("tps_per_user", f"{tps:.1f} tok/s per user < {self.min_tps_per_user:g}"))
        return out


@dataclass(frozen=True)
class SearchSpace:
    """What to enumerate. ``ep=None``: EP ∈ {1} ∪ {powers of two ≥ tp dividing the expert count} for
    MoE models, {1} otherwise. ``dp_mode="all"``: every DP degree that fits the GPU budget;
    ``"max"``: only the largest. The value lists take the bounds of the scalar they list
    (``tp`` those of ``ParallelConfig.tp``, ``budgets`` those of
    ``SchedulerConfig.max_num_batched_tokens``, …)."""

    tp: tuple[int, ...] = like(ParallelConfig, "tp", DEFAULT_TP, label="TP values", max_items=16)
    ep: tuple[int, ...] | None = like(
        ParallelConfig, "ep", None, label="EP values", optional=True, max_items=16, help="empty: every valid EP"
    )
    concurrency: tuple[int, ...] = like(
        SchedulerConfig,
        "max_num_seqs",
        DEFAULT_CONCURRENCY,
        label="Concurrency per engine",
        help="concurrent clients of one engine",
    )
    budgets: tuple[int, ...] = like(
        SchedulerConfig, "max_num_batched_tokens", DEFAULT_BUDGETS, label="Token budgets per step", max_items=32
    )
    dp_mode: str = param("all", choices=("all", "max"), label="DP degrees", help="all that fit, or only the largest")
    reserved_fraction: float = like(CostSettings, "reserved_fraction")
    overlap: float = like(CostSettings, "overlap")
    # engine preset/profile whose KV rule sizes the cache; None: reserved_fraction
    engine: str | None = param(None, optional=True, label="Serving engine", help="its KV rule sizes the cache")
    memory_fraction: float | None = like(CostSettings, "memory_fraction")  # the engine's, overridden

    def __post_init__(self) -> None:
        validate_params(self)
        if self.engine is not None:
            from dashboard.features.engine import load_engine

            load_engine(self.engine)  # EngineError (a ValueError) names a bad engine


@dataclass(frozen=True)
class Economics:
    """Price of one GPU-hour in US dollars (editable on the pages and in the CLI)."""

    usd_per_gpu_hour: float = param(2.5, lo=0.0, hi=1e6, unit="US$/GPU-hour", label="GPU price")

    def __post_init__(self) -> None:
        validate_params(self)


@dataclass
class SearchResult:
    """Feasible and rejected configurations (JSON-ready dicts), the best one and the Pareto front."""

    feasible: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    best: dict[str, Any] | None
    pareto: list[dict[str, Any]]
    inputs: dict[str, Any]
    elapsed_s: float = 0.0
    engines_priced: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def reason_counts(self) -> dict[str, int]:
        return dict(Counter(r["reason_code"] for r in self.rejected))

    def as_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "best": self.best,
            "feasible": self.feasible,
            "rejected": self.rejected,
            "reason_counts": self.reason_counts,
            "pareto": self.pareto,
            "elapsed_s": self.elapsed_s,
            "engines_priced": self.engines_priced,
            **self.extra,
        }


def search_inputs(
    model: ModelProfile,
    hw: HardwareProfile,
    gpus: int,
    workload: Workload,
    sla: SLA,
    dtypes: Dtypes,
    space: SearchSpace,
    econ: Economics,
    **extra: Any,
) -> dict[str, Any]:
    """The ``inputs`` block of a search result (aggregated or disaggregated, ``extra`` keys after the
    shared ones), with the declared value, unit, bounds and label of every input under ``parameters``."""
    return {
        "model": model.name,
        "hardware": hw.name,
        "gpus": gpus,
        "workload": asdict(workload),
        "sla": asdict(sla),
        "dtypes": asdict(dtypes),
        "space": asdict(space),
        "economics": asdict(econ),
        **extra,
        "parameters": describe_inputs(workload=workload, sla=sla, dtypes=dtypes, space=space, economics=econ),
    }


# ---------------------------------------------------------------------------- enumeration
def enumerate_layouts(
    model: ModelProfile, gpus: int, space: SearchSpace
) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Valid ``(tp, ep)`` engine layouts within ``gpus`` GPUs, and the invalid ones with the reason."""
    ok: list[tuple[int, int]] = []
    bad: list[tuple[int, int, str]] = []
    for tp in sorted(set(space.tp)):
        if tp > gpus:
            continue
        if space.ep is not None:
            eps = sorted(set(space.ep))
        elif model.is_moe:
            eps = [1] + [e for e in (2**i for i in range(1, 11)) if tp <= e <= gpus and model.num_experts % e == 0]
        else:
            eps = [1]
        for ep in eps:
            if max(tp, ep) > gpus:
                continue
            try:
                par = ParallelConfig(tp=tp, ep=ep)
                validate_parallel(model, par)
            except ParallelError as exc:
                bad.append((tp, ep, str(exc)))
                continue
            ok.append((tp, ep))
    return ok, bad


def _dp_values(gpus: int, engine_gpus: int, mode: str) -> list[int]:
    top = gpus // engine_gpus
    return [top] if mode == "max" else list(range(1, top + 1))


# ---------------------------------------------------------------------------- one engine
def _memory_check(
    model: ModelProfile,
    hw: HardwareProfile,
    par: ParallelConfig,
    dtypes: Dtypes,
    workload: Workload,
    conc: int,
    budget: int,
    reserved: float,
    engine: str | None = None,
    fraction: float | None = None,
) -> tuple[str | None, dict[str, Any]]:
    ctx = workload.input_len + workload.output_len
    if engine is None:
        mem = memory_breakdown(
            model, hw, par, dtypes, context=ctx, reserved_fraction=reserved, max_batched_tokens=budget, max_seqs=conc
        )
    else:
        mem = memory_breakdown(
            model,
            hw,
            par,
            dtypes,
            context=ctx,
            engine=engine,
            memory_fraction=fraction,
            max_batched_tokens=budget,
            max_seqs=conc,
        )
    capacity = mem.max_sequences * par.attention_dp
    info = {
        "weights_gib_per_gpu": mem.weight_bytes / GIB,
        "max_sequences": capacity,
        "kv_gib_per_seq": mem.kv_bytes_per_sequence / GIB,
    }
    if not mem.fits:
        need = (
            memory_needed_bytes(
                mem.weight_bytes, mem.kv_bytes_per_sequence, 1, mem.activation_bytes, mem.runtime_reserve_bytes
            )
            / GIB
        )
        return f"OOM: one sequence of {ctx} tokens needs {need:.1f} GiB/GPU, {mem.usable_bytes / GIB:.1f} usable", info
    if capacity < conc:
        return f"OOM: KV cache holds {capacity} sequences of {ctx} tokens < concurrency {conc}", info
    return None, info


def _engine_row(st: EngineSteadyState) -> dict[str, Any]:
    return {
        "ttft_ms": st.ttft_s * 1e3,
        "tpot_ms": st.tpot_s * 1e3,
        "e2e_ms": st.e2e_s * 1e3,
        "tps_per_user": tokens_per_s_per_user(st.tpot_s),
        "queue_ms": st.queue_wait_s * 1e3,
        "saturated": st.saturated,
        "decodes_per_step": st.decodes_per_step,
        "chunk_step_fraction": st.chunk_step_fraction,
        "decode_time_share": st.decode_time_share,
        "_req_s": st.requests_per_s,
        "_out_s": st.output_tok_s,
        "_in_s": st.input_tok_s,
    }


def _scale(
    eng: dict[str, Any], tp: int, ep: int, dp: int, conc: int, budget: int, hw: HardwareProfile, econ: Economics
) -> dict[str, Any]:
    g_eng = max(tp, ep)
    gpus = g_eng * dp
    row: dict[str, Any] = {
        "tp": tp,
        "ep": ep,
        "dp": dp,
        "engine_gpus": g_eng,
        "gpus": gpus,
        "concurrency": conc * dp,
        "concurrency_per_engine": conc,
        "budget": budget,
        # the engine flags that reproduce this row (budget = max_num_batched_tokens, decodes included)
        "max_num_seqs": conc,
        "max_num_batched_tokens": budget,
    }
    priced = "_out_s" in eng
    for k, v in eng.items():
        if not k.startswith("_"):
            row[k] = v
    if priced:
        out_gpu = eng["_out_s"] / g_eng
        in_gpu = eng["_in_s"] / g_eng
        row.update(
            {
                "output_tok_s_per_gpu": out_gpu,
                "input_tok_s_per_gpu": in_gpu,
                "output_tok_s": eng["_out_s"] * dp,
                "requests_per_s": eng["_req_s"] * dp,
            }
        )
        row.update(economics(out_gpu, in_gpu, eng["decode_time_share"], econ.usd_per_gpu_hour, hw.tdp_w))
    return row


def _price_engine(
    cm: CostModel,
    model: ModelProfile,
    hw: HardwareProfile,
    par: ParallelConfig,
    dtypes: Dtypes,
    workload: Workload,
    sla: SLA,
    conc: int,
    budget: int,
    reserved: float,
    cache: dict,
    spec: Any = None,
    engine: str | None = None,
    fraction: float | None = None,
) -> dict[str, Any]:
    """Per-engine row: memory check, steady state, SLA verdict (``reason_code`` None when feasible).
    ``spec`` (a SpeculativeConfig): speculative decoding, see :mod:`dashboard.services.search_spec`.
    ``engine``/``fraction``: the serving engine whose KV rule sizes the cache (None: ``reserved``)."""
    if spec is not None:
        from dashboard.services.search_spec import memory_check_speculative, steady_state_speculative

        oom, info = memory_check_speculative(model, hw, par, dtypes, workload, conc, budget, reserved, spec)
    else:
        oom, info = _memory_check(model, hw, par, dtypes, workload, conc, budget, reserved, engine, fraction)
    if oom:
        return {**info, "reason_code": "oom", "reason": oom, "reasons": ["oom"]}
    if spec is not None:
        st = steady_state_speculative(cm, spec, workload.input_len, workload.output_len, conc, budget, cache)
    else:
        st = steady_state(cm, workload.input_len, workload.output_len, conc, budget, cache)
    row = {**info, **_engine_row(st)}
    viol = sla.violations(row["ttft_ms"], row["tpot_ms"])
    if viol:
        row.update(
            {"reason_code": viol[0][0], "reason": "; ".join(t for _, t in viol), "reasons": [c for c, _ in viol]}
        )
    else:
        row.update({"reason_code": None, "reason": None, "reasons": []})
    return row


def evaluate_config(
    model: ModelProfile,
    hw: HardwareProfile,
    tp: int,
    ep: int,
    dp: int,
    concurrency_per_engine: int,
    budget: int,
    workload: Workload,
    sla: SLA | None = None,
    dtypes: Dtypes | None = None,
    reserved_fraction: float = 0.10,
    overlap: float = 0.0,
    econ: Economics | None = None,
    engine: str | None = None,
    memory_fraction: float | None = None,
) -> dict[str, Any]:
    """One configuration priced from scratch (a fresh cost model, no memo): the brute-force reference
    the search is tested against. Raises :class:`ParallelError` for a layout the model cannot use."""
    dtypes = dtypes or Dtypes()
    par = ParallelConfig(tp=tp, ep=ep)
    cm = CostModel(model, hw, par, dtypes, overlap)
    eng = _price_engine(
        cm,
        model,
        hw,
        par,
        dtypes,
        workload,
        sla or SLA(),
        concurrency_per_engine,
        budget,
        reserved_fraction,
        {},
        engine=engine,
        fraction=memory_fraction,
    )
    return _scale(eng, tp, ep, dp, concurrency_per_engine, budget, hw, econ or Economics())


# ---------------------------------------------------------------------------- the search
def _best_key(r: dict[str, Any]) -> tuple[float, float, float]:
    return (r["output_tok_s_per_gpu"], r["output_tok_s"], -r["ttft_ms"])


def pareto_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows on the frontier of (tok/s per user, output tok/s per GPU), ordered by tok/s per user."""
    rows = [r for r in rows if r.get("tps_per_user") and r.get("output_tok_s_per_gpu") is not None]
    idx = pareto_front([r["tps_per_user"] for r in rows], [r["output_tok_s_per_gpu"] for r in rows])
    return [rows[i] for i in idx]


def search_aggregated(
    model: ModelProfile,
    hw: HardwareProfile,
    gpus: int,
    workload: Workload,
    sla: SLA | None = None,
    dtypes: Dtypes | None = None,
    space: SearchSpace | None = None,
    econ: Economics | None = None,
    speculative: Any = None,
) -> SearchResult:
    """Every configuration on at most ``gpus`` GPUs, feasible or rejected with its reason.
    ``speculative`` prices every engine with that speculative-decoding config
    (:func:`dashboard.services.search_spec.search_with_speculation` searches it on/off and over k).

    ``best`` maximises output tokens/s per GPU among the feasible ones (ties: more total output
    tokens/s, then lower TTFT). ``pareto`` is the frontier of all priced (memory-feasible)
    configurations, each flagged ``feasible``.
    """
    t0 = time.perf_counter()
    GpuBudget(gpus=gpus)  # ValueError naming gpus
    sla = sla or SLA()
    dtypes = dtypes or Dtypes()
    space = space or SearchSpace()
    econ = econ or Economics()
    layouts, bad = enumerate_layouts(model, gpus, space)
    feasible: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for tp, ep, why in bad:
        rejected.append(
            {
                "tp": tp,
                "ep": ep,
                "dp": None,
                "engine_gpus": max(tp, ep),
                "gpus": None,
                "concurrency": None,
                "concurrency_per_engine": None,
                "budget": None,
                "reason_code": "layout",
                "reason": f"layout: {why}",
                "reasons": ["layout"],
            }
        )
    engines = 0
    for tp, ep in layouts:
        par = ParallelConfig(tp=tp, ep=ep)
        cm = CostModel(model, hw, par, dtypes, space.overlap)
        cache: dict = {}
        dps = _dp_values(gpus, par.engine_gpus, space.dp_mode)
        for budget in sorted(set(space.budgets)):
            tail: dict[str, Any] | None = None
            for conc in sorted(set(space.concurrency)):
                if tail is not None:
                    # the KV capacity only shrinks as concurrency grows (more workspace): once it is
                    # below the concurrency, every larger concurrency is out of memory too
                    eng = {
                        **tail,
                        "reason": f"OOM: KV cache holds ≤ {tail['max_sequences']} sequences of "
                        f"{workload.input_len + workload.output_len} tokens < concurrency {conc}",
                    }
                else:
                    eng = _price_engine(
                        cm,
                        model,
                        hw,
                        par,
                        dtypes,
                        workload,
                        sla,
                        conc,
                        budget,
                        space.reserved_fraction,
                        cache,
                        speculative,
                        space.engine,
                        space.memory_fraction,
                    )
                    if eng["reason_code"] == "oom":
                        tail = eng
                engines += 1
                for dp in dps:
                    row = _scale(eng, tp, ep, dp, conc, budget, hw, econ)
                    (rejected if row["reason_code"] else feasible).append(row)
    best = max(feasible, key=_best_key) if feasible else None
    priced = [r for r in feasible + rejected if "output_tok_s_per_gpu" in r]
    front = [{**r, "feasible": r["reason_code"] is None} for r in pareto_rows(priced)]
    inputs = search_inputs(model, hw, gpus, workload, sla, dtypes, space, econ)
    return SearchResult(
        feasible=feasible,
        rejected=rejected,
        best=best,
        pareto=front,
        inputs=inputs,
        elapsed_s=time.perf_counter() - t0,
        engines_priced=engines,
    )
