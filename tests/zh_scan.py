"""Collect the user-visible text of a page rendered by AppTest and find English words in it.

Used by tests/test_zh_complete.py. What counts as allowed English in a 简体中文 page: units,
numbers, model/hardware/engine names, code identifiers (snake_case, dotted paths, anything in
backticks, file names), standard abbreviations (TTFT, TPOT, GPU, …) and the listed technical terms
that Chinese engineering text keeps in English (prefill, decode, chunk, …)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

# words Chinese LLM-serving text keeps as they are (lower-cased)
ALLOWED_WORDS = {
    # units and unit words
    "ms",
    "us",
    "µs",
    "s",
    "gb",
    "gib",
    "mb",
    "mib",
    "kb",
    "kib",
    "tb",
    "tib",
    "tok",
    "tokens",
    "token",
    "req",
    "tflop",
    "tflops",
    "pflop",
    "flop",
    "flops",
    "gflop",
    "mhz",
    "ghz",
    "w",
    "kw",
    "usd",
    "b",
    "m",
    "k",
    "x",
    "hz",
    "bytes",
    "byte",
    "bit",
    "bits",
    # abbreviations
    "ttft",
    "tpot",
    "itl",
    "e2e",
    "gpu",
    "gpus",
    "cpu",
    "hbm",
    "ddr",
    "pcie",
    "nvlink",
    "ib",
    "roce",
    "sm",
    "sms",
    "l2",
    "tp",
    "ep",
    "dp",
    "pp",
    "moe",
    "mla",
    "gqa",
    "mha",
    "mqa",
    "kv",
    "sla",
    "slo",
    "mfu",
    "qps",
    "rps",
    "csv",
    "json",
    "tsv",
    "url",
    "api",
    "cli",
    "hf",
    "fp8",
    "fp4",
    "bf16",
    "fp16",
    "fp32",
    "int8",
    "int4",
    "nvfp4",
    "mxfp4",
    "gemm",
    "gemv",
    "mma",
    "sfu",
    "tma",
    "wgmma",
    "ffn",
    "mlp",
    "rope",
    "rmsnorm",
    "lm",
    "head",
    "lm_head",
    "qkv",
    "pd",
    "p50",
    "p90",
    "p95",
    "p99",
    "p999",
    "tdp",
    "id",
    "ok",
    "n/a",
    "vs",
    "eta",
    "phi",
    "max",
    "min",
    "avg",
    "mean",
    "std",
    "log",
    "exp",
    "ceil",
    "floor",
    "fa3",
    "fa2",
    "nccl",
    "allreduce",
    "all-reduce",
    "all_reduce",
    "all-to-all",
    "alltoall",
    "a2a",
    "ar",
    "ag",
    "rs",
    "dram",
    "sram",
    "smem",
    "hopper",
    "blackwell",
    "ampere",
    "cuda",
    "tensor",
    "core",
    "cores",
    "warp",
    "warpgroup",
    "lru",
    "fcfs",
    "sjf",
    "lpm",
    "ipc",
    "io",
    "mtp",
    "eagle",
    "eagle3",
    "ngram",
    "spec",
    "draft",
    "inferencemax",
    "mlperf",
    "trt",
    "trtllm",
    "tensorrt",
    "llm",
    "vllm",
    "sglang",
    "dynamo",
    "lmcache",
    # serving terms kept in English in Chinese docs
    "prefill",
    "decode",
    "chunk",
    "chunked",
    "batch",
    "prefix",
    "offload",
    "expert",
    "experts",
    "router",
    "softmax",
    "attention",
    "roofline",
    "pareto",
    "goodput",
    "poisson",
    "gamma",
    "uniform",
    "zipf",
    "lognormal",
    "fixed",
    "trace",
    "warmup",
    "warm-up",
    "burst",
    "seed",
    "seeds",
    "step",
    "steps",
    "block",
    "blocks",
    "tile",
    "tiles",
    "wave",
    "waves",
    "stream",
    "kernel",
    "kernels",
    "latency",
    "throughput",
    "query",
    "key",
    "hidden",
    "overlap",
    "pinned",
    "split-k",
    "infiniband",
    "ray",
    "kubernetes",
    "tensorrt-llm",
    "rescale",
    "speculative",
    "decoding",
    "prompt",
    "prompts",
    "aiperf",
    "inferencex",
    "english",
    "light",
    "dark",
    "deploy",
    "stop",
    "rerun",
    "dtype",
    "dtypes",
    "embedding",
    "embeddings",
    "logits",
    "oom",
    "scale-up",
    "scale-out",
    "params",
}
# table columns whose cells cite a source (document titles and URLs stay as cited)
CITATION_COLUMNS = {"source", "sources", "来源"}
# proper names: authors cited in the help panels, organisations, software and venues
# ("ros": Rosén, whose "é" ends the ASCII word match; "flash": PyTorch's SDPA backend of that name)
PROPER_NAMES = {
    "leviathan",
    "shah",
    "little",
    "hugging",
    "face",
    "pytorch",
    "cudnn",
    "arxiv",
    "flash",
    "ros",
    "burstgpt",
}
# model / hardware / vendor names and their fragments
NAME_RE = re.compile(
    r"(?i)\b(cuda graphs?|flashattention|flashinfer|cublas|cutlass|triton|llama|qwen|deepseek|mistral|mixtral|gpt|oss|kimi|glm|gemma|phi|nvidia|amd|intel|huawei|ascend|"
    r"instinct|mi\d+\w*|[abhl]\d{2,3}\w*|gb\d+\w*|b\d{3}\w*|rtx|sxm\w*|pcie|hgx|dgx|nvl\d*|v\d+(\.\d+)?|"
    r"r1|v3|a\d+b|instruct|chat|base|lite|fp\w+|bf\w+|int\w+|e\dm\d)\b"
)
CODE_RE = re.compile(
    r"「[^」]*」|`[^`]*`|\$[^$]*\$|\\\(.*?\\\)|https?://\S+|\b[\w-]+\.(?:py|json|csv|md|tsv|txt)\b|"
    r"\b\w+(?:[._/]\w+)+\b|\b\w*\d\w*\b|\{[^}]*\}"
)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def english_words(text: str, extra_allowed: set[str] = frozenset()) -> list[str]:
    """English words in ``text`` that are not units, names, identifiers or allowed terms."""
    text = CODE_RE.sub(" ", text)
    text = NAME_RE.sub(" ", text)
    bad = []
    for w in WORD_RE.findall(text):
        lw = w.lower()
        if lw in ALLOWED_WORDS or lw in PROPER_NAMES or lw in extra_allowed or len(w) == 1:
            continue
        if w.isupper() and len(w) <= 6:  # an abbreviation (MFU, SLA, FCFS…)
            continue
        bad.append(w)
    return bad


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def visible_texts(at: Any, root: Any = None) -> list[tuple[str, str]]:
    """(kind, text) of every user-visible string AppTest exposes: titles, markdown, captions, alerts,
    metric labels/values and tooltips, widget labels/options/tooltips, expander/tab labels, table
    column headers and text cells (code blocks are skipped: they show commands and config files)."""
    out: list[tuple[str, str]] = []
    for node in _walk(root if root is not None else at._tree):
        kind = getattr(node, "type", type(node).__name__)
        proto = getattr(node, "proto", None)
        if kind == "code":  # st.code: launch commands, JSON, YAML — code, not prose
            continue
        help_text = getattr(proto, "help", None) if proto is not None else None
        if isinstance(help_text, str) and help_text.strip():  # the tooltip of a widget or metric
            out.append((f"{kind}.help", help_text))
        for attr in ("value", "label", "body", "placeholder"):
            if attr == "value" and kind in {
                "number_input",
                "text_input",
                "text_area",
                "slider",
                "selectbox",
                "radio",
                "multiselect",
                "checkbox",
                "toggle",
                "select_slider",
                "date_input",
                "time_input",
                "color_picker",
                "button",
            }:
                continue
            try:
                v = getattr(node, attr, None)
            except Exception:
                v = None
            if isinstance(v, str) and v.strip():
                out.append((f"{kind}.{attr}", v))
        opts = getattr(node, "options", None)
        if isinstance(opts, list | tuple):
            out.extend((f"{kind}.option", str(o)) for o in opts)
        if kind == "dataframe":
            try:
                config = json.loads(proto.columns) if proto is not None and proto.columns else {}
            except (AttributeError, ValueError):
                config = {}
            try:
                df = node.value
                cols = [str(c) for c in df.columns]
            except Exception:
                cols = []
            for c in cols:  # a column_config label is what the header shows
                conf = config.get(c) or {}
                header = str(conf.get("label") or c)
                out.append((f"{kind}.column", header))
                if conf.get("help"):
                    out.append((f"{kind}.column_help", str(conf["help"])))
                if header not in CITATION_COLUMNS:  # text cells (citations are titles, kept as cited)
                    cells = {v for v in df[c] if isinstance(v, str)}
                    out.extend((f"{kind}.cell[{header}]", v) for v in sorted(cells)[:500])
        if proto is not None and kind in {"expander", "tab"}:
            label = getattr(proto, "label", "")
            if label:
                out.append((f"{kind}.label", label))
    seen: set[str] = set()  # value and body repeat each other
    return [(k, t) for k, t in out if not (t in seen or seen.add(t))]


def _title(obj: Any) -> str:
    """The text of a Plotly ``title`` (a string or ``{"text": ...}``)."""
    if isinstance(obj, dict):
        obj = obj.get("text")
    return obj if isinstance(obj, str) else ""


def figure_texts(spec: Any) -> list[tuple[str, str]]:
    """(kind, text) of the words a Plotly figure shows: its title, axis and legend titles, colour-bar
    titles, annotations, trace names (legend entries), category labels of its axes and the text and
    hover boxes of its points (Plotly ``%{...}`` fields and HTML tags dropped). ``spec`` is
    the figure as a dict (``fig.to_dict()`` or the JSON a ``plotly_chart`` element carries)."""
    out: list[tuple[str, str]] = []
    layout = spec.get("layout", {}) or {}
    out.append(("figure.title", _title(layout.get("title"))))
    for key, axis in layout.items():
        if isinstance(axis, dict) and (key.startswith(("xaxis", "yaxis")) or key == "coloraxis"):
            out.append((f"figure.{key}", _title(axis.get("title"))))
            out.append((f"figure.{key}.colorbar", _title((axis.get("colorbar") or {}).get("title"))))
            out.extend((f"figure.{key}.tick", str(t)) for t in axis.get("ticktext") or [])
    out.append(("figure.legend", _title((layout.get("legend") or {}).get("title"))))
    out.extend(("figure.annotation", str(a.get("text", ""))) for a in layout.get("annotations") or [])
    for trace in spec.get("data", []) or []:
        if trace.get("showlegend", True) is not False or len(spec.get("data", [])) > 1:
            out.append(("figure.trace", str(trace.get("name") or "")))
        out.append(("figure.colorbar", _title((trace.get("colorbar") or {}).get("title"))))
        for axis in ("x", "y"):  # category labels (bars, heatmaps): strings, not numbers
            vals = trace.get(axis)
            if isinstance(vals, list) and vals and all(isinstance(v, str) for v in vals):
                out.extend((f"figure.{axis}.category", v) for v in vals)
        for key in ("text", "hovertext", "hovertemplate"):  # point labels and hover boxes
            vals = trace.get(key)
            for v in (vals if isinstance(vals, list) else [vals])[:200]:
                if isinstance(v, str):
                    out.append((f"figure.{key}", re.sub(r"%\{[^}]*\}|<[^>]*>", " ", v)))
    seen: set[str] = set()
    return [(k, t) for k, t in out if t.strip() and not (t in seen or seen.add(t))]


def chart_texts(at: Any) -> list[tuple[str, str]]:
    """:func:`figure_texts` of every Plotly chart an AppTest page rendered."""
    out: list[tuple[str, str]] = []
    for el in at.get("plotly_chart"):
        out.extend(figure_texts(json.loads(el.proto.spec)))
    return out
