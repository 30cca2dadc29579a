"""Plain text inside Markdown: user-supplied names and messages never become links, images,
HTML, colour/icon directives or formulas when a page renders them with ``st.markdown``/``st.warning``."""

from __future__ import annotations

import re

__all__ = ["md_escape"]

# Markdown and Streamlit-markdown syntax that can act mid-line: emphasis, code, links/images ([ ]),
# HTML (< >), tables, strikethrough, LaTeX ($), directives (:red[...], :material/icon:), entities (&)
# and the escape itself. (Headings, lists and "1." need a line start, which a name never has here.)
_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~$:&])")


def md_escape(text: object, limit: int = 300) -> str:
    """``text`` as one line of literal characters for Markdown (each syntax character escaped,
    control characters and newlines dropped, length bounded)."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(text))
    s = " ".join(s.split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _SPECIAL.sub(r"\\\1", s)
