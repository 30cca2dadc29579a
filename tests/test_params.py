"""Parameters declared once (issue 17 §1): the declaration validates, and the page state, widget
bounds, URL parsing, CLI flags and JSON description all derive from it."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

import pytest

from dashboard.features.params import (
    add_arguments,
    coerce_param,
    describe,
    from_namespace,
    like,
    param,
    param_specs,
    validate_params,
    widget_bounds,
)
from dashboard.sim.workload import WorkloadConfig
from dashboard.sim_scheduler import SchedulerConfig
from dashboard.state.vllm_simulator_dashboard import SimulatorInputs


@dataclass(frozen=True)
class Knobs:
    rate: float = param(2.0, lo=0.0, open_lo=True, hi=100.0, unit="req/s", label="Request rate")
    batch: int = param(8, lo=1, hi=512, unit="sequences", label="Batch", help="sequences per step")
    hit: float = param(0.0, lo=0.0, hi=1.0, open_hi=True, unit="fraction")
    policy: str = param("fcfs", choices=("fcfs", "sjf"), label="Policy")
    sizes: tuple[int, ...] = param((1, 2), lo=1, hi=64, max_items=3)
    blocks: int | None = param(None, lo=1, hi=1000)
    fast: bool = False

    def __post_init__(self) -> None:
        validate_params(self)


def test_validation_names_the_field_and_the_bound() -> None:
    Knobs()
    with pytest.raises(ValueError, match=r"^rate must be a finite number in \(0, 100\] \(req/s\), got 0\.0$"):
        Knobs(rate=0.0)
    with pytest.raises(ValueError, match=r"^batch must be an integer in \[1, 512\] \(sequences\), got 1\.5$"):
        Knobs(batch=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch must be an integer"):
        Knobs(batch=True)
    with pytest.raises(ValueError, match=r"hit must be a finite number in \[0, 1\)"):
        Knobs(hit=1.0)
    with pytest.raises(ValueError, match="rate must be a finite number"):
        Knobs(rate=float("nan"))
    with pytest.raises(ValueError, match="policy must be one of fcfs, sjf, got 'lifo'"):
        Knobs(policy="lifo")
    with pytest.raises(ValueError, match="sizes needs 1 to 3 values"):
        Knobs(sizes=(1, 2, 3, 4))
    with pytest.raises(ValueError, match="sizes must be an integer in"):
        Knobs(sizes=(0,))
    Knobs(blocks=None)
    with pytest.raises(ValueError, match="blocks must be an integer"):
        Knobs(blocks=0)


def test_widget_bounds_follow_the_declaration() -> None:
    assert widget_bounds(Knobs, "batch") == {"min_value": 1, "max_value": 512, "step": 1}
    # open bounds: one step inside
    assert widget_bounds(Knobs, "hit", 0.01) == {"min_value": 0.0, "max_value": 0.99}
    assert widget_bounds(Knobs, "rate", 0.5) == {"min_value": 0.5, "max_value": 100.0}
    assert widget_bounds(Knobs, "fast") == {}


def test_text_is_parsed_to_the_declared_type_and_checked() -> None:
    assert coerce_param(Knobs, "batch", " 16 ") == 16
    assert coerce_param(Knobs, "rate", "2.5") == 2.5
    assert coerce_param(Knobs, "sizes", "1, 4,8") == (1, 4, 8)
    assert coerce_param(Knobs, "blocks", "none") is None
    assert coerce_param(Knobs, "policy", "sjf") == "sjf"
    with pytest.raises(ValueError, match=r"batch must be int, got '1\.5'"):
        coerce_param(Knobs, "batch", "1.5")
    with pytest.raises(ValueError, match=r"batch must be an integer in \[1, 512\]"):
        coerce_param(Knobs, "batch", "9999")
    with pytest.raises(ValueError, match="too long"):
        coerce_param(Knobs, "policy", "x" * 600)


def test_cli_flags_from_the_declaration() -> None:
    p = argparse.ArgumentParser(exit_on_error=False)
    add_arguments(p, Knobs, defaults=("rate",), suffix="(default: the preset's)")
    ns = p.parse_args(["--batch", "32", "--sizes", "2,4"])
    assert ns.rate == 2.0 and ns.batch == 32 and ns.sizes == (2, 4) and ns.blocks is None
    assert not hasattr(ns, "fast")  # undeclared fields get no flag
    assert from_namespace(ns, Knobs) == {"rate": 2.0, "batch": 32, "sizes": (2, 4)}
    assert Knobs(**from_namespace(ns, Knobs)).batch == 32
    text = p.format_help()
    assert "Batch (sequences) [1, 512] — sequences per step (default: the preset's)" in " ".join(text.split())
    with pytest.raises(argparse.ArgumentError, match="batch must be an integer in"):
        p.parse_args(["--batch", "0"])


def test_json_description() -> None:
    d = describe(Knobs(batch=4))
    assert d["batch"] == {"value": 4, "unit": "sequences", "bounds": "[1, 512]", "label": "Batch"}
    assert d["hit"]["bounds"] == "[0, 1)" and "fast" not in d


def test_page_state_refers_to_the_domain_declaration() -> None:
    dom, page = param_specs(SchedulerConfig), param_specs(SimulatorInputs)
    # the bound the issue found disagreeing: one declaration, the same on the page
    assert page["prefix_cache_hit"] == dom["prefix_cache_hit"]
    assert SimulatorInputs(prefix_cache_hit=0.995).prefix_cache_hit == 0.995
    with pytest.raises(ValueError, match=r"prefix_cache_hit must be a finite number in \[0, 1\)"):
        SimulatorInputs(prefix_cache_hit=1.0)
    with pytest.raises(ValueError, match=r"prefix_cache_hit must be a finite number in \[0, 1\)"):
        SchedulerConfig(prefix_cache_hit=1.0)
    # narrowed only where the page says so; unit, label and help come along
    assert page["max_num_seqs"].hi == 4096 and dom["max_num_seqs"].hi == 65_536
    assert page["max_num_seqs"].label == dom["max_num_seqs"].label == "Max running sequences"
    assert page["input_len"].unit == param_specs(WorkloadConfig)["input_len"].unit == "tokens"
    defaults = {f.name: f.default for f in fields(SimulatorInputs)}
    assert defaults["max_num_seqs"] == SchedulerConfig().max_num_seqs
    assert defaults["input_len"] == WorkloadConfig().input_len


def test_integer_fields_refuse_fractions_everywhere() -> None:
    from dashboard.llm_chunked_prefill_decoder_scaleup import ScaleUpInputs

    for cls in (ScaleUpInputs, SimulatorInputs):
        with pytest.raises(ValueError, match="input_len must be an integer"):
            cls(input_len=1.5)
    with pytest.raises(ValueError, match="input_len must be an integer"):
        WorkloadConfig(input_len=1.5)  # type: ignore[arg-type]


def test_like_narrows_without_repeating() -> None:
    @dataclass(frozen=True)
    class Page:
        batch: int = like(Knobs, "batch", hi=64)

        def __post_init__(self) -> None:
            validate_params(self)

    assert Page().batch == 8 and param_specs(Page)["batch"].unit == "sequences"
    with pytest.raises(ValueError, match=r"\[1, 64\]"):
        Page(batch=65)


def test_json_downloads_carry_the_declarations() -> None:
    import json
    from types import SimpleNamespace

    from dashboard.components.outputs import json_download

    got: dict = {}

    class St:
        def download_button(self, label, data, **kw):
            got["data"] = data

    ctx = SimpleNamespace(st=St(), lang="en")
    json_download(ctx, {"inputs": SimulatorInputs(max_num_seqs=64), "outputs": {"x": 1}}, key="k", file_name="f.json")
    data = got["data"]
    doc = json.loads(data() if callable(data) else data)  # deferred download (built on click)
    assert doc["parameters"]["max_num_seqs"] == {
        "value": 64,
        "unit": "sequences",
        "bounds": "[1, 4096]",
        "label": "Max running sequences",
    }
    assert doc["inputs"]["max_num_seqs"] == 64 and doc["outputs"] == {"x": 1}


def test_build_from_takes_the_same_named_fields() -> None:
    """A page state's ``like``d fields build the domain object without listing them again."""
    from dashboard.features.offload import HostLinkConfig
    from dashboard.features.params import build_from
    from dashboard.state.experts_calculation import ExpertsInputs
    from dashboard.state.host_bandwidth import HostBandwidthInputs

    hb = HostBandwidthInputs(link_gb_s=64, pinned=False, full_duplex=False, gpus_per_socket=2)
    cfg = hb.link_config()
    assert cfg == HostLinkConfig(link_gb_s=64.0, pinned=False, full_duplex=False, gpus_per_socket=2)
    assert type(cfg.link_gb_s) is float
    ex = ExpertsInputs(ddr_gb_s=200.0)  # no full_duplex on the experts page: the domain default
    assert ex.link_config() == HostLinkConfig(ddr_gb_s=200.0)
    assert build_from(HostLinkConfig, hb, link="pcie").link == "pcie"
