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

from dashboard.page_registry import PAGE_SPECS

st.set_page_config(page_title="Modeling Dashboard Suite", layout="wide")

sections: dict[str, list] = {}
for spec in PAGE_SPECS:
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, url_path=spec.url_path, icon=spec.icon, default=spec.default)
    )
st.navigation(sections).run()
