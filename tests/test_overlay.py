"""The remedy overlay: where it is drawn, what it shows, and that the page keeps working."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from live_support import pages_server
from playwright.sync_api import Browser, Page

from interceptor import RuleSet
from interceptor.companion import Companion, attach
from interceptor.server import LocalServer

__all__ = ["pages_server"]

FORM_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<style>body { margin: 0; font: 14px sans-serif; } .bar { position: fixed; right: 0; bottom: 0; padding: 8px; }</style>
</head><body>
<form id="form" style="padding: 16px"><input id="name" value="张三">
<button type="button" id="save" onclick="window.saved = (window.saved || 0) + 1">保存</button></form>
<div class="bar"><button type="button" id="corner" onclick="window.corner = 1">下一步</button></div>
<div id="slot"></div>
<script>
window.showError = function (text, cls) {
  var d = document.createElement("div");
  d.className = cls || "alert alert-danger";
  d.textContent = text;
  document.getElementById("slot").appendChild(d);
  return d;
};
</script></body></html>"""


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    # A real navigation (set_content's document.write would drop window listeners).
    page.route("http://interceptor.test/**", lambda route: route.fulfill(body=FORM_PAGE, content_type="text/html"))
    yield page
    context.close()


def open_form(page: Page) -> None:
    page.goto("http://interceptor.test/form")


@pytest.fixture()
def companion(page: Page, ruleset: RuleSet) -> Companion:
    return attach(page, rules=ruleset)


def hosts(companion: Companion, page: Page) -> list[dict[str, Any]]:
    """The cards drawn on ``page``, newest first, as the overlay itself knows them."""
    cards = companion.overlay(page).cards()
    for card in cards:
        card["rule"] = card["rule"] or "unknown"
    # The hosts the page can see carry the same rules, in the same order.
    assert page.evaluate(
        "() => [...document.querySelectorAll('[data-interceptor-overlay]')].map(h => h.dataset.rule)"
    ) == [c["rule"] for c in cards]
    return cards


def test_overlay_host_carries_rule_and_shadow_root_with_the_remedy(page: Page, companion: Companion) -> None:
    open_form(page)
    page.evaluate("() => showError('保存失败：户籍性质为空')")
    event = companion.wait_for_event("household-type-missing", timeout=5)
    assert event.overlay
    [host] = hosts(companion, page)
    assert host["rule"] == "household-type-missing"
    # The card's shadow root is closed: the page cannot read or change it.
    assert page.evaluate("() => document.querySelector('[data-interceptor-overlay]').shadowRoot") is None
    text = str(host["text"])
    for part in ("需由谁处理", "员工", "个人中心", "江苏智慧人社APP", "保存失败：户籍性质为空", "右上角姓名 › 个人中心 › 户籍性质"):
        assert part in text
    assert host["steps"] == 4


def test_unknown_error_is_shown_discreetly(page: Page, companion: Companion) -> None:
    open_form(page)
    page.evaluate("() => showError('保存失败：服务器内部错误 500')")
    event = companion.wait_for_event("unknown", timeout=5)
    assert event.rule is None and event.overlay
    [host] = hosts(companion, page)
    assert host["rule"] == "unknown"
    assert "未识别的错误" in str(host["text"]) and "服务器内部错误 500" in str(host["text"])


def test_markup_in_error_text_is_never_executed(page: Page, companion: Companion) -> None:
    open_form(page)
    page.evaluate(
        """() => showError('户籍性质为空<img src=x onerror="window.__xss=1"><script>window.__xss=2<\\/script>')"""
    )
    companion.wait_for_event("household-type-missing", timeout=5)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") is None
    assert hosts(companion, page)[0]["markup"] == 0
    assert '<img src=x onerror="window.__xss=1">' in str(hosts(companion, page)[0]["text"])


