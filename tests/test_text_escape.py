"""components.text.md_escape: a data value rendered as Markdown shows exactly its text (CommonMark renderer)."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from components.text import WORD_JOINER, md_escape, md_join

# CommonMark with raw HTML on (as a permissive renderer would) plus GFM tables and strikethrough.
RENDER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

ATTACKS = [
    '<img src="http://127.0.0.1:9/beacon.png">',
    "[click](http://evil.example)",
    "![x](http://evil.example/x.png)",
    "**bold** _it_ ~~gone~~ `code`",
    "# heading",
    "- item\n- item",
    "| a | b |\n|---|---|",
    ":red[alarm] :material/warning: $x^2$",
    "<http://evil.example>",
    '=HYPERLINK("http://evil")',
    "line\n\n<script>alert(1)</script>",
]


def _rendered_text(markdown: str) -> str:
    """The rendered text, without the invisible word joiners md_escape puts into bare addresses."""
    out = RENDER.render(markdown).strip().replace(WORD_JOINER, "")
    return out.removeprefix("<p>").removesuffix("</p>")


# GitHub-flavoured Markdown's autolink literals (what Streamlit's renderer links without any markup):
# http(s):// and ftp:// addresses, www. names and e-mail addresses.
GFM_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)://|www\.|[\w.+-]@[\w-]")


def test_bare_addresses_are_never_autolinked():
    for value in ("http://evil.example/p", "HTTPS://x.y", "see www.evil.example", "mail a.b@evil.example", "ftp://x"):
        rendered = RENDER.render(md_escape(value))
        assert not GFM_AUTOLINK.search(html.unescape(rendered)), value
        assert _rendered_text(md_escape(value)) == value  # and it reads the same


def test_each_known_attack_renders_as_its_own_text():
    for attack in ATTACKS:
        shown = _rendered_text(md_escape(attack))
        assert "<img" not in shown and "<a " not in shown and "<strong>" not in shown and "<script" not in shown
        assert html.unescape(shown) == re.sub(r"[\r\n\t]+", " ", attack), attack


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60))
def test_any_text_renders_as_exactly_itself(value):
    stripped = value.strip(" ")
    if not stripped or "\u00a0" in value:  # leading/trailing spaces are trimmed by any Markdown renderer
        return
    shown = _rendered_text(md_escape(stripped))
    assert html.unescape(shown) == stripped


def test_line_breaks_become_spaces_and_non_text_values_are_shown():
    assert md_escape("a\r\nb\tc") == "a b c"
    assert md_escape(12.5) == "12\\.5"
    assert md_escape(None) == "None"


def test_join_escapes_each_value_but_not_the_separator():
    assert md_join(["**a**", "b"], " · ") == "\\*\\*a\\*\\* · b"
