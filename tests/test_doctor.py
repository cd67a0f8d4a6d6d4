"""``interceptor doctor``: one ✔/⚠/✘ line per check, a fix under each ✘, exit 1 when anything fails."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from interceptor import browser
from interceptor.browser import choose_browser
from interceptor.cli import main
from interceptor.doctor import FAIL, OK, WARN, Check, render


@pytest.fixture(autouse=True)
def own_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """launch's default profile under a fresh XDG_DATA_HOME, no display."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    status = main(["doctor", *argv])
    return status, capsys.readouterr().out.splitlines()


def line_of(lines: list[str], name: str) -> tuple[str, str | None]:
    """The line of check ``name`` and the 解决办法 line under it (if any)."""
    for n, line in enumerate(lines):
        if line[2:].startswith(name + "："):
            after = lines[n + 1] if n + 1 < len(lines) else ""
            return line, after.strip() if after.startswith("    解决办法：") else None
    raise AssertionError(f"no line for {name} in {lines}")


def test_doctor_on_this_machine_is_happy_and_only_warns_about_the_missing_display(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, lines = doctor(capsys)
    assert status == 0, lines
    for name in ("版本", "浏览器", "中文字体", "文字识别", "资料目录", "事件日志", "规则表", "演示大厅"):
        assert line_of(lines, name)[0].startswith("✔"), lines
    found, fix = line_of(lines, "浏览器窗口")
    assert found.startswith("⚠") and fix is not None
    assert "已试启动成功" in line_of(lines, "浏览器")[0]
    from interceptor.version import installed_version

    assert f"interceptor {installed_version()}" in line_of(lines, "版本")[0]
    assert lines[-1] == "可以使用，有 1 项提醒（见上）。"


def test_a_browser_path_that_points_nowhere_fails_with_a_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INTERCEPTOR_CHROMIUM", "/nowhere/chromium")
    status, lines = doctor(capsys)
    assert status == 1
    found, fix = line_of(lines, "浏览器")
    assert found == "✘ 浏览器：环境变量 INTERCEPTOR_CHROMIUM 指定的浏览器 /nowhere/chromium 不存在。"
    assert fix is not None and "完整路径" in fix
    assert "按上面的“解决办法”" in lines[-1]


def test_no_browser_on_path_fails_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("INTERCEPTOR_CHROMIUM", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-playwright-browsers"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    browser._playwright_chromium_on.cache_clear()
    try:
        status, lines = doctor(capsys)
    finally:
        browser._playwright_chromium_on.cache_clear()
    assert status == 1
    found, fix = line_of(lines, "浏览器")
    assert found == "✘ 浏览器：没有找到可用的浏览器。"
    assert fix is not None and "apt-get install chromium" in fix


def test_a_browser_that_does_not_start_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    status, lines = doctor(capsys, "--browser", str(fake))
    assert status == 1
    found, fix = line_of(lines, "浏览器")
    assert found.startswith(f"✘ 浏览器：使用 --browser 指定的浏览器 {fake}。但它无法启动")
    assert fix is not None


def test_a_profile_folder_that_cannot_be_created_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, lines = doctor(capsys, "--profile", str(blocker / "profile"))
    assert status == 1
    found, fix = line_of(lines, "资料目录")
    assert found.startswith("✘") and "无法创建" in found
    assert fix is not None and "--profile" in fix
    found, fix = line_of(lines, "事件日志")
    assert found.startswith("✘") and fix is not None


def test_a_profile_folder_others_can_read_fails_with_chmod(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    profile.mkdir(mode=0o755)
    profile.chmod(0o755)
    status, lines = doctor(capsys, "--profile", str(profile))
    assert status == 1
    found, fix = line_of(lines, "资料目录")
    assert found.startswith("✘") and "755" in found
    assert fix == f"解决办法：chmod 700 {profile}"


def test_an_event_log_others_can_read_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir(mode=0o700)
    log = profile / "interceptor-events.jsonl"
    log.write_text("")
    log.chmod(0o644)
    status, lines = doctor(capsys, "--profile", str(profile))
    assert status == 1
    found, fix = line_of(lines, "事件日志")
    assert found.startswith("✘") and fix == f"解决办法：chmod 600 {log}"


@pytest.fixture
def browser_holding(tmp_path: Path) -> Iterator[Path]:
    """A real Chromium running on a private profile folder (so it holds the profile lock)."""
    profile = tmp_path / "locked-profile"
    profile.mkdir(mode=0o700)
    executable = choose_browser().path
    assert executable is not None
    process = subprocess.Popen(
        [executable, "--headless", "--no-sandbox", f"--user-data-dir={profile}", "--no-first-run",
         "--disable-gpu", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not os.path.lexists(profile / "SingletonLock") and time.monotonic() < deadline:
            time.sleep(0.1)  # a plain subprocess, not Playwright: polling the file is all there is
        assert os.path.lexists(profile / "SingletonLock"), "Chromium did not lock its profile"
        yield profile
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_profile_in_use_by_a_running_browser_fails(
    capsys: pytest.CaptureFixture[str], browser_holding: Path
) -> None:
    status, lines = doctor(capsys, "--profile", str(browser_holding))
    assert status == 1
    found, fix = line_of(lines, "资料目录")
    assert found.startswith("✘") and "正被另一个浏览器（进程 " in found
    assert fix is not None and "关闭" in fix


def test_a_stale_lock_left_by_a_crashed_browser_is_no_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    profile.mkdir(mode=0o700)
    finished = subprocess.run(["true"], check=True)
    assert finished.returncode == 0
    dead = subprocess.Popen(["true"])
    dead.wait()
    os.symlink(f"{socket.gethostname()}-{dead.pid}", profile / "SingletonLock")
    status, lines = doctor(capsys, "--profile", str(profile))
    assert line_of(lines, "资料目录")[0].startswith("✔")
    assert status == 0


class _DevTools(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"Browser": "Chrome/140.0.0.0"}).encode() if self.path == "/json/version" else b""
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_cdp_endpoint_reachable_or_not(capsys: pytest.CaptureFixture[str]) -> None:
    server = HTTPServer(("127.0.0.1", 0), _DevTools)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, lines = doctor(capsys, "--cdp", f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
    assert status == 0
    assert line_of(lines, "远程调试")[0].startswith("✔") and "Chrome/140" in line_of(lines, "远程调试")[0]
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, lines = doctor(capsys, "--cdp", f"http://127.0.0.1:{port}")
    assert status == 1
    found, fix = line_of(lines, "远程调试")
    assert found.startswith("✘") and fix is not None and "--remote-debugging-port=9222" in fix


def test_a_chinese_windows_console_gets_marks_it_can_show() -> None:
    checks = [Check("版本", OK, "好"), Check("浏览器窗口", WARN, "提醒", "办法"), Check("浏览器", FAIL, "坏", "修")]
    text = render(checks, "gbk")
    text.encode("gbk")
    assert text.splitlines()[:4] == ["√ 版本：好", "! 浏览器窗口：提醒", "    解决办法：办法", "× 浏览器：坏"]
    assert render(checks, "utf-8").startswith("✔ 版本：好")
