"""Issue 17 §1, CLI side: every ``modeling`` flag that mirrors a parameter takes type, bounds and
help from the parameter's one declaration (dashboard/features/params.py); nothing in ``runners/``
repeats a bound; docs/SECURITY.md's size-bound table is the one generated from the declarations."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest

from dashboard.features.params import Param, param_specs
from runners.cli import build_parser, main
from runners.limits import TABLE_END, TABLE_START, declared_flags, size_bounds_markdown

ROOT = Path(__file__).resolve().parents[1]

#: typed flags that mirror no single declared field, and why (none left: --acceptance-length is
#: declared by MeanAcceptance, its k + 1 bound stays a cross-field check)
UNDECLARED_OK: set[str] = set()


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def _kind(cls: type, name: str) -> str:
    from dashboard.features.params import _kind as kind_of

    return kind_of({f.name: f for f in dataclasses.fields(cls)}[name].type)[0]


def test_every_typed_flag_comes_from_a_declaration() -> None:
    """A flag that parses a number or a list gets its converter from a declaration (the converter
    carries ``declaration``); only the listed exceptions parse on their own."""
    loose = []
    for cmd, sub in _subparsers().items():
        for a in sub._actions:
            if a.type is None or not a.option_strings:
                continue
            if not hasattr(a.type, "declaration") and a.option_strings[0] not in UNDECLARED_OK:
                loose.append(f"{cmd} {a.option_strings[0]}")
    assert loose == [], f"flags parsed without a declaration: {loose}"
    flags = declared_flags()
    # the interface the README and scripts use is still there, under the same names
    assert {"--tp", "--ep", "--kv-dtype", "--prefill-seqs", "--decode-context", "--overlap"} <= set(flags["step"])
    assert {"--gpus", "--tp-values", "--concurrency-values", "--budgets", "--rerun", "--percentile"} <= set(
        flags["search"]
    )
    assert {"--dp", "--num-requests", "--request-rate", "--seed", "--max-num-seqs", "--prefill-engines"} <= set(
        flags["simulate"]
    )
    assert {"--hardware", "--input-len", "--max-gpus", "--kv-dtype", "--percentile"} <= set(flags["plan"])
    assert {"--pp", "--context", "--reserved-fraction", "--gpu-memory-utilization"} <= set(flags["memory"])


def test_help_shows_unit_and_bounds_of_the_declaration() -> None:
    for cmd, sub in _subparsers().items():
        text = " ".join(sub.format_help().split())  # formats: no stray % in a help text
        for a in sub._actions:
            decl = getattr(a.type, "declaration", None)
            if decl is None:
                continue
            spec: Param = param_specs(decl[0])[decl[1]]
            help_text = " ".join((a.help or "").replace("%%", "%").split())
            assert spec.bounds_text() in help_text, (cmd, a.option_strings, help_text)
            if spec.unit:
                assert f"({spec.unit})" in help_text, (cmd, a.option_strings)
            assert a.option_strings[0] in text


def _outside(spec: Param, kind: str) -> str | None:
    """A value just outside the declared bounds, as command-line text."""
    integer = kind in ("int", "tuple[int]")
    if spec.hi is not None:
        return str(int(spec.hi) + (0 if spec.open_hi else 1)) if integer else repr(float(spec.hi) * 1.5)
    if spec.lo is not None:
        return str(int(spec.lo) - 1)
    return None


def test_out_of_bounds_values_exit_2_with_one_line_naming_the_flag(capsys) -> None:
    """Every bounded declared flag of every subcommand: the value just past its bound is refused
    while parsing (before any work), exit 2, one line that names the flag and the bound."""
    checked = 0
    for cmd, flags in declared_flags().items():
        for flag, (cls, name) in flags.items():
            spec = param_specs(cls)[name]
            bad = _outside(spec, _kind(cls, name))
            if bad is None:
                continue
            if flag == "--price":  # HW=USD
                bad = f"h200={bad}"
            with pytest.raises(SystemExit) as exc:
                main([cmd, flag, bad])
            err = capsys.readouterr().err
            assert exc.value.code == 2, (cmd, flag)
            assert err.count("\n") == 1 and f"argument {flag}" in err and spec.bounds_text() in err, err
            checked += 1
    assert checked >= 60


def test_one_bound_for_a_parameter_in_the_cli_and_the_domain() -> None:
    """The bounds the issue found disagreeing now have one value each, the same for the CLI flag
    and the domain class."""
    from dashboard.features.parallel import ParallelConfig
    from dashboard.features.request import RequestShape
    from dashboard.services.planner import PlanRequest
    from dashboard.services.search import SearchSpace, Workload
    from dashboard.services.search_inferencemax import Scenario
    from dashboard.sim.workload import WorkloadConfig
    from dashboard.sim_scheduler import SchedulerConfig

    # token counts: one bound (2**24) for the search, the planner, the simulator and the scenario table
    shape = param_specs(RequestShape)["input_len"]
    for cls, name in (
        (Workload, "input_len"),
        (PlanRequest, "input_len"),
        (WorkloadConfig, "input_len"),
        (Scenario, "seq_len"),
    ):
        assert (param_specs(cls)[name].lo, param_specs(cls)[name].hi) == (shape.lo, shape.hi) == (1, 1 << 24)
    for cls in (Workload, PlanRequest, WorkloadConfig):
        with pytest.raises(ValueError, match="input_len must be an integer"):
            cls(input_len=1.5)  # type: ignore[arg-type]
    assert param_specs(ParallelConfig)["dp"].hi == param_specs(Scenario)["dp"].hi == 1024
    flags = declared_flags()
    assert flags["search"]["--budgets"] == (SearchSpace, "budgets")
    # --max-num-batched-tokens and the search's budgets share SchedulerConfig's bound
    assert flags["simulate"]["--max-num-batched-tokens"] == (SchedulerConfig, "max_num_batched_tokens")
    assert param_specs(SearchSpace)["budgets"].hi == param_specs(SchedulerConfig)["max_num_batched_tokens"].hi


_LITERAL_BOUND = re.compile(r"\bargs\.[a-z_]+\s*(<=|>=|<|>)\s*-?\d|\d\s*(<=|<)\s*args\.[a-z_]+")


def test_runners_repeat_no_bound() -> None:
    """No comparison of a parsed flag with a number literal in ``runners/`` (the bound lives on the
    declaration), and no table of bounds keyed by flag name."""
    declared = {name for flags in declared_flags().values() for _, name in flags.values()}
    declared |= {flag[2:].replace("-", "_") for flags in declared_flags().values() for flag in flags}

    def numeric(v: ast.expr) -> bool:
        if isinstance(v, ast.Tuple):
            return all(numeric(e) for e in v.elts)
        if isinstance(v, ast.BinOp):  # 1 << 24
            return numeric(v.left) and numeric(v.right)
        return isinstance(v, ast.Constant) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)

    offenders = []
    for path in sorted((ROOT / "runners").glob("*.py")):
        text = path.read_text()
        for i, line in enumerate(text.splitlines(), 1):
            if _LITERAL_BOUND.search(line):
                offenders.append(f"{path.name}:{i}: {line.strip()}")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Dict) and node.values and all(numeric(v) for v in node.values):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                if keys & declared:
                    offenders.append(f"{path.name}:{node.lineno}: a table of bounds keyed by {sorted(keys)[:3]}")
    assert offenders == []


def test_security_table_is_the_generated_one() -> None:
    doc = (ROOT / "docs" / "SECURITY.md").read_text()
    start, end = doc.index(TABLE_START) + len(TABLE_START), doc.index(TABLE_END)
    assert doc[start:end].strip() == size_bounds_markdown(), "regenerate with: python -m runners.limits"
    assert "| `--ep`, `--gpus`, `--tp` | [1, 1024] GPUs |" in doc


def test_json_lists_the_declared_inputs(capsys) -> None:
    """``--json`` documents keep their keys and add ``parameters``: value, unit, bounds and label
    of every declared input, from ``describe``."""
    rc = main(
        [
            "step",
            "--model",
            "llama-3.1-8b",
            "--hardware",
            "h200",
            "--decode-seqs",
            "8",
            "--decode-context",
            "1000",
            "--tp",
            "2",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tp"] == 2 and out["step"]["decode_seqs"] == 8  # the existing keys
    p = out["parameters"]
    assert p["parallel"]["tp"] == {"value": 2, "unit": "GPUs", "bounds": "[1, 1024]", "label": "Tensor parallel (TP)"}
    assert p["step"]["decode_context"]["value"] == 1000 and p["step"]["decode_context"]["unit"] == "tokens"
    assert p["cost"]["overlap"]["bounds"] == "[0, 1]"
    rc = main(["memory", "--model", "llama-3.1-8b", "--hardware", "h200", "--context", "8192", "--json"])
    assert rc == 0
    mem = json.loads(capsys.readouterr().out)
    assert mem["parameters"]["request"]["context"]["value"] == 8192 and "max_sequences" in mem


def test_search_inputs_describe_the_declarations() -> None:
    from dashboard.features.hardware import load_hardware
    from dashboard.features.presets import load_model
    from dashboard.services.search import SLA, SearchSpace, Workload, search_aggregated

    res = search_aggregated(
        load_model("llama-3.1-8b"),
        load_hardware("h200"),
        2,
        Workload(512, 64),
        SLA(ttft_ms=500.0),
        space=SearchSpace(tp=(1,), concurrency=(4,), budgets=(2048,)),
    )
    inp = res.as_dict()["inputs"]
    assert inp["workload"] == {"input_len": 512, "output_len": 64}  # unchanged key other tools read
    assert inp["parameters"]["workload"]["input_len"]["bounds"] == "[1, 16777216]"
    assert inp["parameters"]["sla"]["ttft_ms"]["value"] == 500.0
    assert inp["parameters"]["space"]["budgets"]["value"] == (2048,)


#: cross-field rules that compare a declared field with a number on purpose (not a second bound)
CROSS_FIELD_OK: set[tuple[str, str]] = set()


def test_domain_classes_repeat_no_bound() -> None:
    """In ``features/``, ``services/``, ``sim/`` and ``sim_scheduler.py``: a dataclass with declared
    fields compares none of them with a number literal in ``__post_init__`` (its bound is the
    declaration; ``validate_params`` checks it), and no dataclass there hand-checks a field that
    another class declares under the same name with a different bound."""
    from dashboard.features.params import PARAM

    files = [
        *sorted((ROOT / "dashboard" / "features").glob("*.py")),
        *sorted((ROOT / "dashboard" / "services").glob("*.py")),
        *sorted((ROOT / "dashboard" / "sim").glob("*.py")),
        ROOT / "dashboard" / "sim_scheduler.py",
    ]
    offenders, declared_classes = [], 0
    for path in files:
        tree = ast.parse(path.read_text())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            fields = {
                s.target.id
                for s in cls.body
                if isinstance(s, ast.AnnAssign)
                and isinstance(s.target, ast.Name)
                and isinstance(s.value, ast.Call)
                and getattr(s.value.func, "id", "") in ("param", "like")
            }
            if not fields:
                continue
            declared_classes += 1
            post = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__post_init__"), None)
            for node in ast.walk(post) if post else ():
                if not isinstance(node, ast.If):
                    continue
                # a condition on one declared field against a number is a second bound; one that
                # relates two fields (prefill_seqs > 0 iff prefill_len > 0) is a cross-field rule
                attrs = {
                    n.attr
                    for n in ast.walk(node.test)
                    if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
                }
                literal = any(
                    isinstance(n, ast.Compare)
                    and any(
                        isinstance(c, ast.Constant) and isinstance(c.value, (int, float))
                        for c in [n.left, *n.comparators]
                    )
                    for n in ast.walk(node.test)
                )
                if literal and len(attrs) == 1 and attrs <= fields and (cls.name, *attrs) not in CROSS_FIELD_OK:
                    offenders.append(f"{path.name}:{node.lineno} {cls.name}.{next(iter(attrs))}")
    assert offenders == [], f"bounds repeated beside the declaration: {offenders}"
    assert declared_classes >= 25 and PARAM == "param"


def test_choice_flags_come_from_a_declaration() -> None:
    """No flag lists its own ``choices=``: the formats (``native`` + ``Dtypes``' choices), the DP
    router, the launch text and the calibration method are declared where the domain reads them."""
    from dashboard.features.checkpoint import NATIVE, RunFormats
    from dashboard.features.parallel import Dtypes
    from dashboard.features.speculative import MeanAcceptance
    from dashboard.services.calibration_io import CalibrationMethod
    from dashboard.services.launch import EmitTarget, launch_commands
    from dashboard.sim.policies import ROUTERS, Routing

    subs = _subparsers()
    loose = [
        f"{cmd} {a.option_strings[0]}"
        for cmd, sub in subs.items()
        for a in sub._actions
        if a.option_strings and a.choices is not None
    ]
    assert loose == [], f"flags with their own choices: {loose}"

    def decl(cmd: str, flag: str) -> tuple[type, str]:
        (a,) = [a for a in subs[cmd]._actions if flag in a.option_strings]
        return a.type.declaration

    assert decl("step", "--weight-dtype") == (RunFormats, "weight_dtype")
    assert decl("simulate", "--activation-dtype") == (RunFormats, "activation_dtype")
    dtypes, formats = param_specs(Dtypes), param_specs(RunFormats)
    assert formats["weight_dtype"].choices == (NATIVE, *(dtypes["weight"].choices or ()))
    assert formats["activation_dtype"].choices == (NATIVE, *(dtypes["activation"].choices or ()))
    assert decl("simulate", "--router") == (Routing, "router")
    assert param_specs(Routing)["router"].choices == ROUTERS
    assert decl("plan", "--emit") == decl("search", "--emit") == (EmitTarget, "emit")
    assert decl("calibrate", "--method") == (CalibrationMethod, "method")
    assert decl("simulate", "--acceptance-length") == (MeanAcceptance, "acceptance_length")
    # every declared launch text is one launch_commands produces (the CLI prints texts[emit])
    texts = launch_commands(_launch_spec())
    assert set(param_specs(EmitTarget)["emit"].choices or ()) <= set(texts)


def _launch_spec():  # type: ignore[no-untyped-def]
    from dashboard.services.launch import LaunchSpec

    return LaunchSpec(model_id="meta-llama/Llama-3.1-8B-Instruct")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["simulate", "--model", "llama-3.1-8b", "--router", "random"], "argument --router: router must be one of"),
        (["plan", "--model", "llama-3.1-8b", "--emit", "docker"], "argument --emit: emit must be one of"),
        (["step", "--model", "llama-3.1-8b", "--weight-dtype", "fp9"], "weight_dtype must be one of native, bf16"),
        (
            ["simulate", "--model", "llama-3.1-8b", "--speculative-method", "eagle", "--acceptance-length", "40"],
            "argument --acceptance-length: acceptance_length must be a finite number in [1, 33]",
        ),
    ],
)
def test_declared_choice_flags_refuse_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


def test_domain_checks_router_and_acceptance_length_through_the_declaration() -> None:
    from dashboard.features.speculative import alpha_for_length
    from dashboard.sim.policies import Routing

    with pytest.raises(ValueError, match=r"^router must be one of round_robin"):
        Routing("random")
    with pytest.raises(ValueError, match=r"^acceptance_length must be a finite number in \[1, 33\]"):
        alpha_for_length(0.5, 3)
    with pytest.raises(ValueError, match=r"between 1 and k\+1 = 4"):  # the cross-field part
        alpha_for_length(4.5, 3)
    assert 0 < alpha_for_length(2.5, 3) < 1


def test_policy_names_are_one_list() -> None:
    """The simulator's routers / preemption victims and the engine profiles' ``dp_router`` /
    ``preempt`` are one tuple each (no second list to drift)."""
    from dashboard.features import engine
    from dashboard.sim import policies

    assert policies.ROUTERS is engine.DP_ROUTERS
    assert policies.PREEMPT_ORDERS is engine.PREEMPT_VICTIMS
