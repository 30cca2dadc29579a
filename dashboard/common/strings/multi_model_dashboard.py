"""Strings of the multi-model comparison page."""

STRINGS = {
    "mm.input_len": {"en": "Prompt tokens", "zh": "输入 token 数"},
    "mm.output_len": {"en": "Output tokens", "zh": "输出 token 数"},
    "mm.editor": {
        "en": "Models (add / remove rows; blank layers or hidden = the config's own value, blank ep = sidebar EP)",
        "zh": "模型（可增删行；层数或 hidden 留空 = 使用配置原值，ep 留空 = 侧边栏 EP）",
    },
    "mm.ep_help": {"en": "blank = sidebar EP (MoE models only)", "zh": "留空 = 侧边栏 EP（仅 MoE 模型）"},
    "mm.s_weights": {"en": "weights / GPU", "zh": "每卡权重"},
    "mm.s_kv_seq": {"en": "KV of one sequence / GPU", "zh": "每卡单条序列的 KV"},
    "mm.paste": {"en": "Paste a Hugging Face config.json", "zh": "粘贴 Hugging Face config.json"},
    "mm.paste_name": {"en": "Name", "zh": "名称"},
    "mm.paste_json": {"en": "config.json", "zh": "config.json"},
    "mm.paste_add": {"en": "Add pasted model", "zh": "添加粘贴的模型"},
    "mm.paste_error": {"en": "Pasted config rejected: {error}", "zh": "粘贴的配置无效：{error}"},
    "mm.paste_ok": {"en": "Added {name}.", "zh": "已添加 {name}。"},
    "mm.row_error": {"en": "{label}: {error}", "zh": "{label}：{error}"},
    "mm.table_error": {
        "en": "Table not applied: {error}. Keeping the last valid list.",
        "zh": "表格未生效：{error}。保留上一次有效的列表。",
    },
    "mm.none": {"en": "No model could be evaluated.", "zh": "没有可计算的模型。"},
    "mm.results": {"en": "Comparison on {hw}", "zh": "在 {hw} 上的对比"},
    "mm.chart_latency": {"en": "Latency (ms, log scale)", "zh": "时延（ms，对数坐标）"},
    "mm.chart_util": {
        "en": "Utilisation of the tensor peak (MFU) and of HBM bandwidth (%)",
        "zh": "算力利用率（MFU）与 HBM 带宽利用率（%）",
    },
    "mm.chart_memory": {"en": "Memory per GPU (GiB)", "zh": "每卡显存（GiB）"},
    "mm.chart_tflops": {"en": "Effective TFLOP/s per GPU", "zh": "每卡有效 TFLOP/s"},
    "mm.does_not_fit": {
        "en": "Does not fit in HBM at this context: {names}",
        "zh": "在该上下文长度下显存放不下：{names}",
    },
}
