"""Same-run A/B of the performance suite between two git revisions.

    python -m benchmarks.compare_revisions BEFORE [AFTER] [--quick] [--rounds N]

Each revision is checked out into a temporary worktree and ``python -m
benchmarks --json`` runs from it, the two alternating for ``--rounds``
rounds on the same machine, so that both see the same load. The table
prints, for every figure, the median over the rounds of each revision's
``baseline / skebm`` ratio (or its time, where there is no baseline) and
their quotient: 1.00 means unchanged. AFTER defaults to the working tree.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def run_suite(source, quick, json_path):
    command = [sys.executable, "-m", "benchmarks", "--json", str(json_path)]
    if quick:
        command.append("--quick")
    environment = {**os.environ, "PYTHONPATH": str(source)}
    subprocess.run(
        command, cwd=source, env=environment, check=True, stdout=subprocess.DEVNULL
    )
    return figures(json.loads(json_path.read_text())["rows"])


def figures(rows):
    """The rows by figure and baseline, without the measured values in labels.

    A label may carry a measured value after a colon or in parentheses, and
    one figure may stand beside several baselines.
    """
    return {
        (re.sub(r"\(.*?\)|:.*", "", row["figure"]).strip(), row["baseline_name"]): row
        for row in rows
    }


def figure_value(row):
    """The ratio to the baseline where there is one, else the time."""
    return row["ratio"] if row["ratio"] is not None else row["skebm"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after", nargs="?", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        sources = {}
        for name, revision in (("before", args.before), ("after", args.after)):
            if revision is None:
                sources[name] = ROOT
                continue
            worktree = scratch / name
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(worktree), revision],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            sources[name] = worktree
        results = {"before": [], "after": []}
        try:
            for round_index in range(args.rounds):
                for name in ("before", "after"):
                    json_path = scratch / f"{name}{round_index}.json"
                    results[name].append(
                        run_suite(sources[name], args.quick, json_path)
                    )
        finally:
            for name, revision in (("before", args.before), ("after", args.after)):
                if revision is not None:
                    subprocess.run(
                        ["git", "worktree", "remove", "--force", str(sources[name])],
                        cwd=ROOT,
                        capture_output=True,
                    )
    print(f"before = {args.before}, after = {args.after or 'working tree'}, ", end="")
    print(f"{args.rounds} alternating rounds, {'quick' if args.quick else 'full'}")
    print_table(results)


def print_table(results):
    """One row per figure: each revision's median over the rounds."""
    print("| figure | measure | before | after | after / before |")
    print("|---|---|---|---|---|")
    for key, row in results["after"][0].items():
        runs = results["before"] + results["after"]
        if not all(key in run for run in runs):
            continue
        figure, baseline = key
        measure = f"{baseline} / skebm" if row["ratio"] is not None else row["unit"]
        before = np.median([figure_value(r[key]) for r in results["before"]])
        after = np.median([figure_value(r[key]) for r in results["after"]])
        print(
            f"| {figure} | {measure} | {before:.4g} | {after:.4g} "
            f"| {after / before:.2f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
