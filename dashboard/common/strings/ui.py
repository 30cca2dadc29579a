"""Strings of the shared UI mechanics (issue 14): on-demand charts, Run buttons, shared links."""

STRINGS = {
    "ui.chart": {"en": "Chart", "zh": "图表"},
    "ui.run": {"en": "Run", "zh": "运行"},
    "ui.run_fit": {"en": "Run the fit", "zh": "运行拟合"},
    "ui.run_sweep": {"en": "Run the sweep", "zh": "运行扫描"},
    "ui.running": {"en": "Running… (Stop in the top-right menu, or change an input, cancels it)",
                   "zh": "运行中……（点右上角的 Stop 或修改任一输入即可取消）"},
    "ui.press_run": {"en": "Set the inputs, then press **Run**. Results are kept per input set, so coming back "
                           "to this page (or to inputs you already ran) shows them at once.",
                     "zh": "设置输入后点击 **运行**。结果按输入缓存，回到本页（或回到已运行过的输入）会立即显示。"},
    "ui.stale": {"en": "The inputs changed since the last run: press **Run** to compute the results for them.",
                 "zh": "上次运行后输入已改变：点击 **运行** 计算新输入的结果。"},
    "ui.ran_in": {"en": "computed in {s:.2f} s", "zh": "计算用时 {s:.2f} 秒"},
    "ui.cfg_unrestorable": {
        "en": "The link carries a pasted model config that could not be restored ({error}); showing {name} instead.",
        "zh": "链接中的自定义模型配置无法恢复（{error}）；改为显示 {name}。"},
    "ui.sidebar_value": {"en": "sidebar:", "zh": "侧边栏："},
    "ui.page_overrides": {"en": "This page overrides the sidebar defaults: {what}.",
                          "zh": "本页覆盖了侧边栏默认值：{what}。"},
}
