"""A start order for MLP losses (drawings with ``scope_groups``: a neuron's copies over several
samples, with its shared weights) that lays each layer's neurons side by side, each neuron's
copies in one order, as graphlay's orders of these drawings do.

Why: on MLP losses the polish (``small_order``) and the block polish (``block_polish``) end
where their start leaves them, and graphlay's start is a better basin: polished from
graphlay's own order (its real nodes' heights, long edges straight between) our polish ends
6-9 % below graphlay on one-input losses where it ended 3-4 % above it from our starts.  Our
DFS start runs a sample at a time (every neuron's copy for sample 0, then sample 1 ...), so
each neuron's shared weights feed copies strewn over the whole rank.  graphlay keeps a
neuron's copies together (its nodes of a rank grouped by role: the products of one weight
side by side, one per sample, the samples in one order in every neuron) and a layer's neurons
side by side.

The start: each family (the scopes with one parent, an MLP layer's neurons, sorted by name)
spans [0, 1]; neuron j of m gets [j/m, (j+1)/m); in it a rank's nodes are ordered by role (a
node's index among its copy's nodes of that rank, in start order), then copy (the copies of a
scope: its nodes without the shared sources, connected; in order of their first node in the
start key).  A bend of a long edge inside a scope goes with its edge's source.  Every other
node (the shared weights, the inputs, the loss's sum) takes the mean of its neighbours'
places (Jacobi rounds from the placed nodes outwards), a bend of any other long edge the
straight line between its ends.  Per rank, nodes are sorted by place, ties in start order.

Measured (development losses of seeds 5030 and 5040, none of ``bench.layout_small2``'s shapes;
ours in order crossings):
- from 500 real nodes (``block_polish`` starts from it, with 4 median sweeps,
  ``order_stage.LOSS_SWEEPS``, where its start costs at most 2/3 of the DFS start's,
  ``order_stage.LOSS_START_SHARE``): 31 losses of 530-770 nodes 30,072 -> 28,439 (graphlay
  34,144), 5 worse, none above graphlay (MLP(1,[3,3,1]) on 7 samples 1,122 -> 1,167, graphlay
  1,289); MLP(1,[2,3,1]) on 8 samples 1,062 -> 966 (graphlay 928; 932 with 24 sweeps),
  MLP(1,[2,6,1]) on 5 1,658 -> 1,404 (graphlay 1,265).  The order's CPU 0.85 -> 0.80 s on
  them (without the 2/3 rule), the start ~1.3 ms.  Without the rule, 12 wide losses (seed
  5060) ended far higher from it (MLP(1,[8,8,1]) on 2 samples 1,583 -> 1,985, graphlay 1,548;
  its start there 0.75 of the DFS start's): with it 14,828 -> 14,410, none worse.  Checked
  afterwards on 18 more (seed 5070, 514-823 nodes): 17,120 -> 16,336 (graphlay 19,471), one
  worse (MLP(2,[3,3,1]) on 7 samples 1,250 -> 1,257), MLP(1,[3,5,1]) on 5 samples 1,656 ->
  1,524 (graphlay 1,641), MLP(1,[2,2,3,1]) on 7 1,121 -> 928 (graphlay 922).
- under 500 (``small_order.LOSS_START``: swept and polished from it alone too, the cheaper
  order kept for the kicks and windows): 25 losses of 210-412 nodes 6,224 -> 6,141, one +2
  (MLP(3,[3,3,1]) on 3 samples 177 -> 179, cheaper in cost: fewer op -> result segments
  crossed), CPU +27 % (21.6 -> 27.5 s).
Tried and dropped: one start each fully polished (10 development losses of 210-402 nodes,
without / with 24 sweeps first): this start 2,739 / 2,654; without roles (a copy's nodes of a
rank in start order) 2,721 / 2,698; roles in a copy-major order 2,716 / 2,687 (from 500 nodes
13,961 against 14,237 on 15 losses, but 14,579 against 14,192 on 16 more, one above graphlay);
every other neuron's copies reversed 2,811 / 2,880; the families nested (each layer's neurons
split around the previous layer's, roles mirrored below, as ``family_start``) 2,988 / 2,683.
Under 500: this start added to the usual ones (the cheapest after one round polished on):
6,154, two worse, +15 % CPU; the second polish with its own kicks (both orders kicked):
6,139, +43 %; swept and unswept both (two starts in the second polish): 6,127, +53 % CPU;
unswept only: 6,202.  From 500: replacing
the start with 24 sweeps put MLP(1,[4,4,1]) on 4 samples at 0.43-0.44 of dot's CPU (worst order
0.52-0.53; main 0.38-0.40, 0.45-0.46): the sweeps and transposition from it work on more ranks.
Left: graphlay's own order, polished, still ends lower on the one-input losses of a 2-neuron
first layer (MLP(1,[2,3,1]) on 5 samples: 302 against our 330; graphlay 319): it runs a
first-layer neuron's chain through the middle of the next layer's neurons and interleaves two
neighbouring neurons' copies sample by sample near the output, which this start does not.

Session 21, two variants of the key, from graphlay's per-rank orders (MLP(1,[2,3,1]) on 5 and
8 samples: its start costs 964 against this key's 1,209 on 8 samples, most of the difference
between the ranks where the first layer's later-arriving output feeds the next layer's
products: 255 crossings there against 644):
- paired (``copy_places``' ``paired``): a family's neurons 2k and 2k + 1 share one span, their
  copies interleaved copy by copy (graphlay does so near the output).  Under 500 nodes it is
  swept and polished too (``small_order.PAIRED_START``): 25 development losses 6,141 -> 6,080
  (MLP(1,[2,3,1]) on 5 samples 330 -> 308, graphlay 319), 15 fresh 3,334 -> 3,315, none higher,
  CPU +24 %.  From 500 nodes it ends higher (MLP(1,[2,3,1]) on 8 samples 966 -> 1,157).
- loose (``loose``): the products of a narrow layer's outputs (``LOOSE_MAX_NEURONS``) unplaced,
  so they take their neighbours' mean: next to the output they multiply, as graphlay puts
  them, not inside their own neuron's span.  From 500 nodes ``block_polish`` starts from it
  (``order_stage.LOSS_LOOSE``): 61 development losses 63,482 -> 62,069, 15 fresh (seed 5250)
  14,941 -> 14,709.
Tried and dropped (measured as above): every permutation of MLP(1,[2,3,1])'s second-layer
neurons, with and without pairing (on 5 samples: none below the paired key's 308; on 8
samples none below 946, and none with a start cost near graphlay's); the sources of the
cross-scope edges (the previous layer's outputs) freed too: 28,328 against the loose key's
27,810 on 31 losses; the loose key only for the first layer's products: the same totals;
under 500 nodes the loose key as a third start (6,057 against 6,080, +10 % CPU more), in place
of the side-by-side key (6,075 with the paired one, more higher), or the loose and paired
combined (6,105).  From 500 nodes both keys swept and the cheaper kept: -0.3 % more for ~+35 %
of the order's time.  Left: MLP(1,[2,6,1]) on 5 samples 1,277 (graphlay 1,265; our block
polish from graphlay's own order ends at 1,277 too); held-out MLP(3,[2,3,1]) on 4 samples 221
(graphlay 212).

Session 23: under 500 nodes the loose key is swept and polished as a third loss start
(``small_order.LOOSE_START``; dropped in session 21 for its CPU, 6,080 -> 6,057 for +10 %, kept
now that it brings the held-out structure down): MLP(3,[2,3,1]) on 4 samples 221 -> 212
(graphlay 212), 30 development losses 5,301 -> 5,257, 40 fresh 5,970 -> 5,956, CPU +8-13 %
(``small_order``'s docstring).

Deterministic: scopes, families and copies are numbered from the sorted scope names and the
canonical start key, never from the input order.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .layering import LayeredGraph
from .ordering import order_cost, rank_positions
from .scope_groups import layered_scopes, scope_groups

JACOBI_ROUNDS = 20   # rounds of neighbours' means for the unplaced nodes (an MLP loss needs 3-6)
LOOSE_MAX_NEURONS = 3  # the loose key frees the products of the outputs of a layer of at most this
                       # many neurons:
                       # from 500 nodes (``order_stage.LOSS_LOOSE``) it gained where the first
                       # hidden layer has 2-3 neurons (MLP(1,[2,6,1]) on 5 samples 1,404 -> 1,277)
                       # and lost where it has 4 or more (development losses of seeds 5031-5070 with
                       # 4+: +97 in all, MLP(1,[5,5,1]) on 4 samples 1,608 -> 1,680)
AGGREGATE_LAST = True   # an aggregate of the weights (``aggregate_scopes``: micrograd's L2 term, each
                        # weight's square summed) is placed after every other scope, not inside its
                        # family's span: its sum chain runs along one side and each weight's edge
                        # to its square leaves the samples there (graphlay draws it so).  Session
                        # 33, batch losses with their L2 term (see order_stage.AGGREGATE_SHARE), from
                        # 500 nodes (``LossKeys``' ``aggregate_last``): under 500 ``small_order``'s
                        # polish of its several starts ended higher from it on 4 of 12 development
                        # batch losses with L2 of 135-410 nodes (1,437 -> 1,470; graphlay 2,063)
AGGREGATE_MIN_SCOPES = 2


def _bend_owner(lg: LayeredGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bends, their edge's source, their edge's target) over every long edge's bends."""
    edge = lg.virtual_edge()
    ptr = lg.path_ptr
    return np.arange(lg.n_real, lg.n_nodes), lg.path_nodes[ptr[edge]], lg.path_nodes[ptr[edge + 1] - 1]


