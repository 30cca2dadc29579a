"""Where file paths may come from, and how big anything read from disk or an upload may be.

Trust rule (issue 11): a *string* handed to :func:`~dashboard.features.hardware.load_hardware` or
:func:`~dashboard.features.presets.load_model` names a shipped preset, never a file, unless the
caller is the command line. Strings reach those loaders from URL query parameters (``?hw=``,
``?baseline=``), text fields and table/CSV cells; opening them as paths would let any visitor of
the server read (or probe the existence of) any file the server can read.

* The ``modeling`` CLI enters :func:`allow_paths` around each subcommand (``runners/cli.py``),
  so ``--hardware my_profile.json`` keeps working there.
* Code that builds a :class:`pathlib.Path` itself (tests, scripts) may pass it: a ``Path`` object
  is a deliberate choice by the program, not text typed by a visitor.
* Everything else (every Streamlit page) resolves strings to presets and to the profiles the
  session registered (uploads, saved custom profiles) only.

Every file read through :func:`read_text_capped` is size-checked *before* it is read, and only
regular files are opened (no FIFOs or devices that never end).
"""

from __future__ import annotations

import contextlib
import os
import stat as _stat
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_UPLOAD_MB",
    "allow_paths",
    "path_refused_hint",
    "paths_allowed",
    "read_text_capped",
    "short_repr",
]

#: Largest JSON/CSV text read from a path or parsed from an upload, bytes (2 MB).
MAX_FILE_BYTES = 2_000_000
#: The one upload cap of the dashboard, MB: ``server.maxUploadSize`` (config.toml, the launcher)
#: and every page-level upload check use this number.
MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024

_PATHS_ALLOWED: ContextVar[bool] = ContextVar("modeling_paths_allowed", default=False)


def paths_allowed() -> bool:
    """Whether strings may name files here (true only inside :func:`allow_paths`)."""
    return _PATHS_ALLOWED.get()


@contextlib.contextmanager
def allow_paths() -> Iterator[None]:
    """Let strings name files for the duration of the block (the CLI's trusted arguments)."""
    token = _PATHS_ALLOWED.set(True)
    try:
        yield
    finally:
        _PATHS_ALLOWED.reset(token)


def short_repr(value: Any, limit: int = 40) -> str:
    """An untrusted value for a one-line message: ``repr`` cut to ``limit`` characters (an integer
    beyond Python's digit limit, whose ``repr`` raises, shows as ``<huge number>``)."""
    try:
        text = repr(value)
    except ValueError:
        return "<huge number>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def path_refused_hint(text: str) -> str:
    """A suffix for "unknown preset" messages when ``text`` looks like a path in an untrusted place.

    The message never depends on whether such a file exists (no existence oracle)."""
    if text.lower().endswith((".json", ".csv")) or "/" in text or "\\" in text or text.startswith("~"):
        return "; file paths are accepted only on the command line (upload the file instead)"
    return ""


def read_text_capped(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> str:
    """UTF-8 text of a regular file of at most ``limit`` bytes.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` (one line) for anything
    that is not a regular file, is larger than ``limit`` or is not UTF-8; the size is checked
    before reading and the read itself is bounded, so a file that grows meanwhile cannot
    exhaust memory.
    """
    p = Path(path)
    st = p.stat()  # FileNotFoundError / PermissionError (OSError) propagate
    if not _stat.S_ISREG(st.st_mode):
        raise ValueError(f"{p} is not a regular file")
    if st.st_size > limit:
        raise ValueError(f"{p} is {st.st_size:,} bytes; the limit is {limit:,} bytes")
    with open(p, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{p} is larger than the limit of {limit:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{p} is not UTF-8 text") from None
