#!/usr/bin/env python3
"""Stored graphs for the network figures' tests, and what networkx says of them.

Writes, for each graph NAME, into this folder:
  NAME.json           an Archipel JSON import file (territories, actors,
                      places, commons, relations) whose network, read on
                      2025-06-30 for territory `territory:nettest:epci:1`,
                      is the graph below;
  NAME.expected.json  networkx's connected components, articulation
                      points, bridges, core numbers and betweenness
                      (normalised, unweighted: networkx's default) of it.

The graph is built here from the same rules Archipel follows
(ARCHITECTURE.md, crates/network): nodes are the actors and places whose
territory is in scope or which are `located_in` it, and the commons related
to them; edges are the relations not ended on the day between two nodes,
and a place's operator; several relations between two nodes are one edge.
Records outside those rules (an actor of another territory, an ended
relation, a commons only an outside actor uses) are written to the import
file too, and left out of the graph, so that the test also checks the
scope.

elsewhere.json holds only records outside the scope (see `elsewhere`).

Run: python3 testdata/network/make.py   (networkx 3.x; deterministic)
Also used by bench/network.sh: make.py --bench N_NODES N_RELATIONS OUT.json
"""
import json
import random
import sys
from pathlib import Path

import networkx as nx

HERE = Path(__file__).resolve().parent
SRC = "nettest"
T0 = "2024-01-01T00:00:00Z"
ON = "2025-06-30"
SCOPE = "territory:nettest:epci:1"


def prov(created=T0):
    return {"source": SRC, "created_at": created, "updated_at": created}


