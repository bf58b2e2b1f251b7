"""Build hook: the claim extractor is compiled with mypyc when it can be, plain Python otherwise.

The compiled module is built from the same source, ``tracker/extract.py``, and extracts about a
sixth faster (``scripts/bench.py extract`` prints which one ran). With ``TRACKER_PURE_PYTHON=1``,
without mypy or without a C compiler, tracker installs as plain Python and works the same.
Everything else about the package is in ``pyproject.toml``.
"""

import os
import sys

from setuptools import setup

#: modules compiled with mypyc (each must type-check: ``mypy --ignore-missing-imports``)
COMPILED = ["tracker/extract.py"]


def ext_modules() -> list:
    if os.environ.get("TRACKER_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify

        modules = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *COMPILED],
                           opt_level="3", target_dir=os.path.join("build", "mypyc"))
    except (Exception, SystemExit) as exc:  # no mypy, or a type error: plain Python
        print(f"tracker: the extractor stays plain Python ({exc!r})", file=sys.stderr)
        return []
    for module in modules:
        module.optional = True  # a failed C build leaves the plain module in place
    return modules


setup(ext_modules=ext_modules())
