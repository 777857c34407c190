"""Panel controls bound to a GraphModel: expression editor + presets, leaf sliders, output value.

Each builder returns a fresh Panel component for one app instance (no shared widgets).
"""

from __future__ import annotations

import html
from functools import partial

import panel as pn

from engine.expression import MAX_SOURCE_CHARS

from . import structure
from .formatting import fmt
from .leaf_control import LeafControl
from .leaf_table import MAX_SLIDERS, LeafTable
from .leaves import source_order
from .model import SourceError
from .no_relayout import set_shown
from ..presets import PRESETS

EDITOR_CSS = """
textarea { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace !important; font-size: 14px !important;
           line-height: 1.35 !important; }
"""


class ExpressionEditor:
    """Preset menu, expression text, Apply button and the error shown next to them.

    A bad expression leaves the model's graph as it was and shows ``ExpressionError``'s message
    plus the offending line with a caret under the reported column.
    """

    def __init__(self, model):
        self.model = model
        options = {p.title: name for name, p in PRESETS.items()}
        options = {"Custom expression": ""} | options
        self.preset = pn.widgets.Select(
            label="Example", options=options, value=model.preset, sizing_mode="stretch_width",
            margin=(2, 8), stylesheets=[":host { font-size: 14px; }"],
        )
        self.text = pn.widgets.TextAreaInput(
            value=self.graph_text(), height=190, sizing_mode="stretch_width", margin=(4, 8),
            stylesheets=[EDITOR_CSS], css_classes=["expr-editor"],
            max_length=MAX_SOURCE_CHARS,   # the language's own limit (Panel's default is 5,000)
        )
        self.apply_button = pn.widgets.Button(
            label="Apply", color="primary", width=90, margin=(4, 8), css_classes=["apply-button"]
        )
        self.error = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 8), css_classes=["expr-error"],
                                  visible=False)
        #: the editor's text as the browser last sent it (``value`` comes when the box loses
        #: focus, ``value_input`` at every keystroke: whichever changed last), or as set here
        self._typed = self.text.value
        #: while a structure change asked for here is shown: the text typed since it was asked
        #: for, kept over it (None: the editor takes the graph's text, as always)
        self._keep = None
        self._kept_note = ""     # the note saying so, until the next Apply or preset
        self.text.param.watch(self._on_text, ["value", "value_input"])
        self.apply_button.on_click(self._apply)
        self.preset.param.watch(self._on_preset, "value")
        model.param.watch(self._on_model, ["source", "source_note", "preset", "error", "unused"])
        self.view = pn.Column(
            self.preset,
            self.text,
            pn.Row(self.apply_button, pn.pane.HTML(
                "<span style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;color:#666;font-size:12px;line-height:1.2;display:block;width:170px'><b>a = 2</b> makes a slider;<br>the last line is the output</span>",
                margin=(10, 0)), margin=0),
            self.error,
            sizing_mode="stretch_width",
            margin=0,
        )

    def graph_text(self) -> str:
        """The text of the graph shown, as the editor shows it: ``source_note`` + ``source``."""
        return (self.model.source_note + self.model.source).lstrip("\n")

    def has_unapplied_text(self) -> bool:
        """Whether the editor holds text that is not the graph shown (typed and not applied, or
        refused by Apply): a page reload would lose it (``UrlSync.switch_theme``)."""
        return self._typed.strip() != self.graph_text().strip() or self.model.error is not None

    def _on_text(self, *events):
        self._typed = events[-1].new or ""

    def _apply(self, event=None):
        text = self.text.value
        self._change(partial(structure.from_text, text), partial(self._show_text, text))

    #: ``run(prepare, finish)`` performs a structure change, ``finish(prepare())`` (the factory
    #: puts the busy indicator here)
    run = staticmethod(lambda prepare, finish: finish(prepare()))

    def _change(self, prepare, finish) -> None:
        """A structure change asked for here (Apply, a preset), through ``run``. Served, it is
        shown a moment later (``Busy``): text typed in the meantime is the user's newer work, so
        it stays in the editor (not applied, with a note) instead of the shown graph's text."""
        asked = self._typed
        if self._kept_note:           # the note is about the change before this one
            self._kept_note = ""
            self._show_message()

        def show(made):
            self._keep = self._typed if self._typed != asked else None
            try:
                finish(made)
            finally:
                self._keep = None
        self.run(prepare, show)

    def _show_text(self, text: str, new) -> None:
        limit = self.text.max_length
        if self.model.show(new) or not limit or len(text) < limit:
            return
        # a text at the box's limit may have been cut there by the browser: a parse error at
        # the cut would blame a column the user never wrote
        self.model.error = SourceError(f"the expression reaches the editor's limit of {limit:,} "
                                       "characters (anything typed or pasted past it was cut "
                                       "off); shorten it or split it into named steps")

    def _on_preset(self, event):
        if event.new and event.new != self.model.preset:
            self._change(partial(structure.from_preset, event.new), self.model.show)

    def _on_model(self, *events):
        """The one path by which text reaches the editor: the model's ``source_note`` +
        ``source``. Apply leaves the text as typed (it *is* the source then); a preset, a link,
        an import or a Value shown from code replaces it, so the editor never shows text that is
        not the graph on screen."""
        m = self.model
        if {e.name for e in events} - {"error", "unused"}:   # a rejected text stays as typed
            shown = self.graph_text()
            if self._keep is not None and self._keep.strip() != shown.strip():
                self._kept_note = _kept_html(PRESETS[m.preset].title if m.preset in PRESETS else None)
            else:
                self._kept_note = ""
                if shown != self.text.value.lstrip("\n"):
                    self.text.value = shown
            self.preset.value = m.preset
        self._show_message()

    def _show_message(self) -> None:
        """The message area: the error, else the notes (typed text kept, names not used)."""
        m = self.model
        self.error.object = (_error_html(m.error, self.text.value) if m.error
                             else self._kept_note + (_unused_html(m.unused) if m.unused else ""))
        self.error.visible = bool(self.error.object)


