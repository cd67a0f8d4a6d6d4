"""``interceptor launch``: a headless stand-in for the headed assisted session."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_support import pages_server

from interceptor.cli import main
from interceptor.eventlog import read_events
from interceptor.launch import LOG_NAME, default_profile
from interceptor.server import LocalServer

__all__ = ["pages_server"]


def test_launch_watches_the_page_and_logs_events_in_the_profile(
    pages_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "profile"
    url = f"{pages_server.url}/girder-error-modal/"
    code = main(["launch", url, "--profile", str(profile), "--headless", "--duration", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "关闭浏览器或按 Ctrl-C 结束" in out
    assert "拦截到报错：员工的户籍性质为空" in out
    assert "浏览器已关闭，助手结束。本次拦截到 1 条报错" in out
    [event] = read_events(profile / LOG_NAME)
    assert event["rule"] == "household-type-missing" and event["source"] == "dom"
    # The browser profile lives in the same folder, so a login survives restarts.
    assert (profile / "Default").is_dir()


def test_launch_reports_an_unreachable_cdp_endpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["launch", "--cdp", "http://127.0.0.1:9", "--profile", str(tmp_path)])
    assert code == 1
    assert "无法连接 http://127.0.0.1:9" in capsys.readouterr().err


def test_default_profile_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_profile() == tmp_path / "interceptor" / "profile"
