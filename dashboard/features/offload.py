"""Host bandwidth and MoE expert offload: which expert weights a step must bring from host memory,
over which channels, and how much that stretches the step the cost model prices.

Consumers: ``dashboard/host_bandwidth.py`` and ``dashboard/experts_calculation.py``.

Model (all byte counts per GPU of one engine of ``max(tp, ep)`` GPUs, per engine step):

* **Hot / cold experts.** Of the ``E`` routed experts of every MoE layer, ``H`` are resident in HBM
  (hot) and ``E − H`` live in host memory (cold). The resident set is the ``H`` most popular
  experts; every MoE layer has the same popularity profile.
* **Popularity** ``p_e``: uniform, Zipf (``p_e ∝ rank^−s``) or a user histogram of relative
  weights (``n`` buckets spread over the experts in rank order).
* **Distinct experts touched.** A step of ``T`` tokens routes each token to ``k`` distinct experts.
  Uniform routing: ``E·(1 − (1 − k/E)^T)`` (:func:`~dashboard.features.cost_model.expected_distinct_experts`,
  the cost model's own formula). Skewed routing: tokens are independent; one token draws its ``k``
  experts by successive sampling without replacement with probabilities ``p`` (a Plackett–Luce
  router). The inclusion probability of expert ``e`` in one token's top-k is exact for small
  ``E``/``k`` (enumerated draws: Mixtral) and otherwise Rosén's approximation
  ``π_e = 1 − exp(−τ·p_e)`` with ``Σ π_e = k`` (exact for uniform ``p``; against Monte Carlo it is
  within ~1 % for E ≥ 128 and up to ~2–4 % high for E = 16–32 with s ≥ 1.5), and
  ``E[distinct] = Σ_e 1 − (1 − π_e)^T``; cold = the same sum over the cold experts.
  :func:`monte_carlo_touched` checks it (seeded ``numpy.random.Generator``; Gumbel top-k ≡
  successive sampling).
* **Bytes.** One expert = ``expert_params · bytes(weight dtype)``; per GPU a cold expert costs
  ``expert bytes / engine GPUs`` (EP spreads experts over ranks, expert-TP splits each one; balanced).
  KV write-back (device → host) per step = new tokens per GPU × ``kv_bytes_per_token_per_gpu`` ×
  write-back ratio.
* **Channels** (a pipeline; every stage runs concurrently, the slowest one sets the transfer time):
  host DDR (the socket's bandwidth × η_DDR shared by ``gpus_per_socket`` GPUs; pageable copies move
  every byte 3× through DDR: source read, staging write, DMA read) → CPU staging copy (pageable only,
  at ``pageable_factor`` × the pinned link rate, the measured ratio) → PCIe or NVLink-C2C
  (per direction × η_link; full duplex: h2d and d2h each have the full rate) → HBM (× the profile's
  η_mem). Time per channel = bytes / rate; transfer time = the largest (the bottleneck channel).
* **Overlap.** Per-layer compute ``t_c`` = the cost model's step latency ÷ layers. Fetches are
  serial on the link at the fair-share rate ``h2d bytes / transfer time``. With a prefetch window of
  ``w ≥ 1`` layers the fetch of layer ``j`` may start when layer ``j − w`` starts (known routing:
  prediction assumed perfect); ``w = 0`` is on-demand (fetch after layer ``j − 1`` ends, fully
  exposed). A layer starts when the previous one ended and its experts arrived. Prefetch does not
  cross step boundaries (the first fetch is exposed). Step time = max(that schedule, transfer time).

Defaults measured on the H200 reference machine (``data/reference/host_device_copy.csv``, 1 GiB
copies): pinned h2d 52.8 GB/s = 0.825 of the profile's PCIe Gen5 x16 64 GB/s per direction (d2h
55.2 GB/s, 0.86); pageable h2d 19.4 GB/s = 0.368× pinned, pageable d2h 15.2 GB/s = 0.275× pinned.
The DDR efficiency default (0.75) is an assumption (typical STREAM fraction of theoretical DDR5),
not a measurement.

Units: bytes, seconds, GB/s = 1e9 B/s.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.features.batch import StepSpec
from dashboard.features.cost_model import CostModel, expected_distinct_experts
from dashboard.features.dtypes import dtype_bytes
from dashboard.features.hardware import HardwareProfile
from dashboard.features.memory import kv_bytes_per_token_per_gpu, memory_breakdown
from dashboard.features.metrics import tokens_per_s
from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes, ParallelConfig
from dashboard.features.params import check_value, param, param_specs, validate_params
from dashboard.features.request import RequestShape

__all__ = [
    "CHANNELS",
    "ChannelResult",
    "HostLinkConfig",
    "LayerSlot",
    "OffloadKnobs",
    "OffloadResult",
    "Popularity",
    "ResidentCapacity",
    "TouchedExperts",
    "expected_touched",
    "expert_bytes",
    "expert_shard_bytes",
    "experts_per_window",
    "host_copy_reference",
    "host_to_device_rate",
    "inclusion_probabilities",
    "layer_schedule",
    "monte_carlo_touched",
    "offload_step",
    "resident_capacity",
]

REFERENCE_CSV = Path(__file__).resolve().parent.parent / "data" / "reference" / "host_device_copy.csv"
#: The profile value the reference copies are compared with (H200 profile: PCIe Gen5 x16, per direction).
REFERENCE_PCIE_GB_S = 64.0
POPULARITY_KINDS = ("uniform", "zipf", "histogram")
LINKS = ("auto", "pcie", "c2c")
#: channel ids in pipeline order (host → device)
CHANNELS = ("host_ddr", "cpu_staging", "link", "hbm")
PAGEABLE_DDR_PASSES = 3.0  # source read + staging write + DMA read
DEFAULT_DDR_EFFICIENCY = 0.75  # assumption: typical STREAM fraction of theoretical DDR bandwidth
# The pages seed these from the hardware profile (Efficiency.host_link / host_ddr / host_pageable);
# the module defaults below are the same measured H200 figures for direct API use.


# ---------------------------------------------------------------------------- reference copies
@lru_cache(maxsize=1)
def host_copy_reference() -> dict[str, float]:
    """Measured H200 1 GiB host↔device copy rates (GB/s) from ``data/reference/host_device_copy.csv``:
    keys ``h2d_pinned``, ``d2h_pinned``, ``h2d_pageable``, ``d2h_pageable``."""
    out: dict[str, float] = {}
    with REFERENCE_CSV.open(newline="") as fh:
        for row in csv.DictReader(fh):
            pinned = str(row["pinned"]).strip().lower() == "true"
            out[f"{row['direction']}_{'pinned' if pinned else 'pageable'}"] = float(row["GBps"])
    return out


def host_copy_of_pcie() -> dict[str, float]:
    """Each measured copy rate of :func:`host_copy_reference` as a fraction of the PCIe Gen5 x16
    per-direction peak (``REFERENCE_PCIE_GB_S``): the link efficiency the profiles use."""
    return {k: v / REFERENCE_PCIE_GB_S for k, v in host_copy_reference().items()}


def measured_pageable_factor() -> float:
    """Pageable ÷ pinned host → device copy rate of the reference measurements."""
    r = host_copy_reference()
    return r["h2d_pageable"] / r["h2d_pinned"]


def _ref_link_efficiency() -> float:
    return round(host_copy_of_pcie()["h2d_pinned"], 3)


def _ref_pageable_factor() -> float:
    return round(measured_pageable_factor(), 3)


DEFAULT_LINK_EFFICIENCY = _ref_link_efficiency()  # 52.8 / 64 = 0.825
DEFAULT_PAGEABLE_FACTOR = _ref_pageable_factor()  # 19.4 / 52.8 = 0.368


def _check_int(name: str, v: Any, lo: int, hi: int) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ValueError(f"{name} must be an integer between {lo} and {hi}, got {v!r}")


# ---------------------------------------------------------------------------- popularity
@dataclass(frozen=True)
class Popularity:
    """Expert popularity: ``uniform``, ``zipf`` (``p ∝ rank^−exponent``) or ``histogram``
    (relative weights of ``len(weights)`` rank buckets, spread evenly over the experts)."""

    kind: str = param("uniform", choices=POPULARITY_KINDS, label="Expert popularity")
    exponent: float = param(1.0, lo=0.0, hi=5.0, label="Zipf exponent", help="p ∝ rank^−exponent")
    weights: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        validate_params(self)
        if self.kind == "histogram":
            w = self.weights
            if not w or len(w) > 4096:
                raise ValueError("the histogram needs 1 to 4096 weights")
            if any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0 for x in w):
                raise ValueError("histogram weights must be finite and non-negative")
            if sum(w) <= 0:
                raise ValueError("at least one histogram weight must be positive")

    @property
    def is_uniform(self) -> bool:
        return self.kind == "uniform" or (self.kind == "zipf" and self.exponent == 0.0)

    def probabilities(self, num_experts: int) -> np.ndarray:
        """Routing probabilities of the ``num_experts`` experts, most popular first (sum 1)."""
        _check_int("num_experts", num_experts, 1, 1_000_000)
        e = num_experts
        if self.is_uniform:
            p = np.full(e, 1.0 / e)
        elif self.kind == "zipf":
            p = np.arange(1, e + 1, dtype=float) ** -float(self.exponent)
        else:
            w = np.asarray(self.weights, dtype=float)
            bucket = (np.arange(e) * len(w)) // e
            p = w[bucket]
            counts = np.bincount(bucket, minlength=len(w)).astype(float)
            p = p / counts[bucket]  # a bucket's weight is shared by its experts
            if p.sum() <= 0:
                p = np.full(e, 1.0)
        p = np.sort(p / p.sum())[::-1]
        return p


def inclusion_probabilities(p: np.ndarray, top_k: int) -> np.ndarray:
    """Probability that each expert is among one token's ``top_k`` picks when the token samples
    ``top_k`` distinct experts successively with probabilities ``p``.

    Exact (enumerating the ordered draws) when there are at most ``EXACT_DRAWS`` of them (e.g.
    Mixtral's top-2 of 8); otherwise Rosén's approximation ``π_e = 1 − exp(−τ p_e)`` with ``τ``
    solving ``Σ π_e = k`` (bisection), exact for uniform ``p`` (``π = k/E``). Experts with
    ``p_e = 0`` are never picked; if fewer than ``k`` have ``p_e > 0`` those are all picked."""
    p = np.asarray(p, dtype=float)
    pos = p > 0
    n_pos = int(pos.sum())
    if top_k >= n_pos:
        return pos.astype(float)
    if np.allclose(p[pos], p[pos][0]):
        return np.where(pos, top_k / n_pos, 0.0)
    if math.perm(n_pos, top_k) <= EXACT_DRAWS:
        return _exact_inclusion(p / p.sum(), top_k)
    lo, hi = 0.0, 1.0

    def total(tau: float) -> float:
        return float((-np.expm1(-p * tau)).sum())

    while total(hi) < top_k:
        hi *= 2.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if total(mid) < top_k:
            lo = mid
        else:
            hi = mid
    return -np.expm1(-p * hi)


EXACT_DRAWS = 20_000


def _exact_inclusion(p: np.ndarray, top_k: int) -> np.ndarray:
    """Inclusion probabilities of successive sampling by enumerating every ordered draw."""
    idx = [i for i in range(len(p)) if p[i] > 0]
    out = np.zeros(len(p))

    def walk(chosen: list[int], prob: float, left: float) -> None:
        if len(chosen) == top_k:
            out[chosen] += prob
            return
        for i in idx:
            if i not in chosen:
                walk([*chosen, i], prob * p[i] / left, left - p[i])

    walk([], 1.0, 1.0)
    return out


@dataclass(frozen=True)
class TouchedExperts:
    """Expected distinct experts of one MoE layer a step touches, split by residency."""

    tokens: float
    distinct: float
    hot: float
    cold: float


def expected_touched(
    num_experts: int, top_k: int, tokens: float, popularity: Popularity | None = None, resident: int = 0
) -> TouchedExperts:
    """Expected distinct experts touched per MoE layer by ``tokens`` tokens with top-``top_k``
    routing, and how many of them are cold (not among the ``resident`` most popular ones).

    Uniform: ``E·(1 − (1 − k/E)^T)`` from the cost model, cold = distinct·(E − H)/E (symmetry).
    Skewed: ``Σ_e 1 − (1 − π_e)^T`` with :func:`inclusion_probabilities`."""
    _check_int("num_experts", num_experts, 1, 1_000_000)
    _check_int("top_k", top_k, 1, num_experts)
    if not math.isfinite(tokens) or tokens < 0:
        raise ValueError("tokens must be a non-negative number")
    h = min(max(0, int(resident)), num_experts)
    pop = popularity or Popularity()
    if tokens == 0:
        return TouchedExperts(0.0, 0.0, 0.0, 0.0)
    if pop.is_uniform:
        d = expected_distinct_experts(num_experts, top_k, tokens)
        cold = d * (num_experts - h) / num_experts
        return TouchedExperts(float(tokens), d, d - cold, cold)
    pi = inclusion_probabilities(pop.probabilities(num_experts), top_k)
    sure = pi >= 1.0
    hit = np.where(sure, 1.0, -np.expm1(tokens * np.log1p(-np.where(sure, 0.0, pi))))
    d = float(hit.sum())
    cold = float(hit[h:].sum())
    return TouchedExperts(float(tokens), d, d - cold, cold)


def monte_carlo_touched(
    num_experts: int,
    top_k: int,
    tokens: int,
    popularity: Popularity | None = None,
    resident: int = 0,
    trials: int = 200,
    seed: int = 0,
) -> TouchedExperts:
    """Monte Carlo mean of :func:`expected_touched` (seeded ``numpy.random.Generator``): each token
    picks ``top_k`` distinct experts by successive sampling with probabilities ``p`` (drawn as the
    Gumbel top-k of ``log p``, which has the same law)."""
    _check_int("tokens", tokens, 0, 1_000_000)
    _check_int("trials", trials, 1, 1_000_000)
    rng = np.random.default_rng(seed)
    p = (popularity or Popularity()).probabilities(num_experts)
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    h = min(max(0, int(resident)), num_experts)
    tot = cold = 0.0
    for _ in range(trials):
        if tokens == 0:
            continue
        keys = logp + rng.gumbel(size=(tokens, num_experts))
        idx = np.argpartition(-keys, top_k - 1, axis=1)[:, :top_k]
        hit = np.zeros(num_experts, dtype=bool)
        hit[idx.ravel()] = True
        tot += hit.sum()
        cold += hit[h:].sum()
    return TouchedExperts(float(tokens), tot / trials, (tot - cold) / trials, cold / trials)


# ---------------------------------------------------------------------------- bytes
def expert_bytes(model: ModelProfile, weight_dtype: str) -> float:
    """Bytes of one routed expert (all its projections) in ``weight_dtype``."""
    if not model.is_moe:
        return 0.0
    return model.expert_params() * dtype_bytes(weight_dtype)


def expert_shard_bytes(model: ModelProfile, parallel: ParallelConfig, weight_dtype: str) -> float:
    """Bytes of one expert on one GPU that holds it (split ``expert_tp`` ways)."""
    return expert_bytes(model, weight_dtype) / parallel.expert_tp


# ---------------------------------------------------------------------------- channels
@dataclass(frozen=True)
class HostLinkConfig:
    """Host-side path of one GPU. ``link_gb_s``/``ddr_gb_s`` of 0 use the hardware profile;
    ``gpus_per_socket`` of 0 means 2 on Grace parts (a Grace serves two GPUs) and 4 otherwise
    (HGX: 8 GPUs on 2 sockets)."""

    link: str = param("auto", choices=LINKS, label="Host link", help="auto: NVLink-C2C where present, else PCIe")
    link_gb_s: float = param(
        0.0, lo=0.0, hi=100_000.0, unit="GB/s", label="Link bandwidth", help="per direction; 0 = hardware profile"
    )
    ddr_gb_s: float = param(0.0, lo=0.0, hi=100_000.0, unit="GB/s", label="Host DDR bandwidth", help="0 = profile")
    link_efficiency: float = param(
        DEFAULT_LINK_EFFICIENCY, lo=0.01, hi=1.0, label="Link efficiency", help="measured H200 pinned copy / peak"
    )
    ddr_efficiency: float = param(DEFAULT_DDR_EFFICIENCY, lo=0.01, hi=1.0, label="DDR efficiency")
    pinned: bool = param(True, label="Pinned host memory")
    pageable_factor: float = param(
        DEFAULT_PAGEABLE_FACTOR, lo=0.01, hi=1.0, label="Pageable factor", help="pageable / pinned copy rate"
    )
    gpus_per_socket: int = param(
        0, lo=0, hi=1024, unit="GPUs", label="GPUs per host socket", help="0 = 2 on Grace parts, else 4"
    )
    full_duplex: bool = param(True, label="Full-duplex link")

    def __post_init__(self) -> None:
        validate_params(self)

    def link_kind(self, hw: HardwareProfile) -> str:
        if self.link == "auto":
            return "c2c" if hw.c2c_gb_s else "pcie"
        if self.link == "c2c" and not hw.c2c_gb_s and not self.link_gb_s:
            raise ValueError(f"{hw.name} has no NVLink-C2C; pick PCIe or enter a link bandwidth")
        return self.link

    def link_peak_gb_s(self, hw: HardwareProfile) -> float:
        if self.link_gb_s:
            return float(self.link_gb_s)
        return float(hw.c2c_gb_s or 0.0) if self.link_kind(hw) == "c2c" else float(hw.pcie_gb_s)

    def ddr_peak_gb_s(self, hw: HardwareProfile) -> float:
        return float(self.ddr_gb_s or hw.host_ddr_gb_s)

    def sharing(self, hw: HardwareProfile, total_gpus: int | None = None) -> int:
        """GPUs streaming through one socket's DDR at once (at most ``total_gpus`` when given)."""
        n = self.gpus_per_socket or (2 if hw.c2c_gb_s else 4)
        return max(1, min(n, total_gpus)) if total_gpus else n

    def for_gpus(self, hw: HardwareProfile, total_gpus: int) -> HostLinkConfig:
        """The same path when only ``total_gpus`` GPUs (TP·EP engine × DP replicas) share the host."""
        return replace(self, gpus_per_socket=self.sharing(hw, total_gpus))


@dataclass(frozen=True)
class ChannelResult:
    """One stage of the host path for one step on one GPU."""

    channel: str  # one of CHANNELS
    label: str
    h2d_bytes: float
    d2h_bytes: float
    bytes: float  # bytes the stage moves (DDR: with pageable passes)
    rate_gb_s: float  # effective rate (after efficiency, sharing, pageable factor)
    time_s: float
    required_gb_s: float  # bytes ÷ baseline step time: the rate that would hide it fully
    achieved_gb_s: float  # bytes ÷ offload step time
    utilisation: float  # time ÷ offload step time

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.label,
            "h2d_MB": self.h2d_bytes / 1e6,
            "d2h_MB": self.d2h_bytes / 1e6,
            "moved_MB": self.bytes / 1e6,
            "rate_GB_s": self.rate_gb_s,
            "time_ms": self.time_s * 1e3,
            "required_GB_s": self.required_gb_s,
            "achieved_GB_s": self.achieved_gb_s,
            "utilisation_pct": self.utilisation * 100.0,
        }


