"""``interceptor shortcut``: the desktop .bat on a (simulated) Windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from interceptor.cli import main
from interceptor.shortcut import BAT_NAME


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A Windows user 张三 with a pipx-style venv whose Scripts folder holds interceptor.exe."""
    home = tmp_path / "Users" / "张三"
    (home / "Desktop").mkdir(parents=True)
    scripts = home / "pipx" / "venvs" / "interceptor" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").write_text("")
    (scripts / "interceptor.exe").write_text("")
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setattr("sys.executable", str(scripts / "python.exe"))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.delenv("ONEDRIVE", raising=False)
    return home


def test_shortcut_on_the_desktop_starts_launch_of_this_installation(
    windows: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["shortcut"]) == 0
    bat = windows / "Desktop" / BAT_NAME
    raw = bat.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "a BOM would break cmd's first line"
    lines = raw.decode("utf-8").split("\r\n")
    assert lines[0] == "@echo off" and lines[1] == "chcp 65001 >nul"
    exe = windows / "pipx" / "venvs" / "interceptor" / "Scripts" / "interceptor.exe"
    assert f'"{exe}" "launch" %*' in lines
    assert "if errorlevel 1 pause" in lines
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert str(bat) in capsys.readouterr().out


def test_shortcut_keeps_the_chosen_browser_and_escapes_percent_signs(
    windows: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    odd = tmp_path / "100%" / "interceptor"
    odd.mkdir(parents=True)
    (odd / "python.exe").write_text("")
    monkeypatch.setattr("sys.executable", str(odd / "python.exe"))  # no interceptor.exe beside it
    assert main(["shortcut", "--channel", "msedge"]) == 0
    text = (windows / "Desktop" / BAT_NAME).read_text(encoding="utf-8")
    assert f'"{tmp_path}/100%%/interceptor/python.exe" "-m" "interceptor.cli" "launch" "--channel" "msedge" %*' in text


def test_onedrive_desktop_is_used_when_windows_moved_it_there(
    windows: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    onedrive = tmp_path / "OneDrive - 某公司"
    (onedrive / "Desktop").mkdir(parents=True)
    monkeypatch.setenv("ONEDRIVE", str(onedrive))
    assert main(["shortcut"]) == 0
    assert (onedrive / "Desktop" / BAT_NAME).is_file()
    assert not (windows / "Desktop" / BAT_NAME).exists()


def test_no_desktop_asks_for_a_folder(windows: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (windows / "Desktop").rmdir()
    assert main(["shortcut"]) == 1
    assert "请用 --folder 指定" in capsys.readouterr().err


def test_outside_windows_it_explains_instead_of_writing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    (tmp_path / "Desktop").mkdir()
    assert main(["shortcut"]) == 2
    assert "只用于 Windows" in capsys.readouterr().err
    assert list((tmp_path / "Desktop").iterdir()) == []
