"""Where an export writes: a temporary file or folder next to the target, put in its place only
when the export succeeds (a failed, cancelled or killed export never damages an existing file), and
the messages for the file system's refusals (a full disk, a read-only folder)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..atomic import atomic_path, kept_mode, remove_stale_temporaries, temp_prefix
from ..interrupt import deferred
from .options import ExportError


def check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ExportError(f"cannot write to {folder}: the folder does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write to {folder}: permission denied")


def os_message(exc: OSError, target: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: could not write {target} (nothing was written)"
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded: could not write {target} (nothing was written)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {target}: {exc.strerror or 'permission denied'}"
    return f"cannot write {target}: {exc.strerror or exc}"


@contextlib.contextmanager
def temporary_file(target: Path) -> Iterator[Path]:
    """:func:`atomic_path` with the export's messages: a temporary file next to ``target`` (same
    extension), renamed onto it if the block succeeds, removed otherwise."""
    check_folder(target.parent)
    if target.is_dir():
        raise ExportError(f"cannot write {target}: a folder of that name exists")
    with atomic_path(target) as temp:
        yield temp


_FRAME_NAME_PREFIX = "frame_"


def _is_earlier_export(folder: Path) -> bool:
    """A folder that holds only PNG frames (an earlier export there): replaceable on success."""
    return all(p.is_file() and p.name.startswith(_FRAME_NAME_PREFIX) and p.suffix == ".png" for p in folder.iterdir())


@contextlib.contextmanager
def temporary_folder(target: Path) -> Iterator[Path]:
    """A temporary folder next to ``target``, put in its place if the block succeeds.

    An existing ``target`` is replaced only if it is empty or holds nothing but earlier frames;
    until the very end it is untouched.
    """
    target = Path(os.path.normpath(target))
    check_folder(target.parent)
    if target.exists():
        if not target.is_dir():
            raise ExportError(f"cannot write frames into {target}: it is a file, not a folder")
        if not _is_earlier_export(target):
            raise ExportError(f"{target} holds other files; choose an empty or new folder for the frames")
    temp: Path | None = None
    try:
        try:
            with deferred():  # a signal while the folder is made is raised once it is known
                remove_stale_temporaries(target.parent)  # left by an export killed with SIGKILL
                temp = Path(tempfile.mkdtemp(prefix=temp_prefix(target), suffix=".part", dir=target.parent))
        except OSError as exc:
            raise ExportError(os_message(exc, target)) from None
        yield temp
        temp.chmod(kept_mode(target, folder=True))  # mkdtemp makes it private; mkdir would not
        with deferred():  # the swap is never interrupted half-way
            _put_in_place(temp, target)
    except BaseException:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
        raise


def _put_in_place(folder: Path, target: Path) -> None:
    """Rename ``folder`` to ``target``, replacing an earlier export there (restored on failure)."""
    if not target.exists():
        os.replace(folder, target)
        return
    old = Path(tempfile.mkdtemp(prefix=temp_prefix(target), suffix=".old", dir=target.parent))
    os.replace(target, old)
    try:
        os.replace(folder, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
