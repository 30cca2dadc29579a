"""The page registry: one list that ``app.py`` feeds to ``st.navigation`` and the tests
parametrise over. Importing this module has no side effects (no Streamlit calls)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DASHBOARD_DIR", "PAGE_SPECS", "PageSpec", "all_page_specs"]

DASHBOARD_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PageSpec:
    """A standalone page file ``dashboard/<file>.py`` and where it sits in the navigation."""

    file: str
    title: str
    url_path: str
    section: str
    icon: str = ":material/analytics:"
    default: bool = False

    @property
    def path(self) -> Path:
        return DASHBOARD_DIR / f"{self.file}.py"


_ALL: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", "overview", "Start", ":material/home:", default=True),
    PageSpec("quick_estimation", "Quick estimation", "quick_estimation", "Estimate", ":material/speed:"),
    PageSpec("quick_memory", "Quick memory", "quick_memory", "Estimate", ":material/memory:"),
    PageSpec(
        "custom_runtime_planner", "Custom runtime planner", "custom_runtime_planner", "Estimate", ":material/calculate:"
    ),
    PageSpec(
        "multi_model_dashboard", "Multi-model comparison", "multi_model_dashboard", "Estimate", ":material/compare:"
    ),
    PageSpec("inferencemax", "InferenceMAX scenario", "inferencemax", "Estimate", ":material/stacked_bar_chart:"),
    PageSpec("inferencemax_v2", "InferenceMAX scenarios", "inferencemax_v2", "Estimate", ":material/table_chart:"),
    PageSpec(
        "attention_vs_head_dim", "Attention vs head_dim", "attention_vs_head_dim", "Kernels", ":material/grid_on:"
    ),
    PageSpec("mma_modeler_app", "MMA / GEMM tile modeler", "mma_modeler_app", "Kernels", ":material/grid_view:"),
    PageSpec(
        "vllm_simulator_dashboard",
        "vLLM scheduler simulator",
        "vllm_simulator_dashboard",
        "Serving",
        ":material/schedule:",
    ),
    PageSpec(
        "scale_up_sweep_with_sim", "Simulator sweep", "scale_up_sweep_with_sim", "Serving", ":material/ssid_chart:"
    ),
    PageSpec(
        "llm_chunked_prefill_decoder_scaleup",
        "Chunked-prefill scale-up",
        "llm_chunked_prefill_decoder_scaleup",
        "Serving",
        ":material/trending_up:",
    ),
    PageSpec("scale_up_search", "SLA search", "scale_up_search", "Serving", ":material/search:"),
    PageSpec(
        "scale_up_search_pd_disaggregate",
        "SLA search (PD disaggregated)",
        "scale_up_search_pd_disaggregate",
        "Serving",
        ":material/call_split:",
    ),
    PageSpec("planner", "Capacity planner", "planner", "Serving", ":material/shopping_cart:"),
    PageSpec("frontier", "Throughput frontier", "frontier", "Serving", ":material/show_chart:"),
    PageSpec("host_bandwidth", "Host bandwidth", "host_bandwidth", "Offload", ":material/swap_horiz:"),
    PageSpec("experts_calculation", "MoE expert offload", "experts_calculation", "Offload", ":material/hub:"),
    PageSpec("regression_calibration", "Calibration", "regression_calibration", "Calibrate", ":material/tune:"),
    PageSpec(
        "example_latency_inspector",
        "Example / Latency Inspector",
        "example_latency_inspector",
        "Examples",
        ":material/science:",
    ),
)


def all_page_specs() -> tuple[PageSpec, ...]:
    """Every planned page, whether or not its file exists yet."""
    return _ALL


#: The pages that exist; app.py and the tests use this list.
PAGE_SPECS: tuple[PageSpec, ...] = tuple(p for p in _ALL if p.path.exists())