def test_no_console_errors_and_no_layout_shift(page: Page, companion: Companion) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    open_form(page)
    before = page.evaluate("() => JSON.stringify(document.getElementById('save').getBoundingClientRect())")
    page.evaluate("() => showError('户籍性质为空')")
    companion.wait_for_event("household-type-missing", timeout=5)
    page.keyboard.press("Escape")
    page.evaluate("() => showError('未获取到人员基本信息')")
    companion.wait_for_event("person-info-not-found", timeout=5)
    page.wait_for_timeout(200)
    after = page.evaluate("() => JSON.stringify(document.getElementById('save').getBoundingClientRect())")
    assert before == after
    assert problems == []


def test_overlay_leaves_page_buttons_uncovered_and_clickable(page: Page, companion: Companion) -> None:
    open_form(page)
    page.evaluate("() => showError('户籍性质为空')")
    companion.wait_for_event("household-type-missing", timeout=5)
    boxes = page.evaluate(
        """() => {
            const r = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
            return { dock: r(document.querySelector('[data-interceptor-overlay]')),
                     controls: [...document.querySelectorAll('button, input')].map(r) };
        }"""
    )
    dl, dt, dr, db = boxes["dock"]
    for cl, ct, cr, cb in boxes["controls"]:
        assert min(dr, cr) <= max(dl, cl) or min(db, cb) <= max(dt, ct), "the overlay covers a page control"
    # Real mouse clicks (not JS) must reach the page's own buttons.
    page.click("#save")
    page.click("#corner")
    assert page.evaluate("() => [window.saved, window.corner]") == [1, 1]


def test_close_button_and_escape_dismiss_cards(page: Page, companion: Companion) -> None:
    open_form(page)
    page.evaluate("() => showError('户籍性质为空')")
    companion.wait_for_event("household-type-missing", timeout=5)
    page.evaluate("() => showError('没有符合该人员的参保身份')")
    companion.wait_for_event("no-eligible-insured-status", timeout=5)
    assert [h["rule"] for h in hosts(companion, page)] == ["no-eligible-insured-status", "household-type-missing"]
    page.keyboard.press("Escape")
    assert [h["rule"] for h in hosts(companion, page)] == ["household-type-missing"]
    # A real click on the card's close button (its box, read by the overlay itself).
    close = hosts(companion, page)[0]["close"]
    page.mouse.click((close["left"] + close["right"]) / 2, (close["top"] + close["bottom"]) / 2)
    assert hosts(companion, page) == []


def test_several_errors_stack_and_stay_after_the_toast_vanished(page: Page, companion: Companion) -> None:
    open_form(page)
    page.evaluate(
        """() => {
            const a = showError('该人员为灵活就业参保人员', 'el-message el-message--error');
            setTimeout(() => a.remove(), 300);
            setTimeout(() => showError('户籍性质为空', 'toast toast-error'), 100);
            setTimeout(() => showError('未获取到人员基本信息', 'van-toast van-toast--fail'), 200);
        }"""
    )
    for rule in ("flexible-employment-insured", "household-type-missing", "person-info-not-found"):
        companion.wait_for_event(rule, timeout=5)
    page.wait_for_timeout(800)
    assert page.evaluate("() => document.querySelector('.el-message')") is None
    rules = [h["rule"] for h in hosts(companion, page)]
    assert sorted(rules) == ["flexible-employment-insured", "household-type-missing", "person-info-not-found"]
    assert all(h["parent"] == "INTERCEPTOR-DOCK" and h["connected"] for h in hosts(companion, page))


def test_overlay_for_an_error_inside_nested_frames_is_drawn_in_the_top_page(
    browser: Browser, pages_server: LocalServer, ruleset: RuleSet
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        companion = attach(context, rules=ruleset)
        page.goto(f"{pages_server.url}/nested-iframes/")
        event = companion.wait_for_event("person-already-collected", timeout=8)
        assert event.frame_url.endswith("/nested-iframes/busi.html")
        assert [h["rule"] for h in hosts(companion, page)] == ["person-already-collected"]
        for frame in page.frames[1:]:
            assert frame.evaluate("() => document.querySelectorAll('[data-interceptor-overlay]').length") == 0
        # Escape pressed inside the business frame closes the card in the top page.
        page.frames[-1].locator("body").press("Escape")
        page.wait_for_timeout(200)
        assert hosts(companion, page) == []
    finally:
        context.close()
