"""No page, component, figure builder or CLI command computes a metric (issue 17 §2): an AST scan of
`dashboard/<page>.py`, `dashboard/components/`, `dashboard/common/plots*.py` and `runners/` for a division (or a product of two
quantities) whose operands name a latency, throughput, FLOP/byte count, memory, rate, price or GPU
count. Unit conversions (`x / 1e3`, `x * 1e3`, `b / GIB`, `b / 2**30`) pass; a derived metric
belongs in `dashboard/features/metrics.py` or a service and is called from the page.

The allowlist is explicit and small: each entry is `(file, expression)` with the reason it is not a
metric."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# words that name a metric or a quantity a metric is built from
VOCAB = re.compile(
    r"ttft|tpot|itl|latency|e2e|_s$|_ms$|_us$|^t$|tok|throughput|flop|bytes|mfu|util|gpus|price|cost|usd|"
    r"dollar|per_hour|bandwidth|_bw|bw_|gb_s|time|duration|rate|mem|kv|weight|watt|power|joule|steps?$|"
    r"output_len|input_len|batch|seqs|sequences|shard|prompt|num_requests",
    re.IGNORECASE,
)
# names of unit constants: dividing or multiplying by them is a unit conversion
UNIT_NAMES = {"GIB", "MIB", "KIB", "GB", "MB", "KB", "gib", "mib", "kib", "_GIB", "_MIB", "_GB"}

# modules under dashboard/ that are not pages
NOT_PAGES = {"__init__.py", "__main__.py", "app.py", "app_context.py", "page_registry.py", "sim_scheduler.py"}

# (file relative to the repository root, ast.unparse of the expression): why it is not a metric
ALLOWED: dict[tuple[str, str], str] = {
    (
        "runners/cmd_simulate.py",
        "s['ttft_ms']['mean'] - b['ttft_ms']['mean']",
    ): "the change between two simulated runs (with and without the CPU KV tier), each from the simulator",
    ("runners/spec_args.py", "[rates[-1]] * max(0, k - len(rates))"): "list repetition (pads acceptance rates)",
}


def _scanned_files() -> list[Path]:
    pages = [p for p in sorted((ROOT / "dashboard").glob("*.py")) if p.name not in NOT_PAGES]
    return (
        pages
        + sorted((ROOT / "dashboard" / "components").glob("*.py"))
        + sorted((ROOT / "dashboard" / "common").glob("plots*.py"))  # figure builders draw, they do not compute
        + sorted((ROOT / "runners").glob("*.py"))
    )


def _names(node: ast.AST) -> list[str]:
    out: list[str] = []
    for x in ast.walk(node):
        if isinstance(x, ast.Name):
            out.append(x.id)
        elif isinstance(x, ast.Attribute):
            out.append(x.attr)
        elif isinstance(x, ast.Subscript) and isinstance(x.slice, ast.Constant) and isinstance(x.slice.value, str):
            out.append(x.slice.value)
    return out


def _is_unit(node: ast.AST) -> bool:
    """A number, a constant expression of numbers (``2**30``, ``1 << 20``) or a unit-constant name."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _is_unit(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_unit(node.left) and _is_unit(node.right)
    if isinstance(node, ast.Name):
        return node.id in UNIT_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in UNIT_NAMES
    return False


def _quantity(node: ast.AST) -> bool:
    return any(VOCAB.search(n) for n in _names(node))


def offending(source: str) -> list[str]:
    """Expressions of ``source`` that compute a metric: ``a / b`` or ``a // b`` where ``b`` is not a
    unit and either side names a quantity; ``a * b`` and ``a - b`` where neither side is a unit and
    both name quantities."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.BinOp):
            continue
        left, right = node.left, node.right
        if isinstance(node.op, (ast.Div, ast.FloorDiv)):
            bad = not _is_unit(right) and (_quantity(left) or _quantity(right))
        elif isinstance(node.op, (ast.Mult, ast.Sub)):
            bad = not _is_unit(left) and not _is_unit(right) and _quantity(left) and _quantity(right)
        else:
            bad = False
        if bad:
            out.append(ast.unparse(node))
    return out


def test_scanner_catches_a_reintroduced_tpot_formula() -> None:
    page = (
        "def render(res, v):\n"
        "    tpot = (res.e2e_s - res.ttft_s) / (v.output_len - 1)\n"
        "    tps_user = 1000.0 / tpot_ms\n"
        "    cost = price_per_hour / 3600 / tok_s_per_gpu * 1e6\n"
        "    util = step.flops / step.latency_s\n"
        "    kv_used = mem.max_sequences * mem.kv_bytes_per_sequence\n"
        "    gib = mem.weight_bytes / 2**30\n"
        "    ms = res.ttft_s * 1e3\n"
        "    mean_in = sum(wl.prompt) / wl.num_requests\n"
    )
    found = offending(page)
    assert any("output_len - 1" in e for e in found)
    assert any("1000.0 / tpot_ms" in e for e in found)
    assert any("price_per_hour / 3600" in e for e in found)
    assert any("step.flops / step.latency_s" in e for e in found)
    assert any("max_sequences * mem.kv_bytes_per_sequence" in e for e in found)
    assert any("sum(wl.prompt) / wl.num_requests" in e for e in found)
    assert not any("2 ** 30" in e or "* 1000.0" in e for e in found)  # unit conversions pass


@pytest.mark.parametrize("path", _scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_computes_no_metric(path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    found = [e for e in offending(path.read_text()) if (rel, e) not in ALLOWED]
    assert not found, f"{rel} computes metrics (move them to features/metrics.py or a service): {found}"


def test_allowlist_entries_still_exist() -> None:
    stale = [k for k in ALLOWED if k[1] not in offending((ROOT / k[0]).read_text())]
    assert not stale, f"stale allowlist entries: {stale}"
