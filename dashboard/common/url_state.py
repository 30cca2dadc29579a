"""The shared part of a page's URL (issue 14 §2): everything the sidebar decides, as query parameters.

A copied link reproduces what the user sees: pages write their own inputs (``PageInputs``), and
:func:`global_query` adds the sidebar's state:

* ``model`` — a preset slug, or ``custom`` with ``cfg`` = the pasted/uploaded config.json,
  compressed (zlib) and URL-safe base64 encoded (:func:`encode_blob`), so a new browser restores
  it without any server-side storage. A ``cfg`` that cannot be decoded or parsed is reported (the
  page says so and falls back to the default model), never a traceback.
* ``hw`` — a hardware preset slug, or ``custom`` with ``hwcfg`` = the custom/calibrated profile JSON
  (encoded the same way); ``hwo`` = edited specs as ``path:value`` pairs joined by ``;``.
* ``wdtype`` / ``adtype`` / ``kvdtype`` — weight, activation and KV-cache dtypes; ``attndtype`` the
  attention weights' dtype when it is not the same as the other weights'.
* ``sb_tp`` / ``sb_ep`` — the sidebar's TP/EP defaults (``tp``/``ep`` are the page's own fields on
  pages that have them; an old link's ``tp``/``ep`` still sets the sidebar when ``sb_*`` is absent).
* ``sb_engine`` — the sidebar's serving engine: a preset (``vllm``/``sglang``/``trtllm``) or a fitted
  profile ``<hw>+<engine>`` (``h200+trtllm``; ``+`` is written ``%2B``). ``sb_`` because the planner
  page has its own ``engine`` field.
* ``lang`` — ``en`` or ``zh``.

Pure functions: no Streamlit here (``app_context.bootstrap`` reads and writes ``st.query_params``).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

__all__ = ["GLOBAL_KEYS", "decode_blob", "encode_blob", "format_overrides", "global_query", "parse_overrides"]

GLOBAL_KEYS = (
    "model",
    "cfg",
    "hw",
    "hwcfg",
    "hwo",
    "wdtype",
    "adtype",
    "kvdtype",
    "attndtype",
    "sb_tp",
    "sb_ep",
    "sb_engine",
    "lang",
)
MAX_BLOB_CHARS = 60_000  # a decoded blob larger than this is refused (hostile links)


def encode_blob(text: str) -> str:
    """``text`` → zlib (level 9) → URL-safe base64 without padding."""
    raw = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_blob(blob: str) -> str:
    """Inverse of :func:`encode_blob`; raises ``ValueError`` with a short reason."""
    if len(blob) > MAX_BLOB_CHARS:
        raise ValueError(f"encoded config longer than {MAX_BLOB_CHARS} characters")
    try:
        raw = base64.b64decode(blob + "=" * (-len(blob) % 4), altchars=b"-_", validate=True)
        d = zlib.decompressobj()
        out = d.decompress(raw, 4 * MAX_BLOB_CHARS)
        if d.unconsumed_tail:
            raise ValueError("decoded config too large")
        if not d.eof:
            raise ValueError("encoded config is truncated")
        return out.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"not a valid encoded config ({type(exc).__name__})") from None


def format_overrides(overrides: dict[str, float]) -> str:
    return ";".join(f"{k}:{v:g}" for k, v in sorted(overrides.items()))


def parse_overrides(text: str) -> dict[str, float]:
    """``"peak_tflops.bf16:900;hbm_capacity_gb:141"`` → dict; raises ``ValueError``."""
    out: dict[str, float] = {}
    for part in filter(None, text.split(";")):
        path, sep, value = part.partition(":")
        if not sep or not path:
            raise ValueError(f"bad hardware override {part!r} (expected path:value)")
        out[path] = float(value)
    return out


def global_query(ss: Any) -> dict[str, str]:
    """The sidebar's state of session ``ss`` (a ``SessionState``) as query parameters."""
    s = ss.settings
    q: dict[str, str] = {}
    if ss.model.preset == "custom":
        q["model"] = "custom"
        q["cfg"] = encode_blob(ss.model.last_valid_json)
    else:
        q["model"] = ss.model.preset
    hw = ss.hardware.preset
    if hw.startswith("custom:") and hw[7:] in ss.hardware.custom:
        import json

        q["hw"] = "custom"
        q["hwcfg"] = encode_blob(json.dumps(ss.hardware.custom[hw[7:]], separators=(",", ":"), sort_keys=True))
    else:
        q["hw"] = hw
    if ss.hardware.overrides:
        q["hwo"] = format_overrides(ss.hardware.overrides)
    if getattr(s, "attention_weight_dtype", "same") != "same":
        q["attndtype"] = s.attention_weight_dtype
    q.update(
        wdtype=s.weight_dtype,
        adtype=s.activation_dtype,
        kvdtype=s.kv_dtype,
        sb_tp=str(s.tp),
        sb_ep=str(s.ep),
        sb_engine=s.engine,
        lang=s.language,
    )
    return q
