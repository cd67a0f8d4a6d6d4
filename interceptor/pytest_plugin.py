"""pytest plugin: the companion in your own Playwright tests of the hall.

Registered through the ``pytest11`` entry point, so installing interceptor is enough::

    def test_register(page, interceptor):
        page.goto("https://rs.jshrss.jiangsu.gov.cn/index/")
        ...
        event = interceptor.wait_for_event("household-type-missing")

- ``interceptor_rules`` (session): the RuleSet (``--interceptor-rules PATH`` for others).
- ``interceptor``: a Companion attached to pytest-playwright's ``page``.
- ``--interceptor-strict`` or ``@pytest.mark.interceptor_strict``: a test fails when its page
  shows an error no rule knows.
- When a test that uses ``interceptor`` fails, a screenshot (with the remedy overlay) and
  the events (personal data masked) are kept under ``--interceptor-output`` (default:
  ``interceptor-results/<test>/``), as owner-only files (0600; the folders we create 0700):
  the page may show a person's data. Not pytest-playwright's ``test-results/``: it empties
  that folder at the start of every run, so a second test file's run lost the first one's.
  Each test replaces only its own folder's files. The failure report says where they are.
- Failure messages and report sections show event texts masked as well.
- Where Playwright's own Chromium is not installed, pytest-playwright is pointed at the
  system Chromium, so a test file anywhere runs without configuration.

The plugin loads in every pytest run of a machine where interceptor is installed, so it
imports nothing heavy at module level and does nothing unless its fixtures are used.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .classify import RuleSet
    from .companion import Companion, Event

STRICT_MARKER = "interceptor_strict"
SCREENSHOT_NAME = "interceptor-screenshot.png"
EVENTS_NAME = "interceptor-events.json"
DEFAULT_OUTPUT = "interceptor-results"
# Unknown errors that arrive just after the test body still count; wait this long for them.
STRICT_GRACE_S = 0.3

_COMPANION = pytest.StashKey["Companion"]()
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_ARTEFACTS = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("interceptor", "interceptor (网办大厅报错助手)")
    group.addoption(
        "--interceptor-strict",
        action="store_true",
        default=False,
        help="fail a test whose page shows an error no rule knows (also: @pytest.mark.interceptor_strict)",
    )
    group.addoption(
        "--interceptor-output",
        metavar="DIR",
        default=None,
        help=f"folder for the screenshot and events of failed tests (default: {DEFAULT_OUTPUT}/)",
    )
    group.addoption(
        "--interceptor-rules",
        action="append",
        metavar="PATH",
        default=None,
        help="rule file or folder instead of the bundled rules (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{STRICT_MARKER}: fail the test when its page shows an error no rule knows"
    )


@pytest.fixture(scope="session")
def interceptor_rules(pytestconfig: pytest.Config) -> RuleSet:
    """The rules the ``interceptor`` fixture classifies with (bundled, or ``--interceptor-rules``)."""
    from .classify import load_rules

    return load_rules(pytestconfig.getoption("--interceptor-rules"))


@pytest.fixture
def interceptor(
    page: Page, interceptor_rules: RuleSet, request: pytest.FixtureRequest
) -> Generator[Companion, None, None]:
    """A Companion watching pytest-playwright's ``page``; dialogs are accepted."""
    from .companion import attach

    artefacts = _artefact_dir(request)
    for stale in (SCREENSHOT_NAME, EVENTS_NAME):  # from an earlier failure of this same test
        with suppress(OSError):
            (artefacts / stale).unlink()
    companion = attach(page, rules=interceptor_rules, dialogs="accept")
    request.node.stash[_COMPANION] = companion
    request.node.stash[_ARTEFACTS] = artefacts
    yield companion
    reports = request.node.stash.get(_REPORTS, {})
    if any(r.failed for r in reports.values()):
        _keep_artefacts(page, companion, artefacts)
    companion.close()


