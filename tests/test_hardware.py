"""Hardware profiles: lookup, round trip, efficiency curves, validation."""

from __future__ import annotations

import json

import pytest

from dashboard.features.hardware import (
    Curve,
    HardwareError,
    hardware_from_dict,
    hardware_to_dict,
    list_hardware_presets,
    load_hardware,
)

REQUIRED = {
    "a100-80g",
    "a800",
    "h100-sxm",
    "h800",
    "h20",
    "h200",
    "b200",
    "gb200",
    "b300",
    "mi300x",
    "mi325x",
    "mi355x",
    "l40s",
    "rtx-4090",
    "ascend-910b",
}


def test_all_required_presets_load() -> None:
    assert set(list_hardware_presets()) >= REQUIRED
    for slug in list_hardware_presets():
        hw = load_hardware(slug)
        assert hw.peak_flops("bf16") > 1e14 and hw.hbm_bytes_per_s > 5e11


@pytest.mark.parametrize("ref", ["h200", "H200", "H200-SXM", "h200 sxm"])
def test_case_insensitive_slug_and_alias(ref: str) -> None:
    assert load_hardware(ref).slug == "h200"


def test_h200_datasheet_values() -> None:
    """NVIDIA H200 datasheet: 141 GB HBM3e at 4.8 TB/s; dense BF16 989.4 TFLOP/s (1979 with sparsity)."""
    hw = load_hardware("h200")
    assert hw.hbm_bandwidth_gb_s == 4800 and hw.hbm_capacity_gb == 141
    assert hw.peak_flops("bf16") == pytest.approx(989.4e12)
    assert hw.peak_flops("fp8") == pytest.approx(1978.9e12)


def test_fp8_falls_back_to_bf16_on_ampere() -> None:
    hw = load_hardware("a100-80g")
    assert hw.peak_flops("fp8") == hw.peak_flops("bf16")


def test_round_trip_and_path(tmp_path) -> None:
    hw = load_hardware("h100-sxm")
    p = tmp_path / "p.json"
    p.write_text(json.dumps(hardware_to_dict(hw)))
    back = load_hardware(p)
    assert hardware_to_dict(back) == hardware_to_dict(hw)


def test_errors_name_the_problem(tmp_path) -> None:
    with pytest.raises(HardwareError, match="unknown hardware"):
        load_hardware("tpu-v9")
    with pytest.raises(HardwareError, match="not found"):
        load_hardware(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(HardwareError, match="not valid JSON"):
        load_hardware(bad)
    d = hardware_to_dict(load_hardware("h200"))
    d["hbm_bandwidth_gb_s"] = -1
    with pytest.raises(HardwareError, match="hbm_bandwidth_gb_s"):
        hardware_from_dict(d)
    d = hardware_to_dict(load_hardware("h200"))
    d["efficiency"]["memory"] = 7
    with pytest.raises(HardwareError, match=r"efficiency\.memory"):
        hardware_from_dict(d)


def test_curve_log_interpolation_and_clamp() -> None:
    c = Curve(((1.0, 0.2), (4.0, 0.5)))
    assert c(0.5) == 0.2 and c(8.0) == 0.5
    assert c(2.0) == pytest.approx(0.35)  # halfway in log2
    # a rise steeper than the size (0.1 → 0.5 over 1 → 4) would make time fall: η is capped at
    # x·min(η/x) so that x/η never decreases (issue 11): at x = 2, 2 · 0.1/1 = 0.2, not 0.3
    steep = Curve(((1.0, 0.1), (4.0, 0.5)))
    assert steep(2.0) == pytest.approx(0.2) and steep(4.0) == pytest.approx(0.4) and steep(16.0) == 0.5


def test_link_bandwidth_beyond_domain_uses_nic() -> None:
    hw = load_hardware("h200")
    assert hw.link_bytes_per_s(8) == hw.scale_up_gb_s * 1e9
    assert hw.link_bytes_per_s(16) == min(hw.scale_up_gb_s, hw.scale_out_gb_s) * 1e9
