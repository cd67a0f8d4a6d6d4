"""interceptor unknown: unknown errors from logs and reports grouped by fingerprint; rule drafts."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from interceptor import load_rules
from interceptor.classify import check_rules
from interceptor.cli import main

HALL = "https://rs.jshrss.jiangsu.gov.cn/busi/app.html#/flows/insure-register"
T0 = time.mktime((2026, 11, 20, 12, 0, 0, 0, 0, -1))  # noon, local time; before any report file


def event(text: str, rule: str | None = None, *, at: float = T0, url: str = HALL, **extra: Any) -> dict[str, Any]:
    return {"source": "dom", "text": text, "rule": rule, "captures": {}, "overlay": True, "frame_url": url,
            "time": at, "severity": "error", **extra}


def write_log(path: Path, records: list[dict[str, Any]], *extra_lines: str) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_replay(path: Path, events: list[dict[str, Any]]) -> Path:
    keys = ("source", "text", "rule", "captures", "overlay", "frame_url")
    page = {"target": "fixtures/pages/x/page.html", "events": [{k: e[k] for k in keys} for e in events]}
    path.write_text(json.dumps({"pages": [page]}, ensure_ascii=False), encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[Any, str]:
    assert main(["unknown", *args, "--json"]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_one_message_from_a_log_and_a_replay_report_is_one_group_with_the_summed_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "interceptor-events.jsonl", [
        event("系统繁忙，请稍后再试（流水号20261130771）", at=T0),
        event("保存失败：系统繁忙，请稍后再试（流水号20261130905）", at=T0 + 60),
        event("操作失败，请稍后再试（错误码17）", at=T0 + 120),
    ])
    report = write_replay(tmp_path / "replay.json", [
        event("系统繁忙，请稍后再试（流水号20261201003）"),
        event("操作失败，请稍后再试（错误码942）"),
    ])
    groups, err = run_json(capsys, str(log), str(report))
    assert err == ""
    assert [g["count"] for g in groups] == [3, 2]
    busy = groups[0]
    assert set(busy) == {"fingerprint", "count", "first_seen", "last_seen", "where", "sample", "texts"}
    assert busy["sample"] == "系统繁忙，请稍后再试（流水号20261130771）"
    assert len(busy["texts"]) == 3
    assert busy["where"][0] == "/busi/app.html#/flows/insure-register"
    assert busy["first_seen"] < busy["last_seen"]


def test_known_errors_never_appear_as_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(tmp_path / "a.jsonl", [
        event("保存失败：户籍性质为空", "household-type-missing"),
        # logged as unknown by an older rule table; the current one knows it
        event("第3行：张三（320102199001011234）该人员为灵活就业参保人员，请核实"),
        event("当前时间办理人员停保，发送税务缴费截止时间为2026年08月", "stop-tax-deadline", severity="info"),
        event("单位本月已申报，不能重复提交"),
    ])
    groups, _ = run_json(capsys, str(log))
    assert [g["sample"] for g in groups] == ["单位本月已申报，不能重复提交"]


def test_bad_and_foreign_files_get_one_sentence_each_and_the_rest_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    write_log(folder / "events.jsonl", [event("单位本月已申报，不能重复提交")],
              '{"type": "dropped", "count": 40, "frame_url": "x", "time": 1}', '{"source": "dom", "te')
    (folder / "recording.json").write_text('{"version": 1, "url": "x"}', encoding="utf-8")
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    groups, err = run_json(capsys, str(folder), str(tmp_path / "missing.jsonl"))
    assert [g["count"] for g in groups] == [1]
    sentences = err.strip().splitlines()
    assert len(sentences) == 4, err
    assert "Traceback" not in err
    assert all(re.search(r"[\u4e00-\u9fff]", s) and s.endswith("。") for s in sentences), err
    assert any("events.jsonl" in s and "1 行" in s for s in sentences)
    assert any("missing.jsonl" in s and "不存在" in s for s in sentences)


def test_nothing_readable_is_one_sentence_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text("[1, 2", encoding="utf-8")
    assert main(["unknown", str(tmp_path / "x.json")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "没有读到" in err


def test_default_input_is_the_event_log_of_the_launch_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["unknown"]) == 1
    assert "还没有事件日志" in capsys.readouterr().err
    profile = tmp_path / "interceptor" / "profile"
    profile.mkdir(parents=True)
    write_log(profile / "interceptor-events.jsonl", [event("单位本月已申报，不能重复提交")])
    groups, _ = run_json(capsys)
    assert groups[0]["count"] == 1


def test_shots_reports_count_the_error_line_of_an_unknown_screenshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"file": "a.png", "rule": None, "rules": [], "captures": {}, "text": "错误提示\n单位本月已申报，不能重复提交\n确定",
         "error": None},
        {"file": "b.png", "rule": "household-type-missing", "rules": ["household-type-missing"], "captures": {},
         "text": "户籍性质为空", "error": None},
        {"file": "c.png", "rule": None, "rules": [], "captures": {}, "text": "人员基础信息采集\n单位办事", "error": None},
        {"file": "d.png", "rule": None, "rules": [], "captures": {}, "text": "", "error": "图片数据不完整或已损坏。"},
    ]
    (tmp_path / "shots.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    groups, _ = run_json(capsys, str(tmp_path / "shots.json"))
    assert [(g["sample"], g["where"]) for g in groups] == [("单位本月已申报，不能重复提交", ["a.png"])]


def test_a_recordings_events_json_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recorded = [{**event("单位本月已申报，不能重复提交"), "snapshot": "snapshots/001-unknown.html"},
                {**event("保存失败：户籍性质为空", "household-type-missing"), "screenshot": "screenshots/002.png"}]
    folder = tmp_path / "rec"
    folder.mkdir()
    (folder / "events.json").write_text(json.dumps(recorded, ensure_ascii=False), encoding="utf-8")
    groups, _ = run_json(capsys, str(folder / "events.json"))
    assert [(g["sample"], g["count"]) for g in groups] == [("单位本月已申报，不能重复提交", 1)]


def test_since_leaves_out_earlier_days(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(tmp_path / "a.jsonl", [
        event("单位本月已申报，不能重复提交", at=T0 - 10 * 86400),
        event("单位本月已申报，不能重复提交", at=T0),
    ])
    groups, _ = run_json(capsys, str(log), "--since", "2026-11-15")
    assert groups[0]["count"] == 1
    assert main(["unknown", str(log), "--since", "去年"]) == 2
    assert "2026-11-30" in capsys.readouterr().err


def test_personal_data_is_masked_in_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(tmp_path / "a.jsonl", [
        event("李四（320102199001011234）身份证号码已被其他单位登记"),
        event("王五（32010219850505123X）身份证号码已被其他单位登记"),
        event("姓名：赵六 手机号码13812345678不正确"),
    ])
    draft = tmp_path / "draft.yaml"
    assert main(["unknown", str(log)]) == 0
    assert main(["unknown", str(log), "--json", "--draft", str(draft)]) == 0
    out = capsys.readouterr().out + draft.read_text(encoding="utf-8")
    for secret in ("320102199001011234", "32010219850505123X", "13812345678", "李四", "王五", "赵六"):
        assert secret not in out
    assert oct(draft.stat().st_mode & 0o777) == "0o600"


FILLED_REMEDY = """    remedy:
      who: [单位]
      summary: 大厅的服务器一时忙不过来。
      steps:
        - 过几分钟再提交一次。
