"""Launch commands for a serving plan: ``vllm serve``, SGLang, ``trtllm-serve`` (+ its extra-options
YAML) and a Kubernetes manifest (vLLM Deployment + Service; prefill and decode Deployments with a KV
connector for a disaggregated plan).

Every flag printed here is in the engine's documented flag list, kept as cited data in
``dashboard/data/engine_flags.json`` (the tests parse each emitted command against it; the engines
themselves cannot be installed in tests: they pull CUDA builds of torch).

Mapping of a plan onto the engines (one launch = one *replica*; ``replicas`` copies run side by side
behind a load balancer, the request rate split evenly between them):

* ``tp`` → ``--tensor-parallel-size`` / ``--tp-size`` / ``--tp_size``; ``pp`` likewise.
* ``dp`` (data-parallel ranks inside one engine, attention data-parallel for MoE with EP) →
  ``--data-parallel-size``; SGLang ``--tp-size tp·dp --dp-size dp --enable-dp-attention`` (SGLang's TP
  group spans all the engine's GPUs and DP-attention splits it); TRT-LLM ``--tp_size tp·dp`` with
  ``enable_attention_dp: true``.
* ``ep > 1`` → ``--enable-expert-parallel`` (vLLM uses EP = TP × DP), ``--ep-size`` / ``--ep_size``.
* ``max_num_seqs`` / ``max_num_batched_tokens`` per replica → ``--max-num-seqs`` /
  ``--max-num-batched-tokens``, SGLang ``--max-running-requests`` / ``--chunked-prefill-size``,
  TRT-LLM ``--max_batch_size`` / ``--max_num_tokens``.
* KV dtype fp8 → ``--kv-cache-dtype fp8`` (``fp8_e4m3`` for SGLang; ``kv_cache_config.dtype: fp8``).
* ``--quantization`` only when the run format differs from the checkpoint's and the engine can
  quantise online (fp8 on a 16-bit checkpoint); a native fp8 / MXFP4 checkpoint is detected from its
  ``quantization_config`` and needs no flag.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.features.params import param, validate_params

__all__ = [
    "EMIT_TARGETS",
    "ENGINES",
    "EmitTarget",
    "LaunchSpec",
    "engine_flags",
    "launch_commands",
    "launch_from_search_row",
]

ENGINES = ("vllm", "sglang", "trtllm")
EMIT_TARGETS = (*ENGINES, "k8s")


@dataclass(frozen=True)
class EmitTarget:
    """Which launch text of the best configuration to print (a key of :func:`launch_commands`),
    declared once: ``modeling plan/search --emit`` take their choices from it."""

    emit: str | None = param(
        None,
        choices=EMIT_TARGETS,
        optional=True,
        label="Launch text",
        help="print only the launch command / manifest of the best configuration",
    )

    def __post_init__(self) -> None:
        validate_params(self)


_FLAGS_FILE = Path(__file__).resolve().parent.parent / "data" / "engine_flags.json"
_VLLM_IMAGE = "vllm/vllm-openai:latest"


@lru_cache(maxsize=1)
def engine_flags() -> dict[str, Any]:
    """The cited flag lists of ``dashboard/data/engine_flags.json``."""
    return json.loads(_FLAGS_FILE.read_text())


@dataclass(frozen=True)
class LaunchSpec:
    """What one replica (or one prefill / decode worker pool) runs."""

    model_id: str  # Hugging Face id or local path
    tp: int = 1
    dp: int = 1
    ep: int = 1
    pp: int = 1
    max_num_seqs: int = 256
    max_num_batched_tokens: int = 8192
    max_model_len: int = 4096
    gpu_memory_utilization: float = 0.9
    kv_dtype: str = "bf16"
    weight_dtype: str = "bf16"
    checkpoint_dtype: str = "bf16"  # the format the checkpoint ships in
    replicas: int = 1
    role: str = "both"  # "both" | "prefill" | "decode"
    name: str = "llm"
    gpus_per_node: int = 8  # a replica wider than this spans nodes (Ray cluster / LeaderWorkerSet)
    # speculative decoding (features/speculative.py): vLLM --speculative-config JSON, SGLang flags
    speculative_config: str | None = None
    sglang_speculative: tuple[str, ...] = ()
    trtllm_speculative: str | None = None  # the YAML line ``speculative_config: {...}``

    @property
    def gpus(self) -> int:
        return self.tp * self.dp * self.pp

    @property
    def nodes(self) -> int:
        """Nodes one replica spans (``ceil(gpus / gpus_per_node)``)."""
        return -(-self.gpus // max(1, self.gpus_per_node))


def _q(s: str) -> str:
    return shlex.quote(s)


def _quantization(spec: LaunchSpec) -> str | None:
    if spec.weight_dtype == spec.checkpoint_dtype or spec.weight_dtype in ("bf16", "fp16"):
        return None
    if spec.weight_dtype == "fp8" and spec.checkpoint_dtype in ("bf16", "fp16"):
        return "fp8"  # online dynamic fp8 quantisation
    return None  # int4 / fp4 need a pre-quantised checkpoint: see the note in the command


def _note(spec: LaunchSpec) -> str:
    if (
        spec.weight_dtype != spec.checkpoint_dtype
        and _quantization(spec) is None
        and spec.weight_dtype not in ("bf16", "fp16")
    ):
        return (
            f"# note: {spec.weight_dtype} weights need a {spec.weight_dtype} checkpoint of this model "
            f"(the engine cannot quantise {spec.checkpoint_dtype} to {spec.weight_dtype} at load time)\n"
        )
    return ""


def vllm_command(spec: LaunchSpec) -> str:
    """``vllm serve`` for one replica (one engine of tp × dp × pp GPUs)."""
    a = ["vllm", "serve", _q(spec.model_id), "--tensor-parallel-size", str(spec.tp)]
    if spec.pp > 1:
        a += ["--pipeline-parallel-size", str(spec.pp)]
    if spec.dp > 1:
        a += ["--data-parallel-size", str(spec.dp)]
    if spec.ep > 1:
        a += ["--enable-expert-parallel"]
    a += [
        "--max-num-seqs",
        str(spec.max_num_seqs),
        "--max-num-batched-tokens",
        str(spec.max_num_batched_tokens),
        "--max-model-len",
        str(spec.max_model_len),
        "--gpu-memory-utilization",
        f"{spec.gpu_memory_utilization:g}",
        "--kv-cache-dtype",
        "fp8" if spec.kv_dtype == "fp8" else "auto",
    ]
    q = _quantization(spec)
    if q:
        a += ["--quantization", q]
    if spec.role in ("prefill", "decode"):
        cfg = {"kv_connector": "NixlConnector", "kv_role": "kv_both"}
        a += ["--kv-transfer-config", _q(json.dumps(cfg, separators=(",", ":")))]
    if spec.speculative_config:
        a += ["--speculative-config", _q(spec.speculative_config)]
    head = ""
    if spec.nodes > 1:  # vLLM runs a multi-node engine on a Ray cluster (docs/serving/parallelism_scaling.md)
        a += ["--distributed-executor-backend", "ray"]
        head = (
            f"# multi-node replica ({spec.nodes} nodes × {spec.gpus_per_node} GPUs): start a Ray cluster of "
            f"{spec.nodes} nodes first (vLLM examples/online_serving/multi-node-serving.sh), then on the head:\n"
        )
    return _note(spec) + head + " ".join(a)


def sglang_command(spec: LaunchSpec) -> str:
    """``python -m sglang.launch_server`` for one replica."""
    a = ["python", "-m", "sglang.launch_server", "--model-path", _q(spec.model_id), "--tp-size", str(spec.tp * spec.dp)]
    if spec.pp > 1:
        a += ["--pp-size", str(spec.pp)]
    if spec.dp > 1:
        a += ["--dp-size", str(spec.dp), "--enable-dp-attention"]
    if spec.ep > 1:
        a += ["--ep-size", str(spec.ep)]
    a += [
        "--mem-fraction-static",
        f"{spec.gpu_memory_utilization:g}",
        "--chunked-prefill-size",
        str(spec.max_num_batched_tokens),
        "--max-running-requests",
        str(spec.max_num_seqs),
        "--context-length",
        str(spec.max_model_len),
    ]
    if spec.kv_dtype == "fp8":
        a += ["--kv-cache-dtype", "fp8_e4m3"]
    q = _quantization(spec)
    if q:
        a += ["--quantization", q]
    if spec.role in ("prefill", "decode"):
        a += ["--disaggregation-mode", spec.role, "--disaggregation-transfer-backend", "nixl"]
    a += [_q(x) for x in spec.sglang_speculative]
    return _note(spec) + " ".join(a)


def trtllm_yaml(spec: LaunchSpec) -> str:
    """The ``--extra_llm_api_options`` YAML of :func:`trtllm_command`."""
    lines = [
        f"enable_attention_dp: {'true' if spec.dp > 1 else 'false'}",
        "enable_chunked_prefill: true",
        "kv_cache_config:",
        f"  dtype: {'fp8' if spec.kv_dtype == 'fp8' else 'auto'}",
        f"  free_gpu_memory_fraction: {spec.gpu_memory_utilization:g}",
    ]
    if spec.trtllm_speculative:
        lines.append(spec.trtllm_speculative)
    return "\n".join(lines) + "\n"


def trtllm_command(spec: LaunchSpec) -> str:
    """``trtllm-serve`` (PyTorch backend) preceded by the heredoc that writes its YAML."""
    path = f"extra-llm-api-{spec.role}.yaml" if spec.role != "both" else "extra-llm-api.yaml"
    a = ["trtllm-serve", _q(spec.model_id), "--backend", "pytorch", "--tp_size", str(spec.tp * spec.dp)]
    if spec.pp > 1:
        a += ["--pp_size", str(spec.pp)]
    if spec.ep > 1:
        a += ["--ep_size", str(spec.ep)]
    a += [
        "--max_batch_size",
        str(spec.max_num_seqs),
        "--max_num_tokens",
        str(spec.max_num_batched_tokens),
        "--max_seq_len",
        str(spec.max_model_len),
        "--kv_cache_free_gpu_memory_fraction",
        f"{spec.gpu_memory_utilization:g}",
        "--extra_llm_api_options",
        path,
    ]
    return f"{_note(spec)}cat > {path} <<'EOF'\n{trtllm_yaml(spec)}EOF\n" + " ".join(a)


def _vllm_args_yaml(spec: LaunchSpec, indent: str) -> str:
    cmd = vllm_command(spec).splitlines()[-1]
    toks = shlex.split(cmd)[2:]  # drop "vllm serve"
    return "\n".join(f"{indent}- {json.dumps(t)}" for t in toks)


def _gpus_and_shm(gpus: int, indent: str) -> str:
    """A container's GPU limit and a RAM-backed /dev/shm (NCCL needs more than the 64 MB default),
    at pod-spec ``indent``."""
    container = [
        "resources:",
        "  limits:",
        f'    nvidia.com/gpu: "{gpus}"',
        "volumeMounts:",
        "- name: shm",
        "  mountPath: /dev/shm",
    ]
    pod = ["volumes:", "- name: shm", "  emptyDir:", "    medium: Memory", "    sizeLimit: 16Gi"]
    return "\n".join([indent + "  " + ln for ln in container] + [indent + ln for ln in pod])


def _deployment(spec: LaunchSpec, name: str, labels: dict[str, str]) -> str:
    lab = "\n".join(f"        {k}: {v}" for k, v in labels.items())
    sel = "\n".join(f"      {k}: {v}" for k, v in labels.items())
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {spec.replicas}
  selector:
    matchLabels:
{sel}
  template:
    metadata:
      labels:
{lab}
    spec:
      containers:
      - name: vllm
        image: {_VLLM_IMAGE}
        command: ["vllm", "serve"]
        args:
{_vllm_args_yaml(spec, "        ")}
        ports:
        - containerPort: 8000
{_gpus_and_shm(spec.gpus, "      ")}
"""


