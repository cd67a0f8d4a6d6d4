"""Native dialogs: accept, dismiss, and leave (the person answers; we never do)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Dialog, Page

from interceptor import RuleSet
from interceptor.companion import attach

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<button id="ask" onclick="window.answer = confirm('户籍性质为空，是否仍然提交？'); window.done = 1">提交</button>
<button id="name" onclick="window.typed = prompt('未获取到人员基本信息，请输入姓名', '张三')">姓名</button>
</body></html>"""


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.route("http://interceptor.test/**", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.goto("http://interceptor.test/")
    yield page
    context.close()


def overlay_rules(page: Page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('[data-interceptor-overlay]')].map(h => h.dataset.rule)")


@pytest.mark.parametrize(("mode", "answer", "typed"), [("accept", True, "张三"), ("dismiss", False, None)])
def test_accept_and_dismiss_answer_every_dialog(
    page: Page, ruleset: RuleSet, mode: str, answer: bool, typed: str | None
) -> None:
    companion = attach(page, rules=ruleset, dialogs=mode)  # type: ignore[arg-type]
    page.click("#ask")
    event = companion.wait_for_event("household-type-missing", timeout=5)
    assert event.source == "dialog" and event.kind == "confirm" and event.overlay
    assert page.evaluate("() => window.answer") is answer
    page.click("#name")
    assert companion.wait_for_event("person-info-not-found", timeout=5).kind == "prompt"
    assert page.evaluate("() => window.typed") == typed
    assert overlay_rules(page) == ["person-info-not-found", "household-type-missing"]


def test_leave_records_the_dialog_but_lets_the_person_answer(page: Page, ruleset: RuleSet) -> None:
    companion = attach(page, rules=ruleset, dialogs="leave")
    held: list[Dialog] = []
    # Stands in for the person at the headed browser: holds the dialog, answers later.
    page.on("dialog", lambda dialog: held.append(dialog))
    # The person's click: a Playwright click would itself wait for the open dialog.
    page.evaluate("() => setTimeout(() => document.getElementById('ask').click(), 0)")
    event = companion.wait_for_event("household-type-missing", timeout=5)
    assert event.source == "dialog" and not event.overlay
    assert len(held) == 1
    # Still open: the page's script is blocked inside confirm(), nobody answered for the person.
    companion.watch(0.5)
    assert not event.overlay
    held[0].accept()
    companion.watch(0.5)
    assert page.evaluate("() => [window.answer, window.done]") == [True, 1]
    assert event.overlay
    assert overlay_rules(page) == ["household-type-missing"]
