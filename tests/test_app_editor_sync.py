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


def _deferred(editor):
    """``editor``'s structure changes held until the test finishes them: ``finish()`` shows the
    last one asked for (as a served page's ``Busy`` does; earlier ones are superseded)."""
    asked = []
    editor.run = lambda prepare, finish: asked.append((prepare, finish))

    def finish():
        prepare, show = asked[-1]
        asked.clear()
        show(prepare())
    return finish


def test_text_typed_while_a_preset_is_built_is_kept():
    from app.presets import PRESETS

    app = create_app()
    editor, finish = app.editor, _deferred(app.editor)
    editor.preset.value = "mlp"                       # asked for; built a moment later
    typed = "a = 2\nb = a * 5"
    editor.text.value_input = typed                   # keystrokes arrive while it is built
    finish()
    assert app.model.preset == "mlp" and app.model.compiled.labels[app.model.compiled.output_id] == "loss"
    assert editor.preset.value == "mlp"
    assert editor.text.value_input == typed and editor.has_unapplied_text()
    assert editor.text.value != editor.graph_text()   # the preset's text was not written over it
    assert editor.error.visible and "kept-note" in editor.error.object
    assert f"\u00ab{PRESETS['mlp'].title}\u00bb" in editor.error.object
    assert "not applied" in editor.error.object and "#b00020" not in editor.error.object  # a note
    editor.text.value = typed                         # the box loses focus, then Apply
    editor._apply()
    assert not editor.error.visible and "kept-note" not in editor.error.object
    finish()
    assert app.model.output == 10 and app.model.preset == "" and not editor.has_unapplied_text()
    assert editor.text.value == typed and editor.preset.value == ""


def test_a_preset_built_without_typing_replaces_the_text():
    app = create_app()
    editor, finish = app.editor, _deferred(app.editor)
    editor.text.value = "a = 2\nb = a * 5"            # typed before the preset was picked
    editor.preset.value = "neuron"
    finish()
    assert editor.text.value == editor.graph_text() and "o = tanh" in editor.text.value
    assert not editor.has_unapplied_text() and "kept-note" not in editor.error.object


def test_text_typed_after_apply_is_kept_over_the_applied_graph():
    app = create_app()
    editor, finish = app.editor, _deferred(app.editor)
    editor.text.value = "a = 2\nb = a * 5"
    editor._apply()
    editor.text.value = "a = 2\nb = a * 7"            # typed and left before the first arrives
    finish()
    assert app.model.output == 10 and editor.text.value == "a = 2\nb = a * 7"
    assert editor.has_unapplied_text() and "the expression you applied" in editor.error.object
    editor.preset.value = "neuron"                    # the next change takes the note away
    assert "kept-note" not in editor.error.object
    finish()
    assert "o = tanh" in editor.text.value and not editor.error.visible


def test_apply_after_a_preset_wins_over_it():
    app = create_app()
    editor, finish = app.editor, _deferred(app.editor)
    editor.preset.value = "mlp"
    typed = "x = 3\ny = x * x"
    editor.text.value_input = typed
    editor.text.value = typed
    editor._apply()                                   # before the preset was shown: it wins
    finish()
    assert app.model.output == 9 and app.model.preset == "" and editor.preset.value == ""
    assert editor.text.value == typed and not editor.has_unapplied_text()
    assert not editor.error.visible
