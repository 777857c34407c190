"""bench.layout_small2 (the held-out set under 500 nodes) and bench.layout_fresh.compare's
cache of dot's and graphlay's figures (no timing assertions)."""

from __future__ import annotations

import json

from bench import graphs


def test_the_held_out_set_is_forty_graphs_under_five_hundred_nodes():
    from bench.layout_small2 import small2_graphs
    sizes = [build().number_of_nodes() for _, build in small2_graphs()]
    assert len(sizes) >= 40 and max(sizes) < 500


def test_compare_keeps_the_other_engines_figures_in_its_cache(tmp_path, monkeypatch, capsys):
    from bench import layout_fresh
    cache = tmp_path / "figures.json"
    small = [("lecture", graphs.lecture_graph), ("expression", lambda: graphs.random_expression_graph(8, 4, seed=2))]
    first = layout_fresh.compare(small, shuffles=2, cache=str(cache), our_orders=2)
    kept = json.loads(cache.read_text())
    assert sorted(kept) == ["expression / 2", "lecture / 2"]

    def no_engine(*args, **kwargs):
        raise AssertionError("the cache should have answered")
    monkeypatch.setattr(layout_fresh, "dot", no_engine)
    monkeypatch.setattr(layout_fresh, "graphlay_run", no_engine)
    second = layout_fresh.compare(small, shuffles=2, cache=str(cache), our_orders=2)
    assert second["best"] == first["best"] and second["ours"] == first["ours"]
    assert "2 graphs: ours" in capsys.readouterr().out
