"""``interceptor launch``: a headless stand-in for the headed assisted session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from live_support import pages_server

from interceptor.browser import executable_path
from interceptor.eventlog import read_events
from interceptor.launch import LOG_NAME, default_profile
from interceptor.server import LocalServer

__all__ = ["pages_server"]


REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    # A process of its own: pytest-playwright's browser already owns this thread's loop.
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "interceptor.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_launch_watches_the_page_and_logs_events_in_the_profile(pages_server: LocalServer, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    url = f"{pages_server.url}/girder-error-modal/"
    result = run_cli("launch", url, "--profile", str(profile), "--headless", "--duration", "3")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    # Headless with --duration: neither "close the browser" nor "the browser was closed".
    assert "3 秒后自动结束" in out and "关闭浏览器或按" not in out
    assert "拦截到报错：员工的户籍性质为空" in out
    assert "时间到，助手结束，浏览器已关闭。本次拦截到 1 条报错" in out
    [event] = read_events(profile / LOG_NAME)
    assert event["rule"] == "household-type-missing" and event["source"] == "dom"
    assert event["overlay"] is True  # logged once the top page confirmed the overlay
    # The browser profile lives in the same folder, so a login survives restarts.
    assert (profile / "Default").is_dir()


def test_launch_reports_an_unreachable_cdp_endpoint(tmp_path: Path) -> None:
    result = run_cli("launch", "--cdp", "http://127.0.0.1:9", "--profile", str(tmp_path))
    assert result.returncode == 3  # this computer lacks something: exit code 3
    assert "无法连接 http://127.0.0.1:9" in result.stderr


def test_default_profile_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_profile() == tmp_path / "interceptor" / "profile"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_launch_attaches_over_cdp_and_leaves_the_browser_open(pages_server: LocalServer, tmp_path: Path) -> None:
    port = free_port()
    chromium = executable_path() or "chromium"
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", f"--remote-debugging-port={port}",
         f"--user-data-dir={tmp_path / 'own-browser'}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:  # the person's browser takes a moment to open its debugging port
            try:
                urllib.request.urlopen(endpoint + "/json/version", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        result = run_cli(
            "launch", f"{pages_server.url}/layui-alert/", "--cdp", endpoint,
            "--profile", str(tmp_path / "profile"), "--duration", "3",
        )
        assert result.returncode == 0, result.stderr
        assert "助手已断开，浏览器保持打开" in result.stdout
        assert [e["rule"] for e in read_events(tmp_path / "profile" / LOG_NAME)] == ["unemployment-benefit-overlap"]
        assert browser.poll() is None  # still running
    finally:
        browser.terminate()
        browser.wait(timeout=10)
