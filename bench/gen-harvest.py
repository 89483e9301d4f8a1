#!/usr/bin/env python3
"""Generates N git repositories of mixed sizes for bench/harvest.sh.

Each repository is a work tree whose history is written by `git
fast-import` (fast, reproducible: fixed authors and dates). Sizes cycle
through four shapes: 1 commit of 3 files, 20 commits, 200 commits and
1,000 commits touching 50 files, by 1 to 40 authors. Every repository
carries a publiccode.yml made from the conformance case
testdata/publiccode/v0/valid/valid.yml (organisation, a contractor) or,
one in three, valid_with_fundedBy.yml, with its own `url`; one in twenty
carries an invalid file (testdata/publiccode/v0/invalid/categories_invalid.yml).

Usage: gen-harvest.py DIR [N]   (writes DIR/repo-000 … and DIR/LIST)
"""
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CASES = os.path.join(ROOT, "testdata", "publiccode", "v0")
CASE_URL = "https://github.com/italia/developers.italia.it.git"
SHAPES = [(1, 3, 1), (20, 10, 3), (200, 20, 10), (1000, 50, 40)]
T0 = 1_600_000_000


def case(rel):
    with open(os.path.join(CASES, rel), encoding="utf-8") as f:
        return f.read()


def stream(i, commits, files, authors, publiccode):
    out = []
    mark = 0
    for c in range(commits):
        a = c % authors
        when = T0 + i * 100_000 + c * 3600
        msg = f"commit {c}\n".encode()
        out.append(b"commit refs/heads/main\n")
        mark += 1
        out.append(f"mark :{mark}\n".encode())
        out.append(f"author Dev {a} <dev{a}@org{a % 5}.example> {when} +0000\n".encode())
        out.append(f"committer Dev {a} <dev{a}@org{a % 5}.example> {when} +0000\n".encode())
        out.append(f"data {len(msg)}\n".encode() + msg)
        if c == 0:
            for name, text in [
                ("publiccode.yml", publiccode),
                ("README.md", f"# Projet {i}\n\n## Installation\n\n`make`\n"),
                ("LICENSE", "SPDX-License-Identifier: EUPL-1.2\n"),
            ]:
                data = text.encode()
                out.append(f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n")
        f = c % files
        data = (f"file {f}, version {c}\n" * (1 + c % 7)).encode()
        out.append(f"M 100644 inline src/f{f}.txt\ndata {len(data)}\n".encode() + data + b"\n")
    return b"".join(out)


def main():
    target = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    os.makedirs(target, exist_ok=True)
    valid, funded, invalid = (
        case("valid/valid.yml"),
        case("valid/valid_with_fundedBy.yml"),
        case("invalid/categories_invalid.yml"),
    )
    lines = []
    for i in range(n):
        commits, files, authors = SHAPES[i % len(SHAPES)]
        base = invalid if i % 20 == 19 else funded if i % 3 == 2 else valid
        url = f"https://git.example.org/bench/repo-{i:03}.git"
        path = os.path.join(target, f"repo-{i:03}")
        if not os.path.isdir(os.path.join(path, ".git")):
            subprocess.run(["git", "init", "-q", "-b", "main", path], check=True)
            subprocess.run(
                ["git", "-C", path, "fast-import", "--quiet"],
                input=stream(i, commits, files, authors, base.replace(CASE_URL, url)),
                check=True,
            )
            subprocess.run(["git", "-C", path, "checkout", "-q", "-f", "main"], check=True)
        lines.append(path)
    with open(os.path.join(target, "LIST"), "w", encoding="utf-8") as f:
        f.write("# bench/gen-harvest.py\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
