"""abs, the op added to engine/ops.py alone: every place that derives from the op table knows it.
abs'(x) = sign(x), with abs'(0) = 0 as in torch."""
import json
import math

import numpy as np
import pytest

from app.graph_page.formatting import op_symbol
from app.graph_page.model import GraphModel
from app.graph_page.narration import step_latex
from engine import (Tape, Value, backprop_steps, forward_steps, from_flow, gradcheck, parse,
                    to_flow, to_graph, to_source)
from engine.topo import topo_order
from test_engine_properties import assert_matches_torch


@pytest.mark.parametrize("x, data, grad", [(-2.5, 2.5, -1.0), (3.0, 3.0, 1.0), (0.0, 0.0, 0.0),
                                           (-0.0, 0.0, 0.0)])
def test_value_abs_both_spellings(x, data, grad):
    for spell in (abs, Value.abs):
        v = Value(x, "x")
        y = spell(v)
        y.backward()
        assert (y._op, y.data, v.grad) == ("abs", data, grad)


def test_abs_of_nan_and_inf_like_torch():
    v = Value(math.nan)
    abs(v).backward()
    assert math.isnan(v.grad)
    w = Value(-math.inf)
    y = abs(w)
    y.backward()
    assert (y.data, w.grad) == (math.inf, -1.0)


def test_expression_language_and_round_trip():
    root = parse("x = -1.5\ny = abs(x) * abs(x - 4)")
    root.backward()
    assert root.data == 1.5 * 5.5
    x = next(v for v in topo_order(root) if v.label == "x")
    assert x.grad == pytest.approx(-1 * 5.5 + 1.5 * -1)            # product rule, by hand
    text = to_source(root)
    assert "abs(x)" in text
    again = parse(text)
    again.backward()
    assert list(to_graph(again).nodes(data=True)) == list(to_graph(root).nodes(data=True))


def test_abs_is_a_function_name_not_a_variable():
    with pytest.raises(ValueError, match="function name"):
        parse("abs = 2")
    assert "abs_" in to_source(Value(2.0, "abs") * 3)


@pytest.mark.parametrize("executor", ["python", "numpy"])
def test_tape_executors_match_backward_and_finite_differences(executor):
    root = parse("a = -0.7\nb = 1.3\nc = 0.0\ny = abs(a * b) + abs(b - 3) * a + abs(c)")
    root.backward()
    tape = Tape(root, executor=executor)
    r = tape.run()
    np.testing.assert_allclose(r.grad, [v.grad for v in topo_order(root)], rtol=1e-12)
    for check in gradcheck(tape):
        if check.label != "c":                          # abs has a kink at c = 0
            assert check.analytic == pytest.approx(check.numeric, rel=1e-6, abs=1e-8)
    assert r.grad[tape.leaf_index("c")] == 0.0          # abs'(0) = 0


def test_step_narration_text_and_latex():
    root = parse("x = -1.5\ny = abs(x)")
    backward = backprop_steps(root)
    assert backward[1].inputs[0].text == "x.grad += sign(x.data) * y.grad = -1 * 1 = -1   " \
                                         "(x.grad: 0 -> -1)"
    assert forward_steps(root)[1].summary == "y = abs(x) = abs(-1.5) = 1.5"
    model = GraphModel("x = -1.5\ny = abs(x)")
    latex = step_latex(model.backward_records[1], model)
    assert r"\operatorname{sign}\left(x\right)" in latex and latex.endswith("= -1")
    model.mode = "forward"
    assert step_latex(model.forward_records[1], model) == r"y = \left|x\right| = \left|(-1.5)\right| = 1.5"
    assert op_symbol("abs") == "abs"


def test_flow_export_and_import():
    root = parse("x = -2\ny = abs(x) * 3")
    root.backward()
    doc = json.loads(json.dumps(to_flow(to_graph(root))))
    assert {"op": "abs"} in [n["data"] for n in doc["nodes"] if n["type"] == "operator"]
    back = from_flow(doc)
    assert list(to_graph(back).nodes(data=True)) == list(to_graph(root).nodes(data=True))


@pytest.mark.parametrize("source", ["x = -2.0; y = abs(x) * x", "x = 0.0; y = abs(x) + abs(-x * 3)",
                                    "x = 0.5; y = abs(tanh(x) - 1) ** 2"])
def test_abs_matches_torch(torch, source):
    root = parse(source)
    root.backward()
    assert_matches_torch(torch, root, source)
