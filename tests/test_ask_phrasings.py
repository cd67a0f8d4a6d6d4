"""``interceptor ask`` measured on ordinary phrasings (``ask_phrasings.tsv``): every entry
asked several ways, plus questions about something else, which must get no answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interceptor.classify import load_rules
from interceptor.cli import main

PHRASINGS = Path(__file__).with_name("ask_phrasings.tsv")


def _rows() -> list[tuple[str, str | None]]:
    rows = []
    for line in PHRASINGS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected = line.split("\t")
            rows.append((question, None if expected == "-" else expected))
    return rows


def test_the_phrasing_set_is_large_and_covers_every_question() -> None:
    rows = _rows()
    assert len(rows) >= 60
    asked = {expected for _, expected in rows}
    assert {q.id for q in load_rules().questions} <= asked
    assert sum(expected is None for _, expected in rows) >= 10  # off-topic questions


def test_ask_answers_ordinary_phrasings_and_never_wrongly() -> None:
    ruleset = load_rules()
    right, wrong, none = [], [], []
    for question, expected in _rows():
        answers = ruleset.ask(question, limit=1)
        got = answers[0][0].id if answers else None
        if got == expected:
            right.append(question)
        elif got is None:
            none.append(f"{question} → 无答案（应为 {expected}）")
        else:
            wrong.append(f"{question} → {got}（应为 {expected or '无答案'}）")
    total = len(right) + len(wrong) + len(none)
    assert not wrong, "答错了：\n" + "\n".join(wrong)
    assert len(right) / total >= 0.95, f"{len(right)}/{total} 答对；没有答案的：\n" + "\n".join(none)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("员工停保日期填错了能改吗", "undo-wrong-registration"),
        ("医保也要单独去停吗", "two-platforms-for-stop"),
        ("公司搬家了，社保里的地址在哪改", "unit-info-mismatch"),
        ("提示户籍性质为空怎么办", "household-type-missing"),
    ],
)
def test_the_phrasings_the_issue_named(question: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", question, "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert answers and answers[0]["id"] == expected


def test_an_error_text_is_answered_with_its_remedy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "提示户籍性质为空怎么办"]) == 0
    out = capsys.readouterr().out
    assert "处理步骤" in out and "个人中心" in out
    assert "household-type-missing" not in out  # people read no rule ids


@pytest.mark.parametrize("question", ["公积金怎么交", "个税怎么申报", "今天天气怎么样"])
def test_off_topic_questions_get_no_answer(question: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", question]) == 0
    assert "没有找到把握足够的答案" in capsys.readouterr().out


@pytest.mark.parametrize("limit", ["0", "-1", "abc"])
def test_ask_refuses_a_limit_below_one(limit: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "社保从几月份开始交", "--limit", limit]) == 2
    err = capsys.readouterr().err
    assert "--limit" in err and "1 或更大的整数" in err