"""


def test_a_draft_is_refused_until_its_remedy_is_written_then_recognises_its_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = [
        "系统繁忙，请稍后再试（流水号20261130771）",
        "保存失败：系统繁忙，请稍后再试（流水号20261130905）",
        "自参保开始日期（202103）下一月起，存在待核定的补缴记录",
        "自参保开始日期2021年5月下一月起，存在待核定的补缴记录",
        "人员信息已登记，人员编号为3205 0012 3456",
        "第2行：孙七（320102199001011234）该人员存在未办结的转移业务",
    ]
    log = write_log(tmp_path / "a.jsonl", [event(t, at=T0 + i) for i, t in enumerate(samples)])
    draft = tmp_path / "draft.yaml"
    assert main(["unknown", str(log), "--draft", str(draft)]) == 0
    capsys.readouterr()
    text = draft.read_text(encoding="utf-8")
    assert text.count("  - id: unknown-") == 4

    problems = check_rules([draft])
    assert problems, "an unfinished draft must be refused"
    lines = text.splitlines()
    for problem in problems:
        assert problem.path == draft or str(problem.path) == str(draft)
        assert re.match(r"\s+(who|summary|steps):", lines[problem.line - 1]), lines[problem.line - 1]
    assert main(["rules", "check", str(draft)]) == 1
    out = capsys.readouterr().out
    assert re.search(re.escape(str(draft)) + r":\d+: ", out)
    with pytest.raises(Exception):  # noqa: B017 - the loader refuses it, whatever the exception
        load_rules([draft])

    filled = re.sub(r"    remedy:\n(?:      .*\n)+", FILLED_REMEDY, text)
    draft.write_text(filled, encoding="utf-8")
    assert check_rules([draft]) == []
    rules = load_rules([draft])
    for sample in [*samples, "系统繁忙，请稍后再试（流水号20270101999）"]:
        match = rules.classify(sample)
        assert match is not None and match.rule.id.startswith("unknown-"), sample