class Registry:
    def __init__(self, relation_prefix="r"):
        self.prefix = relation_prefix
        self.records = []
        self.graph = nx.Graph()
        self.links = []  # (subject, object, kind, start year) of every relation in the network
        self.people = set()  # actors who are persons
        self.n_rel = 0
        self.territories()

    def territories(self):
        self.records += [
            {"type": "territory", "id": SCOPE, "name": "Agglomération de test",
             "level": "epci", "code": "960000099", "fictional": True, "provenance": prov()},
            {"type": "territory", "id": "territory:nettest:commune:1", "name": "Commune A",
             "level": "commune", "code": "96901", "parent": SCOPE, "fictional": True,
             "provenance": prov()},
            {"type": "territory", "id": "territory:nettest:commune:2", "name": "Commune B",
             "level": "commune", "code": "96902", "parent": SCOPE, "fictional": True,
             "provenance": prov()},
            {"type": "territory", "id": "territory:nettest:commune:9", "name": "Ailleurs",
             "level": "commune", "code": "96909", "fictional": True, "provenance": prov()},
        ]

    def actor(self, key, kind="association", inside=True, typology=(), person=False, node=True):
        id_ = f"actor:{SRC}:{key}"
        rec = {"type": "actor", "id": id_, "name": f"Acteur {key}",
               "nature": "person" if person else "organisation", "kind": kind,
               "territory": "territory:nettest:commune:1" if inside else "territory:nettest:commune:9",
               "provenance": prov()}
        if typology:
            rec["typology"] = list(typology)
        self.records.append(rec)
        if node:
            self.graph.add_node(id_)
            if person:
                self.people.add(id_)
        return id_

    def place(self, key, operator=None, inside=True):
        id_ = f"place:{SRC}:{key}"
        rec = {"type": "place", "id": id_, "name": f"Lieu {key}",
               "territory": "territory:nettest:commune:2" if inside else "territory:nettest:commune:9",
               "provenance": prov()}
        if operator:
            rec["actor"] = operator
        self.records.append(rec)
        if inside:
            self.graph.add_node(id_)
            if operator and operator in self.graph:
                self.graph.add_edge(operator, id_)
                self.links.append((operator, id_, "operates", 2024))
        return id_

    def commons(self, key):
        id_ = f"commons:{SRC}:{key}"
        self.records.append({"type": "commons", "id": id_, "name": f"Commun {key}",
                             "kind": "software", "provenance": prov()})
        return id_

    def relation(self, subject, kind, obj, since=None, until=None, edge=True):
        self.n_rel += 1
        rec = {"type": "relation", "id": f"relation:{SRC}:{self.prefix}{self.n_rel}",
               "subject": subject, "kind": kind, "object": obj, "provenance": prov()}
        if since:
            rec["since"] = since
        if until:
            rec["until"] = until
        self.records.append(rec)
        if edge:
            for end in (subject, obj):
                if end.startswith("commons:"):
                    self.graph.add_node(end)
            self.graph.add_edge(subject, obj)
            self.links.append((subject, obj, kind, int((since or T0)[:4])))

    def write(self, name):
        order = {"territory": 0, "actor": 1, "place": 2, "commons": 3, "relation": 4}
        recs = sorted(self.records, key=lambda r: (order[r["type"]], r["id"]))
        doc = {"format": "archipel", "version": 1, "records": recs}
        (HERE / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        (HERE / f"{name}.expected.json").write_text(
            json.dumps(expected(self), indent=1, sort_keys=True) + "\n")


def splitmix_sources(n, k, seed):
    """The sources crates/network/src/sample.rs picks (SplitMix64, Fisher-Yates)."""
    mask = (1 << 64) - 1
    state = seed
    order = list(range(n))
    for i in range(min(k, n)):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z = z ^ (z >> 31)
        j = i + ((z * (n - i)) >> 64)
        order[i], order[j] = order[j], order[i]
    return order[: min(k, n)]


def sampled_betweenness(g, sources):
    """networkx's betweenness_centrality(g, k=len(sources)) with these sources
    (its own single-source steps and rescaling, networkx >= 3.5)."""
    from networkx.algorithms.centrality import betweenness as b
    bc = dict.fromkeys(g, 0.0)
    for s in sources:
        S, P, sigma, _ = b._single_source_shortest_path_basic(g, s)
        bc, _ = b._accumulate_basic(bc, S, P, sigma, s)
    return b._rescale(bc, len(g), normalized=True, directed=False, endpoints=False,
                      sampled_nodes=sources)


def gini(values):
    v = sorted(values)
    total = sum(v)
    if not v or total == 0:
        return None
    n = len(v)
    return 2 * sum((i + 1) * x for i, x in enumerate(v)) / (n * total) - (n + 1) / n


def expected(r):
    g = r.graph
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    size_of = {v: len(c) for c in comps for v in c}
    splits = {}
    for v in nx.articulation_points(g):
        h = g.subgraph(nx.node_connected_component(g, v) - {v})
        splits[v] = sorted((len(c) for c in nx.connected_components(h)), reverse=True)
    bc = nx.betweenness_centrality(g)
    raw = nx.betweenness_centrality(g, normalized=False)
    degree = dict(g.degree())
    employed = {s for s, _, k, _ in r.links if k in ("works_for", "elected_to")}
    people = [v for v in g if v.startswith("actor:") and (v in r.people or v in employed)]
    people.sort(key=lambda v: (-bc[v], -degree[v], v))
    per = {v: 0 for v in g if v.startswith("actor:")}
    years = {}
    first = {}
    for s, o, _, y in r.links:
        for x in (s, o):
            if x in per:
                per[x] += 1
                first[x] = min(first.get(x, y), y)
    for y in first.values():
        years[str(y)] = years.get(str(y), 0) + 1
    core = nx.core_number(g)
    kmax = max(core.values())
    inner = {v for v, k in core.items() if k == kmax}
    m = len(r.links)
    total = sum(per.values())
    dependence = None
    if people:
        p = people[0]
        connected = sum(len(c) * (len(c) - 1) // 2 for c in comps) - (size_of[p] - 1)
        dependence = {
            "id": p,
            "relations_share": sum(1 for s, o, _, _ in r.links if p in (s, o)) / m,
            "shortest_paths_share": raw[p] / connected if connected else 0.0,
        }
    nodes = sorted(g)
    sources = [nodes[i] for i in splitmix_sources(len(nodes), len(nodes) // 3, 18)]
    return {
        "sampled": {"seed": 18, "sources": sources,
                    "betweenness": sampled_betweenness(g, sources)},
        "splits": splits,
        "dependence": dependence,
        "regulars": {
            "max_core": kmax,
            "relations_within_share": sum(1 for s, o, _, _ in r.links if s in inner and o in inner) / m,
            "relations_touching_share": sum(1 for s, o, _, _ in r.links if s in inner or o in inner) / m,
            "gini": gini(list(per.values())),
            "hhi": sum((x / total) ** 2 for x in per.values()) if total else None,
        },
        "newcomers": years,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "components": comps,
        "articulation_points": sorted(nx.articulation_points(g)),
        "bridges": sorted(sorted(e) for e in nx.bridges(g)),
        "core_number": nx.core_number(g),
        "betweenness": nx.betweenness_centrality(g),
    }


def bridges_graph():
    """Two triangles joined by a path, a pendant, a star, an isolated actor,
    and the records the scope must leave out."""
    r = Registry()
    a = [r.actor(f"a{i}", typology=["contributor"]) for i in range(10)]
    p = r.actor("p1", kind="person", person=True)
    agent = r.actor("agent", kind="person", person=True, typology=["public_agent"])
    city = r.actor("city", kind="local_government", typology=["elected_official"])
    r.actor("lonely", kind="company")
    c1, c2, c3 = r.commons("c1"), r.commons("c2"), r.commons("c3")
    # triangle a0 a1 a2, path a2 - p1 - a3, triangle a3 a4 a5
    r.relation(a[0], "partner_of", a[1])
    r.relation(a[1], "partner_of", a[2])
    r.relation(a[2], "member_of", a[0], since="2019-03-01")
    r.relation(a[0], "member_of", a[1], since="2018-01-01")  # a second relation: one edge
    r.relation(p, "member_of", a[2], since="2015-05-01")
    r.relation(p, "member_of", a[3], since="2016-05-01")
    r.relation(a[3], "partner_of", a[4])
    r.relation(a[4], "partner_of", a[5])
    r.relation(a[5], "partner_of", a[3], until="2030-01-01")
    # pendant commons used by a5, maintained also by a6
    r.relation(a[5], "uses", c1, since="2022-02-01")
    r.relation(a[6], "maintains", c1, since="2022-09-01")
    # star: the agent works for the city, which funds a7..a9
    r.relation(agent, "works_for", city, since="2015-01-01")
    for x in a[7:10]:
        r.relation(city, "funds", x, since="2023-01-01")
    r.relation(agent, "member_of", a[7])
    # a place the city runs (operator), hosting c2 based on c3
    pl = r.place("l1", operator=city)
    r.relation(pl, "hosts", c2)
    r.relation(c2, "based_on", c3, edge=False)  # c3 is related to no actor or place: not a node
    # left out: an ended relation, an actor of another territory and its commons
    r.relation(a[0], "partner_of", a[9], until="2020-12-31", edge=False)
    out = r.actor("outside", inside=False, node=False)
    r.relation(out, "partner_of", a[0], edge=False)
    c9 = r.commons("c9")
    r.relation(out, "uses", c9, edge=False)
    # an actor of another territory located in the scope: a node
    far = r.actor("branch", inside=False)
    r.relation(far, "located_in", "territory:nettest:commune:2", edge=False)
    r.relation(far, "contributes_to", c1)
    # a place of another territory run by a6: not a node
    r.place("l9", operator=a[6], inside=False)
    r.write("bridges")


def two_rings():
    """A ring with chords (no bridge, no articulation point) and a second
    ring sharing one node with a triangle (one articulation point)."""
    r = Registry()
    ring = [r.actor(f"r{i}") for i in range(8)]
    for i in range(8):
        r.relation(ring[i], "partner_of", ring[(i + 1) % 8])
    r.relation(ring[0], "partner_of", ring[4])
    r.relation(ring[2], "partner_of", ring[6])
    s = [r.actor(f"s{i}", kind="cooperative") for i in range(5)]
    for i in range(5):
        r.relation(s[i], "partner_of", s[(i + 1) % 5])
    t1, t2 = r.actor("t1", kind="company"), r.actor("t2", kind="company")
    r.relation(s[0], "partner_of", t1)
    r.relation(t1, "partner_of", t2)
    r.relation(t2, "partner_of", s[0])
    r.write("rings")


ACTOR_KINDS = ["association", "company", "local_government", "cooperative", "fablab",
               "library", "person"]
TYPOLOGY = ["public_agent", "elected_official", "academic", "opportunity_space_organiser",
            "contributor"]


def generated(name, n_nodes, n_relations, seed, pendants=0.12):
    """Communities of actors, places and commons joined by few links, with
    pendant nodes: articulation points and bridges aplenty."""
    rnd = random.Random(seed)
    r = Registry()
    nodes = []
    n_places = n_nodes * 15 // 100
    n_commons = n_nodes * 15 // 100
    n_actors = n_nodes - n_places - n_commons
    for i in range(n_actors):
        kind = rnd.choice(ACTOR_KINDS)
        typ = rnd.sample(TYPOLOGY, rnd.randint(0, 2))
        nodes.append(r.actor(f"a{i}", kind=kind, typology=typ, person=(kind == "person")))
    actors = list(nodes)
    places = []
    for i in range(n_places):
        op = rnd.choice(actors) if rnd.random() < 0.5 else None
        places.append(r.place(f"l{i}", operator=op))
    commons = [r.commons(f"c{i}") for i in range(n_commons)]
    every = actors + places + commons
    community = {x: rnd.randrange(max(1, n_nodes // 40)) for x in every}
    members = {}
    for x, c in community.items():
        members.setdefault(c, []).append(x)
    # every commons gets one actor user, so that it is in the network
    made = 0
    for c in commons:
        r.relation(rnd.choice(actors), "uses", c, since=f"{rnd.randint(2012, 2025)}-01-01")
        made += 1

    def kind_for(a, b):
        ka, kb = a.split(":")[0], b.split(":")[0]
        if ka == "actor" and kb == "actor":
            return rnd.choice(["partner_of", "member_of", "works_for"]), a, b
        if ka == "actor" and kb == "commons":
            return rnd.choice(["uses", "maintains", "contributes_to"]), a, b
        if kb == "actor" and ka == "commons":
            return rnd.choice(["uses", "maintains"]), b, a
        if ka == "actor" and kb == "place":
            return "operates", a, b
        if kb == "actor" and ka == "place":
            return "provides_equipment", b, a
        if ka == "place" and kb == "commons":
            return "hosts", a, b
        if kb == "place" and ka == "commons":
            return "hosts", b, a
        if ka == "commons" and kb == "commons":
            return "based_on", a, b
        return None  # place - place: no relation type joins two places

    while made < n_relations:
        x = rnd.choice(every)
        if rnd.random() < pendants:
            y = rnd.choice(every)  # across communities
        else:
            y = rnd.choice(members[community[x]])
        if x == y:
            continue
        k = kind_for(x, y)
        if k is None:
            continue
        kind, s, o = k
        year = rnd.randint(2012, 2025)
        if rnd.random() < 0.05:
            r.relation(s, kind, o, since=f"{year - 3}-01-01", until=f"{year}-06-01",
                       edge=f"{year}-06-01" >= ON)
        else:
            r.relation(s, kind, o, since=f"{year}-{rnd.randint(1, 12):02d}-01")
        made += 1
    return r


def elsewhere():
    """Actors of another territory and many relations among them: imported
    beside a small graph, they make its scope small against the registry,
    so that the store reads the scope's relations node by node."""
    rnd = random.Random(3)
    r = Registry(relation_prefix="x")
    out = [r.actor(f"x{i}", inside=False, node=False) for i in range(60)]
    for _ in range(1200):
        a, b = rnd.sample(out, 2)
        r.relation(a, "partner_of", b, edge=False)
    doc = {"format": "archipel", "version": 1, "records": r.records}
    (HERE / "elsewhere.json").write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--bench":
        n, m, out = int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
        r = generated("bench", n, m, seed=100)
        doc = {"format": "archipel", "version": 1, "records": r.records}
        out.write_text(json.dumps(doc, ensure_ascii=False))
        return
    bridges_graph()
    two_rings()
    elsewhere()
    generated("generated", 300, 420, seed=7).write("generated")


if __name__ == "__main__":
    main()
