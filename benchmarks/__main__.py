"""``python -m benchmarks``: the whole benchmark suite (see benchmarks/run.py)."""

import sys

from benchmarks.run import main

main(sys.argv[1:])
