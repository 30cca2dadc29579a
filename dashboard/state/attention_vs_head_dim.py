"""Inputs of the attention-vs-head_dim page (FlashAttention-3 component model)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.flash_attention import COMPONENTS, SWEEP_MODES
from dashboard.state.validate import check_float as _num_in
from dashboard.state.validate import check_int as _int_in

__all__ = ["ATTN_DTYPES", "AttentionInputs"]

ATTN_DTYPES = ("bf16", "fp16", "fp8")


@dataclass(frozen=True)
class AttentionInputs:
    """``sweep_mode``: ``head_dim`` (head count fixed) or ``heads_fixed_hidden`` (H = hidden / d).
    Overrides (``override_<component>``) are the work of that component at ``focus_head_dim``;
    0 means "use the model"."""

    sweep_mode: str = "head_dim"
    head_dims: tuple[int, ...] = (64, 96, 128, 192, 256)
    num_heads: int = 32
    hidden: int = 4096
    gqa_group: int = 4
    batch: int = 1
    seq_len: int = 8192
    prefix_len: int = 0
    causal: bool = True
    block_m: int = 128
    block_n: int = 128
    dtype: str = "bf16"
    overlap: float = 0.2
    clock_mhz: float = 0.0
    fp32_ops_per_clk: int = 128
    focus_head_dim: int = 128
    override_qk_gemm: float = 0.0
    override_softmax_exp: float = 0.0
    override_rescale: float = 0.0
    override_pv_gemm: float = 0.0
    override_tile_loads: float = 0.0

    def __post_init__(self) -> None:
        if self.sweep_mode not in SWEEP_MODES:
            raise ValueError(f"sweep mode must be one of {', '.join(SWEEP_MODES)}")
        if not isinstance(self.head_dims, tuple) or not 1 <= len(self.head_dims) <= 16:
            raise ValueError("give between 1 and 16 head dims")
        for d in self.head_dims:
            _int_in("each head_dim", d, 8, 512)
        _int_in("num_heads", self.num_heads, 1, 1024)
        _int_in("hidden", self.hidden, 64, 65536)
        _int_in("gqa_group", self.gqa_group, 1, 1024)
        _int_in("batch", self.batch, 1, 4096)
        _int_in("seq_len", self.seq_len, 1, 1_048_576)
        _int_in("prefix_len", self.prefix_len, 0, 1_048_576)
        for name in ("block_m", "block_n"):
            v = getattr(self, name)
            _int_in(name, v, 16, 512)
            if v % 16:
                raise ValueError(f"{name} must be a multiple of 16 (tensor-core tile granularity), got {v}")
        if self.dtype not in ATTN_DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(ATTN_DTYPES)}")
        _num_in("overlap φ", self.overlap, 0.0, 1.0)
        _num_in("clock (MHz, 0 = profile)", self.clock_mhz, 0.0, 5000.0)
        _int_in("FP32 ops/clk/SM", self.fp32_ops_per_clk, 1, 4096)
        _int_in("focus head_dim", self.focus_head_dim, 8, 512)
        for c in COMPONENTS:
            _num_in(f"override for {c}", getattr(self, f"override_{c}"), 0.0, 1e24)

    @property
    def kv_len(self) -> int:
        return self.seq_len + self.prefix_len

    def overrides(self) -> dict[str, float]:
        return {c: float(getattr(self, f"override_{c}")) for c in COMPONENTS if getattr(self, f"override_{c}") > 0}