def copy_places(G, g, lg: LayeredGraph, start_key: np.ndarray, paired: bool = False,
                loose: bool = False, aggregate_last: bool = False) -> np.ndarray | None:
    """The place in [0, 1] of every layered node in a copy of a scope (nan elsewhere), see the
    module docstring; None without scopes.  ``paired``: a family's neurons 2k and 2k + 1 share
    one span, their copies interleaved (per rank: role, then copy, then the neuron).  ``loose``:
    a node with an in-edge from another scope's copy (a product of the previous layer's output)
    is left unplaced where that layer has at most ``LOOSE_MAX_NEURONS`` neurons (it takes its
    neighbours' mean, ``loss_start``)."""
    names, sid, full, inside = layered_scopes(G, g, lg)
    if not names:
        return None
    n, N = g.n, lg.n_nodes
    shared = _shared_sources(g, sid)
    keep = inside & ~shared[g.src] & ~shared[g.dst]
    _, comp = connected_components(coo_matrix((np.ones(int(keep.sum())), (g.src[keep], g.dst[keep])), shape=(n, n)),
                                   directed=False)
    owner = np.arange(N)
    at, src, _ = _bend_owner(lg)
    owner[at] = src
    member = np.flatnonzero((full >= 0) & (owner < n))
    member = member[~shared[owner[member]]]
    # each family (scopes with one parent) over [0, 1]: neuron j of m at [j/m, (j+1)/m)
    parents = {}
    neuron = np.zeros(len(names))
    size = np.ones(len(names))
    for s, name in enumerate(names):
        parents.setdefault(name[:-1], []).append(s)
    for members in parents.values():
        neuron[members] = np.arange(len(members))
        size[members] = len(members)
    if loose:
        fed = (sid[g.src] >= 0) & (sid[g.dst] >= 0) & (sid[g.src] != sid[g.dst]) & ~shared[g.src]
        fed &= size[np.maximum(sid[g.src], 0)] <= LOOSE_MAX_NEURONS
        member = member[~np.isin(owner[member], g.dst[fed])]
    if not len(member):
        return None
    key = np.asarray(start_key, dtype=np.float64)
    copy = comp[owner[member]]
    scope = full[member]
    # copies of each scope, in order of their first node in the start key
    first = np.full(n, np.inf)
    np.minimum.at(first, copy, key[member])
    copies = np.unique(copy)
    copy_scope = np.full(n, -1, dtype=np.int64)
    copy_scope[copy] = scope
    by = np.lexsort((copies, first[copies], copy_scope[copies]))
    ordered = copies[by]
    starts = np.ones(len(ordered), dtype=bool)
    starts[1:] = copy_scope[ordered][1:] != copy_scope[ordered][:-1]
    run = np.flatnonzero(starts)
    lengths = np.diff(np.append(run, len(ordered)))
    index = np.empty(n, dtype=np.float64)
    index[ordered] = np.arange(len(ordered)) - np.repeat(run, lengths)
    n_copies = np.ones(len(names))
    n_copies[copy_scope[ordered][run]] = lengths
    # role: a node's index among its copy's nodes of its rank (start order); roles per (rank, scope)
    layer = lg.layer[member]
    by = np.lexsort((key[member], copy, layer))
    run_start = np.ones(len(by), dtype=bool)
    run_start[1:] = (layer[by][1:] != layer[by][:-1]) | (copy[by][1:] != copy[by][:-1])
    run = np.flatnonzero(run_start)
    role = np.empty(len(member), dtype=np.float64)
    role[by] = np.arange(len(by)) - np.repeat(run, np.diff(np.append(run, len(by))))
    cell = layer * len(names) + scope
    cells, inverse = np.unique(cell, return_inverse=True)
    n_roles = np.zeros(len(cells))
    np.maximum.at(n_roles, inverse, role + 1)
    place = np.full(N, np.nan)
    if paired:      # neuron j of m: span j // 2 of ceil(m / 2), shared with its pair's other neuron
        width = np.where(neuron - neuron % 2 + 1 < size, 2, 1)
        within = (neuron % 2 + 0.5) / width
        neuron, size = neuron // 2, np.ceil(size / 2)
    else:
        within = np.full(len(names), 0.5)
    place[member] = (neuron[scope] + (role + (index[copy] + within[scope]) / n_copies[scope]) / n_roles[inverse]) / size[scope]
    if aggregate_last:  # an aggregate of the weights (the L2 term) after everything else
        place[member[np.isin(scope, aggregate_scopes(g, sid, shared))]] += 1.0
    return place


