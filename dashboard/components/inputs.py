"""Widgets bound to a page's input dataclass: seeded from the session state on every run, written
back (validated) on change, restored after page switches, mirrored into URL query parameters.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from dashboard.actions.settings import set_page_input
from dashboard.common.i18n import option_label, tr
from dashboard.features.params import coerce_param, param_specs, widget_bounds
from dashboard.state.validate import parse_float_list, parse_int_list

__all__ = [
    "SIDEBAR_FIELDS",
    "PageInputs",
    "coerce_query_value",
    "declared_list_parser",
    "parse_float_list",
    "parse_int_list",
]

#: Page input fields that follow a sidebar setting (page field -> ``Settings`` attribute). Only
#: TP/EP: a page's dtype fields can mean something else (the experts page's checkpoint format).
SIDEBAR_FIELDS = {"tp": "tp", "ep": "ep"}


def coerce_query_value(raw: str, like: Any) -> Any:
    """Parse a query-parameter string into the type of ``like``; raises ValueError.

    URLs are untrusted (issue 11): numbers must be short ASCII text (``int("²")`` and
    ``int("١٢")`` are refused, as are NaN and infinity), text is at most 500 characters and lists
    at most 64 items."""
    raw = str(raw)
    if len(raw) > 500 or (not isinstance(like, str) and (not raw.isascii() or len(raw) > 200)):
        raise ValueError("query parameter too long or not ASCII")
    if isinstance(like, float) and not isinstance(like, bool):
        v = float(raw)
        if not math.isfinite(v):
            raise ValueError(raw)
        return v
    if isinstance(like, tuple) and raw.count(",") >= 64:
        raise ValueError("too many values")
    if isinstance(like, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(raw)
    if isinstance(like, int):
        return int(raw)
    if isinstance(like, float):
        return float(raw)
    if isinstance(like, str):
        return raw
    if isinstance(like, tuple) and all(isinstance(v, (int, float)) for v in like):
        typ = int if all(isinstance(v, int) for v in like) else float
        return tuple(typ(x) for x in raw.split(",") if x)
    if isinstance(like, tuple) and all(isinstance(v, str) for v in like):  # a multiselect (issue 14 §2)
        return tuple(x.strip() for x in raw.split(",") if x.strip())
    raise ValueError(raw)


def declared_list_parser(cls: type, field: str) -> Callable[[str], Any] | None:
    """A ``"1, 2, 4"`` parser for a field declared ``tuple[int, ...]`` / ``tuple[float, ...]``
    (lower bound and item limit from its declaration), ``None`` for any other field."""
    spec = param_specs(cls).get(field)
    kind = {f.name: str(f.type) for f in dataclasses.fields(cls)}.get(field, "")
    if spec is None or not kind.startswith("tuple[") or "str" in kind:
        return None
    max_items = spec.max_items
    if "int" in kind:
        lo_i = int(spec.lo) if spec.lo is not None else -(10**12)
        return lambda text: parse_int_list(text, min_value=lo_i, max_items=max_items)
    lo_f = float(spec.lo) if spec.lo is not None else -math.inf
    return lambda text: parse_float_list(text, min_value=lo_f, max_items=max_items)


class PageInputs:
    """Inputs of one page, stored as dataclass ``cls`` in ``session_state.pages[page_id]``."""

    def __init__(self, ctx: Any, page_id: str, cls: type, defaults: dict[str, Any] | None = None) -> None:
        """``defaults`` override the dataclass defaults when the page's inputs are first created
        (e.g. efficiencies taken from the current hardware profile); the URL still wins."""
        self.ctx = ctx
        self._defaults = dict(defaults or {})
        self.st = ctx.st
        self.ss = ctx.session_state
        self.page_id = page_id
        self.errors: dict[str, str] = {}
        if page_id not in self.ss.pages:
            self.ss.pages[page_id] = self._from_query(cls)
        elif not isinstance(self.ss.pages[page_id], cls):  # class reloaded (dev server) or stale
            try:
                self.ss.pages[page_id] = cls(**dataclasses.asdict(self.ss.pages[page_id]))
            except (TypeError, ValueError):
                self.ss.pages[page_id] = cls()
        self._fields = {f.name for f in dataclasses.fields(cls)}
        self._follow_sidebar()

    @property
    def values(self) -> Any:
        return self.ss.pages[self.page_id]

    # ---- sidebar defaults (issue 14 §2) ----------------------------------------
    @property
    def _pinned(self) -> set[str]:
        """Fields of :data:`SIDEBAR_FIELDS` the user set on this page (they no longer follow the sidebar)."""
        return self.ss.results.setdefault(f"{self.page_id}.__pinned", set())

    def _follow_sidebar(self) -> None:
        """Page fields named like a sidebar setting (TP, EP, dtypes) take the sidebar's value unless
        the user changed them on this page, so changing the sidebar never silently does nothing."""
        s = self.ss.settings
        changes = {
            f: getattr(s, attr)
            for f, attr in SIDEBAR_FIELDS.items()
            if f in self._fields and f not in self._pinned and getattr(self.values, f) != getattr(s, attr)
        }
        if changes:
            try:
                self.ss.pages[self.page_id] = dataclasses.replace(self.values, **changes)
            except (TypeError, ValueError):  # e.g. the page limits TP further: keep the page's value
                return

    def _from_query(self, cls: type) -> Any:
        try:
            obj = cls(**self._defaults)
        except (TypeError, ValueError):
            obj = cls()
        try:
            qp = self.st.query_params
            changes = {}
            declared = param_specs(cls)
            for f in dataclasses.fields(cls):
                if f.name in qp:
                    try:
                        raw = str(qp[f.name])
                        if f.name in declared:  # type and bounds from the field's declaration
                            coerce_query_value(raw, getattr(obj, f.name))  # URL hygiene (length, ASCII)
                            changes[f.name] = coerce_param(cls, f.name, raw)
                        else:
                            changes[f.name] = coerce_query_value(raw, getattr(obj, f.name))
                    except ValueError:
                        continue
            # a sidebar-like field the link sets to another value than the sidebar's is the page's own
            s = self.ss.settings
            pinned = {f for f in str(qp.get("pinned", "")).split(",") if f in SIDEBAR_FIELDS}
            pinned |= {f for f, v in changes.items() if f in SIDEBAR_FIELDS and v != getattr(s, SIDEBAR_FIELDS[f])}
            if pinned:
                self.ss.results[f"{self.page_id}.__pinned"] = pinned
            return dataclasses.replace(obj, **changes) if changes else obj
        except (ValueError, TypeError, AttributeError):
            return obj

    def _key(self, field: str) -> str:
        return f"{self.page_id}__{field}"

    def _on_change(self, field: str, transform: Callable[[Any], Any] | None = None) -> Callable[[], None]:
        def cb() -> None:
            raw = self.st.session_state.get(self._key(field))
            value = transform(raw) if transform else raw
            err = set_page_input(self.ss, self.page_id, field, value)
            errs = self.ss.results.setdefault(f"{self.page_id}.__errors", {})
            if err:
                errs[field] = f"{field}: {err} (kept {getattr(self.values, field)!r})"
            else:
                errs.pop(field, None)
                if field in SIDEBAR_FIELDS:
                    self._pinned.add(field)

        return cb

    def _seed(self, field: str, value: Any) -> str:
        key = self._key(field)
        self.st.session_state[key] = value
        return key

    def _show_error(self, field: str) -> None:
        err = self.ss.results.get(f"{self.page_id}.__errors", {}).get(field)
        if err:
            self.st.error(tr("common.invalid_input", self.ctx.lang, error=err))

    def _where(self, container: Any) -> Any:
        return container if container is not None else self.st

    # ---- widgets --------------------------------------------------------------
    def number(
        self,
        field: str,
        label: str,
        *,
        min_value: float | None = None,
        max_value: float | None = None,
        step: float | None = None,
        format: str | None = None,
        help: str | None = None,
        container: Any = None,
    ) -> Any:
        """A number input; bounds not given come from the field's declaration
        (:func:`dashboard.features.params.widget_bounds`)."""
        declared = widget_bounds(type(self.values), field, step)
        min_value = declared.get("min_value") if min_value is None else min_value
        max_value = declared.get("max_value") if max_value is None else max_value
        cur = getattr(self.values, field)
        if (min_value is not None and cur < min_value) or (max_value is not None and cur > max_value):
            cur = min(
                max(cur, min_value if min_value is not None else cur), max_value if max_value is not None else cur
            )
        key = self._seed(field, cur)
        self._where(container).number_input(
            label,
            min_value=min_value,
            max_value=max_value,
            step=step,
            format=format,
            help=help,
            key=key,
            on_change=self._on_change(field),
        )
        self._show_error(field)
        return getattr(self.values, field)

    def slider(
        self,
        field: str,
        label: str,
        *,
        min_value: float | None = None,
        max_value: float | None = None,
        step: float | None = None,
        help: str | None = None,
        container: Any = None,
    ) -> Any:
        """A slider; bounds not given come from the field's declaration (a slider needs both)."""
        declared = widget_bounds(type(self.values), field, step)
        min_value = declared.get("min_value") if min_value is None else min_value
        max_value = declared.get("max_value") if max_value is None else max_value
        if min_value is None or max_value is None:
            raise TypeError(f"slider {field!r} needs min_value and max_value (declare lo/hi on the field)")
        cur = getattr(self.values, field)
        key = self._seed(field, min(max(cur, min_value), max_value))
        self._where(container).slider(
            label,
            min_value=min_value,
            max_value=max_value,
            step=step,
            help=help,
            key=key,
            on_change=self._on_change(field),
        )
        self._show_error(field)
        return getattr(self.values, field)

    def select(
        self,
        field: str,
        label: str,
        options: Sequence[Any],
        *,
        format_func: Callable[[Any], str] | None = None,
        help: str | None = None,
        container: Any = None,
        horizontal: bool = False,
        radio: bool = False,
    ) -> Any:
        """A selectbox (or radio) over ``options``; the stored value stays the option itself, the
        display is ``format_func`` or else the catalogue's ``opt.<value>`` in the page language."""
        format_func = format_func or self._option_label
        cur = getattr(self.values, field)
        opts = list(options)
        if cur not in opts:
            cur = opts[0]
            set_page_input(self.ss, self.page_id, field, cur)
        key = self._seed(field, cur)
        where = self._where(container)
        if radio:
            where.radio(
                label,
                opts,
                format_func=format_func,
                help=help,
                key=key,
                horizontal=horizontal,
                on_change=self._on_change(field),
            )
        else:
            where.selectbox(label, opts, format_func=format_func, help=help, key=key, on_change=self._on_change(field))
        self._show_error(field)
        return getattr(self.values, field)

    def _option_label(self, value: Any) -> str:
        return option_label(value, self.ctx.lang)

    def multiselect(
        self,
        field: str,
        label: str,
        options: Sequence[Any],
        *,
        help: str | None = None,
        container: Any = None,
        format_func: Callable[[Any], str] | None = None,
    ) -> tuple[Any, ...]:
        cur = [v for v in getattr(self.values, field) if v in options]
        key = self._seed(field, cur)
        self._where(container).multiselect(
            label,
            list(options),
            format_func=format_func or self._option_label,
            help=help,
            key=key,
            on_change=self._on_change(field, tuple),
        )
        self._show_error(field)
        return getattr(self.values, field)

    def toggle(self, field: str, label: str, *, help: str | None = None, container: Any = None) -> bool:
        key = self._seed(field, bool(getattr(self.values, field)))
        self._where(container).checkbox(label, help=help, key=key, on_change=self._on_change(field))
        self._show_error(field)
        return bool(getattr(self.values, field))

    def text(
        self,
        field: str,
        label: str,
        *,
        help: str | None = None,
        container: Any = None,
        parse: Callable[[str], Any] | None = None,
        area: bool = False,
    ) -> Any:
        """Free text; ``parse`` turns it into the field's value (e.g. a comma list → tuple of ints)
        and raises ``ValueError`` with a message for bad text. Without ``parse``, a field declared
        as a list of numbers is parsed with the declaration's lower bound and item limit (the
        dataclass then checks the upper bound)."""
        if parse is None:
            parse = declared_list_parser(type(self.values), field)
        cur = getattr(self.values, field)
        shown = ", ".join(str(v) for v in cur) if isinstance(cur, tuple) else str(cur)
        key = self._seed(field, shown)

        def transform(raw: Any) -> Any:
            return parse(raw) if parse else raw

        def cb() -> None:
            errs = self.ss.results.setdefault(f"{self.page_id}.__errors", {})
            try:
                value = transform(self.st.session_state.get(key))
            except ValueError as exc:
                errs[field] = f"{field}: {exc} (kept {shown!r})"
                return
            err = set_page_input(self.ss, self.page_id, field, value)
            if err:
                errs[field] = f"{field}: {err} (kept {shown!r})"
            else:
                errs.pop(field, None)

        widget = self._where(container).text_area if area else self._where(container).text_input
        widget(label, help=help, key=key, on_change=cb)
        self._show_error(field)
        return getattr(self.values, field)

    # ---- query params ---------------------------------------------------------
    def sync_query_params(self, extra: dict[str, Any] | None = None) -> None:
        """Mirror simple fields (and ``extra``) into the URL so the page can be shared."""
        try:
            qp = self.st.query_params
            out: dict[str, str] = {}
            for f in dataclasses.fields(self.values):
                v = getattr(self.values, f.name)
                if isinstance(v, (bool, int, float, str)):
                    out[f.name] = str(v)
                elif isinstance(v, tuple) and all(isinstance(x, (int, float)) for x in v):
                    out[f.name] = ",".join(str(x) for x in v)
                elif isinstance(v, tuple) and all(isinstance(x, str) and "," not in x for x in v):
                    out[f.name] = ",".join(v)  # a multiselect of names (presets, engines, policies)
            out.update({k: str(v) for k, v in (extra or {}).items()})
            pinned = sorted(f for f in self._pinned if f in self._fields)
            current = dict(qp.to_dict()) if hasattr(qp, "to_dict") else {}
            if "pinned" in self._fields:  # a page field named "pinned" (host_bandwidth) owns the key
                pass
            elif pinned:
                out["pinned"] = ",".join(pinned)
            elif "pinned" in current:
                qp.pop("pinned")
            if any(current.get(k) != v for k, v in out.items()):
                qp.update(out)
        except (AttributeError, TypeError, ValueError, KeyError):
            pass
        self._show_pinned()

    def _show_pinned(self) -> None:
        """Say which sidebar defaults this page overrides (with the sidebar's value)."""
        s = self.ss.settings
        diff = [
            f"{f} = {getattr(self.values, f)} ({tr('ui.sidebar_value', self.ctx.lang)} {getattr(s, a)})"
            for f, a in SIDEBAR_FIELDS.items()
            if f in self._fields and f in self._pinned and getattr(self.values, f) != getattr(s, a)
        ]
        if diff:
            self.st.caption(tr("ui.page_overrides", self.ctx.lang, what=", ".join(diff)))
