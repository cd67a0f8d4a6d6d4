"""watcher.js on its own: same normalisation as Python, shipped as package data, quiet pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from interceptor import RuleSet
from interceptor.normalize import normalize
from interceptor.watcher import SCRIPTS, bundle, script

TEXTS = [
    "保存失败：户籍性质为空。",
    "人員信息已釆集，人员编号为３２０５ＡＢ",
    "一二三—-－ 户 籍 性 質",
    "Full Authentication is REQUIRED",
    "★在本单位已存在参保信息;",
    "自参保开始日期下一月起，存在失业金发放信息",
    "末获取到入员基本信思",
    "ｉｄ：Ｘ１２\u3000",
    "",
]


@pytest.fixture()
def page(browser: Browser, ruleset: RuleSet) -> Iterator[Page]:
    context = browser.new_context()
    context.add_init_script(bundle(ruleset.watch_config()))
    page = context.new_page()
    page.route("http://interceptor.test/**", lambda r: r.fulfill(body="<p>页面</p>", content_type="text/html"))
    page.goto("http://interceptor.test/")
    yield page
    context.close()


def test_scripts_are_package_data_with_source_urls() -> None:
    for name in SCRIPTS:
        text = script(name)
        assert f"//# sourceURL=interceptor-{name}" in text
        assert "innerHTML" not in text  # page text only ever goes in as textContent
    assert "//# sourceURL=interceptor-shadow-hook.js" in script("shadow-hook.js")


def test_watcher_folds_text_exactly_like_python(page: Page) -> None:
    folded = page.evaluate("texts => texts.map(t => window.__interceptorWatcher.normalize(t))", TEXTS)
    assert folded == [normalize(t) for t in TEXTS]


def test_page_without_binding_or_banners_sees_no_errors(page: Page) -> None:
    # No companion attached: the watcher queues reports and never throws into the page.
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.evaluate(
        """() => { const d = document.createElement('div'); d.className = 'alert alert-danger';
                   d.textContent = '户籍性质为空'; document.body.appendChild(d); }"""
    )
    page.wait_for_timeout(200)
    assert errors == []


def test_page_text_prefilter_finds_known_sentences_only(page: Page) -> None:
    texts = {
        "户籍性质为空": True,
        "★户籍 性质：为空;": True,
        "保存失败：人员信息已采集，人员编号为3205000000012345": True,
        "自参保开始日期下一月起，存在失业金发放信息": True,
        "户籍性质维护": False,
        "人员基础信息采集": False,
        "失业金发放信息查询": False,
        "": False,
    }
    found = page.evaluate("texts => texts.map(t => window.__interceptorWatcher.hasPhrase(t))", list(texts))
    assert dict(zip(texts, found, strict=True)) == texts
