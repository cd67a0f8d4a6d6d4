"""Fingerprints of error texts: the same message with other values is the same error.

An error the rule table does not know comes back with other numbers every time: a flow number
(``系统繁忙，请稍后再试（流水号20261130771）``), an error code (``错误码17`` / ``错误码942``), a
date, an amount, a 人员编号, a name after ``姓名：``, a line number in ``第3行：``. Like an error
tracker's issue grouping, :func:`fingerprint` leaves those out, and also what surrounds a
message (``保存失败：``, ``第N行：``, a name with its ID in brackets, a trailing ``请核实``), so every
occurrence of one message gets one key. :func:`pattern_with_slots` turns the texts of a group
into a rule pattern with a slot (``{date}``, ``{number}`` …, see ``rules/README.md``) wherever a
value stands.

Pure and fast (pre-compiled regular expressions, no I/O): the live overlay folds repeated
unknown errors with :func:`fingerprint`.

The values are found in a copy of the text with full-width forms turned into ASCII (same
length), then the text outside them is compared in the classifier's normalised form
(:func:`interceptor.normalize.normalize`), so punctuation, spaces, traditional characters and
curated OCR confusions do not split a group either.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .normalize import normalize

# Longest text looked at: a banner is short; a page dump is not one message.
MAX_CHARS = 2000

_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20

_HAN = r"\u3400-\u9fff\uf900-\ufaff"
# Generic words that only say *that* something failed; the message is what follows the colon.
_PREFIX_WORDS = (
    "保存失败|提交失败|校验失败|操作失败|办理失败|处理失败|申报失败|登记失败|导入失败|上传失败|"
    "查询失败|请求失败|失败|错误提示|系统提示|温馨提示|提示信息|提示|错误信息|错误|异常|警告|出错了|出错"
)
_PREFIX = re.compile(
    r"\s*(?:第\s*[0-9]+\s*[行条列项]\s*[:：,，]?|(?:" + _PREFIX_WORDS + r")\s*[:：]|"
    r"[\[【(]\s*(?:" + _PREFIX_WORDS + r")\s*[\]】)])\s*"
)
# A person named in front of the message with a number in brackets: 张三（320102…）.
_PERSON_PREFIX = re.compile(
    r"\s*(?:[" + _HAN + r"][" + _HAN + r"*]{1,3}|[A-Za-z]+(?: [A-Za-z]+){0,2})\s*"
    r"[(\[]\s*(?:[0-9]{6,}[0-9Xx]?|\*+[0-9Xx]{1,4})\s*[)\]]\s*[,:;]?\s*"
)
_TRAILING = " \t\r\n\u00a0,.;:!?。，；：！？、"
# A closing request to check the input: part of every message of a form, not of the error.
_CHECK_SUFFIX = re.compile(r"请(?:核实|核对|检查|确认|核查)(?:后(?:再)?(?:提交|重试|办理|操作|保存))?$")


_NAME_LABELS = (
    "职工姓名|员工姓名|人员姓名|参保人姓名|姓名|参保人|被保险人|缴费人|联系人|申请人|经办人|持卡人|开户名|户名"
)
# The values inside a message, most specific first. Each alternative is one kind of value.
_VALUE = re.compile(
    # a name after a label (姓名：张三); the label stays text, the name is the value
    # (up to the next non-ideograph or 的; else two or three ideographs, as privacy.mask takes)
    r"(?:(?:" + _NAME_LABELS + r")\s*[:=]\s*)"
    r"(?P<name>[" + _HAN + r"*]{1,4}?(?=的|[^" + _HAN + r"*]|$)|[" + _HAN + r"*]{2,3}|[A-Za-z*]+(?: [A-Za-z*]+){0,2})"
    r"|(?P<id>(?<![0-9A-Za-z*])(?:[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14}|\*{6,}[0-9Xx]{4})(?![0-9A-Za-z]))"
    r"|(?P<date>(?<![0-9])(?:19|20)[0-9]{2}(?:\s*年\s*[0-9]{1,2}\s*月(?:\s*[0-9]{1,2}\s*日)?"
    r"|[-./][0-9]{1,2}(?:[-./][0-9]{1,2})?)(?![0-9]))"
    r"|(?P<time>(?<![0-9])[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?![0-9]))"
    r"|(?P<amount>[¥￥]\s*[0-9][0-9,]*(?:\.[0-9]+)?\s*元?|(?<![0-9A-Za-z])[0-9][0-9,]*(?:\.[0-9]+)?\s*元"
    r"|(?<![0-9A-Za-z])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|(?<![0-9A-Za-z])[0-9]+\.[0-9]+)"
    # letters and digits mixed (E10023, TX2026A, an OCR-read 32050O1234567, a masked ****3456)
    r"|(?P<code>(?<![0-9A-Za-z*])(?=[0-9A-Za-z*_-]*[0-9*])(?=[0-9A-Za-z*_-]*[A-Za-z*])"
    r"[0-9A-Za-z*][0-9A-Za-z*_-]*[0-9A-Za-z*])"
    r"|(?P<number>[0-9]+(?:[ \u00a0][0-9]+)*)"
)
# Every value holds a digit or a mask's *, or follows a name label.
_MAYBE_VALUE = re.compile(r"[0-9*]|" + _NAME_LABELS)
_PERSON_NO_LABEL = re.compile(r"(?:人员编号|个人编号|编号)\s*(?:为|是)?\s*[:=]?\s*$")
_DATE_LABEL = re.compile(r"(?:日期|年月|月份|期间|时间|起|止|自)\s*[(（]?\s*$")


@dataclass(frozen=True)
class Value:
    """A value found in a message: its kind (``name``, ``id``, ``date``, ``time``, ``amount``,
    ``code``, ``number``) and where it stands in the message's core."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Parsed:
    """A text cut into what surrounds the message and the message (``core``) with its values."""

    core: str  # full-width forms in ASCII
    values: tuple[Value, ...]
    original: str = ""  # the same stretch of the text as it was written (same length)

    def pieces(self, *, original: bool = False) -> list[str]:
        """The literal text between the values: one more piece than there are values."""
        text = self.original if original and len(self.original) == len(self.core) else self.core
        out: list[str] = []
        position = 0
        for value in self.values:
            out.append(text[position : value.start])
            position = value.end
        out.append(text[position:])
        return out


