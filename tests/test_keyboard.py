"""Keyboard shortcuts: the step arithmetic and the actions on a model + Player (no browser)."""

from __future__ import annotations

import panel as pn

from app.share.keyboard import KEY_ACTIONS, KeyboardShortcuts, next_step
from app.graph_page.model import GraphModel


def test_next_step_clamps():
    assert [next_step(a, 2, 4) for a in ("previous", "next", "first", "last", "bogus")] == [1, 3, 0, 4, 2]
    assert next_step("previous", 0, 4) == 0 and next_step("next", 4, 4) == 4


def test_actions_move_the_model_and_toggle_the_player():
    model = GraphModel()
    player = pn.widgets.Player(start=0, end=model.n_steps, value=model.step)
    keys = KeyboardShortcuts(model, player)
    keys._handle_msg({"action": "first"})
    assert model.step == 0
    keys._handle_msg({"action": "next"})
    keys._handle_msg({"action": "next"})
    assert model.step == 2
    keys._handle_msg({"action": "last"})
    assert model.step == model.n_steps
    keys._handle_msg({"action": "toggle"})  # at the end: start over and play
    assert model.step == 0 and player.direction == 1
    keys._handle_msg({"action": "toggle"})
    assert player.direction == 0
    keys._handle_msg({"action": "rm -rf"})  # unknown messages are ignored
    keys._handle_msg("next")
    assert model.step == 0 and keys.presses == 6
    assert set(KEY_ACTIONS) == {" ", "ArrowLeft", "ArrowRight", "Home", "End", "Escape"}


def test_keys_are_ignored_while_disabled():
    model = GraphModel()
    shown = {"graph": False}
    keys = KeyboardShortcuts(model, pn.widgets.Player(), enabled=lambda: shown["graph"])
    keys._handle_msg({"action": "first"})
    assert model.step == model.n_steps
    shown["graph"] = True
    keys._handle_msg({"action": "first"})
    assert model.step == 0


def test_escape_leaves_presentation_mode_and_moves_nothing():
    from app import create_app

    app = create_app()
    app.presentation.toggle.value = True
    step = app.model.step
    app.keyboard._handle_msg({"action": "escape"})
    assert app.presentation.toggle.value is False and app.model.step == step
    app.keyboard._handle_msg({"action": "escape"})     # already out: nothing happens
    assert app.presentation.toggle.value is False
    plain = KeyboardShortcuts(GraphModel(), pn.widgets.Player())    # no escape callback: ignored
    plain._handle_msg({"action": "escape"})
