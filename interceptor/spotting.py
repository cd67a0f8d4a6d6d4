"""Rule sentences spotted in the recogniser's own output, for screenshots the OCR garbles.

A chat copy at JPEG quality 30 of a pale toast comes back from the recogniser as
保存美：有特合法人员的型保导他: too many characters wrong for :mod:`interceptor.ocr_match`,
which only undoes a few learned misreads. The recogniser knew more than its best guess,
though: for every frame of a text line it gives a probability for each of its 6,600
characters, and the greedy text keeps only the top one. This module asks the other question:
*how much less likely* is the best reading that says a given rule sentence (somewhere in the
line, anything before and after it) than the recogniser's own best reading? That is the CTC
"keyword spotting" score: a Viterbi path through the rule sentence's characters with free
frames before and after, compared frame by frame with the per-frame best character.

A sentence is accepted for a line (and only in the closer, last pass of :mod:`interceptor.shots`)
when all of these hold; the thresholds were set on the training split and checked on rendered
near misses (``scripts/calibrate_spotting.py``), never on the held-out split:

* the pattern is a whole literal sentence of an ``error`` rule, at least :data:`MIN_CHARS` long
  (patterns with ``{slots}`` are left to the classifier, which must capture their values);
* the line's own greedy text already holds at least :data:`MIN_SHARED` of the sentence's
  characters in order, so there is textual evidence, not only probabilities;
* the mean cost per character is at most :data:`MAX_MEAN` and no single character costs more
  than :data:`MAX_CHAR` (one clearly different character, say 为 read as 不是, is refused however
  well the rest fits);
* every meaning-bearing character of the sentence (不 未 非 无 没 已 …) costs at most
  :data:`MAX_PROTECTED`: the recogniser itself found it likely where it stands; and no frame
  whose best guess is such a character is given another one;
* every character the recogniser read inside the sentence's frames stands for one of the
  sentence's characters (read 自参保开始日期业下一月起 is not 自参保开始日期下一月起: the 业
  left out may be a garbled 未);
* the sentence beats, by :data:`MARGIN`, every other rule's sentence on the same line, and
  every competitor by :data:`MARGIN` plus :data:`RIVAL_PER_CHAR` for each character the
  competitor has beyond the sentence: the rule's own ``no_match`` examples, the sentence with a
  negation put in or a meaning-bearing character taken out or swapped, and the sentence inside
  the classifier's guards (如提示“…”, …怎么办); and the sentence with a negation in place of
  any one of its characters must fit worse than the sentence itself wherever the recogniser
  found that negation nearly as likely as its best guess (cost at most :data:`NEGATION_LIKELY`);
* the line, with the sentence in place of what was read there, matches the rule exactly
  (so the rule's ``exclude`` phrases hold too);
* only one rule is spotted per line.
"""

from __future__ import annotations

import difflib
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .ocr_match import PROTECTED

if TYPE_CHECKING:
    from .classify import RuleSet

MIN_CHARS = 6
MIN_SHARED = 0.5
MAX_MEAN = 2.0
MAX_CHAR = 10.0
MAX_PROTECTED = 3.0
NEGATION_LIKELY = 1.0
MARGIN = 2.0
RIVAL_PER_CHAR = 3.0
# Put in front of, or in place of, a sentence's characters to make its opposites.
NEGATIONS = "不未非无没"


@dataclass(frozen=True)
class Keyword:
    """A rule sentence and its competitors (texts that must score worse on the same line)."""

    rule: str
    text: str
    competitors: tuple[str, ...]
    # (place, the sentence with a negation in place of the character there).
    swaps: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Path:
    """The best path saying a sentence in a line: its cost (nats, against the recogniser's
    own best reading), each character's share, and the first and last frame it used."""

    total: float
    per_char: list[float]
    first: int
    last: int
    # The recogniser's best guesses (classes) that the sentence said something else over.
    overruled: frozenset[int] = frozenset()
    # Characters the recogniser read inside the sentence's frames that no character of the
    # sentence stands for (read, then left out).
    swallowed: int = 0


@dataclass(frozen=True)
class Spotted:
    """A rule sentence spotted in one line: mean and worst cost per character (nats), and the
    line with the sentence in place of what the recogniser read there."""

    rule: str
    text: str
    mean: float
    worst: float
    line: str


_KEYWORDS: weakref.WeakKeyDictionary[RuleSet, list[Keyword]] = weakref.WeakKeyDictionary()


def keywords(rules: RuleSet) -> list[Keyword]:
    """Every spottable sentence of ``rules`` with its competitors (computed once per table)."""
    cached = _KEYWORDS.get(rules)
    if cached is not None:
        return cached
    out: list[Keyword] = []
    for rule in rules.rules:
        if rule.severity == "info":
            continue
        near = tuple(_plain(t) for t in rule.examples.no_match)
        for pattern in rule.patterns:
            # As written, punctuation and all: that is what the recogniser was trained to say.
            text = _plain(pattern)
            if "{" in text or len(text) < MIN_CHARS:
                continue
            # A competitor inside the sentence (参保身份 in 没有符合该人员的参保身份) always
            # costs less and says nothing against it: only texts that read otherwise compete.
            rivals = (c for c in (*near, *_opposites(text)) if c and c not in text)
            swaps = ((i, text[:i] + n + text[i + 1 :]) for i, c in enumerate(text) for n in NEGATIONS if n != c)
            out.append(Keyword(rule.id, text, tuple(dict.fromkeys(rivals)), tuple(swaps)))
    _KEYWORDS[rules] = out
    return out


