"""attach() and Companion: targets, waiting, dedup across channels, close."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from interceptor import RuleSet
from interceptor.companion import DEDUP_SECONDS, Event, attach
from interceptor.errors import CompanionTimeout, InterceptorError

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="slot"></div>
<script>
window.showError = function (text, cls) {
  var d = document.createElement("div"); d.className = cls || "el-message el-message--error";
  d.textContent = text; document.getElementById("slot").appendChild(d); return d;
};
window.callApi = function () {
  return fetch("/api").then(function (r) { return r.json(); }).then(function (data) {
    showError("保存失败：" + data.msg); return data;
  });
};
</script></body></html>"""

API = '{"appcode": "1", "msg": "人员信息已采集，人员编号为3205000000012345", "map": {}}'


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()

    def serve(route):  # type: ignore[no-untyped-def]
        if route.request.url.endswith("/api"):
            route.fulfill(body=API, content_type="application/json; charset=utf-8")
        else:
            route.fulfill(body=PAGE, content_type="text/html")

    context.route("http://interceptor.test/**", serve)
    yield context
    context.close()


def test_context_target_watches_pages_opened_later(context: BrowserContext, ruleset: RuleSet) -> None:
    first = context.new_page()
    first.goto("http://interceptor.test/one")
    companion = attach(context, rules=ruleset)
    # A page loaded before attach() gets the watcher too.
    first.evaluate("() => showError('户籍性质为空')")
    assert companion.wait_for_event("household-type-missing", timeout=5).frame_url.endswith("/one")
    later = context.new_page()
    later.goto("http://interceptor.test/two")
    later.evaluate("() => showError('未获取到人员基本信息')")
    event = companion.wait_for_event("person-info-not-found", timeout=5)
    assert event.frame_url.endswith("/two") and event.overlay
    assert later.evaluate("() => document.querySelectorAll('[data-interceptor-overlay]').length") == 1


def test_response_then_toast_is_one_event_and_later_repeat_is_new(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    companion = attach(page, rules=ruleset)
    page.evaluate("() => callApi()")
    companion.watch(1.0)
    assert [(e.rule, e.captures) for e in companion.events] == [
        ("person-already-collected", {"person_no": "3205000000012345"})
    ]
    companion.watch(DEDUP_SECONDS + 0.1)  # beyond the dedup window: the same error again is a new event
    page.evaluate("() => showError('人员信息已采集，人员编号为3205000000012345')")
    companion.watch(0.8)
    assert len(companion.events) == 2


def test_wait_for_event_times_out_with_a_sentence(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    companion = attach(page, rules=ruleset)
    started = time.monotonic()
    with pytest.raises(CompanionTimeout, match=r"No event for rule 'household-type-missing' arrived within 0\.5 s"):
        companion.wait_for_event("household-type-missing", timeout=0.5)
    assert time.monotonic() - started < 3


def test_wait_for_event_hands_out_each_event_once(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    seen: list[Event] = []
    companion = attach(page, rules=ruleset, on_event=seen.append)
    page.evaluate("() => { showError('户籍性质为空'); showError('未获取到人员基本信息', 'toast toast-error'); }")
    first = companion.wait_for_event(timeout=5)
    second = companion.wait_for_event(timeout=5)
    assert {first.rule, second.rule} == {"household-type-missing", "person-info-not-found"}
    assert seen == companion.events
    assert first.to_dict()["source"] == "dom"


def test_close_stops_reporting(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    with attach(page, rules=ruleset) as companion:
        pass
    page.evaluate("() => showError('户籍性质为空')")
    companion.watch(0.5)
    assert companion.events == []


def test_unknown_dialog_mode_is_refused(context: BrowserContext, ruleset: RuleSet) -> None:
    with pytest.raises(InterceptorError, match="dialogs must be"):
        attach(context.new_page(), rules=ruleset, dialogs="ignore")  # type: ignore[arg-type]


def test_attaching_twice_is_refused_with_a_sentence(context: BrowserContext, ruleset: RuleSet) -> None:
    attach(context, rules=ruleset)
    with pytest.raises(InterceptorError, match="already attached"):
        attach(context.new_page(), rules=ruleset)


def test_reused_message_box_raises_the_same_error_again(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    companion = attach(page, rules=ruleset)
    page.evaluate(
        """() => { const b = showError('户籍性质为空', 'el-message-box'); b.id = 'box';
                   window.toggle = on => { b.style.display = on ? '' : 'none'; }; }"""
    )
    companion.wait_for_event("household-type-missing", timeout=5)
    page.evaluate("() => toggle(false)")
    companion.watch(DEDUP_SECONDS + 0.1)
    page.evaluate("() => toggle(true)")
    companion.wait_for_event("household-type-missing", timeout=5)
    assert len(companion.events) == 2


def test_unstyled_form_dialog_raises_only_known_errors(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    companion = attach(page, rules=ruleset)
    page.evaluate(
        """() => {
            const m = document.createElement('div'); m.className = 'modal-content';
            m.innerHTML = '<div class="modal-header"><h3 class="modal-title">新增人员</h3></div>' +
                '<div class="modal-body"><label>户籍性质</label><select></select><p>带*的项目不能为空</p>' +
                '<input name="aac002"></div>';
            document.body.appendChild(m);
        }"""
    )
    companion.watch(0.6)
    assert companion.events == []
    page.evaluate("() => { document.querySelector('.modal-body p').textContent = '★户籍性质为空'; }")
    assert companion.wait_for_event("household-type-missing", timeout=5).kind == "bootstrap-modal"


def test_hidden_inline_message_counts_once_it_is_shown(context: BrowserContext, ruleset: RuleSet) -> None:
    page = context.new_page()
    page.goto("http://interceptor.test/")
    companion = attach(page, rules=ruleset)
    page.evaluate(
        """() => { const p = document.createElement('p'); p.id = 'tip'; p.style.display = 'none';
                   p.textContent = '★未获取到人员基本信息;'; document.body.appendChild(p); }"""
    )
    companion.watch(0.5)
    assert companion.events == []  # hidden text is not on screen
    page.evaluate("() => { document.getElementById('tip').style.display = 'block'; }")
    assert companion.wait_for_event("person-info-not-found", timeout=5).kind == "page-text"


def test_open_shadow_roots_are_watched_and_attach_shadow_behaves_as_before(
    context: BrowserContext, ruleset: RuleSet
) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    companion = attach(page, rules=ruleset)
    page.goto("http://interceptor.test/")
    facts = page.evaluate(
        """() => {
          const open = document.createElement("div"); document.body.appendChild(open);
          const root = open.attachShadow({ mode: "open" });
          const closed = document.createElement("div"); document.body.appendChild(closed);
          closed.attachShadow({ mode: "closed" });
          let refused = null;
          try { document.createElement("img").attachShadow({ mode: "open" }); } catch (e) { refused = e.name; }
          const alert = document.createElement("div"); alert.setAttribute("role", "alert");
          alert.textContent = "保存失败：户籍性质为空"; root.appendChild(alert);
          return { isRoot: root instanceof ShadowRoot, same: open.shadowRoot === root,
                   closedHidden: closed.shadowRoot === null, refused };
        }"""
    )
    assert facts == {"isRoot": True, "same": True, "closedHidden": True, "refused": "NotSupportedError"}
    event = companion.wait_for_event("household-type-missing", timeout=5)
    assert event.overlay and event.kind == "role-alert"
    # The overlay draws its card in a shadow root of its own: that must not be reported back.
    companion.watch(0.8)
    assert [e.rule for e in companion.events] == ["household-type-missing"]
    assert errors == []