def _channel_specs(hw: HardwareProfile, cfg: HostLinkConfig) -> list[tuple[str, str, float, float, bool]]:
    """``(id, label, rate B/s, byte multiplier, duplex)`` per stage."""
    kind = cfg.link_kind(hw)
    link_rate = cfg.link_peak_gb_s(hw) * 1e9 * cfg.link_efficiency
    ddr_rate = cfg.ddr_peak_gb_s(hw) * 1e9 * cfg.ddr_efficiency / cfg.sharing(hw)
    link_label = "NVLink-C2C" if kind == "c2c" else "PCIe"
    specs = [
        (
            "host_ddr",
            f"host DDR (1/{cfg.sharing(hw)} socket)",
            ddr_rate,
            1.0 if cfg.pinned else PAGEABLE_DDR_PASSES,
            False,
        )
    ]
    if not cfg.pinned:
        specs.append(("cpu_staging", "CPU staging copy (pageable)", link_rate * cfg.pageable_factor, 1.0, False))
    specs.append(("link", link_label, link_rate, 1.0, cfg.full_duplex))
    specs.append(("hbm", "HBM", hw.hbm_bytes_per_s * hw.efficiency.memory, 1.0, False))
    return specs


def host_to_device_rate(hw: HardwareProfile, cfg: HostLinkConfig) -> tuple[float, str, dict[str, float]]:
    """Sustained host → one-GPU rate (B/s) with no write-back traffic: the slowest stage.
    Returns ``(rate, bottleneck channel id, {channel id: effective rate of the h2d bytes})``."""
    rates = {cid: rate / mult for cid, _label, rate, mult, _dup in _channel_specs(hw, cfg)}
    cid = min(rates, key=rates.__getitem__)
    return rates[cid], cid, rates


