"""More table column headers shown in zh (``outputs.localized_columns``; the CSV/JSON downloads
keep the English identifiers). See also ``ui.py``."""

STRINGS = {
    "col.category": {"en": "category", "zh": "类别"},
    "col.traffic": {"en": "traffic", "zh": "流量"},
    "col.steady": {"en": "steady", "zh": "稳态窗口"},
    "col.reason_code": {"en": "reason_code", "zh": "原因代码"},
    "col.column": {"en": "column", "zh": "列"},
    "col.speedup": {"en": "speedup", "zh": "加速比"},
    "col.parameter": {"en": "parameter", "zh": "参数"},
    "col.fit": {"en": "fit", "zh": "拟合"},
    "col.95% CI": {"en": "95% CI", "zh": "95% 置信区间"},
}
