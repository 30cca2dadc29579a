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
    # layouts a model cannot use (features/parallel.py)
    (r"tp=(?P<tp>\d+) does not divide num_attention_heads=(?P<n>\d+)", "err.par_heads"),
    (r"tp=(?P<tp>\d+) and num_key_value_heads=(?P<n>\d+) must divide one another", "err.par_kv"),
    (r"ep > 1 needs a mixture-of-experts model", "err.par_ep_moe"),
    (r"ep=(?P<ep>\d+) does not divide num_experts=(?P<n>\d+)", "err.par_ep"),
    (r"expert TP (?P<tp>\d+) does not divide moe_intermediate_size=(?P<n>\d+)", "err.par_etp"),
    (r"tp=(?P<tp>\d+) does not divide intermediate_size=(?P<n>\d+)", "err.par_ffn"),
    (r"pp=(?P<pp>\d+) exceeds num_hidden_layers=(?P<n>\d+)", "err.par_pp"),
    (r"ep and tp must divide one another", "err.par_ep_tp"),
    # kernel pages (features/mma.py, flash_attention.py) and offload
    (
        r"the warp-group tile (?P<wg>\S+) must divide the CTA tile (?P<cta>\S+)",
        "err.mma_wg",
    ),
    (r"block_k=(?P<bk>\d+) must be a multiple of the MMA depth k_inst=(?P<k>\d+)", "err.mma_bk"),
    (r"M, N and K must be at least 1", "err.mma_mnk"),
    (r"q_heads=(?P<q>\d+) must be a multiple of kv_heads=(?P<kv>\d+)", "err.attn_gqa"),
    (r"causal attention needs kv_len ≥ q_len \(queries are the last q_len positions\)", "err.attn_causal"),
    (r"(?P<name>.+?) is not a mixture-of-experts model", "err.not_moe"),
    (r"(?P<name>.+?) must be a number between (?P<lo>\S+) and (?P<hi>\S+), got (?P<got>.+)", "err.number_between"),
    (r"(?P<name>.+?) must be a (?:positive|non-negative) number, got (?P<got>.+)", "err.positive"),
    # simulator workloads and runs (sim/workload.py, services/simulation.py)
    (
        r"about (?P<n>[\d,]+) simulated steps requested \(limit (?P<lim>[\d,]+) per run\): use fewer requests, "
        r"shorter outputs, fewer sweep points or a larger token budget",
        "err.sim_work",
    ),
    (r"a uniform length spread must be at most 1 \(lengths stay positive\)", "err.wl_spread"),
    (r"a workload needs at least one request", "err.wl_empty"),
    (r"prompt and output lengths must be at least 1 token", "err.wl_len"),
    (r"concurrency must be at least 1", "err.wl_conc"),
    (r"arrival times must be at most (?P<s>\S+) s: .*", "err.wl_horizon"),
    (r"trace CSV needs the header arrival_s,prompt_tokens,output_tokens", "err.trace_header"),
    (r"trace CSV has no rows", "err.trace_empty"),
    (r"trace is not UTF-8 text", "err.not_utf8"),
    (r"trace has more than (?P<n>[\d,]+) requests \(size bound\)", "err.trace_big"),
    (r"trace line (?P<i>\d+): (?P<rest>.+)", "err.trace_line"),
    (r"the sweep needs a synthetic workload", "err.sweep_synthetic"),
    (r"a trace workload cannot be swept over its fields", "err.sweep_trace"),
    # page inputs (state/*.py)
    (r"add at least one model", "err.mm_none"),
    (r"compare at most (?P<n>\d+) models", "err.mm_max"),
    (r"every row needs a model \(a preset or a pasted config\)", "err.mm_row_model"),
    (r"row (?P<i>\d+): choose a model", "err.mm_choose"),
    (r"(?P<entry>'.*'): expected key=value with keys (?P<keys>.+)", "err.mm_kv"),
    (r"at most (?P<n>\d+) prices", "err.prices_max"),
    (r"price (?P<item>.+?): expected GPU=USD_PER_HOUR, e\.g\. h200=4\.0", "err.price"),
    (r"baseline must name a hardware preset", "err.baseline"),
    (r"model mapping (?P<item>.+?): expected NAME=PRESET or NAME=sidebar", "err.model_map"),
    (r"spec_draft must name a model preset", "err.spec_draft"),
    (
        r"spec_acceptance needs one rate or (?P<k>\d+) \(one per draft position\), got (?P<n>\d+)",
        "err.spec_acceptance",
    ),
    (r"disaggregated=on needs a request rate \(the pools are sized for a rate\)", "err.plan_disagg_rate"),
    (r"no KV cache fits beside the weights of a pipeline stage", "err.plan_no_kv"),
    (
        r"mean acceptance length must be between 1 and k\+1 = (?P<k1>\d+), got (?P<got>.+)",
        "err.spec_len",
    ),
    (r"per-position acceptance rates must be in \[0, 1\], got (?P<got>.+)", "err.spec_rates"),
    (r"draft tensor-parallel size must be 1 or the target's TP \((?P<tp>\d+)\), got (?P<got>.+)", "err.spec_draft_tp"),
    (r"EAGLE head hidden size (?P<a>\d+) differs from the target's (?P<b>\d+)", "err.spec_eagle"),
    # uploads
    (r"(?P<name>.+?): larger than (?P<mb>\d+) MB", "err.upload_big"),
    (r"(?P<name>.+?): not UTF-8 text", "err.upload_utf8"),
    (r"sweep spec is larger than (?P<n>[\d,]+) bytes", "err.spec_big"),
    (r"sweep spec is not valid YAML/JSON: (?P<why>.+)", "err.spec_yaml"),
    (r"sweep spec is nested too deeply", "err.spec_deep"),
    (r"not a CSV table: (?P<why>.+)", "err.not_csv"),
    (r"CSV lacks column\(s\): (?P<cols>.+) \(expected (?P<exp>.+)\)", "err.csv_cols"),
    (r"at most 500 scenarios per table", "err.scenarios_max"),
    # pasted/uploaded JSON and model configs (common/json_config.py, features/model_profile.py)
    (r"JSON is larger than (?P<kb>\d+) kB", "err.json_big"),
    (r"expected a JSON object \{\.\.\.\}", "err.json_object"),
    (r"not valid JSON \(line (?P<l>\d+), column (?P<c>\d+): (?P<why>.+)\)", "err.json_invalid"),
    (r"JSON is nested too deeply", "err.json_deep"),
    (r"file is not UTF-8 text", "err.file_utf8"),
    (r"invalid config fields: (?P<what>.+)", "err.cfg_fields"),
    (r"the model config must be a JSON object", "err.cfg_object"),
    (
        r"config is missing or has invalid fields: (?P<what>.+?) \(model_type (?P<mt>.+) is not one we recognise\)",
        "err.cfg_missing_mt",
    ),
    (r"config is missing or has invalid fields: (?P<what>.+)", "err.cfg_missing"),
    (r"config has fields of the wrong type: (?P<what>.+)", "err.cfg_types"),
    (r"must be positive integers: (?P<what>.+)", "err.cfg_positive"),
    (r"layer_types must list one entry per layer", "err.cfg_layer_types"),
    (r"num_experts_per_tok must be between 1 and the number of experts", "err.cfg_topk"),
    (r"MLA needs positive (?P<what>.+)", "err.cfg_mla_pos"),
    (r"MLA config is missing: (?P<what>.+)", "err.cfg_mla_missing"),
    (r"MoE config is missing: (?P<what>.+)", "err.cfg_moe_missing"),
    (r"moe_intermediate_size must be positive for a MoE model", "err.cfg_moe_ffn"),
    (r"head_dim must be positive", "err.cfg_head_dim"),
    (r"num_attention_heads must be a multiple of num_key_value_heads", "err.cfg_gqa"),
    # hardware profiles (features/hardware.py)
    (r"a hardware profile must be a JSON object", "err.hw_object"),
    (r"hardware profile is missing: (?P<what>.+)", "err.hw_missing"),
    (r"peak_tflops\.bf16 must be given \(dense TFLOP/s\)", "err.hw_bf16"),
    (r"name must be 1 to 200 characters", "err.hw_name"),
    (r"(?P<name>\S+) must be between (?P<lo>\S+) and (?P<hi>\S+), got (?P<got>.+)", "err.between"),
    (r"(?P<name>\S+) must be null or a positive finite number, got (?P<got>.+)", "err.null_positive"),
    # uploaded benchmark results and measurement tables (services/bench_io.py, calibration_io.py)
    (r"(?P<src>.+?): empty file", "err.empty_file"),
    (r"(?P<src>.+?): missing column\(s\) (?P<cols>.+)", "err.missing_cols"),
    (r"(?P<src>.+?): no rows", "err.no_rows"),
    (r"a JSON result must be an object", "err.json_result_object"),
    (r"(?P<src>.+?): the file is empty \(expected a header row and data rows\)", "err.csv_empty"),
    (r"(?P<src>.+?): the file has a header but no data rows", "err.csv_header_only"),
    (r"(?P<src>.+?): column\(s\) (?P<cols>.+) appear more than once in the header", "err.csv_dupes"),
    (r"(?P<src>.+?): not a readable CSV/TSV table \((?P<why>.*)\)", "err.csv_unreadable"),
    (r"(?P<src>.+?): not a UTF-8 text file \(CSV or TSV expected\)", "err.csv_utf8"),
    (r"no measured steps given \(a steps file has columns (?P<cols>.+)\)", "err.no_steps"),
    (
        r"unrecognised file: a scenario CSV needs the columns (?P<cols>.+) \(or give a vLLM / AIPerf JSON result\)",
        "err.bench_unrecognised",
    ),
    # sweep specs (services/sweep.py) and traces (sim/traces.py)
    (r"sweep spec must be a JSON/YAML object", "err.sweep_object"),
    (r"sweep spec needs 'models', 'hardware' and 'workloads'", "err.sweep_needs"),
    (r"sweep spec: unknown key\(s\) (?P<keys>.+) \(allowed: (?P<allowed>.+)\)", "err.sweep_unknown"),
    (r"sweep spec: (?P<key>'[^']*') must not be empty", "err.sweep_key_empty"),
    (r"sweep spec: (?P<key>'[^']*') has more than 10,000 values", "err.sweep_key_big"),
    (r"sweep spec: (?P<key>'[^']*') values must be integers in \[1, (?P<hi>\d+)\], got (?P<got>.+)", "err.sweep_ints"),
    (r"sweep spec: 'seeds' values must be integers in \[0, 2\^31\), got (?P<got>.+)", "err.sweep_seeds"),
    (r"(?P<where>.+?): unknown key\(s\) (?P<keys>.+) \(allowed: (?P<allowed>.+)\)", "err.unknown_keys"),
    (r"(?P<where>.+?): give request_rate or concurrency, not both", "err.rate_or_conc"),
    (r"(?P<where>.+?): give either trace or input_len/output_len, not both", "err.trace_or_lens"),
    (r"(?P<where>.+?): (?P<k>\w+) is required \(or give trace\)", "err.required_or_trace"),
    (r"sweep spec is not valid YAML: (?P<why>.+)", "err.spec_yaml"),
    (r"trace is empty", "err.trace_empty2"),
    (r"trace has no requests", "err.trace_no_requests"),
    (r"trace has more than (?P<n>[\d,]+) requests", "err.trace_big"),
    (r"BurstGPT trace has no header", "err.burst_header"),
    (r"BurstGPT trace lacks the column\(s\) (?P<cols>.+)", "err.burst_cols"),
    (r"BurstGPT trace has no successful requests", "err.burst_none"),
    # speculative settings (features/speculative.py) and efficiency curves (features/hardware.py)
    (r"acceptance rates: expected (?P<k>\d+) values \(one per speculative token\), got (?P<n>\d+)", "err.spec_rates_n"),
    (r"method draft_model needs a draft model \(a preset name or a config\.json path\)", "err.spec_needs_draft"),
    (r"the acceptance-rate list is empty", "err.spec_rates_empty"),
    (r"acceptance-rate list has (?P<n>\d+) values but num_speculative_tokens is (?P<k>\d+)", "err.spec_rates_k"),
    (r"an efficiency curve needs at least one point", "err.curve_empty"),
    (r"an efficiency curve has at most (?P<n>\d+) points", "err.curve_big"),
    (r"efficiency curve values must be finite numbers \(no NaN or infinity\)", "err.curve_finite"),
    (r"efficiency curve x values must be positive and increasing", "err.curve_x"),
    (r"efficiency values must be in \(0, 1\.5\]", "err.curve_range"),
    (r"(?P<name>efficiency\.\w+): must be a finite number", "err.eff_finite"),
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
    "err.par_heads": {"en": "tp does not divide heads", "zh": "tp={tp} 不能整除 num_attention_heads={n}"},
    "err.par_kv": {
        "en": "tp and kv heads must divide one another",
        "zh": "tp={tp} 与 num_key_value_heads={n} 须能互相整除",
    },
    "err.par_ep_moe": {"en": "ep > 1 needs a mixture-of-experts model", "zh": "ep > 1 需要 MoE（混合专家）模型"},
    "err.par_ep": {"en": "ep does not divide num_experts", "zh": "ep={ep} 不能整除 num_experts={n}"},
    "err.par_etp": {"en": "expert TP does not divide", "zh": "专家内 TP {tp} 不能整除 moe_intermediate_size={n}"},
    "err.par_ffn": {"en": "tp does not divide intermediate_size", "zh": "tp={tp} 不能整除 intermediate_size={n}"},
    "err.par_pp": {"en": "pp exceeds layers", "zh": "pp={pp} 超过了 num_hidden_layers={n}"},
    "err.par_ep_tp": {"en": "ep and tp must divide one another", "zh": "ep 与 tp 须能互相整除"},
    "err.mma_wg": {
        "en": "warp-group tile must divide the CTA tile",
        "zh": "warpgroup tile {wg} 须能整除 CTA tile {cta}",
    },
    "err.mma_bk": {
        "en": "block_k must be a multiple of k_inst",
        "zh": "block_k={bk} 须为 MMA 深度 k_inst={k} 的整数倍",
    },
    "err.mma_mnk": {"en": "M, N and K must be at least 1", "zh": "M、N、K 都须至少为 1"},
    "err.attn_gqa": {"en": "q_heads must be a multiple of kv_heads", "zh": "q_heads={q} 须为 kv_heads={kv} 的整数倍"},
    "err.attn_causal": {
        "en": "causal attention needs kv_len ≥ q_len",
        "zh": "因果注意力要求 kv_len ≥ q_len（query 是最后 q_len 个位置）",
    },
    "err.not_moe": {"en": "{name} is not a mixture-of-experts model", "zh": "{name} 不是 MoE（混合专家）模型"},
    "err.number_between": {
        "en": "{name} must be a number between {lo} and {hi}",
        "zh": "{name} 须为 {lo} 到 {hi} 之间的数，当前为 {got}",
    },
    "err.positive": {"en": "{name} must be a positive number", "zh": "{name} 须为正数（或非负数），当前为 {got}"},
    "err.sim_work": {
        "en": "about {n} simulated steps requested (limit {lim} per run)",
        "zh": "约需模拟 {n} 步（每次运行上限 {lim} 步）：请减少请求数、缩短输出、减少扫描点或增大 token 预算",
    },
    "err.wl_spread": {
        "en": "a uniform length spread must be at most 1",
        "zh": "均匀分布的长度离散度须不大于 1（保证长度为正）",
    },
    "err.wl_empty": {"en": "a workload needs at least one request", "zh": "负载至少需要一个请求"},
    "err.wl_len": {
        "en": "prompt and output lengths must be at least 1 token",
        "zh": "prompt 与输出长度都须至少为 1 个 token",
    },
    "err.wl_conc": {"en": "concurrency must be at least 1", "zh": "并发须至少为 1"},
    "err.wl_horizon": {
        "en": "arrival times must be at most {s} s",
        "zh": "到达时间须不超过 {s} s：超过后浮点秒无法分辨每个 token 的时间（请缩短时长或提高请求速率）",
    },
    "err.trace_header": {
        "en": "trace CSV needs the header",
        "zh": "trace CSV 需要表头 `arrival_s,prompt_tokens,output_tokens`",
    },
    "err.trace_empty": {"en": "trace CSV has no rows", "zh": "trace CSV 没有数据行"},
    "err.not_utf8": {"en": "trace is not UTF-8 text", "zh": "trace 不是 UTF-8 文本"},
    "err.trace_big": {"en": "trace has more than {n} requests", "zh": "trace 超过 {n} 个请求（大小上限）"},
    "err.trace_line": {"en": "trace line {i}: {rest}", "zh": "trace 第 {i} 行：{rest}"},
    "err.sweep_synthetic": {"en": "the sweep needs a synthetic workload", "zh": "扫描需要合成负载"},
    "err.sweep_trace": {"en": "a trace workload cannot be swept over its fields", "zh": "trace 负载不能按其字段扫描"},
    "err.mm_none": {"en": "add at least one model", "zh": "请至少添加一个模型"},
    "err.mm_max": {"en": "compare at most {n} models", "zh": "最多对比 {n} 个模型"},
    "err.mm_row_model": {"en": "every row needs a model", "zh": "每一行都需要一个模型（预设或粘贴的配置）"},
    "err.mm_choose": {"en": "row {i}: choose a model", "zh": "第 {i} 行：请选择模型"},
    "err.mm_kv": {
        "en": "{entry}: expected key=value with keys {keys}",
        "zh": "{entry}：应为 `key=value`，key 取 {keys}",
    },
    "err.prices_max": {"en": "at most {n} prices", "zh": "最多 {n} 个价格"},
    "err.price": {
        "en": "price {item}: expected GPU=USD_PER_HOUR",
        "zh": "价格 {item}：应为 `GPU=每小时美元`，例如 `h200=4.0`",
    },
    "err.baseline": {"en": "baseline must name a hardware preset", "zh": "基线须为一个硬件预设名"},
    "err.model_map": {
        "en": "model mapping {item}: expected NAME=PRESET",
        "zh": "模型映射 {item}：应为 `NAME=预设` 或 `NAME=sidebar`",
    },
    "err.spec_draft": {"en": "spec_draft must name a model preset", "zh": "spec_draft 须为一个模型预设名"},
    "err.spec_acceptance": {
        "en": "spec_acceptance needs one rate or {k}",
        "zh": "spec_acceptance 需要一个接受率或 {k} 个（每个草稿位置一个），当前 {n} 个",
    },
    "err.plan_disagg_rate": {
        "en": "disaggregated=on needs a request rate",
        "zh": "`disaggregated=on` 需要请求速率（两个池按速率配比）",
    },
    "err.plan_no_kv": {
        "en": "no KV cache fits beside the weights of a pipeline stage",
        "zh": "流水线一段的权重之外放不下任何 KV 缓存",
    },
    "err.spec_len": {
        "en": "mean acceptance length must be between 1 and k+1",
        "zh": "平均接受长度须在 1 到 k+1 = {k1} 之间，当前为 {got}",
    },
    "err.spec_rates": {
        "en": "per-position acceptance rates must be in [0, 1]",
        "zh": "各位置的接受率须在 [0, 1] 内，当前为 {got}",
    },
    "err.spec_draft_tp": {
        "en": "draft tensor-parallel size must be 1 or the target's TP",
        "zh": "草稿模型的 TP 须为 1 或目标模型的 TP（{tp}），当前为 {got}",
    },
    "err.spec_eagle": {
        "en": "EAGLE head hidden size differs",
        "zh": "EAGLE 头的隐藏维度 {a} 与目标模型的 {b} 不同",
    },
    "err.upload_big": {"en": "{name}: larger than {mb} MB", "zh": "{name}：超过 {mb} MB"},
    "err.upload_utf8": {"en": "{name}: not UTF-8 text", "zh": "{name}：不是 UTF-8 文本"},
    "err.spec_big": {"en": "sweep spec is larger than {n} bytes", "zh": "扫描配置超过 {n} 字节"},
    "err.spec_yaml": {"en": "sweep spec is not valid YAML/JSON: {why}", "zh": "扫描配置不是有效的 YAML/JSON：{why}"},
    "err.spec_deep": {"en": "sweep spec is nested too deeply", "zh": "扫描配置嵌套过深"},
    "err.not_csv": {"en": "not a CSV table: {why}", "zh": "不是 CSV 表格：{why}"},
    "err.csv_cols": {"en": "CSV lacks column(s): {cols}", "zh": "CSV 缺少列：{cols}（应有 {exp}）"},
    "err.scenarios_max": {"en": "at most 500 scenarios per table", "zh": "每个表最多 500 个场景"},
    "err.json_big": {"en": "JSON is larger than {kb} kB", "zh": "JSON 超过 {kb} kB"},
    "err.json_object": {"en": "expected a JSON object", "zh": "应为 JSON 对象 `{...}`"},
    "err.json_invalid": {
        "en": "not valid JSON (line {l}, column {c})",
        "zh": "不是有效的 JSON（第 {l} 行第 {c} 列：{why}）",
    },
    "err.json_deep": {"en": "JSON is nested too deeply", "zh": "JSON 嵌套过深"},
    "err.file_utf8": {"en": "file is not UTF-8 text", "zh": "文件不是 UTF-8 文本"},
    "err.cfg_fields": {"en": "invalid config fields: {what}", "zh": "配置字段无效：{what}"},
    "err.cfg_object": {"en": "the model config must be a JSON object", "zh": "模型配置须为 JSON 对象"},
    "err.cfg_missing": {
        "en": "config is missing or has invalid fields: {what}",
        "zh": "配置缺少字段或字段无效：{what}",
    },
    "err.cfg_missing_mt": {
        "en": "config is missing or has invalid fields: {what} (model_type {mt})",
        "zh": "配置缺少字段或字段无效：{what}（无法识别的 model_type {mt}）",
    },
    "err.cfg_types": {"en": "config has fields of the wrong type: {what}", "zh": "配置中有类型错误的字段：{what}"},
    "err.cfg_positive": {"en": "must be positive integers: {what}", "zh": "以下字段须为正整数：{what}"},
    "err.cfg_layer_types": {"en": "layer_types must list one entry per layer", "zh": "`layer_types` 须为每层列出一项"},
    "err.cfg_topk": {
        "en": "num_experts_per_tok must be between 1 and the number of experts",
        "zh": "`num_experts_per_tok` 须在 1 到专家数之间",
    },
    "err.cfg_mla_pos": {"en": "MLA needs positive {what}", "zh": "MLA 要求以下字段为正：{what}"},
    "err.cfg_mla_missing": {"en": "MLA config is missing: {what}", "zh": "MLA 配置缺少：{what}"},
    "err.cfg_moe_missing": {"en": "MoE config is missing: {what}", "zh": "MoE 配置缺少：{what}"},
    "err.cfg_moe_ffn": {
        "en": "moe_intermediate_size must be positive for a MoE model",
        "zh": "MoE 模型的 `moe_intermediate_size` 须为正",
    },
    "err.cfg_head_dim": {"en": "head_dim must be positive", "zh": "`head_dim` 须为正"},
    "err.cfg_gqa": {
        "en": "num_attention_heads must be a multiple of num_key_value_heads",
        "zh": "`num_attention_heads` 须为 `num_key_value_heads` 的整数倍",
    },
    "err.hw_object": {"en": "a hardware profile must be a JSON object", "zh": "硬件配置须为 JSON 对象"},
    "err.hw_missing": {"en": "hardware profile is missing: {what}", "zh": "硬件配置缺少：{what}"},
    "err.hw_bf16": {"en": "peak_tflops.bf16 must be given", "zh": "必须给出 `peak_tflops.bf16`（稠密 TFLOP/s）"},
    "err.hw_name": {"en": "name must be 1 to 200 characters", "zh": "`name` 须为 1 到 200 个字符"},
    "err.between": {"en": "{name} must be between {lo} and {hi}", "zh": "{name} 须在 {lo} 到 {hi} 之间，当前为 {got}"},
    "err.null_positive": {
        "en": "{name} must be null or a positive finite number",
        "zh": "{name} 须为 `null` 或正的有限数，当前为 {got}",
    },
    "err.empty_file": {"en": "{src}: empty file", "zh": "{src}：文件为空"},
    "err.missing_cols": {"en": "{src}: missing column(s) {cols}", "zh": "{src}：缺少列 {cols}"},
    "err.no_rows": {"en": "{src}: no rows", "zh": "{src}：没有数据行"},
    "err.json_result_object": {"en": "a JSON result must be an object", "zh": "JSON 结果须为对象"},
    "err.csv_empty": {"en": "{src}: the file is empty", "zh": "{src}：文件为空（应有表头行与数据行）"},
    "err.csv_header_only": {"en": "{src}: header but no data rows", "zh": "{src}：只有表头，没有数据行"},
    "err.csv_dupes": {"en": "{src}: duplicate columns {cols}", "zh": "{src}：表头中列 {cols} 出现了不止一次"},
    "err.csv_unreadable": {
        "en": "{src}: not a readable CSV/TSV table",
        "zh": "{src}：不是可读取的 CSV/TSV 表格（{why}）",
    },
    "err.csv_utf8": {"en": "{src}: not a UTF-8 text file", "zh": "{src}：不是 UTF-8 文本文件（应为 CSV 或 TSV）"},
    "err.no_steps": {"en": "no measured steps given", "zh": "没有给出实测 step（step 文件的列为 {cols}）"},
    "err.bench_unrecognised": {
        "en": "unrecognised file",
        "zh": "无法识别的文件：场景 CSV 需要列 {cols}（或提供 vLLM / AIPerf 的 JSON 结果）",
    },
    "err.sweep_object": {"en": "sweep spec must be a JSON/YAML object", "zh": "扫描配置须为 JSON/YAML 对象"},
    "err.sweep_needs": {
        "en": "sweep spec needs models, hardware and workloads",
        "zh": "扫描配置需要 `models`、`hardware` 与 `workloads`",
    },
    "err.sweep_unknown": {
        "en": "sweep spec: unknown key(s) {keys}",
        "zh": "扫描配置：未知的键 {keys}（允许：{allowed}）",
    },
    "err.sweep_key_empty": {"en": "sweep spec: {key} must not be empty", "zh": "扫描配置：{key} 不能为空"},
    "err.sweep_key_big": {
        "en": "sweep spec: {key} has more than 10,000 values",
        "zh": "扫描配置：{key} 超过 10,000 个值",
    },
    "err.sweep_ints": {
        "en": "sweep spec: {key} values must be integers",
        "zh": "扫描配置：{key} 的值须为 [1, {hi}] 内的整数，当前为 {got}",
    },
    "err.sweep_seeds": {
        "en": "sweep spec: seeds must be integers",
        "zh": "扫描配置：`seeds` 的值须为 [0, 2^31) 内的整数，当前为 {got}",
    },
    "err.unknown_keys": {"en": "{where}: unknown key(s) {keys}", "zh": "{where}：未知的键 {keys}（允许：{allowed}）"},
    "err.rate_or_conc": {
        "en": "{where}: give request_rate or concurrency, not both",
        "zh": "{where}：`request_rate` 与 `concurrency` 只能给一个",
    },
    "err.trace_or_lens": {
        "en": "{where}: give either trace or input_len/output_len",
        "zh": "{where}：`trace` 与 `input_len`/`output_len` 只能二选一",
    },
    "err.required_or_trace": {
        "en": "{where}: {k} is required (or give trace)",
        "zh": "{where}：需要 {k}（或给出 `trace`）",
    },
    "err.trace_empty2": {"en": "trace is empty", "zh": "trace 为空"},
    "err.trace_no_requests": {"en": "trace has no requests", "zh": "trace 中没有请求"},
    "err.burst_header": {"en": "BurstGPT trace has no header", "zh": "BurstGPT trace 没有表头"},
    "err.burst_cols": {"en": "BurstGPT trace lacks the column(s) {cols}", "zh": "BurstGPT trace 缺少列 {cols}"},
    "err.burst_none": {"en": "BurstGPT trace has no successful requests", "zh": "BurstGPT trace 中没有成功的请求"},
    "err.spec_rates_n": {
        "en": "acceptance rates: expected {k} values",
        "zh": "接受率：应有 {k} 个值（每个投机 token 一个），当前 {n} 个",
    },
    "err.spec_needs_draft": {
        "en": "method draft_model needs a draft model",
        "zh": "`draft_model` 方法需要草稿模型（预设名或 config.json 路径）",
    },
    "err.spec_rates_empty": {"en": "the acceptance-rate list is empty", "zh": "接受率列表为空"},
    "err.spec_rates_k": {
        "en": "acceptance-rate list has {n} values but k is {k}",
        "zh": "接受率列表有 {n} 个值，而 `num_speculative_tokens` 为 {k}",
    },
    "err.curve_empty": {"en": "an efficiency curve needs at least one point", "zh": "效率曲线至少需要一个点"},
    "err.curve_big": {"en": "an efficiency curve has at most {n} points", "zh": "效率曲线最多 {n} 个点"},
    "err.curve_finite": {
        "en": "efficiency curve values must be finite numbers",
        "zh": "效率曲线的值须为有限数（不能是 `NaN` 或无穷）",
    },
    "err.curve_x": {
        "en": "efficiency curve x values must be positive and increasing",
        "zh": "效率曲线的 x 值须为正且递增",
    },
    "err.curve_range": {"en": "efficiency values must be in (0, 1.5]", "zh": "效率值须在 (0, 1.5] 内"},
    "err.eff_finite": {"en": "{name}: must be a finite number", "zh": "{name}：须为有限数"},
}
