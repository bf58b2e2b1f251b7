"""Writing output files so that nobody ever sees half of one.

Every file tracker writes goes to a temporary name beside its target (same folder, so the
rename is atomic on one file system) and is renamed onto the target only when complete.
Files get the permissions a plain ``open()`` would give them under the current umask. A folder of files (the
viewer) is written the same way: into a hidden folder beside its target, renamed into place when complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_path(out: str | os.PathLike) -> Path:
    """A fresh, empty temp file beside ``out`` with the same suffix (encoders read the format from it).

    Its name starts with ``.<stem>.`` so a half-written file is hidden and easy to clean up.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=out.suffix or ".tmp", dir=out.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    return Path(tmp)


@contextlib.contextmanager
def replacing(out: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces ``out``, on any error it is removed.

    Examples
    --------
    >>> with replacing(path) as tmp:           # doctest: +SKIP
    ...     frame.to_file(tmp, driver="GPKG")
    """
    out = Path(out)
    tmp = temp_path(out)
    try:
        yield tmp
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(out: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``out`` atomically; return ``out`` as a Path."""
    out = Path(out)
    with replacing(out) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return out


@contextlib.contextmanager
def replacing_dir(out: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh, empty folder beside ``out`` to fill; on success it replaces ``out``, on any error it is removed.

    An existing ``out`` is first renamed aside, then the new folder renamed onto ``out`` and the old one deleted:
    readers see the old folder or the new one whole, never a mix (for the moment between the two renames, none).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