def _leader_worker_set(spec: LaunchSpec, name: str, labels: dict[str, str]) -> str:
    """A LeaderWorkerSet (``leaderworkerset.x-k8s.io/v1``) for a replica spanning ``spec.nodes``
    nodes: the leader pod starts the Ray head and ``vllm serve``, the workers join its Ray cluster
    (vLLM's ``examples/online_serving/multi-node-serving.sh`` in the vllm-openai image)."""
    lab = "\n".join(f"          {k}: {v}" for k, v in labels.items())
    cmd = vllm_command(spec).splitlines()[-1]
    script = "/vllm-workspace/examples/online_serving/multi-node-serving.sh"
    per_pod = min(spec.gpus, spec.gpus_per_node)
    pod = f"""        containers:
        - name: vllm
          image: {_VLLM_IMAGE}
          command: ["/bin/sh", "-c"]
          args:
          - {json.dumps("{ROLE}")}
{_gpus_and_shm(per_pod, "        ")}"""
    leader = pod.replace(
        json.dumps("{ROLE}"),
        json.dumps(f"bash {script} leader --ray_cluster_size=$(LWS_GROUP_SIZE); {cmd} --port 8000"),
    )
    worker = pod.replace(json.dumps("{ROLE}"), json.dumps(f"bash {script} worker --ray_address=$(LWS_LEADER_ADDRESS)"))
    return f"""apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: {name}
spec:
  replicas: {spec.replicas}
  leaderWorkerTemplate:
    size: {spec.nodes}
    leaderTemplate:
      metadata:
        labels:
{lab}
          role: leader
      spec:
{leader}
    workerTemplate:
      spec:
{worker}
"""


