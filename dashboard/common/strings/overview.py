"""Strings of the overview page."""

STRINGS = {
    "overview.batch": {"en": "Batch", "zh": "批量"},
    "overview.input_len": {"en": "Input tokens", "zh": "输入 token 数"},
    "overview.output_len": {"en": "Output tokens", "zh": "输出 token 数"},
    "overview.ttft": {"en": "TTFT (ms)", "zh": "TTFT（毫秒）"},
    "overview.tpot": {"en": "TPOT (ms)", "zh": "TPOT（毫秒）"},
    "overview.tps": {"en": "Output tok/s (all seqs)", "zh": "输出 token/s（全部序列）"},
    "overview.weights": {"en": "Weights / GPU (GiB)", "zh": "每卡权重（GiB）"},
    "overview.max_seqs": {"en": "Max sequences", "zh": "最大并发序列"},
    "overview.chart": {"en": "Step time by bound (ms)", "zh": "按瓶颈划分的单步耗时（毫秒）"},
    "overview.pages": {"en": "Pages", "zh": "页面"},
}
