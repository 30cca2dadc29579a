from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:  # standalone `streamlit run dashboard/<page>.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.app_context import bootstrap
from dashboard.common import json_config


def render() -> None:
    state, actions = bootstrap(
        title="Example Latency Inspector",
        header_description="演示如何读取模型 JSON 并输出自定义指标。",
        help_title="示例页面帮助",
        help_markdown="""
- 左侧侧边栏仍可切换预设硬件、导入模型 JSON。
- `state.model` 提供了标准化后的模型属性与 FLOPs 计算方法。
- `actions` 可用于写回 session_state（如保存用户输入）。
""",
    )

    st = state.st
    model = state.model

    st.subheader("当前模型关键参数")
    st.json({
        "hidden_size": getattr(model, "hidden_size", None),
        "num_layers": getattr(model, "num_hidden_layers", None),
        "attention_heads": getattr(model, "num_attention_heads", None),
    })

    st.subheader("解析侧边栏 JSON")
    parsed = json_config.load_model_json(
        state.session_state.get("cfg_text", "{}"),
        default=json_config.DEFAULT_MODEL_JSON,
    )
    st.code(json_config.format_model_json(parsed))

    st.subheader("自定义指标示例")
    st.write({
        "prefill_flops_per_token": model.prefill_flops_per_token(batch=1, seq_len=1024),
        "decode_flops_per_token": model.decode_flops_per_token(batch=1),
    })


if __name__ == "__main__":
    render()
