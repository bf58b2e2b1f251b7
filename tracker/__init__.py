"""tracker: war reporting in, a time-stamped, queryable map of who controls what out."""

import importlib.util
import sys
from pathlib import Path

__version__ = "0.1.0"


def _prefer_newer_source(package: str, folder: Path, name: str) -> bool:
    """Import ``<package>.<name>`` from its source when the source is newer than its compiled module.

    ``pip install -e .`` compiles the extractor next to its source (see setup.py); an edit, a pull
    or a checkout made since then must not be shadowed by the stale build. Returns whether the
    source was imported.
    """
    source = folder / f"{name}.py"
    built = [p for p in folder.glob(f"{name}.*") if p.suffix in (".so", ".pyd")]
    if not built or not source.exists() or source.stat().st_mtime <= max(p.stat().st_mtime for p in built):
        return False
    spec = importlib.util.spec_from_file_location(f"{package}.{name}", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if package in sys.modules:
        setattr(sys.modules[package], name, module)
    return True


_prefer_newer_source(__name__, Path(__file__).parent, "extract")
