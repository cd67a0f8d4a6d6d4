"""``interceptor shortcut``: a ``.bat`` on the Windows desktop that starts ``interceptor launch``.

A clerk double-clicks it instead of opening a terminal. The file names the ``interceptor.exe``
of the installation that wrote it (pipx or a venv: the one beside ``sys.executable``), so it
keeps working when several Pythons are installed. It is UTF-8 and switches the console to
code page 65001 first, because user folders on Chinese Windows often have Chinese names.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BAT_NAME = "网办大厅报错助手.bat"
TITLE = "网办大厅报错助手"


def desktop_folder() -> Path | None:
    """The person's desktop: the one Windows' shell names, else OneDrive's, else the profile's."""
    registered = _registry_desktop()
    if registered is not None and registered.is_dir():
        return registered
    candidates = [os.environ.get("ONEDRIVE"), os.environ.get("USERPROFILE")]
    for base in candidates:
        if base and (Path(base) / "Desktop").is_dir():
            return Path(base) / "Desktop"
    return None


def _registry_desktop() -> Path | None:
    if sys.platform != "win32":
        return None
    try:
        import winreg

        key_name = r"Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders"
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_name) as key:  # type: ignore[attr-defined,unused-ignore]
            value, _ = winreg.QueryValueEx(key, "Desktop")  # type: ignore[attr-defined,unused-ignore]
    except (ImportError, OSError):
        return None
    return Path(os.path.expandvars(str(value)))


def launcher_command(*, channel: str | None = None, browser: str | None = None) -> list[str]:
    """``interceptor launch`` of this installation, with the options to keep."""
    scripts = Path(sys.executable).parent
    exe = scripts / ("interceptor.exe" if sys.platform == "win32" else "interceptor")
    command = [str(exe)] if exe.is_file() else [sys.executable, "-m", "interceptor.cli"]
    command.append("launch")
    if channel:
        command += ["--channel", channel]
    if browser:
        command += ["--browser", browser]
    return command


def _quoted(word: str) -> str:
    # cmd expands %NAME% even inside quotes; a literal percent sign is written %%.
    return '"' + word.replace("%", "%%") + '"'


def bat_text(command: list[str]) -> str:
    """The batch file: CRLF lines, UTF-8 after ``chcp 65001``, pauses only when launch failed."""
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        f"rem {TITLE}：双击启动 interceptor launch（由 interceptor shortcut 生成）",
        f"title {TITLE}",
        " ".join(_quoted(word) for word in command) + " %*",
        "if errorlevel 1 pause",
    ]
    return "\r\n".join(lines) + "\r\n"


def write_shortcut(folder: Path, command: list[str]) -> Path:
    path = folder / BAT_NAME
    path.write_bytes(bat_text(command).encode("utf-8"))
    return path


def run(args: argparse.Namespace) -> int:
    given = getattr(args, "folder", None)
    if sys.platform != "win32" and not given:
        print("桌面快捷方式只用于 Windows；在 macOS 和 Linux 上请在终端里运行 interceptor launch。", file=sys.stderr)
        return 2
    folder = Path(given).expanduser() if given else desktop_folder()
    if folder is None or not folder.is_dir():
        print(f"找不到桌面文件夹{f'（{folder}）' if folder else ''}：请用 --folder 指定要放快捷方式的文件夹。",
              file=sys.stderr)
        return 1
    command = launcher_command(channel=getattr(args, "channel", None), browser=getattr(args, "browser", None))
    try:
        path = write_shortcut(folder, command)
    except OSError as exc:
        print(f"无法在 {folder} 写入快捷方式（{exc.strerror or exc}）：请用 --folder 指定另一个文件夹。", file=sys.stderr)
        return 1
    print(f"已放好：{path}")
    print("双击它即可启动助手；关闭浏览器窗口即结束。")
    print(f"它运行的是：{' '.join(command)}")
    return 0
