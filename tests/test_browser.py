"""Browser discovery and running our own Playwright from inside a pytest-playwright test."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page

from interceptor.browser import launch_options, own_playwright_thread


@own_playwright_thread
def _thread_name() -> str:
    return threading.current_thread().name


def test_own_playwright_thread_runs_inline_without_a_loop() -> None:
    assert _thread_name() == threading.current_thread().name


def test_own_playwright_thread_moves_off_a_running_loop() -> None:
    async def inside() -> str:
        return _thread_name()

    assert asyncio.run(inside()).startswith("interceptor-playwright")


def test_replay_can_run_inside_a_pytest_playwright_test(page: Page, tmp_path: Path) -> None:
    from interceptor.replay import replay_targets

    page.set_content("<p>pytest-playwright keeps its loop running in this thread</p>")
    html = tmp_path / "p.html"
    html.write_text('<div role="alert">保存失败：户籍性质为空</div>', encoding="utf-8")
    results = replay_targets([str(html)], wait=1.0)
    assert results[0].error is None
    assert [e["rule"] for e in results[0].events] == ["household-type-missing"]


def test_launch_options_name_a_browser_and_quiet_flags() -> None:
    options = launch_options(headless=True)
    assert "--disable-background-networking" in options["args"]
    assisted = launch_options(headless=False, assisted=True)
    assert "--enable-automation" in assisted["ignore_default_args"]


def test_sandbox_stays_on_for_a_person_and_is_off_only_as_root_or_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    for assisted in (False, True):
        options = launch_options(headless=not assisted, assisted=assisted)
        assert options["chromium_sandbox"] is True
        assert "--no-sandbox" not in options["args"]
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert launch_options()["chromium_sandbox"] is False
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    monkeypatch.setenv("CI", "true")
    assert launch_options()["chromium_sandbox"] is False
