"""An explicit Run button for a page's expensive work (simulations, sweeps, searches, fits).

``run_button(ctx, page_id, fingerprint, compute)`` draws the button and returns the result for the
current inputs, or ``None`` when there is none yet (the page then stops drawing results):

* pressing **Run** calls ``compute()`` under a spinner (the page may show its own progress bar
  inside ``compute``); Streamlit's Stop, or any input change, interrupts the run (cancel path);
* results are kept per session by ``fingerprint`` (the page's inputs plus model/hardware/dtypes/
  layout, as text), the last :data:`KEEP` per page, so switching back to the page, or back to
  inputs already run, shows them at once without recomputing;
* inputs that changed since the last run show a note instead of stale numbers.

``AUTO_RUN`` makes a page compute without the click (the AppTest suites, which assert on results,
set it in tests/conftest.py; tests/test_ui_mechanics.py checks the real default).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from dashboard.common.i18n import tr

__all__ = ["AUTO_RUN", "KEEP", "fingerprint", "run_button"]

T = TypeVar("T")

AUTO_RUN = False
KEEP = 8
_STORE = "ui.runs"  # session_state.results[_STORE][page_id] = {fingerprint: (result, seconds)}


def fingerprint(*parts: Any) -> str:
    """A short stable digest of ``repr(parts)`` (dataclasses repr by value)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()[:20]


def run_button(ctx: Any, page_id: str, fp: str, compute: Callable[[], T], *, label: str | None = None) -> T | None:
    st, lang = ctx.st, ctx.lang
    runs: dict[str, dict[str, tuple[Any, float]]] = ctx.session_state.results.setdefault(_STORE, {})
    kept = runs.setdefault(page_id, {})
    clicked = st.button(
        label or tr("ui.run", lang), type="primary", icon=":material/play_arrow:", key=f"{page_id}__run"
    )
    if clicked or (AUTO_RUN and fp not in kept):
        t0 = time.perf_counter()
        with st.spinner(tr("ui.running", lang)):
            result = compute()
        kept.pop(fp, None)
        kept[fp] = (result, time.perf_counter() - t0)
        while len(kept) > KEEP:
            kept.pop(next(iter(kept)))
    if fp in kept:
        result, secs = kept[fp]
        st.caption(tr("ui.ran_in", lang, s=secs))
        return result
    st.info(tr("ui.stale" if kept else "ui.press_run", lang))
    return None