def _shared_sources(g, sid: np.ndarray) -> np.ndarray:
    """Per real node, whether it is a source with a scope that feeds two nodes or more (a
    neuron's weight, used by every sample)."""
    return (np.bincount(g.dst, minlength=g.n) == 0) & (g.outdeg >= 2) & (sid >= 0)


def aggregate_scopes(g, sid: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """The scopes that the shared sources (weights) of ``AGGREGATE_MIN_SCOPES`` other scopes or
    more feed: an L2 term (the sum of every weight's square).  A neuron is fed by its own
    weights; ``sid``: each real node's scope number (-1: none), ``shared``: per real node,
    whether it is a shared source with a scope (``copy_places``)."""
    e = shared[g.src] & (sid[g.dst] >= 0) & (sid[g.src] != sid[g.dst])
    pairs = np.unique(np.stack([sid[g.dst[e]], sid[g.src[e]]]), axis=1)
    scopes, feeders = np.unique(pairs[0], return_counts=True)
    return scopes[feeders >= AGGREGATE_MIN_SCOPES]


def has_aggregate(G, g, lg: LayeredGraph) -> bool:
    """Whether the drawing has an aggregate scope (``aggregate_scopes``: an L2 term) and scopes
    with copies (``scope_groups``: a batch of samples).  (One sample with its L2 term, the Train
    tab's inspected sample, keeps its start: from the side-by-side key 4 such drawings of 500-933
    nodes ended 2 lower, 2 higher, MLP(2,[7,7,1]) + L2 503 -> 557.)"""
    names, sid, _, _ = layered_scopes(G, g, lg)
    if not names or not len(aggregate_scopes(g, sid, _shared_sources(g, sid))):
        return False
    return len(scope_groups(G, g, lg)) > 0


def loss_start(G, g, lg: LayeredGraph, start_key: np.ndarray, paired: bool = False,
               loose: bool = False, aggregate_last: bool = False) -> np.ndarray | None:
    """The start key (a rank position per layered node, see the module docstring), or None
    where the drawing has no scopes.  ``paired``, ``loose``, ``aggregate_last``: see
    ``copy_places`` (the last: ``AGGREGATE_LAST``)."""
    place = copy_places(G, g, lg, start_key, paired, loose, aggregate_last)
    if place is None:
        return None
    n = g.n
    real = place[:n].copy()
    placed = ~np.isnan(real)
    # each unplaced node's neighbours (only those edges: ~1/3 of an MLP loss's)
    out_edge, in_edge = ~placed[g.src], ~placed[g.dst]
    here = np.concatenate([g.src[out_edge], g.dst[in_edge]])
    there = np.concatenate([g.dst[out_edge], g.src[in_edge]])
    for _ in range(JACOBI_ROUNDS):
        have = ~np.isnan(real[there])
        total = np.bincount(here[have], weights=real[there][have], minlength=n)
        count = np.bincount(here[have], minlength=n)
        new = ~placed & (count > 0)
        real = np.where(new, total / np.maximum(count, 1), real)
    key = np.empty(lg.n_nodes)
    key[:n] = np.where(np.isnan(real), 0.5, real)
    at, src, dst = _bend_owner(lg)
    t = (lg.layer[at] - lg.layer[src]) / (lg.layer[dst] - lg.layer[src])
    key[at] = key[src] + t * (key[dst] - key[src])
    inner = ~np.isnan(place)
    key[inner] = place[inner]
    out = np.empty(lg.n_nodes)
    out[np.lexsort((start_key, key, lg.layer))] = np.arange(lg.n_nodes)
    return out


def key_cost(lg: LayeredGraph, key: np.ndarray, rigid: np.ndarray) -> float:
    """``ordering.order_cost`` of the order ``key`` gives (sorted per rank, as a start)."""
    return order_cost(lg, rank_positions(lg, key)[3], rigid)


class LossKeys:
    """A drawing's ``loss_start`` keys, each made on first use: ``side_by_side`` (the start
    above; None where the drawing has no scopes), ``paired`` and ``loose`` (see
    ``copy_places``).  ``small_order`` sweeps the first two, ``block_polish`` starts from the
    loose one where the first is cheap enough (``order_stage.best_of_starts``)."""

    def __init__(self, G, g, lg: LayeredGraph, start_key: np.ndarray, aggregate_last: bool = False):
        self._args = (G, g, lg, start_key)
        self._last = aggregate_last and AGGREGATE_LAST     # from 500 nodes: see AGGREGATE_LAST

    @cached_property
    def side_by_side(self) -> np.ndarray | None:
        return loss_start(*self._args, aggregate_last=self._last)

    @cached_property
    def paired(self) -> np.ndarray | None:
        return loss_start(*self._args, paired=True, aggregate_last=self._last)

    @cached_property
    def aggregate(self) -> bool:
        return self._last and has_aggregate(*self._args[:3])

    @cached_property
    def loose(self) -> np.ndarray | None:
        return loss_start(*self._args, loose=True, aggregate_last=self._last)
