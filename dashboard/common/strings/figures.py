"""Strings of chart titles, axes, legend entries and annotations built by the shared figure
builders (``dashboard/common/plots*.py``), and of values shown in tables/options (issue 14 §4)."""

STRINGS = {
    # roofline bound of an op (cost model ``Op.bound``)
    "bound.compute": {"en": "compute", "zh": "计算受限"},
    "bound.memory": {"en": "memory", "zh": "访存受限"},
    "bound.comm": {"en": "comm", "zh": "通信"},
    # overlap timeline / memory stack (plots_estimation)
    "fig.lane.compute": {"en": "compute", "zh": "计算"},
    "fig.lane.comm": {"en": "comm", "zh": "通信"},
    "fig.time_axis": {"en": "time ({unit})", "zh": "时间（{unit}）"},
    "fig.hover_overhead": {"en": "step overhead", "zh": "单步开销"},
    "fig.hover_layer": {"en": "layer {layer}: {kind}", "zh": "第 {layer} 层：{kind}"},
    "fig.hover_start": {"en": "start", "zh": "开始"},
    "fig.gib_per_gpu": {"en": "GiB per GPU", "zh": "每卡 GiB"},
    "fig.per_gpu": {"en": "per GPU", "zh": "每卡"},
    "fig.usable_gib": {"en": "usable {gib:.1f} GiB", "zh": "可用 {gib:.1f} GiB"},
    "fig.share": {"en": "share", "zh": "占比"},
    # op categories (services.estimation.OP_CATEGORIES)
    "opcat.attention core": {"en": "attention core", "zh": "attention 核心"},
    "opcat.attention projections": {"en": "attention projections", "zh": "attention 投影"},
    "opcat.MLP / experts": {"en": "MLP / experts", "zh": "MLP / 专家"},
    "opcat.lm_head": {"en": "lm_head", "zh": "lm_head"},
    "opcat.elementwise": {"en": "elementwise", "zh": "逐元素"},
    "opcat.communication": {"en": "communication", "zh": "通信"},
}
