"""Atomic writes: a file appears complete under its name, or not at all.

Temporary files and folders are made next to the target (a rename is atomic only within one
file system) under a recognisable name that carries the writing process's id and machine,
``.walk.mp4.lstmx-<pid>@<host>-<random>.mp4``: a process killed with SIGKILL cannot remove its
own, so the next write into the same folder removes those whose process no longer runs — only
those written on this machine: on a folder shared over the network, a process id says nothing
about another machine's processes.

Replacing a file keeps its mode; writing onto a symbolic link writes through to the file the
link points at (the link stays a link); a new file gets the mode ``open`` would give it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .interrupt import deferred

#: Marks temporary names: ``.<target name>.lstmx-<pid>@<host>-<random><suffix>``.
TEMP_TAG = "lstmx"
_TEMP_NAME = re.compile(rf"^\..+\.{TEMP_TAG}-(?P<pid>\d+)@(?P<rest>.*)$")


def host_tag() -> str:
    """This machine's name as it may appear in a file name (letters, digits, dots and dashes)."""
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "localhost"


def _umask() -> int:
    umask = os.umask(0o022)  # the only way to read the umask is to set it
    os.umask(umask)
    return umask


def default_mode(*, folder: bool = False) -> int:
    """The mode ``open`` (0666) or ``mkdir`` (0777) would give a new file or folder under the umask."""
    return (0o777 if folder else 0o666) & ~_umask()


def temp_prefix(target: Path) -> str:
    """The start of a temporary name for ``target`` (mkstemp/mkdtemp add random characters)."""
    return f".{target.name}.{TEMP_TAG}-{os.getpid()}@{host_tag()}-"


def write_target(target: str | Path) -> Path:
    """The path a write to ``target`` replaces: the file a symbolic link points at, else ``target``.

    A loop of links is an OSError (ELOOP), reported as what it is.
    """
    target = Path(target)
    if not target.is_symlink():
        return target
    try:
        os.stat(target)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a loop of symbolic links", str(target)) from None
    return Path(os.path.realpath(target))


def kept_mode(target: Path, *, folder: bool = False) -> int:
    """The mode for what replaces ``target``: its own if it exists, else a new file's."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return default_mode(folder=folder)


def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as handle:
            for line in handle:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where /proc says so."""
    boot = _boot_time()
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat(5), counted after "pid (comm)"
    except (OSError, ValueError, IndexError):
        return None
    return None if boot is None else boot + ticks / os.sysconf("SC_CLK_TCK")


def _is_stale(pid: int, modified: float) -> bool:
    """True if the process that made a temporary file no longer runs (or its id was reused since)."""
    if pid == os.getpid():
        return False  # ours: another write of this process is in progress
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # another user's process that runs
    started = _process_started(pid)
    return started is not None and started > modified + 1.0  # the id now names a younger process


def remove_stale_temporaries(folder: str | Path) -> list[str]:
    """Remove temporary files and folders in ``folder`` left by processes that no longer run."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = _TEMP_NAME.match(entry.name)
            if not match or not match["rest"].startswith(f"{host_tag()}-"):
                continue  # not a temporary name, or another machine's
            try:
                modified = entry.stat(follow_symlinks=False).st_mtime
                if not _is_stale(int(match["pid"]), modified):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                continue
    return removed


@contextlib.contextmanager
def atomic_path(target: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` if the block succeeds.

    On any exception (including KeyboardInterrupt) the temporary file is removed and ``target``
    is left as it was. The temporary file keeps ``target``'s extension, so writers that choose a
    format by extension still work. A symbolic link is written through; an existing file's mode
    is kept.
    """
    target = write_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"folder {folder} is not writable")
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists")
    remove_stale_temporaries(folder)
    mode = kept_mode(target)
    temp: Path | None = None
    try:
        # A signal that arrived between the file's creation and this block would leave it behind
        # (the test that interrupts a write as soon as its file appears caught that on a busy
        # machine): while the file is made, a signal is only recorded, then raised here.
        with deferred():
            fd, name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=target.suffix, dir=folder)
            temp = Path(name)
            os.close(fd)
        yield temp
        # mkstemp makes the file private (0600), and some writers (safetensors) replace the file
        # with a private one of their own: give it the mode now, just before it takes the name.
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        if temp is not None:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        raise
