"""The learner's expression language, parsed with ``ast`` against a whitelist (never eval/exec).

::

    a = 2          # a numeric literal (optionally signed) assigned to a name: a leaf (a slider)
    b = -3
    c = 10; f = -2 # ';' separates statements too
    e = a*b        # named intermediates label their node
    d = e + c
    L = d*f        # the last assigned name is the output

The operators and one-argument functions are those of ``engine.ops.OPS`` (each op's
``syntax``), plus unary ``+``, parentheses, numbers and names. A function is also a method,
as micrograd's ``Value`` has it: ``(a*b).tanh()`` is ``tanh(a*b)``. A bare final expression
is the output, labelled ``out`` (``out_2`` if the program defines ``out``). Everything else
raises :class:`ExpressionError` with the line and column of the culprit.
"""
from __future__ import annotations

import ast
import io
import math
import tokenize
from functools import cache

from .ops import OPS
from .value import Value

MAX_SOURCE_CHARS = 20_000
MAX_NODES = 20_000
# Python's parser fails on deep nesting at a depth that depends on the recursion limit (which
# IPython raises); a fixed limit of our own makes the answer the same everywhere.
MAX_DEPTH = 900
FUNCTIONS = tuple(op.name for op in OPS.values() if op.is_function)
_DESCRIBE = {
    ast.Attribute: "attributes (like 'x.y')", ast.Subscript: "subscripts (like 'x[0]')",
    ast.Lambda: "lambdas", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'", ast.IfExp: "'if' expressions",
    ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
    ast.JoinedStr: "strings", ast.Starred: "'*' unpacking", ast.NamedExpr: "':='",
    ast.Await: "'await'", ast.Yield: "'yield'", ast.YieldFrom: "'yield'",
}


@cache
def _syntax() -> dict:
    """Which op a piece of syntax means, read off each op's own ``syntax`` in the table:
    ``{ast.Add: "+", ..., ast.USub: "neg", "tanh": "tanh", ...}``."""
    table = {}
    for op in OPS.values():
        node = ast.parse(op.syntax.replace("$", ""), mode="eval").body
        table[node.func.id if isinstance(node, ast.Call) else type(node.op)] = op.name
    return table


def _binary_operators() -> str:
    return " ".join(op.syntax.split()[1] for op in OPS.values() if op.arity == 2)


class ExpressionError(ValueError):
    """A problem in the learner's text, at 1-based ``line`` and ``col`` (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, col: int = 0):
        self.message, self.line, self.col = message, line, col
        where = f"line {line}, col {col}: " if line else ""
        super().__init__(where + message)


def _error(node: ast.AST, indents: list[int], message: str) -> ExpressionError:
    line = getattr(node, "lineno", 0) or 0
    col = getattr(node, "col_offset", 0) or 0     # ASCII only, so bytes are characters
    if 0 < line <= len(indents):
        col += indents[line - 1]                  # the indentation parse() stripped
    return ExpressionError(message, line, col + 1 if line else 0)


def _number(node: ast.AST) -> float | None:
    """The value of a numeric literal, optionally signed, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)):
        try:
            return sign * float(node.value)
        except OverflowError:        # an integer literal beyond float range
            return sign * math.inf
    return None


