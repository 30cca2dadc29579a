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

from dashboard.components.exposure import enforce_exposure_policy
from dashboard.page_registry import PAGE_SPECS

st.set_page_config(page_title="Modeling Dashboard Suite", layout="wide")
# Loopback only unless the operator opted in; upload cap and no telemetry whatever the cwd
# (docs/SECURITY.md). Every page repeats this in bootstrap() for `streamlit run dashboard/<page>.py`.
enforce_exposure_policy(st)

sections: dict[str, list] = {}
for spec in PAGE_SPECS:
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, url_path=spec.url_path if not spec.default else f"{spec.url_path}-home",
                icon=spec.icon, default=spec.default)
    )
    if spec.default:  # the default page is served at "/"; its registry URL (/overview) opens it too
        sections[spec.section].append(st.Page(spec.path, title=spec.title, url_path=spec.url_path, icon=spec.icon,
                                              visibility="hidden"))
# expanded=True: every page is listed (no "View N more" fold)
st.navigation(sections, expanded=True).run()
