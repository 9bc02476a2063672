"""Desktop integration: --install-desktop writes the menu entry, icons and MIME type into the
user's XDG folders (here a temporary one), and --version answers."""

import shutil
import subprocess
import sys

import pytest

from lstm_explorer import __version__
from lstm_explorer.assets import examples_folder, icon_path
from lstm_explorer.cli import main
from lstm_explorer.desktop import desktop_entry, launch_command


def test_install_desktop_writes_the_entry_icons_and_mime_type(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--install-desktop"]) == 0
    out = capsys.readouterr().out.splitlines()
    entry = tmp_path / "applications" / "lstm-explorer.desktop"
    svg = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "lstm-explorer.svg"
    png = tmp_path / "icons" / "hicolor" / "256x256" / "apps" / "lstm-explorer.png"
    mime = tmp_path / "mime" / "packages" / "lstm-explorer.xml"
    assert out[:4] == [f"wrote {p}" for p in (entry, svg, png, mime)]
    text = entry.read_text()
    assert "[Desktop Entry]" in text and "Name=LSTM Explorer" in text and "Icon=lstm-explorer" in text
    assert f"Exec={launch_command()} %f" in text.splitlines()
    assert "MimeType=application/x-lstm-explorer-session;" in text
    assert svg.read_bytes() == icon_path(".svg").read_bytes()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Installing again replaces the files and leaves nothing else.
    assert main(["--install-desktop"]) == 0
    assert sorted(p.name for p in entry.parent.iterdir()) == ["lstm-explorer.desktop"]


def test_a_relative_xdg_data_home_is_ignored(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert main(["--install-desktop"]) == 0
    assert (tmp_path / ".local" / "share" / "applications" / "lstm-explorer.desktop").is_file()


def test_an_unwritable_place_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["--install-desktop"]) == 2
    err = capsys.readouterr().err
    assert err == f"lstm-explorer: error: cannot write {blocker}/applications/lstm-explorer.desktop: Not a directory\n"


def test_exec_starts_this_installation_quoted_when_its_path_has_spaces(tmp_path, monkeypatch):
    bin_folder = tmp_path / "my apps" / "bin"
    bin_folder.mkdir(parents=True)
    script = bin_folder / "lstm-explorer"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_folder / "python3"))
    assert f'Exec="{script}" %f' in desktop_entry(launch_command()).splitlines()
    script.unlink()  # no script beside this Python and none on PATH: the Python runs the package
    monkeypatch.setenv("PATH", str(tmp_path))
    assert f'Exec="{bin_folder}/python3" -m lstm_explorer %f' in desktop_entry(launch_command()).splitlines()


@pytest.mark.skipif(shutil.which("update-mime-database") is None, reason="shared-mime-info not installed")
def test_the_mime_type_is_understood_by_shared_mime_info(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--install-desktop"]) == 0
    subprocess.run(["update-mime-database", str(tmp_path / "mime")], check=True, capture_output=True)
    assert "application/x-lstm-explorer-session:*.lstmx" in (tmp_path / "mime" / "globs2").read_text()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_entry_passes_desktop_file_validate(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--install-desktop"]) == 0
    entry = tmp_path / "applications" / "lstm-explorer.desktop"
    checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"lstm-explorer {__version__}\n"


def test_every_example_session_opens(tmp_path):
    from lstm_explorer.session_file import read_session, session_document

    sessions = sorted(examples_folder().glob("*.lstmx"))
    assert sessions
    for path in sessions:
        document = session_document(read_session(path))
        assert document.playback.steps > 0