def _core(text: str) -> tuple[str, int]:
    """``text`` (full-width forms in ASCII) without the prefixes and suffixes that do not
    belong to the message, and where that message starts in ``text``."""
    text = text[:MAX_CHARS].translate(_WIDTH)
    start, end = 0, len(text.rstrip())
    start = len(text) - len(text.lstrip())
    while True:
        found = _PREFIX.match(text, start, end) or _PERSON_PREFIX.match(text, start, end)
        if found is None or found.end() == start:
            break
        start = found.end()
    end = start + len(text[start:end].rstrip(_TRAILING))
    # Searched from the end only: a scan of the whole text for a suffix would cost more than
    # everything else here.
    tail = _CHECK_SUFFIX.search(text, max(start, end - 12), end)
    if tail is not None:
        end = start + len(text[start : tail.start()].rstrip(_TRAILING))
    return text[start:end], start


def parse(text: str) -> Parsed:
    """The message in ``text`` and the values inside it."""
    core, start = _core(text)
    original = text[start : start + len(core)]
    values: list[Value] = []
    if _MAYBE_VALUE.search(core) is None:  # most messages hold no value at all
        return Parsed(core, (), original)
    for found in _VALUE.finditer(core):
        kind = found.lastgroup
        if kind is None:
            continue
        first, last = found.span(kind)
        if first == last:
            continue
        if values and not core[values[-1].end : first].strip(" \u00a0"):
            # Two values with nothing but a space between them are one value (a rule's slots
            # must be separated by text).
            values[-1] = Value("code", values[-1].start, last)
            continue
        values.append(Value(kind, first, last))
    return Parsed(core, tuple(values), original)


def skeleton(text: str) -> str:
    """The readable form of the fingerprint: the message, normalised, with ``#`` for each value."""
    parsed = parse(text)
    return "#".join(normalize(piece) for piece in parsed.pieces())


def fingerprint(text: str) -> str:
    """A short key (12 hex digits) that is the same for every occurrence of one message,
    whatever numbers, dates, IDs, amounts, names next to labels, flow numbers and prefixes
    or suffixes it holds. Holds no personal data (it is a hash)."""
    return hashlib.blake2b(skeleton(text).encode("utf-8"), digest_size=6).hexdigest()


def _slot_type(kind: str, values: Sequence[str], before: str) -> str:
    """The rule-table slot type for one value position (rules/README.md, "值的位置")."""
    masked = any("*" in v for v in values)
    if kind == "name":
        return "text" if masked else "name"
    if kind == "id":
        return "text" if masked else "id"
    if kind == "date":
        return "date"
    if kind == "amount":
        return "amount"
    if kind == "time":
        return "number"
    if _PERSON_NO_LABEL.search(before):
        return "person_no"
    if kind == "number":
        digits = [v.replace(" ", "").replace("\u00a0", "") for v in values]
        if _DATE_LABEL.search(before) and all(_plain_date(d) for d in digits):
            return "date"
        return "number" if all(len(d) <= 30 for d in digits) else "text"
    return "text"  # letters and digits mixed


def _plain_date(digits: str) -> bool:
    if len(digits) not in (6, 8) or digits[:2] not in ("19", "20"):
        return False
    month = int(digits[4:6])
    return 1 <= month <= 12 and (len(digits) == 6 or 1 <= int(digits[6:8]) <= 31)


def pattern_with_slots(samples: Sequence[str]) -> str:
    """A rule pattern for the texts of one group: the message of the first sample, with a
    slot for every value (``{date}``, ``{amount}``, ``{number}``, ``{name}``, ``{id}``,
    ``{person_no}``, ``{text}``; a second slot of the same type is ``{number_2:number}``).

    Samples whose message differs from the most common one (another fingerprint) are left
    out. Returns "" when there is no sample or the message is nothing but values.
    """
    parsed = [parse(s) for s in samples if s and s.strip()]
    if not parsed:
        return ""
    shapes = Counter(tuple(normalize(piece) for piece in p.pieces()) for p in parsed)
    shape = shapes.most_common(1)[0][0]
    group = [p for p in parsed if tuple(normalize(piece) for piece in p.pieces()) == shape]
    first = group[0]
    if not "".join(shape):
        return ""
    pieces = first.pieces(original=True)
    out: list[str] = [pieces[0]]
    used: Counter[str] = Counter()
    for index, value in enumerate(first.values):
        texts = [p.core[p.values[index].start : p.values[index].end] for p in group]
        kinds = {p.values[index].kind for p in group}
        kind = value.kind if len(kinds) == 1 else ("amount" if kinds <= {"amount", "number"} else "code")
        slot_type = _slot_type(kind, texts, pieces[index])
        used[slot_type] += 1
        if used[slot_type] == 1:
            out.append("{" + slot_type + "}")
        else:
            out.append("{" + f"{slot_type}_{used[slot_type]}:{slot_type}" + "}")
        out.append(pieces[index + 1])
    return "".join(out).strip()
