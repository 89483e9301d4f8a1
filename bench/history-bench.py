#!/usr/bin/env python3
"""Compares the history analysis with `git log` on the synthetic repository.

Usage: bench/history-bench.py [--repo DIR] [--commits N] [--authors N]
                              [--runs N] [--ours "COMMAND {repo}"] [--no-build]

Generates the repository with bench/gen-repo.sh when DIR does not exist yet
(default: target/bench/history-300k), builds the `history` example in release
mode, then runs, alternately, `git log --format='%H %aE %at'` and ours
(default: the example binary; `--ours "archipel assess --json {repo}"` to
time the full assessment instead), output thrown away, after one warm-up run
each. Prints one JSON object: medians in seconds and their ratio
(ours / git log; the target is <= 1.0).
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, cwd=None):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=os.path.join(ROOT, "target", "bench", "history-300k"))
    ap.add_argument("--commits", type=int, default=300_000)
    ap.add_argument("--authors", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ours", default=None, help="command template, {repo} is replaced")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()

    if not os.path.isdir(args.repo):
        print(f"generating {args.repo}", file=sys.stderr)
        subprocess.run([os.path.join(ROOT, "bench", "gen-repo.sh"), args.repo,
                        str(args.commits), str(args.authors)], check=True)
    if args.ours is None:
        if not args.no_build:
            subprocess.run(["cargo", "build", "--release", "-q", "-p", "archipel-history",
                            "--example", "history"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "examples", "history")
        ours = [binary, args.repo, "2026-01-01T00:00:00Z"]
    else:
        ours = shlex.split(args.ours.replace("{repo}", args.repo))
    git = ["git", "-C", args.repo, "log", "--format=%H %aE %at"]

    commits = int(subprocess.run(["git", "-C", args.repo, "rev-list", "--count", "HEAD"],
                                 capture_output=True, text=True, check=True).stdout)
    timed(git)
    timed(ours)
    git_runs, our_runs = [], []
    for _ in range(args.runs):
        git_runs.append(timed(git))
        our_runs.append(timed(ours))
    g, o = statistics.median(git_runs), statistics.median(our_runs)
    print(json.dumps({
        "repo": args.repo,
        "commits": commits,
        "runs": args.runs,
        "git_log": {"command": shlex.join(git), "median_s": round(g, 3),
                    "runs_s": [round(x, 3) for x in git_runs]},
        "ours": {"command": shlex.join(ours), "median_s": round(o, 3),
                 "runs_s": [round(x, 3) for x in our_runs]},
        "ratio": round(o / g, 3),
        "cpus": os.cpu_count(),
    }, indent=2))


if __name__ == "__main__":
    main()
