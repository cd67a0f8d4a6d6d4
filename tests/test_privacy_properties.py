"""Masking in every spelling: generated 身份证, mobiles and bank cards never survive in clear
beyond their last four characters; dates, amounts and flow numbers are left as they are."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from interceptor.privacy import id_checksum_ok, luhn_ok, mask, mask_data

PROVINCES = ["11", "31", "32", "33", "44", "51", "65", "81"]
SEPARATORS = st.sampled_from([" ", "-", ".", "\u00a0"])
CONTEXT = st.sampled_from(["", "张三", "联系电话 ", "，请核实", "（", "）", "No.", " ", "号码"])
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError(body)


birthdays = st.dates(min_value=date(1930, 1, 1), max_value=date.today() - timedelta(days=1))


@st.composite
def id18(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(PROVINCES)) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(birthdays).strftime("%Y%m%d")
    body = region + born + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return body + id_check(body)


@st.composite
def id15(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(PROVINCES)) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(1999, 12, 31))).strftime("%y%m%d")
    return region + born + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))


@st.composite
def mobile(draw: st.DrawFn) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.from_regex(r"[0-9]{9}", fullmatch=True))


@st.composite
def card(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.sampled_from(["62", "4", "5", "9"]))
    body += draw(st.from_regex(rf"[0-9]{{{length - len(body) - 1}}}", fullmatch=True))
    return body + luhn_digit(body)


def grouped(number: str, sizes: list[int], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    if at < len(number):
        parts.append(number[at:])
    return sep.join(p for p in parts if p)


def clear_digits(masked: str) -> str:
    return "".join(
        c for c in masked.translate(str.maketrans("０１２３４５６７８９", "0123456789")) if c.isdigit()
    )


def assert_hidden(number: str, spelled: str, before: str, after: str) -> None:
    text = before + spelled + after
    masked = mask(text)
    assert len(masked) == len(text)
    assert masked.startswith(before) and masked.endswith(after), masked
    shown = clear_digits(masked[len(before) : len(masked) - len(after)])
    assert len(shown) <= 4, (text, masked)
    assert number[:-4] not in clear_digits(masked)


@settings(max_examples=300)
@given(id18(), SEPARATORS, st.booleans(), st.booleans(), CONTEXT, CONTEXT)
def test_generated_id_numbers_never_survive(
    number: str, sep: str, spaced: bool, wide: bool, before: str, after: str
) -> None:
    assert id_checksum_ok(number)
    spelled = number
    if spaced:
        spelled = grouped(number, [6, 8], sep)
    if wide:
        spelled = spelled.translate(FULL_WIDTH)
    assert_hidden(number, spelled, before, after)


# Outside the province code and the birth date, which are what tells a 身份证 from an order number.
@given(id18(), st.sampled_from([2, 3, 4, 5, 14, 15, 16, 17]), st.sampled_from("0123456789"))
def test_id_number_with_a_misread_digit_is_still_masked(number: str, at: int, digit: str) -> None:
    misread = number[:at] + digit + number[at + 1 :]
    assert_hidden(misread, misread, "身份证", "")


@given(id15(), CONTEXT, CONTEXT)
def test_generated_old_id_numbers_never_survive(number: str, before: str, after: str) -> None:
    assert_hidden(number, number, before, after)


@settings(max_examples=300)
@given(
    mobile(),
    SEPARATORS,
    st.booleans(),
    st.sampled_from(["", "+86 ", "86-", "+86", "0086 ", "+８６ "]),
    st.booleans(),
    CONTEXT,
    CONTEXT,
)
def test_generated_mobiles_never_survive(
    number: str, sep: str, spaced: bool, prefix: str, wide: bool, before: str, after: str
) -> None:
    spelled = grouped(number, [3, 4], sep) if spaced else number
    spelled = prefix + spelled
    if wide:
        spelled = spelled.translate(FULL_WIDTH)
    assert_hidden(number, spelled, before, after)


@settings(max_examples=300)
@given(card(), st.sampled_from([" ", "-", ""]), CONTEXT, CONTEXT)
def test_generated_bank_cards_never_survive(number: str, sep: str, before: str, after: str) -> None:
    spelled = grouped(number, [4] * 4, sep) if sep else number
    assert_hidden(number, spelled, before, after)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(0, 9_999_999),
    st.integers(0, 99),
    st.from_regex(r"2[0-9]{10}", fullmatch=True),
    st.sampled_from(["日期", "金额", "流水号", "缴费年月", "", " "]),
)
def test_dates_amounts_and_flow_numbers_are_left_alone(
    day: date, yuan: int, fen: int, flow: str, label: str
) -> None:
    texts = [
        day.strftime("%Y%m%d"),
        day.strftime("%Y-%m-%d"),
        day.strftime("%Y.%m.%d"),
        day.strftime("%Y%m"),
        f"{yuan}.{fen:02d}",
        f"{yuan:,}.{fen:02d}元",
        flow,
        f"流水号{flow}",
        f"{day:%Y-%m-%d} {fen % 24:02d}:{fen % 60:02d}:{yuan % 60:02d}",
    ]
    for text in texts:
        assert mask(label + text) == label + text


def test_examples_of_the_brief() -> None:
    assert mask("32010219900101123X") == "**************123X"
    assert mask("电话：138 1234 5678。") == "电话：*** **** 5678。"
    assert mask("１３８１２３４５６７８") == "*******５６７８"
    assert mask("流水号20261130771，金额3500.00，202103") == "流水号20261130771，金额3500.00，202103"
    assert mask("姓名：张三 参保人：李四，职工姓名:王小明") == "姓名：张* 参保人：李*，职工姓名:王**"
    assert mask("人员编号：3201001234") == "人员编号：******1234"
    assert mask("社保卡号=A12345678") == "社保卡号=*****5678"
    assert mask("人员信息已采集，人员编号为3205001234567") == "人员信息已采集，人员编号为*********4567"
    assert mask("人员编号3205001234567") == "人员编号3205001234567"  # no label separator: not a value


def test_ocr_look_alikes_inside_numbers_are_read_as_digits() -> None:
    assert mask("32O1O2199OO1O1123X") == "**************123X"
    assert mask("电话l3812345678") == "电话*******5678"
    assert mask("Tel13812345678") == "Tel*******5678"


def test_long_order_numbers_without_a_birth_date_are_left_alone() -> None:
    for order in ("202611301234567891", "320102199013011234", "990102199001011234"):
        assert mask(f"订单号{order}") == f"订单号{order}"


def test_captures_are_masked_by_their_key() -> None:
    event = {
        "text": "人员信息已采集",
        "captures": {"person_no": "3201001234", "name": "王小明", "code": "E001"},
        "id_number": "320102199001011234",
        "mobile": 13812345678,
        "headers": [{"name": "Referer", "value": "https://example.org/"}],
    }
    assert mask_data(event) == {
        "text": "人员信息已采集",
        "captures": {"person_no": "******1234", "name": "王**", "code": "E001"},
        "id_number": "**************1234",
        "mobile": "*******5678",
        "headers": [{"name": "Referer", "value": "https://example.org/"}],
    }
