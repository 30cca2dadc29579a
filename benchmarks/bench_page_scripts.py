"""Page script time without a browser: first run and rerun of every registered page (issue 14).

The browser benchmark (``bench_browser.py``) measures wall time on a machine shared with other
work; this one runs each page script in-process with Streamlit's ``AppTest`` and records both the
wall time and the **CPU time of this process** (``time.process_time``), which does not grow when
other processes compete for the cores:

    python benchmarks/bench_page_scripts.py              # all pages
    python benchmarks/bench_page_scripts.py overview mma # pages whose url_path contains a word
    python benchmarks/bench_page_scripts.py --profile planner   # + cProfile of the reruns (top 25)

first = a fresh session's first run of the page (the process has already imported the domain
code and run one other page, as a server that has served the app does); rerun = the first number
input of the main area changed by one step (as the browser benchmark does; pages without one
rerun unchanged), median of ``--reruns`` (default 3). Charts stay closed and Run buttons unpressed,
as a user first sees the page. AppTest adds its own overhead (building the element tree from the
protobuf messages, ~10–30 ms per run), so these figures are an upper bound of the server's script
time, not of what a browser shows (add frontend paint and the websocket round trip for that).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.page_registry import PAGE_SPECS, PageSpec  # noqa: E402

#: Same query strings as the browser benchmark (tests/browser/test_pages_browser.py PAGE_QUERY).
PAGE_QUERY: dict[str, dict[str, str]] = {"experts_calculation": {"model": "qwen3-30b-a3b"}}


def _timed(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def _bump_first_number(at: AppTest) -> bool:
    """Change the first enabled main-area number input by one step (down at the max)."""
    for ni in at.main.number_input:
        if getattr(ni.proto, "disabled", False):
            continue
        v = ni.value
        if v is None:
            continue
        step = ni.step or 1
        new = v + step
        mx = ni.proto.max if ni.proto.has_max else None
        if mx is not None and new > mx:
            new = v - step
        ni.set_value(new)
        return True
    return False


def bench_page(spec: PageSpec, reruns: int, profile: cProfile.Profile | None = None) -> dict[str, float]:
    at = AppTest.from_file(str(spec.path), default_timeout=300)
    for k, v in PAGE_QUERY.get(spec.url_path, {}).items():
        at.query_params[k] = v
    first_wall, first_cpu = _timed(at.run)
    if at.exception:
        raise RuntimeError(f"{spec.url_path}: {at.exception[0].message}")
    walls, cpus = [], []
    for _ in range(reruns):
        _bump_first_number(at)
        if profile is not None:
            profile.enable()
        w, c = _timed(at.run)
        if profile is not None:
            profile.disable()
        walls.append(w)
        cpus.append(c)
    return {
        "first_wall_s": first_wall,
        "first_cpu_s": first_cpu,
        "rerun_wall_s": statistics.median(walls),
        "rerun_cpu_s": statistics.median(cpus),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", help="substrings of url_path (default: all pages)")
    ap.add_argument("--reruns", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the reruns (cumulative, top 25)")
    args = ap.parse_args(argv)
    specs = [s for s in PAGE_SPECS if not args.pages or any(p in s.url_path for p in args.pages)]
    if not specs:
        print("no page matches", file=sys.stderr)
        return 2
    # warm-up: imports and one page run, as a server that has served the app once
    AppTest.from_file(str(PAGE_SPECS[0].path), default_timeout=300).run()
    prof = cProfile.Profile() if args.profile else None
    print(f"{'page':40} {'first s':>8} {'(cpu)':>7} {'rerun s':>8} {'(cpu)':>7}   (target rerun <= 0.3 s)")
    for spec in specs:
        r = bench_page(spec, args.reruns, prof)
        flag = " rerun>0.3" if r["rerun_cpu_s"] > 0.3 else ""
        print(
            f"{spec.url_path:40} {r['first_wall_s']:8.3f} {r['first_cpu_s']:7.3f} "
            f"{r['rerun_wall_s']:8.3f} {r['rerun_cpu_s']:7.3f}{flag}",
            flush=True,
        )
    if prof is not None:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