_NOTE_STYLE = ("font-family:Helvetica Neue,Helvetica,Arial,sans-serif;color:#2b4a75;font-size:12px;"
               "background:#eef3fb;border:1px solid #c9d6ea;border-radius:6px;padding:4px 8px;")


def _kept_html(example: str | None) -> str:
    """A note (not an error: nothing went wrong) that the graph asked for is shown but the text
    typed while it was built stays in the editor, not applied; ``example``: the preset's title,
    None for an Apply."""
    shown = (f"the example \u00ab{html.escape(example)}\u00bb" if example is not None
             else "the expression you applied")
    return (f"<div class='kept-note' style='{_NOTE_STYLE}margin-bottom:2px;'>\u2139 Showing {shown}; your "
            "text in the editor is kept, not applied \u2014 press Apply to draw it.</div>")


def _unused_html(names: list) -> str:
    """A note (not an error: the graph is shown) that some names do not reach the output, so
    they get no slider and no box: a learner's ``b = 3`` was dropped without a word."""
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    verb = "is" if len(names) == 1 else "are"
    return (
        f"<div class='unused-note' style='{_NOTE_STYLE}'>"
        f"\u2139 {html.escape(shown)} {verb} not used by the output (the last line), so not drawn "
        "and no slider</div>"
    )


#: Characters of the culprit's line shown with the caret: what the sidebar's 290 px hold at
#: 13 px monospace (~8 px each, less the padding). A longer line is cut around the column
#: (with "…" where it was cut): uncut, the caret of a column past ~32 was hidden.
EXCERPT_CHARS = 30


