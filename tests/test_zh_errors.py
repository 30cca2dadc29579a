"""Chinese for what pages show from the domain layer (issue 14 §4): service and validation error
messages (raised for real, then localized), option values, table headers, channel and profile
labels, and figure builders called with ``lang="zh"`` for figures the default page states do not
draw."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.common import plots_calibration, plots_kernels, plots_offload, plots_search, plots_sim
from dashboard.common.i18n import catalogue, localize_error, option_label, tr
from dashboard.common.labels import channel_label, profile_name
from dashboard.common.strings import errors
from dashboard.components.outputs import column_label, localized_columns
from dashboard.features.offload import LayerSlot
from dashboard.state.quick_estimation import QuickEstimationInputs
from dashboard.state.validate import parse_int_list

sys.path.insert(0, str(Path(__file__).parent))
from zh_scan import english_words, figure_texts


def _raised(fn, *args) -> str:
    with pytest.raises(ValueError) as e:
        fn(*args)
    return str(e.value)


def test_validation_errors_in_chinese() -> None:
    msg = _raised(lambda: QuickEstimationInputs(batch=0))  # a declared parameter out of its bounds
    assert localize_error(msg, "zh") == "batch 须为 [1, 65536] 内的整数（sequences），当前为 0", msg
    assert localize_error(msg, "en") == msg  # English (and the CLI) unchanged
    msg = _raised(lambda: QuickEstimationInputs(overlap=2.0))
    assert localize_error(msg, "zh").startswith("overlap 须为 [0, 1] 内的有限数"), msg
    assert localize_error(_raised(parse_int_list, "1, x"), "zh") == "'x' 不是数字"


def test_simulator_error_in_chinese() -> None:
    from dashboard.sim_scheduler import SchedulerConfig

    msg = _raised(lambda: SchedulerConfig(max_num_batched_tokens=8, max_num_seqs=64))
    zh = localize_error(msg, "zh")
    assert zh == "max_num_batched_tokens（8）须 ≥ max_num_seqs（64），这是 vLLM 的要求", zh
    # the error parameter of every page's message goes through the same mapping
    assert "须 ≥" in tr("common.invalid_input", "zh", error=ValueError(msg))


def test_layout_and_work_limit_errors_in_chinese() -> None:
    from dashboard.features.parallel import ParallelConfig, validate_parallel
    from dashboard.features.presets import load_model

    msg = _raised(lambda: validate_parallel(load_model("llama-3.1-8b"), ParallelConfig(tp=3)))
    assert localize_error(msg, "zh") == "tp=3 不能整除 num_attention_heads=32", msg
    # a name in front of a known message keeps the name
    assert localize_error("hardware: " + msg, "zh") == "hardware：tp=3 不能整除 num_attention_heads=32"


def test_unknown_preset_in_chinese() -> None:
    from dashboard.features.hardware import load_hardware

    with pytest.raises(ValueError) as e:
        load_hardware("no-such-gpu")
    zh = localize_error(str(e.value), "zh")
    assert zh.startswith("未知的硬件 'no-such-gpu'；可选预设：") and "h200" in zh, zh


def test_unknown_message_kept_and_patterns_have_both_languages() -> None:
    assert localize_error("something new happened", "zh") == "something new happened"
    cat = catalogue()
    for _pattern, key in errors.PATTERNS:
        assert cat[key]["zh"] and cat[key]["en"], key
        assert not english_words(cat[key]["zh"]), key


def test_option_and_column_labels() -> None:
    assert option_label("lognormal", "zh") == "对数正态"
    assert option_label("lognormal", "en") == "lognormal"
    assert option_label("round_robin", "zh") == "round_robin"  # identifiers without an entry stay
    assert column_label("hardware", "zh") == "硬件"
    df = localized_columns(pd.DataFrame({"phase": [1], "time_ms": [2]}), "zh")
    assert list(df.columns) == ["阶段", "time_ms"]


def test_table_cells_in_chinese() -> None:
    df = pd.DataFrame(
        {
            "bound": ["compute", "memory", None],
            "reason": [
                "TTFT 812.3 ms > 500 ms; TPOT 61.20 ms > 50 ms",
                "layout: x",
                "OOM: KV cache holds 440 sequences of 2048 tokens < concurrency 512",
            ],
            "series": ["h200 · vllm · native", "b200 · sglang · fp8", "h20 · trtllm · bf16"],
            "reasons": [["ttft"], [], ["oom"]],  # unhashable cells pass through
        }
    )
    zh = localized_columns(df, "zh")
    assert list(zh["受限类型"][:2]) == ["计算", "访存"]
    assert zh["原因"][0] == "TTFT 812.3 ms > 500 ms；TPOT 61.20 ms > 50 ms"
    assert zh["原因"][2] == "显存不足：KV 缓存只能容纳 440 条 2048 token 的序列，少于并发 512"
    assert zh["曲线"][0] == "h200 · vllm · 原生格式"
    assert df["bound"][0] == "compute"  # the frame (and its CSV) keeps the identifiers
    assert localized_columns(df, "en") is df


def test_channel_and_profile_labels() -> None:
    assert channel_label("host DDR (1/4 socket)", "zh") == "主机 DDR（1/4 插槽）"
    assert channel_label("host DDR (1/4 socket)", "en") == "host DDR (1/4 socket)"
    assert channel_label("PCIe", "zh") == "PCIe"
    assert profile_name("NVIDIA H200 SXM (calibrated, curves)", "zh") == "NVIDIA H200 SXM（已校准，方法 `curves`）"


def _english(fig) -> list[str]:
    return [f"{k}: {t}" for k, t in figure_texts(fig.to_dict()) if english_words(t)]


def test_figure_builders_in_chinese() -> None:
    slots = [LayerSlot(i, True, 0.001 * i, 0.001 * i + 0.0005, 0.001 * i, 0.001 * (i + 1), 0.0002) for i in range(3)]
    figs = [
        plots_offload.layer_timeline(slots, lang="zh"),
        plots_offload.residency_curve([8, 16, 32], [30.0, 20.0, 10.0], 25.0, 16, 9.0, lang="zh"),
        plots_offload.window_curve([1.0, 10.0], [2.0, 20.0], 5.0, lang="zh"),
        *plots_offload.throughput_curves([1, 8], [10.0, 80.0], [9.0, 40.0], [5.0, 60.0], 50.0, "PCIe", lang="zh"),
        plots_kernels.gemm_levels_chart([1024, 2048], {"寄存器": [0.5, 0.6]}, xaxis="M", title="t", lang="zh"),
        plots_kernels.measured_vs_model_chart({"cudnn": ([100.0], [110.0])}, lang="zh"),
        plots_sim.latency_cdf({"TTFT": [1.0, 2.0]}, lang="zh"),
        plots_search.pareto_chart({}, {}, lang="zh"),
        plots_calibration.residual_plot(
            [{"phase": "decode", "latency_ms": 1.0, "predicted_ms": 1.1, "rel_error": 0.1, "loo_rel_error": 0.2}],
            lang="zh",
            show_baseline=False,
        ),
    ]
    bad = [line for fig in figs for line in _english(fig)]
    assert not bad, bad
    # the same builders keep their English for lang="en"
    en = figure_texts(plots_offload.window_curve([1.0, 10.0], [2.0, 20.0], 5.0).to_dict())
    assert ("figure.title", "Experts loadable per window") in en
