"""Graph layouts for compute graphs: pure functions from a networkx graph to positions.

``layered_layout(G, direction="LR")`` -> ``Layout`` (positions, sizes, edge polylines).
"""

from .crossings import count_polyline_crossings
from .layered import Layout, layered_layout
from .sizes import default_node_size, format_number, value_text

__all__ = ["Layout", "layered_layout", "count_polyline_crossings", "default_node_size",
           "format_number", "value_text"]
