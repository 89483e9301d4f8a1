#!/usr/bin/env python3
"""networkx computing the figures `archipel network --json` printed, on the
same graph, for bench/network.sh.

usage: network-nx.py OURS.json            time networkx's figures, check they agree
       network-nx.py --error EXACT.json SAMPLED.json
                                          the sampled betweenness' error

The graph is rebuilt from the nodes and edges of OURS.json (one networkx
node per node, one edge per edge); building it is timed apart. The figures:
connected components, articulation points, bridges, core numbers, degree,
and betweenness — from the same sampled sources as ours when ours was
sampled (networkx's own single-source steps and rescaling, as
`betweenness_centrality(G, k=…)` does with its own sample), exact otherwise.
Prints one JSON object.
"""
import json
import sys
import time

import networkx as nx
from networkx.algorithms.centrality import betweenness as nxb


def sampled_betweenness(g, sources):
    bc = dict.fromkeys(g, 0.0)
    for s in sources:
        S, P, sigma, _ = nxb._single_source_shortest_path_basic(g, s)
        bc, _ = nxb._accumulate_basic(bc, S, P, sigma, s)
    return nxb._rescale(bc, len(g), normalized=True, directed=False, endpoints=False,
                        sampled_nodes=sources)


def figures(path):
    ours = json.load(open(path))
    t = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in ours["nodes"])
    g.add_edges_from((e["source"], e["target"]) for e in ours["edges"])
    build = time.perf_counter() - t
    times = {}

    def timed(name, f):
        t = time.perf_counter()
        v = f()
        times[name] = round(time.perf_counter() - t, 3)
        return v

    comps = timed("components", lambda: [sorted(c) for c in nx.connected_components(g)])
    aps = timed("articulation_points", lambda: sorted(nx.articulation_points(g)))
    brs = timed("bridges", lambda: sorted(sorted(e) for e in nx.bridges(g)))
    core = timed("core_number", lambda: nx.core_number(g))
    deg = timed("degree", lambda: dict(g.degree()))
    m = ours["betweenness_method"]
    if m["method"] == "sampled":
        bc = timed("betweenness", lambda: sampled_betweenness(g, m["sampled"]))
    else:
        bc = timed("betweenness", lambda: nx.betweenness_centrality(g))
    worst = max(abs(bc[k] - v) for k, v in ours["betweenness"].items())
    agree = {
        "components": sorted(len(c) for c in comps) == sorted(c["size"] for c in ours["components"]),
        "articulation_points": aps == ours["articulation_points"],
        "bridges": brs == ours["bridges"],
        "core_number": core == ours["core_number"],
        "degree": deg == ours["degree"],
        "betweenness_max_difference": worst,
    }
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "betweenness": {k: m[k] for k in ("method", "sources", "seed", "error_bound") if k in m},
        "networkx_build_s": round(build, 3),
        "networkx_s": times,
        "networkx_total_s": round(sum(times.values()), 3),
        "agree": agree,
    }


def error(exact_path, sampled_path):
    exact = json.load(open(exact_path))
    sampled = json.load(open(sampled_path))
    assert exact["betweenness_method"]["method"] == "exact"
    m = sampled["betweenness_method"]
    e, s = exact["betweenness"], sampled["betweenness"]
    diffs = sorted(abs(s[k] - e[k]) for k in e)
    top = lambda b: set(sorted(b, key=lambda k: (-b[k], k))[:10])
    return {
        "nodes": len(e),
        "sources": m["sources"],
        "seed": m["seed"],
        "stated_bound": m["error_bound"],
        "confidence": m["confidence"],
        "max_abs_error": diffs[-1],
        "p99_abs_error": diffs[int(0.99 * (len(diffs) - 1))],
        "mean_abs_error": sum(diffs) / len(diffs),
        "max_exact_value": max(e.values()),
        "top10_overlap": len(top(e) & top(s)),
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--error":
        print(json.dumps(error(sys.argv[2], sys.argv[3]), indent=1))
    elif len(sys.argv) == 2:
        print(json.dumps(figures(sys.argv[1]), indent=1))
    else:
        sys.exit(__doc__)
