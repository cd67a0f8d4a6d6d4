"""Slots in patterns ({date}, {amount}, {name:type} …): every spelling the hall uses is captured
as one value, and a meaning-bearing word where a value should be never matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interceptor import RuleSet, load_rules
from interceptor.classify import check_rules

_RULESET = load_rules()
MEANING_WORDS = ["不", "未", "非", "无", "已", "没", "成功", "没有", "不是", "未能"]
PREFIXES = st.sampled_from(["", "保存失败：", "第3行：", "提交失败!", "错误提示 ", "[E1024] "])
SUFFIXES = st.sampled_from(["", "。", "，请核实", "！", " 确定", "(appcode=1)"])

SLOT_RULES = """\
rules:
  - id: slot-sample
    title: 示例
    message: 示例
    patterns:
      - 人员{who:name}（{card:id}）的编号为{no:number}，参保状态为{state:text}，请核对
      - 金额{amount}已于{date}到账
      - 编号{person_no}已登记
    remedy: {who: [单位], summary: 示例, steps: [第一步]}
    source: {general: true}
    examples:
      match: [金额100已于2021年01月到账]
      no_match: [金额已于到账]
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    path = tmp_path_factory.mktemp("slots") / "slots.yaml"
    path.write_text(SLOT_RULES, encoding="utf-8")
    return load_rules([path])


def _month_spellings(year: int, month: int) -> list[str]:
    return [
        f"{year}{month:02d}",
        f"（{year}{month:02d}）",
        f"({year}{month:02d})",
        f"{year}年{month:02d}月",
        f"{year}年{month}月",
        f"{year}-{month:02d}",
        f"{year}-{month}",
        f"{year}.{month:02d}",
        f"{year}/{month:02d}",
        f" {year} 年 {month} 月 ",
        f"{year}{month:02d}".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ]


@settings(max_examples=60, deadline=None)
@given(
    year=st.integers(min_value=1990, max_value=2099),
    month=st.integers(min_value=1, max_value=12),
    prefix=PREFIXES,
    suffix=SUFFIXES,
)
def test_a_date_in_every_spelling_is_captured(year: int, month: int, prefix: str, suffix: str) -> None:
    for spelling in _month_spellings(year, month):
        text = f"{prefix}自参保开始日期{spelling}下一月起，存在失业金发放信息{suffix}"
        found = _RULESET.classify(text)
        assert found is not None and found.rule.id == "unemployment-benefit-overlap", text
        assert found.captures == {"date": f"{year}年{month:02d}月"}, text


@settings(max_examples=40, deadline=None)
@given(
    year=st.integers(min_value=1990, max_value=2099),
    month=st.integers(min_value=1, max_value=12),
    day=st.integers(min_value=1, max_value=28),
)
def test_a_date_with_its_day_is_captured_for_date_slots(year: int, month: int, day: int) -> None:
    expected = f"{year}年{month:02d}月{day:02d}日"
    for spelling in (f"{year}{month:02d}{day:02d}", f"{year}-{month:02d}-{day:02d}", f"{year}年{month}月{day}日"):
        found = _RULESET.classify(f"自参保开始日期（{spelling}）下一月起，存在失业金发放信息")
        assert found is not None and found.captures == {"date": expected}, spelling


@settings(max_examples=60, deadline=None)
@given(
    yuan=st.integers(min_value=1, max_value=99_999_999),
    cents=st.integers(min_value=0, max_value=99),
    prefix=PREFIXES,
)
def test_an_amount_in_every_spelling_is_captured(yuan: int, cents: int, prefix: str) -> None:
    value = f"{yuan}.{cents:02d}".rstrip("0").rstrip(".") if cents else str(yuan)
    spellings = [f"{yuan}.{cents:02d}", f"{yuan:,}.{cents:02d}", f"{yuan:,}.{cents:02d}元", f"￥{yuan}.{cents:02d}"]
    if not cents:
        spellings += [str(yuan), f"{yuan:,}", f"{yuan}元", f"（{yuan}）"]
    for spelling in spellings:
        text = f"{prefix}张三的缴费基数不能低于下限{spelling}"
        found = _RULESET.classify(text)
        assert found is not None and found.rule.id == "contribution-base-below-minimum", text
        assert found.captures["amount"] == value, text


