"""The order stage of ``layered``: the start orders, the crossing minimisation (on small
graphs from two starts, three without clusters: those all polished, then exact windows, see
``small_order``), and which op -> result segments stay straight."""

from __future__ import annotations

import copy

import numpy as np

from .initial_order import dfs_order, forward_dfs_order
from .layout_input import LayoutInput
from .ordering import crossed_rigid, minimise_crossings, order_cost
from .mid_order import mid_size, moves_paths_alone, order_mid
from .block_polish import block_polished, long_edge_pass, order_blocks, tree_like
from .family_start import family_start, scope_families
from .loss_start import LossKeys, key_cost
from .scope_groups import scope_groups
from .small_order import SMALL_SWEEP_WORK, order_small, start_orders
from .stability import seed_from_previous

SMALL_GRAPH_NODES = 500  # below this, order from two starts with the full 24 sweeps (below, not
                         # at 500+, where the drawing must take at most half of dot's time)
QUICK_FROM_NODES = 150   # from here ``fast`` skips the small drawings' polish too: 1.2-2.2 s of
                         # CPU at 314-490 nodes (an Apply of a 490-node expression took 4.7 s on
                         # the server, 834 nodes 1.2 s), 0.07-0.08 s without it (~40 % more crossings).
                         # Was 300; the polish grew (both starts polished, kicks): the app's random
                         # expressions of 118 / 198 / 238 nodes took 0.19 / 0.33 / 0.33 s of CPU on
                         # 29 Nov, 0.56 / 1.04 / 1.19 s on 30 Nov (load ~8; 48 / 155 / 253
                         # crossings), the quick order 0.04-0.06 s (70 / 246 / 386)
QUICK_TREE_SWEEPS = 0    # median sweeps of the quick order of tree-like drawings (as
                         # ``block_polish``: the sweeps pull the neurons apart).  fast=True, 32
                         # development forward passes (seeds 5000+, 161-997 nodes, 2 input orders):
                         # 10,132 -> 8,957 crossings (MLP(5,[8,8,1]) 454 -> 292, (3,[6,12,1]) 683 ->
                         # 510), 15 fewer, 1 more (MLP(3,[9,9,1]) 429 -> 432), CPU 1.28 -> 0.94 s in
                         # all (load ~4); 14 inspected samples the same crossings (positions
                         # identical but one), CPU 0.98 -> 0.88 s; losses and expressions untouched

FAMILY_START = True      # tree-like drawings from 500 real nodes and in the quick order start from
                         # ``family_start`` (each MLP layer's neurons split around what feeds
                         # them): 17 development forward passes and inspected samples of
                         # 520-997 nodes 7,195 -> 6,464 crossings (graphlay 7,612; above it 6 ->
                         # 0), the same CPU; more in ``family_start``'s docstring


LOSS_START = True        # MLP losses (drawings with ``scope_groups``) get ``loss_start``'s key: from
                         # 500 real nodes ``block_polish`` starts from it (31 development losses of
                         # 530-770 nodes 30,072 -> 28,439 order crossings, graphlay 34,144), below
                         # ``small_order`` polishes from it too (``small_order.LOSS_START``)
LOSS_START_SHARE = 2 / 3  # from 500 nodes only where its start costs at most this share of the DFS
                         # start's (before any sweep): wide layers on few samples end far higher
                         # from it (MLP(1,[8,8,1]) on 2 samples 1,583 -> 1,985, graphlay 1,548;
                         # its start 0.75 of the DFS start's), where it gains it is 0.40-0.66 (43
                         # development losses; 0.70 on one that gained 730 -> 720)
LOSS_SWEEPS = 4          # median sweeps from it in ``block_polish`` (24 from the DFS start): 31
                         # development losses of 530-770 nodes 28,491 crossings, 24 sweeps 28,429
                         # (the DFS start 30,072), the order's CPU -3 % (0.80 s against 0.83 s; the
                         # DFS start 0.85 s), MLP(1,[4,4,1]) on 4 samples 845 -> 832 and 28.9 -> 24.3 ms
