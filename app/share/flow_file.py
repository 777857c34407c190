"""Reading an uploaded file in the original app's node/edge JSON into a graph (no Panel here).

The file is checked at every step and nothing in it is evaluated: size, UTF-8, JSON, the
node/edge shape, ``engine.from_flow``'s own checks, then the numbers and labels the app will
show: a leaf holding NaN, an infinity or a huge number (``1e999`` reads as infinity) is refused
naming the leaf (a NaN slider stalled the session), and labels are cut to
``MAX_LABEL_CHARS`` (a 3 MB label overflowed the browser's stack).
"""

from __future__ import annotations

import json
import sys
import math


#: Largest file read (bytes). The original app's graphs are a few KiB; ``engine.from_flow``
#: accepts at most 20,000 nodes, which is ~3 MiB of its JSON.
MAX_FILE_BYTES = 4 * 1024 * 1024

#: Longest label kept (a value box shows about 20 characters); longer ones are cut with "…".
MAX_LABEL_CHARS = 60


class FlowFileError(ValueError):
    """A file that cannot become a graph; the message is for the user."""


def read_flow_file(raw: bytes, name: str = "file") -> tuple[object, str, dict]:
    """Turn the bytes of an uploaded file into a graph.

    Parameters
    ----------
    raw : bytes
    name : str
        File name, for messages.

    Returns
    -------
    (engine.Value, str, dict)
        The output Value (``backward()`` has run), the detected convention
        (``"original"`` or ``"data"``) and counts ``{"values": n, "operators": m,
        "labels_cut": k}`` (labels over ``MAX_LABEL_CHARS``, cut).

    Raises
    ------
    FlowFileError
        Too large, not UTF-8, not JSON, not a node/edge document, or a graph ``engine.from_flow``
        rejects (cycle, unknown op, dangling edge, ...), or a leaf that is NaN or infinite.
        Nothing is evaluated.
    """
    from engine import GraphError, flow_convention, from_flow

    if len(raw) > MAX_FILE_BYTES:
        raise FlowFileError(f"{name} is {size_text(len(raw))}; the limit is {size_text(MAX_FILE_BYTES)}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FlowFileError(f"{name} is not UTF-8 text (byte {exc.start}); expected the "
                            "original app's JSON") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowFileError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}") from None
    except RecursionError:
        raise FlowFileError(f"{name} is nested too deeply to be a graph") from None
    except ValueError:      # json reads integers with Python's int(): over its digit limit it raises
        raise FlowFileError(f"{name} has a number of more than {sys.get_int_max_str_digits():,} digits, "
                            "which this app does not read") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list) or not isinstance(doc.get("edges"), list):
        raise FlowFileError(f"{name} is JSON but not a graph: expected "
                            "{\"nodes\": [...], \"edges\": [...]} as the original app writes")
    try:
        convention = flow_convention(doc["nodes"], doc["edges"])
        root = from_flow(doc["nodes"], doc["edges"], convention=convention)
    except GraphError as exc:
        raise FlowFileError(f"{name}: {exc}") from None
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as exc:
        raise FlowFileError(f"{name} is not a graph this app can read ({type(exc).__name__}: {exc})") from None
    labels_cut = check_numbers_and_labels(root, name)
    kinds = [n.get("type") for n in doc["nodes"] if isinstance(n, dict)]
    return root, convention, {"values": kinds.count("value"), "operators": kinds.count("operator"),
                              "labels_cut": labels_cut}


def check_numbers_and_labels(root, name: str = "file") -> int:
    """Cut every label of ``root``'s graph longer than ``MAX_LABEL_CHARS`` (in place) and refuse
    a leaf that is not a finite number. Returns how many labels were
    cut. Raises :class:`FlowFileError` naming the first such leaf."""
    seen, stack, cut = set(), [root], 0
    while stack:                     # up to 20,000 nodes: no recursion
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if len(v.label) > MAX_LABEL_CHARS:
            v.label = v.label[:MAX_LABEL_CHARS - 1] + "\u2026"
            cut += 1
        if not v._prev and not math.isfinite(v.data):
            what = "NaN (not a number)" if math.isnan(v.data) else f"{v.data:g}"
            leaf = f"leaf '{v.label}'" if v.label else "an unnamed leaf"
            raise FlowFileError(f"{name}: {leaf} holds {what}; a leaf must be a finite number")
        stack.extend(v._prev)
    return cut


def size_text(n: int) -> str:
    """``n`` bytes for a message (KB or MB)."""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
