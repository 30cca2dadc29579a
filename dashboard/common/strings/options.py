"""How select/multiselect option values read in each language (``i18n.option_label``; the
widgets keep the identifier as their value, so state, URLs and JSON do not change). The English
entries keep the identifier itself."""

_OPTIONS = {
    # length distributions and arrival processes (dashboard/sim/workload.py)
    "fixed": "固定",
    "uniform": "均匀",
    "normal": "正态",
    "lognormal": "对数正态",
    "poisson": "泊松",
    "gamma": "伽马",
    "constant": "恒定",
    # scheduling policies of the sweep (state/scale_up_sweep_with_sim.py)
    "chunked": "chunked prefill",
    "prefill_first": "prefill 优先",
    # "use the sidebar's choice" entries of page selects
    "(sidebar)": "（侧边栏）",
    # tri-state switches
    "auto": "自动",
    "on": "开",
    "off": "关",
    # expert popularity models (features/offload.py)
    "histogram": "直方图",
    "zipf": "Zipf 分布",
    # checkpoint precision (services/frontier.py PRECISIONS)
    "native": "原生格式",
}
STRINGS = {f"opt.{k}": {"en": k, "zh": zh} for k, zh in _OPTIONS.items()}
