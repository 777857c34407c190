"""The shareable state of one app instance as a short, readable URL query (no Panel in here).

A link such as ``?preset=lecture&a=3&step=4&mode=backward&theme=dark`` reproduces one moment:

- the graph: ``preset=NAME`` (a key of ``app.presets.PRESETS``), or the expression text as
  ``expr=...`` (percent-encoded) or, when that is shorter, ``z=...`` (zlib + base64url) for long
  expressions; ``src=value`` marks a graph that came from a file or a Value object (a link
  cannot carry it, so opening it shows the default with a notice);
- leaf values that differ from the expression's own: ``LABEL=NUMBER`` (``@ID=NUMBER`` for a leaf
  whose label is not unique or is a reserved key), written with ``repr`` so they round-trip
  exactly;
- ``step=K`` when the Player is not at the end of the pass, ``mode=forward`` for the forward
  pass, ``theme=dark`` for the dark theme;
- ``scopes=neurons`` (``layers``, ``all``, or the open scopes' numbers ``0,3,4``) when the
  collapse state is not the one the graph opens with, ``by=neuron`` for neuron steps.
- ``present=1`` for presentation mode.

Reading a URL never executes anything: an expression only ever reaches ``engine.parse`` (a safe
language, not ``eval``). Every key is validated; anything wrong is dropped with a notice for the
user and the rest falls back to the defaults. Pure functions; :mod:`app.share.url_model`
reads a ``GraphModel`` into a state and applies one to it.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from engine.expression import MAX_SOURCE_CHARS

#: Keys with a meaning of their own (a leaf with such a label is written as ``@id``).
RESERVED = frozenset({"preset", "expr", "z", "src", "step", "mode", "theme", "scopes", "by", "present"})
MODES = ("backward", "forward")
THEMES = ("default", "dark")
STEP_BY = ("op", "neuron")
#: Longest expression text accepted from a URL: the editor's own limit (``engine.parse``'s), so
#: every expression the editor takes has a link that opens (at 8,000 an inspected training
#: sample of MLP(2,[16,16,1]), 17,500 characters, lost its graph on the theme switch's reload).
#: A hostile URL costs a reader no more than an Apply of the editor does.
MAX_EXPR_CHARS = MAX_SOURCE_CHARS
#: Longest compressed ``z`` value (base64 of zlib: even text that deflate cannot shrink fits)
#: and leaf-key count read from a URL.
MAX_Z_CHARS = 28_000
MAX_LEAF_KEYS = 400
#: Longest number text read (``float`` of a million digits is slow).
MAX_NUMBER_CHARS = 40


@dataclass
class UrlState:
    """What a URL asks for (all optional; ``None``/empty = the default).

    Attributes
    ----------
    preset : str or None
        A preset name (validated against the names given to :func:`decode`).
    expr : str or None
        Expression text (not yet parsed; :func:`apply_state` parses it).
    from_value : bool
        The link was made for a graph that came from a file or a Value object.
    leaves : dict
        Key (a leaf label, or ``"@" + leaf id``) -> float.
    step : int or None
    mode : str or None
        ``"backward"`` or ``"forward"``.
    theme : str or None
        ``"default"`` or ``"dark"``.
    scopes : str or None
        Collapse state as :func:`app.graph_page.scopes_display.encode_collapse` writes it.
    step_by : str or None
        ``"op"`` or ``"neuron"``.
    present : bool
        Presentation mode (``present=1``).
    """

    preset: str | None = None
    expr: str | None = None
    from_value: bool = False
    leaves: dict = field(default_factory=dict)
    step: int | None = None
    mode: str | None = None
    theme: str | None = None
    scopes: str | None = None
    step_by: str | None = None
    present: bool = False


# ----------------------------------------------------------------------------- numbers

def format_number(x: float) -> str:
    """Short text for ``x`` that reads back as ``x`` to 12 significant digits.

    ``3.0`` -> ``"3"``; a slider's ``5.050000000000001`` (float noise of its step arithmetic)
    -> ``"5.05"``: the shown 4-digit numbers are the same after a reload, and the link stays
    readable. Values that need more digits keep Python's exact ``repr``.
    """
    x = float(x)
    short = f"{x:.12g}"
    if abs(float(short) - x) <= 1e-12 * max(1.0, abs(x)):
        return short
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def parse_number(text: str) -> float:
    """A finite float from URL text: any, as the leaf's number box takes (a bound of 1e12 once
    made the app write links and files it refused to open: a leaf set to 1e13 in its box).

    Raises ``ValueError`` with a readable message otherwise (``nan``, ``inf``, ``1e400``,
    ``0x10``, ``1_000``, over-long text).
    """
    t = text.strip()
    if len(t) > MAX_NUMBER_CHARS or not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", t, re.ASCII):
        raise ValueError(f"{_show(text)} is not a number")
    x = float(t)
    if not math.isfinite(x):
        raise ValueError(f"{_show(text)} is beyond the largest number a float holds (about 1.8e+308)")
    return x


def _apply_choice(value, allowed, field, what, hint, state, notices) -> None:
    """Set ``state.<field>`` to ``value`` when it is one of ``allowed``, else add a notice."""
    if value is None:
        return
    if value in allowed:
        setattr(state, field, value)
    else:
        notices.append(f"unknown {what} {_show(value)} (use {hint})")


def _show(text: str, limit: int = 40) -> str:
    """``text`` quoted for a notice, shortened (never rendered as HTML by the caller unescaped)."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


