"""The classifier on messy text, near misses, captures, spans and hostile input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interceptor import RuleSet, load_rules
from interceptor.normalize import _NON_WORD, FOLD_TABLE, normalize, normalize_with_offsets

TEXT = Path(__file__).resolve().parent.parent / "fixtures" / "text"
_RULESET = load_rules()


def _lines(name: str) -> list[str]:
    lines = (TEXT / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _positive_cases() -> list[tuple[str, str, dict[str, str]]]:
    cases = []
    for line in _lines("messy_positives.tsv"):
        text, rule_id, *rest = line.split("\t")
        captures = dict(pair.split("=", 1) for pair in rest[0].split(";")) if rest else {}
        cases.append((text, rule_id, captures))
    return cases


@pytest.mark.parametrize(("text", "rule_id", "captures"), _positive_cases())
def test_messy_text_finds_its_rule(
    ruleset: RuleSet, text: str, rule_id: str, captures: dict[str, str]
) -> None:
    found = ruleset.classify(text)
    assert found is not None and found.rule.id == rule_id
    assert found.captures == captures


@pytest.mark.parametrize("text", _lines("near_misses.txt"))
def test_page_text_and_near_misses_never_match(ruleset: RuleSet, text: str) -> None:
    assert ruleset.classify(text) is None
    assert ruleset.find_all(text) == []


def test_normalize_folds_width_spacing_punctuation_and_ocr_confusions() -> None:
    assert normalize("户 籍，性质：为空！") == normalize("户籍性质为空")
    assert normalize("ＡＢ１２") == "ab12"
    assert normalize("人员信息己釆集") == normalize("人员信息已采集")
    assert normalize("沒有符合該人員") == normalize("没有符合该人员")
    assert normalize("下-月") == normalize("下一月") == normalize("下月")


def test_offsets_point_back_into_the_original_text() -> None:
    text = "保存失败： 户 籍性质为空！"
    mapped = normalize_with_offsets(text)
    assert mapped.text == normalize(text)
    assert [text[mapped.original_index(i)] for i in range(len(mapped.text))] == list("保存失败户籍性质为空")


@settings(deadline=None)
@given(st.text(max_size=80), st.integers(min_value=1, max_value=12))
def test_long_text_path_agrees_with_the_short_one(text: str, repeat: int) -> None:
    long_text = (text + " 户籍性质为空。一") * repeat * 4
    expected = _NON_WORD.sub("", long_text).translate(FOLD_TABLE)
    assert normalize(long_text) == expected
    mapped = normalize_with_offsets(long_text)
    assert mapped.text == expected
    for i in range(0, len(expected), 7):
        assert normalize(long_text[mapped.original_index(i)]) == expected[i]


@given(st.text(max_size=80))
def test_offset_mapping_agrees_with_normalize(text: str) -> None:
    mapped = normalize_with_offsets(text)
    assert mapped.text == normalize(text)
    for i, ch in enumerate(mapped.text):
        assert normalize(text[mapped.original_index(i)]) == ch


def test_match_span_and_text_are_the_error_inside_the_banner(ruleset: RuleSet) -> None:
    text = "第3行：张三 该人员为灵活就业参保人员，请核实"
    found = ruleset.classify(text)
    assert found is not None
    assert found.text == "该人员为灵活就业参保人员"
    assert text[found.start : found.end] == found.text


def test_capture_survives_spaces_full_width_digits_and_ocr_letters(ruleset: RuleSet) -> None:
    for text, expected in [
        ("人员信息已采集，人员编号为 3205 0012 3456 ", "320500123456"),
        ("人员信息已采集，人员编号为３２０５００１２３４５", "32050012345"),
        ("人员信息已采集，人员编号为32O5OOl2345", "32050012345"),
    ]:
        found = ruleset.classify(text)
        assert found is not None and found.captures == {"person_no": expected}, text


def test_find_all_returns_every_error_in_reading_order(ruleset: RuleSet) -> None:
    text = "第1行：户籍性质为空；第2行：只有人力资源服务单位才能输入人力资源服务信息；第3行：户籍性质为空"
    found = ruleset.find_all(text)
    assert [m.rule.id for m in found] == [
        "household-type-missing",
        "hr-service-fields-not-allowed",
        "household-type-missing",
    ]
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_tolerant_match_accepts_a_lost_character_but_not_a_negation(ruleset: RuleSet) -> None:
    found = ruleset.classify("未获取到人员基本信")
    assert found is not None and found.rule.id == "person-info-not-found" and found.score < 1.0
    assert ruleset.classify("未获取到人员基本信息不") is not None  # trailing noise after a whole message
    assert ruleset.classify("该人员为灵活就业退保人员") is None  # one ideograph swapped changes the meaning
    assert ruleset.classify("没有符合该人员的参保身份证") is not None
    assert ruleset.classify("有符合该人员的参保身份") is None


def test_instructions_quoting_an_error_are_not_errors(ruleset: RuleSet) -> None:
    assert ruleset.classify("如提示“该人员为灵活就业参保人员”，请先停保") is None
    assert ruleset.classify("户籍性质为空时，请到个人中心维护") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t",
        "\x00" * 100,
        "<script>alert(1)</script>",
        "\ud800",
        "𠀀" * 50,
        "a" * 1_000_000,
        "户籍性质为空" * 100_000,
        bytes(range(256)).decode("latin-1") * 100,
    ],
)
def test_hostile_input_returns_quickly_without_raising(ruleset: RuleSet, text: str) -> None:
    started = time.perf_counter()
    ruleset.classify(text)
    ruleset.find_all(text)
    assert time.perf_counter() - started < 5.0


def test_non_string_input_is_no_match(ruleset: RuleSet) -> None:
    assert ruleset.classify(None) is None  # type: ignore[arg-type]
    assert ruleset.classify(b"\xff\xfe") is None  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_classify_never_raises_and_is_deterministic(text: str) -> None:
    first = _RULESET.classify(text)
    second = _RULESET.classify(text)
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        assert (first.rule.id, first.captures, first.score, first.start) == (
            second.rule.id,
            second.captures,
            second.score,
            second.start,
        )
        assert 0.0 < first.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.text(alphabet="保存失败：第行0123456789 ,.;:!?【】()[]，。；：！？", max_size=20),
    suffix=st.text(alphabet="请核实 ,.;:!?。！", max_size=10),
    index=st.integers(min_value=0, max_value=6),
)
def test_prefixes_and_suffixes_do_not_hide_a_message(prefix: str, suffix: str, index: int) -> None:
    rule = _RULESET.rules[index]
    text = prefix + rule.examples.match[0].text + suffix
    found = _RULESET.classify(text)
    assert found is not None and found.rule.id == rule.id
