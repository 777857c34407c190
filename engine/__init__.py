"""autograd-ui's engine: scalar autograd, its safe expression language, graph extraction,
the compiled tape, and the records of each forward and backward step. No UI imports.

    from engine import (Value, parse, ExpressionError, to_graph, to_flow, from_flow,
                        Tape, backprop_steps, forward_steps, scopes, collapse)
    from engine.nn import Module, Neuron, Layer, MLP
"""
from .collapse import box_id, collapse, expanded_at
from .convert import GraphError, as_value
from .expression import ExpressionError, parse
from .flow import flow_convention, from_flow, to_flow
from .gradcheck import LeafCheck, gradcheck
from .graph import to_graph
from .scope_steps import ScopeStep, scope_steps
from .scopes import scope_paths, scopes
from .source import to_source
from .steps import (InputTerm, Step, StepRecords, backprop_steps, forward_steps, fmt,
                    update_step, with_update)
from .tape import Tape, TapeResult
from .value import Value

__all__ = ["Value", "parse", "ExpressionError", "GraphError", "to_graph", "to_flow",
           "from_flow", "flow_convention", "as_value", "Tape", "TapeResult",
           "backprop_steps", "forward_steps", "Step", "InputTerm", "StepRecords", "fmt",
           "gradcheck", "LeafCheck", "update_step", "with_update", "to_source",
           "scopes", "scope_paths", "collapse", "expanded_at", "box_id", "scope_steps",
           "ScopeStep"]
