"""Masking of personal data in logs and reports.

What is masked, keeping the last four characters of a number (``**************123X``) and the
first character of a name (``张*``), so a report still lets a clerk tell people apart:

- 18-character 身份证 numbers: a real province code, a birth date that exists (1900 up to this
  year) and a check character. **Checksum policy:** the ISO 7064 MOD 11-2 check character is
  *not* required. A number that has the shape and a valid birth date is masked even when its
  check character is wrong, because OCR misreads single digits and a leaked 身份证 costs more
  than a masked order number. What keeps long order numbers, dates and amounts out is the shape
  itself: an order number that starts with a date (``2026113012…``) has no real province code
  and birth date where a 身份证 has them.
- 15-digit old 身份证 numbers: province code and a date ``YYMMDD`` that exists (19YY).
- mainland mobiles: ``13812345678``, ``138 1234 5678``, ``138-1234-5678``, ``138.1234.5678``,
  with ``+86``/``86``/``0086`` before them, in full-width digits. Only ``1[3-9]`` starts a
  mobile, so an 11-digit flow number such as ``20261130771`` is left alone.
- bank card numbers: 13–19 digits, together or in groups of four (one kind of separator),
  that pass the Luhn check.
- the value after a label such as 社保卡号, 人员编号, 个人编号, 卡号, 身份证号, 证件号码, 手机号,
  联系电话 followed by ``：``, ``:``, ``=`` or 为/是 (the hall says 人员编号为3205…), whatever
  the value looks like; a bare number right after a label (人员编号3205…) is left alone;
- names after 姓名, 参保人, 职工姓名 … followed by ``：``, ``:`` or ``=`` (at most three
  ideographs, or up to three Latin words; the first character stays).

Numbers are *looked for* in a normalised copy of the text (full-width forms turned into ASCII,
O/o read as 0 and l/I/| read as 1 inside runs of digits); the normalised copy has the same
length as the text, so the characters masked are the original ones and everything around them
stays exactly as it was. ``mask`` never changes the length of a text. Separators inside a
number stay visible; only letters and digits are replaced by ``*``.

:func:`mask_data` also masks values by their key (``person_no``, ``id_number``, ``mobile``,
``card_no`` …, and ``name`` inside ``captures``), since a capture such as a 人员编号 is
personal data that no pattern in the text would recognise.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

KEEP = 4

# Full-width forms (U+FF01..U+FF5E) and the ideographic space, to ASCII; same length.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_LOOKALIKE_CHARS = "OolI|"
_RUN = re.compile(r"[0-9OolI|]+")
_HAS_DIGIT = re.compile(r"[0-9\uff10-\uff19]")

# The first two digits of a 身份证 (the province, 港澳台 included).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# A single separator between the characters of a number (spaces, hyphens, dots, no-break space).
_S = r"[ \-.\u00a0]?"
# Lookarounds instead of \b: in Chinese text a number usually touches ideographs, which
# are word characters, so \b would not see the number's edges.
_ID18 = re.compile(r"(?<!\d)[1-9](?:" + _S + r"\d){16}" + _S + r"[0-9Xx×](?!\d)")
_ID15 = re.compile(r"(?<!\d)[1-9](?:" + _S + r"\d){14}(?!\d)")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ \-\u00a0]?)?1[3-9]\d" + _S + r"\d{4}" + _S + r"\d{4}(?!\d)")
_CARD = re.compile(
    r"(?<!\d)(?:\d{13,19}|\d{4}(?P<sep>[ \-\u00a0])\d{4}(?:(?P=sep)\d{4}){1,2}(?:(?P=sep)\d{1,4})?)(?!\d)"
)
_NUMBER_LABELS = (
    "社会保障卡号|社保卡号|银行卡号|卡号|人员编号|个人编号|个人识别号|公民身份号码|身份证号码|身份证号|身份证|"
    "证件号码|证件号|手机号码|手机号|手机|联系电话|电话号码|电话|联系方式"
)
_LABELLED = re.compile(
    r"(?:"
    + _NUMBER_LABELS
    + r")[ \t]*(?:[为是][ \t]*[:=]?|[:=])[ \t]*(?P<value>\+?[0-9A-Za-z]+(?:[ \-.]\d+)*)"
)
_NAME_LABELS = "职工姓名|员工姓名|人员姓名|参保人姓名|姓名|参保人|被保险人|缴费人|联系人|申请人|经办人|持卡人|开户名|户名"
_NAMED = re.compile(
    r"(?:" + _NAME_LABELS + r")[ \t]*[：:=][ \t]*"
    r"(?P<value>[\u4e00-\u9fff]{1,3}(?:[·•][\u4e00-\u9fff]{1,3})?|[A-Za-z]+(?: [A-Za-z]+){0,2})"
)
_NAME_HINT = re.compile(_NAME_LABELS)


def _normalised(text: str) -> tuple[str, str]:
    """Two same-length copies of ``text`` to look for numbers in.

    Both have full-width forms in ASCII. The first reads look-alikes as digits only inside a run
    of digits; the second also at a run's edges (``1381234567l``). Each alone would miss
    something (``Tel13812345678`` becomes 12 digits in the second), so both are searched.
    """
    ascii_text = text.translate(_WIDTH)

    def inner(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) < 3 or not any(c.isdigit() for c in run):
            return run
        return run[0] + run[1:-1].translate(_LOOKALIKES) + run[-1]

    def whole(match: re.Match[str]) -> str:
        run = match.group(0)
        return run.translate(_LOOKALIKES) if any(c.isdigit() for c in run) else run

    if not any(c in ascii_text for c in _LOOKALIKE_CHARS):
        return ascii_text, ascii_text
    return _RUN.sub(inner, ascii_text), _RUN.sub(whole, ascii_text)


def _significant(char: str) -> bool:
    return char.isalnum() or char == "×"


def _digits(value: str) -> str:
    return "".join(c for c in value if _significant(c))


def _valid_date(year: int, month: int, day: int) -> bool:
    if not (1900 <= year <= date.today().year and 1 <= month <= 12):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def id_checksum_ok(number: str) -> bool:
    """Whether an 18-character 身份证 number's check character is right (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _is_id18(value: str) -> bool:
    number = _digits(value).replace("×", "X")
    if len(number) != 18 or int(number[:2]) not in _PROVINCES:
        return False
    # The check character is not required (see the module docstring); the date is.
    return _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _is_id15(value: str) -> bool:
    number = _digits(value)
    if len(number) != 15 or int(number[:2]) not in _PROVINCES:
        return False
    return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def luhn_ok(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _is_card(value: str) -> bool:
    number = _digits(value)
    return 13 <= len(number) <= 19 and luhn_ok(number)


_NUMBER_CHECKS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (_ID18, _is_id18),
    (_ID15, _is_id15),
    (_MOBILE, None),
    (_CARD, _is_card),
)