def _channel_times(
    hw: HardwareProfile, cfg: HostLinkConfig, h2d: float, d2h: float
) -> list[tuple[str, str, float, float, float]]:
    out = []
    for cid, label, rate, mult, duplex in _channel_specs(hw, cfg):
        moved = (h2d + d2h) * mult
        t = max(h2d, d2h) / rate if duplex else moved / rate
        out.append((cid, label, moved, rate / 1e9, t))
    return out


# ---------------------------------------------------------------------------- schedule
@dataclass(frozen=True)
class OffloadKnobs:
    """The two knobs of one offloaded step, declared once (the offload pages ``like`` them):
    ``prefetch_window`` layers fetched ahead of the one computing (0 = on demand), and the
    share ``kv_writeback_ratio`` of new KV written back to host memory per step."""

    prefetch_window: int = param(
        1, lo=0, hi=100_000, unit="layers", label="Prefetch window", help="0 = fetch on demand"
    )
    kv_writeback_ratio: float = param(0.0, lo=0.0, hi=1.0, label="KV write-back ratio", help="share of new KV")

    def __post_init__(self) -> None:
        validate_params(self)


@dataclass(frozen=True)
class LayerSlot:
    """One layer of the offload schedule (seconds from the step start)."""

    layer: int
    moe: bool
    fetch_start: float
    fetch_end: float
    compute_start: float
    compute_end: float
    wait_s: float = 0.0  # idle time before this layer waiting for its experts


