"""OCR-aware matching for screenshots: undo the recogniser's own likely misreads, and only those.

The classifier never swaps one ideograph for another: on page text a different character is a
different message. A photo read by OCR is another matter: 户籍 comes back as 户精 and 资源 as
责源, and nothing matches. This module, used by :mod:`interceptor.shots` only (never by the
page classifier), tries a character of a line in place of the one read when all of these hold:

* the recogniser's own confidence for the character read is low (below :data:`LOW_CONFIDENCE`);
* the pair (read, meant) is in the confusion table learned from the training split's OCR output
  (``scripts/learn_confusions.py`` writes ``ocr_confusions.json``; no pair is written by hand);
* neither character carries meaning on its own (:data:`PROTECTED`: 不 未 非 无 已 没 成 功 …);
* the corrected line matches a rule **exactly** (the classifier's first stage, so the rest of the
  rule's sentence is there, in order, with its guards), and the match covers every substituted
  character.

At most :data:`MAX_SUBSTITUTIONS` characters of one line are changed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from .ocr import OcrLine

if TYPE_CHECKING:
    from .classify import Match, RuleSet

# Characters whose swap could turn a message into its opposite or into another one.
PROTECTED = frozenset("不未非无已没成功否勿别莫")
LOW_CONFIDENCE = 0.9
MAX_SUBSTITUTIONS = 3
# Bound on the corrected texts tried per line (the product of alternatives).
MAX_VARIANTS = 64


@dataclass(frozen=True)
class Confusions:
    """Read character → the characters it was read for, learned from OCR output."""

    pairs: dict[str, tuple[str, ...]]

    def alternatives(self, read: str) -> tuple[str, ...]:
        if read in PROTECTED:
            return ()
        return tuple(c for c in self.pairs.get(read, ()) if c not in PROTECTED)


@lru_cache(maxsize=1)
def load_confusions() -> Confusions:
    """The bundled table (``interceptor/ocr_confusions.json``)."""
    raw = json.loads(resources.files("interceptor").joinpath("ocr_confusions.json").read_text("utf-8"))
    return Confusions({k: tuple(v) for k, v in raw["pairs"].items()})


def variants(line: OcrLine, confusions: Confusions) -> list[tuple[str, tuple[int, ...]]]:
    """Corrected texts of ``line`` and the positions changed in each (never the line itself)."""
    if len(line.chars) != len(line.text):
        return []  # without per-character confidences nothing is low-confidence
    options = [
        (i, alts)
        for i, (char, score) in enumerate(zip(line.text, line.chars, strict=True))
        if score < LOW_CONFIDENCE and (alts := confusions.alternatives(char))
    ]
    out: list[tuple[str, tuple[int, ...]]] = []
    for count in range(1, min(MAX_SUBSTITUTIONS, len(options)) + 1):
        for chosen in itertools.combinations(options, count):
            for replacement in itertools.product(*(alts for _, alts in chosen)):
                chars = list(line.text)
                for (i, _), c in zip(chosen, replacement, strict=True):
                    chars[i] = c
                out.append(("".join(chars), tuple(i for i, _ in chosen)))
                if len(out) >= MAX_VARIANTS:
                    return out
    return out


def find_with_confusions(
    lines: Sequence[OcrLine], rules: RuleSet, confusions: Confusions | None = None
) -> list[tuple[int, Match, str]]:
    """(line index, match, corrected text) for lines that match a rule only once corrected."""
    table = confusions or load_confusions()
    found: list[tuple[int, Match, str]] = []
    for index, line in enumerate(lines):
        for text, changed in variants(line, table):
            matches = [
                m
                for m in rules.find_all(text)
                if m.score == 1.0
                and m.rule.severity != "info"
                and all(m.start <= i < m.end for i in changed)
            ]
            if matches:
                found.append((index, matches[0], text))
                break
    return found
