"""The expression language: what it builds, and how it refuses everything else."""
import math
import time

import pytest

from engine import ExpressionError, parse
from engine.topo import topo_order

LECTURE = """a = 2          # a leaf
b = -3
c = 10; f = -2
e = a*b
d = e + c
L = d*f"""


def by_label(root):
    return {v.label: v for v in topo_order(root) if v.label}


def test_lecture_program():
    L = parse(LECTURE)
    L.backward()
    v = by_label(L)
    assert L.label == "L" and L.data == -8
    assert {k: v[k].grad for k in "abcfed"} == dict(a=6, b=-4, c=-2, f=4, e=-2, d=-2)
    assert [v[k]._op for k in "edL"] == ["*", "+", "*"]
    assert all(not v[k]._prev and not v[k]._const for k in "abcf")


def test_bare_final_expression_is_out():
    out = parse("x = 0.5\ntanh(2*x) - x**2")
    assert out.label == "out" and out.data == pytest.approx(math.tanh(1.0) - 0.25)


def test_bare_final_expression_does_not_take_a_name_already_defined():
    # was labelled 'out' too: two nodes of one name (one slider label for a leaf and the output)
    result = parse("out = 2\nout_2 = out * 3\nout_2 + out")
    assert result.label == "out_3" and result.data == 8
    assert [v.label for v in result._prev] == ["out_2", "out"]


def test_functions_and_literals():
    y = parse("x = 1.5; y = sigmoid(x) + relu(-x) + exp(log(x)) / +2")
    assert y.data == pytest.approx(1 / (1 + math.exp(-1.5)) + 0 + 0.75)
    literal = parse("a = 3; b = a * -2")._prev[1]
    assert literal._const and literal.data == -2.0     # a signed literal, not a neg op


@pytest.mark.parametrize("method, function", [
    ("x = 0.7\ny = (x * -2).tanh()", "x = 0.7\ny = tanh(x * -2)"),
    ("x = 1.5\ny = x.exp().log() + x.relu() * x.sigmoid()", "x = 1.5\ny = log(exp(x)) + relu(x) * sigmoid(x)"),
    ("x = -2\ny = x.abs() ** 2\nz = y.tanh()", "x = -2\ny = abs(x) ** 2\nz = tanh(y)"),
])
def test_functions_are_methods_too_as_in_micrograd(method, function):
    """micrograd's ``Value`` has ``.tanh()``, ``.relu()``, ``.exp()``: a learner's own code
    reads that way. The method builds the same graph as the function."""
    a, b = parse(method), parse(function)
    a.backward(); b.backward()
    nodes_a, nodes_b = topo_order(a), topo_order(b)
    assert [(v._op, v.label, v.data, v.grad) for v in nodes_a] == [(v._op, v.label, v.data, v.grad) for v in nodes_b]
    assert {v._op for v in nodes_a} & {"tanh", "exp", "abs"}


@pytest.mark.parametrize("source, line, col, fragment", [
    ("a = 2\nb = 3\nL = a*q", 3, 7, "'q' is not defined"),
    ("a = 2\na = 3", 2, 1, "already defined"),
    ("a = 2; b = a.__class__", 1, 12, "attributes"),
    ("a = 2; b = foo(a)", 1, 12, "'foo' is not a function"),
    ("a = 2\nb = tanh(a, a)", 2, 5, "exactly one argument"),
    ("a = 2\nb = 'x' * a", 2, 5, "strings"),
    ("a = 2\nb = [a]", 2, 5, "lists"),
    ("a = 2\nb = a if a else a", 2, 5, "'if' expressions"),
    ("a = 2\nb = a < 3", 2, 5, "comparisons"),
    ("a = 2\na += 1", 2, 1, "'+=' style updates"),
    ("import os", 1, 1, "imports"),
    ("a = 2\nb = a // 2", 2, 5, "operators"),
    ("a = 2\nb = (a", 2, 5, "never closed"),
    ("tanh = 2", 1, 1, "function name"),
    ("a = 2\na + 1\nb = a", 2, 1, "last line"),
    ("a = 2; b = a", 1, 12, "copies"),
    ("a = 2\nb = tanh", 2, 5, "is a function"),
    ("a = 2\nb = a.exp(2)", 2, 5, "takes no argument"),
    ("a = 2\nb = a.foo()", 2, 5, "not a method"),
    ("a = 2\nb = a.tanh", 2, 5, "is a method: call it"),
    ("a = 2\nb = a.__class__.tanh()", 2, 5, "attributes"),
])
def test_errors_point_at_the_culprit(source, line, col, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    err = info.value
    assert (err.line, err.col) == (line, col), str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"line {line}, col {col}: ")
    assert isinstance(err, ValueError)


HOSTILE = [
    "__import__('os').system('x')",
    "a.__class__",
    "().__class__",
    "lambda: 1",
    "'x'*10**9",
    "(" * 5000 + "1" + ")" * 5000,
    "+".join(["a"] * 30000),
    "x" * 1_000_000,
    "",
    "   \n  ",
    "\x00\x01\x02",
    "a = 2\nb = a * ☃",
    "".join(chr(c) for c in range(0x2500, 0x2600)),
    "-" * 9000 + "1",
    "+".join(["1"] * 5000),
    "1" * 5000,
    "a = (1",
    "a = 1)",
    "[x for x in ()]",
    "def f(): pass",
    "a = 2; del a",
    "a = 2\nwhile a: pass",
]