def layer_schedule(compute_s: list[float], fetch_s: list[float], window: int) -> list[LayerSlot]:
    """Schedule of one step: layer ``j`` computes for ``compute_s[j]`` after its experts arrive;
    its fetch (``fetch_s[j]`` on one serial link) starts no earlier than the start of layer
    ``j − window`` (``window ≥ 1``) or the end of layer ``j − 1`` (``window = 0``, on demand)."""
    if len(compute_s) != len(fetch_s):
        raise ValueError("compute_s and fetch_s need one entry per layer")
    OffloadKnobs(prefetch_window=window)  # ValueError naming prefetch_window
    slots: list[LayerSlot] = []
    link_free = 0.0
    prev_end = 0.0
    starts: list[float] = []
    for j, (tc, tx) in enumerate(zip(compute_s, fetch_s, strict=True)):
        if window == 0:
            gate = prev_end
        else:
            gate = starts[j - window] if j - window >= 0 else 0.0
        if tx > 0:
            fs = max(link_free, gate)
            fe = fs + tx
            link_free = fe
            cs = max(prev_end, fe)
        else:
            fs = fe = cs = prev_end
        ce = cs + tc
        starts.append(cs)
        slots.append(LayerSlot(j, tx > 0, fs, fe, cs, ce, cs - prev_end))
        prev_end = ce
    return slots


