"""``lstm-explorer --install-desktop``: put the app in the desktop's menu, for this user only.

Writes, under ``$XDG_DATA_HOME`` (default ``~/.local/share``), as the freedesktop.org
specifications place them:

* ``applications/lstm-explorer.desktop`` — the menu entry, starting this installation's command;
* ``icons/hicolor/scalable/apps/lstm-explorer.svg`` and ``icons/hicolor/256x256/apps/lstm-explorer.png``;
* ``mime/packages/lstm-explorer.xml`` — ``*.lstmx`` files as LSTM Explorer sessions.

Each file is written atomically; nothing outside those folders is touched and no command is run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .assets import APP_ID, desktop_template, icon_path, mime_type_file
from .atomic import atomic_path


class DesktopError(Exception):
    """The entry could not be installed: one line saying what and where."""


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (as the XDG
    base directory specification says to treat it)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> str:
    """The Exec line's command: this installation's ``lstm-explorer`` script when there is one,
    else this Python running the package (so the entry starts what was installed, not another copy)."""
    script = Path(sys.executable).parent / APP_ID
    if script.is_file() and os.access(script, os.X_OK):
        return _quote(str(script))
    found = shutil.which(APP_ID)
    if found:
        return _quote(found)
    return f"{_quote(sys.executable)} -m lstm_explorer"


def _quote(argument: str) -> str:
    """An Exec argument, quoted as the Desktop Entry specification asks when it needs to be."""
    if not any(ch in argument for ch in " \t\n\"'\\><~|&;$*?#()`"):
        return argument
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return f'"{escaped}"'


def desktop_entry(command: str) -> str:
    return desktop_template().read_text(encoding="utf-8").replace("@EXEC@", command)


def install_desktop(home: Path | None = None, command: str | None = None) -> list[Path]:
    """Write the menu entry, the icons and the MIME type; returns the files written."""
    home = data_home() if home is None else home
    entry = desktop_entry(command or launch_command())
    planned: list[tuple[Path, bytes]] = [
        (home / "applications" / f"{APP_ID}.desktop", entry.encode("utf-8")),
        (home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", icon_path(".svg").read_bytes()),
        (home / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png", icon_path(".png").read_bytes()),
        (home / "mime" / "packages" / f"{APP_ID}.xml", mime_type_file().read_bytes()),
    ]
    written = []
    for path, content in planned:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as temp:
                temp.write_bytes(content)
        except OSError as exc:
            raise DesktopError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written
