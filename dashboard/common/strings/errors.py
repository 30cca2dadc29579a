"""Service and validation error messages in 简体中文 (issue 14 §4).

Domain code raises ``ValueError`` with one English line (the CLI prints it as is). Pages show the
message through ``i18n.localize_error``: each entry of :data:`PATTERNS` is a regular expression
matching a known message (the wording of the ``raise``) and the catalogue key of its translation;
the named groups become the format parameters, so numbers and field names (code identifiers) carry
over. A message that matches no pattern is shown in English. Keep a pattern next to the wording it
matches when you change a message (tests/test_zh_errors.py raises the real ones)."""

PATTERNS: list[tuple[str, str]] = [
    # bound checks (features/offload.py, hardware.py) and list parsing (state/validate.py)
    (r"(?P<name>.+?) must be an integer between (?P<lo>\S+) and (?P<hi>\S+), got (?P<got>.+)", "err.int_between"),
    (r"(?P<name>.+?) must be a number in (?P<range>[\[(]\S+, \S+\]), got (?P<got>.+)", "err.number_in"),
    (r"(?P<name>.+?) needs 1 to (?P<n>\d+) values", "err.n_values"),
    (r"enter at least one number", "err.one_number"),
    (r"at most (?P<n>\d+) values", "err.at_most_values"),
    (r"(?P<x>.+?) is not a finite number", "err.not_finite"),
    (r"(?P<x>.+?) is not a number in range", "err.not_in_range"),
    (r"(?P<x>.+?) is not a number", "err.not_number"),
    (r"(?P<x>.+?) is below (?P<lo>\S+)", "err.below"),
    # dashboard/features/params.py
    (
        r"(?P<name>.+?) must be (?P<kind>an integer|a finite number)(?: in (?P<range>.+?))?(?P<unit> \([^)]*\))?, got (?P<got>.+)",
        "err.param_number",
    ),
    (r"(?P<name>.+?) must be given", "err.given"),
    (r"(?P<name>.+?) must be text, got (?P<got>.+)", "err.text"),
    (r"(?P<name>.+?) must be a list of (?P<kind>int|float|str), got (?P<got>.+)", "err.list_of"),
    (r"(?P<name>.+?) must be (?P<kind>int|float|bool|str), got (?P<got>.+)", "err.kind"),
    (r"(?P<name>.+?) values must be among (?P<choices>.+), got (?P<got>.+)", "err.values_among"),
    (r"(?P<name>.+?) must be one of (?P<choices>.+), got (?P<got>.+)", "err.one_of"),
    (r"(?P<name>.+?) must be true or false, got (?P<got>.+)", "err.bool"),
    (r"(?P<name>.+?): value too long", "err.too_long"),
    # dashboard/sim_scheduler.py (simulate)
    (
        r"max_num_batched_tokens \((?P<b>\d+)\) must be ≥ max_num_seqs \((?P<s>\d+)\), as vLLM requires",
        "err.sim_budget_seqs",
    ),
    (
        r"no KV block of block_size=(?P<bs>\d+) tokens fits beside the weights on this hardware \(0 blocks\); "
        r"lower block_size, raise TP, use a smaller dtype or more HBM",
        "err.sim_no_block",
    ),
    (
        r"max_num_batched_tokens \((?P<b>\d+)\) must be at least the longest prompt \((?P<p>\d+) tokens\) without "
        r"chunked prefill, as vLLM and TensorRT-LLM require \(raise it or enable chunked prefill\)",
        "err.sim_prompt_budget",
    ),
    (
        r"a request of (?P<n>\d+) tokens needs (?P<need>\d+) KV blocks of (?P<bs>\d+) tokens, but the cache holds "
        r"only (?P<have>\d+)(?P<dp> per DP rank)?",
        "err.sim_request_blocks",
    ),
    (r"simulation exceeded (?P<n>\d+) steps", "err.sim_steps"),
    (r"stopped after (?P<done>\d+) of (?P<n>\d+) requests", "err.sim_stopped"),
    (r"speculative decoding is simulated with chunked prefill \(vLLM V1's scheduler\)", "err.sim_spec_chunked"),
    (r"dp must be a positive integer, got (?P<got>.+)", "err.dp_positive"),
    (r"router must be one of (?P<choices>.+), got (?P<got>.+)", "err.router"),
    # notes of a calibration fit (dashboard/services/calibration.py), shown under its results
    (r"gemm sweep: fewer than 3 rows with M ≤ 32, no kernel floor or bandwidth fitted", "note.gemm_few"),
    (
        r"attention sweep \((?P<backend>[^)]*)\): (?P<n>\d+) floor-dominated small-call point\(s\) dropped",
        "note.attn_dropped",
    ),
    (
        r"the hardware column names (?P<hw>.+), not the baseline (?P<base>\S+): the fit still starts from the "
        r"baseline's datasheet peaks",
        "note.other_hw",
    ),
    (r"(?P<n>\d+) rows: the held-out error is (?P<k>\d+)-fold cross-validation instead of leave-one-out", "note.kfold"),
    (
        r"no kernel sweeps given: used the shipped H200 reference sweeps \((?P<files>[^)]*)\)",
        "note.reference_sweeps",
    ),
    (r"kernel sweeps without (?P<what>.+): the shipped H200 reference sweeps fill in", "note.sweeps_fill"),
    (r"no kernel sweeps: the baseline profile's curve shapes are kept and scaled", "note.no_sweeps"),
    (r"linear: the saved profile sets flat compute/bandwidth efficiencies.*", "note.linear"),
    (r"per-step overhead kept at the baseline's (?P<us>\S+) µs: .*", "note.overhead_kept"),
    (
        r"hidden-width elementwise traffic \(norms, residual adds\) kept at the baseline's (?P<x>\S+)× .*",
        "note.hidden_kept",
    ),
    (r"attention backend chosen by fit: (?P<b>\S+) \(of (?P<all>[^)]*)\)", "note.backend"),
    # unknown presets (features/presets.py, hardware.py, engine.py; the hint from safe_io.path_refused_hint)
    (
        r"unknown (?P<what>model|hardware|engine) (?P<name>'.*?'|\".*?\")"
        r"(?P<hint>; file paths are accepted only on the command line \(upload the file instead\))?"
        r"(?:; presets: (?P<presets>.+))?",
        "err.unknown_preset",
    ),
    (r"unknown engine field (?P<name>.+)", "err.unknown_engine_field"),
    # rejection reasons of the SLA searches (services/search.py, search_pd.py), shown in their tables
    (r"TTFT (?P<v>\S+) ms > (?P<lim>\S+) ms", "reason.ttft"),
    (r"TPOT (?P<v>\S+) ms > (?P<lim>\S+) ms", "reason.tpot"),
    (r"(?P<v>\S+) tok/s per user < (?P<lim>\S+)", "reason.tps_user"),
    (
        r"OOM: one sequence of (?P<ctx>\d+) tokens needs (?P<need>\S+) GiB/GPU, (?P<usable>\S+) usable",
        "reason.oom_seq",
    ),
    (
        r"OOM(?P<pool> \((?:prefill|decode)\))?: KV cache holds (?P<le>≤ )?(?P<cap>\d+) sequences of (?P<ctx>\d+) "
        r"tokens < (?:concurrency )?(?P<conc>\d+)",
        "reason.oom_kv",
    ),
    (
        r"OOM \(prefill\): (?P<w>\S+) GiB weights/GPU, (?P<n>\d+) prompts of (?P<i>\d+) fit",
        "reason.oom_prefill",
    ),
    (r"layout: (?P<why>.+)", "reason.layout"),
    # host-transfer stages (features/offload.py channel labels)
    (r"host DDR \(1/(?P<n>\d+) socket\)", "val.host_ddr"),
    (r"CPU staging copy \(pageable\)", "val.cpu_staging"),
    # services (sweeps, pages' result rows)
    (r"no results", "err.no_results"),
    (r"nothing to simulate", "err.nothing_to_simulate"),
    (r"the step has no tokens", "err.no_tokens"),
]

