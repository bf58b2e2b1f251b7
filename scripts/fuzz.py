#!/usr/bin/env python
"""Run the fuzz properties of tests/test_fuzz.py with many more examples than the test suite (minutes).

usage: python scripts/fuzz.py [--examples N]    (default 20,000 per property; several minutes)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000, help="examples per property (default 20000)")
    args = parser.parse_args()
    env = {**os.environ, "TRACKER_FUZZ_EXAMPLES": str(args.examples)}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=0",
                           str(ROOT / "tests" / "test_fuzz.py")], env=env, cwd=ROOT)
    print(f"{args.examples} examples per property in {time.monotonic() - start:.0f} s")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