def _number_spans(norm: str) -> Iterable[tuple[int, int]]:
    for pattern, check in _NUMBER_CHECKS:
        for match in pattern.finditer(norm):
            if check is None or check(match.group(0)):
                yield match.start(), match.end()
    for match in _LABELLED.finditer(norm):
        yield match.start("value"), match.end("value")


def _hide(chars: list[str], norm: str, start: int, end: int, *, keep_first: bool = False) -> None:
    """Replace the letters and digits of ``[start, end)`` by ``*``, keeping the last four (or,
    for names, the first one)."""
    positions = [i for i in range(start, end) if _significant(norm[i])]
    hidden = positions[1:] if keep_first else positions[: max(0, len(positions) - KEEP)]
    for i in hidden:
        chars[i] = "*"


def mask(text: str) -> str:
    """Mask 身份证, mobile and bank card numbers, labelled numbers and names in ``text``.

    The result has the same length as ``text``; see the module docstring for what is masked.
    """
    if not text:
        return text
    has_digit = _HAS_DIGIT.search(text) is not None
    has_name = _NAME_HINT.search(text) is not None
    if not has_digit and not has_name:
        return text
    chars = list(text)
    first, second = _normalised(text)
    if has_digit:
        for norm in (first, second) if second != first else (first,):
            for start, end in _number_spans(norm):
                _hide(chars, norm, start, end)
    if has_name:
        for match in _NAMED.finditer(first):
            _hide(chars, first, match.start("value"), match.end("value"), keep_first=True)
    masked = "".join(chars)
    return masked if masked != text else text


def _key(name: str) -> str:
    """A key as compared with the sets below: ``Person-No`` and ``person_no`` are ``personno``."""
    return _NOT_KEY.sub("", name.lower())


_NOT_KEY = re.compile(r"[^0-9a-z]")


# Keys whose value is personal data wherever they appear (the aac/aae codes are the field names
# of the social-insurance systems: aac001 个人编号, aac002 身份证号, aac003 姓名, aae005 电话).
_NUMBER_KEYS = frozenset(
    {"personno", "personnumber", "personalno", "personid", "psnno", "idnumber", "idno", "idcard"}
    | {"idcardno", "sfzh", "certificateno", "certno", "cardno", "cardnumber", "bankcard", "bankcardno"}
    | {"socialsecurityno", "sscno", "mobile", "mobileno", "mobilephone", "cellphone"}
    | {"aac001", "aac002", "aae005", "aac147"}
)
_NAME_KEYS = frozenset({"personname", "realname", "fullname", "staffname", "employeename", "xm", "aac003"})
# Too general outside a rule's captures (a HAR header, a remedy's contact): masked only there.
_CAPTURE_NUMBER_KEYS = frozenset({"phone", "tel", "telephone", "number", "no"})
_CAPTURE_NAME_KEYS = frozenset({"name"})


def mask_value(value: str, *, name: bool = False) -> str:
    """A whole value that is personal data: all but its last four letters and digits (a name: all
    but its first character) become ``*``."""
    chars = list(value)
    _hide(chars, value.translate(_WIDTH), 0, len(value), keep_first=name)
    return "".join(chars)


def _by_key(value: object, *, name: bool) -> object:
    if isinstance(value, str):
        return mask_value(value, name=name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return mask_value(str(value), name=name)
    if isinstance(value, list):
        return [_by_key(v, name=name) for v in value]
    return mask_data(value)


def mask_captures(captures: dict[str, str]) -> dict[str, str]:
    """A rule's captures with personal values masked by their name (and by :func:`mask`)."""
    return {k: str(v) for k, v in _mask_mapping(captures, in_captures=True).items()}


def _mask_mapping(data: dict[Any, Any], *, in_captures: bool) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for k, v in data.items():
        key = _key(k) if isinstance(k, str) else ""
        if key in _NUMBER_KEYS or (in_captures and key in _CAPTURE_NUMBER_KEYS):
            out[k] = _by_key(v, name=False)
        elif key in _NAME_KEYS or (in_captures and key in _CAPTURE_NAME_KEYS):
            out[k] = _by_key(v, name=True)
        elif key == "captures" and isinstance(v, dict):
            out[k] = _mask_mapping(v, in_captures=True)
        else:
            out[k] = mask_data(v)
    return out


def mask_data(value: object) -> object:
    """Mask every string inside a JSON-like structure, and personal values by their key."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [mask_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(mask_data(v) for v in value)
    if isinstance(value, dict):
        return _mask_mapping(value, in_captures=False)
    return value
