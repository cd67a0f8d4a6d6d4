"""The one classifier: messy error text in, the known rule (or nothing) out.

Matching runs on normalised text (see :mod:`interceptor.normalize`), so prefixes, IDs,
spaces, punctuation and curated OCR confusions no longer matter. Three stages:

1. exact: every rule pattern, normalised, is searched for; plain substring tests on the core
   all of a rule's patterns share, then on each pattern's longest literal piece, skip most
   patterns, then its regex finds hits and captures;
2. guards: a hit is refused when the text around it shows it is not the error itself
   (``如提示“…”``, ``…时``), or when the text holds one of the rule's ``exclude`` phrases;
3. tolerant: only when nothing matched exactly, a short text may still match a pattern with
   one or two characters inserted or lost (OCR drops and stray marks). Changes that touch
   meaning-bearing characters (不, 未, 已, 成功 …) or swap one ideograph for another are
   never tolerated: a wrong remedy is worse than none.

Any input returns in bounded time and nothing raises out of :meth:`RuleSet.classify`.

Over 400 lines because the three stages share their compiled tables and guards; the rule
table's loading (`load_rules`, `check_rules`) sits here too, beside what it builds.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz.distance import LCSseq, Levenshtein

from .errors import RuleError, RuleFileErrors
from .normalize import Normalized, js_config, normalize, normalize_with_offsets
from .rules import PLACEHOLDER, FaqEntry, Rule, lint_patterns, read_rule_files, text_line

# Longest text given to the tolerant stage: banners are short; a page dump is not a banner.
TOLERANT_MAX_CHARS = 240
# Hard cap on what is examined at all, so 1 MB of junk still returns quickly.
MAX_TEXT_CHARS = 200_000
# Nobody needs more than this many errors out of one text.
MAX_HITS = 500

# Characters whose insertion or loss changes what a message means.
MEANING_CHARS = frozenset("不非未无没否别已成功败失为是空有在能可须需已经曾尚勿")

# The hit is documentation or an instruction, not the error itself.
_BEFORE_GUARDS = (
    "如提示",
    "若提示",
    "如出现",
    "若出现",
    "报错内容",
    "如果",
    "假如",
    "倘若",
    "例如",
    "比如",
    "如",
    "若",
    "当",
)
_AFTER_GUARDS = ("时", "的情况", "怎么办", "如何处理", "怎么处理", "吗")
# Read by interceptor.spotting, which must respect the same guards on garbled OCR lines.
GUARDS_BEFORE, GUARDS_AFTER = _BEFORE_GUARDS, _AFTER_GUARDS

_BEFORE_GUARD = re.compile("(?:" + "|".join(_BEFORE_GUARDS) + ")$")
_AFTER_GUARD = re.compile("|".join(_AFTER_GUARDS))

# Characters a slot never swallows: they carry what the message means (不, 未, 已 …), and a
# slot that held them could turn a negated or different message into a match.
SLOT_FORBIDDEN_CHARS = "不未非无已没否勿别"
SLOT_FORBIDDEN_WORDS = ("成功", "失败")
_NOT_MEANING = "(?![" + SLOT_FORBIDDEN_CHARS + "])"
_NAME_CHAR = _NOT_MEANING + "(?![失败])[\u3400-\u9fff\uf900-\ufaff]"
_SENTENCE_PUNCTUATION = re.compile(r"[。！？；;!?，,：:、]")

# What each value type looks like in *normalised* text (no punctuation, no spaces, lower
# case): brackets, dashes, dots and thousands separators are already gone. The value itself
# is then read from the original text (see _clean_slot), where those marks are still there.
_SLOT_CLASSES = {
    "date": r"(?<![0-9])(?:19|20)[0-9]{2}(?:年[0-9]{1,2}月(?:[0-9]{1,2}日)?|[0-9]{1,4})(?![0-9])",
    "month": r"(?<![0-9])(?:19|20)[0-9]{2}(?:年[0-9]{1,2}月|[0-9]{1,2})(?![0-9])",
    "amount": r"(?<![0-9])[0-9]{1,15}(?![0-9])元?",
    "number": r"(?<![0-9])[0-9]{1,30}(?![0-9])",
    "name": r"(?:[a-z]{2,20}|(?:" + _NAME_CHAR + r"){2,4})",
    "id": r"(?<![0-9])(?:[0-9]{17}[0-9x]|[0-9]{15})(?![0-9x])",
    # OCR reads 0 as O/o and 1 as l/I; those are folded back in _clean_slot.
    "person_no": r"[0-9oli]{4,30}",
    "text": r"(?:" + _NOT_MEANING + r"\w){1,20}",
    "detail": r"\w{1,160}",
}
_LAZY_WHEN_FOLLOWED = frozenset({"text", "detail"})
_DIGIT_FIXES = str.maketrans({"o": "0", "l": "1", "i": "1"})
_AMOUNT_MARKS = re.compile(r"[,，\s元¥￥]")


@dataclass(frozen=True)
class Match:
    """A rule found in a text."""

    rule: Rule
    captures: dict[str, str]
    score: float
    start: int = 0
    end: int = 0
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "severity": self.rule.severity,
            "remedy": self.rule.remedy.model_dump(mode="json"),
            "captures": dict(self.captures),
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class _Slot:
    name: str
    kind: str
    last: bool  # nothing of the pattern follows it


@dataclass(frozen=True)
class _Pattern:
    rule_index: int
    source: str
    regex: re.Pattern[str]
    literal: str | None  # the whole normalised pattern when it has no placeholder
    anchor: str  # longest literal piece, used to pre-filter texts
    pieces: tuple[tuple[str, int], ...] = ()  # for the tolerant stage: (piece, offset)
    budget: int = 1  # edits the tolerant stage allows
    slots: tuple[_Slot, ...] = ()


# (start, end, pattern, the normalised span of every slot) of one exact hit
_Hit = tuple[int, int, _Pattern, dict[str, tuple[int, int]]]


def _compile_pattern(rule: Rule, pattern: str) -> tuple[str, str | None, str, tuple[_Slot, ...]]:
    """Regex source over normalised text, the literal form if any, the anchor piece, the slots."""
    parts: list[str] = []
    literals: list[str] = []
    slots: list[_Slot] = []
    position = 0
    for placeholder in PLACEHOLDER.finditer(pattern):
        literal = normalize(pattern[position : placeholder.start()])
        literals.append(literal)
        parts.append(re.escape(literal))
        name = placeholder.group(1)
        kind = rule.slot_type(name, placeholder.group(2))
        last = not normalize(pattern[placeholder.end() :])
        lazy = "?" if kind in _LAZY_WHEN_FOLLOWED and not last else ""
        parts.append(f"(?P<{name}>{_SLOT_CLASSES[kind]}{lazy})")
        slots.append(_Slot(name, kind, last))
        position = placeholder.end()
    tail = normalize(pattern[position:])
    literals.append(tail)
    parts.append(re.escape(tail))
    has_placeholder = len(literals) > 1
    anchor = max(literals, key=len)
    return "".join(parts), (None if has_placeholder else tail), anchor, tuple(slots)


def _clean_slot(slot: _Slot, folded: str, original: str) -> str | None:
    """The value of a slot as captures show it, or None when it is not a value of its type.

    ``folded`` is the slot's normalised text, ``original`` the same stretch of the text as
    the page wrote it (with its brackets, dots, commas and spaces)."""
    kind = slot.kind
    if kind == "person_no":
        value = folded.translate(_DIGIT_FIXES)
        return value.rstrip("oli") if not value[-1:].isdigit() else value
    if kind == "number":
        return folded
    if kind == "id":
        return folded.upper()
    if kind == "detail":
        return original.strip() or None  # the server's own words, kept as they are
    plain = original.strip() if kind == "text" else unicodedata.normalize("NFKC", original).strip()
    if kind in ("date", "month"):
        return _clean_date(plain, with_day=kind == "date")
    if kind == "amount":
        return _clean_amount(plain)
    if kind == "name":
        return _clean_name(plain)
    if kind == "text":
        if slot.last:
            plain = _SENTENCE_PUNCTUATION.split(plain, maxsplit=1)[0].strip()
        if not plain or _SENTENCE_PUNCTUATION.search(plain) or _has_forbidden_word(plain):
            return None
        return plain
    return None


def _clean_date(plain: str, *, with_day: bool) -> str | None:
    groups = re.findall(r"[0-9]+", plain)
    if len(groups) == 1:
        digits = groups[0]
        if len(digits) not in (6, 8):
            return None
        groups = [digits[:4], digits[4:6]] + ([digits[6:]] if len(digits) == 8 else [])
    if len(groups) not in (2, 3) or len(groups[0]) != 4 or (len(groups) == 3 and not with_day):
        return None
    year, month = int(groups[0]), int(groups[1])
    if not 1 <= month <= 12:
        return None
    if len(groups) == 2:
        return f"{year:04d}年{month:02d}月"
    day = int(groups[2])
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}年{month:02d}月{day:02d}日"


def _clean_amount(plain: str) -> str | None:
    number = _AMOUNT_MARKS.sub("", plain)
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", number):
        return None
    return format(Decimal(number).normalize(), "f")


def _clean_name(plain: str) -> str | None:
    # A name stands right before the message: what precedes the last separator is a prefix
    # such as 第3行： or 保存失败：.
    pieces = [p.strip() for p in re.split(r"[^\w ]+", plain) if p.strip()]
    if not pieces:
        return None
    name = pieces[-1]
    if not name.isascii():
        name = name.replace(" ", "")
    for word in SLOT_FORBIDDEN_WORDS:
        name = name.rsplit(word, 1)[-1]
    if re.fullmatch(r"[A-Za-z][A-Za-z ]{1,19}", name) or re.fullmatch(r"[\u3400-\u9fff\uf900-\ufaff]{2,4}", name):
        return name
    return None


def _has_forbidden_word(value: str) -> bool:
    return any(ch in SLOT_FORBIDDEN_CHARS for ch in value) or any(w in value for w in SLOT_FORBIDDEN_WORDS)


class RuleSet:
    """A compiled rule table: ``classify`` for one answer, ``find_all`` for every error."""

    def __init__(self, rules: Sequence[Rule], questions: Sequence[FaqEntry] = ()) -> None:
        self.rules: list[Rule] = list(rules)
        self.questions: list[FaqEntry] = list(questions)
        self._by_id = {rule.id: rule for rule in self.rules}
        self._patterns: list[_Pattern] = []
        self._excludes: dict[int, tuple[str, ...]] = {}
        for index, rule in enumerate(self.rules):
            phrases = tuple(normalize(x) for x in rule.exclude if normalize(x))
            if phrases:
                self._excludes[index] = phrases
            for pattern in rule.patterns:
                source, literal, anchor, slots = _compile_pattern(rule, pattern)
                if not anchor:
                    raise RuleError(
                        f"模式 {pattern!r} 里没有可以用来识别的文字或数字。",
                        rule.path,
                        rule.line,
                    )
                try:
                    regex = re.compile(source)
                except re.error as exc:  # pragma: no cover - sources are escaped
                    raise RuleError(
                        f"模式 {pattern!r} 无效：{exc}。", rule.path, rule.line
                    ) from None
                self._patterns.append(
                    _Pattern(
                        index,
                        pattern,
                        regex,
                        literal,
                        anchor,
                        _pieces(literal or ""),
                        _budget(literal or ""),
                        slots,
                    )
                )
        self._groups: list[tuple[str, list[_Pattern]]] = []
        self._tolerant: list[_Pattern] = []
        for index in range(len(self.rules)):
            own = [p for p in self._patterns if p.rule_index == index]
            if not own:
                continue
            # One substring test per rule before its patterns: all its variants share a core
            # (灵活就业, 户籍性质 …), and most texts hold none of them.
            self._groups.append((_common_core([p.anchor for p in own]), own))
            # Tolerance only around each rule's own message (its first plain pattern): the
            # variants are already wording tolerance, and fewer candidates keep this stage cheap.
            self._tolerant.extend([p for p in own if p.literal and len(p.literal) >= 6][:1])
        self._tolerant_pieces = [
            (piece, offset, number)
            for number, pattern in enumerate(self._tolerant)
            for piece, offset in pattern.pieces
        ]
        # Rules that wrap the server's own message (登录失败：{detail}): a known error inside
        # that message is the more useful answer.
        self._wrappers = frozenset(
            p.rule_index for p in self._patterns if any(slot.kind == "detail" for slot in p.slots)
        )
        self._faq: Any = None

    # --- public API -------------------------------------------------------------

    def get(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Any:
        return iter(self.rules)

    def classify(self, text: str) -> Match | None:
        """The known error in ``text`` (the first one in reading order), or None."""
        found = self.find_all(text, limit=1)
        return found[0] if found else None

    def find_all(self, text: str, *, limit: int | None = None) -> list[Match]:
        """Every known error in ``text``, in reading order, one per rule occurrence.

        No safety net here: a failure is a bug the property tests must see. The callers that
        must never stop (the companion's channels, a screenshot batch) guard their own calls.
        """
        return self._find_all(text, limit)

    # --- matching ---------------------------------------------------------------

    def _find_all(self, text: str, limit: int | None) -> list[Match]:
        if not isinstance(text, str) or not text:
            return []
        text = text[:MAX_TEXT_CHARS]
        norm = normalize(text)
        if not norm:
            return []
        hits: list[_Hit] = []
        refused: set[int] = set()
        per_pattern = MAX_HITS if limit is None else limit + 2
        for core, group in self._groups:
            # Plain substring tests first: C-speed, and most texts hold no anchor at all.
            if core not in norm or self._excluded(group[0].rule_index, norm):
                continue
            for pattern in group:
                if pattern.anchor in norm:
                    self._exact_hits(norm, pattern, per_pattern, hits, refused)
        mapped = normalize_with_offsets(text, norm) if hits else None
        valued = self._with_values(hits, text, norm, mapped) if mapped is not None else []
        kept = _non_overlapping(_unwrap(valued, self._wrappers))[: MAX_HITS if limit is None else limit]
        scored = [(start, end, pattern, captures, 1.0) for start, end, pattern, captures in kept]
        if not scored and len(norm) <= TOLERANT_MAX_CHARS:
            tolerant = self._tolerant_match(norm, refused)
            if tolerant is not None:
                scored.append(tolerant)
        if not scored:
            return []
        if mapped is None:
            mapped = normalize_with_offsets(text, norm)
        matches = []
        for start, end, pattern, captures, score in scored:
            first, last = mapped.span(start, end, len(text))
            matches.append(
                Match(self.rules[pattern.rule_index], captures, score, first, last, text[first:last])
            )
        return matches

    @staticmethod
    def _with_values(
        hits: list[_Hit], text: str, norm: str, mapped: Normalized
    ) -> list[tuple[int, int, _Pattern, dict[str, str]]]:
        """Each hit with its slots read as values; a hit whose slot holds no valid value
        (a 13th month, a name made of 成功 …) is dropped."""
        valued: list[tuple[int, int, _Pattern, dict[str, str]]] = []
        for start, end, pattern, spans in hits:
            captures: dict[str, str] = {}
            for slot in pattern.slots:
                a, b = spans[slot.name]
                first, last = mapped.span(a, b, len(text))
                value = _clean_slot(slot, norm[a:b], text[first:last])
                if value is None:
                    break
                captures[slot.name] = value
            else:
                valued.append((start, end, pattern, captures))
        return valued

    def _exact_hits(
        self,
        norm: str,
        pattern: _Pattern,
        limit: int,
        hits: list[_Hit],
        refused: set[int],
    ) -> None:
        taken = 0
        for own in pattern.regex.finditer(norm):
            if not self._accept(norm, own.start(), own.end()):
                refused.add(pattern.rule_index)
                continue
            spans = {slot.name: own.span(slot.name) for slot in pattern.slots}
            if any(
                slot.kind == "detail" and _AFTER_GUARD.match(norm, spans[slot.name][0])
                for slot in pattern.slots
            ):
                # 登录失败怎么办 talks about a failure; the words after the prefix are no message.
                refused.add(pattern.rule_index)
                continue
            taken += 1
            if taken > limit:
                break
            hits.append((own.start(), own.end(), pattern, spans))

    def _excluded(self, rule_index: int, norm: str) -> bool:
        """Whether ``norm`` holds one of the rule's ``exclude`` phrases."""
        phrases = self._excludes.get(rule_index)
        return phrases is not None and any(x in norm for x in phrases)

    @staticmethod
    def _accept(norm: str, start: int, end: int) -> bool:
        if start and _BEFORE_GUARD.search(norm, max(0, start - 4), start):
            return False
        return _AFTER_GUARD.match(norm, end) is None

    def _tolerant_match(
        self, norm: str, refused: set[int]
    ) -> tuple[int, int, _Pattern, dict[str, str], float] | None:
        # Pigeonhole: with at most `budget` edits, one of budget+1 pieces survives intact,
        # so a window is only worth examining around an exact piece. Most texts hold none.
        present = [item for item in self._tolerant_pieces if item[0] in norm]
        if not present:
            return None
        starts_by_pattern: dict[int, set[int]] = {}
        for piece, offset, number in present:
            pattern = self._tolerant[number]
            if pattern.rule_index in refused:
                continue  # an exact hit was already judged not to be the error itself
            literal = pattern.literal or ""
            budget, size = pattern.budget, len(literal)
            found = norm.find(piece)
            while found != -1:
                origin = found - offset
                # Cheap C-level check before trying windows one by one: the region must
                # hold all but `budget` of the message's characters, in order.
                region = norm[max(0, origin - budget) : origin + size + budget]
                if LCSseq.similarity(literal, region, score_cutoff=size - budget):
                    starts = starts_by_pattern.setdefault(number, set())
                    starts.update(range(max(0, origin - budget), origin + budget + 1))
                found = norm.find(piece, found + 1)
        best: tuple[int, int, _Pattern, dict[str, str], float] | None = None
        for number, starts in sorted(starts_by_pattern.items()):
            pattern = self._tolerant[number]
            if self._excluded(pattern.rule_index, norm):
                continue
            literal = pattern.literal or ""
            window = _best_window(literal, norm, pattern.budget, sorted(starts))
            if window is None:
                continue
            start, end, distance = window
            if not self._accept(norm, start, end):
                continue
            if start and norm[start - 1] in SLOT_FORBIDDEN_CHARS:
                continue  # 已填写证件有效期 is not 请填写证件有效期 with 请 lost
            score = 1.0 - distance / len(literal)
            if best is None or score > best[4]:
                best = (start, end, pattern, {}, score)
        return best

    # --- rule checks ------------------------------------------------------------

    def self_check(self) -> list[RuleError]:
        """Run every rule's embedded examples and every question's; returns the failures."""
        problems: list[RuleError] = []
        for rule in self.rules:
            for example in rule.examples.match:
                line = example.line or rule.line
                found = self.classify(example.text)
                if found is None:
                    problems.append(
                        RuleError(
                            f"规则 {rule.id!r}：例子 {example.text!r} 应当识别为这条规则，但没有识别出任何规则。",
                            rule.path,
                            line,
                        )
                    )
                elif found.rule.id != rule.id:
                    problems.append(
                        RuleError(
                            f"规则 {rule.id!r}：例子 {example.text!r} 被识别成了规则 {found.rule.id!r}。",
                            rule.path,
                            line,
                        )
                    )
                else:
                    for name, value in example.captures.items():
                        if found.captures.get(name) != value:
                            problems.append(
                                RuleError(
                                    f"规则 {rule.id!r}：例子 {example.text!r} 应当取出 {name}={value!r}，"
                                    f"实际取出的是 {found.captures.get(name)!r}。",
                                    rule.path,
                                    line,
                                )
                            )
            for text in rule.examples.no_match:
                found = self.classify(text)
                if found is not None:
                    problems.append(
                        RuleError(
                            f"规则 {rule.id!r}：近似文本 {text!r} 不应识别为任何规则，却识别成了规则 {found.rule.id!r}。",
                            rule.path,
                            text_line(rule.path, text, rule.line, "no_match"),
                        )
                    )
        from .faq import Faq

        problems.extend(Faq(self.questions, self.rules).self_check())
        return problems

    # --- other views ------------------------------------------------------------

    def ask(self, question: str, limit: int = 3) -> list[tuple[FaqEntry, float]]:
        """The best FAQ answers for a question in a person's own words (may be empty)."""
        from .faq import Faq

        if self._faq is None:
            self._faq = Faq(self.questions, self.rules)
        answers: list[tuple[FaqEntry, float]] = self._faq.ask(question, limit=limit)
        return answers

    def watch_config(self) -> dict[str, Any]:
        """Data for the in-page watcher: rules for the overlay and phrases to pre-filter on."""
        return {
            "rules": [rule.to_dict() for rule in self.rules],
            "phrases": sorted({p.anchor for p in self._patterns}),
            "normalize": js_config(),
        }


def _common_core(anchors: list[str]) -> str:
    """The longest substring every anchor holds ("" when they share nothing)."""
    shortest = min(anchors, key=len)
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            core = shortest[start : start + size]
            if all(core in anchor for anchor in anchors):
                return core
    return ""


def _budget(literal: str) -> int:
    return 1 if len(literal) < 16 else 2


def _pieces(literal: str) -> tuple[tuple[str, int], ...]:
    count = _budget(literal) + 1
    size = len(literal) // count
    bounds = [i * size for i in range(count)] + [len(literal)]
    return tuple((literal[a:b], a) for a, b in itertools.pairwise(bounds))


def _best_window(literal: str, norm: str, budget: int, starts: list[int]) -> tuple[int, int, int] | None:
    """The substring of ``norm`` closest to ``literal`` within ``budget`` safe edits."""
    size = len(literal)
    best: tuple[int, int, int] | None = None
    for start in starts:
        if start >= len(norm):
            break
        for length in range(size - budget, size + budget + 1):
            end = start + length
            if end > len(norm):
                break
            candidate = norm[start:end]
            distance = Levenshtein.distance(literal, candidate, score_cutoff=budget)
            if distance > budget or distance == 0:
                continue
            if (best is None or distance < best[2]) and _safe_edits(literal, candidate):
                best = (start, end, distance)
    return best


def _unwrap(
    hits: list[tuple[int, int, _Pattern, dict[str, str]]], wrappers: frozenset[int]
) -> list[tuple[int, int, _Pattern, dict[str, str]]]:
    """Drop a wrapper rule's hit when another rule's error starts inside (or right after) it."""
    if not wrappers or not any(h[2].rule_index in wrappers for h in hits):
        return hits
    extent: dict[tuple[int, int], int] = {}
    for start, end, pattern, _ in hits:
        if pattern.rule_index in wrappers:
            key = (pattern.rule_index, start)
            extent[key] = max(extent.get(key, end), end)
    inner = [h[0] for h in hits if h[2].rule_index not in wrappers]
    return [
        h
        for h in hits
        if h[2].rule_index not in wrappers
        or not any(h[0] <= s <= extent[(h[2].rule_index, h[0])] for s in inner)
    ]


def _non_overlapping(
    hits: list[tuple[int, int, _Pattern, dict[str, str]]],
) -> list[tuple[int, int, _Pattern, dict[str, str]]]:
    """Reading order; where hits overlap, the earliest and then the longest wins."""
    kept: list[tuple[int, int, _Pattern, dict[str, str]]] = []
    for hit in sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]))):
        if kept and hit[0] < kept[-1][1]:
            continue
        kept.append(hit)
    return kept


