"""Page speed in a real browser: first render and rerun of every registered page.

Runs the browser tests (``tests/browser``: Streamlit server + Debian Chromium via Playwright) and
prints the figures they write to ``test-artifacts/page_speed.json``:

    python benchmarks/bench_browser.py            # all pages
    python benchmarks/bench_browser.py overview   # pages whose url_path matches (pytest -k)

first  = a fresh session opens the page's URL → the script has run and every widget is painted
         (charts start closed and expensive pages wait for Run, issue 14);
nav    = sidebar click → page rendered; rerun = a number input changed + Enter → script done
(median of 3); run = the Run button pressed → results; chart = a closed chart opened → drawn.
Targets (issue 14): first ≤ 2.5 s, rerun ≤ 0.3 s on a 2-core machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEED_JSON = ROOT / "test-artifacts" / "page_speed.json"


def main(argv: list[str]) -> int:
    if not Path("/usr/bin/chromium").exists():  # `make bench` runs every bench: skip, don't fail
        print("skipped: needs /usr/bin/chromium (make chromium, or apt-get install chromium)")
        return 0
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser"]
    if argv:
        cmd += ["-k", " or ".join(argv)]
    SPEED_JSON.unlink(missing_ok=True)
    rc = subprocess.call(cmd, cwd=ROOT)
    if not SPEED_JSON.exists():
        print("no timings written")
        return rc or 1
    doc = json.loads(SPEED_JSON.read_text())
    targets = doc["targets"]
    print(
        f"\npage speed ({doc['machine']['cpus']} CPUs; server cold start "
        f"{doc.get('server_cold_first_render_s', float('nan')):.2f} s)"
    )
    print(f"{'page':40} {'first s':>8} {'nav s':>7} {'rerun s':>8} {'run s':>7} {'chart s':>8}")
    for name, r in doc["pages"].items():
        cells = [r.get(k) for k in ("first_render_s", "nav_render_s", "rerun_s", "run_s", "chart_open_s")]
        text = [f"{c:.2f}" if isinstance(c, int | float) else "-" for c in cells]
        flag = ""
        if isinstance(cells[0], float) and cells[0] > targets["first_render_s"]:
            flag += " first>target"
        if isinstance(cells[2], float) and cells[2] > targets["rerun_s"]:
            flag += " rerun>target"
        print(f"{name:40} {text[0]:>8} {text[1]:>7} {text[2]:>8} {text[3]:>7} {text[4]:>8}{flag}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
