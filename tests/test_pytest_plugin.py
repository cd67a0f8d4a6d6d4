"""The pytest plugin, run as a user would: test files in a fresh folder, pytest in a subprocess.

The folder has no conftest, so these runs also show that the plugin points pytest-playwright
at the system Chromium by itself.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from interceptor.browser import playwright_chromium_path, system_chromium_path

pytest_plugins = ["pytester"]

# A page served by a route, so the runs need no server and no network.
PAGE_HELPERS = '''
import pytest

HALL = "http://hall.test/"


def show(page, html):
    page.route(HALL, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                  body="<!DOCTYPE html><meta charset=utf-8><body>" + html))
    page.goto(HALL)
'''


def _plugin_args() -> list[str]:
    """Load the plugin explicitly only where its entry point is not installed (a bare checkout)."""
    installed = any(ep.value == "interceptor.pytest_plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "interceptor.pytest_plugin"]


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*_plugin_args(), "-p", "no:cacheprovider", *args, timeout=240)


def test_known_error_passes_on_system_chromium_without_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PAGE_HELPERS + f'''

def test_household(page, interceptor):
    show(page, '<div role="alert">保存失败：户籍性质为空</div>')
    event = interceptor.wait_for_event("household-type-missing", timeout=10)
    assert event.source == "dom"
    assert page.locator('[data-interceptor-overlay][data-rule="household-type-missing"]').count() == 1


def test_rules_fixture(interceptor_rules):
    assert interceptor_rules.classify("人员信息已采集，人员编号为3205001").rule.id == "person-already-collected"


def test_launch_args(browser_type_launch_args):
    # No conftest here: where Playwright has no Chromium of its own, the plugin chose the system one.
    assert browser_type_launch_args.get("executable_path") == {_expected_executable()!r}
''')
    result = _run(pytester)
    result.assert_outcomes(passed=3)


def _expected_executable() -> str | None:
    return None if playwright_chromium_path() is not None else system_chromium_path()


UNKNOWN_PAGE = PAGE_HELPERS + '''

def test_plain(page, interceptor):
    show(page, '<div role="alert">系统正在维护，请稍后再试..</div>')
    interceptor.wait_for_event("unknown", timeout=10)


@pytest.mark.interceptor_strict
def test_marked(page, interceptor):
    show(page, '<div role="alert">系统正在维护，请稍后再试..</div>')
    interceptor.wait_for_event("unknown", timeout=10)


@pytest.mark.interceptor_strict
def test_marked_known_only(page, interceptor):
    show(page, '<div role="alert">未获取到人员基本信息</div>')
    interceptor.wait_for_event("person-info-not-found", timeout=10)
'''


def test_unknown_error_fails_only_under_marker_or_strict_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNKNOWN_PAGE)
    result = _run(pytester, "-rf")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*规则表里没有的报错*", "*系统正在维护*", "FAILED *::test_marked?chromium?*"])
    # Without --interceptor-output, artefacts go to interceptor-results/<test>/, and the report says so.
    result.stdout.fnmatch_lines(["*interceptor 截图和事件*", "*保存在 *interceptor-results*"])
    kept = sorted(p.parent.name for p in (pytester.path / "interceptor-results").rglob("interceptor-screenshot.png"))
    assert len(kept) == 1 and "test_marked" in kept[0], kept

    strict = _run(pytester, "--interceptor-strict", "-rf")
    strict.assert_outcomes(passed=1, failed=2)
    strict.stdout.fnmatch_lines(["FAILED *::test_plain?chromium?*", "FAILED *::test_marked?chromium?*"])


def test_failure_keeps_screenshot_and_events(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PAGE_HELPERS + '''

def test_fails_after_error(page, interceptor):
    show(page, '<div role="alert">该人员为灵活就业参保人员 320583198805126011</div>')
    interceptor.wait_for_event("flexible-employment-insured", timeout=10)
    assert False, "the clerk's flow stopped here"


def test_passes(page, interceptor):
    show(page, "<p>ok</p>")
''')
    out = pytester.path / "artefacts"
    result = _run(pytester, f"--interceptor-output={out}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*interceptor 拦截到的报错*", "*flexible-employment-insured*"])
    result.stdout.fnmatch_lines([f"*保存在 {out}*"])
    kept = sorted(p.name for p in out.iterdir())
    assert len(kept) == 1 and "test_fails_after_error" in kept[0], kept
    folder = out / kept[0]
    assert (folder / "interceptor-screenshot.png").stat().st_size > 1000
    events = json.loads((folder / "interceptor-events.json").read_text(encoding="utf-8"))
    assert [e["rule"] for e in events] == ["flexible-employment-insured"]
    # Personal data stays masked in artefacts.
    assert "320583198805126011" not in json.dumps(events, ensure_ascii=False)
    assert "**************6011" in events[0]["text"]


def test_plugin_is_harmless_without_browser(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
def test_plain():
    assert 1 + 1 == 2
''')
    result = _run(pytester, "-p", "no:playwright")
    result.assert_outcomes(passed=1)
    assert Path(pytester.path / "test-results").exists() is False


def test_a_later_run_keeps_an_earlier_runs_artefacts(pytester: pytest.Pytester) -> None:
    failing = PAGE_HELPERS + '''

def test_{name}(page, interceptor):
    show(page, '<div role="alert">户籍性质为空</div>')
    interceptor.wait_for_event("household-type-missing", timeout=10)
    assert False
'''
    pytester.makepyfile(test_first=failing.format(name="first"))
    _run(pytester, "test_first.py").assert_outcomes(failed=1)
    pytester.makepyfile(test_second=failing.format(name="second"))
    _run(pytester, "test_second.py").assert_outcomes(failed=1)
    kept = sorted(p.parent.name for p in (pytester.path / "interceptor-results").rglob("interceptor-events.json"))
    assert len(kept) == 2 and "test_first" in kept[0] and "test_second" in kept[1], kept
