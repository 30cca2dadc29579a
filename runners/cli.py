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
from typing import NoReturn

from dashboard.features.safe_io import allow_paths
from runners.common import CliError
from runners.limits import check_limits

__all__ = ["build_parser", "main"]

SUBCOMMAND_MODULES = (
    "cmd_step",
    "cmd_memory",
    "cmd_calibrate",
    "cmd_simulate",
    "cmd_search",
    "cmd_sweep",
    "cmd_plan",
    "cmd_bench_predict",
    "cmd_calibrate_serving",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse's default prints usage too)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="modeling",
        description="LLM inference cost model: step latency, memory, "
        "calibration, scheduling simulation and SLA search.",
    )
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


def _one_line(exc: BaseException) -> str:
    """The exception as one line (no traceback, no embedded newlines, bounded length)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 500 else text[:497] + "..."


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand. Every failure caused by the input ends as exit code 2 and one line on
    stderr: argparse errors, :class:`CliError`, and any exception a subcommand lets escape
    (``ValueError``, ``TypeError``, ``OverflowError``, ``MemoryError``, ``csv.Error`` …), so new
    subcommands inherit the contract. Strings in flags may name files here (``allow_paths``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    cmd = getattr(args, "command", "?")
    try:
        check_limits(args)
        with allow_paths():
            return int(args.func(args) or 0)
    except CliError as exc:
        print(f"modeling {cmd}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"modeling {cmd}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(
            f"modeling {cmd}: error: the input needs more memory than this machine has; "
            "reduce the sizes (see docs/SECURITY.md, size bounds)",
            file=sys.stderr,
        )
        return 2
    except RecursionError:
        print(f"modeling {cmd}: error: input nested too deeply", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `modeling ... | head`: not an input error
        return 0
    except Exception as exc:  # the one-line contract covers every input failure
        print(f"modeling {cmd}: error: {_one_line(exc)} ({type(exc).__name__})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
