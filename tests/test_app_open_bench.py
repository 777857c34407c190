"""Smoke test of ``bench.app_open`` (server part; no timing assertions: figures are for the
report): its graphs are what they say, and a server row accounts for the message sent."""

from __future__ import annotations

from engine import parse, to_graph

from bench import app_open


def test_the_text_graphs_parse_to_about_the_sizes_their_names_say():
    sizes = {name: to_graph(parse(build())).number_of_nodes()
             for name, build in app_open.GRAPHS.items() if "chain" in name or "random" in name}
    assert 900 <= sizes["chain ~1k"] <= 1100
    assert 4500 <= sizes["chain ~5k"] <= 5500
    assert 700 <= sizes["random ~1k"] <= 1100
    # the random expression is not a chain: results are reused, and all of them reach the output
    G = to_graph(parse(app_open.random_text(60)))
    out = G.graph["output"]
    assert all(n == out or G.out_degree(n) > 0 for n in G.nodes)
    assert max(G.out_degree(n) for n in G.nodes if G.nodes[n].get("kind") == "value") > 1


def test_a_server_row_times_an_open_and_the_message_it_sends():
    row = app_open.server_open(app_open.chain_text(12), repeats=1)
    assert row["nodes"] == to_graph(parse(app_open.chain_text(12))).number_of_nodes()
    assert row["rows"] >= 14                     # every value, plus leaves drawn again
    assert row["bytes"] > 10_000                 # the whole new graph went into the message
    assert 0 < row["view"] < row["show"] and 0 < row["serialise"] < row["show"]
    assert row["prepare"] > 0 and abs(row["prepare"] + row["show"] - row["total"]) < 1e-9