def _safe_edits(literal: str, candidate: str) -> bool:
    """True when every edit between the two is an insertion or loss of a harmless character,
    or a substitution by something that is not an ideograph (OCR noise such as 'l', '|' or '□' …)."""
    for edit in Levenshtein.editops(literal, candidate):
        op, src, dst = edit.tag, int(edit.src_pos), int(edit.dest_pos)
        if op == "delete":
            if literal[src] in MEANING_CHARS:
                return False
        elif op == "insert":
            if candidate[dst] in MEANING_CHARS:
                return False
        else:  # replace
            if literal[src] in MEANING_CHARS or _is_ideograph(candidate[dst]):
                return False
    return True


def _is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002ffff"


# --- the rule table as a whole: loading and checking -----------------------------------


def load_rules(paths: Iterable[str | Path] | None = None) -> RuleSet:
    """Load rule files (default: the bundled table) into a ready-to-use :class:`RuleSet`."""
    rules, questions = read_rule_files(paths)
    return RuleSet(rules, questions)


def check_rules(paths: Iterable[str | Path] | None = None) -> list[RuleError]:
    """Validate rule files and run every embedded example; returns the problems found, in
    file and line order."""
    paths = list(paths) if paths is not None else None
    try:
        ruleset = load_rules(paths)
    except RuleFileErrors as exc:
        return _in_order(exc.errors)
    except RuleError as exc:
        return [exc]
    return _in_order([*lint_patterns(ruleset.rules), *ruleset.self_check()])


def _in_order(problems: list[RuleError]) -> list[RuleError]:
    return sorted(problems, key=lambda p: (str(p.path or ""), p.line or 0))