LOSS_LOOSE = True        # from 500 nodes ``block_polish`` starts from ``loss_start``'s loose key (the
                         # products of a narrow layer's outputs at their neighbours' mean,
                         # ``loss_start.LOOSE_MAX_NEURONS``), where the side-by-side key passes
                         # LOSS_START_SHARE: 61 development losses of 530-922 nodes (seeds 5031-5070)
                         # 63,482 -> 62,069 order crossings, 22 lower, 11 higher (MLP(1,[2,3,2,1]) on
                         # 7 samples 1,052 -> 1,101, graphlay 1,213); MLP(1,[2,3,1]) on 8 samples
                         # 966 -> 920 (graphlay 928), MLP(1,[2,6,1]) on 5 1,404 -> 1,277 (graphlay
                         # 1,265), MLP(2,[2,4,1]) on 7 1,391 -> 1,252 (graphlay 1,260).  Fresh (seed
                         # 5250, 15 losses): 14,941 -> 14,709, 3 higher (MLP(3,[3,2,1]) on 8 samples
                         # 892 -> 962).  The same CPU (one key more, ~1.5 ms).  Gated by the loose
                         # key's own cost instead: it passes on wide layers of 2 samples
                         # (MLP(2,[7,5,1]) 531 -> 599); both keys swept, the cheaper kept: -0.3 %
                         # more for ~+35 % of the order's time (its sweeps are ~85 % of it)

AGGREGATE_SHARE = 1.0    # drawings with an aggregate scope (``loss_start.aggregate_scopes``: an MLP
                         # loss's L2 term, fed by every weight) start from ``loss_start``'s key where it
                         # costs no more than the DFS start's: there the L2 term's long edges add about
                         # as many crossings to both starts (with the term placed after the samples,
                         # ``loss_start.AGGREGATE_LAST``), so LOSS_START_SHARE kept the DFS start.
                         # ``order_mid`` (from 2,000 layered nodes) starts from it too.  Session 33
                         # (``bench.layout_fresh --set batch``, micrograd's batch losses, 16 of 24 with
                         # L2; drawn crossings of ours alone): with ``block_polish.LONG_EDGES_FROM``
                         # 45,966 -> 43,249, above graphlay 7 -> 3 (MLP(2,[4,3,1]) on 6 samples 3,352
                         # -> 2,543, graphlay 2,603; MLP(4,[6,1]) on 5, ``order_mid``, 4,258 -> 3,505,
                         # graphlay 3,844); held out (``--set batch_heldout``, measured once) 28,717 ->
                         # 25,376, above 8 -> 4 (MLP(1,[2,2,2,1]) on 6 samples 753 -> 747, graphlay
                         # 579).  The same CPU (the keys ~2 ms).  Losses without an L2 term and one
                         # sample with it (``loss_start.has_aggregate``) unchanged
MID_LOSS_START_PATHS = True  # ``order_mid`` starts from the losses' key only where its polish is path
                         # moves alone (``mid_order.moves_paths_alone``: 3+ samples), the DFS start
                         # elsewhere (2 samples: blocks and paths ranked together).  Session 43, the
                         # losses + L2 ``order_mid`` orders in ``bench.layout_fresh``'s batch_more,
                         # batch, batch_heldout and seed 40100 sets (layered crossings): of the 43 over
                         # 2 samples 23 change, 21 lower, 40,864 -> 39,738 (the 9 of seed 40100, not
                         # looked at before: 5 lower, 0 higher; MLP(2,[4,4,7,1]) on 2 samples 1,661 ->
                         # 1,550), our CPU +6 % on those 23 (median; they were at 0.22 of dot's CPU,
                         # 0.36 at most); the DFS start on the 27 paths-only ones too: 72,402 -> 78,058