# ----------------------------------------------------------------------------- expressions

def compress_expr(text: str) -> str:
    """``text`` as zlib + unpadded base64url (the ``z`` key)."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def decompress_expr(z: str) -> str:
    """Inverse of :func:`compress_expr`; ``ValueError`` for anything that is not one, or that
    would inflate past ``MAX_EXPR_CHARS`` (a zip bomb stops there)."""
    if len(z) > MAX_Z_CHARS or not re.fullmatch(r"[A-Za-z0-9_-]*", z):
        raise ValueError("the compressed expression is malformed")
    try:
        raw = base64.urlsafe_b64decode(z + "=" * (-len(z) % 4))
        d = zlib.decompressobj()
        out = d.decompress(raw, MAX_EXPR_CHARS + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise ValueError("the compressed expression is malformed") from None
    if len(out) > MAX_EXPR_CHARS or d.unconsumed_tail:
        raise ValueError(f"the expression is too long for a link (over {MAX_EXPR_CHARS:,} characters)")
    if not d.eof:
        raise ValueError("the compressed expression is truncated")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the compressed expression is not text") from None


#: Percent-encoded expressions up to this length stay readable in the link (``expr=``).
READABLE_EXPR_CHARS = 300


def _expr_params(text: str) -> dict:
    """``{"expr": text}`` while it is short enough to read, else ``{"z": ...}`` when shorter."""
    text = text.strip("\n")
    plain = len(quote(text, safe=""))
    if plain <= READABLE_EXPR_CHARS:
        return {"expr": text}
    z = compress_expr(text)
    return {"z": z} if len(z) < plain else {"expr": text}


# ----------------------------------------------------------------------------- query <-> state

def encode(state: UrlState) -> str:
    """The query string (without ``?``) for ``state``; keys in a fixed, readable order."""
    params: dict[str, str] = {}
    if state.preset:
        params["preset"] = state.preset
    elif state.expr:
        params.update(_expr_params(state.expr))
    elif state.from_value:
        params["src"] = "value"
    for key, x in state.leaves.items():
        params[key] = format_number(x)
    if state.mode and state.mode != "backward":
        params["mode"] = state.mode
    if state.step is not None:
        params["step"] = str(int(state.step))
    if state.theme and state.theme != "default":
        params["theme"] = state.theme
    if state.scopes is not None:
        params["scopes"] = state.scopes
    if state.step_by and state.step_by != "op":
        params["by"] = state.step_by
    if state.present:
        params["present"] = "1"
    return urlencode(params, quote_via=quote, safe="@;*()-/,")


def first_values(args) -> tuple[dict, list]:
    """``pn.state.session_args``-style ``{key: [bytes or str, ...]}`` -> ``({key: str}, notices)``.

    The last value of a repeated key wins, with a notice (the app never writes a key twice);
    undecodable bytes are dropped with a notice.
    """
    out, notices = {}, []
    for key, values in (args or {}).items():
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        if not values:
            continue
        v = values[-1] if isinstance(values, (list, tuple)) else values
        if isinstance(values, (list, tuple)) and len(values) > 1:
            notices.append(f"{_show(str(key))} is given {len(values)} times; the last one counts")
        if isinstance(v, bytes):
            try:
                v = v.decode("utf-8")
            except UnicodeDecodeError:
                notices.append(f"ignored {_show(key)}: not UTF-8 text")
                continue
        out[str(key)] = str(v)
    return out, notices


def decode(query: dict, presets=()) -> tuple[UrlState, list]:
    """Validate a query ``{key: text}``; return ``(UrlState, notices)``.

    Parameters
    ----------
    query : dict
        Key -> value text (see :func:`first_values`).
    presets : iterable of str
        Known preset names.

    Returns
    -------
    (UrlState, list of str)
        Everything that is well formed, and one notice per thing that was not (dropped). The
        expression is not parsed here.
    """
    state, notices = UrlState(), []
    q = dict(query)
    preset, expr, z, src = q.pop("preset", None), q.pop("expr", None), q.pop("z", None), q.pop("src", None)
    if preset is not None:
        if preset in presets:
            state.preset = preset
            if z is not None or expr is not None:   # the app never writes both: say which one shows
                notices.append(f"the link names both an example and an expression; showing the example {_show(preset)}")
        else:
            notices.append(f"unknown example {_show(preset)}; showing the default")
    elif z is not None or expr is not None:
        try:
            text = decompress_expr(z) if z is not None else expr
            if len(text) > MAX_EXPR_CHARS:
                raise ValueError(f"the expression is too long for a link (over {MAX_EXPR_CHARS:,} characters)")
            state.expr = text
        except ValueError as exc:
            notices.append(f"{exc}; showing the default")
    elif src is not None:
        state.from_value = True
        notices.append("this link was made for a graph loaded from a file or a Value object, "
                       "which a link cannot carry; showing the default")
    _apply_choice(q.pop("mode", None), MODES, "mode", "mode", "backward or forward", state, notices)
    step = q.pop("step", None)
    if step is not None:
        if re.fullmatch(r"[0-9]{1,9}", step.strip()):
            state.step = int(step)
        else:
            notices.append(f"step {_show(step)} is not a step number")
    _apply_choice(q.pop("theme", None), THEMES, "theme", "theme", "dark or default", state, notices)
    scopes = q.pop("scopes", None)
    if scopes is not None:
        if re.fullmatch(r"layers|neurons|all|[0-9]{1,4}(,[0-9]{1,4}){0,499}|", scopes):
            state.scopes = scopes
        else:
            notices.append(f"scopes {_show(scopes)} is not a collapse state")
    _apply_choice(q.pop("by", None), STEP_BY, "step_by", "step mode", "op or neuron", state, notices)
    present = q.pop("present", None)
    if present is not None:
        if present in ("0", "1"):
            state.present = present == "1"
        else:
            notices.append(f"present={_show(present)}: use present=1")
    if len(q) > MAX_LEAF_KEYS:
        notices.append(f"too many leaf values in the link ({len(q)}); ignored them")
        q = {}
    for key, text in q.items():
        if len(key) > 64 or not key.strip():
            notices.append(f"ignored key {_show(key)}")
            continue
        try:
            state.leaves[key] = parse_number(text)
        except ValueError as exc:
            notices.append(f"leaf {_show(key)}: {exc}")
    return state, notices
