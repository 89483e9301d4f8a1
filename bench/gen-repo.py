#!/usr/bin/env python3
"""Writes a deterministic `git fast-import` stream for a synthetic repository.

Usage: gen-repo.py [--commits N] [--authors N] [--seed N] > stream
       (bench/gen-repo.sh pipes it into `git fast-import`).

The history: one `main` branch, a merge of a two-commit topic branch every 50
commits (about 2% merges), an annotated tag every 3,000 commits, authors drawn
from a Zipf-like distribution over N people whose e-mails spread over webmail,
noreply, companies, public bodies and universities, a `.mailmap` and a few
authors who commit under two spellings of the same address. Each commit
changes one small file among 2,000 spread over 40 folders.
"""
import argparse
import random
import sys


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=300_000)
    ap.add_argument("--authors", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    out = sys.stdout.buffer

    first = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo",
             "Inès", "Jules", "Karim", "Léa", "Marc", "Nadia", "Olivier", "Paul",
             "Quentin", "Rose", "Sami", "Théo", "Ursule", "Victor", "Wassim", "Yasmine", "Zoé"]
    last = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
            "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel",
            "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]
    domains = (
        ["gmail.com"] * 6 + ["users.noreply.github.com"] * 3 + ["free.fr", "protonmail.com"]
        + [f"company{i}.example" for i in range(30)]
        + [f"ville{i}.fr" for i in range(10)]
        + ["numerique.gouv.fr", "interieur.gouv.fr", "inria.fr", "cnrs.fr", "univ-grenoble-alpes.fr"]
    )
    people = []
    for i in range(args.authors):
        name = f"{rnd.choice(first)} {rnd.choice(last)} {i}"
        local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
        people.append((name, f"{local}@{rnd.choice(domains)}"))
    # Zipf-like weights, shuffled so that rank does not follow the index.
    weights = [1.0 / (r + 1) ** 1.1 for r in range(args.authors)]
    rnd.shuffle(weights)
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)

    import bisect

    def pick() -> int:
        return min(bisect.bisect_left(cum, rnd.random() * acc), args.authors - 1)

    mailmap_lines = []
    aliases = {}
    for i in range(0, min(args.authors, 400), 20):  # 20 people with an old address
        name, email = people[i]
        old = "old." + email.split("@")[0] + "@oldmail.example"
        aliases[i] = old
        mailmap_lines.append(f"{name} <{email}> <{old}>\n")
    mailmap = "".join(mailmap_lines).encode()

    t = 1_420_070_400  # 2015-01-01T00:00:00Z
    mark = 0
    w = out.write

    def blob_line(path: str, content: bytes) -> None:
        w(b"M 100644 inline " + path.encode() + b"\n")
        w(b"data %d\n" % len(content) + content + b"\n")

    def commit(ref: str, author: int, parent_marks, n: int, path: str) -> int:
        nonlocal mark, t
        mark += 1
        t += rnd.randint(60, 1200)
        name, email = people[author]
        if author in aliases and rnd.random() < 0.3:
            email = aliases[author]
        elif rnd.random() < 0.02:
            email = email.upper()
        msg = f"Change {n}\n".encode()
        w(f"commit {ref}\nmark :{mark}\n".encode())
        w(f"author {name} <{email}> {t} +0100\n".encode())
        w(f"committer {name} <{email}> {t} +0100\n".encode())
        w(b"data %d\n" % len(msg) + msg)
        if parent_marks:
            w(f"from :{parent_marks[0]}\n".encode())
            for p in parent_marks[1:]:
                w(f"merge :{p}\n".encode())
        if n == 0:
            blob_line(".mailmap", mailmap)
        blob_line(path, f"{n}\n".encode())
        w(b"\n")
        return mark

    head = None
    n = 0
    tag = 0
    while n < args.commits:
        path = f"dir{rnd.randrange(40)}/file{rnd.randrange(50)}.txt"
        if head is not None and n % 50 == 49 and n + 3 <= args.commits:
            a = commit("refs/heads/topic", pick(), [head], n, path)
            b = commit("refs/heads/topic", pick(), [a], n + 1, path + ".t")
            head = commit("refs/heads/main", pick(), [head, b], n + 2, path)
            n += 3
        else:
            head = commit("refs/heads/main", pick(), [head] if head else [], n, path)
            n += 1
        if n // 3000 > tag:
            tag = n // 3000
            msg = f"Release {tag}\n".encode()
            w(f"tag v{tag}.0\nfrom :{head}\ntagger Release Bot <release@company0.example> {t} +0000\n".encode())
            w(b"data %d\n" % len(msg) + msg + b"\n")
    w(b"reset refs/heads/topic\nfrom 0000000000000000000000000000000000000000\n\n")
    w(b"done\n")


if __name__ == "__main__":
    main()
