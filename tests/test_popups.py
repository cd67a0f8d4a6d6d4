"""New windows and tabs: the hall opens business pages with window.open and target=_blank."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from interceptor import RuleSet
from interceptor.companion import Companion, attach

HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
BANNER = """<script>setTimeout(function () {
  var d = document.createElement('div'); d.className = 'layui-layer layui-layer-dialog';
  d.innerHTML = '<div class="layui-layer-content">TEXT</div>'; document.body.appendChild(d);
}, DELAY);</script>"""

PAGES = {
    "/hall": HEAD + """<h4>网办大厅</h4>
      <a id="tab" href="/busi-tab" target="_blank">打开业务（新标签页）</a>
      <button id="win" onclick="window.open('/busi-window', 'busi', 'width=800,height=600')">打开业务（新窗口）</button>
      <button id="nav" onclick="window.open('/loading', '_blank')">打开后跳转</button>
      <button id="framed" onclick="window.open('/busi-framed', '_blank')">打开带框架的业务</button>
      </body></html>""",
    "/busi-tab": HEAD + BANNER.replace("TEXT", "户籍性质为空").replace("DELAY", "300") + "</body></html>",
    "/busi-window": HEAD + BANNER.replace("TEXT", "未获取到人员基本信息").replace("DELAY", "300") + "</body></html>",
    "/loading": HEAD + "<p>加载中</p><script>setTimeout(function () { location.href = '/busi-after-nav'; }, 200);"
    "</script></body></html>",
    "/busi-after-nav": HEAD + BANNER.replace("TEXT", "没有符合该人员的参保身份").replace("DELAY", "300")
    + "</body></html>",
    "/busi-framed": HEAD + '<iframe id="busiIframe" src="/busi-inner"></iframe></body></html>',
    "/busi-inner": HEAD + BANNER.replace("TEXT", "该人员为灵活就业参保人员").replace("DELAY", "300")
    + "</body></html>",
}


def serve(route: Route) -> None:
    path = "/" + route.request.url.split("/", 3)[3].split("?")[0]
    route.fulfill(body=PAGES.get(path, HEAD + "</body></html>"), content_type="text/html; charset=utf-8")


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    context.route("http://interceptor.test/**", serve)
    yield context
    context.close()


@pytest.fixture(params=["page", "context"])
def watched(request: pytest.FixtureRequest, context: BrowserContext, ruleset: RuleSet) -> tuple[Page, Companion]:
    """The hall page, watched either as a Page (its popups follow) or through its context."""
    page = context.new_page()
    page.goto("http://interceptor.test/hall")
    target = page if request.param == "page" else context
    return page, attach(target, rules=ruleset)


def open_popup(page: Page, selector: str) -> Page:
    with page.expect_popup() as popup:
        page.click(selector)
    return popup.value


@pytest.mark.parametrize(
    ("selector", "rule", "url"),
    [
        ("#tab", "household-type-missing", "/busi-tab"),
        ("#win", "person-info-not-found", "/busi-window"),
        ("#nav", "no-eligible-insured-status", "/busi-after-nav"),
        ("#framed", "flexible-employment-insured", "/busi-inner"),
    ],
    ids=["target-blank", "window-open", "popup-navigates", "popup-iframe"],
)
def test_errors_in_new_windows_and_tabs_get_their_card_there(
    watched: tuple[Page, Companion], selector: str, rule: str, url: str
) -> None:
    page, companion = watched
    popup = open_popup(page, selector)
    event = companion.wait_for_event(rule, timeout=8)
    assert event.frame_url.endswith(url) and event.overlay
    # The card is in the new window's top page, not in the hall's.
    assert [c["rule"] for c in companion.overlay(popup).cards()] == [rule]
    assert companion.overlay(page).cards() == []


def test_a_closed_popup_is_forgotten_and_the_hall_is_still_watched(
    watched: tuple[Page, Companion]
) -> None:
    page, companion = watched
    popup = open_popup(page, "#win")
    companion.wait_for_event("person-info-not-found", timeout=8)
    popup.close()
    page.evaluate("""() => { var d = document.createElement('div'); d.className = 'alert alert-danger';
                             d.textContent = '户籍性质为空'; document.body.appendChild(d); }""")
    event = companion.wait_for_event("household-type-missing", timeout=5)
    assert event.overlay and event.frame_url.endswith("/hall")
