"""Mutable state of the simulator: a request and one engine's queues and incrementally kept
decode sums (context sums, block-boundary residues, finish rounds), so a step costs no per-decode
loop. Internal to :mod:`dashboard.sim_scheduler`."""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Hashable
from typing import Any

from dashboard.sim.blocks import BlockManager

__all__ = ["DECODE", "DONE", "PREFILL", "WAITING", "EngineState", "Req"]

WAITING, PREFILL, DECODE, DONE = 0, 1, 2, 3


class Req:
    __slots__ = (
        "admitted",
        "arrival",
        "base_g",
        "blocks",
        "cached",
        "computed",
        "cpu_cached",
        "d_entry",
        "engine",
        "first_sched",
        "g",
        "itl_max",
        "keys",
        "min_step",
        "off",
        "out",
        "pre",
        "preempts",
        "prefill_s",
        "prompt",
        "refs",
        "resv",
        "rid",
        "sat",
        "state",
        "t_finish",
        "t_first",
        "t_last_tok",
        "ver",
    )

    def __init__(self, rid: int, arrival: float, prompt: int, out: int) -> None:
        self.rid = rid
        self.arrival = arrival
        self.prompt = prompt
        self.out = out
        self.engine = -1
        self.state = WAITING
        self.g = 0  # tokens generated (valid outside the decode set; inside: base_g + dctr − d_entry)
        self.computed = 0  # tokens in the KV cache (valid outside the decode set)
        self.blocks = 0  # KV blocks held (valid outside the decode set)
        self.base_g = 0
        self.d_entry = 0
        self.off = 0
        self.ver = 0
        self.sat = False
        self.first_sched = math.nan
        self.t_first = math.nan
        self.t_finish = math.nan
        self.t_last_tok = math.nan
        self.prefill_s = 0.0
        self.itl_max = 0.0  # longest gap between two of its tokens
        self.admitted = 0  # order of its latest admission to the running set
        self.preempts = 0
        self.cached = 0
        self.cpu_cached = 0  # of ``cached``: tokens loaded from the CPU KV tier at first admission
        self.keys: tuple[Hashable, ...] = ()  # block hashes of its prompt's shared prefix (prefix caching)
        self.refs: list[Any] = []  # cached blocks it references (its first blocks)
        self.min_step = 0  # async scheduling: first step index that may schedule it
        self.pre = 0  # PD: prompt tokens whose KV arrives with the request
        self.resv = 0  # guaranteed_no_evict: blocks reserved for its whole life (prompt + output)


class EngineState:
    """One engine: its queues, KV blocks and the incrementally kept decode sums."""

    def __init__(self, idx: int, block_size: int, num_blocks: int, window: int | None) -> None:
        self.idx = idx
        self.busy = False
        self.waiting: deque[Req] = deque()
        self.prefilling: list[Req] = []
        self.kv = BlockManager(num_blocks)
        self.num_blocks = num_blocks
        self.nstep = 0  # steps started
        self.outstanding = 0
        self.busy_s = 0.0
        self.load_blocks = 0  # KV blocks to load from the CPU tier in the step being scheduled
        # decode set
        self.decoders: dict[int, Req] = {}
        self.dctr = 0  # decode rounds completed
        self.s_off1 = 0  # Σ (off + 1) over decoders
        self.res = [0] * block_size  # decoders per (off mod block_size)
        self.maxheap: list[int] = []  # −off, lazy deletion
        self.removed: dict[int, int] = {}
        self.finish_at: dict[int, list[tuple[Req, int]]] = {}
        self.window = window
        self.sat_at: dict[int, list[tuple[Req, int]]] = {}
        self.n_sat = 0
        self.s_unsat_off1 = 0
        self.fresh: list[tuple[Req, int]] = []  # entered since the last round (first ITL from t_last_tok)
        self.last_round_end = 0.0
        self.round_itl: list[float] = []  # [r − 1]: end of decode round r − end of round r − 1
        # step in flight
        self.pending: Any = None
        # speculative decoding (dashboard/sim/spec_decode.py): decodes stepped explicitly
        self.spec_dec: list[Req] = []
        self.spec_batch: list[tuple[Req, int]] = []

    def running(self) -> int:
        return len(self.decoders) + len(self.prefilling) + len(self.spec_dec)

    # ---- decode set
    def enter_decode(self, r: Req, t: float) -> None:
        e = self.dctr
        r.state = DECODE
        r.ver += 1
        r.base_g = r.g
        r.d_entry = e
        off = r.prompt + r.g - 2 - e
        r.off = off
        self.decoders[r.rid] = r
        self.s_off1 += off + 1
        self.res[off % len(self.res)] += 1
        heapq.heappush(self.maxheap, -off)
        fin = e + r.out - r.g
        self.finish_at.setdefault(fin, []).append((r, r.ver))
        r.t_last_tok = t
        self.fresh.append((r, r.ver))
        if self.window is not None:
            rs = self.window - off - 1
            if rs <= e + 1:
                r.sat = True
                self.n_sat += 1
            else:
                r.sat = False
                self.s_unsat_off1 += off + 1
                self.sat_at.setdefault(rs, []).append((r, r.ver))

    def leave_decode(self, r: Req) -> None:
        """Remove ``r`` from the decode set, materialising its g / computed / blocks."""
        del self.decoders[r.rid]
        off = r.off
        self.s_off1 -= off + 1
        self.res[off % len(self.res)] -= 1
        self.removed[-off] = self.removed.get(-off, 0) + 1
        if self.window is not None:
            if r.sat:
                self.n_sat -= 1
            else:
                self.s_unsat_off1 -= off + 1
        d = self.dctr
        r.g = r.base_g + d - r.d_entry
        r.computed = r.prompt + r.g - 1
        bs = len(self.res)
        r.blocks = (r.resv or -(-r.computed // bs)) - len(r.refs)
        if d > r.d_entry:
            r.t_last_tok = self.last_round_end
            if d > r.d_entry + 1:  # rounds e+2 … d followed one of its own rounds
                gap = max(self.round_itl[r.d_entry + 1 : d])
                r.itl_max = max(r.itl_max, gap)
        r.ver += 1

    def max_off(self) -> int:
        h, rem = self.maxheap, self.removed
        while h:
            top = h[0]
            c = rem.get(top)
            if c:
                heapq.heappop(h)
                if c == 1:
                    del rem[top]
                else:
                    rem[top] = c - 1
            else:
                return -top
        return 0
