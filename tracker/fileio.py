"""Writing output files so that nobody ever sees half of one.

Every file tracker writes goes to a temporary name beside its target (same folder, so the
rename is atomic on one file system) and is renamed onto the target only when complete.
Files get the permissions a plain ``open()`` would give them under the current umask.

A temporary name carries its writer's process id (``.<stem>.<pid>-<random><suffix>``): the temp
file of a process killed before it could clean up is removed by the next write into that folder
(:func:`sweep`), never one a live process is still writing.
A folder of files (the viewer) is written the same way: into a hidden folder beside its target, renamed into
place when complete.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# .<stem>.<pid>-<mkstemp's 8 random characters><suffix>
_TEMP_NAME = re.compile(r"^\..*\.(?P<pid>\d+)-[a-z0-9_]{8}(?:\.[^/]*)?$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_path(out: str | os.PathLike) -> Path:
    """A fresh, empty temp file beside ``out`` with the same suffix (encoders read the format from it).

    Its name starts with ``.<stem>.<pid>-`` so a half-written file is hidden, and the next write into
    the folder removes it when its process is gone (:func:`sweep`).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep(out.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.{os.getpid()}-", suffix=out.suffix or ".tmp", dir=out.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    return Path(tmp)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep(folder: str | os.PathLike) -> list[Path]:
    """Remove the temp files (:func:`temp_path`) in ``folder`` whose writing process is gone; return them."""
    gone = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = _TEMP_NAME.match(entry.name)
            if not match or _alive(int(match.group("pid"))):
                continue
            if entry.is_dir(follow_symlinks=False):  # a folder being written (replacing_dir)
                shutil.rmtree(entry.path, ignore_errors=True)
                gone.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    gone.append(Path(entry.path))
    return gone


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
    sweep(out.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old.{os.getpid()}-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
