"""Files shipped inside the package, in lstm_explorer/resources/: the icon, the desktop entry and
MIME type templates, and example inputs and sessions (the bundled models are found by
:mod:`lstm_explorer.models.bundled`). No Qt: the command line reads them too."""

from __future__ import annotations

from pathlib import Path

#: The name the desktop knows the app by: the .desktop file, the icon and the window class.
APP_ID = "lstm-explorer"


def resources_folder() -> Path:
    # Beside this module (the package is installed as files, never zipped); cheaper at start-up
    # than importlib.resources, and the window reads its icon before its first paint.
    return Path(__file__).resolve().parent / "resources"


def icon_path(suffix: str = ".svg") -> Path:
    """The application icon: ``.svg`` (scalable) or ``.png`` (256 × 256)."""
    return resources_folder() / "icons" / f"{APP_ID}{suffix}"


def desktop_template() -> Path:
    """The .desktop entry, with ``@EXEC@`` where the command that starts the app goes."""
    return resources_folder() / "desktop" / f"{APP_ID}.desktop"


def mime_type_file() -> Path:
    """The shared-mime-info description of ``*.lstmx`` session files."""
    return resources_folder() / "desktop" / f"{APP_ID}-session.xml"


def examples_folder() -> Path:
    """Example inputs (text, CSV) and sessions that open in the window or export from the CLI."""
    return resources_folder() / "examples"