@pytest.fixture(scope="module")
def largest_accepted_parse_s():
    """Seconds to parse a valid text as long as the language allows (best of 3, this process):
    the yardstick for how fast a rejection must be."""
    from engine.expression import MAX_SOURCE_CHARS

    lines, k = ["a = 0.5"], 0
    while sum(map(len, lines)) + len(lines) < MAX_SOURCE_CHARS - 40:
        k += 1
        lines.append(f"v{k} = tanh(v{k - 1} * a + 1)" if k > 1 else "v1 = a * a")
    text = "\n".join(lines)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        parse(text)
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.parametrize("source", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_raises_expression_error_fast(source, largest_accepted_parse_s):
    """Rejected, and no slower than accepting the largest text the language takes (a ratio in
    this process, with room for noise): nothing hostile gets to run long."""
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse(source)
    assert time.perf_counter() - start < 5 * largest_accepted_parse_s + 0.05


@pytest.mark.parametrize("template", [
    "__import__('pathlib').Path({path!r}).touch()",
    "a = 2\nb = __import__('os').system('touch {path}')",
    "a = open({path!r}, 'w')",
    "[open({path!r}, 'w') for _ in (1,)]",
])
def test_nothing_is_executed(template, tmp_path):
    target = tmp_path / "pwned"
    with pytest.raises(ExpressionError):
        parse(template.format(path=str(target)))
    assert not target.exists()


@pytest.mark.parametrize("limit", [1000, 3000, 10000])
def test_depth_limit_does_not_depend_on_recursion_limit(limit):
    import sys
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)          # IPython/jedi raise it to 3000
    try:
        with pytest.raises(ExpressionError, match="nested too deeply"):
            parse("+".join(["1"] * 5000))
        assert parse("+".join(["1"] * 800)).data == 800
    finally:
        sys.setrecursionlimit(old)


DEEP_SUM = "+".join(["a"] * 950)        # too deep, yet Python's parser builds its tree


@pytest.mark.parametrize("limit", [1000, 10000])
@pytest.mark.parametrize("source, line, col", [
    ("a = 1\nc = a * 2;  b = " + DEEP_SUM, 2, 13),
    # the first statement too deep is the one named, when a later one makes the parse fail
    ("a = 1\n  b = " + DEEP_SUM + "\nc = " + "+".join(["a"] * 5000), 2, 3),
    ("a = 1; b = 2\nc = (a *\n b); d = " + "-" * 9000 + "a", 3, 6),     # parser's MemoryError
    ("a = 1\nb = a" + ".tanh()" * 2000, 2, 1),
])
def test_depth_error_says_where(limit, source, line, col):
    import sys
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)          # the same place whether or not the parse itself fails
    try:
        with pytest.raises(ExpressionError, match="nested too deeply") as err:
            parse(source)
    finally:
        sys.setrecursionlimit(old)
    assert (err.value.line, err.value.col) == (line, col)       # was (0, 0)
    assert str(err.value).startswith(f"line {line}, col {col}: ")


def test_node_limit(monkeypatch):
    # At one node per character at most, 20,000 characters stay within 20,000 nodes; check the
    # guard itself with a smaller limit.
    import engine.expression as expression
    monkeypatch.setattr(expression, "MAX_NODES", 100)
    ok = "\n".join(["x0 = 1"] + [f"x{i} = x{i-1} * 1.5" for i in range(1, 40)])
    assert parse(ok).label == "x39"
    with pytest.raises(ExpressionError, match="too large"):
        parse("\n".join(["x0 = 1"] + [f"x{i} = x{i-1} * 1.5" for i in range(1, 60)]))


def test_long_but_legal_program():
    src = "\n".join(["x0 = 1"] + [f"x{i} = x{i-1} * 1.0001" for i in range(1, 900)])
    out = parse(src)
    out.backward()
    assert out.label == "x899" and out.data == pytest.approx(1.0001 ** 899)


@pytest.mark.parametrize("source, check", [
    ("9**9**9", lambda v: v == math.inf),
    ("exp(1000)", lambda v: v == math.inf),
    ("log(-1)", math.isnan),
    ("1/0", lambda v: v == math.inf),
    ("a = 10**400", lambda v: v == math.inf),
    ("a = 1e999; b = a * 0", math.isnan),
])
def test_numeric_extremes_in_text(source, check):
    out = parse(source)
    out.backward()
    assert check(out.data)


def test_not_text():
    with pytest.raises(ExpressionError):
        parse(42)


def test_indented_text_is_accepted_and_columns_stay_true():
    out = parse("""
        a = 2
        b = a * 3
    """)
    assert out.data == 6
    with pytest.raises(ExpressionError) as info:
        parse("    a = 2\n    b = a * q")
    assert (info.value.line, info.value.col) == (2, 13)


def test_parse_with_unused_names_what_the_output_does_not_use():
    from engine.expression import parse_with_unused

    out, unused = parse_with_unused("a = 2\nb = 3\nd = b * 2\nc = a * a")
    assert out.label == "c" and out.data == 4 and unused == ["b", "d"]
    assert parse_with_unused("a = 2; b = -3; c = 10; f = -2\ne = a*b\nd = e + c\nL = d*f")[1] == []
    assert parse_with_unused("a = 2\n5")[1] == ["a"]           # a constant output uses nothing
    assert parse_with_unused("x = 1\ny = x + x\nz = y * x")[1] == []   # shared use counts once
