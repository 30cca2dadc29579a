"""Synthetic multi-turn traces with shared prefixes (Mooncake-style ``hash_ids``), for samples,
tests and benchmarks — nothing is downloaded.

Model of the traffic: ``num_system_prompts`` system prompts of ``system_len`` tokens are shared by
all conversations (each conversation picks one uniformly). A conversation has a geometric number of
turns (mean ``mean_turns``); turn ``t`` sends the whole history (system prompt + every earlier user
message and answer) plus a new user message of lognormal length (mean ``user_len``) and gets an
answer of lognormal length (mean ``output_len``). Conversations start as a Poisson process of rate
``conversation_rate``; the next turn of a conversation arrives ``think_time_s`` (exponential) after
the previous answer would be read (approximated as the previous arrival + think time).

Prefix ids are chained as in Mooncake: the id of block ``j`` of a prompt is a function of the ids
before it and of the block's content owner, so two prompts share an id exactly when they share
the whole prefix up to that block. Deterministic in ``seed``.
"""

from __future__ import annotations

import math

import numpy as np

from dashboard.sim.traces import TraceWorkload
from dashboard.sim.workload import Workload

__all__ = ["burstgpt_csv", "synthetic_multiturn_trace", "write_samples"]


def synthetic_multiturn_trace(
    num_requests: int = 1000,
    *,
    block_size: int = 512,
    num_system_prompts: int = 4,
    system_len: int = 1024,
    user_len: int = 256,
    output_len: int = 200,
    mean_turns: float = 3.0,
    conversation_rate: float = 2.0,
    think_time_s: float = 10.0,
    seed: int = 0,
) -> TraceWorkload:
    """A trace of ``num_requests`` requests (see the module docstring)."""
    if num_requests < 1 or block_size < 1 or num_system_prompts < 1 or system_len < 0:
        raise ValueError("num_requests, block_size and num_system_prompts must be positive")
    if mean_turns < 1 or conversation_rate <= 0 or think_time_s < 0:
        raise ValueError("mean_turns must be ≥ 1, conversation_rate > 0, think_time_s ≥ 0")
    rng = np.random.default_rng(seed)
    sigma = 0.6
    next_id = [0]
    chain: dict[tuple[int, int], int] = {}

    def block_id(prev: int, owner: int) -> int:
        key = (prev, owner)
        if key not in chain:
            next_id[0] += 1
            chain[key] = next_id[0]
        return chain[key]

    def lognormal(mean: int) -> int:
        return max(1, round(rng.lognormal(math.log(mean) - sigma * sigma / 2, sigma)))

    reqs: list[tuple[float, int, int, tuple[int, ...]]] = []
    t = 0.0
    conv = 0
    while len(reqs) < num_requests:
        t += float(rng.exponential(1.0 / conversation_rate))
        conv += 1
        sp = int(rng.integers(num_system_prompts))
        # token owners: a list of (owner, tokens) segments; system prompts are owned by -(sp+1)
        segments: list[tuple[int, int]] = [(-(sp + 1), system_len)] if system_len else []
        turns = int(rng.geometric(1.0 / mean_turns))
        at = t
        for turn in range(turns):
            if len(reqs) >= num_requests:
                break
            segments.append((conv * 10_000 + 2 * turn, lognormal(user_len)))
            prompt = sum(n for _, n in segments)
            out = lognormal(output_len)
            # hash ids: one per block; a block's owner is the segment holding its first token,
            # and its id chains on the previous id (shared only along an identical prefix)
            ids: list[int] = []
            prev = 0
            pos = 0
            seg_i = 0
            seg_end = segments[0][1] if segments else 0
            for start in range(0, prompt, block_size):
                while start >= seg_end and seg_i + 1 < len(segments):
                    seg_i += 1
                    seg_end += segments[seg_i][1]
                # a block spanning several segments is owned by all of them: fold their owners in
                owner = segments[seg_i][0]
                end = min(prompt, start + block_size)
                j, e = seg_i, seg_end
                while end > e and j + 1 < len(segments):
                    j += 1
                    e += segments[j][1]
                    owner = owner * 1_000_003 + segments[j][0]
                prev = block_id(prev, owner if end - start == block_size else owner * 7 + end - start)
                ids.append(prev)
                pos = end
            del pos
            reqs.append((at, prompt, out, tuple(ids)))
            segments.append((conv * 10_000 + 2 * turn + 1, out))
            at += float(rng.exponential(think_time_s)) if think_time_s > 0 else 0.0
    reqs.sort(key=lambda r: r[0])
    t0 = reqs[0][0]
    all_ids = tuple(r[3] for r in reqs)
    wl = Workload(
        tuple(r[0] - t0 for r in reqs),
        tuple(r[1] for r in reqs),
        tuple(r[2] for r in reqs),
        hash_ids=all_ids,
        hash_block_size=block_size,
    )
    return TraceWorkload(wl, "mooncake", all_ids, block_size)


def burstgpt_csv(
    num_requests: int = 200, *, rate: float = 2.0, burstiness: float = 0.5, failed_every: int = 25, seed: int = 0
) -> str:
    """A BurstGPT-format CSV (``Timestamp, Model, Request tokens, Response tokens, Total tokens,
    Log Type``): gamma arrivals (shape ``burstiness``), lognormal lengths, and every
    ``failed_every``-th row a failed request with zero response tokens, as BurstGPT logs them."""
    rng = np.random.default_rng(seed)
    gaps = rng.gamma(burstiness, 1.0 / (rate * burstiness), num_requests)
    ts = np.cumsum(gaps)
    req = np.maximum(1, np.rint(rng.lognormal(math.log(600) - 0.32, 0.8, num_requests))).astype(int)
    resp = np.maximum(1, np.rint(rng.lognormal(math.log(250) - 0.32, 0.8, num_requests))).astype(int)
    lines = ["Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type"]
    for i in range(num_requests):
        r = 0 if failed_every and (i + 1) % failed_every == 0 else int(resp[i])
        model = "ChatGPT" if i % 3 else "GPT-4"
        lines.append(f"{ts[i]:.3f},{model},{req[i]},{r},{req[i] + r},Conversation log")
    return "\n".join(lines) + "\n"


def write_samples(directory: str) -> list[str]:
    """Write the shipped sample traces (Mooncake JSONL, BurstGPT CSV, project CSV) into
    ``directory``; deterministic, so the files can be regenerated and compared."""
    from pathlib import Path

    from dashboard.sim.traces import trace_to_mooncake_jsonl

    d = Path(directory)
    tw = synthetic_multiturn_trace(300, block_size=512, conversation_rate=1.0, think_time_s=20.0, seed=7)
    files = {
        "mooncake_multiturn_sample.jsonl": trace_to_mooncake_jsonl(tw),
        "burstgpt_sample.csv": burstgpt_csv(200, seed=7),
    }
    alibaba = synthetic_multiturn_trace(
        200,
        block_size=16,
        system_len=512,
        user_len=128,
        output_len=128,
        conversation_rate=2.0,
        think_time_s=5.0,
        seed=11,
    )
    files["alibaba_style_block16_sample.jsonl"] = trace_to_mooncake_jsonl(alibaba)
    w = tw.workload
    rows = ["arrival_s,prompt_tokens,output_tokens"] + [
        f"{round(a, 3)},{p},{o}" for a, p, o in zip(w.arrival_s, w.prompt, w.output, strict=True)
    ]
    files["project_trace_sample.csv"] = "\n".join(rows) + "\n"
    written = []
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
        written.append(str(d / name))
    return written
