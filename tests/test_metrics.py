"""features/metrics.py: each derived metric pinned to a hand-computed value, and its users agree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.features.metrics import (
    cost_per_million_tokens,
    decode_tokens_per_s,
    hbm_utilisation,
    itl_s,
    memory_needed_bytes,
    mfu,
    tokens_per_joule,
    tokens_per_s_per_user,
    tpot_s,
)


def test_tpot_excludes_the_first_token() -> None:
    # first token at 0.5 s, 11th (last) at 1.5 s: 10 decode steps of 0.1 s
    assert tpot_s(1.0, 11) == pytest.approx(0.1)
    assert math.isnan(tpot_s(0.0, 1))
    got = tpot_s(np.array([1.0, 2.0, np.nan]), np.array([11, 1, 5]))
    assert got[0] == pytest.approx(0.1) and math.isnan(got[1]) and math.isnan(got[2])


def test_itl_mean_equals_tpot() -> None:
    times = [0.5, 0.6, 0.8, 0.9, 1.5]
    gaps = itl_s(times)
    assert gaps == pytest.approx([0.1, 0.2, 0.1, 0.6])
    assert gaps.mean() == pytest.approx(tpot_s(times[-1] - times[0], len(times)))


def test_rates() -> None:
    assert tokens_per_s_per_user(0.02) == pytest.approx(50.0)
    assert tokens_per_s_per_user(0.0) is None
    arr = tokens_per_s_per_user(np.array([0.02, 0.0, 0.5]))
    assert arr[0] == pytest.approx(50.0) and math.isnan(arr[1]) and arr[2] == pytest.approx(2.0)
    assert decode_tokens_per_s(64, 0.02) == pytest.approx(3200.0)
    assert decode_tokens_per_s(64, 0.0) == 0.0


def test_utilisation() -> None:
    # 1.979e15 FLOPs in 2 s on a 989 TFLOP/s GPU: 1.0005
    assert mfu(1.978e15, 2.0, 989e12) == pytest.approx(1.0)
    assert mfu(4.8e14, 1.0, 989e12) == pytest.approx(0.48534, rel=1e-4)
    assert math.isnan(mfu(1.0, 0.0, 1.0)) and math.isnan(mfu(1.0, 1.0, 0.0))
    # H200: 4.8 TB/s; 2.4e12 B in 1 s is half
    assert hbm_utilisation(2.4e12, 1.0, 4.8e12) == pytest.approx(0.5)
    assert math.isnan(hbm_utilisation(1.0, -1.0, 1.0)) and math.isnan(hbm_utilisation(1.0, 1.0, 0.0))


def test_memory_needed() -> None:
    gib = 2**30
    # 16 GiB weights + 2 GiB activations + 1.5 GiB reserve + 8 × 0.5 GiB KV = 23.5 GiB; 10 % reserved
    need = memory_needed_bytes(16 * gib, 0.5 * gib, 8, 2 * gib, 1.5 * gib, reserved_fraction=0.1)
    assert need == pytest.approx(23.5 * gib / 0.9)
    assert memory_needed_bytes(1.0, 2.0, 3) == 7.0
    with pytest.raises(ValueError, match="reserved_fraction"):
        memory_needed_bytes(1.0, 1.0, 1, reserved_fraction=1.0)


def test_cost_and_energy() -> None:
    # $3.6 per GPU-hour = $0.001/s; 1000 tok/s per GPU → $1 per million tokens; 60 % of the time → $0.60
    assert cost_per_million_tokens(3.6, 1000.0) == pytest.approx(1.0)
    assert cost_per_million_tokens(3.6, 1000.0, share=0.6) == pytest.approx(0.6)
    assert cost_per_million_tokens(3.6, 1000.0, share=1.7) == pytest.approx(1.0)
    assert cost_per_million_tokens(3.6, 1000.0, share=-1.0) == 0.0
    assert cost_per_million_tokens(3.6, 0.0) is None
    assert tokens_per_joule(1400.0, 700.0) == pytest.approx(2.0)
    assert tokens_per_joule(1400.0, 0.0) is None
