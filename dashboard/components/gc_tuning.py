"""Keep Streamlit's garbage collection after every script run cheap (issue 14, rerun ≤ 0.3 s).

Streamlit calls ``gc.collect(2)`` after each script run (``runner.postScriptGC``, on by default),
on the script thread while it holds the GIL, so the "script finished" message waits for it. A full
collection walks every tracked object of the process: with the dashboard's imports (Streamlit,
pandas, pyarrow, Plotly, numpy, the domain code) that is ~170 000 objects and took 0.11–0.24 s
per run on the 2-core development box — about half of a page's measured browser rerun.

Nearly all of those objects are module-level and live as long as the process. ``gc.freeze()``
moves every currently tracked object to a permanent generation that collections skip (Python
docs, ``gc.freeze``); Streamlit's post-run collection then walks only the objects created since.
:func:`freeze_long_lived` does that after a run that imported new modules (the first visit of
each page in the process lifetime, so at most a few dozen times). It collects the young
generations first (``gc.collect(1)``: cheap, and where a run's fresh garbage sits) so that little
garbage is frozen; a full collection there would cost that page's first render the same 0.1–0.2 s
again. Objects created by later runs (session state, results, figures) stay in the normal
generations and are collected as before.

No Streamlit import: this module only touches :mod:`gc` and :mod:`sys`.
"""

from __future__ import annotations

import gc
import sys

__all__ = ["freeze_long_lived"]

_modules_at_last_freeze = 0


def freeze_long_lived() -> bool:
    """Collect the young generations, then freeze every surviving object, when modules were
    imported since the last freeze. Returns whether it froze (a cheap no-op otherwise: one
    ``len(sys.modules)``)."""
    global _modules_at_last_freeze
    n = len(sys.modules)
    if n <= _modules_at_last_freeze:
        return False
    gc.collect(1)
    gc.freeze()
    _modules_at_last_freeze = n
    return True
