"""Text normalisation shared by rules, the classifier, the FAQ and the in-page watcher.

Banner text arrives messy: full-width forms, spaces between characters, punctuation
variants, traditional characters, and OCR confusions (人/入, 已/己 …). Normalising both the
rule patterns and the incoming text with the same function turns all those variants into
one string, so matching itself can stay exact. Confusions are folded *only* from a curated
table: guessing at visual similarity is how wrong remedies would creep in.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from typing import Any

# variant -> canonical. Applied to patterns and texts alike, so a fold never hides a
# difference between two real messages unless both characters mean the same here.
OCR_CONFUSIONS: dict[str, str] = {
    "入": "人",
    "己": "已",
    "巳": "已",
    "釆": "采",
    "末": "未",
    "藉": "籍",
    "尸": "户",
    "戸": "户",
    "全": "金",
    "思": "息",
    "曰": "日",
    "贝": "员",
    "エ": "工",
    "ロ": "口",
    "修": "参",  # RapidOCR on chat-compressed JPEGs reads 参保 as 修保
}

# Traditional forms of the characters our messages use (some halls and OCR models emit them).
TRADITIONAL: dict[str, str] = dict(
    zip(
        "沒該員參為戶質業靈險發開資務單採號獲訊擇無時須這個後區據錄輸詢費記還補僅於與礎經構權辦從將間條符狀態確認級傷齡",
        "没该员参为户质业灵险发开资务单采号获讯择无时须这个后区据录输询费记还补仅于与础经构权办从将间条符状态确认级伤龄",
        strict=True,
    )
)

# Dashes and the character 一 are dropped: OCR reads 一 as "-" or loses the thin stroke.
DROPPED = "一ー－—–‐-"

_FOLD: dict[int, str | None] = {}
for _variant, _canonical in {**OCR_CONFUSIONS, **TRADITIONAL}.items():
    _FOLD[ord(_variant)] = _canonical
for _ch in DROPPED:
    _FOLD[ord(_ch)] = None
# Full-width ASCII (！ … ～) -> ASCII, so ＩＤ, ３ and ： compare equal to I D, 3 and :.
for _code in range(0xFF01, 0xFF5F):
    _FOLD.setdefault(_code, chr(_code - 0xFEE0))
for _code in range(ord("A"), ord("Z") + 1):
    _FOLD[_code] = chr(_code + 32)
for _code in range(0xFF21, 0xFF3B):  # full-width A-Z straight to lower case
    _FOLD[_code] = chr(_code - 0xFEE0 + 32)
FOLD_TABLE: dict[int, str | None] = _FOLD

# Everything that is not a letter, digit or ideograph carries no meaning for matching.
_NON_WORD = re.compile(r"[\W_]+")


# Only word characters need folding once punctuation is gone; a regex finds the few that do
# (C speed), which is far cheaper than str.translate over every character of a long page.
_WORD_FOLDS: dict[str, str] = {
    chr(k): (v or "") for k, v in FOLD_TABLE.items() if _NON_WORD.fullmatch(chr(k)) is None
}
_FOLDABLE = re.compile("[" + "".join(re.escape(c) for c in _WORD_FOLDS) + "]")
_SPAN_FOLDS: dict[str, str] = {c: (v or " ") for c, v in _WORD_FOLDS.items()}


def _fold(match: re.Match[str]) -> str:
    return _WORD_FOLDS[match.group()]


def _fold_in_place(match: re.Match[str]) -> str:
    return _SPAN_FOLDS[match.group()]


# Above this length a page dump is folded with numpy lookup tables: Python's regex engine
# spends tens of nanoseconds on every ideograph, numpy a few.
_VECTOR_MIN = 400


def normalize(text: str) -> str:
    """Fold ``text`` to the comparison form used by every matcher."""
    if len(text) > _VECTOR_MIN:
        folded = _vector_normalize(text)
        if folded is not None:
            return folded[0]
    return _FOLDABLE.sub(_fold, _NON_WORD.sub("", text))


@functools.cache
def _tables() -> tuple[Any, Any]:
    """Per code point of the BMP: is it kept, and what it folds to."""
    import numpy as np

    keep = np.fromiter((chr(code).isalnum() for code in range(0x10000)), dtype=bool, count=0x10000)
    fold = np.arange(0x10000, dtype=np.uint32)
    for char, replacement in _WORD_FOLDS.items():
        if replacement:
            fold[ord(char)] = ord(replacement)
        else:
            keep[ord(char)] = False
    return keep, fold


def _vector_normalize(text: str) -> tuple[str, Any] | None:
    """``normalize`` done with numpy, plus each kept character's original index; None when
    the text holds characters beyond the BMP (the regex path handles those)."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size and int(codes.max()) > 0xFFFF:
        return None
    keep, fold = _tables()
    kept = np.flatnonzero(keep[codes])
    return fold[codes[kept]].tobytes().decode("utf-32-le"), kept


class Normalized:
    """A normalised text that can point its characters back into the original text."""

    def __init__(self, text: str, offsets: Sequence[int]) -> None:
        self.text = text
        self.offsets = offsets  # the original index of every normalised character

    def original_index(self, index: int) -> int:
        """Where the normalised character at ``index`` stands in the original text."""
        return int(self.offsets[index])

    def span(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text back onto the original."""
        if start >= len(self.text):
            return (original_length, original_length)
        first = self.original_index(start)
        last = self.original_index(end - 1) + 1 if end > start else first
        return (first, last)


def normalize_with_offsets(text: str, norm: str | None = None) -> Normalized:
    """Like :func:`normalize`, able to map positions back (``norm`` if already computed)."""
    if len(text) > _VECTOR_MIN:
        folded = _vector_normalize(text)
        if folded is not None:
            return Normalized(folded[0], folded[1])
    # Deleted characters become a space here, so the folded text keeps the original length;
    # str.isalnum() is exactly the [^\W_] that normalisation keeps.
    spaced = _FOLDABLE.sub(_fold_in_place, text)
    offsets = list(itertools.compress(itertools.count(), map(str.isalnum, spaced)))
    return Normalized(normalize(text) if norm is None else norm, offsets)


def js_config() -> dict[str, object]:
    """The normalisation as data, so the in-page watcher folds text exactly like Python."""
    return {
        "fold": {chr(k): v for k, v in FOLD_TABLE.items() if v is not None},
        "drop": [chr(k) for k, v in FOLD_TABLE.items() if v is None],
        "nonWord": r"[^\p{L}\p{N}]+",
    }
