"""One remedy view: every field of a remedy appears, with the same labels, in every renderer."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from interceptor import RuleSet
from interceptor.classify import RuleSet as CompiledRules
from interceptor.remedy import LABELS, html_env, remedy_lines, remedy_rows, rows_json
from interceptor.report import to_html
from interceptor.rules import Contact, Remedy, Rule
from interceptor.shots import BatchResult, ShotResult
from interceptor.watcher import bundle

FULL = Remedy(
    who=["单位", "员工"],
    summary="说明文字甲",
    steps=["第一步乙", "第二步丙"],
    menu_paths=[["单位办事", "社会保险", "菜单丁"]],
    channels=["渠道戊"],
    contacts=[Contact(name="社保中心己", phone="025-00000000", note="工作日")],
    addresses=["地址庚"],
    documents=["材料辛"],
)
VALUES = ["单位", "员工", "说明文字甲", "第一步乙", "第二步丙", "菜单丁", "渠道戊", "社保中心己", "025-00000000",
          "工作日", "地址庚", "材料辛"]


@pytest.fixture()
def rule(ruleset: RuleSet) -> Rule:
    base = ruleset.get("household-type-missing")
    return base.model_copy(update={"remedy": FULL})


def assert_complete(text: str) -> None:
    missing = [v for v in VALUES if v not in text]
    assert not missing, f"missing from the view: {missing}"
    labels = [label for field, label in LABELS.items() if field not in ("summary",)]
    assert all(label in text for label in labels), [label for label in labels if label not in text]


def test_every_field_of_a_remedy_has_a_row() -> None:
    assert set(LABELS) == set(Remedy.model_fields)
    assert_complete("\n".join(f"{r.label} {r.text()}" for r in remedy_rows(FULL)))


def test_terminal_lines_show_every_field() -> None:
    assert_complete("\n".join(remedy_lines(FULL)))


def test_screenshot_report_shows_every_field(rule: Rule, tmp_path: Path) -> None:
    batch = BatchResult([ShotResult(file=str(tmp_path / "a.png"), rule=rule.id, rules=[rule.id], text="户籍性质为空")])
    assert_complete(to_html(batch, CompiledRules([rule]), thumbnails=False))


def test_demo_summary_shows_every_field(rule: Rule) -> None:
    rows = [{"menu": "菜单", "inputs": "输入", "expected": rule.id, "ok": True, "problem": None, "screenshot": None,
             "events": [{"event": {"source": "dom", "text": "户籍性质为空"}, "rule": rule.to_dict(),
                         "rows": rows_json(FULL)}]}]
    env = html_env(Path(__file__).resolve().parent.parent / "interceptor" / "demo" / "templates")
    page = env.get_template("summary.html.j2").render(rows=rows, intercepted=[], missing=[], generated="now")
    assert_complete(page)


def test_overlay_card_shows_every_field(browser: Browser, rule: Rule, ruleset: RuleSet) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<p>页面</p>")
        page.evaluate(bundle(ruleset.watch_config()))
        card = {"key": "k", "rule": rule.id, "title": rule.title, "rows": rows_json(FULL), "text": "户籍性质为空"}
        assert page.evaluate("card => __interceptorOverlay.show(card)", card) is True
        [drawn] = page.evaluate("() => __interceptorOverlay.describe()")
        assert_complete(drawn["text"])
    finally:
        context.close()
