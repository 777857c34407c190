"""Light/dark theme: what the dark theme recolours in the figure and the layout."""

from __future__ import annotations

import panel as pn

from app import create_app
from app.share.theme import DARK, LIGHT, dark_pane_css, player_css, style_figure, style_layout


def test_dark_figure_colours():
    app = create_app()
    style_figure(app.graph, DARK)
    p = app.graph.figure
    assert p.background_fill_color == DARK.page and p.border_fill_color == DARK.page
    bar = [r for r in p.below if type(r).__name__ == "ColorBar"][0]
    assert bar.major_label_text_color == DARK.text and bar.background_fill_color == DARK.page
    captions = p.select_one({"name": "value-captions"})
    # pending (forward pass) captions light, computed ones dark on their light fills
    mapper = captions.glyph.text_color.transform
    assert mapper.palette == [DARK.pending_caption, "#111111"] and captions.glyph.text_color.field == "text_alpha"
    marks = [r for r in p.renderers if getattr(r, "data_source", None) is app.graph.marks][0]
    assert marks.glyph.text_color == DARK.mark
    minimap = app.graph.minimap
    assert minimap.background_fill_color == DARK.surface and minimap.border_fill_color == DARK.surface
    assert minimap.outline_line_color == DARK.muted


def test_dark_layout_recolours_inline_backgrounds_and_grey_text_only():
    title = pn.pane.HTML("<div style='color:#222'>t</div>")
    error = pn.pane.HTML("<div style='color:#b00020'>e</div>", css_classes=["expr-error"])
    side = pn.Column(title, error, styles={"background": "#fbfbfb", "border-right": "1px solid #ddd"})
    style_layout(side, DARK)
    assert side.styles == {"background": DARK.surface, "border-right": f"1px solid {DARK.border}"}
    assert dark_pane_css(DARK) in title.stylesheets
    assert dark_pane_css(DARK) not in error.stylesheets  # brings its own readable colours
    before = dict(side.styles)
    style_layout(side, LIGHT)  # light: nothing to do
    assert side.styles == before


def test_dark_layout_gives_the_player_buttons_the_theme_colours():
    player = pn.widgets.Player(start=0, end=4)
    slider = pn.widgets.IntSlider(start=0, end=4)
    layout = pn.Column(pn.Row(player), slider)
    style_layout(layout, DARK)
    assert player_css(DARK) in player.stylesheets
    assert DARK.surface in player_css(DARK) and DARK.text in player_css(DARK)
    assert player_css(DARK) not in slider.stylesheets
    light = pn.widgets.Player(start=0, end=4)
    style_layout(pn.Column(light), LIGHT)
    assert light.stylesheets == []


def test_light_theme_leaves_the_figure_as_built():
    app = create_app()
    assert app.share.theme_name == "default"
    assert app.graph.figure.background_fill_color == "#ffffff"


def test_theming_a_part_twice_adds_its_stylesheets_once():
    pane = pn.pane.HTML("<div style='color:#222'>t</div>")
    player = pn.widgets.Player(start=0, end=4)
    layout = pn.Column(pane, player)
    style_layout(layout, DARK)
    style_layout(layout, DARK, rendered=True)
    assert pane.stylesheets.count(dark_pane_css(DARK)) == 1
    assert player.stylesheets.count(player_css(DARK)) == 1
