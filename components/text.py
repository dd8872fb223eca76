"""Data values shown inside Markdown: escape them so they are shown as text, never rendered.

Streamlit renders Markdown (GitHub-flavoured, plus its own ``:color[…]``, ``:material/…:`` and ``$…$`` math) in
``st.markdown``, ``st.caption``, ``st.info``/``warning``/``error``/``success``, ``st.write`` of a string, and in the
labels of metrics, expanders, tabs and widgets. A value a hospital system or a user typed — a unit id, a file or
sheet name, a header, a username — would otherwise be markup: ``<img src=…>`` fetches a URL in every viewer's
browser, ``[text](http://…)`` becomes a link inside a trusted warning box. Every such value goes through
:func:`md_escape` (docs/security.md, "Escaping").
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

_ASCII_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def md_escape(value: object) -> str:
    """``str(value)`` as Markdown that renders to exactly that text on one line.

    Every ASCII punctuation character is backslash-escaped — CommonMark §2.4 ("any ASCII punctuation character
    may be backslash-escaped"), so no emphasis, link, image, HTML tag, code span, autolink, table cell, heading,
    list, math (``$``) or Streamlit directive (``:red[…]``, ``:material/…:``) can start — and line breaks and tabs
    become one space, so a value cannot open a block of its own. ``None`` and NaN-like values are shown as their
    ``str``. Raises nothing.
    """
    text = _LINE_BREAKS.sub(" ", str(value))
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def md_join(values: Iterable[object], separator: str = ", ") -> str:
    """The escaped values joined by ``separator`` (which is our own text, not escaped)."""
    return separator.join(md_escape(v) for v in values)
