"""Atomic writes: a file appears complete under its name, or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    umask = os.umask(0o022)  # the only way to read the umask is to set it
    os.umask(umask)
    return umask


def default_mode(*, folder: bool = False) -> int:
    """The mode ``open`` (0666) or ``mkdir`` (0777) would give a new file or folder under the umask."""
    return (0o777 if folder else 0o666) & ~_umask()


@contextlib.contextmanager
def atomic_path(target: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` if the block succeeds.

    On any exception (including KeyboardInterrupt) the temporary file is removed and ``target``
    is left as it was. The temporary file keeps ``target``'s extension, so writers that choose a
    format by extension still work.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"folder {folder} is not writable")
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists")
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=folder)
    os.close(fd)
    temp = Path(name)
    # mkstemp makes the file private (0600); give it the mode an ordinary new file would get.
    os.chmod(temp, default_mode())
    try:
        yield temp
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
