"""A long session and a small screen: repeats fold, at most three cards open, and the
panel never covers the hall's buttons, even those two frames deep."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route

from interceptor import RuleSet
from interceptor.companion import Companion, attach

HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0}</style></head><body>'
SHOW = """<script>window.showError = function (text) {
  var d = document.createElement('div'); d.className = 'alert alert-danger'; d.textContent = text;
  document.getElementById('slot').appendChild(d); setTimeout(function () { d.remove(); }, 50);
};</script>"""
# A layer filling the screen whose business frame has buttons in all four corners, the way a
# girder 错误提示 box and the form's buttons sit in a layui layer on a small laptop screen.
BUSY = HEAD + """<div id="slot"></div>""" + SHOW + """
<iframe id="layer" src="/layer" style="position:fixed;inset:0;width:100%;height:100%;border:0"></iframe></body></html>"""
LAYER = HEAD + """<iframe id="busiIframe" src="/busi" style="position:fixed;inset:0;width:100%;height:100%;border:0">
</iframe></body></html>"""
CORNER = "position:fixed;width:120px;height:70px;"
BUSI = HEAD + f"""
<button id="tl" style="{CORNER}left:4px;top:4px">查询</button>
<button id="tr" style="{CORNER}right:4px;top:4px">重置</button>
<button id="bl" style="{CORNER}left:4px;bottom:4px">返回</button>
<button id="ok" class="btn btn-success" style="{CORNER}right:4px;bottom:4px"
  onclick="window.top.okClicks=(window.top.okClicks||0)+1">确定</button>
<div style="position:fixed;left:200px;right:200px;top:200px;height:160px">
  <button id="mid" style="width:100%;height:100%">保存</button></div></body></html>"""
# Only the bottom-right corner of the business frame is busy: the panel must go elsewhere.
ONE = HEAD + """<div id="slot"></div>""" + SHOW + """
<iframe id="layer" src="/layer-one" style="position:fixed;inset:0;width:100%;height:100%;border:0"></iframe></body></html>"""
LAYER_ONE = LAYER.replace("/busi", "/busi-one")
BUSI_ONE = HEAD + f"""<button id="ok" style="{CORNER}right:4px;bottom:4px">确定</button></body></html>"""
PAGES = {"/busy": BUSY, "/layer": LAYER, "/busi": BUSI, "/one": ONE, "/layer-one": LAYER_ONE, "/busi-one": BUSI_ONE,
         "/plain": HEAD + '<div id="slot"></div>' + SHOW + "</body></html>"}


def serve(route: Route) -> None:
    path = "/" + route.request.url.split("/", 3)[3]
    route.fulfill(body=PAGES[path], content_type="text/html; charset=utf-8")


@pytest.fixture()
def small(browser: Browser, ruleset: RuleSet) -> Iterator[tuple[Page, Companion]]:
    context = browser.new_context(viewport={"width": 800, "height": 600})
    context.route("http://hall.test/**", serve)
    page = context.new_page()
    companion = attach(page, rules=ruleset)
    yield page, companion
    context.close()


def boxes_of(page: Page, selector: str, frame_path: list[str]) -> list[dict[str, float]]:
    """Boxes of ``selector`` in the frame reached through ``frame_path``, in top-page
    coordinates (Playwright's bounding_box already maps frames to the top page)."""
    frame = page.main_frame
    for frame_id in frame_path:
        child = frame.locator(f"#{frame_id}").element_handle().content_frame()
        assert child is not None
        frame = child
    out = []
    for handle in frame.locator(selector).element_handles():
        b = handle.bounding_box()
        assert b is not None
        out.append({"left": b["x"], "top": b["y"], "right": b["x"] + b["width"], "bottom": b["y"] + b["height"]})
    return out


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return min(a["right"], b["right"]) > max(a["left"], b["left"]) and min(a["bottom"], b["bottom"]) > max(a["top"], b["top"])


def test_no_free_corner_collapses_the_panel_to_a_tab_that_covers_no_button(small: tuple[Page, Companion]) -> None:
    page, companion = small
    page.goto("http://hall.test/busy")
    page.frame_locator("#layer").frame_locator("#busiIframe").locator("#ok").wait_for()
    page.evaluate("() => showError('户籍性质为空')")
    companion.wait_for_event("household-type-missing", timeout=5)
    dock = companion.overlay(page).dock()
    assert dock["collapsed"] and dock["tab"] and "1 条" in dock["tab"]["text"]
    buttons = boxes_of(page, "button", ["layer", "busiIframe"])
    assert len(buttons) == 5
    assert not any(overlaps(dock["tab"]["box"], b) for b in buttons)
    # The hall's own 确定, two frames deep, still takes a real click.
    page.frame_locator("#layer").frame_locator("#busiIframe").locator("#ok").click()
    assert page.evaluate("() => window.okClicks") == 1
    # The person opens the tab: the card shows.
    tab = dock["tab"]["box"]
    page.mouse.click((tab["left"] + tab["right"]) / 2, (tab["top"] + tab["bottom"]) / 2)
    [card] = companion.overlay(page).cards()
    assert card["shown"] and not companion.overlay(page).dock()["collapsed"]


def test_the_panel_avoids_a_button_two_frames_deep(small: tuple[Page, Companion]) -> None:
    page, companion = small
    page.goto("http://hall.test/one")
    page.frame_locator("#layer").frame_locator("#busiIframe").locator("#ok").wait_for()
    page.evaluate("() => showError('户籍性质为空')")
    companion.wait_for_event("household-type-missing", timeout=5)
    dock = companion.overlay(page).dock()
    assert not dock["collapsed"]
    [ok] = boxes_of(page, "#ok", ["layer", "busiIframe"])
    assert not overlaps(dock["dock"], ok)


def test_repeats_fold_into_one_card_and_at_most_three_are_open(small: tuple[Page, Companion]) -> None:
    page, companion = small
    page.goto("http://hall.test/plain")
    texts = ["操作失败，请稍后再试（错误码17）", "户籍性质为空", "操作失败，请稍后再试（错误码942）",
             "未获取到人员基本信息", "没有符合该人员的参保身份", "户籍性质为空", "该人员为灵活就业参保人员",
             "操作失败，请稍后再试（错误码5）"]
    for text in texts:
        page.evaluate("t => showError(t)", text)
        companion.watch(2.2)  # past the 2-second de-duplication: each is a new event
    overlay = companion.overlay(page)
    cards = overlay.cards()
    counts = {(c["rule"] or "unknown"): c["count"] for c in cards}
    assert counts == {"unknown": 3, "household-type-missing": 2, "person-info-not-found": 1,
                      "no-eligible-insured-status": 1, "flexible-employment-insured": 1}
    assert [c["rule"] for c in cards if c["shown"]] == [None, "flexible-employment-insured", "household-type-missing"]
    assert "错误码5" in cards[0]["text"] and "×3" in cards[0]["text"]
    dock = overlay.dock()
    assert dock["more"] and "还有 2 条" in dock["more"]["text"]
    more = dock["more"]["box"]
    page.mouse.click((more["left"] + more["right"]) / 2, (more["top"] + more["bottom"]) / 2)
    assert all(c["shown"] for c in overlay.cards()) and overlay.dock()["more"] is None
