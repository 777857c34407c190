"""The editor takes the expression language's whole length (``engine.expression``'s limit, not
Panel's 5,000-character default) and says the limit when a text reaches it."""

from __future__ import annotations

from engine.expression import MAX_SOURCE_CHARS

from app.graph_page.controls import ExpressionEditor
from app.graph_page.model import GraphModel


def long_program(chars: int) -> tuple[str, float]:
    """A valid program of exactly ``chars`` characters (a chain of sums padded by a comment) and
    the value of its output."""
    lines, k = ["x0 = 1"], 0
    while sum(len(l) + 1 for l in lines) < chars - 60:
        k += 1
        lines.append(f"x{k} = x{k - 1} + 1")
    text = "\n".join(lines) + "\n#"
    return text + " " * (chars - len(text) - len(f"\nx{k}")) + f"\nx{k}", float(k + 1)


def test_the_editor_box_allows_the_languages_limit():
    editor = ExpressionEditor(GraphModel())
    assert editor.text.max_length == MAX_SOURCE_CHARS > 5_000


def test_programs_up_to_the_limit_apply():
    for chars in (19_000, MAX_SOURCE_CHARS):
        text, output = long_program(chars)
        assert len(text) == chars
        m = GraphModel()
        editor = ExpressionEditor(m)
        editor.text.value = text
        editor.apply_button.clicks += 1
        assert m.error is None, m.error
        assert m.source == text and m.output == output


def test_a_text_cut_at_the_limit_names_the_limit():
    m = GraphModel()
    editor = ExpressionEditor(m)
    text, _ = long_program(MAX_SOURCE_CHARS + 50)
    editor.text.value = text[:MAX_SOURCE_CHARS]     # what the browser sends: cut at maxlength
    editor.apply_button.clicks += 1
    assert f"limit of {MAX_SOURCE_CHARS:,} characters" in m.error.message
    assert m.preset == "lecture"                     # the graph on screen stays
