"""Light and dark themes.

Panel picks a session's theme from the URL (``?theme=dark`` -> ``pn.config.theme``), which is how
its own templates switch: so the toggle writes the theme into the shareable URL and reloads the
page (the URL carries the whole moment, so nothing is lost). This module then recolours what
Panel's theme does not reach: the graph figure (background, title, colour-bar labels, the output
marker, captions of not-yet-computed nodes) and the inline colours of the app's own panes.

The gradient colour scale stays the same colour-blind-safe diverging palette in both themes
(its ends are trimmed so dark captions stay readable on every fill, and the boxes keep those
fills on a dark background).
"""

from __future__ import annotations

from dataclasses import dataclass

from bokeh.models import LinearColorMapper


@dataclass(frozen=True)
class Theme:
    """Colours of one theme (CSS colour strings)."""

    name: str
    page: str          # page / plot background
    surface: str       # sidebar and step panel background
    text: str          # main text
    muted: str         # secondary text
    border: str        # separators
    plot_title: str
    mark: str          # "output" marker and x2 edge labels in the plot
    pending_caption: str  # caption of a node not computed yet (forward pass)
    scope_frame: str   # fill of an open scope's frame (``scopes_view``)
    scope_label: str   # its label


LIGHT = Theme("default", page="#ffffff", surface="#fbfbfb", text="#222222", muted="#555555",
              border="#dddddd", plot_title="#555555", mark="#111111", pending_caption="#111111",
              scope_frame="#eef3fb", scope_label="#3b5b8c")
DARK = Theme("dark", page="#181a1b", surface="#202324", text="#e8e6e3", muted="#b5b0a8",
             border="#3a3e41", plot_title="#c8c3bc", mark="#f0f0f0", pending_caption="#bdbdbd",
             scope_frame="#27303b", scope_label="#a9c1e6")
THEMES = {"default": LIGHT, "dark": DARK}

#: Inline text colours the app's HTML panes use (light theme) -> CSS that lifts them in dark.
_LIGHT_TEXT_GREYS = ("#111", "#222", "#333", "#444", "#555", "#666")


def current_theme_name() -> str:
    """``"dark"`` when this session's Panel theme is dark (``?theme=dark``), else ``"default"``."""
    import panel as pn

    return "dark" if pn.config.theme == "dark" else "default"


def style_figure(graph_view, theme: Theme) -> None:
    """Recolour the graph figure of ``graph_view`` (an ``app.graph_page.graph_view.GraphView``) in place."""
    p = graph_view.figure
    p.background_fill_color = theme.page
    p.border_fill_color = theme.page
    p.title.text_color = theme.plot_title
    _style_colorbars(p, theme)
    for r in p.renderers:
        src = getattr(r, "data_source", None)
        if src is graph_view.marks or src is graph_view.multiplicity:
            r.glyph.text_color = theme.mark
    minimap = getattr(graph_view, "minimap", None)
    if minimap is not None:     # a white card over a dark plot drew the eye from the graph
        minimap.background_fill_color = theme.surface
        minimap.border_fill_color = theme.surface
        minimap.outline_line_color = theme.muted
    frames = _named(p, "scope-frames")
    if frames is not None:      # the light frame fill turned mid-grey on a dark page, under dark edges
        frames.glyph.fill_color = theme.scope_frame
    frame_labels = _named(p, "scope-frame-labels")
    if frame_labels is not None:
        frame_labels.glyph.text_color = theme.scope_label
    captions = _named(p, "value-captions")
    if captions is not None and theme.name == "dark":
        # Pending captions (text_alpha 0.45, forward pass) sit on almost transparent boxes: on a dark
        # page they get a light grey; computed ones keep dark text on their (light) fills.
        captions.glyph.text_color = {"field": "text_alpha", "transform": LinearColorMapper(
            palette=[theme.pending_caption, "#111111"], low=0.45, high=1.0)}
        captions.glyph.text_alpha = 1.0


def _named(p, name: str):
    """The model of figure ``p`` named ``name``, or ``network-<name>`` (the Train tab's network
    plot prefixes its names: they must be unique in a document), or None."""
    for candidate in (name, f"network-{name}"):
        found = p.select_one({"name": candidate})
        if found is not None:
            return found
    return None


def _colorbar_type():
    from bokeh.models import ColorBar

    return ColorBar


#: Line colours the app's plain plots draw in (the loss curve): dark ink, lifted in dark.
_DARK_INKS = ("#111111", "#222222", "#333333", "#444444")


def style_plot(fig, theme: Theme) -> None:
    """Recolour a plain Bokeh figure (the Train tab's loss, accuracy and decision-boundary
    plots) for ``theme``: background, title, axes, grid, colour bars, and lines drawn in dark
    ink.  The glyphs over the data (the boundary's image, contour, points and ring) keep
    their colours: they sit on the image, not on the page.  Layouts and other models are left
    alone."""
    from bokeh.models import GlyphRenderer, Line, Scatter
    from bokeh.plotting import figure as _figure

    if theme.name == "default" or not isinstance(fig, _figure):
        return
    fig.background_fill_color = theme.page
    fig.border_fill_color = theme.page
    if fig.outline_line_color is not None:    # (the graph figure has none: keep it so)
        fig.outline_line_color = theme.border
    fig.title.text_color = theme.plot_title
    for axis in fig.axis:
        axis.axis_label_text_color = theme.text
        axis.major_label_text_color = theme.muted
        axis.axis_line_color = axis.major_tick_line_color = axis.minor_tick_line_color = theme.muted
    for grid in fig.grid:
        grid.grid_line_color = theme.border
    _style_colorbars(fig, theme)
    for r in fig.renderers:
        if not isinstance(r, GlyphRenderer):
            continue
        if isinstance(r.glyph, Line) and r.glyph.line_color in _DARK_INKS:
            r.glyph.line_color = theme.text
        elif isinstance(r.glyph, Scatter) and (r.name or "").endswith("-curve-points"):   # a curve's dots
            for prop in ("line_color", "fill_color"):
                if getattr(r.glyph, prop) in _DARK_INKS:
                    setattr(r.glyph, prop, theme.text)


