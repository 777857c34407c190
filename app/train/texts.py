"""The Train tab's sentences: status line, refused-setting note, inspected sample (HTML).
Functions of the model's state only; the view binds them to its parameters."""
from __future__ import annotations

import html

from .plots import NEG_COLOR, POS_COLOR


def status_html(model) -> str:
    """The status line: steps done (a count; the curves and the error messages number the
    steps from 0, as micrograd prints them), loss, accuracy, next lr, sizes; queued and error
    notes."""
    t = model.trainer
    if t is None:
        return f"<div style='color:#b00020'>{html.escape(model.error)}</div>"
    last = t.history[-1] if t.history else None
    facts = [f"steps done <b>{t.k}</b>", f"next lr <b>{t.lr:.4g}</b>", f"{len(t.labels)} parameters",
             f"{model.nodes_text} nodes per step (compiled once)"]
    if last is not None:
        facts[1:1] = [f"loss <b>{last.loss:.4g}</b>",
                      f"accuracy <b>{100 * last.train_accuracy:.0f}%</b>"]
    text = " · ".join(facts)
    if model.queued:
        text += ("<div class='train-queued' style='color:#8a5a00'>queued: the server trains "
                 "a few models at a time; yours starts when one pauses</div>")
    if model.error:
        text += f"<div style='color:#b00020'>{html.escape(model.error)}</div>"
    return f"<div style='font-size:13px;color:#333'>{text}</div>"


def refused_html(model) -> str:
    """A setting the model cannot build, said under the model controls until it is fixed (Run
    and Step keep training the model built before)."""
    if not model.refused:
        return ""
    kept = (f" Run and Step train the current model "
            f"({', '.join(map(str, model.trainer.config.hidden))}) until this is fixed."
            if model.trainer is not None else "")
    return (f"<div style='color:#b00020;font-size:12px;line-height:1.3'>\u26a0 "
            f"{html.escape(model.refused)}.{html.escape(kept)}</div>")


def inspection_html(ins, opened: bool, reason: str = "") -> str:
    if ins is None:
        return ""
    cls, color = ("+1", POS_COLOR) if ins.y > 0 else ("-1", NEG_COLOR)
    top = sorted(ins.updates, key=lambda u: -abs(u.grad))[:4]
    lines = "".join(f"<div>{html.escape(u.text)}</div>" for u in top)
    where = "opened in the graph view" if opened else "pass on_inspect to open it in the graph view"
    return ("<div style='font-size:12px;line-height:1.35'>"
            + (f"<div>{html.escape(reason)}</div>" if reason else "") +
            f"<b>sample {ins.sample}</b>: x = ({ins.x[0]:.3f}, {ins.x[1]:.3f}), "
            f"y = <b style='color:{color}'>{cls}</b>, score = {ins.score:.4g}, "
            f"loss = {ins.loss:.4g}<br>its loss graph ({where}); the update with lr = "
            f"{ins.lr:.4g}, largest grads first:"
            f"<div style='font-family:monospace;font-size:11px;color:#444'>{lines}</div></div>")