def _workload(spec: LaunchSpec, name: str, labels: dict[str, str]) -> str:
    if spec.nodes > 1:
        return _leader_worker_set(spec, name, labels)
    return _deployment(spec, name, labels)


def k8s_manifest(spec: LaunchSpec, prefill: LaunchSpec | None = None, decode: LaunchSpec | None = None) -> str:
    """A vLLM Deployment + Service (aggregated), or prefill and decode Deployments with the NIXL KV
    connector + a Service in front of the decode pool (disaggregated). One pod = one replica; a
    replica wider than a node (``pp > 1`` across nodes) is a LeaderWorkerSet of ``nodes`` pods whose
    leader serves (the Service then selects the leaders)."""
    base = spec.name
    if prefill is not None and decode is not None:
        note = (
            "# Disaggregated prefill/decode: each request must reach a prefill worker, then a decode worker\n"
            "# (the NIXL connector moves the KV). Put a P/D-aware router in front (vLLM's disaggregated proxy\n"
            "# example or the llm-d inference scheduler); the Service below exposes the decode pool to it.\n"
        )
        docs = [
            note + _workload(prefill, f"{base}-prefill", {"app": base, "role": "prefill"}),
            _workload(decode, f"{base}-decode", {"app": base, "role": "decode"}),
        ]
        svc_sel = {"app": base, "role": "decode"}
    else:
        docs = [_workload(spec, base, {"app": base})]
        svc_sel = {"app": base, "role": "leader"} if spec.nodes > 1 else {"app": base}
    sel = "\n".join(f"    {k}: {v}" for k, v in svc_sel.items())
    docs.append(f"""apiVersion: v1
kind: Service
metadata:
  name: {base}
spec:
  selector:
{sel}
  ports:
  - port: 8000
    targetPort: 8000
""")
    return "---\n".join(docs)


