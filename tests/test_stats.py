"""interceptor stats: counts that match the events, and an HTML page whose charts render offline."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route

from interceptor.cli import main

HALL = "https://rs.jshrss.jiangsu.gov.cn"
DAY1 = time.mktime((2026, 11, 18, 9, 0, 0, 0, 0, -1))
DAY2 = DAY1 + 86400
PERSON = "第3行：张三（320102199001011234）该人员为灵活就业参保人员，请核实"


def event(text: str, rule: str | None, at: float, path: str, *, shown: bool = True, **extra: Any) -> dict[str, Any]:
    return {"source": "dom", "text": text, "rule": rule, "captures": {}, "overlay": shown,
            "frame_url": HALL + path, "time": at, "severity": "error", **extra}


EVENTS = [
    event(PERSON, "flexible-employment-insured", DAY1, "/busi/app.html#/flows/insure-register"),
    event(PERSON, "flexible-employment-insured", DAY1 + 600, "/busi/app.html#/flows/insure-register"),
    event(PERSON, "flexible-employment-insured", DAY2, "/busi/app.html#/flows/insure-register"),
    event("保存失败：户籍性质为空", "household-type-missing", DAY1 + 60, "/busi/app.html#/flows/person-collect"),
    event("系统繁忙，请稍后再试（流水号20261130771）", None, DAY1 + 120, "/busi/app.html#/flows/person-collect",
          shown=False),
    event("系统繁忙，请稍后再试（流水号20261130905）", None, DAY2 + 120, "/center/unit/supplement.html"),
    event("当前时间办理人员停保，发送税务缴费截止时间为2026年08月", "stop-tax-deadline", DAY2, "/busi/x.html",
          severity="info"),
]


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    path = tmp_path / "interceptor-events.jsonl"
    lines = [json.dumps(e, ensure_ascii=False) for e in EVENTS]
    lines.insert(2, '{"type": "dropped", "count": 12, "frame_url": "x", "time": 1}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stats_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["stats", *args, "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_stats_json_counts_match_the_events(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stats = stats_json(capsys, str(log))
    assert set(stats) == {"total", "by_rule", "by_day", "by_page", "by_who", "repeats"}
    errors = [e for e in EVENTS if e["severity"] != "info"]
    assert stats["total"] == len(errors) == 6
    assert [(r["rule"], r["count"], r["shown"]) for r in stats["by_rule"]] == [
        ("flexible-employment-insured", 3, 3),
        (None, 2, 1),
        ("household-type-missing", 1, 1),
    ]
    assert stats["by_day"] == [
        {"day": "2026-11-18", "count": 4,
         "by_rule": {"flexible-employment-insured": 2, "household-type-missing": 1, "unknown": 1}},
        {"day": "2026-11-19", "count": 2, "by_rule": {"flexible-employment-insured": 1, "unknown": 1}},
    ]
    assert stats["by_page"] == [
        {"page": "/busi/app.html#/flows/insure-register", "count": 3},
        {"page": "/busi/app.html#/flows/person-collect", "count": 2},
        {"page": "/center/unit/supplement.html", "count": 1},
    ]
    # flexible-employment-insured: 员工 acts; household-type-missing: 员工 too (rules/errors.yaml)
    assert stats["by_who"]["员工"] == 4 and sum(stats["by_who"].values()) >= 4
    assert sum(r["count"] for r in stats["by_rule"]) == stats["total"] == sum(d["count"] for d in stats["by_day"])


def test_repeats_are_the_same_error_for_the_same_masked_person_within_a_day(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = stats_json(capsys, str(log))
    assert stats["repeats"] == [
        {"rule": "flexible-employment-insured", "fingerprint": None, "person": "**************1234",
         "day": "2026-11-18", "count": 2},
    ]


def test_since_and_the_readable_summary(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert stats_json(capsys, str(log), "--since", "2026-11-19")["total"] == 2
    assert main(["stats", str(log)]) == 0
    out = capsys.readouterr().out
    assert "共 6 条报错，显示了处理方法的 5 条。" in out
    assert "320102199001011234" not in out


def test_the_html_report_renders_its_charts_in_chromium_offline(
    log: Path, tmp_path: Path, page: Page, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = event('<img src=x onerror="window.pwned=1">系统维护中，请稍后再试', None, DAY2, "/busi/<b>x</b>.html")
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(hostile, ensure_ascii=False) + "\n")
    html = tmp_path / "stats.html"
    assert main(["stats", str(log), "--html", str(html)]) == 0
    capsys.readouterr()
    assert oct(html.stat().st_mode & 0o777) == "0o600"
    source = html.read_text(encoding="utf-8")
    assert "320102199001011234" not in source
    assert re.search(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=", source) is None  # all inlined

    requests: list[str] = []
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def block(route: Route, request: Request) -> None:
        requests.append(request.url)
        if request.url == html.as_uri():
            route.continue_()
        else:
            route.abort()

    page.route("**/*", block)
    page.goto(html.as_uri())
    charts = page.locator(".chart .js-plotly-plot")
    charts.first.wait_for(state="attached")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 8")
    assert charts.count() == 4
    # the stacked bars of the first chart: one trace per rule (2 known + unknown)
    assert page.locator("#chart-1 g.trace.bars").count() == 3
    assert page.locator("#chart-1 g.point path").count() >= 4
    assert page.locator("text", has_text="未识别的报错").count() >= 1
    assert requests == [html.as_uri()], requests
    assert errors == []
    assert page.evaluate("window.pwned") is None
    assert page.locator("img[src=x]").count() == 0
    # the unknown groups link to their drafts in the same page
    link = page.locator("#unknown a[href^='#draft-']").first
    target = link.get_attribute("href")
    assert target is not None and page.locator(target).count() == 1
    link.click()
    assert "remedy:" in page.locator(target + " pre").inner_text()
    assert requests == [html.as_uri()], requests