def line_excerpt(line: str, col: int, width: int = EXCERPT_CHARS) -> tuple[str, int]:
    """(text, caret): at most ``width`` characters of ``line`` around the 1-based column
    ``col`` (plus "…" at a cut end), and the 0-based index of that column in the text.
    Tabs are shown as one space each, so the caret stays under its character."""
    line = line.replace("\t", " ")
    at = max(0, col - 1)
    if len(line) <= width:
        return line, at
    start = max(0, min(at - width // 2, len(line) - width))
    text = line[start:start + width]
    if start > 0:
        text, at = "…" + text, at + 1
    if start + width < len(line):
        text += "…"
    return text, at - start


def _error_html(error, source: str) -> str:
    """The error message and, when it has a line/col, that line (cut around the column when
    long: ``line_excerpt``) with a caret under the column."""
    body = f"<div class='msg'>\u26a0 {html.escape(str(error))}</div>"
    lines = source.splitlines()
    if 1 <= error.line <= len(lines):
        text, at = line_excerpt(lines[error.line - 1], error.col)
        body += f"<pre>{html.escape(text)}\n{' ' * at}^</pre>"
    return (
        "<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;color:#b00020;font-size:13px;background:#fdecee;border:1px solid #f3b7bf;"
        "border-radius:6px;padding:4px 8px;'>" + body.replace("<pre>", "<pre style='margin:2px 0 0 0;"
        "font-size:13px;overflow:hidden'>") + "</div>"
    )


class LeafSliders:
    """Leaf controls, in source order (the editor text's order), generated from the model's
    ``leaves`` (``param.Number`` each). Rebuilt only on a structure change.

    Up to ``MAX_SLIDERS`` leaves, each gets a :class:`LeafControl`: a number box (any finite
    value, beyond the slider's range too; bad text gets a message) above a slider. Beyond that
    (an inspected sample, an MLP) a control each would cost seconds: a searchable
    :class:`~app.graph_page.leaf_table.LeafTable` with one control replaces them.
    """

    MAX_SLIDERS = MAX_SLIDERS

    def __init__(self, model):
        self.model = model
        self.column = pn.Column(sizing_mode="stretch_both", scroll=True, margin=(0, 4), css_classes=["leaf-sliders"])
        self.view = self.column
        self.table = LeafTable(model)   # for graphs with many leaves (hidden until one comes)
        self.widgets = []     # the LeafControls of this graph's leaves, in source order
        self._pool = []       # every LeafControl made so far, rebound to each new graph's leaves
        self._no_leaves = pn.pane.HTML("<i>no leaves (constants only)</i>")
        model.param.watch(self._rebuild, "leaves")
        self._rebuild()

    def _rebuild(self, *events):
        # The controls already on the page take the new leaves in order; spare ones, the table
        # and the "no leaves" line are hidden, not removed. The column's children change only
        # when it needs more controls than ever before: a new child costs Panel a walk of the
        # whole document (0.2 s with a 1k-node graph shown, 1 s for the table after training)
        # and the browser a relayout.
        m = self.model
        leaf_ids = m.compiled.leaf_ids
        many = len(leaf_ids) > self.MAX_SLIDERS
        order = [] if many else source_order(leaf_ids, m.compiled.labels, m.source)
        old = len(self._pool)
        self._pool += [LeafControl(m.leaves, lid) for lid in order[old:]]
        with pn.io.hold():
            for k, w in enumerate(self._pool):
                if k < min(old, len(order)):
                    w.bind(m.leaves, order[k])
                elif k >= len(order):
                    w.close()
                set_shown(w.view, k < len(order))      # not visible: see set_shown
            self.widgets = self._pool[:len(order)]
            set_shown(self._no_leaves, not leaf_ids)
            if many:
                self.table.load()
            else:
                self.table.release()
            # by visible, one page layout when it changes: a Tabulator drawn while hidden by
            # its CSS stays 0 px tall when shown (the other controls are plain widgets)
            self.table.view.visible = many
            objects = [w.view for w in self._pool] + [self._no_leaves, self.table.view]
            if self.column.objects != objects:
                self.column.objects = objects

    def select(self, node_id) -> None:
        """A click on node ``node_id`` in the graph: the table's control moves that leaf."""
        if len(self.model.compiled.leaf_ids) > self.MAX_SLIDERS:
            self.table.select(node_id)


class OutputDisplay:
    """The output value, large: ``L = -8``."""

    def __init__(self, model):
        self.model = model
        self.pane = pn.pane.HTML("", margin=(0, 12), css_classes=["output-value"])
        model.param.watch(self._update, ["output", "compiled"])
        self._update()
        self.view = self.pane

    def _update(self, *events):
        m = self.model
        c = m.compiled
        label = html.escape(c.labels[c.output_id])
        # a literal's label is its own number ("a = 2" then "5" read "5 = 5"): the number alone
        literal = bool(c.graph.nodes[c.output_id].get("const"))
        self.pane.object = (
            f"<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:15px;color:#555;line-height:1'>output</div>"
            # a long label is cut (with an ellipsis; the whole on hover), never the number
            f"<div class='output-line' title='{label}' style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:34px;font-weight:700;line-height:1.1;white-space:nowrap;display:flex;min-width:0'>"
            + ("" if literal else f"<span class='output-label' style='overflow:hidden;text-overflow:ellipsis;min-width:0'>{label}</span>")
            + f"<span style='flex:none;white-space:pre'>{'' if literal else ' = '}<span class='output-number'>{html.escape(fmt(m.output))}</span></span></div>"
        )
