"""The watcher and open shadow roots that were there before it started."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from interceptor import RuleSet
from interceptor.companion import attach

# A component whose banner follows its <style>, and a plain element with an open root: both
# drawn, and showing their errors, by the time the watcher arrives.
DRAWN = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<hall-notice></hall-notice><div id="plain"></div>
<script>
  customElements.define("hall-notice", class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" }).innerHTML = '<style>.alert{color:#a94442}</style>' +
        '<div class="alert" role="alert">保存失败：户籍性质为空</div>';
    }
  });
  document.getElementById("plain").attachShadow({ mode: "open" }).innerHTML =
    '<b>人员信息</b><div role="alert">未获取到人员基本信息，请核实</div>';
</script></body></html>"""
BLANK = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>页面</p></body></html>'


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    context.route("http://interceptor.test/drawn", lambda route: route.fulfill(body=DRAWN, content_type="text/html"))
    context.route("http://interceptor.test/blank", lambda route: route.fulfill(body=BLANK, content_type="text/html"))
    yield context
    context.close()


def test_shadow_roots_drawn_before_the_watcher_started_are_scanned_whole(
    context: BrowserContext, ruleset: RuleSet
) -> None:
    # Loaded before attach(): the document never had the shadow hook, and its roots were
    # filled before the watcher first looked (as when a first navigation outruns set-up).
    page = context.new_page()
    page.goto("http://interceptor.test/drawn")
    companion = attach(page, rules=ruleset)
    companion.wait_for_event("household-type-missing", timeout=5)
    companion.wait_for_event("person-info-not-found", timeout=5)
    companion.watch(0.5)
    assert sorted(str(e.rule) for e in companion.events) == ["household-type-missing", "person-info-not-found"]


def test_root_of_an_element_added_inside_another_is_watched(context: BrowserContext, ruleset: RuleSet) -> None:
    # An ordinary element given its root before it was connected, then added inside a wrapper:
    # no hook event (it was not connected) and no custom element name to go by.
    page = context.new_page()
    companion = attach(page, rules=ruleset)
    page.goto("http://interceptor.test/blank")
    page.evaluate(
        """() => {
          const wrap = document.createElement("section");
          const host = document.createElement("div");
          const root = host.attachShadow({ mode: "open" });
          wrap.appendChild(host); document.body.appendChild(wrap);
          setTimeout(() => {
            const alert = document.createElement("div"); alert.setAttribute("role", "alert");
            alert.textContent = "保存失败：户籍性质为空"; root.appendChild(alert);
          }, 200);
        }"""
    )
    assert companion.wait_for_event("household-type-missing", timeout=5).kind == "role-alert"
