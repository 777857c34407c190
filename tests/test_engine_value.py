"""Value: known worked values, micrograd's own tests, numeric extremes, deep graphs."""
import math

import pytest

from engine import Value
from engine.nn import MLP, Layer, Neuron


def lecture():
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    L = d * f; L.label = "L"
    return L, dict(a=a, b=b, c=c, f=f, e=e, d=d)


def test_lecture_values_and_grads():
    L, v = lecture()
    L.backward()
    assert L.data == -8.0
    assert {k: x.grad for k, x in v.items()} == dict(a=6, b=-4, c=-2, f=4, e=-2, d=-2)


def test_backward_is_idempotent():
    L, v = lecture()
    L.backward()
    first = {k: x.grad for k, x in v.items()}
    L.backward()
    assert {k: x.grad for k, x in v.items()} == first


def test_tanh_neuron():
    x1, x2 = Value(2.0), Value(0.0)
    w1, w2 = Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476, abs=1e-12)
    assert x1.grad == pytest.approx(-1.5, abs=1e-12)
    assert w1.grad == pytest.approx(1.0, abs=1e-12)
    assert x2.grad == pytest.approx(0.5, abs=1e-12)
    assert w2.grad == 0.0


def test_reused_node_accumulates():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    assert b._prev == (a, a)


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops():
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, abs=1e-9)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-9)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-9)


def test_reflected_ops_and_single_op_nodes():
    v = Value(4.0)
    assert (2 - v).data == -2 and (2 - v)._op == "-"
    assert (1 / v).data == 0.25 and (1 / v)._op == "/"
    assert (2 ** Value(3.0)).data == 8.0
    assert (-v)._op == "neg"
    assert [c.data for c in (2 - v)._prev] == [2.0, 4.0]   # operand order kept


def test_value_exponent_derivative():
    v, w = Value(2.0), Value(3.0)
    y = v ** w
    y.backward()
    assert y.data == 8.0
    assert v.grad == pytest.approx(12.0)
    assert w.grad == pytest.approx(8.0 * math.log(2.0))


def test_negative_base_value_exponent_grad_is_nan_like_torch():
    v, w = Value(-2.0), Value(2.0)
    y = v ** w
    y.backward()
    assert y.data == 4.0 and v.grad == -4.0
    assert math.isnan(w.grad)


def test_constants_receive_no_grad():
    v = Value(-2.0)
    y = v ** 2          # exponent is a literal: no NaN grad for it (as torch's pow(t, 2))
    y.backward()
    assert v.grad == -4.0
    assert y._prev[1]._const and y._prev[1].grad == 0.0


@pytest.mark.parametrize("make, data", [
    (lambda: Value(9.0) ** 9.0 ** 9.0, math.inf),
    (lambda: Value(1000.0).exp(), math.inf),
    (lambda: Value(-1.0).log(), math.nan),
    (lambda: Value(0.0).log(), -math.inf),
    (lambda: Value(1.0) / 0, math.inf),
    (lambda: Value(-1.0) / 0, -math.inf),
    (lambda: Value(0.0) / 0, math.nan),
    (lambda: Value(-8.0) ** (1 / 3), math.nan),
    (lambda: Value(0.0) ** -1.0, math.inf),
    (lambda: Value(-10.0) ** 1001.0, -math.inf),
    (lambda: Value(1000.0).tanh(), 1.0),
    (lambda: Value(-1000.0).sigmoid(), 0.0),
    (lambda: Value(1000.0).sigmoid(), 1.0),
])
def test_numeric_extremes_never_raise(make, data):
    y = make()
    y.backward()
    if math.isnan(data):
        assert math.isnan(y.data)
    else:
        assert y.data == data


def test_grads_follow_extremes():
    x = Value(0.0)
    y = 1 / x
    y.backward()
    assert y.data == math.inf and x.grad == -math.inf   # d(1/x)/dx = -1/x**2


def test_hundred_thousand_op_chain():
    x = Value(1.0, "x")
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001 ** 100_000, rel=1e-9)


