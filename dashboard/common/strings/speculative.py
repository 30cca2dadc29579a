"""Strings of the speculative-decoding section (quick estimation and simulator pages)."""

STRINGS = {
    "spec.header": {"en": "Speculative decoding", "zh": "投机解码（Speculative decoding）"},
    "spec.on": {"en": "Model speculative decoding", "zh": "启用投机解码建模"},
    "spec.method": {"en": "Method", "zh": "方法"},
    "spec.k": {"en": "Draft tokens per step k", "zh": "每步草稿 token 数 k"},
    "spec.acceptance": {
        "en": "Acceptance rate α (one number, or one per position: 0.9, 0.8, 0.7)",
        "zh": "接受率 α（一个数，或逐位置：0.9, 0.8, 0.7）",
    },
    "spec.draft": {"en": "Draft model", "zh": "草稿模型"},
    "spec.batches": {"en": "Batch sizes of the curve", "zh": "曲线的批量取值"},
    "spec.m_expected": {"en": "Tokens per step E", "zh": "每步期望 token 数 E"},
    "spec.m_tpot_off": {"en": "TPOT without (ms)", "zh": "不启用时 TPOT（毫秒）"},
    "spec.m_tpot_on": {"en": "TPOT with (ms)", "zh": "启用时 TPOT（毫秒）"},
    "spec.m_speedup": {"en": "TPOT speedup", "zh": "TPOT 加速比"},
    "spec.m_draft": {"en": "Draft / verify (ms)", "zh": "草稿 / 验证（毫秒）"},
    "spec.m_draft_mem": {"en": "Draft weights (GiB/GPU)", "zh": "草稿权重（GiB/卡）"},
    "spec.at": {
        "en": "At batch {batch} and context {ctx} tokens (decode step).",
        "zh": "批量 {batch}、上下文 {ctx} token 时（decode 步）。",
    },
    "spec.tpot_title": {"en": "TPOT vs batch, with and without speculation", "zh": "TPOT 随批量变化（启用 / 不启用）"},
    "spec.tps_title": {
        "en": "Output tokens/s vs batch, with and without",
        "zh": "输出 tok/s 随批量变化（启用 / 不启用）",
    },
    "spec.off": {"en": "without", "zh": "不启用"},
    "spec.with": {"en": "with {method}", "zh": "启用 {method}"},
    "spec.crossover": {
        "en": "Speculation stops paying (speedup ≤ 1) from batch **{batch}** on.",
        "zh": "从批量 **{batch}** 起投机解码不再有收益（加速比 ≤ 1）。",
    },
    "spec.no_crossover": {
        "en": "Speculation pays at every batch of the curve.",
        "zh": "曲线内所有批量下投机解码都有收益。",
    },
    "spec.vllm": {"en": "vLLM flag", "zh": "vLLM 参数"},
    "spec.sim_header": {
        "en": "Simulated with speculation (same workload and seed)",
        "zh": "启用投机解码的仿真（相同负载与随机种子）",
    },
    "spec.sim_accept": {
        "en": "Acceptance length realised: {real:.3f} (expected {exp:.3f}).",
        "zh": "实际接受长度：{real:.3f}（期望 {exp:.3f}）。",
    },
    "spec.m_ttft": {"en": "TTFT p50, speculative (ms)", "zh": "TTFT p50，投机解码（毫秒）"},
    "spec.m_tpot": {"en": "TPOT p50, speculative (ms)", "zh": "TPOT p50，投机解码（毫秒）"},
    "spec.m_itl": {"en": "ITL mean, speculative (ms)", "zh": "ITL 均值，投机解码（毫秒）"},
    "spec.m_tps": {"en": "Output tok/s, speculative", "zh": "输出 tok/s，投机解码"},
    "spec.help": {
        "en": "Speculative decoding: each decode step runs k draft passes, verifies the k drafts plus one "
        "token per sequence in one target forward (priced as a short prefill of k+1 tokens after the "
        "context) and rejection-samples; it emits E = 1 + Σᵢ Πⱼ≤ᵢ aⱼ tokens per sequence "
        "(constant α: (1 − α^(k+1)) / (1 − α), Leviathan et al. 2023). TPOT = step time ÷ E. The draft's "
        "weights and KV cache come out of the KV budget. At small batch the step is memory-bound and "
        "verifying k+1 tokens costs about one decode step, so TPOT drops by up to E; at large batch the "
        "step is compute-bound, verification costs ~(k+1)× and the benefit vanishes (crossover batch).",
        "zh": "投机解码：每个 decode 步先跑 k 次草稿前向，再用一次目标模型前向验证每条序列的 k 个草稿加 1 个 token"
        "（按上下文之后 k+1 个 token 的短 prefill 计价），最后做拒绝采样；每条序列每步期望产出 "
        "E = 1 + Σᵢ Πⱼ≤ᵢ aⱼ 个 token（恒定 α 时为 (1 − α^(k+1)) / (1 − α)，Leviathan 等 2023）。"
        "TPOT = 单步时间 ÷ E。草稿模型的权重与 KV 缓存从 KV 预算中扣除。小批量时单步受访存限制，验证 k+1 个 "
        "token 的代价约等于一次 decode，TPOT 最多下降 E 倍；大批量时单步受算力限制，验证代价约为 (k+1) 倍，"
        "收益消失（交叉批量）。",
    },
}