def _style_colorbars(fig, theme: Theme) -> None:
    for bar in fig.select(type=_colorbar_type()):
        bar.background_fill_color = theme.page
        bar.major_label_text_color = theme.text
        bar.title_text_color = theme.text
        bar.major_tick_line_color = theme.text


def dark_pane_css(theme: Theme) -> str:
    """A stylesheet for HTML panes: light-theme grey inline text becomes the theme's text colour."""
    sel = ", ".join(f"[style*='color:{c}']" for c in _LIGHT_TEXT_GREYS)
    return f":host {{ color: {theme.text}; }} {sel} {{ color: {theme.text} !important; }}"


def player_css(theme: Theme) -> str:
    """A stylesheet for ``pn.widgets.Player``: its buttons are drawn by the browser's own light
    button style (near-white on the dark page, the brightest thing on screen), so they get the
    theme's surface, text and border colours."""
    return (f"button {{ background-color: {theme.surface} !important; color: {theme.text} !important; "
            f"border: 1px solid {theme.border} !important; }} "
            f"button:hover {{ background-color: {theme.border} !important; }}")


def active_button_css(theme: Theme) -> str:
    """A stylesheet for button groups and toggles: in the dark theme the chosen button (the
    backward or forward pass, step per op or per neuron) was one shade off the others (RGB
    30,34,37 against 43,48,53): it gets the scope frames' blue, a light border and bold text."""
    return (f".bk-btn.bk-active {{ background-color: {theme.scope_frame} !important; "
            f"border-color: {theme.scope_label} !important; color: {theme.text} !important; "
            f"font-weight: 600 !important; box-shadow: inset 0 0 0 1px {theme.scope_label} !important; }}")


def style_layout(layout, theme: Theme, skip_classes=("expr-error", "notice-bar"), rendered: bool = False) -> None:
    """Recolour ``layout`` and everything in it for ``theme`` (no-op for the light theme).

    Backgrounds and borders set inline by the app's layouts get the theme's surface/border
    colours; HTML panes get :func:`dark_pane_css` (except error/notice panes, which bring their
    own readable colours). ``rendered=True`` for components already in the page: Panel sends a
    pane's changed stylesheets only together with its object, so the object is re-sent.
    """
    import panel as pn

    if theme.name == "default":
        return
    css = dark_pane_css(theme)
    for obj in layout.select():
        styles = getattr(obj, "styles", None)
        if styles:
            new = dict(styles)
            for key, val in styles.items():
                if key.startswith("background"):
                    new[key] = theme.surface
                elif key.startswith("border"):
                    new[key] = str(val).rsplit(" ", 1)[0] + " " + theme.border if " " in str(val) else theme.border
            if new != styles:
                obj.styles = new
        if isinstance(obj, (pn.pane.HTML, pn.pane.LaTeX)) and not set(obj.css_classes) & set(skip_classes):
            if _add_stylesheet(obj, css) and rendered:
                obj.param.trigger("object")
        elif isinstance(obj, pn.pane.Bokeh) and obj.object is not None:
            style_plot(obj.object, theme)
        elif isinstance(obj, pn.widgets.Player):
            _add_stylesheet(obj, player_css(theme))
        elif isinstance(obj, (pn.widgets.RadioButtonGroup, pn.widgets.CheckButtonGroup, pn.widgets.Toggle)):
            _add_stylesheet(obj, active_button_css(theme))
        elif isinstance(obj, pn.Tabs):  # the active tab's title is dark grey on dark grey otherwise
            _add_stylesheet(obj, f".bk-tab.bk-active {{ color: {theme.text} !important; "
                                 f"background: {theme.surface} !important; }}")


def _add_stylesheet(obj, css: str) -> bool:
    """Add ``css`` to ``obj``'s stylesheets unless it has it (a part can be themed twice: the
    Train tab's network view themes its parts, and the tab's own theming may come after)."""
    if css in obj.stylesheets:
        return False
    obj.stylesheets = list(obj.stylesheets) + [css]
    return True


def apply_theme(layout, graph_view, theme: Theme) -> None:
    """Theme one app instance: its figure and ``layout`` now, and (for ``pn.Tabs``) the tabs built
    later (the Train tab) when they arrive. Nothing to do for the light theme."""
    import panel as pn

    if theme.name == "default":
        return
    style_figure(graph_view, theme)
    style_layout(layout, theme)
    if isinstance(layout, pn.Tabs):
        layout.param.watch(lambda event: _style_new_tabs(event, theme), "objects")


def _style_new_tabs(event, theme: Theme) -> None:
    import panel as pn

    old = {id(o) for o in event.old}
    new = [obj for obj in event.new if id(obj) not in old]
    doc = pn.state.curdoc
    # Restyled on the next tick, once Panel has rendered the new tab.
    if doc is not None and doc.session_context is not None:
        doc.add_next_tick_callback(lambda: [style_layout(obj, theme, rendered=True) for obj in new])
    else:
        for obj in new:
            style_layout(obj, theme, rendered=True)
