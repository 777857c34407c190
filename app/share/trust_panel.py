"""The trust panel: every leaf's analytic gradient beside a central finite difference.

For a sceptical student: ``engine.gradcheck`` perturbs each leaf by ``h`` (relative to ``|x|``)
and compares ``(f(x+h) - f(x-h)) / 2h`` with the backward pass's gradient; rows where they
disagree (a ReLU kink, a NaN) are flagged, rows where the finite difference is too imprecise
to tell (its step lost in rounding beside much larger values) are marked as such. It runs on
every slider move and new graph (one batched forward pass over the compiled Tape, well under a
millisecond for the presets); Player steps do not change values, so they do not re-run it.
The app computes nothing itself.

:func:`check_rows` is the pure part (numbers -> table rows); :class:`TrustPanel` is the Panel view.
"""

from __future__ import annotations

import html
import math

import panel as pn

from ..graph_page.formatting import fmt

#: Checks costing up to this many leaf x node visits run on every slider move even while the
#: card is closed (~2 ms); bigger graphs are checked while the card is open.
EAGER_BUDGET = 200_000
#: Rows shown (an MLP preset has 18 leaves; bigger graphs show the disagreeing leaves first).
MAX_ROWS = 60

TABLE_CSS = """
:host { width: 100%; }
table.gradcheck { border-collapse: collapse; width: 100%; font-size: 12px;
  font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; font-variant-numeric: tabular-nums; }
table.gradcheck th { text-align: right; font-weight: 600; padding: 1px 4px; opacity: 0.75;
  border-bottom: 1px solid currentColor; }
table.gradcheck th:first-child, table.gradcheck td:first-child { text-align: left; }
table.gradcheck td { text-align: right; padding: 1px 4px; white-space: nowrap; }
table.gradcheck tr.bad td { color: #b00020; font-weight: 700; }
table.gradcheck tr.undef td, table.gradcheck tr.imprecise td { opacity: 0.7; font-style: italic; }
:host(.dark) table.gradcheck tr.bad td { color: #ff8a80; }
.gradcheck-note { font-size: 11px; opacity: 0.75; margin-top: 3px;
  font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; }
"""


def verdict(check) -> str:
    """``"agree"``, ``"disagree"``, ``"imprecise"`` (apart by no more than the finite
    difference's own rounding error, so the check cannot judge the gradient) or
    ``"undefined"`` (no central difference at this point: f(x+h) or f(x-h) is not finite)."""
    return check.verdict


_ORDER = {"disagree": 0, "imprecise": 1, "undefined": 2, "agree": 3}
_MARK = {"agree": "\u2713", "disagree": "\u26a0", "imprecise": "imprecise here",
         "undefined": "undefined here"}
_CSS = {"agree": "ok", "disagree": "bad", "imprecise": "imprecise", "undefined": "undef"}


def check_rows(checks) -> list[dict]:
    """Table rows for ``engine.gradcheck`` results, disagreeing leaves first, then the leaves
    where the finite difference is imprecise, then those where it is undefined.

    Parameters
    ----------
    checks : list of engine.LeafCheck

    Returns
    -------
    list of dict
        ``{"leaf", "analytic", "numeric", "rel_diff", "ok", "verdict", "kink"}`` with the
        numbers as text (4 significant digits; the relative difference in scientific notation);
        ``kink``: a disagreement where a relu or abs operand crosses 0 within x \u00b1 h.
    """
    ordered = sorted(checks, key=lambda c: _ORDER[verdict(c)])  # stable: else graph order
    return [
        {
            "leaf": c.label,
            "analytic": fmt(c.analytic),
            "numeric": fmt(c.numeric) if verdict(c) != "undefined" else "undefined",
            "rel_diff": _rel_text(c.rel_diff) if verdict(c) != "undefined" else "",
            "ok": c.ok,
            "verdict": verdict(c),
            "kink": verdict(c) == "disagree" and c.kink,
        }
        for c in ordered
    ]


def summary(checks) -> str:
    """One line for the card header: ``"all 4 leaves agree"`` / ``"1 of 4 leaves disagree"`` /
    ``"3 agree, 1 undefined here"`` / ``"3 agree, 1 imprecise here"``."""
    if not checks:
        return "no leaves to check"
    verdicts = [verdict(c) for c in checks]
    bad, agree = verdicts.count("disagree"), verdicts.count("agree")
    if bad:
        if len(checks) == 1:
            return "\u26a0 the leaf disagrees"
        return f"\u26a0 {bad} of {len(checks)} leaves disagree"
    if agree == len(checks):
        return f"\u2713 all {len(checks)} leaves agree" if len(checks) > 1 else "\u2713 the leaf agrees"
    unchecked = {kind: verdicts.count(kind) for kind in ("imprecise", "undefined") if kind in verdicts}
    if not agree and len(unchecked) == 1:
        return f"finite difference {next(iter(unchecked))} here"
    counts = [f"{n} {kind} here" for kind, n in unchecked.items()]
    return ", ".join(([f"\u2713 {agree} agree"] if agree else []) + counts)