class _Builder:
    """Turns whitelisted statements into Values, iteratively (no recursion on deep input)."""

    def __init__(self, indents: list[int]):
        self.indents = indents
        self.names: dict[str, Value] = {}
        self.defined_at: dict[str, int] = {}
        self.leaves: set[str] = set()
        self.count = 0

    def free_name(self, base: str) -> str:
        """``base``, or ``base_2``, ``base_3``, ... when the program defines it already (a
        second node labelled ``out`` would be two nodes of one name; to_source's suffixes)."""
        name, k = base, 1
        while name in self.names:
            k += 1
            name = f"{base}_{k}"
        return name

    def fail(self, node, message):
        return _error(node, self.indents, message)

    def new(self, value: Value, node) -> Value:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"the graph is too large (more than {MAX_NODES:,} nodes)")
        return value

    def expression(self, root: ast.AST) -> Value:
        """Post-order walk with an explicit stack; results of finished nodes on ``done``."""
        done: list[Value] = []
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            number = _number(node)
            if number is not None:
                done.append(self.new(Value.constant(number), node))
            elif isinstance(node, ast.Name):
                if node.id not in self.names:
                    hint = (f" (it is a function: call it like {node.id}(x))"
                            if node.id in FUNCTIONS else "")
                    raise self.fail(node, f"'{node.id}' is not defined{hint}")
                done.append(self.names[node.id])
            elif isinstance(node, ast.BinOp) and type(node.op) in _syntax():
                if expanded:
                    right, left = done.pop(), done.pop()
                    done.append(self.new(left._apply(_syntax()[type(node.op)], right), node))
                else:
                    stack += [(node, True), (node.right, False), (node.left, False)]
            elif isinstance(node, ast.UnaryOp) and (type(node.op) in _syntax()
                                                    or isinstance(node.op, ast.UAdd)):
                if expanded:
                    if not isinstance(node.op, ast.UAdd):     # unary plus changes nothing
                        done.append(self.new(done.pop()._apply(_syntax()[type(node.op)]), node))
                else:
                    stack += [(node, True), (node.operand, False)]
            elif isinstance(node, ast.Call):
                if expanded:
                    done.append(self.new(done.pop()._apply(_syntax()[_called(node)]), node))
                else:
                    stack += [(node, True), (self.check_call(node), False)]
            else:
                raise self.fail(node, self.describe(node))
        return done.pop()

    def check_call(self, node: ast.Call) -> ast.AST:
        """The operand of a call of one of FUNCTIONS, ``f(x)`` or micrograd's ``x.f()``."""
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr not in FUNCTIONS:
                raise self.fail(node, f"'.{func.attr}()' is not a method you can call here "
                                      f"(available: {', '.join('.' + f + '()' for f in FUNCTIONS)})")
            if node.args or node.keywords:
                raise self.fail(node, f".{func.attr}() takes no argument, like x.{func.attr}()")
            return func.value
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            name = f"'{func.id}' is not a function you can call here" \
                if isinstance(func, ast.Name) else "only named functions can be called"
            raise self.fail(node, f"{name} (available: {', '.join(FUNCTIONS)})")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.fail(node, f"{func.id}() takes exactly one argument, like {func.id}(x)")
        return node.args[0]

    @staticmethod
    def describe(node: ast.AST) -> str:
        if isinstance(node, ast.Constant):
            kind = "strings" if isinstance(node.value, (str, bytes)) else repr(node.value)
            return f"{kind} are not allowed; only numbers" if kind == "strings" \
                else f"{kind} is not a number"
        if isinstance(node, ast.BinOp):
            return f"only the operators {_binary_operators()} are allowed"
        if isinstance(node, ast.UnaryOp):
            return "only unary minus and plus are allowed"
        if isinstance(node, ast.Attribute) and node.attr in FUNCTIONS:
            return f"'.{node.attr}' is a method: call it, like x.{node.attr}()"
        what = _DESCRIBE.get(type(node), f"'{type(node).__name__}'")
        return f"{what} are not allowed here"

    def statement(self, stmt: ast.stmt, is_last: bool) -> Value | None:
        if isinstance(stmt, ast.Expr):
            if not is_last:
                raise self.fail(stmt, "only the last line may be a bare expression; "
                                      "give this one a name, like 'e = ...'")
            value = self.expression(stmt.value)
            if value.label or value._const:   # a bare name or number: do not rename it
                return value
            value.label = self.free_name("out")
            return value
        if not isinstance(stmt, ast.Assign):
            kind = {ast.AugAssign: "'+=' style updates", ast.AnnAssign: "annotations",
                    ast.Import: "imports", ast.ImportFrom: "imports"}.get(type(stmt))
            raise self.fail(stmt, f"{kind or 'this statement'} not allowed; "
                                  "write 'name = expression'")
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise self.fail(stmt, "assign to a single name, like 'e = a * b'")
        target = stmt.targets[0]
        name = target.id
        if name in FUNCTIONS:
            raise self.fail(target, f"'{name}' is a function name; choose another name")
        if name in self.names:
            kind = "leaf" if name in self.leaves else "name"
            raise self.fail(target, f"the {kind} '{name}' is already defined on line "
                                    f"{self.defined_at[name]}; use a new name")
        number = _number(stmt.value)
        if number is not None:
            value = self.new(Value(number, label=name), stmt)
            self.leaves.add(name)
        else:
            value = self.expression(stmt.value)
            if not value._prev:
                raise self.fail(stmt.value, f"'{name} = ...' only copies another name; "
                                            "compute something (like 'e = a * b')")
            if value.label:
                raise self.fail(stmt.value, f"'{name}' would just rename '{value.label}'; "
                                            "use the existing name")
            value.label = name
        self.names[name] = value
        self.defined_at[name] = stmt.lineno
        return value


