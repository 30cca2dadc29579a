"""Kill rate of the last ``mutmut run`` per mutated module (run by ``make mutate``).

Reads ``mutmut results --all true`` (one line ``<module>.<function>__mutmut_<n>: <status>`` per
mutant) and prints, per module and in total, the mutants killed (a test failed or timed out), the
survivors, and those no selected test reaches. Kill rate = killed ÷ all mutants (untested ones count
as not killed). ``--survivors`` also lists the surviving mutants by function.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {"killed", "timeout"}
LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+)__mutmut_(?P<n>\d+): (?P<status>.+?)\s*$")


def parse(text: str) -> dict[str, Counter[str]]:
    """``{module: Counter(status)}`` from the output of ``mutmut results --all true``."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        module = m["name"].split(".x")[0] if ".x" in m["name"] else m["name"].rsplit(".", 1)[0]
        out[module][m["status"]] += 1
    return dict(out)


def kill_rate(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return sum(counts[s] for s in KILLED) / total if total else 0.0


def main(argv: list[str]) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    text = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=False).stdout
    per = parse(text)
    if not per:
        print("no mutmut results (run `make mutate` first)")
        return 1
    print(f"{'module':<42}{'mutants':>8}{'killed':>8}{'survived':>9}{'no test':>8}{'kill %':>8}")
    total: Counter[str] = Counter()
    for module in sorted(per):
        c = per[module]
        total.update(c)
        print(
            f"{module:<42}{sum(c.values()):>8}{sum(c[s] for s in KILLED):>8}{c['survived']:>9}"
            f"{c['no tests']:>8}{kill_rate(c) * 100:>7.1f}%"
        )
    print(
        f"{'total':<42}{sum(total.values()):>8}{sum(total[s] for s in KILLED):>8}{total['survived']:>9}"
        f"{total['no tests']:>8}{kill_rate(total) * 100:>7.1f}%"
    )
    if "--survivors" in argv:
        by_fn = Counter(
            re.sub(r"__mutmut_\d+: .*", "", ln.strip()) for ln in text.splitlines() if ln.strip().endswith(": survived")
        )
        for fn, n in by_fn.most_common():
            print(f"  {n:>4}  {fn}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