AGGREGATE_SWEEPS = 1     # median sweeps from the losses' key where it has an aggregate (was LOSS_SWEEPS or
                         # NARROW_SWEEPS): more pull the L2 term's sum chain, which the key places after
                         # the samples, into their middle (each square towards its weight), and the block
                         # polish ends higher.  Session 34, drawn crossings of the batch losses with L2 of
                         # 500-1,000 nodes that take this path: 18 of 101 (``bench.layout_fresh``'s batch
                         # sets and three fresh ones, seeds 9910/9920/9930) changed, 12 lower, 6 higher
                         # (2-3 samples), 168,226 -> 165,889 in all; of the 14 fresh ones above graphlay
                         # 13 -> 7 (MLP(1,[5,3,1]) on 6 samples 3,338 -> 2,671, graphlay 2,689);
                         # MLP(1,[3,2,6,1]) on 3 samples 1,210 -> 1,006 (graphlay 910)

NARROW_PAIRS = True      # MLP losses whose loose key is not the side-by-side one (a layer of at most
                         # ``loss_start.LOOSE_MAX_NEURONS`` neurons feeds another): ``block_polish``
                         # then moves pairs (``pair_moves``) and sifts around them, after
                         # NARROW_SWEEPS median sweeps (not LOSS_SWEEPS: the same crossings on 12
                         # such losses, a sweep's time saved).  Session 32: 12 development losses
                         # of 502-922 nodes none higher, the three above graphlay below it
                         # (MLP(5,[2,4,1]) on 4 samples 427 -> 405, graphlay 417; MLP(3,[2,5,1])
                         # on 5 957 -> 942 / 947; MLP(3,[2,6,1]) on 4 823 -> 784 / 792); 12
                         # held-out ones (seed 8201, 548-988 nodes) 19,405 -> 19,066, none higher,
                         # graphlay 23,940.  CPU +9-17 ms: the five narrow losses of 502-642 nodes
                         # 0.37-0.43 -> 0.42-0.49 of dot's time (median of 3 input orders, dot
                         # 180-266 ms); ``python -m bench.layout_ratio --only narrow``: 0.50 (worst
                         # order 0.51) at 502 nodes, the tightest, 0.45 at 538.  Without the median
                         # sweeps MLP(2,[2,4,1]) on 7 samples 1,252 -> 1,285
NARROW_SWEEPS = 3

SCOPED_MID = True        # drawings with scopes that are neither tree-like nor MLP losses (an inspected
                         # sample with its L2 term: each weight feeds its product and its square)
                         # get ``order_mid``'s scoped polish under ``mid_order.MID_MIN_LAYERED``
                         # layered nodes too (on a smaller budget, ``mid_order.SCOPED_SMALL_SHARE``),
                         # not ``block_polish``'s: its sweeps and outer-block moves left them 5-20 %
                         # above dot (MLP(2,[5,6,1]) + L2, 520 nodes: 348, dot 288; ``small_order``:
                         # 226, in 5x dot's time).  6 development shapes of 500-545 nodes: 1,599 ->
                         # 1,263 drawn crossings (dot 1,486), CPU 0.17-0.30 -> 0.28-0.40 of dot's.
                         # Tree-like ones (without L2) stay: there ``order_mid`` ended 1 % higher
                         # for twice the time.  Session 35: not where ``block_polish``'s pass of path
                         # moves for long edges runs (``block_polish.long_edge_pass``; an L2 term's edges
                         # make every such sample one): 26 inspected MLP(2,[a,b,1]) / (2,[a,b,c,1]) + L2
                         # of 500-683 nodes (1,174-1,991 layered) 6,448 -> 6,206 crossings, 22 lower, 3
                         # higher (MLP(2,[6,4,5,1]) 257 -> 265), the same CPU (3.32 -> 3.29 s in all)


