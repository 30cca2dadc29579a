"""Who can reach the server: the loopback rule and the settings every entry point enforces.

Pure helpers (no Streamlit import) shared by the launcher (``python -m dashboard``) and the
in-app guard (:mod:`dashboard.components.exposure`). See ``docs/SECURITY.md``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from dashboard.features.safe_io import MAX_UPLOAD_MB

__all__ = [
    "ALLOW_REMOTE_ENV",
    "SAFE_SERVER_OPTIONS",
    "allow_remote_opted_in",
    "is_loopback",
]

#: Set to ``1`` to serve on a non-loopback address on purpose (``python -m dashboard
#: --allow-remote`` sets it for you).
ALLOW_REMOTE_ENV = "MODELING_DASHBOARD_ALLOW_REMOTE"

#: Streamlit options every entry point forces, whatever the working directory or config files say.
SAFE_SERVER_OPTIONS: dict[str, object] = {
    "server.maxUploadSize": MAX_UPLOAD_MB,
    "server.maxMessageSize": 50,
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "server.runOnSave": False,
    "server.headless": True,
    "browser.gatherUsageStats": False,
}


def is_loopback(address: str | None) -> bool:
    """True for ``127.0.0.0/8``, ``::1`` and ``localhost``; ``None``/``""`` (all interfaces), the
    IPv4/IPv6 wildcard addresses and any other address or host name are not loopback."""
    if not address:
        return False
    text = address.strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False  # a host name: may resolve anywhere


def allow_remote_opted_in(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the operator opted in to a non-loopback bind (``MODELING_DASHBOARD_ALLOW_REMOTE=1``)."""
    env = os.environ if environ is None else environ
    return env.get(ALLOW_REMOTE_ENV, "").strip().lower() in {"1", "true", "yes"}
