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

__all__ = ["CpuTier"]


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
