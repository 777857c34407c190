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


def test_dark_figure_gives_scope_frames_a_dark_fill_also_in_the_network_plot():
    """The frames' light fill at 0.55 alpha turned mid-grey (#8d9096) on the dark page, under
    the edges; the Train tab's network plot prefixes its names with ``network-`` and was missed."""
    for prefix in ("", "network-"):
        app = create_app(preset="mlp")
        p = app.graph.figure
        if prefix:
            for obj in p.references():
                if getattr(obj, "name", None):
                    obj.name = prefix + obj.name
        style_figure(app.graph, DARK)
        assert p.select_one({"name": prefix + "scope-frames"}).glyph.fill_color == DARK.scope_frame
        assert p.select_one({"name": prefix + "scope-frame-labels"}).glyph.text_color == DARK.scope_label
        assert p.select_one({"name": prefix + "value-captions"}).glyph.text_color.field == "text_alpha"


def test_dark_layout_recolours_the_train_plots_but_not_what_lies_on_the_data():
    from app.train.plots import ACCURACY_COLOR, BoundaryPlot, CurvePlots

    curves, boundary, app = CurvePlots(), BoundaryPlot(), create_app()
    layout = pn.Column(pn.pane.Bokeh(curves.loss), pn.pane.Bokeh(curves.accuracy),
                       pn.pane.Bokeh(boundary.figure), app.graph.figure)
    contour_before = boundary.contour.line_renderer.glyph.line_color
    style_layout(layout, DARK)
    for fig in (curves.loss, curves.accuracy, boundary.figure):
        assert fig.background_fill_color == DARK.page and fig.border_fill_color == DARK.page
        assert fig.title.text_color == DARK.plot_title
        assert {a.axis_label_text_color for a in fig.axis} == {DARK.text}
        assert {g.grid_line_color for g in fig.grid} == {DARK.border}
    lines = lambda fig: [r.glyph.line_color for r in fig.renderers if type(r.glyph).__name__ == "Line"]
    assert lines(curves.loss) == [DARK.text]              # was dark grey on the dark page
    assert lines(curves.accuracy) == [ACCURACY_COLOR]     # a colour, not ink: kept
    assert boundary.contour.line_renderer.glyph.line_color == contour_before   # on the image
    # each step is a dot too (one step drew an empty plot), lifted with its line
    dots = [r.glyph for r in curves.loss.renderers if type(r.glyph).__name__ == "Scatter"]
    assert [(d.line_color, d.fill_color) for d in dots] == [(DARK.text, DARK.text)]
    bar = [r for r in boundary.figure.right if type(r).__name__ == "ColorBar"][0]
    assert bar.major_label_text_color == DARK.text
    assert app.graph.figure.outline_line_color is None    # the graph figure keeps no outline
    light = CurvePlots()
    style_layout(pn.Column(pn.pane.Bokeh(light.loss)), LIGHT)
    assert light.loss.background_fill_color == "#ffffff"


def test_dark_layout_marks_the_chosen_button_of_a_group():
    """The active pass (backward / forward) was one shade off the other in the dark theme."""
    from app.share.theme import active_button_css

    group = pn.widgets.RadioButtonGroup(options=["backward", "forward"])
    toggle = pn.widgets.Toggle(name="Present")
    button = pn.widgets.Button(name="Apply")
    style_layout(pn.Column(pn.Row(group, toggle), button), DARK)
    css = active_button_css(DARK)
    assert css in group.stylesheets and css in toggle.stylesheets and css not in button.stylesheets
    assert ".bk-active" in css and DARK.scope_frame in css and DARK.scope_label in css
    light = pn.widgets.RadioButtonGroup(options=["a", "b"])
    style_layout(pn.Column(light), LIGHT)
    assert light.stylesheets == []