NAMES = st.text(alphabet="张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤三四五六明华军伟芳娜敏静丽强磊洋艳勇杰娟涛超秀霞平刚桂英", min_size=2, max_size=4)


@settings(max_examples=60, deadline=None)
@given(name=NAMES, prefix=st.sampled_from(["", "保存失败：", "第12行：", "提交失败! "]))
def test_a_name_is_captured_without_its_prefix(name: str, prefix: str) -> None:
    found = _RULESET.classify(f"{prefix}{name}的缴费基数不能低于下限3500")
    assert found is not None and found.captures == {"name": name, "amount": "3500"}


@pytest.mark.parametrize("name", ["Tom", "Anna Lee"])
def test_a_latin_name_keeps_its_spelling(name: str) -> None:
    found = _RULESET.classify(f"保存失败：{name}的缴费基数不能低于下限3500")
    assert found is not None and found.captures["name"] == name


@settings(max_examples=50, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=4, max_size=16),
    separator=st.sampled_from(["", " ", "：", ": "]),
    suffix=SUFFIXES,
)
def test_a_person_number_is_captured_with_or_without_spaces(digits: str, separator: str, suffix: str) -> None:
    grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    for spelling in (digits, grouped):
        found = _RULESET.classify(f"人员信息已采集，人员编号为{separator}{spelling}{suffix}")
        assert found is not None and found.captures == {"person_no": digits}, spelling


@settings(max_examples=40, deadline=None)
@given(
    body=st.text(alphabet="0123456789", min_size=17, max_size=17),
    last=st.sampled_from(["0", "7", "X", "x"]),
    number=st.integers(min_value=0, max_value=10**8),
    state=st.sampled_from(["正常参保", "暂停缴费", "中断", "在职"]),
)
def test_typed_slots_of_a_custom_rule(sample: RuleSet, body: str, last: str, number: int, state: str) -> None:
    text = f"第3行：人员张三（{body}{last}）的编号为{number}，参保状态为{state}，请核对"
    found = sample.classify(text)
    assert found is not None and found.captures == {
        "who": "张三",
        "card": body + last.upper(),
        "no": str(number),
        "state": state,
    }, text


@settings(max_examples=80, deadline=None)
@given(word=st.sampled_from(MEANING_WORDS), prefix=PREFIXES, suffix=SUFFIXES)
def test_a_meaning_bearing_word_where_a_value_stands_never_matches(
    sample: RuleSet, word: str, prefix: str, suffix: str
) -> None:
    for text in (
        f"自参保开始日期{word}下一月起，存在失业金发放信息",
        f"{word}的缴费基数不能低于下限3500",
        f"张三的缴费基数不能低于下限{word}",
        f"人员信息已采集，人员编号为{word}",
        f"当前时间办理人员停保，发送税务缴费截止时间为{word}月",
    ):
        found = _RULESET.classify(prefix + text + suffix)
        assert found is None or not set(word) & set("".join(found.captures.values())), text
    for text in (
        f"人员张三（320102199001011234）的编号为12，参保状态为{word}，请核对",
        f"人员{word}（320102199001011234）的编号为12，参保状态为正常，请核对",
        f"金额{word}已于2021年01月到账",
        f"金额100已于{word}到账",
        f"编号{word}已登记",
    ):
        assert sample.classify(prefix + text + suffix) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "自参保开始日期（202113）下一月起，存在失业金发放信息",  # no 13th month
        "自参保开始日期（2021）下一月起，存在失业金发放信息",  # a year is no month
        "当前时间办理人员停保，发送税务缴费截止时间为20260815",  # a month slot takes no day
    ],
)
def test_a_value_that_is_not_of_its_type_does_not_fill_the_slot(text: str) -> None:
    found = _RULESET.classify(text)
    assert found is None or not found.captures, text


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("示例{when:week}报错", "未知的值类型"),
        ("示例{when}报错", "不是已知的值类型"),
        ("示例{date}{amount}报错", "紧挨着"),
        ("示例{date}和{date}报错", "出现了两次"),
    ],
)
def test_a_bad_slot_is_refused_with_its_line(tmp_path: Path, pattern: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SLOT_RULES.replace("      - 编号{person_no}已登记", f"      - {pattern}"), encoding="utf-8")
    problems = [p.location_text() for p in check_rules([path])]
    assert any(words in p and p.startswith(f"{path}:") for p in problems), problems