# ---------------------------------------------------------------------------- one step
@dataclass(frozen=True)
class OffloadResult:
    """Offload cost of one step on one GPU of the engine."""

    tokens: int
    moe_layers: int
    layers: int
    touched: TouchedExperts
    resident: int
    expert_bytes: float  # one full expert
    cold_bytes_per_layer: float  # per GPU
    h2d_bytes: float  # per GPU per step (all MoE layers)
    kv_writeback_bytes: float  # per GPU per step
    channels: tuple[ChannelResult, ...]
    bottleneck: str  # channel id
    bottleneck_label: str
    transfer_s: float  # bottleneck channel time
    compute_per_layer_s: float
    baseline_step_s: float  # cost model, everything resident
    step_s: float  # with offload stalls
    schedule: tuple[LayerSlot, ...] = field(default_factory=tuple)

    @property
    def stall_s(self) -> float:
        return self.step_s - self.baseline_step_s

    @property
    def inflation(self) -> float:
        return self.step_s / self.baseline_step_s if self.baseline_step_s > 0 else 1.0

    @property
    def tokens_per_s(self) -> float:
        """Tokens of the step ÷ the offload step time (:func:`~dashboard.features.metrics.tokens_per_s`)."""
        return tokens_per_s(self.tokens, self.step_s)

    @property
    def baseline_tokens_per_s(self) -> float:
        """Tokens of the step ÷ the all-resident step time."""
        return tokens_per_s(self.tokens, self.baseline_step_s)

    @property
    def fetch_per_layer_s(self) -> float:
        """Time to fetch one MoE layer's cold experts at the step's effective transfer rate:
        ``cold bytes per layer · transfer_s ÷ h2d bytes`` (0 when nothing is fetched)."""
        return self.cold_bytes_per_layer * (self.transfer_s / self.h2d_bytes) if self.h2d_bytes else 0.0

    @property
    def hidden(self) -> bool:
        """Transfers fully hidden (less than 0.5 % stretch)."""
        return self.inflation <= 1.005

    def as_dict(self) -> dict[str, Any]:
        return {
            "tokens": self.tokens,
            "moe_layers": self.moe_layers,
            "layers": self.layers,
            "distinct_experts_per_layer": self.touched.distinct,
            "hot_experts_per_layer": self.touched.hot,
            "cold_experts_per_layer": self.touched.cold,
            "resident_experts_per_layer": self.resident,
            "expert_MB": self.expert_bytes / 1e6,
            "cold_MB_per_layer_per_gpu": self.cold_bytes_per_layer / 1e6,
            "h2d_MB_per_step_per_gpu": self.h2d_bytes / 1e6,
            "kv_writeback_MB_per_step_per_gpu": self.kv_writeback_bytes / 1e6,
            "bottleneck": self.bottleneck_label,
            "transfer_ms": self.transfer_s * 1e3,
            "compute_per_layer_ms": self.compute_per_layer_s * 1e3,
            "baseline_step_ms": self.baseline_step_s * 1e3,
            "step_ms": self.step_s * 1e3,
            "stall_ms": self.stall_s * 1e3,
            "inflation": self.inflation,
            "channels": [c.as_dict() for c in self.channels],
        }


