#!/usr/bin/env python
"""Run the fuzz properties with many more examples than the test suite (minutes): normalisation and extraction
(tests/test_fuzz.py) and ingest (tests/test_fuzz_ingest.py: random bytes as .txt/.jsonl/.csv/.md, text in every
encoding, JSON shapes, CSV dialects, publication dates).

usage: python scripts/fuzz.py [--examples N] [--only ingest|extract]   (default 20,000 per property; many minutes)
Exits non-zero, with hypothesis's shrunk example, on the first failure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = {"extract": "test_fuzz.py", "ingest": "test_fuzz_ingest.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000, help="examples per property (default 20000)")
    parser.add_argument("--only", choices=sorted(SUITES), help="one group of properties (default: all)")
    args = parser.parse_args()
    env = {**os.environ, "TRACKER_FUZZ_EXAMPLES": str(args.examples)}
    files = [str(ROOT / "tests" / f) for name, f in sorted(SUITES.items()) if args.only in (None, name)]
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--durations=0",
                           *files], env=env, cwd=ROOT)
    print(f"{args.examples} examples per property in {time.monotonic() - start:.0f} s")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
