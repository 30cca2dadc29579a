"""Inputs of the attention-vs-head_dim page (FlashAttention-3 component model). The request shape
refers to ``RequestShape`` (``like``); the kernel knobs are page-only (``param``: their one declaration)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.flash_attention import COMPONENTS, SWEEP_MODES, AttentionShape
from dashboard.features.hardware import SpecEdits
from dashboard.features.params import like, param, param_specs, validate_params
from dashboard.features.request import RequestShape
from dashboard.state.spec_edits import check_spec_edits

__all__ = ["ATTN_DTYPES", "AttentionInputs"]

ATTN_DTYPES: tuple[str, ...] = param_specs(AttentionShape)["dtype"].choices or ()  # declared once
_TOKENS = 1_048_576


@dataclass(frozen=True)
class AttentionInputs:
    """``sweep_mode``: ``head_dim`` (head count fixed) or ``heads_fixed_hidden`` (H = hidden / d).
    Overrides (``override_<component>``) are the work of that component at ``focus_head_dim``;
    0 means "use the model"."""

    sweep_mode: str = param("head_dim", choices=SWEEP_MODES, label="Sweep mode")
    # the page sweeps head dims 8 … 512 (AttentionShape accepts 1 … 1024)
    head_dims: tuple[int, ...] = like(
        AttentionShape, "head_dim", (64, 96, 128, 192, 256), lo=8, hi=512, max_items=16, label="Head dims"
    )
    num_heads: int = like(AttentionShape, "q_heads", 32)
    hidden: int = param(4096, lo=64, hi=65536, label="Hidden size")
    gqa_group: int = param(4, lo=1, hi=1024, unit="query heads per KV head", label="GQA group")
    # the request shape refers to its declaration; the page narrows it to what one kernel sweep shows
    batch: int = like(RequestShape, "batch", hi=4096)
    seq_len: int = like(RequestShape, "input_len", 8192, hi=_TOKENS, label="Sequence length")
    prefix_len: int = like(RequestShape, "context", 0, lo=0, hi=_TOKENS, label="Cached prefix")
    causal: bool = like(AttentionShape, "causal")
    # the page's FA3 tiles: multiples of 16, at most 512 (AttentionShape accepts 1 … 1024)
    block_m: int = like(AttentionShape, "block_m", lo=16, hi=512, label="Tile M", help="a multiple of 16")
    block_n: int = like(AttentionShape, "block_n", lo=16, hi=512, label="Tile N", help="a multiple of 16")
    dtype: str = like(AttentionShape, "dtype", label="Format")
    overlap: float = param(0.2, lo=0.0, hi=1.0, label="Overlap φ", help="share of softmax hidden under the GEMMs")
    # 0 = "not set yet" (from the hardware profile); the page offers clocks up to 5 GHz
    clock_mhz: float = like(
        SpecEdits, "boost_clock_mhz", 0.0, lo=0.0, hi=5000.0, optional=False, label="Clock", help="0 = hardware profile"
    )
    fp32_ops_per_clk: int = param(128, lo=1, hi=4096, unit="ops/clk/SM", label="FP32 ops per clock")
    focus_head_dim: int = like(AttentionShape, "head_dim", 128, lo=8, hi=512, label="Focus head_dim")
    override_qk_gemm: float = param(
        0.0,
        lo=0.0,
        hi=1e24,
        unit="component work at focus_head_dim",
        help="0 = use the model",
        label="Override QKᵀ GEMM",
    )
    override_softmax_exp: float = param(
        0.0,
        lo=0.0,
        hi=1e24,
        unit="component work at focus_head_dim",
        help="0 = use the model",
        label="Override softmax exp",
    )
    override_rescale: float = param(
        0.0,
        lo=0.0,
        hi=1e24,
        unit="component work at focus_head_dim",
        help="0 = use the model",
        label="Override rescale",
    )
    override_pv_gemm: float = param(
        0.0,
        lo=0.0,
        hi=1e24,
        unit="component work at focus_head_dim",
        help="0 = use the model",
        label="Override PV GEMM",
    )
    override_tile_loads: float = param(
        0.0,
        lo=0.0,
        hi=1e24,
        unit="component work at focus_head_dim",
        help="0 = use the model",
        label="Override tile loads",
    )

    def __post_init__(self) -> None:
        validate_params(self)
        check_spec_edits(self, {"clock_mhz": "boost_clock_mhz"})
        for name in ("block_m", "block_n"):
            v = getattr(self, name)
            if v % 16:
                raise ValueError(f"{name} must be a multiple of 16 (tensor-core tile granularity), got {v}")

    @property
    def kv_len(self) -> int:
        return self.seq_len + self.prefix_len

    def overrides(self) -> dict[str, float]:
        return {c: float(getattr(self, f"override_{c}")) for c in COMPONENTS if getattr(self, f"override_{c}") > 0}
