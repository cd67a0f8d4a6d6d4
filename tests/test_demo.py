"""The demo hall: its backend's answers, and ``interceptor demo`` walking all seven errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interceptor import RuleSet
from interceptor.classify import load_rules
from interceptor.cli import main
from interceptor.companion import Event
from interceptor.demo import SCENARIOS, DemoBackend
from interceptor.demo.walk import SEVEN_RULES, STEPS, StepResult, passed, write_summary


def _post(backend: DemoBackend, endpoint: str, data: dict[str, str]) -> dict[str, object]:
    response = backend("POST", f"/api/{endpoint}", "", json.dumps(data).encode())
    assert response is not None
    return dict(json.loads(response.body))


def _upload(backend: DemoBackend, csv_text: str, unit: str) -> dict[str, object]:
    boundary = b"----demo"
    body = (
        b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n"
        b"Content-Type: text/csv\r\n\r\n" + csv_text.encode("utf-8-sig") + b"\r\n"
        b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"aab001\"\r\n\r\n" + unit.encode() + b"\r\n"
        b"--" + boundary + b"--\r\n"
    )
    response = backend("POST", "/api/ehrss/si/unit/batch-insure", "", body)
    assert response is not None
    return dict(json.loads(response.body))


def test_every_scenario_error_is_one_the_rules_know(ruleset: RuleSet) -> None:
    for scenario in SCENARIOS:
        if scenario.rule is None:
            continue
        match = ruleset.classify(scenario.outcome)
        assert match is not None and match.rule.id == scenario.rule, scenario
    assert {s.rule for s in SCENARIOS if s.rule} == set(SEVEN_RULES)


def test_backend_answers_like_the_gateway() -> None:
    backend = DemoBackend()
    assert _post(backend, "ehrss/si/person/quick-search", {"aac002": "320211200002290035"}) == {
        "appcode": "1", "msg": "未获取到人员基本信息", "map": {}}
    assert _post(backend, "ehrss/si/unit/insure-register", {"aac002": "320583198805126011"})["msg"] == (
        "该人员为灵活就业参保人员")
    collected = _post(backend, "ehrss/si/person/collect", {"aac002": "320102198506153216", "aac009": "10"})
    assert collected["msg"] == "人员信息已采集，人员编号为3201000000500005"
    assert _post(backend, "ehrss/si/person/collect", {"aac002": "320102200101011115", "aac009": ""})["msg"] == (
        "户籍性质为空")
    ok = _post(backend, "ehrss/si/person/collect", {"aac002": "320102200101011115", "aac009": "40"})
    assert ok["appcode"] == "0" and str(ok["msg"]).startswith("人员信息采集成功")
    assert _post(backend, "center/unit/supplement",
                 {"aac002": "320104199207214523", "startMonth": "202402", "endMonth": "202405"})["msg"] == (
        "自参保开始日期下一月起，存在失业金发放信息")
    assert _post(backend, "center/unit/supplement",
                 {"aac002": "320104199207214523", "startMonth": "202405", "endMonth": "202406"})["appcode"] == "0"
    # Stopping 李四's flexible employment lets the unit insure them afterwards.
    assert _post(backend, "ehrss/si/person/flexible-stop", {"aac002": "320583198805126011"})["appcode"] == "0"
    assert _post(backend, "ehrss/si/unit/insure-register", {"aac002": "320583198805126011"})["appcode"] == "0"
    assert backend("GET", "/index.html", "", b"") is None  # static files are not the backend's


def test_batch_upload_names_the_row_and_accepts_hr_units() -> None:
    header = "身份证号码,姓名,参保开始年月,用工类型,实际用工单位编号,实际用工单位名称\r\n"
    rows = header + "320102199003071234,张三,202406,,,\r\n320102198506153216,孙八,202406,劳务派遣,32010099999,某厂\r\n"
    refused = _upload(DemoBackend(), rows, "32010012345")
    assert refused["msg"] == "第3行：只有人力资源服务单位才能输入人力资源服务信息"
    accepted = _upload(DemoBackend(), rows, "32010067890")
    assert accepted["appcode"] == "0" and accepted["map"] == {"count": 2}
    unknown = _upload(DemoBackend(), header + "320211200002290035,钱七,202406,,,\r\n", "32010012345")
    assert unknown["msg"] == "第2行：未获取到人员基本信息"


def test_summary_escapes_page_text(tmp_path: Path, ruleset: RuleSet) -> None:
    hostile = '<img src=x onerror="alert(1)">户籍性质为空'
    result = StepResult(STEPS[4], events=[Event(source="dom", text=hostile, rule="household-type-missing")])
    page = write_summary([result], ruleset, tmp_path).read_text(encoding="utf-8")
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_demo_walks_all_seven_errors_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["demo", "--out", "shots"]) == 0
    out = elsewhere / "shots"
    printed = capsys.readouterr().out
    titles = {rule.id: rule.title for rule in load_rules().rules}
    for rule_id in SEVEN_RULES:
        assert f"识别为：{titles[rule_id]}" in printed and rule_id not in printed, rule_id  # titles, not ids
        assert len(list(out.glob(f"[0-9][0-9]-{rule_id}.png"))) == 1, rule_id
    assert "七种报错拦截到 7/7" in printed
    summary = (out / "index.html").read_text(encoding="utf-8")
    assert "七种报错全部拦截" in summary
    assert all(rule_id in summary for rule_id in SEVEN_RULES)
    # the demo's invented 身份证 numbers are still personal-data shaped: masked on screen and in the summary
    assert "320104199207214523" not in printed and "**************4523" in printed
    assert "320104199207214523" not in summary


def test_walk_verdict_needs_all_seven_and_quiet_success_steps() -> None:
    def result(step_rule: str | None, got: str | None) -> StepResult:
        step = next(s for s in STEPS if s.rule == step_rule)
        events = [Event(source="dom", text="…", rule=got)] if got or step_rule else []
        return StepResult(step, events=events)

    all_seven = [result(rule_id, rule_id) for rule_id in SEVEN_RULES]
    assert passed([*all_seven, result(None, None)])
    assert not passed(all_seven[:-1])  # one error never intercepted
    wrong = [*all_seven[:-1], result(SEVEN_RULES[-1], "household-type-missing")]
    assert not passed(wrong)  # intercepted, but with the wrong remedy
    noisy = StepResult(next(s for s in STEPS if s.rule is None), problem="不该报错的步骤出现了事件")
    assert not passed([*all_seven, noisy])
