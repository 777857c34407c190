"""The editor always shows text that matches the graph on screen."""

from app import create_app
from engine import parse


def test_editor_follows_presets_values_and_keeps_typed_text():
    app = create_app()
    app.model.load_preset("neuron")
    assert app.editor.text.value.lstrip() == app.model.source.lstrip()
    app.model.load_value(parse("x = 1; y = x * 3"))
    assert app.editor.text.value == "x = 1.0\ny = x * 3.0\n"      # engine.to_source
    typed = "a = 2\nb = a * a"
    app.editor.text.value = typed
    app.editor._apply()
    assert app.editor.text.value == typed and app.model.output == 4
    app.editor.text.value = "a = 2\nb = a * q"           # a mistake keeps the typed text
    app.editor._apply()
    assert app.editor.text.value == "a = 2\nb = a * q" and app.model.error


def test_errors_without_a_position_say_none():
    app = create_app()
    assert not app.model.apply("x = 1\n" * 5000)
    assert app.model.error.message.startswith("the expression is too long")
    assert (app.model.error.line, app.model.error.col) == (0, 0)
    assert not app.model.apply("   ")
    assert str(app.model.error).startswith("the expression is empty")