def launch_commands(
    spec: LaunchSpec, prefill: LaunchSpec | None = None, decode: LaunchSpec | None = None
) -> dict[str, str]:
    """``{"vllm", "sglang", "trtllm", "k8s"}`` texts for a plan (disaggregated when both
    ``prefill`` and ``decode`` are given: one command per pool, prefill first)."""
    if prefill is not None and decode is not None:
        p, d = replace(prefill, role="prefill"), replace(decode, role="decode")
        out = {}
        for eng, fn in (("vllm", vllm_command), ("sglang", sglang_command), ("trtllm", trtllm_command)):
            out[eng] = (
                f"# prefill workers ({p.replicas} × {p.gpus} GPUs)\n{fn(p)}\n"
                f"# decode workers ({d.replicas} × {d.gpus} GPUs)\n{fn(d)}"
            )
        out["k8s"] = k8s_manifest(spec, p, d)
        return out
    return {
        "vllm": vllm_command(spec),
        "sglang": sglang_command(spec),
        "trtllm": trtllm_command(spec),
        "k8s": k8s_manifest(spec),
    }


def _engine_shape(tp: int, ep: int) -> tuple[int, int, int]:
    """``(tp, dp, ep)`` of an engine of ``max(tp, ep)`` GPUs: ``ep > tp`` means ``ep / tp``
    data-parallel attention ranks inside the engine (the cost model's convention)."""
    dp = ep // tp if ep > tp else 1
    return tp, dp, ep


