"""``interceptor demo``: walk the companion through every flow of the demo hall, headless.

Each step opens a business from the hall's menu (a layui layer holding ``#busiIframe``),
fills the form or uploads the template as a clerk would, and waits for the companion to
intercept the error the backend gives for that input. Success steps check that nothing
is reported where nothing is wrong. Screenshots of the overlays and an HTML summary go to
``--out``; the exit status is 0 only when all seven errors came with the right rule and
no step saw an event it should not have.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..browser import own_playwright_thread
from ..classify import RuleSet, load_rules
from ..privacy import mask, mask_data
from ..remedy import html_env, remedy_lines, rows_json
from ..wording import source_words

if TYPE_CHECKING:
    from playwright.sync_api import FrameLocator, Page

    from ..companion import Companion, Event

SEVEN_RULES = (
    "person-info-not-found",
    "flexible-employment-insured",
    "no-eligible-insured-status",
    "person-already-collected",
    "household-type-missing",
    "hr-service-fields-not-allowed",
    "unemployment-benefit-overlap",
)

EVENT_TIMEOUT_S = 10.0
# After a success message, how long to keep watching for an event that must not come.
QUIET_WINDOW_S = 0.8
SETTLE_MS = 500
LAYER_FRAME = 'iframe[name^="layui-layer-iframe"]'

BATCH_CSV = (
    "身份证号码,姓名,参保开始年月,用工类型,实际用工单位编号,实际用工单位名称\r\n"
    "320102199003071234,张三,202406,,,\r\n"
    "320102198506153216,孙八,202406,劳务派遣,32010099999,南京某制造有限公司\r\n"
)

Action = Callable[["FrameLocator"], None]


@dataclass(frozen=True)
class Step:
    """One walk step: a business from the menu, what a clerk does in it, what must follow."""

    menu: str
    inputs: str
    act: Action
    rule: str | None  # the rule the companion must report; None for a step that must stay quiet
    done_text: str = ""  # for quiet steps: text of the page's own success message to wait for


@dataclass
class StepResult:
    step: Step
    events: list[Event] = field(default_factory=list)
    screenshot: Path | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _query_then(idcard: str, *, save: bool) -> Action:
    def act(busi: FrameLocator) -> None:
        busi.locator("sipub-person-quick-search input[name=aac002]").fill(idcard)
        busi.locator("sipub-person-quick-search button.btn-search").click()
        if save:
            busi.locator(".person-info").wait_for()
            busi.locator("button.btn-save").click()

    return act


def _collect(idcard: str, name: str, household: str | None) -> Action:
    def act(busi: FrameLocator) -> None:
        form = busi.locator('form[name="personinfoForm"]')
        form.locator("input[name=aac002]").fill(idcard)
        form.locator("input[name=aac003]").fill(name)
        form.locator("select[name=aac009]").select_option(label=household or "请选择")
        form.locator("input[name=aae005]").fill("13912345678")
        form.locator("button.btn-save").click()

    return act


def _upload(busi: FrameLocator) -> None:
    busi.locator("#batchFile").set_input_files(
        {"name": "批量用工参保模板.csv", "mimeType": "text/csv", "buffer": BATCH_CSV.encode("utf-8-sig")}
    )
    busi.locator("button.btn-upload").click()


def _supplement(idcard: str, start: str, end: str) -> Action:
    def act(busi: FrameLocator) -> None:
        busi.locator("input[name=aac002]").fill(idcard)
        busi.locator("input[name=startMonth]").fill(start)
        busi.locator("input[name=endMonth]").fill(end)
        busi.locator("button.btn-declare").click()

    return act


def _flexible_stop(idcard: str) -> Action:
    def act(busi: FrameLocator) -> None:
        # The business greets with a 消息提示 notice first; it is information, not an error.
        busi.locator(".modal .modal-footer button.btn-success").click()
        busi.locator(".modal").wait_for(state="detached")
        busi.locator("input[name=aac002]").fill(idcard)
        busi.locator("button.btn-stop").click()

    return act


STEPS: tuple[Step, ...] = (
    Step("用人单位用工参保登记", "320211200002290035（钱七）→ 查询", _query_then("320211200002290035", save=False),
         "person-info-not-found"),
    Step("用人单位用工参保登记", "320583198805126011（李四）→ 查询 → 保存", _query_then("320583198805126011", save=True),
         "flexible-employment-insured"),
    Step("用人单位用工参保登记", "320106197711304418（王五）→ 查询 → 保存", _query_then("320106197711304418", save=True),
         "no-eligible-insured-status"),
    Step("人员基础信息采集", "320102198506153216（孙八），户籍性质 本地城镇 → 保存",
         _collect("320102198506153216", "孙八", "本地城镇"), "person-already-collected"),
    Step("人员基础信息采集", "320102200101011115（新人员），户籍性质留空 → 保存",
         _collect("320102200101011115", "郑一", None), "household-type-missing"),
    Step("批量用工参保", "非人力资源服务单位上传模板，第3行填了用工类型和实际用工单位", _upload,
         "hr-service-fields-not-allowed"),
    Step("补缴", "320104199207214523（周九），补缴 202402–202405", _supplement("320104199207214523", "202402", "202405"),
         "unemployment-benefit-overlap"),
    Step("人员基础信息采集", "320102200101011115（新人员），户籍性质 外地农村 → 保存",
         _collect("320102200101011115", "郑一", "外地农村"), None, "人员信息采集成功"),
    Step("灵活就业人员停保登记", "320583198805126011（李四）→ 停保", _flexible_stop("320583198805126011"), None,
         "停保成功"),
    Step("用人单位用工参保登记", "320583198805126011（李四，已停保）→ 查询 → 保存",
         _query_then("320583198805126011", save=True), None, "保存成功"),
)


def walk(page: Page, companion: Companion, base_url: str, out_dir: Path,
         *, steps: tuple[Step, ...] = STEPS, log: Callable[[StepResult], None] | None = None) -> list[StepResult]:
    """Run ``steps`` in the demo hall at ``base_url``; screenshots go to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    page.goto(base_url + "/")
    results: list[StepResult] = []
    for number, step in enumerate(steps, start=1):
        result = StepResult(step)
        try:
            _run_step(page, companion, step, result, out_dir / f"{number:02d}-{step.rule or 'quiet'}.png")
        except Exception as exc:  # one broken step must not hide the others' results
            result.problem = f"步骤出错：{type(exc).__name__}: {exc}"
        results.append(result)
        if log is not None:
            log(result)
        _tidy(page, companion)
    return results


