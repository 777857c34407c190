"""Issue 14: an op is described in engine/ops.py alone.

1. A new one-operand op written into a copy of the project's ``engine/ops.py`` (and nowhere
   else) works everywhere the app uses ops: the language, ``Value``, ``to_source``, both Tape
   executors, the step text and LaTeX, the original app's JSON, neurons found by structure and
   their chain-rule steps, the graph's op symbol. (``abs`` was added that way for real:
   ``tests/test_engine_abs.py``.)
2. No other module of app/, engine/ or layouts/ spells a function op's name as a string.
"""
import ast
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

from engine.ops import OPS, Op

ROOT = pathlib.Path(__file__).resolve().parents[1]

# sin: forward beside its local derivative, and marked as a neuron's nonlinearity (as SIREN
# networks use it); everything else is the table's defaults (LaTeX name \operatorname{sin}).
SIN = '''\
    Op(name="sin", arity=1, syntax="sin($a)", symbol="sin", activation=True,
       forward=math.sin, local=lambda a, out: (math.cos(a),), np_forward=np.sin,
       np_local=lambda a, out: (np.cos(a),),
       formulas=("cos($a)",), latex_local=(r"\\cos\\left($a\\right)",)),
'''

CHECK = r'''
import json, math
import numpy as np
from engine import (Tape, Value, backprop_steps, forward_steps, from_flow, parse, scopes,
                    to_flow, to_graph, to_source)
from engine.scope_steps import ScopeStep, scope_steps
from engine.topo import topo_order
from app.graph_page.formatting import op_symbol
from app.graph_page.model import GraphModel
from app.graph_page.narration import step_latex
from app.graph_page.scope_narration import factor_latex

# the language and Value: d/dx sin(x) * x = cos(x) x + sin(x), and the method spelling
root = parse("x = 0.5\ny = sin(x) * x")
root.backward()
x = next(v for v in topo_order(root) if v.label == "x")
assert math.isclose(x.grad, math.cos(0.5) * 0.5 + math.sin(0.5), rel_tol=1e-15), x.grad
assert Value(0.5).sin().data == math.sin(0.5)
try:
    parse("sin = 2")
    raise AssertionError("sin accepted as a variable name")
except ValueError as e:
    assert "function name" in str(e), e

# back to text, both executors, the original app's JSON
text = to_source(root)
assert "sin(x)" in text, text
again = parse(text)
again.backward()
assert list(to_graph(again).nodes(data=True)) == list(to_graph(root).nodes(data=True))
for executor in ("python", "numpy"):
    np.testing.assert_allclose(Tape(root, executor=executor).run().grad,
                               [v.grad for v in topo_order(root)], rtol=1e-12)
doc = json.loads(json.dumps(to_flow(to_graph(root))))
assert list(to_graph(from_flow(doc)).nodes(data=True)) == list(to_graph(root).nodes(data=True))

# step text and LaTeX, the graph's symbol
lone = parse("x = 0.5\ny = sin(x)")
assert backprop_steps(lone)[1].inputs[0].text.startswith("x.grad += cos(x.data) * y.grad"), \
    backprop_steps(lone)[1].inputs[0].text
assert forward_steps(lone)[1].summary.startswith("y = sin(x) = sin(0.5) = ")
model = GraphModel("x = 0.5\ny = sin(x)")
assert r"\cos\left(x\right)" in step_latex(model.backward_records[1], model)
model.mode = "forward"
assert step_latex(model.forward_records[1], model).startswith(r"y = \operatorname{sin}\left(x\right)")
assert op_symbol("sin") == "sin"

# a neuron with this nonlinearity is found by structure, and its step's chain names sin'
neuron = parse("w = 0.3\nx = 2\nb = 0.1\nh = sin(w*x + b)")
G = to_graph(neuron)
found = scopes(G)
assert set(found.values()) == {("neuron 0",)}, found
tape = Tape(neuron)
steps = [s for s in scope_steps(backprop_steps(tape), found) if isinstance(s, ScopeStep)]
assert len(steps) == 1, steps
w_term = next(t for t in steps[0].chain if t.label == "w")
assert [op for op, _, _ in w_term.factors] == ["*", "sin"], w_term.factors
assert "sin'(n)" in w_term.text, w_term.text
assert factor_latex(w_term.factors[1]) == r"\operatorname{sin}'\left(n\right)"
assert math.isclose(w_term.contribution, 2 * math.cos(0.3 * 2 + 0.1), rel_tol=1e-15)
print("ok")
'''


def test_a_new_op_written_in_ops_py_alone_works_everywhere(tmp_path):
    for part in ("engine", "app", "layouts"):
        shutil.copytree(ROOT / part, tmp_path / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    ops_py = tmp_path / "engine" / "ops.py"
    text = ops_py.read_text()
    end = text.index("\n)}\n", text.index("OPS: dict"))          # the table's closing line
    ops_py.write_text(text[:end + 1] + SIN + text[end + 1:])
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(CHECK)], cwd=tmp_path,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-3000:]


def test_the_check_fails_without_the_new_op(tmp_path):
    """The check above is not vacuous: on the project as it is (no sin) it fails."""
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(CHECK)], cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "sin" in run.stderr


def test_a_new_ops_defaults_and_what_it_must_give():
    rules = dict(forward=lambda a: a, local=lambda a, out: (1.0,), formulas=("1",),
                 latex_local=("1",))
    op = Op(name="ident", arity=1, syntax="ident($a)", symbol="id", **rules)
    assert (op.latex_name, op.latex) == (r"\operatorname{ident}", r"\operatorname{ident}\left($a\right)")
    assert op.np_forward is op.forward and op.is_function and not op.activation
    with pytest.raises(ValueError, match="needs its latex"):
        Op(name="@", arity=2, syntax="$a @ $b", symbol="@", **rules)
    with pytest.raises(ValueError, match="arity must be 1 or 2"):
        Op(name="fma", arity=3, syntax="fma($a)", symbol="fma", **rules)


# The nonlinearities a network offers are choices of engine.nn and the training recipe (each
# applied through the op table), not facts about the ops.
NETWORK_CHOICES = {"engine/nn.py", "engine/loss.py"}


def _string_literals(tree):
    """Every string constant of a module that is not a docstring."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_function_op_names_are_written_in_ops_py_only():
    names = {n for op in OPS.values() if op.arity == 1 for n in (op.name, *op.aliases)}
    found = []
    for part in ("app", "engine", "layouts"):
        for path in sorted((ROOT / part).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "engine/ops.py" or rel in NETWORK_CHOICES:
                continue
            found += [f"{rel}:{node.lineno}: {node.value!r}"
                      for node in _string_literals(ast.parse(path.read_text()))
                      if node.value in names]
    assert found == []
