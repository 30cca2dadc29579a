"""Data checks for the hardware preset JSON files in dashboard/data/hardware.

Stdlib + pytest only; deliberately does not import the dashboard package so the
data can be validated independently of the loader code.
"""

import json
import math
from pathlib import Path

import pytest

HARDWARE_DIR = Path(__file__).resolve().parents[1] / "dashboard" / "data" / "hardware"

EXPECTED_SLUGS = {
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

TOP_LEVEL_KEYS = {
    "slug",
    "name",
    "aliases",
    "vendor",
    "architecture",
    "form_factor",
    "peak_tflops",
    "hbm_capacity_gb",
    "hbm_bandwidth_gb_s",
    "l2_cache_mb",
    "sm_count",
    "boost_clock_mhz",
    "scale_up",
    "scale_out_gb_s",
    "pcie",
    "c2c_gb_s",
    "host_ddr_gb_s",
    "tdp_w",
    "sources",
    "notes",
}
PRECISIONS = {"tf32", "bf16", "fp16", "fp8", "int8", "fp4"}
SCALE_UP_KEYS = {"name", "bandwidth_gb_s", "domain_size"}
PCIE_KEYS = {"gen", "lanes", "bandwidth_gb_s"}
MICROARCH_KEYS = {
    "tensor_flops_per_clk_per_sm",
    "sfu_ops_per_clk_per_sm",
    "smem_kb_per_sm",
    "smem_bytes_per_clk_per_sm",
    "register_file_kb_per_sm",
}
SOURCE_KEYS = {
    "peak_tflops",
    "hbm",
    "l2_cache_mb",
    "sm_count",
    "boost_clock_mhz",
    "scale_up",
    "scale_out_gb_s",
    "pcie",
    "host_ddr_gb_s",
    "tdp_w",
}
# Numbers that must always be present (never null).
REQUIRED_NUMBERS = [
    "hbm_capacity_gb",
    "hbm_bandwidth_gb_s",
    "l2_cache_mb",
    "sm_count",
    "boost_clock_mhz",
    "scale_out_gb_s",
    "host_ddr_gb_s",
    "tdp_w",
]


def _files():
    # Files starting with "_" (e.g. shared defaults) are not device presets.
    return sorted(p for p in HARDWARE_DIR.glob("*.json") if not p.name.startswith("_"))


def _load(path):
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _presets():
    return {p.stem: _load(p) for p in _files()}


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _walk_numbers(obj, path=""):
    """Yield (path, value) for every non-string scalar leaf except inside sources/notes."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if path == "" and k in ("sources", "notes"):
                continue
            yield from _walk_numbers(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_numbers(v, f"{path}[{i}]")
    elif not isinstance(obj, str):
        yield path, obj


def test_expected_files_present():
    assert {p.stem for p in _files()} == EXPECTED_SLUGS


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_schema(path):
    d = _load(path)
    missing = TOP_LEVEL_KEYS - d.keys()
    assert not missing, f"{path.name} missing keys {missing}"
    assert d["slug"] == path.stem
    for key in ("name", "vendor", "architecture", "form_factor", "notes"):
        assert isinstance(d[key], str) and d[key].strip(), key
    assert isinstance(d["aliases"], list) and d["aliases"]
    assert all(isinstance(a, str) and a.strip() for a in d["aliases"])

    assert set(d["peak_tflops"]) == PRECISIONS
    assert _is_number(d["peak_tflops"]["bf16"]), "every preset needs a bf16 peak"
    assert set(d["scale_up"]) >= SCALE_UP_KEYS
    assert isinstance(d["scale_up"]["name"], str)
    assert isinstance(d["scale_up"]["domain_size"], int) and d["scale_up"]["domain_size"] >= 1
    assert set(d["pcie"]) >= PCIE_KEYS
    assert isinstance(d["pcie"]["gen"], int) and isinstance(d["pcie"]["lanes"], int)

    for key in REQUIRED_NUMBERS:
        assert _is_number(d[key]), f"{key} must be a number"
    assert d["c2c_gb_s"] is None or _is_number(d["c2c_gb_s"])

    if "microarch" in d:
        m = d["microarch"]
        assert m.keys() >= MICROARCH_KEYS
        assert isinstance(m["tensor_flops_per_clk_per_sm"], dict) and m["tensor_flops_per_clk_per_sm"]
        assert set(m["tensor_flops_per_clk_per_sm"]) <= PRECISIONS

    assert d["sources"].keys() >= SOURCE_KEYS
    for k, v in d["sources"].items():
        assert isinstance(v, str) and v.strip(), f"empty source for {k}"
    if "microarch" in d:
        assert d["sources"].get("microarch", "").strip()


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_numbers_positive_or_null(path):
    d = _load(path)
    for where, value in _walk_numbers(d):
        if value is None:
            continue
        assert _is_number(value), f"{path.name}:{where} is not a number: {value!r}"
        assert value > 0, f"{path.name}:{where} must be positive, got {value}"


@pytest.mark.parametrize("vendor", ["NVIDIA"])
def test_nvidia_presets_have_microarch(vendor):
    for slug, d in _presets().items():
        if d["vendor"] == vendor:
            assert "microarch" in d, slug
            m = d["microarch"]
            for key in (
                "sfu_ops_per_clk_per_sm",
                "smem_kb_per_sm",
                "smem_bytes_per_clk_per_sm",
                "register_file_kb_per_sm",
            ):
                assert _is_number(m[key]), f"{slug}.microarch.{key}"
            assert _is_number(m["tensor_flops_per_clk_per_sm"].get("bf16")), slug


def test_aliases_unique_across_files():
    presets = _presets()
    owner = {}
    for slug in presets:
        owner[slug.lower()] = slug
    for slug, d in presets.items():
        seen_here = set()
        for alias in d["aliases"]:
            a = alias.strip().lower()
            assert a not in seen_here, f"duplicate alias {alias!r} within {slug}"
            seen_here.add(a)
            assert owner.get(a, slug) == slug, f"alias {alias!r} of {slug} clashes with {owner.get(a)}"
            owner[a] = slug


def test_dense_ordering_sanity():
    # fp8 >= bf16 >= tf32 wherever defined (dense datasheet figures).
    for slug, d in _presets().items():
        p = d["peak_tflops"]
        if p["fp8"] is not None:
            assert p["fp8"] >= p["bf16"], slug
        if p["tf32"] is not None:
            assert p["bf16"] >= p["tf32"], slug
        if p["fp4"] is not None:
            assert p["fp4"] >= p["bf16"], slug


# Headline values pinned to their datasheets (dense, no sparsity).
PINNED = [
    # NVIDIA H200 product page + Hopper whitepaper: 1,979 TF BF16 "with sparsity" -> 989.4 dense.
    ("h200", ("peak_tflops", "bf16"), 989.4),
    # NVIDIA H200 product page: 4.8 TB/s HBM3e.
    ("h200", ("hbm_bandwidth_gb_s",), 4800),
    # NVIDIA H200 product page: 141 GB HBM3e.
    ("h200", ("hbm_capacity_gb",), 141),
    # NVIDIA H100 datasheet: H100 SXM 3.35 TB/s HBM3.
    ("h100-sxm", ("hbm_bandwidth_gb_s",), 3350),
    # Hopper whitepaper: H100 SXM5 dense BF16 989.4 TF (132 SMs x 4096 x 1.83 GHz).
    ("h100-sxm", ("peak_tflops", "bf16"), 989.4),
    # AMD Instinct MI300X datasheet: 1,307.4 TF dense BF16, 5.3 TB/s HBM3.
    ("mi300x", ("peak_tflops", "bf16"), 1307.4),
    ("mi300x", ("hbm_bandwidth_gb_s",), 5300),
    # NVIDIA DGX/HGX B200: 8 TB/s HBM3e per GPU.
    ("b200", ("hbm_bandwidth_gb_s",), 8000),
    # NVIDIA A100 datasheet: 312 TF BF16 dense, 2,039 GB/s on A100 80GB SXM.
    ("a100-80g", ("peak_tflops", "bf16"), 312),
    ("a100-80g", ("hbm_bandwidth_gb_s",), 2039),
]


@pytest.mark.parametrize("slug,keys,expected", PINNED, ids=lambda v: str(v))
def test_pinned_headline_values(slug, keys, expected):
    value = _load(HARDWARE_DIR / f"{slug}.json")
    for k in keys:
        value = value[k]
    assert value == pytest.approx(expected, rel=0.005)


def test_export_variants_only_differ_in_nvlink():
    presets = _presets()
    for base, variant in (("a100-80g", "a800"), ("h100-sxm", "h800")):
        b, v = presets[base], presets[variant]
        assert v["peak_tflops"] == b["peak_tflops"]
        assert v["hbm_bandwidth_gb_s"] == b["hbm_bandwidth_gb_s"]
        # 400 GB/s bidirectional NVLink -> 200 GB/s per direction.
        assert v["scale_up"]["bandwidth_gb_s"] == pytest.approx(200)
        assert v["scale_up"]["bandwidth_gb_s"] < b["scale_up"]["bandwidth_gb_s"]
