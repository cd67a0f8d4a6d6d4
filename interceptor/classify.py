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
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import LCSseq, Levenshtein

from .errors import RuleError
from .normalize import js_config, normalize, normalize_with_offsets
from .rules import PLACEHOLDER, FaqEntry, Rule

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

_BEFORE_GUARD = re.compile("(?:" + "|".join(_BEFORE_GUARDS) + ")$")
_AFTER_GUARD = re.compile("|".join(_AFTER_GUARDS))

_CAPTURE_CLASSES = {
    # OCR reads 0 as O/o and 1 as l/I; those are folded back in _clean_capture.
    "digits": r"[0-9oli]{4,30}",
    "text": r"\w{1,40}?",
}
_DIGIT_FIXES = str.maketrans({"o": "0", "l": "1", "i": "1"})


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
            "remedy": self.rule.remedy.model_dump(mode="json"),
            "captures": dict(self.captures),
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class _Pattern:
    rule_index: int
    source: str
    regex: re.Pattern[str]
    literal: str | None  # the whole normalised pattern when it has no placeholder
    anchor: str  # longest literal piece, used to pre-filter texts
    pieces: tuple[tuple[str, int], ...] = ()  # for the tolerant stage: (piece, offset)
    budget: int = 1  # edits the tolerant stage allows


def _compile_pattern(rule: Rule, pattern: str) -> tuple[str, str | None, str]:
    """Regex source over normalised text, the literal form if any, and the anchor piece."""
    parts: list[str] = []
    literals: list[str] = []
    position = 0
    for placeholder in PLACEHOLDER.finditer(pattern):
        literal = normalize(pattern[position : placeholder.start()])
        literals.append(literal)
        parts.append(re.escape(literal))
        name = placeholder.group(1)
        parts.append(f"(?P<{name}>{_CAPTURE_CLASSES[rule.captures[name]]})")
        position = placeholder.end()
    tail = normalize(pattern[position:])
    literals.append(tail)
    parts.append(re.escape(tail))
    has_placeholder = len(literals) > 1
    anchor = max(literals, key=len)
    return "".join(parts), (None if has_placeholder else tail), anchor


def _clean_capture(kind: str, value: str) -> str:
    if kind == "digits":
        value = value.translate(_DIGIT_FIXES)
        return value.rstrip("oli") if not value[-1:].isdigit() else value
    return value


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
                source, literal, anchor = _compile_pattern(rule, pattern)
                if not anchor:
                    raise RuleError(
                        f"The pattern {pattern!r} has no letters or ideographs to match.",
                        rule.path,
                        rule.line,
                    )
                try:
                    regex = re.compile(source)
                except re.error as exc:  # pragma: no cover - sources are escaped
                    raise RuleError(
                        f"The pattern {pattern!r} is not valid: {exc}.", rule.path, rule.line
                    ) from None
                self._patterns.append(
                    _Pattern(
                        index, pattern, regex, literal, anchor, _pieces(literal or ""), _budget(literal or "")
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
        """Every known error in ``text``, in reading order, one per rule occurrence."""
        try:
            return self._find_all(text, limit)
        except Exception:  # the classifier must never take a page or a batch down
            return []

    # --- matching ---------------------------------------------------------------

    def _find_all(self, text: str, limit: int | None) -> list[Match]:
        if not isinstance(text, str) or not text:
            return []
        text = text[:MAX_TEXT_CHARS]
        norm = normalize(text)
        if not norm:
            return []
        hits: list[tuple[int, int, _Pattern, dict[str, str]]] = []
        refused: set[int] = set()
        per_pattern = MAX_HITS if limit is None else limit + 2
        for core, group in self._groups:
            # Plain substring tests first: C-speed, and most texts hold no anchor at all.
            if core not in norm or self._excluded(group[0].rule_index, norm):
                continue
            for pattern in group:
                if pattern.anchor in norm:
                    self._exact_hits(norm, pattern, per_pattern, hits, refused)
        hits = _non_overlapping(hits)[: MAX_HITS if limit is None else limit]
        scored = [(start, end, pattern, captures, 1.0) for start, end, pattern, captures in hits]
        if not scored and len(norm) <= TOLERANT_MAX_CHARS:
            tolerant = self._tolerant_match(norm, refused)
            if tolerant is not None:
                scored.append(tolerant)
        if not scored:
            return []
        mapped = normalize_with_offsets(text, norm)
        matches = []
        for start, end, pattern, captures, score in scored:
            first, last = mapped.span(start, end, len(text))
            matches.append(
                Match(self.rules[pattern.rule_index], captures, score, first, last, text[first:last])
            )
        return matches

    def _exact_hits(
        self,
        norm: str,
        pattern: _Pattern,
        limit: int,
        hits: list[tuple[int, int, _Pattern, dict[str, str]]],
        refused: set[int],
    ) -> None:
        taken = 0
        for own in pattern.regex.finditer(norm):
            if not self._accept(norm, own.start(), own.end()):
                refused.add(pattern.rule_index)
                continue
            taken += 1
            if taken > limit:
                break
            rule = self.rules[pattern.rule_index]
            captures = {
                name: _clean_capture(rule.captures[name], value)
                for name, value in own.groupdict().items()
                if value
            }
            hits.append((own.start(), own.end(), pattern, captures))

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
                            f"Rule {rule.id!r}: the example {example.text!r} should match but nothing matched.",
                            rule.path,
                            line,
                        )
                    )
                elif found.rule.id != rule.id:
                    problems.append(
                        RuleError(
                            f"Rule {rule.id!r}: the example {example.text!r} matched rule {found.rule.id!r} instead.",
                            rule.path,
                            line,
                        )
                    )
                else:
                    for name, value in example.captures.items():
                        if found.captures.get(name) != value:
                            problems.append(
                                RuleError(
                                    f"Rule {rule.id!r}: the example {example.text!r} should capture {name}={value!r} "
                                    f"but captured {found.captures.get(name)!r}.",
                                    rule.path,
                                    line,
                                )
                            )
            for text in rule.examples.no_match:
                found = self.classify(text)
                if found is not None:
                    problems.append(
                        RuleError(
                            f"Rule {rule.id!r}: the near miss {text!r} must not match anything, but it matched rule {found.rule.id!r}.",
                            rule.path,
                            rule.line,
                        )
                    )
        from .faq import Faq

        problems.extend(Faq(self.questions).self_check())
        return problems

    # --- other views ------------------------------------------------------------

    def ask(self, question: str, limit: int = 3) -> list[tuple[FaqEntry, float]]:
        """The best FAQ answers for a question in a person's own words (may be empty)."""
        from .faq import Faq

        if self._faq is None:
            self._faq = Faq(self.questions)
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
    or a substitution by something that is not an ideograph (OCR noise such as 'l' or '口' …)."""
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
