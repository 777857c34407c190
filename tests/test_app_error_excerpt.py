"""The editor's error shows the culprit's line with a caret under its column; a long line is
cut around the column so that the caret stays inside the sidebar (``line_excerpt``)."""

from __future__ import annotations

from string import ascii_letters

import pytest

from app.graph_page.controls import EXCERPT_CHARS, _error_html, line_excerpt
from engine.expression import ExpressionError, parse


@pytest.mark.parametrize("line", ["a = 1", "out = " + " + ".join(f"x{i}" for i in range(40)), "b\t= 2 *\t@",
                                  ascii_letters[:EXCERPT_CHARS], ascii_letters[:EXCERPT_CHARS + 1]])
def test_the_caret_is_under_its_character_at_every_column(line):
    for col in range(1, len(line) + 2):     # len + 1: the end of the line (an unfinished text)
        text, at = line_excerpt(line, col)
        assert len(text) <= EXCERPT_CHARS + 2      # + an ellipsis at each cut end
        shown = line.replace("\t", " ")
        inner = text.strip("\u2026")
        # the text is one piece of the line, an ellipsis exactly where it was cut (lines
        # without repeats: where a piece is, is plain)
        assert inner in shown
        assert text.startswith("\u2026") == (not shown.startswith(inner))
        assert text.endswith("\u2026") == (not shown.endswith(inner))
        if col <= len(line):
            assert text[at] == shown[col - 1]
            assert shown[col - 1:].startswith(text[at:].rstrip("\u2026"))
        else:
            assert at == len(text)


def test_a_short_line_is_shown_whole():
    assert line_excerpt("a = q * 2", 5) == ("a = q * 2", 4)


def test_the_error_box_of_a_long_line_shows_the_culprit_above_the_caret():
    text = "a = 1\nout = " + " + ".join(["a"] * 30) + " + qq * a\n"
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    error = caught.value
    assert error.line == 2 and error.col > EXCERPT_CHARS + 10
    shown = _error_html(error, text).split("<pre", 1)[1].split(">", 1)[1].split("</pre>")[0]
    line, caret = shown.split("\n")
    assert len(line) <= EXCERPT_CHARS + 2 and caret.endswith("^")
    assert line[len(caret) - 1:].startswith("qq")
