"""``python -m dashboard`` (console script ``modeling-dashboard``): start the dashboard safely.

Streamlit reads ``.streamlit/config.toml`` from the working directory only; this launcher passes
the project's safe settings as command-line flags, so they hold wherever it is started from:

* bind to ``127.0.0.1`` (a non-loopback ``--address`` is refused unless ``--allow-remote`` is given,
  which also tells the in-app guard that the exposure is deliberate — see ``docs/SECURITY.md``);
* uploads capped at ``MAX_UPLOAD_MB`` (5 MB), usage statistics off, XSRF protection on;
* with ``--allow-remote``, tracebacks are hidden from browsers (``client.showErrorDetails none``).

``make run`` uses it. Exit code 2 and one line on stderr for a refused address.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard.common.exposure import ALLOW_REMOTE_ENV, SAFE_SERVER_OPTIONS, is_loopback

__all__ = ["build_streamlit_argv", "main"]

APP = Path(__file__).resolve().parent / "app.py"


def _flag_value(v: object) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def build_streamlit_argv(address: str, port: int, allow_remote: bool, target: Path = APP) -> list[str]:
    """Arguments for ``streamlit`` (``run <app> --server.address ... --server.maxUploadSize 5 ...``)."""
    argv = ["run", str(target), "--server.address", address, "--server.port", str(port)]
    for key, value in SAFE_SERVER_OPTIONS.items():
        argv += [f"--{key}", _flag_value(value)]
    argv += ["--server.fileWatcherType", "none"]
    if allow_remote:
        argv += ["--client.showErrorDetails", "none"]
    return argv


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Start the Modeling Dashboard (localhost only, 5 MB uploads, no usage statistics).",
    )
    p.add_argument("--address", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --address on purpose (put it behind authentication; docs/SECURITY.md)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 1 <= args.port <= 65535:
        print(f"python -m dashboard: error: --port must be in 1..65535, got {args.port}", file=sys.stderr)
        return 2
    if not is_loopback(args.address):
        if not args.allow_remote:
            print(
                f"python -m dashboard: error: --address {args.address or '(all interfaces)'} is not a loopback "
                "address; the dashboard has no login. Add --allow-remote to expose it on purpose "
                "(see docs/SECURITY.md)",
                file=sys.stderr,
            )
            return 2
        os.environ[ALLOW_REMOTE_ENV] = "1"
    else:
        os.environ.pop(ALLOW_REMOTE_ENV, None)
    from streamlit.web import cli as st_cli

    try:
        st_cli.main(
            args=build_streamlit_argv(args.address, args.port, args.allow_remote),
            prog_name="streamlit",
            standalone_mode=True,
        )
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