def _run_step(page: Page, companion: Companion, step: Step, result: StepResult, shot: Path) -> None:
    seen = len(companion.events)
    page.frame_locator("#middle").get_by_text(step.menu, exact=True).click()
    busi = page.frame_locator(LAYER_FRAME).last.frame_locator("#busiIframe")
    step.act(busi)
    if step.rule is None:
        busi.get_by_text(step.done_text).first.wait_for(timeout=EVENT_TIMEOUT_S * 1000)
        page.wait_for_timeout(QUIET_WINDOW_S * 1000)
        result.events = _errors(companion.events[seen:])
        if result.events:
            result.problem = "不该报错的步骤出现了事件：" + "；".join(
                f"{e.rule or '未识别'}：{e.text}" for e in result.events
            )
        return
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while time.monotonic() < deadline:
        new = list(companion.events[seen:])
        if any(e.rule == step.rule for e in new):
            break
        page.wait_for_timeout(100)
    result.events = _errors(companion.events[seen:])
    wanted = [e for e in result.events if e.rule == step.rule]
    if not wanted:
        got = "、".join(f"{e.rule or '未识别'}" for e in result.events) or "没有事件"
        result.problem = f"没有拦截到 {step.rule}（{got}）。"
        return
    others = [e for e in result.events if e.rule != step.rule]
    if others:
        result.problem = "多出的事件：" + "；".join(f"{e.rule or '未识别'}：{e.text}" for e in others)
    overlay = page.locator(f'[data-interceptor-overlay][data-rule="{step.rule}"]').first
    try:
        overlay.wait_for(state="visible", timeout=EVENT_TIMEOUT_S * 1000)
    except Exception:
        result.problem = result.problem or "拦截到了报错，但没有显示处理方法。"
    page.wait_for_timeout(SETTLE_MS)  # let the modal's fade-in and the overlay's layout finish
    page.screenshot(path=str(shot))
    result.screenshot = shot


def _errors(events: list[Event]) -> list[Event]:
    """The errors among ``events``: notices (info rules, shown as a quiet tip) are not."""
    return [e for e in events if e.severity != "info"]