def _step_tokens(spec: StepSpec) -> int:
    return spec.prefill_seqs * spec.prefill_len + spec.decode_seqs


def offload_step(
    cm: CostModel,
    spec: StepSpec,
    link: HostLinkConfig,
    resident: int,
    popularity: Popularity | None = None,
    prefetch_window: int = 1,
    kv_writeback_ratio: float = 0.0,
    baseline_s: float | None = None,
) -> OffloadResult:
    """Price the host traffic of one step (``spec``) of ``cm``'s model with ``resident`` experts
    per MoE layer kept in HBM (engine-wide), and the step time it leads to.

    The compute time comes from the cost model (``cm.step(spec).latency_s`` ÷ layers, or
    ``baseline_s`` if the caller already priced the step)."""
    OffloadKnobs(prefetch_window, kv_writeback_ratio)  # ValueError naming the field
    model, hw, par = cm.model, cm.hw, cm.par
    tokens = _step_tokens(spec)
    if tokens <= 0:
        raise ValueError("the step has no tokens")
    base = cm.step(spec).latency_s if baseline_s is None else float(baseline_s)
    n_layers = model.num_hidden_layers
    engine = max(par.tp, par.ep)
    if model.is_moe:
        e, k = model.num_experts, model.num_experts_per_tok
        h = min(max(0, int(resident)), e)
        touched = expected_touched(e, k, tokens, popularity, h)
        ebytes = expert_bytes(model, cm.dt.weight)
        cold_layer = touched.cold * ebytes / engine
    else:
        h = 0
        touched = TouchedExperts(float(tokens), 0.0, 0.0, 0.0)
        ebytes = 0.0
        cold_layer = 0.0
    moe_flags = [model.layer_is_moe(i) for i in range(n_layers)]
    n_moe = sum(moe_flags)
    h2d = cold_layer * n_moe
    new_tokens_gpu = tokens / par.attention_dp
    d2h = kv_writeback_ratio * new_tokens_gpu * kv_bytes_per_token_per_gpu(model, par, cm.dt.kv)
    times = _channel_times(hw, link, h2d, d2h)
    bi = max(range(len(times)), key=lambda i: times[i][4])
    transfer = times[bi][4]
    tc = base / n_layers
    if h2d > 0:
        per_byte = transfer / h2d  # fair-share rate of the fetches through the bottleneck
        fetch = [cold_layer * per_byte if f else 0.0 for f in moe_flags]
    else:
        fetch = [0.0] * n_layers
    sched = layer_schedule([tc] * n_layers, fetch, prefetch_window)
    step = max(sched[-1].compute_end if sched else base, transfer, base)
    chans = tuple(
        ChannelResult(
            channel=cid,
            label=label,
            h2d_bytes=h2d,
            d2h_bytes=d2h,
            bytes=moved,
            rate_gb_s=rate_gb_s,
            time_s=t,
            required_gb_s=(moved / base / 1e9) if base > 0 else 0.0,
            achieved_gb_s=(moved / step / 1e9) if step > 0 else 0.0,
            utilisation=t / step if step > 0 else 0.0,
        )
        for cid, label, moved, rate_gb_s, t in times
    )
    return OffloadResult(
        tokens=tokens,
        moe_layers=n_moe,
        layers=n_layers,
        touched=touched,
        resident=h,
        expert_bytes=ebytes,
        cold_bytes_per_layer=cold_layer,
        h2d_bytes=h2d,
        kv_writeback_bytes=d2h,
        channels=chans,
        bottleneck=times[bi][0],
        bottleneck_label=times[bi][1],
        transfer_s=transfer,
        compute_per_layer_s=tc,
        baseline_step_s=base,
        step_s=step,
        schedule=tuple(sched),
    )


