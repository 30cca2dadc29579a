"""``modeling``: the command-line face of the shared cost model.

Subcommands live in ``runners/cmd_<name>.py`` modules, each with ``add_parser(subparsers)`` and a
``run(args) -> int`` set as the parser's ``func``. Bad input exits with code 2 and one line on
stderr (argparse errors included); a configuration that does not fit in memory is an answer
(``fits: false``), not an error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from runners.common import CliError

__all__ = ["build_parser", "main"]

SUBCOMMAND_MODULES = ("cmd_step", "cmd_memory", "cmd_calibrate", "cmd_simulate", "cmd_search", "cmd_sweep")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's default prints usage too)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="modeling", description="LLM inference cost model: step latency, memory, "
                     "calibration, scheduling simulation and SLA search.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in SUBCOMMAND_MODULES:
        try:
            mod = importlib.import_module(f"runners.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"runners.{name}":
                continue
            raise
        mod.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"modeling {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, OSError) as exc:
        print(f"modeling {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