def _tidy(page: Page, companion: Companion) -> None:
    """Close the layer windows and the overlays so the next step starts from the hall."""
    try:
        page.evaluate("() => { if (window.layui && layui.layer) { layui.layer.closeAll(); } }")
        # Every screenshot shows one step's remedy. The cards' roots are closed to the page
        # (and so to locators): the companion clears its own overlay.
        companion.overlay(page).clear()
    except Exception:
        pass


def describe(result: StepResult, rules: RuleSet) -> str:
    """Terminal text for one step: the intercepted error with its remedy."""
    step = result.step
    mark = "✔" if result.ok else "✘"
    lines = [f"{mark} {step.menu}：{step.inputs}"]
    for event in result.events:
        lines.append(f"    {source_words(event.source)}：{event.text}")
        if event.rule is None:
            lines.append("    未识别的错误")
            continue
        rule = rules.get(event.rule)
        lines.append(f"    识别为：{rule.title}")
        lines += remedy_lines(rule.remedy, indent="    ")
    if step.rule is None and not result.events:
        lines.append("    没有报错，助手保持安静。")
    if result.problem:
        lines.append(f"    问题：{result.problem}")
    return mask("\n".join(lines))


def write_summary(results: list[StepResult], rules: RuleSet, out_dir: Path) -> Path:
    env = html_env(Path(__file__).resolve().parent / "templates")
    rows: list[dict[str, Any]] = []
    for result in results:
        events = []
        for event in result.events:
            rule = rules.get(event.rule) if event.rule else None
            events.append({"event": event.to_dict(), "rule": rule.to_dict() if rule else None,
                           "rows": rows_json(rule.remedy) if rule else []})
        rows.append({
            "menu": result.step.menu,
            "inputs": result.step.inputs,
            "expected": result.step.rule,
            "ok": result.ok,
            "problem": result.problem,
            "events": events,
            "screenshot": result.screenshot.name if result.screenshot else None,
        })
    intercepted = sorted({e.rule for r in results for e in r.events if e.rule})
    page = env.get_template("summary.html.j2").render(
        rows=mask_data(rows),
        intercepted=intercepted,
        missing=[r for r in SEVEN_RULES if not _intercepted(results, r)],
        generated=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _intercepted(results: list[StepResult], rule_id: str) -> bool:
    return any(r.step.rule == rule_id and any(e.rule == rule_id for e in r.events) for r in results)


def passed(results: list[StepResult]) -> bool:
    """All seven errors came with the right rule, and no step saw an event it should not."""
    return all(_intercepted(results, rule_id) for rule_id in SEVEN_RULES) and all(r.ok for r in results)


@own_playwright_thread
def run_walk(out_dir: Path, *, rules: RuleSet | None = None, echo: bool = True) -> tuple[bool, list[StepResult]]:
    """Serve the hall, attach the companion to a headless browser, walk every step."""
    from playwright.sync_api import sync_playwright

    from ..browser import launch_options
    from ..companion import attach
    from .hall import start_demo_server

    rules = rules or load_rules()
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("[0-9][0-9]-*.png"):
        old.unlink()

    def log(result: StepResult) -> None:
        if echo:
            print(describe(result, rules), flush=True)

    with start_demo_server() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(headless=True))
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page = context.new_page()
            companion = attach(page, rules=rules, dialogs="accept")
            results = walk(page, companion, server.url, out_dir, log=log)
        finally:
            browser.close()
    summary = write_summary(results, rules, out_dir)
    ok = passed(results)
    if echo:
        found = sum(_intercepted(results, r) for r in SEVEN_RULES)
        verdict = "全部拦截" if ok else "未通过"
        print(f"\n七种报错拦截到 {found}/7，{verdict}。截图和汇总：{summary}", flush=True)
    return ok, results


def run(args: argparse.Namespace) -> int:
    out_dir = Path(getattr(args, "out", None) or "out/demo")
    rule_paths = getattr(args, "rules", None)
    try:
        ok, _ = run_walk(out_dir, rules=load_rules(rule_paths) if rule_paths else None)
    except Exception as exc:
        from ..errors import InterceptorError

        if isinstance(exc, InterceptorError):
            print(f"演示无法运行：{exc}", file=sys.stderr)
            return 2
        raise
    return 0 if ok else 1