def test_nn_is_seedable_and_labelled():
    m1, m2 = MLP(3, [4, 4, 1], seed=7), MLP(3, [4, 4, 1], seed=7)
    assert [p.data for p in m1.parameters()] == [p.data for p in m2.parameters()]
    assert len(m1.parameters()) == 4 * 4 + 4 * 5 + 5
    labels = [p.label for p in m1.parameters()]
    assert "w[1][0][2]" in labels and "b[1][0]" in labels and len(set(labels)) == len(labels)
    out = m1([1.0, -2.0, 0.5])
    out.backward()
    assert any(p.grad != 0 for p in m1.parameters())
    m1.zero_grad()
    assert all(p.grad == 0 for p in m1.parameters())


def test_neuron_nonlinearities():
    for nonlin, check in [("relu", lambda y: y >= 0), ("tanh", lambda y: -1 < y < 1),
                          ("linear", lambda y: True)]:
        n = Neuron(2, nonlin=nonlin, seed=1)
        assert check(n([0.3, -0.4]).data)
    assert Neuron(2, nonlin=True).nonlin == "relu"        # micrograd's spelling
    with pytest.raises(ValueError):
        Neuron(2, nonlin="swish")
    assert len(Layer(3, 2, seed=0)([1.0, 2.0, 3.0])) == 2


def test_mlp_with_a_one_neuron_hidden_layer():
    model = MLP(2, [1, 3, 1], seed=0)
    out = model([0.5, -0.5])
    out.backward()
    assert len(model.parameters()) == 3 + 2 * 3 + 4 and model.layers[0].neurons[0].w[0].grad != 0


def test_the_constructor_takes_micrograds_argument_order():
    """A learner's own op in the lecture's style, ``Value(data, (children), op, label=...)``,
    builds the node it means, with the table's local derivatives (it made a Value labelled with
    the tuple, whose backward then failed); micrograd's op names ('ReLU', '**2') are the table's
    ops; ``Value(2.0, "a")`` is still the leaf a."""
    a, b = Value(2.0, label="a"), Value(-3.0, "b")
    assert b.label == "b" and b._prev == () and b._op == ""
    prod = Value(a.data * b.data, (a, b), "*", label="prod")
    assert prod._prev == (a, b) and prod._op == "*" and prod.label == "prod"
    square = Value(prod.data ** 2, (prod,), "**2")           # micrograd's __pow__
    assert square._op == "**" and square._prev[0] is prod and square._prev[1].data == 2.0
    out = Value(max(0.0, square.data), (square,), "ReLU")
    assert out._op == "relu"
    out.backward()
    # d relu(((a*b))**2)/da = 2 * a*b * b = 2 * -6 * -3 = 36; /db = 2 * -6 * 2 = -24
    assert (a.grad, b.grad) == (36.0, -24.0)
    same = (a * b) ** 2
    same.backward()
    assert (a.grad, b.grad) == (36.0, -24.0)


@pytest.mark.parametrize("build, error, words", [
    (lambda a: Value(7.0, (a,), "sin"), ValueError, "unknown operation 'sin'"),
    (lambda a: Value(1.0, (a,), "*"), ValueError, "takes 2 input(s), got 1"),
    (lambda a: Value(1.0, (a, 2.0), "+"), TypeError, "_children must be Values, got float"),
    (lambda a: Value(1.0, 5), TypeError, "_children must be a tuple of Values, got int"),
    (lambda a: Value(1.0, label=("a",)), TypeError, "label must be a string"),
    (lambda a: "2" + a, TypeError, "str"),
    (lambda a: "2" * a, TypeError, "Value"),
])
def test_a_malformed_value_is_refused_where_it_is_made(build, error, words):
    """Not later, in ``backward()`` or the app, as a bare KeyError or AttributeError; and a
    string is not a number on either side of an operator (``"2" + v`` was ``Value(4)``)."""
    with pytest.raises(error) as info:
        build(Value(2.0, label="a"))
    assert words in str(info.value)
