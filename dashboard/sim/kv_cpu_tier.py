"""The simulator's host-memory KV tier: an LRU set of block keys with a block capacity.

Blocks evicted from the HBM prefix cache are offered to the tier (:meth:`CpuTier.put`, the
connector's asynchronous write-back); a request's prefix lookup continues here after its HBM hits
(:meth:`CpuTier.match`): the leading keys present in the tier are loaded back over the host link
(time from :func:`dashboard.features.kv_offload.kv_load_time_s`) instead of recomputed. A hit
refreshes the key (it becomes most recently used); when full, the least recently used key is
dropped. Counters: ``hits`` (blocks served), ``writes`` (blocks written back), ``evictions``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any

__all__ = ["CpuTier", "attach_cpu_tier", "step_with_kv_load", "tier_summary"]


class CpuTier:
    """LRU block store of ``capacity`` blocks (keys are the prefix cache's block keys)."""

    __slots__ = ("_lru", "capacity", "evictions", "hits", "writes")

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            raise ValueError(f"CPU tier capacity must be a non-negative number of blocks, got {capacity!r}")
        self.capacity = capacity
        self._lru: OrderedDict[Hashable, None] = OrderedDict()
        self.hits = 0
        self.writes = 0
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._lru)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._lru

    def put(self, key: Hashable) -> None:
        """Write a block back (evicting the least recently used one when full)."""
        if self.capacity == 0:
            return
        if key in self._lru:
            self._lru.move_to_end(key)
            return
        if len(self._lru) >= self.capacity:
            self._lru.popitem(last=False)
            self.evictions += 1
        self._lru[key] = None
        self.writes += 1

    def match(self, keys: Sequence[Hashable], start: int = 0) -> int:
        """How many of ``keys[start:]`` are present, counted from ``start`` until the first miss
        (a prefix must be contiguous); the matched keys become most recently used."""
        n = 0
        for key in keys[start:]:
            if key not in self._lru:
                break
            self._lru.move_to_end(key)
            n += 1
        self.hits += n
        return n

    def count(self, keys: Sequence[Hashable], start: int, limit: int) -> int:
        """How many of ``keys[start:limit]`` are present, from ``start`` to the first miss (no
        change to the LRU order: admission may still fail; :meth:`hit` commits)."""
        n = 0
        lru = self._lru
        for key in keys[start:limit]:
            if key not in lru:
                break
            n += 1
        return n

    def hit(self, keys: Sequence[Hashable]) -> None:
        """Serve ``keys`` (found by :meth:`count`): they become most recently used."""
        for key in keys:
            self._lru.move_to_end(key)
        self.hits += len(keys)


def attach_cpu_tier(sim: Any, cfg: Any, context: int) -> None:
    """Give every engine of ``sim`` a CPU tier of ``cfg`` (blocks of the per-GPU KV bytes of
    ``block_size`` tokens at ``context``, from the shared memory model)."""
    from dashboard.features.kv_offload import cpu_tier_blocks
    from dashboard.features.memory import memory_breakdown

    if not sim.sched.prefix_caching:
        raise ValueError("a CPU KV tier needs prefix caching (the engine's prefix cache finds the blocks)")
    cm = sim.cm
    mem = memory_breakdown(cm.model, cm.hw, cm.par, cm.dt, context=max(1, context))
    block_bytes = mem.kv_bytes_per_token * sim.sched.block_size
    blocks = cpu_tier_blocks(cfg, block_bytes)
    sim.tier_cfg = cfg
    sim.tier_block_bytes = block_bytes
    sim.tier_load_s = 0.0
    sim.tier_loaded_blocks = 0
    for eng in sim.engines:
        eng.kv.tier = CpuTier(blocks)


def step_with_kv_load(sim: Any, ranks: Sequence[Any], gpu_s: float) -> float:
    """The step time once this step's CPU-tier loads are added (per the connector's overlap
    mode); the busiest rank's load sets it. Resets the ranks' pending loads."""
    from dashboard.features.kv_offload import kv_load_time_s, step_time_with_load_s

    blocks = 0
    for eng in ranks:
        blocks = max(blocks, eng.load_blocks)
        sim.tier_loaded_blocks += eng.load_blocks
        eng.load_blocks = 0
    if not blocks:
        return gpu_s
    load = kv_load_time_s(sim.cm.hw, sim.tier_cfg, blocks * sim.tier_block_bytes)
    sim.tier_load_s += load
    return step_time_with_load_s(gpu_s, load, sim.tier_cfg.mode)


def tier_summary(sim: Any) -> dict[str, Any]:
    """Per-tier hit rates (tokens at first admission ÷ prompt tokens), bytes moved over the
    host link (per GPU) and the tier's size."""
    prompt = sum(r.prompt for r in sim.reqs)
    cached = sum(r.cached for r in sim.reqs)
    cpu = sum(r.cpu_cached for r in sim.reqs)
    tiers = [e.kv.tier for e in sim.engines]
    bb = sim.tier_block_bytes
    return {
        "kv_cpu_tier": {
            "capacity_blocks_per_engine": tiers[0].capacity if tiers else 0,
            "block_bytes": bb,
            "hbm_hit_rate": (cached - cpu) / max(1, prompt),
            "cpu_hit_rate": cpu / max(1, prompt),
            "loaded_blocks": sim.tier_loaded_blocks,
            "bytes_loaded": sim.tier_loaded_blocks * bb,
            "bytes_written": sum(t.writes for t in tiers) * bb,
            "load_time_s": sim.tier_load_s,
            "mode": sim.tier_cfg.mode,
        }
    }
