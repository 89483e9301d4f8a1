#!/usr/bin/env python3
"""Compares the history analysis with `git log` on the synthetic repository.

Usage: bench/history-bench.py [--repo DIR] [--commits N] [--authors N]
                              [--runs N] [--ours "COMMAND {repo}"] [--no-build]

Generates the repository with bench/gen-repo.sh when DIR does not exist yet
(default: target/bench/history-300k), builds the `history` example in release
mode, then runs, alternately, `git log --format='%H %aE %at'` and ours
(default: the example binary; `--ours "archipel assess --json {repo}"` to
time the full assessment instead), output thrown away, after one warm-up run
each. Prints one JSON object: medians of wall-clock and CPU time (user +
system, all threads) in seconds and their ratios (ours / git log; the target
is <= 1.0). On a shared machine the CPU ratio is the steadier figure.
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


def timed(cmd):
    """Runs cmd; returns (wall seconds, CPU seconds: user + system, all threads)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


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

    def summary(command, runs):
        return {
            "command": shlex.join(command),
            "median_wall_s": round(statistics.median(r[0] for r in runs), 3),
            "median_cpu_s": round(statistics.median(r[1] for r in runs), 3),
            "wall_s": [round(r[0], 3) for r in runs],
            "cpu_s": [round(r[1], 3) for r in runs],
        }

    g, o = summary(git, git_runs), summary(ours, our_runs)
    print(json.dumps({
        "repo": args.repo,
        "commits": commits,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "git_log": g,
        "ours": o,
        "ratio_wall": round(o["median_wall_s"] / g["median_wall_s"], 3),
        "ratio_cpu": round(o["median_cpu_s"] / g["median_cpu_s"], 3),
    }, indent=2))


if __name__ == "__main__":
    main()
