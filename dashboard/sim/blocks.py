"""KV block manager of one engine (one DP rank): free blocks, and prefix-cached blocks shared by
reference count with LRU eviction (vLLM V1 ``KVCacheManager``/``BlockPool`` semantics).

Accounting. ``free`` counts blocks a new allocation may take: never-used blocks plus cached blocks
no running request references (``ref == 0``, kept in ``lru`` in the order they were freed). A
request holds *private* blocks (counted by the scheduler) and *references* to cached blocks (its
first blocks, keyed by a block hash: an ``int`` from the workload's ``hash_ids`` or the shared
prefix, or ``(request id, index)`` for its own blocks kept after a preemption). A cached block is
counted once however many requests reference it. Allocating more blocks than are never-used evicts
the least recently freed cached blocks first. vLLM frees a request's blocks tail first, so the tail
of a prompt is evicted before its head; :meth:`release` does the same.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any

__all__ = ["BlockManager"]


class BlockManager:
    """Free-block count and the reference-counted prefix cache of one engine."""

    __slots__ = ("evictions", "free", "lru", "num_blocks", "ref", "tier")

    def __init__(self, num_blocks: int) -> None:
        self.num_blocks = num_blocks
        self.free = num_blocks  # never-used + cached with no reference
        self.ref: dict[Hashable, int] = {}  # cached block → running requests referencing it
        self.lru: OrderedDict[Hashable, None] = OrderedDict()  # cached blocks with ref 0, oldest first
        self.evictions = 0
        self.tier: Any = None  # dashboard.sim.kv_cpu_tier.CpuTier: evicted cached blocks are written there

    @property
    def cached_in_use(self) -> int:
        """Cached blocks referenced by at least one request."""
        return len(self.ref) - len(self.lru)

    def take(self, n: int) -> None:
        """Allocate ``n`` private blocks (the caller checked ``n <= free``), evicting LRU cached
        blocks when the never-used ones run out."""
        over = n - (self.free - len(self.lru))
        if over > 0:
            lru, ref = self.lru, self.ref
            for _ in range(over):
                k, _ = lru.popitem(last=False)
                del ref[k]
                if self.tier is not None:
                    self.tier.put(k)
            self.evictions += over
        self.free -= n

    def give(self, n: int) -> None:
        """Return ``n`` private blocks."""
        self.free += n

    def probe(self, key_of: Sequence[Hashable], limit: int) -> tuple[int, int]:
        """How many leading blocks of ``key_of`` (at most ``limit``) are cached, and how many of
        those have no reference (taking them uses free blocks)."""
        ref = self.ref
        hit = idle = 0
        for k in key_of:
            if hit >= limit:
                break
            c = ref.get(k)
            if c is None:
                break
            hit += 1
            if c == 0:
                idle += 1
        return hit, idle

    def acquire(self, keys: Sequence[Hashable]) -> None:
        """Reference cached blocks (found by :meth:`probe`)."""
        ref, lru = self.ref, self.lru
        for k in keys:
            c = ref[k]
            if c == 0:
                del lru[k]
                self.free -= 1
            ref[k] = c + 1

    def release(self, keys: Sequence[Hashable]) -> None:
        """Drop references, tail first; blocks nobody references become evictable."""
        ref, lru = self.ref, self.lru
        for k in reversed(keys):
            c = ref[k] - 1
            ref[k] = c
            if c == 0:
                lru[k] = None
                self.free += 1

    def register(self, key: Hashable) -> bool:
        """Turn one of the caller's private, fully computed blocks into a cached block it
        references; False when a block of that hash is already cached (the copy stays private)."""
        if key in self.ref:
            return False
        self.ref[key] = 1
        return True
