"""Text normalisation shared by rules, the classifier, the FAQ and the in-page watcher.

Banner text arrives messy: full-width forms, spaces between characters, punctuation
variants, traditional characters, and OCR confusions (人/入, 已/己 …). Normalising both the
rule patterns and the incoming text with the same function turns all those variants into
one string, so matching itself can stay exact. Confusions are folded *only* from a curated
table: guessing at visual similarity is how wrong remedies would creep in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


def normalize(text: str) -> str:
    """Fold ``text`` to the comparison form used by every matcher."""
    return _NON_WORD.sub("", text.translate(FOLD_TABLE))


@dataclass(frozen=True)
class Normalized:
    """A normalised text and, for each of its characters, the index it came from."""

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text back onto the original."""
        if not self.offsets or start >= len(self.offsets):
            return (original_length, original_length)
        first = self.offsets[start]
        last = self.offsets[end - 1] + 1 if end > start else first
        return (first, last)


def normalize_with_offsets(text: str) -> Normalized:
    """Like :func:`normalize`, keeping where each character came from (slower; used on hits)."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = ch.translate(FOLD_TABLE)
        for out in folded:
            if _NON_WORD.fullmatch(out) is None:
                chars.append(out)
                offsets.append(index)
    result = "".join(chars)
    if result != normalize(text):  # pragma: no cover - the two paths must agree
        raise AssertionError("normalize and normalize_with_offsets disagree")
    return Normalized(result, tuple(offsets))


def nfkc(text: str) -> str:
    """Unicode NFKC, for display-independent comparisons of rule text."""
    return unicodedata.normalize("NFKC", text)


def js_config() -> dict[str, object]:
    """The normalisation as data, so the in-page watcher folds text exactly like Python."""
    return {
        "fold": {chr(k): v for k, v in FOLD_TABLE.items() if v is not None},
        "drop": [chr(k) for k, v in FOLD_TABLE.items() if v is None],
        "nonWord": r"[^\p{L}\p{N}]+",
    }
