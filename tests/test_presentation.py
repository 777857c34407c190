"""Presentation mode (issue 13): ``?present=1`` or the Present toggle hides the editor, draws
Player and step panel larger, and the URL carries it."""

from __future__ import annotations

from app import create_app
from app.presets import PRESETS
from app.share.url_state import RESERVED, UrlState, decode, encode


def test_present_round_trips_through_the_url():
    state, notices = decode({"preset": "lecture", "present": "1"}, PRESETS)
    assert state.present is True and notices == []
    assert encode(state) == "preset=lecture&present=1"
    assert "present" in RESERVED and "present" not in encode(UrlState(preset="lecture"))
    state, notices = decode({"preset": "lecture", "present": "yes"}, PRESETS)
    assert state.present is False and notices and "present=1" in notices[0]
    assert state.leaves == {}                      # not mistaken for a leaf named "present"


def test_the_toggle_switches_the_page_not_the_caption_fonts():
    """The captions' size is the browser's semantic zoom's (what fits the boxes at the scale
    drawn; tests/test_browser_layout.py checks it while presenting), not a fixed size from here."""
    app = create_app()
    captions = app.graph.figure.select_one({"name": "value-captions"}).glyph
    symbols = app.graph.figure.select_one({"name": "op-symbols"}).glyph
    normal = captions.text_font_size, symbols.text_font_size
    page = app.tabs[0]
    app.presentation.toggle.value = True
    assert "presenting" in page.css_classes and app.url.present
    assert "presenting" in app.tabs.css_classes          # the tab bar hides (see app.presentation)
    assert (captions.text_font_size, symbols.text_font_size) == normal
    app.presentation.toggle.value = False
    assert "presenting" not in page.css_classes and "presenting" not in app.tabs.css_classes


def test_notebook_apps_have_no_present_toggle():
    assert create_app(height=500).presentation.toggle.visible is False


def test_the_toggle_marks_the_player_and_the_plain_arithmetic():
    """Their own stylesheets act while presenting (app.presentation: the Player's box cut to what
    it holds, the arithmetic's column given to the chain rule where the zoom leaves too little)."""
    from app.presentation import PLAIN_CSS, PLAYER_CSS

    app = create_app()
    player, plain = app.player_bar.player, app.step_panel.plain
    assert PLAYER_CSS in player.stylesheets and PLAIN_CSS in plain.stylesheets
    app.presentation.toggle.value = True
    assert "presenting" in player.css_classes and "presenting" in plain.css_classes
    assert "step-player" in player.css_classes and "step-text" in plain.css_classes
    app.presentation.toggle.value = False
    assert "presenting" not in player.css_classes and "presenting" not in plain.css_classes
