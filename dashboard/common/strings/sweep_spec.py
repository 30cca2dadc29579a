"""Strings of the sweep-spec runner (``components/sweep_spec.py``)."""

STRINGS = {
    "sweepspec.title": {
        "en": "Sweep spec: models × hardware × engines × layouts × workloads × seeds (pool or Ray)",
        "zh": "扫描规格：模型 × 硬件 × 引擎 × 并行布局 × 负载 × 种子（进程池或 Ray）",
    },
    "sweepspec.intro": {
        "en": "The same service as `modeling sweep --spec`: every cell of the cross product is one simulation, run "
        "as an independent task on a local process pool or on Ray. Keys: `models`, `hardware`, `engines`, "
        "`tp`, `ep`, `workloads` (objects with `input_len`, `output_len`, `request_rate` or `concurrency`, "
        "`num_requests`), `seeds`, `max_num_seqs`, `max_num_batched_tokens`.",
        "zh": "与 `modeling sweep --spec` 使用同一服务：笛卡尔积中的每个单元是一次模拟，作为独立任务在本地进程池或 Ray 上运行。"
        "键：`models`、`hardware`、`engines`、`tp`、`ep`、`workloads`（含 `input_len`、`output_len`、`request_rate` "
        "或 `concurrency`、`num_requests` 的对象）、`seeds`、`max_num_seqs`、`max_num_batched_tokens`。",
    },
    "sweepspec.spec": {"en": "Spec (YAML or JSON)", "zh": "规格（YAML 或 JSON）"},
    "sweepspec.upload": {"en": "…or upload a spec file", "zh": "……或上传规格文件"},
    "sweepspec.backend": {"en": "Backend", "zh": "执行后端"},
    "sweepspec.backend.pool": {"en": "local process pool", "zh": "本地进程池"},
    "sweepspec.backend.ray": {"en": "Ray (local cluster)", "zh": "Ray（本地集群）"},
    "sweepspec.workers": {"en": "Parallel tasks", "zh": "并行任务数"},
    "sweepspec.run": {"en": "Run sweep", "zh": "运行扫描"},
    "sweepspec.cells": {"en": "{n} cells", "zh": "{n} 个单元"},
    "sweepspec.progress": {"en": "{done}/{total} cells, ETA {eta}", "zh": "{done}/{total} 个单元，预计剩余 {eta}"},
    "sweepspec.done": {
        "en": "{n} cells ({errors} with errors) on {backend} in {wall:.1f} s",
        "zh": "{n} 个单元（{errors} 个出错），后端 {backend}，用时 {wall:.1f} 秒",
    },
    "sweepspec.chart": {"en": "Output tok/s per GPU against TTFT p90", "zh": "每卡输出 tok/s 与 TTFT p90"},
    "sweepspec.x": {"en": "TTFT p90 (ms)", "zh": "TTFT p90（毫秒）"},
    "sweepspec.y": {"en": "output tok/s per GPU", "zh": "每卡输出 tok/s"},
    "sweepspec.too_big": {
        "en": "The page runs at most {limit} cells; use `modeling sweep` for more.",
        "zh": "页面最多运行 {limit} 个单元；更大的扫描请使用 `modeling sweep`。",
    },
    "sweepspec.bad_upload": {"en": "The uploaded spec is not UTF-8 text.", "zh": "上传的规格不是 UTF-8 文本。"},
}
