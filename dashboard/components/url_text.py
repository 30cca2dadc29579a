"""Free-text page inputs (a pasted config, a sweep spec) in the URL (issue 14 §2).

Such a text travels as ``<name>=<blob>`` (zlib + URL-safe base64, :func:`dashboard.common.url_state.encode_blob`)
and only while it differs from the page's default, so a copied link restores it in a new browser.
A blob that cannot be decoded is ignored (the default text is shown)."""

from __future__ import annotations

from typing import Any

from dashboard.common.url_state import decode_blob, encode_blob

__all__ = ["mirror_text", "read_text", "seed_text"]


def seed_text(st: Any, key: str, name: str, default: str = "") -> None:
    """Before the widget is drawn: the first time ``key`` is seen, seed it from the URL's ``name``."""
    if key in st.session_state:
        return
    text = default
    try:
        if name in st.query_params:
            text = decode_blob(str(st.query_params[name]))
    except (ValueError, AttributeError, TypeError):
        text = default
    st.session_state[key] = text


def mirror_text(st: Any, name: str, text: str, default: str = "") -> None:
    """After the widget is drawn: write ``text`` into the URL as ``name`` (removed when it is the default)."""
    try:
        qp = st.query_params
        if (text or "") == default:
            if name in qp:
                qp.pop(name)
            return
        blob = encode_blob(text)
        if qp.get(name) != blob:
            qp[name] = blob
    except (AttributeError, TypeError, KeyError):
        return


def read_text(st: Any, name: str) -> str | None:
    """The decoded text of the URL's ``name`` blob, or ``None`` (absent or not decodable)."""
    try:
        if name in st.query_params:
            return decode_blob(str(st.query_params[name]))
    except (ValueError, AttributeError, TypeError):
        return None
    return None
