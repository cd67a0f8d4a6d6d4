"""The core commands through main(argv)."""

from __future__ import annotations

import io
import json

import pytest

from interceptor.cli import main


def test_classify_texts_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "保存失败：户籍性质为空", "随便什么"]) == 0
    out = capsys.readouterr().out
    assert "员工的户籍性质为空" in out and "处理步骤" in out and "1. " in out
    assert "household-type-missing" not in out  # people read titles, not rule ids
    assert "未识别" in out


def test_classify_stdin_one_output_per_line_including_empty(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        "人员信息已采集，人员编号为3205001234567",
        "",
        "未获取到单位基本信息",
        "张三320102199001011234 户籍性质为空",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["classify", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == len(lines)
    assert all(set(r) - {"severity"} == {"text", "rule", "title", "remedy", "captures", "score"} for r in records)
    assert records[0]["rule"] == "person-already-collected"
    assert records[0]["captures"] == {"person_no": "*********4567"}  # masked like the text
    assert records[1]["rule"] is None and records[1]["text"] == ""
    assert records[2]["rule"] is None
    assert records[3]["rule"] == "household-type-missing"
    assert "320102199001011234" not in records[3]["text"]  # masked by default


def test_ask_json_gives_answers_or_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "员工参保从哪个月开始缴费？", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert answers[0]["id"] == "contribution-start-month"
    assert set(answers[0]) == {"id", "question", "answer", "score"}
    assert main(["ask", "今天天气怎么样", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["ask", "单位办过的业务在哪里查"]) == 0
    assert "单位中心" in capsys.readouterr().out
