"""Hypothesis strategies shared by the engine's tests: random programs in the expression language
over the leaves a, b, c (operators, functions, literals), with leaf values to run them at."""
from hypothesis import strategies as st

LEAVES = ("a", "b", "c")
literal = st.floats(0.25, 3.0).map(lambda x: f"{x:.3f}")
atom = st.sampled_from(LEAVES) | literal


def grow(sub):
    # Guarded forms keep the function smooth where it is evaluated (positive log and pow bases,
    # denominators away from 0); what remains risky the tests filter with assume().
    return st.one_of(
        st.tuples(st.sampled_from("+-*"), sub, sub).map(lambda t: f"({t[1]} {t[0]} {t[2]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} / ({t[1]}**2 + 0.5))"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} / {t[1]})"),
        st.tuples(sub, st.sampled_from(["2", "3"])).map(lambda t: f"({t[0]} ** {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"(sigmoid({t[0]}) + 0.5) ** {t[1]}"),
        st.tuples(st.sampled_from(["tanh", "relu", "exp", "sigmoid", "abs"]), sub)
          .map(lambda t: f"{t[0]}({t[1]})"),
        sub.map(lambda x: f"log({x}**2 + 0.5)"),
        sub.map(lambda x: f"(-{x})"),
    )


expressions = st.recursive(atom, grow, max_leaves=10)
leaf_values = st.fixed_dictionaries({k: st.floats(-2.0, 2.0) for k in LEAVES})


def program(expr, values):
    return "\n".join([f"{k} = {v!r}" for k, v in values.items()] + [expr])
