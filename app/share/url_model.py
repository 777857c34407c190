"""A ``GraphModel`` and its shareable URL state (:mod:`app.share.url_state`), both ways: the
state of what is shown now, and showing a state read from a link. Only the model's public API
is used."""

from __future__ import annotations

from .url_state import MAX_EXPR_CHARS, RESERVED, UrlState, _show


def is_expression(source: str) -> bool:
    """True when ``source`` has a statement; a graph shown from a Value or a file has only
    comment lines as its source (and a link cannot carry it)."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in source.splitlines())


def leaf_keys(model) -> dict:
    """leaf id -> URL key for the model's current leaves (label when unique and not reserved)."""
    c = model.compiled
    labels = [c.labels[lid] for lid in c.leaf_ids]
    keys = {}
    for lid, label in zip(c.leaf_ids, labels):
        unique = labels.count(label) == 1 and label not in RESERVED and not label.startswith("@")
        keys[lid] = label if unique and label else "@" + lid
    return keys


def state_from_model(model, theme: str = "default", present: bool = False) -> UrlState:
    """The :class:`UrlState` of ``model`` now (leaves only where they differ from their initial
    values; ``step`` only when the Player is not at the end)."""
    state = UrlState(theme=theme, mode=model.mode, present=present)
    if model.preset:
        state.preset = model.preset
    elif is_expression(model.source) and len(model.source) <= MAX_EXPR_CHARS:
        state.expr = model.source
    else:
        state.from_value = True
    keys = leaf_keys(model)
    for lid, key in keys.items():
        x = float(getattr(model.leaves, lid))
        if x != model.leaves.param[lid].default:
            state.leaves[key] = x
    if model.step != model.n_steps:
        state.step = int(model.step)
    from ..graph_page.scopes_display import default_expanded, encode_collapse

    c = model.compiled
    if model.expanded != default_expanded(c, update=model.update_lr is not None):
        state.scopes = encode_collapse(c, model.expanded)
    state.step_by = model.step_by
    return state


def apply_state(model, state: UrlState) -> list:
    """Show ``state`` in ``model``; return notices for what could not be applied.

    The graph is loaded first (preset, or ``engine.parse`` of the expression: a bad or hostile
    one leaves the default and a notice), then leaf values (unknown keys: notice), the mode and
    last the step (out of range: notice, the Player stays at the end).
    """
    notices = []
    if state.preset:
        if state.preset != model.preset:  # ``panel serve app/main.py`` already loaded ?preset=
            model.load_preset(state.preset)
    elif state.expr is not None:
        if model.preset == "" and model.source.strip("\n") == state.expr.strip("\n"):
            pass  # already shown (``app/main.py`` loads ?expr= itself)
        elif not model.apply(state.expr):
            notices.append(f"the link's expression was rejected ({model.error}); showing the default")
            model.error = None
    keys = {key: lid for lid, key in leaf_keys(model).items()}
    for key, x in state.leaves.items():
        lid = keys.get(key)
        if lid is None:
            notices.append(f"this graph has no leaf {_show(key)}; ignored")
            continue
        setattr(model.leaves, lid, x)
    if state.scopes is not None:
        from ..graph_page.scopes_display import decode_collapse

        try:
            model.expanded = decode_collapse(model.compiled, state.scopes)
        except ValueError as exc:
            notices.append(f"the link's collapse state was ignored: {exc}")
    if state.step_by and state.step_by != model.step_by:
        model.step_by = state.step_by
    if state.mode and state.mode != model.mode:
        model.mode = state.mode  # restarts the Player at 0
        if state.step is None:
            model.step = model.n_steps  # no step in a link = the end of the pass
    if state.step is not None:
        if 0 <= state.step <= model.n_steps:
            model.step = state.step
        else:
            notices.append(f"step {state.step} is out of range (0 to {model.n_steps})")
    return notices