def skips_polish(n_real: int, lg, tree, previous, fast: bool) -> bool:
    """Whether ``fast`` leaves out a polish that ``fast=False`` runs (``Layout.refinable``):
    ``order_small``'s from :data:`QUICK_FROM_NODES` real nodes, ``order_mid``'s and
    ``order_blocks``' on mid-size drawings; never with clusters or a ``previous`` drawing."""
    if not fast or tree is not None or previous is not None:
        return False
    return n_real >= QUICK_FROM_NODES if n_real < SMALL_GRAPH_NODES else mid_size(lg) or block_polished(lg)


def dfs_start_key(G, g: LayoutInput, lg) -> np.ndarray:
    """The canonical start key of every layered node.  A DFS back from the output fixes a
    sequence (operand 0 first); a DFS forward from the first rank's nodes, in that sequence,
    keeps inputs that feed the same ops together (measured: ~2x fewer crossings than the
    backward order alone)."""
    output = G.graph.get("output")
    sinks = np.flatnonzero(g.outdeg == 0).tolist()
    roots = ([g.nodes.index(output)] if output in G else []) + sinks
    by_backward = np.argsort(dfs_order(lg, g.operand[lg.seg_edge], roots))
    first_rank = by_backward[lg.layer[by_backward] == 0]
    return forward_dfs_order(lg, np.concatenate([first_rank, by_backward]).tolist())


def order_nodes(G, g: LayoutInput, lg, tree, previous, direction, fast: bool = False):
    """(pos, crossings, straight): every node's index in its layer, the crossings of that
    order, and which segments are drawn straight (op -> result, unless two had to cross).
    ``fast``: no mid-size polish (``layered_layout``'s ``fast``)."""
    start_key = dfs_start_key(G, g, lg)
    rigid = g.rigid[lg.seg_edge]
    small = g.n < SMALL_GRAPH_NODES
    quick = skips_polish(g.n, lg, tree, previous, fast)
    tree_shaped = tree_like(lg)
    if FAMILY_START and previous is None and tree is None and (not small or quick) and tree_shaped:
        families = scope_families(G, g, lg)
        if families is not None:
            start_key = family_start(lg, start_key, *families)
    if previous is not None:
        start_key = seed_from_previous(previous, g.nodes, g.paths, g.node_cluster, start_key, direction)
        # stability: transposition and sifting only
        pos, crossings = minimise_crossings(lg, start_key, seg_rigid=rigid, tree=tree, local=True)
    elif quick:
        # the quick order (the app shows it, then swaps the polished one in): sweeps (none
        # where ``tree_like``, see QUICK_TREE_SWEEPS), sifting; from 500 real nodes one pass
        # of rerouting (the big drawings' order)
        sweeps = QUICK_TREE_SWEEPS if tree_shaped else 24
        pos, crossings = minimise_crossings(lg, start_key, seg_rigid=rigid, polish=g.n >= SMALL_GRAPH_NODES,
                                            max_iterations=sweeps)
    else:
        groups = scope_groups(G, g, lg) if tree is None and (small or block_polished(lg)) else None
        scoped = not small and tree is None and has_scopes(G, g) and (
            mid_size(lg) or (SCOPED_MID and block_polished(lg) and not groups and not tree_shaped
                             and not long_edge_pass(lg, tree_shaped)))
        loss_keys = LossKeys(G, g, lg, start_key, aggregate_last=not small) if (groups or scoped) and LOSS_START else None
        # without groups only for an aggregate (``order_mid``'s start): asked first, so that an
        # inspected sample + L2 (no copies) does not make a key it will not use
        if loss_keys is not None and ((not groups and not loss_keys.aggregate) or loss_keys.side_by_side is None):
            loss_keys = None
        pos, crossings = best_of_starts(lg, start_key, rigid, tree, small=small, groups=groups,
                                        scoped=scoped, loss_keys=loss_keys)
    # Op -> result segments are drawn straight unless the order lets two of them cross (a
    # small penalty in the search, ``sifting.RIGID_PENALTY``: fewer crossings come first).
    return pos, crossings, rigid & ~crossed_rigid(lg, pos, rigid)