STRINGS = {
    "err.int_between": {
        "en": "{name} must be an integer between {lo} and {hi}, got {got}",
        "zh": "{name} 须为 {lo} 到 {hi} 之间的整数，当前为 {got}",
    },
    "err.number_in": {
        "en": "{name} must be a number in {range}, got {got}",
        "zh": "{name} 须为区间 {range} 内的数，当前为 {got}",
    },
    "err.n_values": {"en": "{name} needs 1 to {n} values", "zh": "{name} 需要 1 到 {n} 个值"},
    "err.one_number": {"en": "enter at least one number", "zh": "请至少输入一个数"},
    "err.at_most_values": {"en": "at most {n} values", "zh": "最多 {n} 个值"},
    "err.not_finite": {"en": "{x} is not a finite number", "zh": "{x} 不是有限数"},
    "err.not_in_range": {"en": "{x} is not a number in range", "zh": "{x} 超出可表示的数值范围"},
    "err.not_number": {"en": "{x} is not a number", "zh": "{x} 不是数字"},
    "err.below": {"en": "{x} is below {lo}", "zh": "{x} 小于下限 {lo}"},
    "err.param_number": {
        "en": "{name} must be a number in {range}, got {got}",
        "zh": "{name} 须为{range}{kind}{unit}，当前为 {got}",
    },
    "err.text": {"en": "{name} must be text, got {got}", "zh": "{name} 须为文本，当前为 {got}"},
    "err.list_of": {
        "en": "{name} must be a list of {kind}, got {got}",
        "zh": "{name} 须为 `{kind}` 列表，当前为 {got}",
    },
    "err.kind": {"en": "{name} must be {kind}, got {got}", "zh": "{name} 须为 `{kind}`，当前为 {got}"},
    "err.given": {"en": "{name} must be given", "zh": "必须填写 {name}"},
    "err.values_among": {
        "en": "{name} values must be among {choices}, got {got}",
        "zh": "{name} 的取值须在 {choices} 之中，当前为 {got}",
    },
    "err.one_of": {
        "en": "{name} must be one of {choices}, got {got}",
        "zh": "{name} 须为 {choices} 之一，当前为 {got}",
    },
    "err.bool": {"en": "{name} must be true or false, got {got}", "zh": "{name} 须为 `true` 或 `false`，当前为 {got}"},
    "err.too_long": {"en": "{name}: value too long", "zh": "{name}：内容过长"},
    "err.sim_budget_seqs": {
        "en": "max_num_batched_tokens ({b}) must be ≥ max_num_seqs ({s}), as vLLM requires",
        "zh": "max_num_batched_tokens（{b}）须 ≥ max_num_seqs（{s}），这是 vLLM 的要求",
    },
    "err.sim_no_block": {
        "en": "no KV block of block_size={bs} tokens fits beside the weights on this hardware",
        "zh": "在该硬件上，权重之外放不下一个 block_size={bs} token 的 KV 块（0 块）；请减小 block_size、增大 TP、"
        "换用更小的 dtype 或更大的 HBM",
    },
    "err.sim_prompt_budget": {
        "en": "max_num_batched_tokens ({b}) must be at least the longest prompt ({p} tokens) without chunked prefill",
        "zh": "关闭 chunked prefill 时，max_num_batched_tokens（{b}）须不小于最长的 prompt（{p} token），vLLM 与 "
        "TensorRT-LLM 均如此要求（请调大它或开启 chunked prefill）",
    },
    "err.sim_request_blocks": {
        "en": "a request of {n} tokens needs {need} KV blocks of {bs} tokens, but the cache holds only {have}{dp}",
        "zh": "一个 {n} token 的请求需要 {need} 个 {bs} token 的 KV 块，而缓存{dp}只有 {have} 块",
    },
    "err.sim_steps": {"en": "simulation exceeded {n} steps", "zh": "模拟超过了 {n} 步上限"},
    "err.sim_stopped": {"en": "stopped after {done} of {n} requests", "zh": "已在完成 {done} / {n} 个请求后停止"},
    "err.sim_spec_chunked": {
        "en": "speculative decoding is simulated with chunked prefill (vLLM V1's scheduler)",
        "zh": "投机解码只在开启 chunked prefill 时模拟（vLLM V1 调度器）",
    },
    "err.dp_positive": {"en": "dp must be a positive integer, got {got}", "zh": "dp 须为正整数，当前为 {got}"},
    "err.router": {
        "en": "router must be one of {choices}, got {got}",
        "zh": "router 须为 {choices} 之一，当前为 {got}",
    },
    "err.no_results": {"en": "no results", "zh": "没有结果"},
    "err.nothing_to_simulate": {"en": "nothing to simulate", "zh": "没有可模拟的配置"},
    "err.no_tokens": {"en": "the step has no tokens", "zh": "该步没有 token"},
    "note.gemm_few": {
        "en": "gemm sweep: fewer than 3 rows with M ≤ 32",
        "zh": "GEMM 扫描：M ≤ 32 的行少于 3 条，未拟合 kernel 下限与带宽",
    },
    "note.attn_dropped": {
        "en": "attention sweep ({backend}): {n} point(s) dropped",
        "zh": "attention 扫描（{backend}）：丢弃了 {n} 个以固定开销为主的小调用点",
    },
    "note.other_hw": {
        "en": "the hardware column names {hw}, not the baseline {base}",
        "zh": "`hardware` 列写的是 {hw}，不是基准配置 {base}：拟合仍从基准配置的规格峰值出发",
    },
    "note.kfold": {
        "en": "{n} rows: {k}-fold cross-validation",
        "zh": "{n} 行：留出误差改用 {k} 折交叉验证，而非逐行留一",
    },
    "note.reference_sweeps": {
        "en": "no kernel sweeps given: used the shipped H200 reference sweeps ({files})",
        "zh": "未提供 kernel 扫描：使用随附的 H200 参考扫描（{files}）",
    },
    "note.sweeps_fill": {
        "en": "kernel sweeps without {what}: the shipped H200 reference sweeps fill in",
        "zh": "kernel 扫描缺少 {what}：由随附的 H200 参考扫描补齐",
    },
    "note.no_sweeps": {
        "en": "no kernel sweeps: the baseline profile's curve shapes are kept and scaled",
        "zh": "没有 kernel 扫描：保留基准配置的曲线形状并整体缩放",
    },
    "note.linear": {
        "en": "linear: the saved profile reproduces the linear fit only approximately",
        "zh": "`linear`：保存的配置以 1/b、1/c 作为恒定的算力/带宽效率、a 作为单步开销；成本模型逐算子取 "
        "max(计算, 访存) 而非求和，因此该配置只能近似复现线性拟合（见 `profile_mape`）",
    },
    "note.overhead_kept": {
        "en": "per-step overhead kept at the baseline's {us} µs",
        "zh": "单步开销沿用基准配置的 {us} µs：只有一个模型、且没有纯 step 与混合 step 的组合时，它无法与每个 kernel 的开销区分",
    },
    "note.hidden_kept": {
        "en": "hidden-width elementwise traffic kept at the baseline's {x}×",
        "zh": "hidden 宽度的逐元素流量（归一化、残差相加）沿用基准配置的 {x}× 最小字节数：单一模型、单一 TP 下每个逐元素算子"
        "都随 token 数线性变化，只能辨识按 TP 切分的那一项；加入另一种形状的 step（第二个模型或 TP）即可同时拟合两者",
    },
    "note.backend": {
        "en": "attention backend chosen by fit: {b} (of {all})",
        "zh": "拟合选定的 attention 后端：{b}（候选：{all}）",
    },
    "err.unknown_preset": {
        "en": "unknown {what} {name}{hint}{presets}",
        "zh": "未知的{what} {name}{hint}{presets}",
    },
    "err.unknown_engine_field": {"en": "unknown engine field {name}", "zh": "未知的引擎字段 {name}"},
    "reason.ttft": {"en": "TTFT {v} ms > {lim} ms", "zh": "TTFT {v} ms > {lim} ms"},
    "reason.tpot": {"en": "TPOT {v} ms > {lim} ms", "zh": "TPOT {v} ms > {lim} ms"},
    "reason.tps_user": {"en": "{v} tok/s per user < {lim}", "zh": "每用户 {v} tok/s < {lim}"},
    "reason.oom_seq": {
        "en": "OOM: one sequence of {ctx} tokens needs {need} GiB/GPU",
        "zh": "显存不足：一条 {ctx} token 的序列需要每卡 {need} GiB，可用 {usable} GiB",
    },
    "reason.oom_kv": {
        "en": "OOM{pool}: KV cache holds {le}{cap} sequences",
        "zh": "显存不足{pool}：KV 缓存只能容纳 {le}{cap} 条 {ctx} token 的序列，少于并发 {conc}",
    },
    "reason.oom_prefill": {
        "en": "OOM (prefill): {w} GiB weights/GPU",
        "zh": "显存不足（prefill）：每卡权重 {w} GiB，只放得下 {n} 条 {i} token 的 prompt",
    },
    "reason.layout": {"en": "layout: {why}", "zh": "布局：{why}"},
    "val.host_ddr": {"en": "host DDR (1/{n} socket)", "zh": "主机 DDR（1/{n} 插槽）"},
    "val.cpu_staging": {"en": "CPU staging copy (pageable)", "zh": "CPU 中转拷贝（可分页内存）"},
}
