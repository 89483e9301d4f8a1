#!/usr/bin/env python3
"""Builds content/territories/divisions.json.gz from the npm package
@etalab/decoupage-administratif (the official French administrative
divisions: regions, departments, EPCI, communes).

Usage:
    cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif@6.0.0 \
        && tar xzf etalab-decoupage-administratif-6.0.0.tgz
    python3 scripts/territories-data.py PACKAGE_DIR content/territories/divisions.json.gz

PACKAGE_DIR is the unpacked package (the folder holding package.json and
data/). The output is deterministic (sorted, gzip without a name or a
time): running it again on the same package gives the same bytes.
See content/territories/README.md for what is kept and why.
"""
import gzip
import json
import sys
from collections import Counter, defaultdict


def load(pkg, name):
    with open(f"{pkg}/data/{name}.json", encoding="utf-8") as f:
        return json.load(f)


def main(pkg, out):
    with open(f"{pkg}/package.json", encoding="utf-8") as f:
        meta = json.load(f)
    regions = load(pkg, "regions")
    departements = load(pkg, "departements")
    epcis = load(pkg, "epci")
    communes = load(pkg, "communes")

    region_codes = {r["code"] for r in regions}
    dep_region = {d["code"]: d["region"] for d in departements}
    assert all(r in region_codes for r in dep_region.values())

    # Communes of type COM (INSEE's "commune", the package's
    # "commune-actuelle"): the territories. The others (arrondissements
    # municipaux, communes déléguées and associées) and the former codes a
    # commune absorbed are kept as codes leading to their commune.
    current = [c for c in communes if c["type"] == "commune-actuelle"]
    by_code = {c["code"]: c for c in current}
    assert len(by_code) == len(current), "a commune code appears twice"
    for c in current:
        assert dep_region[c["departement"]] == c["region"], c["code"]

    epci_of = {}
    for e in epcis:
        for m in e["membres"]:
            assert m["code"] in by_code, (e["code"], m["code"])
            assert m["code"] not in epci_of, f"{m['code']} in two EPCI"
            epci_of[m["code"]] = e["code"]

    epci_rows = []
    for e in sorted(epcis, key=lambda e: e["code"]):
        # The package does not give an EPCI's seat: its department is the
        # one where most of its members' population lives (the seat's for
        # every EPCI checked by hand), ties to the smaller code.
        pop = Counter()
        for m in e["membres"]:
            c = by_code[m["code"]]
            pop[c["departement"]] += c.get("population") or 0
        dep = sorted(pop.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        epci_rows.append([e["code"], e["nom"], e["type"], dep, e["populationMunicipale"]])

    commune_rows = []
    for c in sorted(current, key=lambda c: c["code"]):
        commune_rows.append([
            c["code"],
            c["nom"],
            c["departement"],
            epci_of.get(c["code"], ""),
            c.get("population"),
            sorted(set(c.get("codesPostaux", []))),
        ])

    others = {}
    def other(code, commune, name, kind):
        if code in by_code or code == commune or code.startswith("20"):
            # Corsica's codes before 1976 (department 20) are no INSEE
            # code today: no file gives them any more.
            return
        prev = others.get(code)
        if prev and prev[0] != commune:
            # A code two communes claim (rare former codes): left out.
            others[code] = None
            return
        if prev is None and code in others:
            return
        others[code] = [commune, name, kind]

    for c in communes:
        if c["type"] == "arrondissement-municipal":
            other(c["code"], c["commune"], c["nom"], "arrondissement-municipal")
        elif c["type"] in ("commune-deleguee", "commune-associee"):
            other(c["code"], c["chefLieu"], c["nom"], c["type"])
    for c in current:
        for old in c.get("anciensCodes", []):
            other(old, c["code"], "", "ancien-code")
    other_rows = [[code] + v for code, v in sorted(others.items()) if v is not None]
    for row in other_rows:
        assert row[1] in by_code, row

    data = {
        "package": meta["name"],
        "version": meta["version"],
        "regions": sorted([r["code"], r["nom"]] for r in regions),
        "departements": sorted([d["code"], d["region"], d["nom"]] for d in departements),
        "epci": epci_rows,
        "communes": commune_rows,
        "others": other_rows,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=f, mtime=0) as g:
            g.write(text.encode("utf-8"))
    print(f"{out}: {len(regions)} regions, {len(departements)} departments, "
          f"{len(epci_rows)} EPCI, {len(commune_rows)} communes, {len(other_rows)} other codes; "
          f"{len(text)} bytes of JSON")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
