"""Parameters declared once: default, bounds, unit, label and help on the domain dataclass field.

A field is declared with :func:`param` (a ``dataclasses.field`` carrying a :class:`Param` in its
metadata, as Vidur's configs do)::

    @dataclass(frozen=True)
    class SchedulerConfig:
        max_num_seqs: int = param(256, lo=1, hi=65_536, unit="sequences", label="Max running sequences",
                                  help="vLLM --max-num-seqs")

        def __post_init__(self) -> None:
            validate_params(self)          # types, bounds, choices: one message naming the field

Everything else is derived from that one declaration:

* validation: :func:`validate_params` (every layer may import this module: no Streamlit, no state);
* page widgets: :func:`widget_bounds` gives ``min_value``/``max_value``/``step`` (``PageInputs.number``
  uses it when a page passes no bounds); page-state dataclasses that mirror a domain field declare
  it as ``like(SchedulerConfig, "max_num_seqs")`` instead of repeating the bounds;
* URL query parameters: :func:`coerce_param` parses text to the declared type and checks it;
* CLI flags: :func:`add_arguments` adds ``--max-num-seqs`` (type, default, help with unit and
  bounds) to an ``argparse`` parser; :func:`from_namespace` reads them back;
* JSON downloads: :func:`describe` lists value, unit and bounds of every declared field.

Plain ``dataclasses``, not pydantic (``benchmarks/bench_params.py``, 2 shared cores): building a
``SchedulerConfig`` with this validation takes 2.4 µs, the same fields hand-checked 1.7 µs,
a strict pydantic v2 model 1.2 µs. The difference is invisible next to what a config is built
for (one cost-model step ≈ 9 µs, one simulated step ≈ 400 µs), while dataclasses keep
``replace``/``asdict``/frozen semantics the code relies on and add no dependency (see
DEVELOPING.md, "Parameters").
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PARAM",
    "Param",
    "add_arguments",
    "argument",
    "build_from",
    "coerce_param",
    "describe",
    "describe_inputs",
    "from_namespace",
    "like",
    "param",
    "param_specs",
    "validate_params",
    "widget_bounds",
]

PARAM = "param"  # the metadata key


@dataclass(frozen=True)
class Param:
    """What one field accepts and how it is shown. ``lo``/``hi`` are inclusive unless ``open_lo`` /
    ``open_hi``; ``choices`` restricts text (or numbers) to a set; ``optional`` allows ``None``;
    ``label`` is the short name pages and CLI help show, ``help`` one sentence, ``unit`` a unit."""

    lo: float | None = None
    hi: float | None = None
    open_lo: bool = False
    open_hi: bool = False
    unit: str = ""
    label: str = ""
    help: str = ""
    choices: tuple[Any, ...] | None = None
    optional: bool = False
    max_items: int = 64  # tuples

    def bounds_text(self) -> str:
        """``[1, 4096]``, ``[0, 1)``, ``> 0`` …"""
        if self.lo is not None and self.hi is not None:
            return f"{'(' if self.open_lo else '['}{_num(self.lo)}, {_num(self.hi)}{')' if self.open_hi else ']'}"
        if self.lo is not None:
            return f"{'>' if self.open_lo else '≥'} {_num(self.lo)}"
        if self.hi is not None:
            return f"{'<' if self.open_hi else '≤'} {_num(self.hi)}"
        return ""


def _num(x: float) -> str:
    """A bound as text: whole numbers in full (``1048576``, not ``1.04858e+06``), others ``:g``."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}"


def param(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    open_lo: bool = False,
    open_hi: bool = False,
    unit: str = "",
    label: str = "",
    help: str = "",
    choices: Sequence[Any] | None = None,
    optional: bool = False,
    max_items: int = 64,
) -> Any:
    """A dataclass field with ``default`` and its :class:`Param` declaration (see the module
    docstring). Returns what ``dataclasses.field`` returns."""
    spec = Param(
        lo,
        hi,
        open_lo,
        open_hi,
        unit,
        label,
        help,
        tuple(choices) if choices is not None else None,
        optional,
        max_items,
    )
    return dataclasses.field(default=default, metadata={PARAM: spec})