def launch_from_search_row(
    row: dict[str, Any],
    model_id: str,
    input_len: int,
    output_len: int,
    *,
    weight_dtype: str = "bf16",
    checkpoint_dtype: str = "bf16",
    kv_dtype: str = "bf16",
    gpu_memory_utilization: float = 0.9,
    speculative: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Launch texts for a ``modeling search`` configuration (aggregated: ``tp, ep, dp`` replicas,
    ``concurrency_per_engine``, ``budget``; disaggregated: ``x`` prefill engines of ``tp_p/ep_p``,
    ``y`` decode engines of ``tp_d/ep_d``). ``speculative``: the LaunchSpec speculative fields
    (``speculative_config``, ``sglang_speculative``, ``trtllm_speculative``)."""
    common = {
        "model_id": model_id,
        "max_model_len": input_len + output_len,
        "kv_dtype": kv_dtype,
        "weight_dtype": weight_dtype,
        "checkpoint_dtype": checkpoint_dtype,
        "gpu_memory_utilization": gpu_memory_utilization,
        **(speculative or {}),
    }
    budget = int(row.get("budget") or 8192)
    if "x" in row and "tp_p" in row:
        tp, dp, ep = _engine_shape(int(row["tp_p"]), int(row["ep_p"]))
        pre = LaunchSpec(
            tp=tp,
            dp=dp,
            ep=ep,
            replicas=int(row["x"]),
            max_num_batched_tokens=budget,
            max_num_seqs=min(256, budget),
            **common,
        )
        tp, dp, ep = _engine_shape(int(row["tp_d"]), int(row["ep_d"]))
        seqs = max(1, int(row.get("decode_concurrency") or 256))
        dec = LaunchSpec(
            tp=tp,
            dp=dp,
            ep=ep,
            replicas=int(row["y"]),
            max_num_seqs=seqs,
            max_num_batched_tokens=max(budget, seqs),
            **common,
        )
        return launch_commands(pre, pre, dec)
    tp, dp, ep = _engine_shape(int(row["tp"]), int(row["ep"]))
    seqs = max(1, int(row.get("concurrency_per_engine") or 256))
    spec = LaunchSpec(
        tp=tp,
        dp=dp,
        ep=ep,
        replicas=int(row.get("dp") or 1),
        max_num_seqs=seqs,
        max_num_batched_tokens=max(budget, seqs),
        **common,
    )
    return launch_commands(spec)
