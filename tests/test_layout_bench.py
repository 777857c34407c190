"""Smoke test of the layout benchmark (no timing assertions: figures are for the report)."""

from __future__ import annotations

import pytest

from bench import graphs
from bench import layout as bench_layout


def test_benchmark_graphs_have_the_documented_sizes():
    sizes = {name: build().number_of_nodes() for name, build in graphs.benchmark_graphs()
             if "10 samples" not in name}  # the 13.5k-node graph takes ~1 s to build: skipped here
    assert sizes["MLP(3,[4,4,1]) forward, 1 sample"] == 197
    assert sizes["chain of 2,000 ops"] == 5001
    assert 690 <= sizes["MLP(3,[4,4,1]) loss, 4 samples"] <= 700
    assert sizes["random expression"] == 100
    assert 195 <= sizes["MLP(3,[4,4,1]) loss, 1 sample"] <= 210
    assert 900 <= sizes["MLP(2,[8,8,1]) loss, 2 samples"] <= 1000
    assert sizes["inspected sample MLP(2,[16,16,1])"] == 1635


def test_benchmark_prints_a_row_per_graph(capsys, monkeypatch):
    small = [(name, build) for name, build in graphs.benchmark_graphs() if "chain" not in name]
    monkeypatch.setattr(bench_layout, "benchmark_graphs", lambda: small[:3])
    assert bench_layout.main(["--no-dot", "--no-graphlay", "--shuffles", "2"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 3  # header + graphs
    lecture = rows[1].split(" | ")
    assert lecture[2] == "0" and lecture[3] == "0"  # median and worst: no crossings


def test_dot_spline_sampling():
    pts = bench_layout._spline_points("e,9,9 0,0 1,1 2,2 3,3")
    assert pts[0] == (0.0, 0.0) and pts[-1] == pytest.approx((3.0, 3.0)) and len(pts) == 5


def test_shuffled_orders_are_the_same_graph():
    G = graphs.random_expression_graph()
    H = bench_layout.shuffled(G, 3)
    assert list(H.nodes) != list(G.nodes)
    assert set(H.edges) == set(G.edges) and dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert bench_layout.shuffled(G, 0) is G


def test_fresh_graph_check_prints_a_row_per_graph_and_totals(capsys, monkeypatch):
    from bench import layout_fresh
    small = [("lecture", graphs.lecture_graph), ("expression", lambda: graphs.random_expression_graph(8, 4, seed=2))]
    monkeypatch.setattr(layout_fresh, "fresh_graphs", lambda: small)
    assert layout_fresh.main(["--set", "fresh", "--shuffles", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 2
    assert rows[1].split(" | ")[2] == "0"                # the lecture graph: no crossings
    assert "2 graphs: ours" in out


def test_the_check_sets_stay_below_a_thousand_nodes():
    from bench import layout_fresh
    sizes = [build().number_of_nodes() for _, build in layout_fresh.fresh_graphs() + layout_fresh.heldout_graphs()[:12]]
    assert len(sizes) == 32 and max(sizes) < 1000
    narrow = [build().number_of_nodes() for _, build in layout_fresh.narrow_graphs()]
    assert len(narrow) == 12 and 390 < min(narrow) and max(narrow) < 1000


def test_the_probe_set_holds_every_family_up_to_a_thousand_nodes():
    from bench import layout_fresh
    assert "probe" in layout_fresh.SETS
    probe = layout_fresh.probe_graphs()
    names = [name for name, _ in probe]
    sizes = [build().number_of_nodes() for _, build in probe]
    assert len(probe) == 38 and len(set(names)) == 38 and max(sizes) <= 1000
    for family, count in [("expression", 8), ("forward", 6), (" loss, ", 6), ("samples, seed", 14), ("inspected", 4)]:
        assert sum(family in name for name in names) == count, family
    assert sum("+ L2" in name for name in names) >= 4 and sum(n >= 500 for n in sizes) >= 8


def test_the_second_batch_set_is_150_distinct_batch_losses():
    from bench import layout_fresh
    names = [name for name, _ in layout_fresh.batch_more_graphs()]
    assert "batch_more" in layout_fresh.SETS and len(set(names)) == len(names) == 150
    assert 100 <= sum("+ L2" in name for name in names) < 150


def test_big_graph_timing_prints_a_row_per_graph_with_stages(capsys, monkeypatch):
    from bench import layout_big
    small = [("expression", lambda: graphs.random_expression_graph(30, 6, seed=2)), ("lecture", graphs.lecture_graph)]
    monkeypatch.setattr(layout_big, "big_graphs", lambda seeds: small)
    assert layout_big.main(["--runs", "1"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 2 and rows[0][5:12] == ["rank", "order", "coordinates", "routing", "rest", "networkx",
                                                    "ratio |"]
    assert all(float(row[11].rstrip(" x|")) > 0 for row in rows[1:])
    G = graphs.random_expression_graph(30, 6, seed=2)
    assert rows[1][1] == f"{G.number_of_nodes():,}" and int(rows[1][2].replace(",", "")) >= G.number_of_nodes()
    assert rows[2][3] == "0"                                   # the lecture graph: no crossings
    assert layout_big.layered_module.rank_nodes.__name__ == "rank_nodes"   # stages unwrapped again


def test_ratio_benchmark_prints_a_row_per_graph(capsys):
    from bench import layout_ratio
    assert all(450 <= build().number_of_nodes() <= 1000 for name, build in layout_ratio.ratio_graphs()
               if "inspected" not in name)             # inspected samples train first: slower to build
    assert layout_ratio.main(["--no-dot", "--shuffles", "1", "--only", "chain of 250"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 1 and rows[1].split(" | ")[1] == "626"


def test_clusters_benchmark_compares_with_the_old_way_and_restores_it(capsys):
    from bench import layout_clusters
    from layouts import frames
    from layouts.ordering import LayerOrder

    regroup, options = LayerOrder.regroup_all, dict(frames.LP_OPTIONS)
    assert layout_clusters.main(["--runs", "1", "--only", "forward MLP(4,[16,16,16,1]), neurons"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 1 and rows[1][1] == "49" and rows[1][5] == "yes |"
    assert float(rows[1][4]) > 0
    assert LayerOrder.regroup_all is regroup and frames.LP_OPTIONS == options and options