def like(cls: type, name: str, default: Any = dataclasses.MISSING, *, required: bool = False, **changes: Any) -> Any:
    """A field declared as ``cls.name`` is (same default, bounds, unit, label, help); ``changes``
    narrow it for one page (e.g. a smaller ``hi`` a slider can show). The page does not repeat
    the declaration: it refers to it. ``required``: no default (a field before others without one)."""
    f = _fields(cls)[name]
    spec = f.metadata.get(PARAM) or Param()
    if changes:
        spec = dataclasses.replace(spec, **changes)
    d = f.default if default is dataclasses.MISSING else default
    return dataclasses.field(default=dataclasses.MISSING if required else d, metadata={PARAM: spec})


def _fields(cls_or_obj: Any) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls_or_obj)}


def param_specs(cls_or_obj: Any) -> dict[str, Param]:
    """``{field: Param}`` of the declared fields of a dataclass (class or instance)."""
    return {n: f.metadata[PARAM] for n, f in _fields(cls_or_obj).items() if PARAM in f.metadata}


_BASE = re.compile(r"^(int|float|bool|str)$")
_TUPLE = re.compile(r"^tuple\[(int|float|str), \.\.\.\]$")


def _kind(annotation: Any) -> tuple[str, bool]:
    """``("int" | "float" | "bool" | "str" | "tuple[int]" | … | "any", optional)`` of a field's annotation."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    parts = [p.strip() for p in text.split("|")]
    optional = "None" in parts
    parts = [p for p in parts if p != "None"]
    if len(parts) == 1:
        if _BASE.match(parts[0]):
            return parts[0], optional
        m = _TUPLE.match(parts[0])
        if m:
            return f"tuple[{m.group(1)}]", optional
    return "any", optional


def _check_number(name: str, v: Any, spec: Param, integer: bool) -> None:
    if integer:
        ok = isinstance(v, int) and not isinstance(v, bool)
        what = "an integer"
    else:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        what = "a finite number"
    if ok and spec.lo is not None:
        ok = v > spec.lo if spec.open_lo else v >= spec.lo
    if ok and spec.hi is not None:
        ok = v < spec.hi if spec.open_hi else v <= spec.hi
    if not ok:
        rng = spec.bounds_text()
        unit = f" ({spec.unit})" if spec.unit else ""
        got = repr(v) if len(repr(v)) <= 40 else repr(v)[:20] + "…"  # a 400-digit number stays one short line
        raise ValueError(f"{name} must be {what}{' in ' + rng if rng else ''}{unit}, got {got}")


def check_value(name: str, value: Any, spec: Param, kind: str, optional: bool = False) -> None:
    """Raise ``ValueError`` (one line naming ``name``) unless ``value`` fits ``spec`` and ``kind``."""
    if value is None:
        if optional or spec.optional:
            return
        raise ValueError(f"{name} must be given")
    if spec.choices is not None and kind != "bool" and not kind.startswith("tuple"):
        if value not in spec.choices:
            raise ValueError(f"{name} must be one of {', '.join(map(str, spec.choices))}, got {value!r}")
        return
    if kind in ("int", "float"):
        _check_number(name, value, spec, kind == "int")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, got {value!r}")
    elif kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text, got {value!r}")
    elif kind.startswith("tuple["):
        item = kind[6:-1]
        if not isinstance(value, tuple) or not 1 <= len(value) <= spec.max_items:
            raise ValueError(f"{name} needs 1 to {spec.max_items} values")
        for v in value:
            if spec.choices is not None and v not in spec.choices:
                raise ValueError(f"{name} values must be among {', '.join(map(str, spec.choices))}, got {v!r}")
            if item in ("int", "float"):
                _check_number(name, v, spec, item == "int")


def build_from(cls: type, source: Any, **overrides: Any) -> Any:
    """An instance of dataclass ``cls`` from the same-named fields of ``source`` (a page state whose
    fields ``like`` ``cls``'s), plus ``overrides``; fields ``source`` lacks keep ``cls``'s defaults. An
    integer given to a ``float`` field becomes a float. The page does not list the fields again."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in overrides:
            kwargs[f.name] = overrides[f.name]
        elif f.init and hasattr(source, f.name):
            v = getattr(source, f.name)
            if _kind(f.type)[0] == "float" and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            kwargs[f.name] = v
    return cls(**kwargs)


_PLANS: dict[type, tuple[tuple[str, Param, str, bool], ...]] = {}


def validate_params(obj: Any) -> None:
    """Check every declared field of dataclass instance ``obj``; the first violation raises
    ``ValueError`` with a message naming the field. Call it from ``__post_init__``. The list of
    declared fields and their kinds is worked out once per class."""
    plan = _PLANS.get(type(obj))
    if plan is None:
        plan = _PLANS[type(obj)] = tuple(
            (f.name, f.metadata[PARAM], *_kind(f.type)) for f in dataclasses.fields(obj) if PARAM in f.metadata
        )
    for name, spec, kind, optional in plan:
        check_value(name, getattr(obj, name), spec, kind, optional)


def widget_bounds(cls_or_obj: Any, name: str, step: float | None = None) -> dict[str, Any]:
    """``min_value``/``max_value`` (and ``step`` 1 for integers) for a number widget of field
    ``name``. An open bound becomes the nearest value the widget can show: one step inside it
    (``step`` for floats, 1 for integers; a float with no step keeps the bound itself)."""
    f = _fields(cls_or_obj)[name]
    spec = f.metadata.get(PARAM)
    if spec is None:
        return {}
    kind, _ = _kind(f.type)
    out: dict[str, Any] = {}
    if kind == "int":
        if spec.lo is not None:
            out["min_value"] = int(spec.lo) + (1 if spec.open_lo else 0)
        if spec.hi is not None:
            out["max_value"] = int(spec.hi) - (1 if spec.open_hi else 0)
        out["step"] = 1
    elif kind == "float":
        inside = step or 0.0
        if spec.lo is not None:
            out["min_value"] = float(spec.lo) + (inside if spec.open_lo else 0.0)
        if spec.hi is not None:
            out["max_value"] = float(spec.hi) - (inside if spec.open_hi else 0.0)
    return out


def coerce_param(cls_or_obj: Any, name: str, raw: str) -> Any:
    """Text (a URL query value, a CLI string) → the declared type of field ``name``, checked
    against its declaration; raises ``ValueError`` naming the field."""
    f = _fields(cls_or_obj)[name]
    spec = f.metadata.get(PARAM) or Param()
    kind, optional = _kind(f.type)
    text = str(raw).strip()
    if len(text) > 500:
        raise ValueError(f"{name}: value too long")
    try:
        if optional and text.lower() in ("", "none", "null"):
            value: Any = None
        elif kind == "int":
            value = int(text)
        elif kind == "float":
            value = float(text)
        elif kind == "bool":
            low = text.lower()
            if low not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError(text)
            value = low in ("1", "true", "yes", "on")
        elif kind.startswith("tuple["):
            typ = {"int": int, "float": float, "str": str}[kind[6:-1]]
            value = tuple(typ(x.strip()) for x in text.split(",") if x.strip())
        else:
            value = text
    except ValueError:
        raise ValueError(
            f"{name} must be {kind.replace('tuple[', 'a list of ').rstrip(']')}, got {text[:40]!r}"
        ) from None
    check_value(name, value, spec, kind, optional)
    return value


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def argument(cls: type, name: str, *, default: Any = None, suffix: str = "", help_prefix: str = "") -> dict[str, Any]:
    """Keyword arguments for ``parser.add_argument(flag, **argument(cls, name))``: a flag whose name
    differs from the field (``--tp-values`` for ``SearchSpace.tp``, ``--kv-dtype`` for
    ``Dtypes.kv``) still takes its type, bounds, unit and help from the declaration. The converter
    carries ``declaration = (cls, name)`` (tests check every such flag has one)."""
    spec = param_specs(cls)[name]
    kind, _ = _kind(_fields(cls)[name].type)
    bits = [help_prefix] if help_prefix else []
    bits.append(spec.label or name.replace("_", " "))
    if spec.unit:
        bits.append(f"({spec.unit})")
    if spec.bounds_text():
        bits.append(spec.bounds_text())
    if spec.choices is not None:
        bits.append("{" + ", ".join(map(str, spec.choices)) + "}")
    if spec.help:
        bits.append("— " + spec.help)
    if suffix:
        bits.append(suffix)
    text = " ".join(bits).replace("%", "%%")  # argparse %-formats help texts
    if kind == "bool":
        return {"action": argparse.BooleanOptionalAction, "default": default, "help": text}

    def conv(text: str) -> Any:
        try:
            return coerce_param(cls, name, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    conv.declaration = (cls, name)  # type: ignore[attr-defined]
    metavar = (
        "{" + ",".join(map(str, spec.choices)) + "}" if spec.choices and not kind.startswith("tuple") else name.upper()
    )
    return {"type": conv, "default": default, "help": text, "metavar": metavar}


def add_arguments(
    parser: Any,
    cls: type,
    names: Iterable[str] | None = None,
    defaults: bool | Iterable[str] = False,
    suffix: str = "",
    *,
    dests: Mapping[str, str] | None = None,
    required: Iterable[str] = (),
) -> None:
    """Add one ``--field-name`` flag per declared field of ``cls`` (or the listed ``names``) to
    ``parser`` (a parser or an argument group): type from the annotation, help = label, unit,
    bounds and help of the declaration (:func:`argument`). With ``defaults`` (True, or the names it
    applies to) the declared default is the flag's default, else ``None`` (unset: the caller keeps
    its own default, e.g. an engine preset's); ``suffix`` ends every help text of a flag without a
    default. ``dests`` renames a field's flag and destination (``{"kv": "kv_dtype"}`` →
    ``--kv-dtype``); ``required`` names flags that must be given. Bad values exit 2 with one line
    naming the flag."""
    with_default = set(param_specs(cls)) if defaults is True else set(defaults or ())
    must = set(required)
    dests = dests or {}
    fields = _fields(cls)
    for name in names if names is not None else param_specs(cls):
        dest = dests.get(name, name)
        kw = argument(
            cls,
            name,
            default=fields[name].default if name in with_default else None,
            suffix=suffix if name not in with_default else "",
        )
        if name in must:
            kw["required"] = True
        if "metavar" in kw and not kw["metavar"].startswith("{"):
            kw["metavar"] = dest.upper()
        parser.add_argument(_flag(dest), dest=dest, **kw)


def from_namespace(
    ns: argparse.Namespace, cls: type, names: Iterable[str] | None = None, dests: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The declared fields set on the command line (``None`` = not given) as a dict for ``cls(**…)``;
    ``dests`` as given to :func:`add_arguments`."""
    keys = names if names is not None else param_specs(cls)
    dests = dests or {}
    return {k: getattr(ns, dests.get(k, k)) for k in keys if getattr(ns, dests.get(k, k), None) is not None}


def describe(obj: Any) -> dict[str, dict[str, Any]]:
    """``{field: {value, unit, bounds, label}}`` of every declared field of a dataclass instance,
    for JSON downloads."""
    out: dict[str, dict[str, Any]] = {}
    for name, spec in param_specs(obj).items():
        out[name] = {"value": getattr(obj, name), "unit": spec.unit, "bounds": spec.bounds_text(), "label": spec.label}
    return out


def describe_inputs(**objs: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """``{name: describe(obj)}`` for the declared dataclasses a result was computed from (``None``
    skipped): the ``parameters`` block of the CLI ``--json`` documents and the search downloads."""
    return {k: describe(v) for k, v in objs.items() if v is not None}
