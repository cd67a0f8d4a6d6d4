"""Which browser is started and why: ``choose_browser`` on Windows, macOS and Linux (simulated)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from interceptor import browser
from interceptor.browser import choose_browser, launch_options
from interceptor.errors import BrowserError

WIN_CHROME = r"C:\Program Files\Google\Chrome\Application\chrome.exe"
WIN_EDGE = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
MAC_EDGE = "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"


@pytest.fixture(autouse=True)
def bare_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No Playwright browser, nothing on PATH, no override: each test adds what it needs."""
    monkeypatch.delenv("INTERCEPTOR_CHROMIUM", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("PROGRAMFILES", r"C:\Program Files")
    monkeypatch.setenv("PROGRAMFILES(X86)", r"C:\Program Files (x86)")
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\张三\AppData\Local")
    browser._playwright_chromium_on.cache_clear()
    yield
    browser._playwright_chromium_on.cache_clear()


def installed(monkeypatch: pytest.MonkeyPatch, *paths: str) -> None:
    present = set(paths)
    real_exists = os.path.exists
    monkeypatch.setattr(os.path, "exists", lambda p: str(p) in present or real_exists(p))


def playwright_chromium(tmp_path: Path, tail: str) -> Path:
    exe = tmp_path / "ms-playwright" / "chromium-1200" / tail
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    return exe


@pytest.mark.parametrize(("platform", "paths", "channel"), [
    ("win32", [WIN_CHROME, WIN_EDGE], "chrome"),
    ("win32", [WIN_EDGE], "msedge"),
    ("darwin", [MAC_CHROME, MAC_EDGE], "chrome"),
    ("darwin", [MAC_EDGE], "msedge"),
])
def test_windows_and_macos_use_the_installed_chrome_then_edge_by_channel(
    monkeypatch: pytest.MonkeyPatch, platform: str, paths: list[str], channel: str
) -> None:
    installed(monkeypatch, *paths)
    monkeypatch.setattr("sys.platform", platform)
    choice = choose_browser()
    assert (choice.kind, choice.channel, choice.executable_path) == (channel, channel, None)
    assert choice.path == paths[0]
    assert f"本机安装的 {'Chrome' if channel == 'chrome' else 'Edge'}（{paths[0]}）" in choice.reason
    options = launch_options(headless=False, assisted=True)
    assert options["channel"] == channel and "executable_path" not in options
    assert {"headless", "chromium_sandbox", "args"} <= options.keys()


def test_chrome_installed_for_one_user_only_is_found_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    user_chrome = r"C:\Users\张三\AppData\Local\Google\Chrome\Application\chrome.exe"
    installed(monkeypatch, user_chrome)
    choice = choose_browser(platform="win32")
    assert (choice.channel, choice.path) == ("chrome", user_chrome)


def test_playwrights_own_chromium_comes_before_chrome_and_edge(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed(monkeypatch, WIN_CHROME, WIN_EDGE)
    exe = playwright_chromium(tmp_path, "chrome-win/chrome.exe")
    choice = choose_browser(platform="win32")
    assert (choice.kind, choice.path, choice.options()) == ("playwright", str(exe), {})
    assert "Playwright 自带的 Chromium" in choice.reason


def test_linux_uses_debians_chromium_and_never_a_windows_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed(monkeypatch, WIN_CHROME, MAC_CHROME)
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    chromium = bin_dir / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    choice = choose_browser(platform="linux")
    assert (choice.kind, choice.executable_path, choice.channel) == ("system", str(chromium), None)
    assert str(chromium) in choice.reason


def test_a_browser_given_by_path_or_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed(monkeypatch, WIN_CHROME)
    playwright_chromium(tmp_path, "chrome-linux/chrome")
    mine = tmp_path / "my-chrome"
    mine.write_text("")
    choice = choose_browser(str(mine), platform="win32")
    assert (choice.kind, choice.executable_path) == ("given", str(mine))
    assert "--browser" in choice.reason
    assert launch_options(browser=str(mine))["executable_path"] == str(mine)
    monkeypatch.setenv("INTERCEPTOR_CHROMIUM", str(mine))
    assert "INTERCEPTOR_CHROMIUM" in choose_browser().reason


def test_a_browser_given_that_does_not_exist_is_refused_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERCEPTOR_CHROMIUM", "/nowhere/chrome")
    with pytest.raises(BrowserError, match="INTERCEPTOR_CHROMIUM 指定的浏览器 /nowhere/chrome 不存在"):
        choose_browser()


@pytest.mark.parametrize(("platform", "advice"), [
    ("win32", "请安装 Chrome 或 Edge"),
    ("darwin", "应用程序"),
    ("linux", "apt-get install chromium"),
])
def test_no_browser_at_all_says_what_to_install(platform: str, advice: str) -> None:
    with pytest.raises(BrowserError, match="没有找到可用的浏览器") as caught:
        choose_browser(platform=platform)
    assert advice in str(caught.value)
