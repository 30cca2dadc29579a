"""Native checkpoint formats: which numeric format each module of a published checkpoint ships in.

A preset opens at the format its checkpoint is published in, read from the Hugging Face
``quantization_config`` (parsed into :attr:`ModelProfile.weights_dtype` and
:attr:`ModelProfile.unquantized_modules`):

* ``quant_method: fp8`` with ``weight_block_size: [128, 128]`` (DeepSeek-V3/R1): every linear layer
  (attention projections, dense MLP, shared and routed experts) in fp8 e4m3 with one fp32 scale per
  128×128 block (4/16384 extra bytes per weight, below the model's resolution, so counted as 1 byte);
  ``activation_scheme: dynamic`` = activations quantised to fp8 per token-group at run time, so the
  GEMMs run at the fp8 tensor-core rate (W8A8). Embeddings, lm_head, norms and the router stay
  bf16. Source: ``deepseek-ai/DeepSeek-V3`` ``config.json`` and its README ("FP8 weights … 128×128
  block scaling").
* ``quant_method: mxfp4`` (gpt-oss): the MoE expert weights in MXFP4 (4-bit e2m1 + one e8m0 scale per
  32 values = 4.25 bits), ``modules_to_not_convert`` lists ``self_attn``, ``router``, ``embed_tokens``
  and ``lm_head``, which stay bf16. Activations are bf16 on Hopper (weight-only dequantisation in
  the MoE kernel, bf16 tensor-core rate). Source: ``openai/gpt-oss-120b`` ``config.json`` and the
  gpt-oss model card ("MXFP4 quantization of the MoE weights").
* AWQ/GPTQ 4-bit: linear layers int4 (group 128), activations bf16.
* Anything else: bf16 everywhere.

The result is an ordinary :class:`~dashboard.features.parallel.Dtypes` with a per-module attention
format, so the cost model and the memory model read it like any user choice; the UI shows it and
lets the user override it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.features.model_profile import ModelProfile
from dashboard.features.parallel import Dtypes
from dashboard.features.params import like, param_specs, validate_params

__all__ = ["NATIVE", "NativeFormat", "RunFormats", "native_dtypes", "native_format"]

#: the format choice "the checkpoint's own" (resolved by :func:`native_format`)
NATIVE = "native"
_DTYPES = param_specs(Dtypes)


@dataclass(frozen=True)
class RunFormats:
    """Weight and activation formats as a user picks them (``modeling --weight-dtype`` /
    ``--activation-dtype``): one of :class:`Dtypes`' declared formats, or ``native`` (the default),
    the checkpoint's own per-module formats (:func:`native_format`)."""

    weight_dtype: str = like(
        Dtypes,
        "weight",
        NATIVE,
        choices=(NATIVE, *(_DTYPES["weight"].choices or ())),
        help="native = the checkpoint's format (default)",
    )
    activation_dtype: str = like(
        Dtypes,
        "activation",
        NATIVE,
        choices=(NATIVE, *(_DTYPES["activation"].choices or ())),
        help="native = the checkpoint's run format",
    )

    def __post_init__(self) -> None:
        validate_params(self)


_ATTENTION_PATTERNS = ("self_attn", "attn", "attention")


@dataclass(frozen=True)
class NativeFormat:
    """Per-module formats of a checkpoint: linear weights of the MLP/experts (``weight``), the
    attention projections (``attention``), run-time activations and a short description."""

    weight: str
    attention: str
    activation: str
    label: str

    def dtypes(self, kv: str = "bf16") -> Dtypes:
        """The :class:`Dtypes` of this format with KV cache ``kv`` (vLLM's ``auto`` = bf16)."""
        return Dtypes(
            weight=self.weight,
            activation=self.activation,
            kv=kv,
            attention_weight=None if self.attention == self.weight else self.attention,
        )

    def as_dict(self) -> dict[str, str]:
        return {"weight": self.weight, "attention": self.attention, "activation": self.activation, "label": self.label}


def _attention_unquantized(model: ModelProfile) -> bool:
    return any(p in m for m in model.unquantized_modules for p in _ATTENTION_PATTERNS)


def native_format(model: ModelProfile) -> NativeFormat:
    """The checkpoint's own per-module formats (see the module docstring)."""
    w = model.weights_dtype
    if w == "fp8":
        attn = "bf16" if _attention_unquantized(model) else "fp8"
        return NativeFormat(
            "fp8", attn, "fp8", "fp8 e4m3 block-scaled linears (W8A8); bf16 embeddings, lm_head, norms, router"
        )
    if w == "mxfp4":
        attn = "bf16" if (_attention_unquantized(model) or not model.unquantized_modules) else "mxfp4"
        return NativeFormat("mxfp4", attn, "bf16", f"MXFP4 experts, {attn} attention; bf16 embeddings, lm_head, router")
    if w == "int4":
        return NativeFormat("int4", "int4", "bf16", "int4 (group 128) linears, bf16 activations")
    return NativeFormat("bf16", "bf16", "bf16", "bf16")


def native_dtypes(model: ModelProfile, kv: str = "bf16") -> Dtypes:
    """Shortcut: ``native_format(model).dtypes(kv)``."""
    return native_format(model).dtypes(kv)