def has_scopes(G, g: LayoutInput) -> bool:
    """Whether the nodes carry two scopes or more (their ``scope`` attribute: an MLP's
    neurons), for ``mid_order.SCOPED_ONE_START``."""
    return len({tuple(s) for v in g.nodes if (s := G.nodes[v].get("scope"))}) >= 2


def best_of_starts(lg, start_key, rigid, tree, small: bool, groups: list | None = None, scoped: bool = False,
                   loss_keys=None):
    """Order from the DFS key; on ``small`` graphs also from dot's second start (a BFS back
    from the sinks), each with up to 24 sweeps: with clusters keeping the cheaper (the first
    on a tie), without them each start polished (``small_order``).  The sweeps end in very
    different local optima from the two starts.  Measured on 16 random expressions of
    100-200 nodes: 1,908 crossings from the DFS start with the big graphs' sweep budget (4
    sweeps there), 1,771 from the better of both starts, 1,700 with 24 sweeps each (dot:
    1,617; graphlay: 1,483).  Bigger drawings: ``mid_order`` where it applies (many long
    edges), ``block_polish`` where it applies (few), else the big drawings' order (``fast``
    never gets here where those two apply: ``skips_polish`` sends it to the quick order).  ``groups`` (``scope_groups``): moved in ``small_order``'s polish and
    with ``block_polish``'s blocks.  ``scoped``: passed to ``order_mid``.  ``loss_keys``
    (``loss_start.LossKeys``, MLP losses): ``block_polish`` starts from the loose key
    (``LOSS_LOOSE``; else the side-by-side one) instead where the side-by-side key is cheap
    enough (``LOSS_START_SHARE``), ``small_order`` polishes from the side-by-side and paired
    keys too (``LOSS_START``, ``small_order.PAIRED_START``)."""
    if not small:
        # with an aggregate scope (an L2 term) the losses' start wins where it costs no more than
        # the DFS start (AGGREGATE_SHARE), in ``order_mid`` too
        share = AGGREGATE_SHARE if loss_keys is not None and loss_keys.aggregate else LOSS_START_SHARE
        if tree is None and (mid_size(lg) or scoped):
            key = start_key
            if (loss_keys is not None and loss_keys.aggregate
                    and (not MID_LOSS_START_PATHS or moves_paths_alone(lg, scoped))
                    and key_cost(lg, loss_keys.side_by_side, rigid) <= share * key_cost(lg, start_key, rigid)):
                key = loss_keys.side_by_side
            return order_mid(lg, key, rigid, scoped)
        if tree is None and block_polished(lg):
            key, sweeps, pairs = start_key, 24, False
            if loss_keys is not None and (key_cost(lg, loss_keys.side_by_side, rigid)
                                          <= share * key_cost(lg, start_key, rigid)):
                key = loss_keys.loose if LOSS_LOOSE else loss_keys.side_by_side
                pairs = NARROW_PAIRS and LOSS_LOOSE and not np.array_equal(key, loss_keys.side_by_side)
                sweeps = AGGREGATE_SWEEPS if loss_keys.aggregate else NARROW_SWEEPS if pairs else LOSS_SWEEPS
            return order_blocks(lg, key, rigid, None, groups or (), sweeps, pairs)    # (positional: tests spy on it)
        return minimise_crossings(lg, start_key, seg_rigid=rigid, tree=tree)
    if tree is None:
        return order_small(lg, start_key, rigid, groups=groups, loss_keys=loss_keys)
    best = None
    for key in start_orders(lg, start_key):
        own_tree = copy.deepcopy(tree)      # the search moves the clusters' keys
        pos, crossings = minimise_crossings(lg, key, seg_rigid=rigid, tree=own_tree, sweep_work=SMALL_SWEEP_WORK,
                                            polish=False)
        cost = order_cost(lg, pos, rigid)
        if best is None or cost < best[0]:
            best = (cost, pos, crossings, own_tree)
    tree.key[:] = best[3].key
    return best[1], best[2]