def _rel_text(rel: float) -> str:
    if math.isnan(rel):
        return "nan"
    if math.isinf(rel):
        return "inf"
    return "0" if rel == 0 else f"{rel:.1e}"


#: (verdict, kink) -> what that mark means, in the order the notes list them
_NOTES = {
    ("disagree", True): "\u26a0 kink = a relu or abs input crosses 0 between x\u2212h and x+h: f bends "
                        "there, the finite difference averages the slopes on both sides and backprop "
                        "takes the one at x (relu\u2032(0) = abs\u2032(0) = 0)",
    ("disagree", False): "\u26a0 = relative difference over 1e-4, more than the finite difference's "
                         "error allows: a wrong local derivative, or f curves too much within \u00b1h "
                         "(close to a singularity such as 1/x at 0)",
    ("imprecise", False): "imprecise here = the finite difference is unreliable here: the perturbation "
                          "is lost in rounding (values of very different size); it differs from backprop "
                          "by less than its own rounding error, so it cannot check that gradient",
    ("undefined", False): "undefined here = f(x) or f(x\u00b1h) is not finite, so there is no finite "
                          "difference to compare (log at x \u2264 0, a division by 0)",
}


def notes(checks) -> list[str]:
    """What the table's marks mean, each only when a row carries it: the kink is named only
    where a relu or abs operand crosses 0 within x \u00b1 h, the plausible reason there."""
    kinds = {(verdict(c), verdict(c) == "disagree" and c.kink) for c in checks}
    return (["finite diff = (f(x+h) \u2212 f(x\u2212h)) / 2h, h = 6e-6\u00b7max(1, |x|)"]
            + [text for kind, text in _NOTES.items() if kind in kinds])


def table_html(checks) -> str:
    """The table (HTML, labels escaped)."""
    rows = check_rows(checks)
    body = []
    for r in rows[:MAX_ROWS]:
        mark = _MARK[r["verdict"]] + (" kink" if r["kink"] else "")
        css = _CSS[r["verdict"]]
        body.append(
            f"<tr class='{css}'><td>{html.escape(r['leaf'])}</td>"
            f"<td>{html.escape(r['analytic'])}</td><td>{html.escape(r['numeric'])}</td>"
            f"<td>{r['rel_diff']}</td><td>{mark}</td></tr>"
        )
    more = (f"<div class='gradcheck-note'>... {len(rows) - MAX_ROWS} more leaves agree</div>"
            if len(rows) > MAX_ROWS else "")
    return (
        "<table class='gradcheck'><thead><tr><th>leaf</th><th>backprop</th><th>finite diff</th>"
        "<th>rel. diff</th><th></th></tr></thead><tbody>" + "".join(body) + "</tbody></table>" + more +
        "<div class='gradcheck-note'>"
        + "; ".join(html.escape(line, quote=False) for line in notes(checks)) + "</div>"
    )


class TrustPanel:
    """A collapsible card: summary in the header, the gradcheck table inside.

    Parameters
    ----------
    model : app.model.GraphModel
        Watched: ``frame`` ("structure" and "values" frames re-run the check).
    dark : bool
        Dark theme colours for flagged rows.

    Attributes
    ----------
    checks : list of engine.LeafCheck
        The latest check (what the table shows).
    view : pn.Card
    """

    def __init__(self, model, dark: bool = False):
        self.model = model
        self.checks = []
        self.table = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 4),
                                  stylesheets=[TABLE_CSS], css_classes=["gradcheck-table"] + (["dark"] if dark else []))
        self.view = pn.Card(
            self.table, title="Gradient check", collapsed=True, sizing_mode="stretch_width",
            margin=(4, 8), css_classes=["trust-panel"],
            styles={"max-height": "300px"}, stylesheets=[":host { overflow-y: auto; }"],
        )
        self.stale = False
        model.param.watch(self._on_frame, "frame")
        self.view.param.watch(self._on_open, "collapsed")
        self.refresh()

    def _on_frame(self, event):
        kind = getattr(event.new, "kind", None)
        if kind in ("structure", "values"):
            self.refresh()

    def _on_open(self, event):
        if not event.new and self.stale:
            self.refresh()

    @property
    def cheap(self) -> bool:
        """True when a check costs little (2 x leaves forward passes over the graph)."""
        c = self.model.compiled
        return len(c.leaf_ids) * len(c.value_ids) <= EAGER_BUDGET

    def refresh(self) -> None:
        """Re-run ``engine.gradcheck`` on the model's tape and redraw. Big graphs are checked
        only while the card is open (at 500 leaves x 2,000 nodes a check takes ~0.1 s)."""
        from engine import gradcheck

        if self.view.collapsed and not self.cheap:
            self.stale = True
            self._set_title("Gradient check (open to run)")
            return
        self.checks = gradcheck(self.model.compiled.tape)
        self._set_title(f"Gradient check: {summary(self.checks)}")
        # a closed card only shows its title: the table is drawn when it opens, so a slider
        # move sends the browser nothing here unless the verdict changes
        self.stale = self.view.collapsed
        if not self.stale:
            self.table.object = table_html(self.checks)

    def _set_title(self, title: str) -> None:
        if self.view.title != title:
            self.view.title = title
