"""Entry point: ``streamlit run dashboard/app.py`` shows every registered page, grouped by section.

Only navigation lives here; each page draws the shared sidebar/header itself via ``bootstrap()``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ first, not the root
    sys.path.insert(0, str(_ROOT))

import streamlit as st

from dashboard.common.i18n import page_text
from dashboard.components.exposure import enforce_exposure_policy
from dashboard.components.gc_tuning import freeze_long_lived
from dashboard.page_registry import PAGE_SPECS

st.set_page_config(page_title="Modeling Dashboard Suite", layout="wide")
# Loopback only unless the operator opted in; upload cap and no telemetry whatever the cwd
# (docs/SECURITY.md). Every page repeats this in bootstrap() for `streamlit run dashboard/<page>.py`.
enforce_exposure_policy(st)

# the session's language (set by the sidebar, or ?lang=zh on the first load) names pages and sections
_state = st.session_state.get("app_state")
_lang = getattr(getattr(_state, "settings", None), "language", None) or (
    "zh" if st.query_params.get("lang") == "zh" else "en"
)
sections: dict[str, list] = {}
for spec in PAGE_SPECS:
    title = page_text(spec.title, _lang)
    section = sections.setdefault(page_text(spec.section, _lang, prefix="section"), [])
    section.append(
        st.Page(
            spec.path,
            title=title,
            icon=spec.icon,
            default=spec.default,
            url_path=spec.url_path if not spec.default else f"{spec.url_path}-home",
        )
    )
    if spec.default:  # the default page is served at "/"; its registry URL (/overview) opens it too
        section.append(st.Page(spec.path, title=title, url_path=spec.url_path, icon=spec.icon, visibility="hidden"))
# expanded=True: every page is listed (no "View N more" fold)
try:
    st.navigation(sections, expanded=True).run()
finally:  # after a run that imported modules: freeze them out of the post-run gc.collect (issue 14)
    freeze_long_lived()
