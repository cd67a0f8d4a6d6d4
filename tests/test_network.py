"""JSON API errors: which responses are errors, and their messages, live and as data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from interceptor import RuleSet
from interceptor.companion import api_error_text, attach
from interceptor.server import LocalServer, Response


@pytest.mark.parametrize(
    ("status", "data", "expected"),
    [
        (200, {"appcode": "1", "msg": "户籍性质为空"}, "户籍性质为空"),
        (200, {"appcode": "0", "msg": "成功"}, None),
        (200, {"code": "-1", "msg": "系统繁忙"}, "系统繁忙"),
        (200, {"code": 200, "msg": "ok"}, None),
        (200, {"code": 0, "data": {}}, None),
        (200, {"flag": False, "resultMsg": "没有符合该人员的参保身份"}, "没有符合该人员的参保身份"),
        (200, {"flag": True, "resultMsg": "办理成功"}, None),
        (400, {"message": "没有权限，请重新登录"}, "没有权限，请重新登录"),
        (400, {"errors": [{"message": "未获取到人员基本信息"}, {"message": "户籍性质为空"}]},
         "未获取到人员基本信息；户籍性质为空"),
        (401, {"appcode": "1", "msg": "Full authentication is required to access this resource"},
         "Full authentication is required to access this resource"),
        (500, {"data": None}, None),
        (200, ["not", "an", "object"], None),
    ],
)
def test_api_error_text(status: int, data: object, expected: str | None) -> None:
    assert api_error_text(status, data) == expected


def routes(method: str, path: str, query: str, body: bytes) -> Response | None:
    if path == "/api/login":
        return Response.json({"message": "获取用户登录信息失败:系统正在维护，请稍后再试.."}, status=400)
    if path == "/api/person":
        return Response.json({"errors": [{"message": "未获取到人员基本信息"}]}, status=400)
    if path == "/api/swallowed":
        # The hall's login page: a failed login answered 200, which its store drops silently.
        return Response.json({"appcode": "1", "msg": "户籍性质为空"})
    if path == "/api/ok":
        return Response.json({"appcode": "0", "msg": "成功", "map": {}})
    return None


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    root: Path = tmp_path_factory.mktemp("api")
    (root / "index.html").write_text(
        "<!DOCTYPE html><meta charset=utf-8><script>"
        "window.call = u => fetch(u).then(r => r.json());"
        "window.shown = u => call(u).then(d => { const e = document.createElement('div');"
        " e.className = 'ant-message-notice'; e.innerHTML = '<div class=\"ant-message-error\"><span></span></div>';"
        " e.querySelector('span').textContent = d.msg; document.body.appendChild(e); });</script>",
        encoding="utf-8",
    )
    with LocalServer(roots=[root], routes=routes) as server:
        yield server


def test_http_400_bodies_become_events(browser: Browser, api_server: LocalServer, ruleset: RuleSet) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        companion = attach(context, rules=ruleset)
        page.goto(api_server.url + "/")
        page.evaluate("() => Promise.all([call('/api/ok'), call('/api/person'), call('/api/login')])")
        known = companion.wait_for_event("person-info-not-found", timeout=5)
        unknown = companion.wait_for_event("unknown", timeout=5)
        assert known.source == unknown.source == "network"
        assert unknown.text == "获取用户登录信息失败:系统正在维护，请稍后再试.."
        companion.watch(0.3)
        assert len(companion.events) == 2
        assert all(e.overlay for e in companion.events)
    finally:
        context.close()


def test_an_api_error_the_page_never_shows_gets_a_card_that_says_so(
    browser: Browser, api_server: LocalServer, ruleset: RuleSet
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        companion = attach(context, rules=ruleset)
        page.goto(api_server.url + "/")
        page.evaluate("() => call('/api/swallowed')")  # the page drops the answer
        event = companion.wait_for_event("household-type-missing", timeout=5)
        assert event.source == "network" and event.hidden and event.overlay
        [card] = companion.overlay(page).cards()
        assert "大厅没有在页面上显示这条消息" in card["text"]
    finally:
        context.close()


def test_an_api_error_the_page_shows_gets_the_plain_card_at_once(
    browser: Browser, api_server: LocalServer, ruleset: RuleSet
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        companion = attach(context, rules=ruleset)
        page.goto(api_server.url + "/")
        page.evaluate("() => shown('/api/swallowed')")  # the page shows a toast with the message
        event = companion.wait_for_event("household-type-missing", timeout=5)
        assert not event.hidden and event.overlay  # seen first as its response or as its toast
        [card] = companion.overlay(page).cards()
        assert "大厅没有在页面上显示" not in card["text"]
        companion.watch(0.5)
        assert len(companion.events) == 1  # its toast is the same error, not a second one
    finally:
        context.close()
