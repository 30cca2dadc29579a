"""Domain packages never import Streamlit (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import dashboard

ROOT = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ("features", "services", "common", "state", "actions")


def _pure_modules() -> list[str]:
    mods = []
    for pkg in PURE_PACKAGES:
        path = Path(dashboard.__path__[0]) / pkg
        mods.append(f"dashboard.{pkg}")
        for info in pkgutil.walk_packages([str(path)], prefix=f"dashboard.{pkg}."):
            mods.append(info.name)
    if (ROOT / "dashboard" / "sim_scheduler.py").exists():
        mods.append("dashboard.sim_scheduler")
    return mods


def test_pure_modules_do_not_load_streamlit() -> None:
    mods = _pure_modules()
    code = "import sys\n" + "\n".join(f"import {m}" for m in mods) + "\nprint('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", "a domain module imported streamlit"


def test_no_streamlit_import_statements_in_pure_code() -> None:
    offenders = []
    for pkg in PURE_PACKAGES:
        for f in (ROOT / "dashboard" / pkg).rglob("*.py"):
            for line in f.read_text().splitlines():
                s = line.strip()
                if s.startswith(("import streamlit", "from streamlit")):
                    offenders.append(str(f))
    assert not offenders
