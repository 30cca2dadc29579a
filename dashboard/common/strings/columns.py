"""More table column headers shown in zh (``outputs.localized_columns``; the CSV/JSON downloads
keep the English identifiers). See also ``ui.py``."""

STRINGS = {
    "col.category": {"en": "category", "zh": "类别"},
    "col.traffic": {"en": "traffic", "zh": "流量"},
    "col.steady": {"en": "steady", "zh": "稳态窗口"},
    "col.reason_code": {"en": "reason_code", "zh": "原因代码"},
}
