"""Re-test the survivors of the last ``make mutate`` against the current formula tests, without a
full mutmut run (which takes ≈ 45 min on 1 busy core).

mutmut's trampolines pick the active mutant from ``MUTANT_UNDER_TEST`` at call time, so one pytest
process can try many mutants in turn: this script copies the current test files into ``mutants/``,
then for each surviving (or untested) mutant runs them with ``-x`` and prints ``name: killed`` /
``survived`` / ``timeout`` and a summary with the combined kill rate (killed in the mutmut run +
killed now) over all mutants. Run from the repository root after ``make mutate``::

    python benchmarks/mutation_recheck.py            # all survivors
    python benchmarks/mutation_recheck.py NAME ...   # given mutants
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

TESTS = [
    "tests/test_time_formulas.py",
    "tests/test_formula_pins.py",
    "tests/test_cost_model.py",
    "tests/test_memory.py",
]
LINE = re.compile(r"^\s*(\S+__mutmut_\d+): (.+?)\s*$")


class _Timeout(Exception):
    pass


def _results() -> dict[str, str]:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=False)
    return {m[1]: m[2] for m in map(LINE.match, out.stdout.splitlines()) if m}


def main(argv: list[str]) -> int:
    status = _results()
    if not status:
        print("no mutmut results (run `make mutate` first)")
        return 1
    names = argv or [n for n, s in status.items() if s in ("survived", "no tests")]
    for t in TESTS:
        shutil.copy(t, Path("mutants") / t)
    os.chdir("mutants")
    sys.path.insert(0, os.getcwd())
    import pytest

    def alarm(*_: object) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, alarm)
    args = ["-x", "-q", "-p", "no:cacheprovider", *TESTS]
    os.environ["MUTANT_UNDER_TEST"] = ""
    with contextlib.redirect_stdout(io.StringIO()):
        if pytest.main(args) != 0:
            print("the tests fail without a mutant: fix them first")
            return 1
    now: dict[str, str] = {}
    for name in names:
        os.environ["MUTANT_UNDER_TEST"] = name
        signal.alarm(60)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                now[name] = "killed" if pytest.main(args) != 0 else "survived"
        except _Timeout:
            now[name] = "timeout"
        finally:
            signal.alarm(0)
        print(f"{name}: {now[name]}", flush=True)
    merged = {**status, **now}
    for module in sorted({n.split(".x")[0] for n in merged}):
        sub = [s for n, s in merged.items() if n.startswith(module + ".x")]
        killed = sum(s in ("killed", "timeout") for s in sub)
        print(f"{module:<42}{len(sub):>6} mutants {killed:>6} killed {100 * killed / len(sub):6.1f}%")
    killed = sum(s in ("killed", "timeout") for s in merged.values())
    print(f"{'total':<42}{len(merged):>6} mutants {killed:>6} killed {100 * killed / len(merged):6.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
