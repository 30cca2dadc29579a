"""Documented size bounds of the CLI, checked before any work starts (issue 11, item 6).

The bounds are keyed by the argparse destination (``--num-requests`` → ``num_requests``), so every
subcommand that uses a flag of that name inherits its bound, including subcommands added later.
Each bound is far above any real deployment and far below what exhausts a laptop: a single input
can no longer ask for a 16-million-request simulation, a trillion data-parallel engines or a
2,000-entry sweep. The table is repeated in ``docs/SECURITY.md`` ("Size bounds").

Generic rules for flags not in the table: an integer above 2**53 or a non-finite float is refused,
and a list flag may hold at most :data:`MAX_LIST_ITEMS` entries.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from runners.common import CliError

__all__ = ["INT_LIMITS", "LIST_LIMITS", "MAX_LIST_ITEMS", "check_limits"]

#: ``dest`` → largest accepted value (inclusive).
INT_LIMITS: dict[str, int] = {
    # parallel layouts and GPU counts
    "tp": 1024,
    "ep": 1024,
    "pp": 1024,
    "dp": 1024,
    "gpus": 1024,
    "max_gpus": 4096,
    # token counts (the longest published context windows are 10M tokens)
    "input_len": 1 << 24,
    "output_len": 1 << 24,
    "context": 1 << 24,
    "prefill_len": 1 << 24,
    "prefix_len": 1 << 24,
    "decode_context": 1 << 24,
    # batch sizes
    "prefill_seqs": 1 << 20,
    "decode_seqs": 1 << 20,
    # scheduler
    "max_num_batched_tokens": 1 << 24,
    "max_num_seqs": 1 << 16,
    "block_size": 4096,
    "num_kv_blocks": 1 << 24,
    # simulations: the work is proportional to requests × output tokens
    "num_requests": 1_000_000,
    "concurrency": 1 << 16,
    "sim_check": 32,
    "rerun": 32,
    "rerun_requests": 100_000,
    "seed": (1 << 63) - 1,
}

#: list flags: ``dest`` → (most entries, largest entry)
LIST_LIMITS: dict[str, tuple[int, int]] = {
    "tp_values": (16, 1024),
    "concurrency": (64, 1 << 16),
    "concurrency_values": (64, 1 << 16),
    "budgets": (32, 1 << 24),
    "speculative_k_values": (32, 32),
}
MAX_LIST_ITEMS = 256
_MAX_INT = 1 << 53


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def check_limits(args: argparse.Namespace) -> None:
    """Raise :class:`CliError` naming the first flag whose value is outside its documented bound."""
    for dest, value in sorted(vars(args).items()):
        if dest in ("func", "command") or value is None or isinstance(value, bool):
            continue
        _check_value(dest, value)


def _check_value(dest: str, value: Any) -> None:
    if isinstance(value, int):
        hi = INT_LIMITS.get(dest, _MAX_INT)
        if value > hi:
            raise CliError(
                f"{_flag(dest)} must be at most {hi:,} (size bound, see docs/SECURITY.md), got {value:,}"
                if value < 10**30
                else f"{_flag(dest)} must be at most {hi:,} (size bound)"
            )
        if value < -_MAX_INT:
            raise CliError(f"{_flag(dest)} is out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CliError(f"{_flag(dest)} must be a finite number, got {value}")
    elif isinstance(value, (list, tuple)):
        most, largest = LIST_LIMITS.get(dest, (MAX_LIST_ITEMS, _MAX_INT))
        if len(value) > most:
            raise CliError(f"{_flag(dest)} takes at most {most} values (size bound), got {len(value)}")
        for v in value:
            if isinstance(v, bool):
                continue
            if isinstance(v, int) and v > largest:
                raise CliError(f"{_flag(dest)} values must be at most {largest:,} (size bound)")
            if isinstance(v, float) and not math.isfinite(v):
                raise CliError(f"{_flag(dest)} values must be finite numbers")
