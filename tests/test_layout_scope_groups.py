"""Scope groups (``layouts.scope_groups``): an MLP loss's neurons over its samples, moved as one
group in the small drawings' polish (``small_order``) and with ``block_polish``'s blocks."""

from __future__ import annotations

import pytest

import layouts.order_stage as order_stage
import layouts.small_order as small_order
from bench.graphs import mlp_forward_graph, mlp_loss_graph
from bench.layout import shuffled
from layouts import default_node_size, layered_layout
from layouts.layering import make_layered
from layouts.layout_input import prepare_input
from layouts.ranking import rank_nodes
from layouts.scope_groups import scope_groups


def _groups_by_name(G) -> list:
    """The scope groups of ``G`` as sets of node names (virtual nodes left out), made from
    the layered graph as ``layered_layout`` makes it."""
    g = prepare_input(G, default_node_size, {})
    lg = make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))
    return [{g.nodes[i] for i in group.tolist() if i < g.n} for group in scope_groups(G, g, lg)]


def test_a_loss_has_one_group_per_neuron_with_every_samples_copy_and_the_shared_weights():
    G = mlp_loss_graph(1, (2, 2, 1), 3, seed=5300)
    groups = _groups_by_name(G)
    assert len(groups) == 5                                   # 2 + 2 + 1 neurons
    labels = nx_labels(G)
    first = next(group for group in groups if "w[0][0][0]" in {labels[v] for v in group})
    names = [labels[v] for v in first]
    assert "b[0][0]" in names
    assert sum(G.nodes[v].get("op") == "tanh" for v in first) == 3       # one per sample
    for group in groups:                                      # the groups do not overlap
        assert all(group.isdisjoint(other) for other in groups if other is not group)
    # the same groups from another input order
    assert sorted(map(sorted, _groups_by_name(shuffled(G, 3)))) == sorted(map(sorted, groups))


def nx_labels(G) -> dict:
    return {v: a.get("label", "") for v, a in G.nodes(data=True)}


@pytest.mark.parametrize("G", [mlp_forward_graph(3, (3, 3, 1), seed=5301), mlp_loss_graph(2, (3, 3, 1), 1, seed=5302)],
                         ids=["forward pass", "loss of one sample"])
def test_a_scope_of_one_copy_is_no_group(G):
    assert _groups_by_name(G) == []


def test_scope_moves_lower_a_small_losses_crossings_whatever_the_input_order(monkeypatch):
    """MLP(1,[2,5,1]) on 2 samples (210 nodes): 109 crossings without the scope moves, 97
    with them; the same from a shuffled order."""
    G = mlp_loss_graph(1, (2, 5, 1), 2, seed=5303)
    with_moves = layered_layout(G).crossings
    assert layered_layout(shuffled(G, 1)).crossings == with_moves
    monkeypatch.setattr(small_order, "SCOPE_MOVES", False)
    without = layered_layout(G).crossings
    assert with_moves < without


def test_block_polish_moves_scope_groups_with_the_blocks(monkeypatch):
    """MLP(1,[8,8,1]) on 2 samples (834 nodes, ordered by ``block_polish``): fewer crossings
    with the scope groups ranked with the blocks (1,636 -> 1,583 measured); same budget."""
    G = mlp_loss_graph(1, (8, 8, 1), 2, seed=5102)
    with_groups = layered_layout(G).crossings
    assert layered_layout(shuffled(G, 2)).crossings == with_groups
    monkeypatch.setattr(order_stage, "scope_groups", lambda G, g, lg: [])
    assert with_groups < layered_layout(G).crossings


def test_scopes_are_numbered_in_natural_order_as_the_cluster_frames_are():
    """"layer 0/neuron 2" before "neuron 10": the scopes' numbering (which groups, families
    and loss starts use) follows the numbers in the names, as ``clusters`` does."""
    from layouts.scope_groups import layered_scopes
    G = mlp_forward_graph(2, (12, 1), seed=5303)
    g = prepare_input(G, default_node_size, {})
    lg = make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))
    names = layered_scopes(G, g, lg)[0]
    first_layer = [name[-1] for name in names if name[0] == "layer 0"]
    assert first_layer == [f"neuron {k}" for k in range(12)]
    assert names[-1] == ("layer 1", "neuron 0")