def _artefact_dir(request: pytest.FixtureRequest) -> Path:
    from .files import safe_name

    chosen = request.config.getoption("--interceptor-output") or DEFAULT_OUTPUT
    return Path(chosen).absolute() / safe_name(request.node.nodeid, "test", 200)


def _keep_artefacts(page: Page, companion: Companion, folder: Path) -> None:
    from .files import private_dir, write_private_bytes, write_private_text
    from .privacy import mask, mask_data

    private_dir(folder)
    events = [mask_data(e.to_dict()) for e in companion.events]
    write_private_text(folder / EVENTS_NAME, json.dumps(events, ensure_ascii=False, indent=2))
    try:
        if not page.is_closed():
            # Taken as bytes and written by us: Playwright's own file would follow the umask.
            write_private_bytes(folder / SCREENSHOT_NAME, page.screenshot())
    except Exception as exc:  # a crashed page must not hide the test's own failure
        write_private_text(folder / "interceptor-screenshot-error.txt", mask(str(exc)))


def _strict(item: pytest.Item) -> bool:
    return (
        bool(item.config.getoption("--interceptor-strict"))
        or item.get_closest_marker(STRICT_MARKER) is not None
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    result = yield  # a failing test body raises here and keeps its own failure
    companion = item.stash.get(_COMPANION, None)
    if companion is not None and _strict(item):
        # The page may be closed already; the events so far still count.
        with suppress(Exception):
            companion.watch(STRICT_GRACE_S)
        message = _unknown_message(companion.events)
        if message:
            pytest.fail(message, pytrace=False)
    return result


def _unknown_message(events: list[Event]) -> str:
    """The strict-mode failure for errors no rule knows (texts masked), or "" when there are none."""
    from .privacy import mask

    unknown = [e for e in events if e.rule is None]
    if not unknown:
        return ""
    from .wording import source_words

    listed = "\n".join(f"  {source_words(e.source)}：{mask(e.text)}（{mask(e.frame_url)}）" for e in unknown)
    return f"页面显示了 {len(unknown)} 条规则表里没有的报错：\n{listed}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    companion = item.stash.get(_COMPANION, None)
    if report.when == "call" and report.failed and companion is not None:
        if companion.events:
            report.sections.append(("interceptor 拦截到的报错", _describe(companion.events)))
        folder = item.stash.get(_ARTEFACTS, None)
        if folder is not None:
            report.sections.append(
                ("interceptor 截图和事件", f"保存在 {folder}（{SCREENSHOT_NAME}、{EVENTS_NAME}）")
            )
    return report


def _describe(events: list[Event]) -> str:
    from .privacy import mask
    from .wording import source_words

    return "\n".join(f"{source_words(e.source)}：{e.title or '未识别的报错'}（{e.rule or '规则表里没有'}）"
                     f" 原文：{mask(e.text)}" for e in events)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    result = yield
    if fixturedef.argname == "browser_type_launch_args" and isinstance(result, dict):
        _prefer_system_chromium(result, request)
    return result


def _prefer_system_chromium(launch_args: dict[str, Any], request: pytest.FixtureRequest) -> None:
    """Add the system Chromium to pytest-playwright's launch options when it has none of its own.

    Only for Chromium runs that chose no executable or channel themselves; the dict is the
    fixture's cached value, so filling it in place is what the browser fixture receives.
    """
    if "executable_path" in launch_args or "channel" in launch_args:
        return
    browsers = request.config.getoption("--browser", default=None) or ["chromium"]
    if any(name != "chromium" for name in browsers):
        return
    try:
        playwright = request.getfixturevalue("playwright")
        own = Path(str(playwright.chromium.executable_path))
        if own.exists():
            return
    except Exception:
        pass  # no usable Playwright fixture: let the system browser decide below
    from .browser import QUIET_ARGS, system_chromium_path

    found = system_chromium_path()
    if found is None:
        return  # pytest-playwright then reports its own "browser not installed" error
    launch_args["executable_path"] = found
    launch_args["args"] = [
        *launch_args.get("args", []),
        *(a for a in QUIET_ARGS if a not in launch_args.get("args", [])),
    ]
