"""In-app exposure guard: every page (and ``app.py``) calls :func:`enforce_exposure_policy` first.

Streamlit reads ``.streamlit/config.toml`` from the working directory only, so a server started
from elsewhere (``streamlit run /path/to/dashboard/app.py``) would listen on all interfaces,
accept 200 MB uploads and collect usage statistics. Whatever started the server, this guard

* forces the upload cap (``server.maxUploadSize`` = ``MAX_UPLOAD_MB``, read by every
  ``st.file_uploader`` created afterwards) and turns usage statistics off;
* refuses to render anything when the server is bound to a non-loopback address, unless the
  operator opted in (``MODELING_DASHBOARD_ALLOW_REMOTE=1``, which ``python -m dashboard
  --allow-remote`` sets); with the opt-in it shows a warning instead.

Under AppTest (no server, nothing bound) only the option overrides apply.
"""

from __future__ import annotations

import contextlib
from typing import Any

from dashboard.common.exposure import SAFE_SERVER_OPTIONS, allow_remote_opted_in, is_loopback
from dashboard.common.i18n import tr

__all__ = ["enforce_exposure_policy"]


def _force_safe_options() -> None:
    from streamlit import config

    for key, value in SAFE_SERVER_OPTIONS.items():
        with contextlib.suppress(Exception):  # an option unknown to this Streamlit release
            if key == "server.maxUploadSize":
                if (config.get_option(key) or 0) > value:  # type: ignore[operator]
                    config.set_option(key, value)
            elif key in ("browser.gatherUsageStats",) and config.get_option(key) != value:
                config.set_option(key, value)


def enforce_exposure_policy(st: Any, lang: str = "en") -> None:
    """Apply the safe options; stop the script (``st.stop()``) on a non-loopback bind without opt-in."""
    _force_safe_options()
    try:
        from streamlit import config, runtime

        if not runtime.exists():  # AppTest / bare mode: no server socket
            return
        address = config.get_option("server.address")
    except Exception:  # never break a page over the guard itself
        return
    if is_loopback(address):
        return
    shown = address or tr("security.all_interfaces", lang)
    if allow_remote_opted_in():
        st.warning(tr("security.remote_warning", lang, address=shown))
        return
    st.error(tr("security.remote_refused", lang, address=shown))
    st.stop()
