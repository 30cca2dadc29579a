"""Backward-compatible entry: ``streamlit run dashboard/llm_dashboard.py`` opens the same app."""

from __future__ import annotations

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "app.py"), run_name="__main__")
