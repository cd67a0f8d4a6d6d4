"""Answers to frequent questions (seed part 二), found from a question in a person's own words.

Questions are compared as normalised character strings with the filler words of spoken
questions (怎么, 如何, 请问 …) removed. The score blends rapidfuzz's similarity with shared
two-character words, which tolerates a different word order. Below the threshold there is
no answer: no answer is better than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from .errors import RuleError
from .normalize import normalize
from .rules import FaqEntry

THRESHOLD = 40.0
# A second answer is offered only when it is nearly as good as the first.
RUNNER_UP_MARGIN = 12.0

_FILLER = re.compile(
    "请问|我想|想问|问一下|怎么办|怎么样|怎么|如何|怎样|什么|哪个|哪里|哪儿|在哪|为什么|为啥|是否|是不是|"
    "可以|能否|能不能|需要|要不要|应该|一下|吗|呢|吧|啊|了|的|呀"
)


def _words(text: str) -> str:
    return _FILLER.sub("", normalize(text))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


class Faq:
    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = list(entries)
        self._phrasings: list[list[tuple[str, set[str]]]] = []
        for entry in self.entries:
            forms = [_words(q) for q in (entry.question, *entry.also_asked)]
            self._phrasings.append([(f, _bigrams(f)) for f in forms if f])

    def score(self, question: str) -> list[tuple[FaqEntry, float]]:
        words = _words(question)
        if len(words) < 2:
            return []
        grams = _bigrams(words)
        scored: list[tuple[FaqEntry, float]] = []
        for entry, forms in zip(self.entries, self._phrasings, strict=True):
            best = 0.0
            for form, form_grams in forms:
                dice = 200.0 * len(grams & form_grams) / (len(grams) + len(form_grams))
                similarity = fuzz.ratio(words, form)
                best = max(best, 0.5 * dice + 0.5 * similarity)
            scored.append((entry, best))
        scored.sort(key=lambda pair: -pair[1])
        return scored

    def ask(self, question: str, limit: int = 3) -> list[tuple[FaqEntry, float]]:
        try:
            scored = self.score(question)
        except Exception:
            return []
        if not scored or scored[0][1] < THRESHOLD:
            return []
        top = scored[0][1]
        return [(e, s) for e, s in scored[:limit] if s >= THRESHOLD and top - s <= RUNNER_UP_MARGIN]

    def self_check(self) -> list[RuleError]:
        problems: list[RuleError] = []
        for entry in self.entries:
            for text in entry.examples.match:
                answers = self.ask(text, limit=1)
                if not answers or answers[0][0].id != entry.id:
                    got = answers[0][0].id if answers else "no answer"
                    problems.append(
                        RuleError(
                            f"Question {entry.id!r}: the example {text!r} should be answered by it, but got {got}.",
                            entry.path,
                            entry.line,
                        )
                    )
            for text in entry.examples.no_match:
                if any(e.id == entry.id for e, _ in self.ask(text)):
                    problems.append(
                        RuleError(
                            f"Question {entry.id!r}: {text!r} must not be answered by it.",
                            entry.path,
                            entry.line,
                        )
                    )
        return problems