def _plain(text: str) -> str:
    return "".join(text.split())


def _opposites(text: str) -> list[str]:
    """The sentence with a negation put in at each place, with each meaning-bearing character
    taken out or swapped for another, and inside the classifier's guards (如提示“…”, …怎么办):
    a line that reads as well as a quotation of the message is not the message."""
    from .classify import GUARDS_AFTER, GUARDS_BEFORE

    out = [g + q + text for g in GUARDS_BEFORE for q in ("", "“")]
    out += [text + q + g for g in GUARDS_AFTER for q in ("", "”")]
    for i in range(len(text) + 1):
        for n in NEGATIONS:
            out.append(text[:i] + n + text[i:])
    for i, c in enumerate(text):
        if c in PROTECTED:
            out.append(text[:i] + text[i + 1 :])
    return out


def _shared(read: str, sentence: str) -> float:
    matcher = difflib.SequenceMatcher(None, read, sentence, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(sentence)


class LineScorer:
    """Costs of sentences against one line's frame probabilities (``logp``: frames × classes,
    natural log; class 0 is CTC's blank; ``alphabet[i]`` is class i's character)."""

    def __init__(self, logp: Any, index: dict[str, int]) -> None:
        import numpy as np

        self.logp = np.asarray(logp, dtype=np.float32)
        self.index = index
        self.free = self.logp.max(axis=1)

    def cost(self, text: str) -> Path | None:
        """The best path saying ``text`` somewhere in the line, or None when none can (a
        character the recogniser does not know, too few frames)."""
        import numpy as np

        ids = [self.index.get(c) for c in text]
        if any(i is None for i in ids) or not text:
            return None
        frames = self.logp.shape[0]
        labels = [0]
        for i in ids:
            labels += [int(i or 0), 0]
        size = len(labels)
        if frames < len(text):
            return None
        lp = self.logp[:, labels]  # frames × states
        # Moves into state s: stay, from s-1, or skip a blank from s-2 (between different chars).
        skip = np.zeros(size, dtype=bool)
        for s in range(2, size):
            skip[s] = labels[s] != 0 and labels[s] != labels[s - 2]
        neg = np.float32(-1e30)
        # State -1 (prefix) and size (suffix) are the free frames around the sentence.
        score = np.full(size, neg, dtype=np.float32)
        prefix = self.free[0]
        score[0] = lp[0, 0]
        score[1] = lp[0, 1]
        suffix = neg
        back = np.zeros((frames, size), dtype=np.int8)  # 0 stay, 1 from s-1, 2 from s-2, 3 prefix
        suffix_from = np.zeros(frames, dtype=np.int16)  # -1 stay in suffix, else state entered from
        for t in range(1, frames):
            stay = score
            step = np.concatenate(([neg], score[:-1]))
            jump = np.where(skip, np.concatenate(([neg, neg], score[:-2])), neg)
            choices = np.stack((stay, step, jump))
            move = choices.argmax(axis=0)
            best = choices.max(axis=0)
            # The sentence may start at this frame, from the free prefix.
            for s in (0, 1):
                if prefix > best[s]:
                    best[s], move[s] = prefix, 3
            ends = (score[size - 1], score[size - 2])
            enter = size - 1 if ends[0] >= ends[1] else size - 2
            if suffix >= max(ends):
                new_suffix, suffix_from[t] = suffix + self.free[t], -1
            else:
                new_suffix, suffix_from[t] = max(ends) + self.free[t], enter
            score = best + lp[t]
            back[t] = move
            prefix = prefix + self.free[t]
            suffix = new_suffix
        last = (score[size - 1], score[size - 2], suffix)
        final = max(last)
        total = float(self.free.sum() - final)
        # Trace back which frame said which state, to charge each character its own frames.
        state_at = np.full(frames, -1, dtype=np.int32)
        t = frames - 1
        if final == suffix:
            while t > 0 and suffix_from[t] == -1:
                t -= 1
            state = int(suffix_from[t])
            t -= 1
        else:
            state = size - 1 if final == last[0] else size - 2
        while t >= 0:
            state_at[t] = state
            if t == 0:
                break
            move = int(back[t, state])
            if move == 3:
                break
            state -= move
            t -= 1
        per_char = [0.0] * len(text)
        for t in range(frames):
            s = int(state_at[t])
            if s < 0:
                continue
            # A blank frame is charged to the character before it (the first one's to itself).
            char = max(0, (s - 1) // 2)
            per_char[char] += float(self.free[t] - self.logp[t, labels[s]])
        said = [t for t in range(frames) if state_at[t] >= 0]
        if not said:
            return None
        best = self.logp.argmax(axis=1)
        overruled = frozenset(
            int(best[t]) for t in said if best[t] != 0 and best[t] != labels[int(state_at[t])]
        )
        return Path(total, per_char, said[0], said[-1], overruled, _swallowed(best, state_at, said[0], said[-1]))

    def around(self, path: Path, characters: dict[int, str]) -> tuple[str, str]:
        """The recogniser's own text before and after the frames ``path`` gave the sentence."""
        best = self.logp.argmax(axis=1)
        before: list[str] = []
        after: list[str] = []
        previous = 0
        for t, c in enumerate(best.tolist()):
            if c != 0 and c != previous and not path.first <= t <= path.last:
                (before if t < path.first else after).append(characters.get(c, ""))
            previous = c
        return "".join(before), "".join(after)


def _swallowed(best: Any, state_at: Any, first: int, last: int) -> int:
    """How many characters the recogniser read between ``first`` and ``last`` are covered by
    no character of the sentence, or only by the one that the character before also had."""
    count = 0
    previous: set[int] = set()
    t = first
    while t <= last:
        c = int(best[t])
        end = t
        while end + 1 <= last and int(best[end + 1]) == c:
            end += 1
        if c != 0:
            own = {int(s) for s in state_at[t : end + 1] if s >= 0 and s % 2 == 1}
            if not own or own <= previous:
                count += 1
            previous = own
        t = end + 1
    return count


def worth_spotting(read: str, rules: RuleSet) -> bool:
    """Whether a line read as ``read`` could hold any sentence (the cheap test :func:`spot`
    starts with), so the frames of other lines need not be computed."""
    return any(_shared(read, keyword.text) >= MIN_SHARED for keyword in keywords(rules))


def spot(read: str, logp: Any, classes: dict[str, int], rules: RuleSet) -> Spotted | None:
    """The one rule sentence spotted in a line read as ``read``, or None.

    ``classes`` maps characters to the recogniser's classes. The line, with the sentence in
    place of the frames it was spotted in, must then match the sentence's rule exactly, so the
    rule's ``exclude`` phrases and the classifier's guards (如提示“…”, …时) still hold.
    """
    scorer: LineScorer | None = None
    found: list[tuple[Path, Keyword]] = []
    for keyword in keywords(rules):
        if _shared(read, keyword.text) < MIN_SHARED:
            continue
        scorer = scorer or LineScorer(logp, classes)
        path = scorer.cost(keyword.text)
        if path is None:
            continue
        if path.total / len(keyword.text) > MAX_MEAN or max(path.per_char) > MAX_CHAR:
            continue
        if any(
            cost > MAX_PROTECTED
            for c, cost in zip(keyword.text, path.per_char, strict=True)
            if c in PROTECTED
        ):
            continue
        if any(_characters(classes).get(c, "") in PROTECTED for c in path.overruled):
            continue  # a negation the recogniser read is never read away
        if path.swallowed:
            continue  # nor any other character it read: it may be a garbled 未
        found.append((path, keyword))
    if not found or scorer is None:
        return None
    characters = _characters(classes)
    found.sort(key=lambda f: f[0].total)
    path, keyword = found[0]
    if any(p.total < path.total + MARGIN for p, k in found[1:] if k.rule != keyword.rule):
        return None
    for competitor in keyword.competitors:
        rival = scorer.cost(competitor)
        # A rival longer than the sentence pays for its extra characters, which the sentence
        # left to the free frames around it; up to RIVAL_PER_CHAR each is still a fit.
        allowance = MARGIN + RIVAL_PER_CHAR * max(0, len(competitor) - len(keyword.text))
        if rival is not None and rival.total < path.total + allowance:
            return None
    for place, swap in keyword.swaps:
        # Where the sentence is unsure, a negation the recogniser found nearly as likely as its
        # best guess must not fit as well as the sentence's own character; one it found
        # unlikely is just another garble (资导融务 fits 资非服务 about as badly as 资源服务).
        rival = scorer.cost(swap)
        if rival is not None and rival.total <= path.total and rival.per_char[place] <= NEGATION_LIKELY:
            return None
    before, after = scorer.around(path, characters)
    line = before + keyword.text + after
    start = len(before)
    end = start + len(keyword.text)
    exact = [
        m
        for m in rules.find_all(line)
        if m.rule.id == keyword.rule and m.score == 1.0 and m.start <= start and end <= m.end
    ]
    if not exact:
        return None
    return Spotted(keyword.rule, keyword.text, path.total / len(keyword.text), max(path.per_char), line)


_INVERSES: dict[int, tuple[dict[str, int], dict[int, str]]] = {}


def _characters(classes: dict[str, int]) -> dict[int, str]:
    """Class → character (one engine's table, kept while the engine lives)."""
    known = _INVERSES.get(id(classes))
    if known is None or known[0] is not classes:
        known = _INVERSES[id(classes)] = (classes, {i: c for c, i in classes.items()})
    return known[1]