def _called(node: ast.Call) -> str:
    """The function a checked call names: ``f`` of ``f(x)`` or of ``x.f()``."""
    return node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id


def _too_deep(text: str, indents: list[int]) -> ExpressionError:
    """The nesting error, at the first statement of ``text`` nested deeper than MAX_DEPTH
    (Python's parser, failing on depth, says nowhere). Each statement is parsed on its own:
    the same place whether the whole parse failed or its tree was measured too deep."""
    line = col = 0
    for start, end, at_line, at_col in _statements(text):
        try:
            deep = _depth(ast.parse(text[start:end])) > MAX_DEPTH
        except (RecursionError, MemoryError):
            deep = True
        except (SyntaxError, ValueError, OverflowError):
            continue
        if deep:
            line, col = at_line, at_col + 1 + indents[at_line - 1]
            break
    return ExpressionError(f"an expression is nested too deeply (at most {MAX_DEPTH} levels; "
                           "each term of a long sum is a level); split it into named steps",
                           line, col)


_NOT_CODE = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def _statements(text: str) -> list[tuple]:
    """``(start, end, line, col)`` of each statement of ``text``: offsets, and its start's
    line and 0-based column, found by its tokens (the tokenizer has no depth limit)."""
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    spans, start = [], None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            at = offsets[tok.start[0] - 1] + tok.start[1]
            if tok.type == tokenize.NEWLINE or tok.string == ";":
                if start is not None:
                    spans.append((start[0], at, *start[1:]))
                start = None
            elif start is None and tok.type not in _NOT_CODE:
                start = (at, *tok.start)
    except (tokenize.TokenError, SyntaxError):
        pass
    return spans + ([(start[0], len(text), *start[1:])] if start is not None else [])


def _depth(tree: ast.AST) -> int:
    """Deepest nesting of the tree, without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse(source: str) -> Value:
    """Build the graph that ``source`` describes and return its output ``Value``.
    (:func:`parse_with_unused` also says which names the output does not use.)

    Raises :class:`ExpressionError` (a ``ValueError``) with ``.line``/``.col`` for anything
    outside the language, for input over 20,000 characters or 20,000 nodes, and for text
    Python's own parser rejects; no other exception escapes, and nothing is executed.
    """
    return _parse(source)[0]


def _parse(source: str) -> tuple:
    """``(output, builder)`` of ``source``; raises as :func:`parse` says."""
    if not isinstance(source, str):
        raise ExpressionError(f"expected text, got {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(f"the expression is too long ({len(source):,} characters; "
                              f"the limit is {MAX_SOURCE_CHARS:,})")
    if not source.strip():
        raise ExpressionError("the expression is empty; try 'a = 2; b = -3; L = a * b'")
    for line_no, line in enumerate(source.splitlines(), 1):
        for col, ch in enumerate(line, 1):
            if not (ch.isprintable() or ch == "\t") or ord(ch) > 127:
                raise ExpressionError(f"unexpected character {ch!r}; use plain ASCII "
                                      "letters, digits and operators", line_no, col)
    # The language has no blocks: indentation (from a pasted or triple-quoted text) is dropped.
    lines = source.splitlines()
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines]
    text = "\n".join(line.lstrip(" \t") for line in lines)
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as e:
        msg = e.msg or "invalid syntax"
        if "integer string conversion" in msg:
            msg = "a number with too many digits (write large numbers like 1e400)"
        line = e.lineno or 0
        indent = indents[line - 1] if 0 < line <= len(indents) else 0
        raise ExpressionError(msg, line, max(e.offset or 0, 1) + indent) from None
    except (RecursionError, MemoryError):
        raise _too_deep(text, indents) from None
    except (ValueError, OverflowError) as e:
        raise ExpressionError(f"malformed expression: {e}") from None
    if _depth(tree) > MAX_DEPTH:
        raise _too_deep(text, indents)
    if not tree.body:
        raise ExpressionError("the expression has no statements")
    builder = _Builder(indents)
    output = None
    for k, stmt in enumerate(tree.body):
        output = builder.statement(stmt, is_last=k == len(tree.body) - 1)
    return output, builder


def parse_with_unused(source: str) -> tuple[Value, list[str]]:
    """``(output, unused)``: :func:`parse`'s output and the names ``source`` defines that the
    output does not depend on, in the order they are defined (a leaf never used gets no slider:
    the editor says so rather than drop it without a word)."""
    output, builder = _parse(source)
    seen, stack = set(), [output]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            stack.extend(v._prev)
    return output, [name for name, v in builder.names.items() if id(v) not in seen]
