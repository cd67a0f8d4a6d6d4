"""The demo hall's login page: errors the real one shows as toasts, and the one it swallows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from interceptor import RuleSet
from interceptor.companion import Companion, attach
from interceptor.demo import start_demo_server
from interceptor.server import LocalServer


@pytest.fixture(scope="module")
def hall() -> Iterator[LocalServer]:
    with start_demo_server() as server:
        yield server


@pytest.fixture()
def login(browser: Browser, hall: LocalServer, ruleset: RuleSet) -> Iterator[tuple[Page, Companion]]:
    context = browser.new_context()
    page = context.new_page()
    companion = attach(context, rules=ruleset)
    page.goto(f"{hall.url}/login/index.html")
    page.wait_for_selector(".btn-login")
    yield page, companion
    context.close()


def fill(page: Page, code: str, password: str) -> None:
    page.fill("input[name=code]", code)
    page.fill("input[name=account]", "13800000000")
    page.fill("input[name=password]", password)


def test_a_failed_login_the_page_swallows_gets_a_card_saying_the_hall_did_not_show_it(
    login: tuple[Page, Companion]
) -> None:
    page, companion = login
    fill(page, "32010012345", "wrong-password")
    page.click(".btn-login")
    event = companion.wait_for_event(timeout=6)
    assert event.source == "network" and event.hidden and event.overlay
    assert event.text == "账号或密码错误，请重新输入"
    assert page.locator(".ant-message-notice").count() == 0  # the page itself showed nothing
    [card] = companion.overlay(page).cards()
    assert "大厅没有在页面上显示这条消息" in card["text"] and "账号或密码错误" in card["text"]


def test_a_good_login_raises_nothing(login: tuple[Page, Companion]) -> None:
    page, companion = login
    fill(page, "32010012345", "Demo@2026")
    page.click(".btn-login")
    page.wait_for_selector(".ant-message-success")
    companion.watch(1.0)
    assert companion.events == []


@pytest.mark.parametrize(
    ("link", "text", "rule"),
    [(".link-sms", "您的请求出现错误，请稍后再试", "request-error-retry"),
     (".link-guide", "您访问的资源不存在", "resource-not-found")],
)
def test_transport_failures_show_the_halls_fixed_toasts_and_are_intercepted(
    login: tuple[Page, Companion], link: str, text: str, rule: str
) -> None:
    page, companion = login
    page.click(link)
    event = companion.wait_for_event(timeout=6)
    assert event.text == text and event.source == "dom" and not event.hidden
    assert event.rule == rule and event.overlay


def test_empty_fields_warn_and_the_warning_is_intercepted(login: tuple[Page, Companion]) -> None:
    page, companion = login
    page.click(".btn-login")
    event = companion.wait_for_event(timeout=6)
    assert event.text == "统一社会信用代码、账号密码不能为空" and event.source == "dom"
    assert event.rule == "unit-login-fields-empty"
