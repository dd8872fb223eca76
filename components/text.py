"""Data values shown inside Markdown: escape them so they are shown as text, never rendered.

Streamlit renders Markdown (GitHub-flavoured, plus its own ``:color[…]``, ``:material/…:`` and ``$…$`` math) in
``st.markdown``, ``st.caption``, ``st.info``/``warning``/``error``/``success``, ``st.write`` of a string, and in the
labels of metrics, expanders, tabs and widgets. A value a hospital system or a user typed — a unit id, a file or
sheet name, a header, a username — would otherwise be markup: ``<img src=…>`` fetches a URL in every viewer's
browser, ``[text](http://…)`` becomes a link inside a trusted warning box. Every such value goes through
:func:`md_escape` (docs/security.md, "Escaping").
"""

from __future__ import annotations

import functools
import html
import re
import string
from collections.abc import Callable, Iterable
from typing import ParamSpec

import numpy as np
import plotly.graph_objects as go

P = ParamSpec("P")

_ASCII_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
WORD_JOINER = "\u2060"
"""An invisible character that stops GitHub-flavoured Markdown's autolink literals (``http://…``, ``www.…``,
``user@host``) from turning a bare address into a link; the text reads the same."""
_AUTOLINK_START = re.compile(r"(?i)(?:https?|ftp)(?=://)\S|www\.|@", re.ASCII)


def md_escape(value: object) -> str:
    """``str(value)`` as Markdown that renders to exactly that text on one line.

    Every ASCII punctuation character is backslash-escaped — CommonMark §2.4 ("any ASCII punctuation character
    may be backslash-escaped"), so no emphasis, link, image, HTML tag, code span, autolink, table cell, heading,
    list, math (``$``) or Streamlit directive (``:red[…]``, ``:material/…:``) can start — and line breaks and tabs
    become one space, so a value cannot open a block of its own. ``None`` and NaN-like values are shown as their
    ``str``. Raises nothing.
    """
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _AUTOLINK_START.sub(lambda m: m.group(0)[:-1] + WORD_JOINER + m.group(0)[-1], text)
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def md_join(values: Iterable[object], separator: str = ", ") -> str:
    """The escaped values joined by ``separator`` (which is our own text, not escaped)."""
    return separator.join(md_escape(v) for v in values)


_TRACE_TEXT = ("x", "y", "z", "text", "hovertext", "name", "labels", "ids", "legendgroup", "customdata")


def _escape_one(value: object) -> object:
    return html.escape(value, quote=False) if isinstance(value, str) else value


def _escape_values(value: object) -> object:
    if isinstance(value, str):
        return _escape_one(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OUS":  # numbers and dates hold no text
            return value
        return np.vectorize(_escape_one, otypes=[object])(value) if value.size else value
    if isinstance(value, (list, tuple)):
        return type(value)(_escape_values(v) for v in value)
    return value


_TEMPLATE_MARKUP = {"&lt;br&gt;": "<br>", "&lt;extra&gt;": "<extra>", "&lt;/extra&gt;": "</extra>"}


def _escape_template(template: str) -> str:
    """A hover template with its data escaped: plotly express writes facet and colour values into the template
    itself (``role=RN<br>unit=%{x}``); only line breaks and the ``<extra>`` box survive as markup."""
    escaped = html.escape(template, quote=False)
    for text, markup in _TEMPLATE_MARKUP.items():
        escaped = escaped.replace(text, markup)
    return escaped


def escape_figure(figure: go.Figure) -> go.Figure:
    """``figure`` with every data string shown as text (in place; returned for chaining).

    Plotly renders a subset of HTML in titles, tick labels, legend entries, hover boxes and annotations (``<a
    href>``, ``<b>``, ``<br>``, ``<span style>``), so a unit id like ``<a href="http://…">ICU</a>`` would become a
    link in every viewer's chart. Each string in the traces (categories, names, text, hover text, custom data), in
    the annotations and in the axis category lists (facet labels such as ``role=RN`` come from data) is
    HTML-escaped; Plotly shows ``&lt;`` as ``<``, so the text reads unchanged. Hover templates keep only their
    ``<br>`` and ``<extra>``. Raises nothing.
    """
    for trace in figure.data:
        for attribute in _TRACE_TEXT:
            if attribute in trace and trace[attribute] is not None:
                trace[attribute] = _escape_values(trace[attribute])
        if "hovertemplate" in trace and isinstance(trace.hovertemplate, str):
            trace.hovertemplate = _escape_template(trace.hovertemplate)
    for annotation in figure.layout.annotations or ():
        if annotation.text:
            annotation.text = html.escape(annotation.text, quote=False)

    def escape_axis(axis) -> None:
        for attribute in ("ticktext", "categoryarray"):
            if axis[attribute] is not None:
                axis[attribute] = _escape_values(list(axis[attribute]))
        if axis.title is not None and axis.title.text:
            axis.title.text = html.escape(axis.title.text, quote=False)

    if figure.layout.title is not None and figure.layout.title.text:  # titles name units: ours are plain text
        figure.layout.title.text = html.escape(figure.layout.title.text, quote=False)
    if figure.layout.legend is not None and figure.layout.legend.title is not None and figure.layout.legend.title.text:
        figure.layout.legend.title.text = html.escape(figure.layout.legend.title.text, quote=False)

    figure.for_each_xaxis(escape_axis)
    figure.for_each_yaxis(escape_axis)
    return figure


def plot_text(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """Decorator for a figure builder (components/*_charts.py): its figure goes through :func:`escape_figure`."""

    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return escape_figure(builder(*args, **kwargs))

    return build
