"""Localised labels built from data (issue 14 §4): a hardware profile's provenance in the UI language.

``HardwareProfile.source_label`` is English (the CLI and JSON exports keep it). In Chinese the
structure is translated and the data parts — the name of the measurement set a profile was fitted
or calibrated on, a file path — are kept as cited, in 「」 quotes.
"""

from __future__ import annotations

import re
from typing import Any

from dashboard.common.i18n import localize_value
from dashboard.features.hardware import NOT_FITTED

__all__ = ["channel_label", "native_format_label", "profile_name", "source_label"]


def _provenance_zh(hw: Any) -> str:
    prov = hw.efficiency_provenance
    if prov == NOT_FITTED:
        return "未拟合：沿用 H200 推导的效率"
    head, _, what = prov.partition(": ")
    if head == "calibrated":
        return f"已校准，数据「{what}」"
    if head == "fitted":
        return f"拟合自「{what}」"
    return f"「{prov}」"


def source_label(hw: Any, lang: str) -> str:
    """Where a profile's numbers come from, in ``lang`` (``hw.source_label`` in English)."""
    if lang != "zh":
        return hw.source_label
    if hw.kind == "calibrated" and hw.calibration:
        return f"已校准（数据「{hw.calibration.get('data', 'measurements')}」）"
    if hw.kind == "spec":
        return f"规格表；效率{_provenance_zh(hw)}"
    if hw.kind == "custom":
        return f"自定义配置；效率{_provenance_zh(hw)}"
    return f"「{hw.kind}」"


def channel_label(label: str, lang: str) -> str:
    """A host-transfer stage's label (``features.offload`` channels: "host DDR (1/n socket)",
    "CPU staging copy (pageable)", the link and HBM names) in ``lang``."""
    return str(localize_value(label, lang))


_CALIBRATED = re.compile(r"(?P<base>.+) \(calibrated, (?P<method>\w+)\)")


def profile_name(name: str, lang: str) -> str:
    """A hardware profile's name in ``lang``: the suffix a calibration adds (``"<base> (calibrated,
    <method>)"``, services/calibration.py) is translated, the base name and method id kept."""
    m = _CALIBRATED.fullmatch(name) if lang == "zh" else None
    return f"{m.group('base')}（已校准，方法 `{m.group('method')}`）" if m else name


def native_format_label(nf: Any, lang: str) -> str:
    """A checkpoint's native format (``features.checkpoint.NativeFormat``) described in ``lang``
    (``nf.label`` in English)."""
    if lang != "zh":
        return nf.label
    if nf.weight == "fp8":
        return "fp8 e4m3 分块缩放的线性层（W8A8）；embedding、lm_head、归一化层与 router 为 bf16"
    if nf.weight == "mxfp4":
        return f"MXFP4 专家，{nf.attention} 注意力；embedding、lm_head 与 router 为 bf16"
    if nf.weight == "int4":
        return "int4（每组 128）线性层，bf16 激活"
    return nf.label


_DOMAIN_ZH = (
    (r"^family (\S+) \(fitted: (.*)\)$", "模型族 {0}（拟合范围：{1}）"),
    (r"^model (\S+) not among the fitted models$", "模型 {0} 不在拟合所用的模型之中"),
    (r"^hardware (\S+) \(fitted on (.*)\)$", "硬件 {0}（拟合于 {1}）"),
    (r"^engine (\S+) \(fitted on (.*)\)$", "引擎 {0}（拟合于 {1}）"),
    (r"^(tp|ep|isl|osl) (\S+) outside \[(.*)\]$", "{0} = {1} 超出 [{2}]"),
    (r"^(?:edited hardware specs|hardware (\S+)): fitted parameters not applied, (\S+) preset rules on (.*)$", ""),
)


def domain_warning_label(text: str, lang: str) -> str:
    """One out-of-domain finding of a fitted profile (``ServingProfile.domain_warnings``, English) in
    ``lang``; names and numbers are kept as they are."""
    if lang != "zh":
        return text
    import re

    for pattern, zh in _DOMAIN_ZH:
        m = re.match(pattern, text)
        if not m:
            continue
        if not zh:  # the "not applied" note
            hw = m.group(1)
            where = f"硬件 {hw}" if hw else "已修改的硬件参数"
            return f"{where}：未套用拟合参数，改用 {m.group(2)} 预设规则（{m.group(3)}）"
        return zh.format(*m.groups())
    return f"「{text}」"
