"""The CLI examples in README.md run as written on a fresh clone (issue 14 §5).

Every line of the README's CLI code block that starts with ``modeling`` is run as
``python -m runners …`` from a scratch directory that sees the repository's shipped files under the
same relative paths (so files the examples write, like ``my-h200.json``, stay out of the tree).
Each must exit 0 and, with ``--json``, print a JSON document.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_cli_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## CLI\n.*?```bash\n(.*?)```", text, re.S)
    assert block, "README.md has no bash block under '## CLI'"
    return [ln.strip() for ln in block.group(1).splitlines() if ln.strip().startswith("modeling ")]


def test_readme_cli_examples_run_as_written(tmp_path):
    lines = readme_cli_lines()
    assert len(lines) >= 5, lines
    (tmp_path / "dashboard").symlink_to(ROOT / "dashboard")  # shipped files at their README paths
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for line in lines:  # in order: `predict` reads the profile `calibrate` wrote
        argv = shlex.split(line)
        proc = subprocess.run(
            [sys.executable, "-m", "runners", *argv[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, f"{line}\nexit {proc.returncode}\n{proc.stderr[-2000:]}"
        if "--json" in argv:
            doc = json.loads(proc.stdout)
            assert isinstance(doc, dict) and doc, line
    assert (tmp_path / "my-h200.json").exists()