# ---------------------------------------------------------------------------- HBM capacity
@dataclass(frozen=True)
class ResidentCapacity:
    """How many expert shards one GPU can keep in HBM beside everything else."""

    usable_bytes: float
    non_expert_bytes: float  # weights other than routed experts
    all_expert_bytes: float  # every local expert of every MoE layer
    kv_bytes: float  # KV reserved for batch × context
    other_bytes: float  # activations + runtime reserve + prefetch buffers
    budget_bytes: float  # left for routed experts (may be negative)
    shard_bytes: float
    local_experts_per_layer: int  # E / ep
    resident_shards: int  # all layers together, capped at every local expert
    resident_per_layer: int  # engine-wide experts per MoE layer (what ``offload_step`` takes)
    all_fit: bool

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def resident_capacity(
    model: ModelProfile,
    hw: HardwareProfile,
    parallel: ParallelConfig,
    dtypes: Dtypes,
    batch: int,
    context: int,
    reserved_fraction: float = 0.10,
    prefetch_buffer_bytes: float = 0.0,
) -> ResidentCapacity:
    """Routed-expert shards that fit in one GPU's HBM after the non-expert weights, the KV cache of
    ``batch`` sequences of ``context`` tokens, activations, the runtime reserve and the prefetch
    buffers (all from the memory model)."""
    if not model.is_moe:
        raise ValueError(f"{model.name} is not a mixture-of-experts model")
    check_value("batch", batch, param_specs(RequestShape)["batch"], "int")  # declared once
    mem = memory_breakdown(
        model,
        hw,
        parallel,
        dtypes,
        context=context,
        reserved_fraction=reserved_fraction,
        max_seqs=batch,
        max_batched_tokens=max(batch, 1),
    )
    shard = expert_shard_bytes(model, parallel, dtypes.weight)
    local = model.num_experts // parallel.ep
    all_experts = shard * local * model.num_moe_layers
    non_expert = mem.weight_bytes - all_experts
    kv = mem.kv_bytes_per_sequence * batch
    other = mem.activation_bytes + mem.runtime_reserve_bytes + prefetch_buffer_bytes
    budget = mem.usable_bytes - non_expert - kv - other
    total_shards = local * model.num_moe_layers
    fit = int(budget // shard) if budget > 0 and shard > 0 else 0
    fit = min(fit, total_shards)
    per_layer_local = fit // model.num_moe_layers if model.num_moe_layers else 0
    return ResidentCapacity(
        usable_bytes=mem.usable_bytes,
        non_expert_bytes=non_expert,
        all_expert_bytes=all_experts,
        kv_bytes=kv,
        other_bytes=other,
        budget_bytes=budget,
        shard_bytes=shard,
        local_experts_per_layer=local,
        resident_shards=fit,
        resident_per_layer=per_layer_local * parallel.ep,
        all_fit=fit >= total_shards,
    )


def experts_per_window(window_s: float, rate_bytes_per_s: float, shard_bytes: float) -> int:
    """Whole expert shards one GPU can (re)load in ``window_s`` seconds over a host path of
    ``rate_bytes_per_s``: ``⌊window · rate / shard⌋`` (0 when the shard is empty or the rate 0).
    The engine loads ``ep`` times as many distinct experts in the same window."""
    if shard_bytes <= 0 or rate_bytes_per_s <= 0 or window_s <= 0:
        return 0
    return int(window_s * rate_bytes_per_s // shard_bytes)
