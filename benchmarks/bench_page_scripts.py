"""Page script time without a browser: first run and rerun of every registered page (issue 14).

The browser benchmark (``bench_browser.py``) measures wall time on a machine shared with other
work; this one runs each page script in-process with Streamlit's ``AppTest`` and records both the
wall time and the **CPU time of this process** (``time.process_time``), which does not grow when
other processes compete for the cores:

    python benchmarks/bench_page_scripts.py              # all pages
    python benchmarks/bench_page_scripts.py overview mma # pages whose url_path contains a word
    python benchmarks/bench_page_scripts.py --profile planner   # + cProfile of the script runs
    python benchmarks/bench_page_scripts.py --no-freeze          # post-run gc as before issue 14

first = a fresh session's first run of the page (the process has already imported the domain
code and run one other page, as a server that has served the app does); rerun = the first number
input of the main area changed by one step (as the browser benchmark does; pages without one
switch the sidebar model preset), median of ``--reruns`` (default 3). Charts stay closed and Run
buttons unpressed, as a user first sees the page. Times are taken inside the script thread
(``ScriptRunner._run_script``: wall and thread CPU), plus ``gc`` = the ``gc.collect(2)`` that
a Streamlit server runs after every script run (``runner.postScriptGC``; AppTest skips it, so it
is timed here) after ``freeze_long_lived()`` as ``dashboard/app.py`` does (``--no-freeze``: the
state before). What a browser shows adds the websocket round trip and the frontend's paint.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.testing.v1 import AppTest

from dashboard.components.gc_tuning import freeze_long_lived
from dashboard.page_registry import PAGE_SPECS, PageSpec

#: Same query strings as the browser benchmark (tests/browser/test_pages_browser.py PAGE_QUERY).
PAGE_QUERY: dict[str, dict[str, str]] = {"experts_calculation": {"model": "qwen3-30b-a3b"}}


_RUNS: list[tuple[float, float]] = []  # (wall, thread CPU) of each script run, taken in its thread
_PROFILE: list[cProfile.Profile] = []


def _instrument() -> None:
    """Time (and optionally profile) ``ScriptRunner._run_script`` inside the script thread."""
    orig = ScriptRunner._run_script

    def timed(self, rerun_data):  # type: ignore[no-untyped-def]
        prof = _PROFILE[0] if _PROFILE else None
        w0, c0 = time.perf_counter(), time.thread_time()
        if prof is not None:
            prof.enable()
        try:
            return orig(self, rerun_data)
        finally:
            if prof is not None:
                prof.disable()
            _RUNS.append((time.perf_counter() - w0, time.thread_time() - c0))

    ScriptRunner._run_script = timed  # type: ignore[method-assign]


def _run(at: AppTest, freeze: bool) -> tuple[float, float, float]:
    """One script run: (wall s, CPU s, post-run gc s). AppTest's runner skips the server's
    post-run ``gc.collect(2)`` (``runner.postScriptGC``), so it is timed here, as app.py's
    ``freeze_long_lived()`` would leave it."""
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    wall, cpu = _RUNS[-1]
    g0 = time.process_time()  # CPU time: nothing else runs in this process meanwhile
    if freeze:
        freeze_long_lived()  # app.py calls it at the end of each run
    gc.collect(2)
    return wall, cpu, time.process_time() - g0


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


def _switch_model(at: AppTest, i: int) -> None:
    """Pages without a main-area number input: switch the sidebar model preset (as the browser
    benchmark does), alternating between two presets."""
    sb = at.sidebar.selectbox(key="sb_model_preset")
    opts = [o for o in sb.options if o != "custom"]
    sb.set_value(opts[1] if i % 2 == 0 else opts[0])


def bench_page(spec: PageSpec, reruns: int, freeze: bool) -> dict[str, float]:
    at = AppTest.from_file(str(spec.path), default_timeout=300)
    for k, v in PAGE_QUERY.get(spec.url_path, {}).items():
        at.query_params[k] = v
    first = _run(at, freeze)
    runs = []
    for i in range(reruns):
        if not _bump_first_number(at):
            _switch_model(at, i)
        runs.append(_run(at, freeze))
    return {
        "first_wall_s": first[0],
        "first_cpu_s": first[1],
        "first_gc_s": first[2],
        "rerun_wall_s": statistics.median(r[0] for r in runs),
        "rerun_cpu_s": statistics.median(r[1] for r in runs),
        "rerun_gc_s": statistics.median(r[2] for r in runs),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("pages", nargs="*", help="substrings of url_path (default: all pages)")
    ap.add_argument("--reruns", type=int, default=3)
    ap.add_argument("--no-freeze", action="store_true", help="skip freeze_long_lived() (the state before issue 14)")
    ap.add_argument("--profile", action="store_true", help="cProfile the script runs (cumulative, top 30)")
    args = ap.parse_args(argv)
    specs = [s for s in PAGE_SPECS if not args.pages or any(p in s.url_path for p in args.pages)]
    if not specs:
        print("no page matches", file=sys.stderr)
        return 2
    _instrument()
    freeze = not args.no_freeze
    # warm-up: imports and one page run, as a server that has served the app once
    _run(AppTest.from_file(str(PAGE_SPECS[0].path), default_timeout=300), freeze)
    if args.profile:
        _PROFILE.append(cProfile.Profile())
    print(f"post-run gc: {'freeze_long_lived() after each run' if freeze else 'no freeze (before issue 14)'}")
    head = f"{'page':38} {'first s':>8} {'cpu':>6} {'gc':>6} {'rerun s':>8} {'cpu':>6} {'gc':>6}"
    print(head + "   (wall and CPU s of the script run; gc = CPU s of the freeze + post-run gc.collect)")
    rows = {}
    for spec in specs:
        r = rows[spec.url_path] = bench_page(spec, args.reruns, freeze)
        print(
            f"{spec.url_path:38} {r['first_wall_s']:8.3f} {r['first_cpu_s']:6.3f} {r['first_gc_s']:6.3f} "
            f"{r['rerun_wall_s']:8.3f} {r['rerun_cpu_s']:6.3f} {r['rerun_gc_s']:6.3f}",
            flush=True,
        )
    tot = [sum(r[k] for r in rows.values()) for k in ("first_cpu_s", "rerun_cpu_s", "rerun_gc_s")]
    print(f"{'sum over pages (cpu, cpu, gc)':38} {'':8} {tot[0]:6.3f} {'':6} {'':8} {tot[1]:6.3f} {tot[2]:6.3f}")
    if _PROFILE:
        out = io.StringIO()
        pstats.Stats(_PROFILE[0], stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
