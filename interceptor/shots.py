"""Batch check of error screenshots: ``interceptor shots PATH...``.

Each image is read by an OCR engine (:mod:`interceptor.ocr`) and its text lines go through
the same :class:`~interceptor.classify.RuleSet` as live pages. OCR is the slow part, so it
runs in worker processes (one engine loaded per process) and its output is cached by the
file's content. The cache keeps the OCR text *masked* (personal data never reaches the disk in
clear) together with the verdict reached on the unmasked text for the rule table in use, so a
rerun gives exactly the same rows; when the rule table changed, the masked text is classified
again, so a changed rule table takes effect without reading any image again.

Only regular files up to :data:`MAX_FILE_BYTES` are read: ``shots /dev/zero``, a FIFO or a
huge file gets a row saying why it was skipped, and the batch goes on.

The classifier refuses menu words, success toasts and notices by itself; this module's job
is to hand it the right texts: every line as the OCR read it, lines the detector split in
two put back together, and pairs of lines where a banner sentence wrapped.

Over 400 lines: the batch (worker pool, Ctrl-C), the cache, dialog-region finding and OCR
line layout are still together here; image reading already lives in :mod:`interceptor.images`
and OCR-aware matching in :mod:`interceptor.ocr_match`. Splitting the rest by concern is next.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import signal
import sys
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

from .files import private_dir, write_private_text

# Image reading lives in images.py; its names stay importable from here (``as``: re-exported).
from .images import IMAGE_SUFFIXES, UnreadableImage, load_image, read_input
from .images import MAX_FILE_BYTES as MAX_FILE_BYTES
from .images import MAX_PIXELS as MAX_PIXELS
from .images import MAX_SIDE as MAX_SIDE
from .ocr import EngineUnavailable, OcrEngine, OcrLine, RapidOcrEngine, default_threads, pick_backend
from .privacy import mask, mask_captures

if TYPE_CHECKING:
    from PIL import Image

    from .classify import Match, RuleSet

# A cache entry is a few kilobytes; a bigger one is damaged or not ours.
MAX_CACHE_ENTRY_BYTES = 4 * 1024 * 1024
# Bump when the OCR output format or the adapter's behaviour changes (3: text stored masked;
# 4: per-character confidences and the second read; 5: spotted sentences; 6: each line
# recognised on its own).
CACHE_FORMAT = 6
# Words of an error message: a picture whose text holds one but matches no rule is read again.
ERROR_WORDS = ("失败", "错误", "为空", "不能", "不符", "没有", "只有", "未获取", "已采集", "存在", "异常", "无法")
# A line read with less confidence than this also earns the picture a second read.
LOW_LINE_SCORE = 0.8

EngineFactory = Callable[[], OcrEngine]


@dataclass
class ShotResult:
    """What one input file yielded; ``to_dict`` is the JSON report's object."""

    file: str
    rule: str | None = None
    rules: list[str] = field(default_factory=list)
    captures: dict[str, str] = field(default_factory=dict)
    text: str = ""
    error: str | None = None
    cached: bool = False
    # Where the error text is in the picture (left, top, right, bottom), for report zooms.
    region: tuple[float, float, float, float] | None = None
    # Where masked personal data sits in the picture, so report images can hide it too.
    hidden: list[tuple[float, float, float, float]] = field(default_factory=list)
    # Not looked at: the batch was stopped (Ctrl-C) before this file's turn.
    skipped: bool = False
    # Which pass found the error: 1 the first read, 2 the first read with OCR-aware matching,
    # 3 the second, closer read of the region (see read_image), 4 a rule sentence spotted in
    # the recogniser's frame probabilities of that read (interceptor.spotting); None when
    # nothing was found.
    decided_by: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rule": self.rule,
            "rules": list(self.rules),
            "captures": dict(self.captures),
            "text": self.text,
            "error": self.error,
            "pass": self.decided_by,
        }


@dataclass
class BatchResult:
    results: list[ShotResult]
    interrupted: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Screenshots per main rule; ``unknown`` for none found, ``error`` for unreadable,
        ``skipped`` for files a stopped batch never reached."""
        counts: dict[str, int] = {}
        for r in self.results:
            key = "skipped" if r.skipped else ("error" if r.error else (r.rule or "unknown"))
            counts[key] = counts.get(key, 0) + 1
        return counts


# --- finding errors in OCR lines --------------------------------------------------------


@dataclass
class _Segment:
    """One OCR line with its place in reading order."""

    text: str
    box: tuple[float, float, float, float]
    row: int
    index: int = 0
    hidden: tuple[int, int] | None = None  # see OcrLine.hidden

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass
class Finding:
    match: Match
    segments: tuple[int, ...]


def _rows(lines: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into visual rows (top to bottom), each row left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        centre = (line.box[1] + line.box[3]) / 2
        for row in reversed(rows[-3:]):
            top = min(x.box[1] for x in row)
            bottom = max(x.box[3] for x in row)
            height = min(line.height, bottom - top)
            if top <= centre <= bottom and abs((top + bottom) / 2 - centre) <= height * 0.5:
                row.append(line)
                break
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.box[0]) for row in rows]


def _joiner(left: str, right: str) -> str:
    # Latin words and numbers keep a space; ideographs never had one.
    ascii_edge = left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()
    return " " if ascii_edge else ""


def segments_of(lines: Sequence[OcrLine]) -> list[_Segment]:
    """OCR lines in reading order: rows top to bottom, each row left to right."""
    segments: list[_Segment] = []
    for row_index, row in enumerate(_rows([ln for ln in lines if ln.text.strip()])):
        for line in row:
            segments.append(_Segment(line.text, line.box, row_index, len(segments), line.hidden))
    return segments


def _same_line(left: _Segment, right: _Segment) -> bool:
    """Whether ``right`` may continue the sentence of ``left`` on the same row.

    The detector sometimes cuts a sentence at a wide character (a full-width colon,
    a space); a box from another widget can sit just as close, so such pairs are only
    used for a match that crosses the cut (see :func:`find_errors`).
    """
    if right.row != left.row:
        return False
    height = max(left.height, right.height)
    return 0.6 <= right.height / max(left.height, 1e-6) <= 1.6 and right.box[0] - left.box[2] <= height * 1.2


def _wraps_to(upper: _Segment, lower: _Segment) -> bool:
    """Whether ``lower`` may be where the sentence of ``upper`` wrapped to."""
    if lower.row != upper.row + 1:
        return False
    h_up = upper.height
    if not (0.6 <= lower.height / max(h_up, 1e-6) <= 1.6):
        return False
    if lower.box[1] - upper.box[3] > h_up * 1.2:
        return False
    # A wrapped line starts under the first one (left-aligned, or centred inside it).
    return (
        upper.box[0] - h_up <= lower.box[0] <= upper.box[2] - h_up and lower.box[2] <= upper.box[2] + 2 * h_up
    )


def _errors_in(rules: RuleSet, text: str) -> list[Match]:
    """The errors in ``text``: a notice (an ``info`` rule, such as the 停保 tax deadline) in a
    screenshot is not what the picture was sent for."""
    return [m for m in rules.find_all(text) if m.rule.severity != "info"]


def _holds_when_joined(
    segment: _Segment, match: Match, joins: Sequence[tuple[_Segment, _Segment, int, list[Match]]]
) -> bool:
    """Whether a match in one segment survives reading it together with the segment the
    sentence may continue in: a box cut at 户籍性质为空的 | 人员请先…维护 is a form's hint (the rule's
    ``exclude``), and 如提示 | 户籍性质为空 is a quotation; neither is the error."""
    for first, second, _cut, matches in joins:
        if first is segment:
            start, end = match.start, match.end
        elif second is segment:
            offset = len(first.text) + len(_joiner(first.text, second.text))
            start, end = match.start + offset, match.end + offset
        else:
            continue
        if not any(m.rule.id == match.rule.id and m.start <= start and end <= m.end for m in matches):
            return False
    return True


def find_errors(lines: Sequence[OcrLine], rules: RuleSet) -> tuple[list[Finding], list[_Segment]]:
    """Known errors in OCR lines, in reading order, and the segments they were read from.

    Each line is classified by itself; then pairs of lines that may hold one sentence (a
    box the detector cut in two, a banner sentence wrapped onto the next line), keeping
    only matches that cross the join, which neither line holds alone.
    """
    segments = segments_of(lines)
    found: list[tuple[tuple[int, int], Finding]] = []
    # Pairs of segments that may hold one sentence, with the joined text's errors.
    joins: list[tuple[_Segment, _Segment, int, list[Match]]] = []
    for first in segments:
        for second in segments[first.index + 1 :]:
            if second.row > first.row + 1:
                break
            if _same_line(first, second) or _wraps_to(first, second):
                joined = first.text + _joiner(first.text, second.text) + second.text
                joins.append((first, second, len(first.text), _errors_in(rules, joined)))
    for segment in segments:
        for match in _errors_in(rules, segment.text):
            if not _holds_when_joined(segment, match, joins):
                continue
            found.append(((segment.index, match.start), Finding(match, (segment.index,))))
    for first, second, cut, matches in joins:
        for match in matches:
            if match.start < cut < match.end:
                found.append(((first.index, match.start), Finding(match, (first.index, second.index))))
    found.sort(key=lambda item: item[0])
    kept: list[Finding] = []
    for _, finding in found:
        duplicate = any(
            k.match.rule.id == finding.match.rule.id and set(k.segments) & set(finding.segments) for k in kept
        )
        if not duplicate:
            kept.append(finding)
    return kept, segments


def _text_of(segments: Sequence[_Segment]) -> str:
    """Segments as text: one row per line, boxes of a row joined."""
    lines: list[str] = []
    row = None
    for segment in sorted(segments, key=lambda s: s.index):
        if segment.row == row and lines:
            lines[-1] += _joiner(lines[-1], segment.text) + segment.text
        else:
            lines.append(segment.text)
        row = segment.row
    return "\n".join(lines)


def _hidden_boxes(segments: Sequence[_Segment]) -> list[tuple[float, float, float, float]]:
    """Picture boxes of the characters that :func:`mask` hides, estimated from each line's box
    (characters of a screen line are about equally wide)."""
    boxes = []
    for segment in segments:
        masked = mask(segment.text)
        changed = [i for i, (a, b) in enumerate(zip(segment.text, masked, strict=True)) if a != b]
        if segment.hidden is not None:  # masked before it was cached
            changed = sorted({*changed, *segment.hidden})
        if not changed:
            continue
        left, top, right, bottom = segment.box
        step = (right - left) / max(1, len(segment.text))
        # One character of slack on each side: the estimate is rough.
        start = max(left, left + (changed[0] - 1) * step)
        end = min(right, left + (changed[-1] + 2) * step)
        boxes.append((start, top, end, bottom))
    return boxes


def result_from_lines(
    file: str, lines: Sequence[OcrLine], rules: RuleSet, *, ocr_aware: bool = False
) -> ShotResult:
    """The report row for one image's OCR lines (personal data masked).

    With ``ocr_aware``, lines that match nothing as read are also tried with the recogniser's
    likely misreads undone (:mod:`interceptor.ocr_match`).
    """
    findings, segments = find_errors(lines, rules)
    if not findings and ocr_aware:
        from .ocr_match import find_with_confusions

        corrected = {i: text for i, _, text in find_with_confusions(lines, rules)}
        if corrected:
            lines = [replace(ln, text=corrected[i]) if i in corrected else ln for i, ln in enumerate(lines)]
            findings, segments = find_errors(lines, rules)
    result = ShotResult(file=file, hidden=_hidden_boxes(segments))
    if findings:
        ids: list[str] = []
        for f in findings:
            if f.match.rule.id not in ids:
                ids.append(f.match.rule.id)
        result.rules = ids
        result.rule = ids[0]
        result.captures = mask_captures(findings[0].match.captures)
        used = [segments[i] for i in {i for f in findings for i in f.segments}]
        result.text = mask(_text_of(used))
        result.region = (
            min(u.box[0] for u in used),
            min(u.box[1] for u in used),
            max(u.box[2] for u in used),
            max(u.box[3] for u in used),
        )
    else:
        # No known error: keep what was read so a person can see what the picture says.
        result.text = mask(_text_of(segments))
    return result


# --- reading images -----------------------------------------------------------------------


def dialog_region(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box of a dialog shown over a dimmed page, or None when there is none.

    A modal (girder's 错误提示 box, layer.alert, Element's message box) dims everything
    behind it, so the only bright area left is the dialog: one compact, nearly filled
    rectangle holding all the bright pixels. Pages without a backdrop are bright almost
    everywhere and give None, and so does anything unclear; the caller then reads the
    whole picture. Costs a few milliseconds on a 400-pixel grey copy.
    """
    import cv2
    import numpy as np
    from PIL import Image

    grey = image.convert("L")
    scale = min(1.0, 400 / max(grey.size))
    if scale < 1.0:
        grey = grey.resize(
            (max(1, round(grey.width * scale)), max(1, round(grey.height * scale))), Image.Resampling.BILINEAR
        )
    a = np.asarray(grey, dtype=np.float32)
    white, dark = np.percentile(a, 99.5), np.percentile(a, 5)
    if white - dark < 40:
        return None
    # Relative to the picture's own white and black: photos of screens are dim overall.
    bright = (a >= white - 0.15 * (white - dark)).astype(np.uint8)
    share = float(bright.mean())
    if not 0.02 <= share <= 0.6:
        return None
    closed = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=4)
    rows, cols = a.shape
    # Bright bars along the picture's edge (a browser's toolbar, a taskbar) are not part of
    # the page, so they neither count as the dialog nor spoil it.
    edge = [
        i
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_LEFT] == 0
        or stats[i, cv2.CC_STAT_TOP] == 0
        or stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] >= cols
        or stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] >= rows
    ]
    inner = [i for i in range(1, count) if i not in edge]
    if not inner:
        return None
    page = ~np.isin(labels, edge) if edge else np.ones(a.shape, dtype=bool)
    biggest = max(inner, key=lambda i: int(stats[i, cv2.CC_STAT_AREA]))
    x, y, w, h, area = (int(v) for v in stats[biggest])
    page_bright = float(bright[page].sum())
    inside = float(bright[y : y + h, x : x + w].sum()) / page_bright if page_bright else 0.0
    outside = page.copy()
    outside[y : y + h, x : x + w] = False
    dimmed = (float(a[outside].mean()) - dark) / (white - dark) if outside.any() else 0.0
    if inside < 0.9 or area / (w * h) < 0.6 or dimmed > 0.6 or w * h > 0.8 * a.size:
        return None
    # A margin of a few pixels keeps text that touches the dialog's edge.
    pad = 3
    box = (max(0, x - pad), max(0, y - pad), min(a.shape[1], x + w + pad), min(a.shape[0], y + h + pad))
    return (
        int(box[0] / scale),
        int(box[1] / scale),
        min(image.width, int(box[2] / scale + 1)),
        min(image.height, int(box[3] / scale + 1)),
    )


@dataclass
class Reading:
    """What OCR read from one picture.

    ``focus`` is the dialog found over a dimmed page (None when there is none) and
    ``focus_lines`` the text read inside it. ``full_lines`` is the whole picture's text, or
    None when it was not needed because the dialog held a known error.
    """

    focus: tuple[int, int, int, int] | None = None
    focus_lines: list[OcrLine] = field(default_factory=list)
    full_lines: list[OcrLine] | None = None
    # The second, closer read (see read_image), when the first was not enough.
    second_lines: list[OcrLine] | None = None
    # Rule sentences spotted in ``second_lines`` (interceptor.spotting): the rules fingerprint
    # they were spotted with, and (line index, rule id) pairs. None: not looked for.
    spotted: tuple[str, list[tuple[int, str]]] | None = None

    def masked(self) -> Reading:
        """The same reading with personal data masked in every line (what the cache keeps)."""

        def hide(lines: Sequence[OcrLine]) -> list[OcrLine]:
            out = []
            for ln in lines:
                text = mask(ln.text)
                changed = [i for i, (a, b) in enumerate(zip(ln.text, text, strict=True)) if a != b]
                if ln.hidden is not None:
                    changed = sorted({*changed, *ln.hidden})
                hidden = (changed[0], changed[-1]) if changed else None
                out.append(OcrLine(text, ln.box, ln.score, hidden, ln.chars))
            return out

        return Reading(
            self.focus,
            hide(self.focus_lines),
            None if self.full_lines is None else hide(self.full_lines),
            None if self.second_lines is None else hide(self.second_lines),
            self.spotted,
        )

    def to_json(self) -> dict[str, Any]:
        def dump(lines: Sequence[OcrLine]) -> list[Any]:
            return [
                [
                    ln.text,
                    list(ln.box),
                    ln.score,
                    None if ln.hidden is None else list(ln.hidden),
                    [round(c, 4) for c in ln.chars],
                ]
                for ln in lines
            ]

        return {
            "focus": list(self.focus) if self.focus else None,
            "focus_lines": dump(self.focus_lines),
            "full_lines": None if self.full_lines is None else dump(self.full_lines),
            "second_lines": None if self.second_lines is None else dump(self.second_lines),
            "spotted": None
            if self.spotted is None
            else {"rules": self.spotted[0], "hits": [list(hit) for hit in self.spotted[1]]},
        }

    @classmethod
    def from_json(cls, raw: Any) -> Reading:
        """A reading from its JSON form; ValueError for anything that is not exactly that."""
        if not isinstance(raw, dict):
            raise ValueError("not an object")

        def load(items: Any) -> list[OcrLine]:
            if not isinstance(items, list):
                raise ValueError("lines are not a list")
            lines = []
            for item in items:
                if not isinstance(item, list) or len(item) != 5 or not isinstance(item[0], str):
                    raise ValueError("bad line")
                box = _numbers(item[1], 4)
                hidden = None
                if item[3] is not None:
                    first, last = _numbers(item[3], 2, whole=True)
                    if not 0 <= first <= last < len(item[0]):
                        raise ValueError("bad hidden span")
                    hidden = (int(first), int(last))
                chars = tuple(_numbers(item[4], len(item[4]))) if isinstance(item[4], list) else ()
                if chars and len(chars) != len(item[0]):
                    raise ValueError("bad character scores")
                lines.append(
                    OcrLine(item[0], (box[0], box[1], box[2], box[3]), _numbers([item[2]], 1)[0], hidden, chars)
                )
            return lines

        focus = raw["focus"]
        full = raw["full_lines"]
        second = raw["second_lines"]
        box = None if focus is None else tuple(int(v) for v in _numbers(focus, 4, whole=True))
        second_lines = None if second is None else load(second)
        return cls(
            focus=None if box is None else (box[0], box[1], box[2], box[3]),
            focus_lines=load(raw["focus_lines"]),
            full_lines=None if full is None else load(full),
            second_lines=second_lines,
            spotted=_load_spotted(raw.get("spotted"), len(second_lines or [])),
        )


def _load_spotted(raw: Any, lines: int) -> tuple[str, list[tuple[int, str]]] | None:
    """A reading's spotted sentences from JSON; ValueError for anything malformed."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), str) or not isinstance(raw.get("hits"), list):
        raise ValueError("bad spotted sentences")
    hits = []
    for hit in raw["hits"]:
        if not (isinstance(hit, list) and len(hit) == 2 and isinstance(hit[1], str)):
            raise ValueError("bad spotted sentence")
        index = int(_numbers([hit[0]], 1, whole=True)[0])
        if not 0 <= index < lines:
            raise ValueError("spotted line out of range")
        hits.append((index, hit[1]))
    return raw["rules"], hits


def _numbers(value: Any, count: int, *, whole: bool = False) -> list[float]:
    """``count`` finite JSON numbers (integers when ``whole``), or ValueError."""
    if not isinstance(value, list) or len(value) != count:
        raise ValueError("wrong number of values")
    kinds = (int,) if whole else (int, float)
    for v in value:
        if isinstance(v, bool) or not isinstance(v, kinds) or not math.isfinite(v):
            raise ValueError("not a finite number")
    return [float(v) for v in value]


def _looks_like_an_error(lines: Sequence[OcrLine]) -> bool:
    """Text that reads like an error message, or that the recogniser was unsure of."""
    return any(
        ln.score < LOW_LINE_SCORE or any(word in ln.text for word in ERROR_WORDS) for ln in lines
    )


def result_from_reading(file: str, reading: Reading, rules: RuleSet) -> ShotResult | None:
    """The report row for a reading, or None when more of the picture has to be read.

    Pass 1: the dialog's text, else the whole picture's, as read. Pass 2: the same lines with
    the recogniser's likely misreads undone (:mod:`interceptor.ocr_match`). Pass 3: when the
    picture has a dialog or error-looking text but still no known error, the region read
    again closely (``second_lines``), as read and OCR-aware. Pass 4: rule sentences spotted in
    that closer read's frame probabilities (``spotted``). In passes 3 and 4, a closer line's
    error that the first read refuses in its context is dropped (:func:`_contradicted`).
    """
    first = reading.focus_lines if reading.focus is not None else []
    if reading.focus is not None:
        in_focus = result_from_lines(file, first, rules)
        if in_focus.rules:
            return replace(in_focus, decided_by=1)
    if reading.full_lines is None:
        return None
    whole = result_from_lines(file, reading.full_lines, rules)
    if whole.rules:
        return replace(whole, decided_by=1)
    for lines in (first, reading.full_lines):
        aware = result_from_lines(file, lines, rules, ocr_aware=True)
        if aware.rules:
            return replace(aware, decided_by=2)
    if reading.second_lines is None:
        if reading.focus is not None or _looks_like_an_error(reading.full_lines):
            return None
    else:
        earlier = [*first, *reading.full_lines]
        closer = _closer_result(file, reading.second_lines, earlier, rules)
        if closer.rules:
            return replace(closer, decided_by=3)
        if reading.spotted is None or reading.spotted[0] != rules_fingerprint(rules):
            return None  # the sentences were not looked for with these rules
        hits = [
            (i, rule)
            for i, rule in reading.spotted[1]
            if 0 <= i < len(reading.second_lines) and not _contradicted(rule, reading.second_lines[i], earlier, rules)
        ]
        spotted = _spotted_result(file, reading.second_lines, hits, rules)
        if spotted is not None:
            return spotted
    if reading.focus is None:
        return whole
    # Nothing known anywhere: the dialog's own text is what the picture is about.
    return result_from_lines(file, first, rules)


def _closer_result(file: str, lines: Sequence[OcrLine], first: Sequence[OcrLine], rules: RuleSet) -> ShotResult:
    """Pass 3's row: the closer read as read and OCR-aware, without the lines where the first
    read refuses the rule found (:func:`_contradicted`)."""
    result = result_from_lines(file, lines, rules, ocr_aware=True)
    if not result.rules:
        return result
    findings, segments = find_errors(lines, rules)
    line_at = {line.box: i for i, line in enumerate(lines)}
    refused = {
        line_at[segments[k].box]
        for f in findings
        for k in f.segments
        if segments[k].box in line_at and _contradicted(f.match.rule.id, lines[line_at[segments[k].box]], first, rules)
    }
    if not refused:
        return result
    return result_from_lines(file, [ln for i, ln in enumerate(lines) if i not in refused], rules, ocr_aware=True)


def _contradicted(rule_id: str, line: OcrLine, first: Sequence[OcrLine], rules: RuleSet) -> bool:
    """Whether the first read refuses what a closer look found in ``line``.

    The first read may have read the same words in a longer line, where the classifier saw
    their context: 提示：户籍性质为空的人员请先…维护户籍性质 is a form's hint (the rule's
    ``exclude``), not the error a closer look that only found 户辅性质为空的 would report. Each
    first-read line over the same place gets the rule's sentence put where it best fits; if the
    classifier then still refuses the rule there, the closer look is overruled. A first-read
    line that resembles none of the rule's sentences says nothing either way.
    """
    from rapidfuzz import fuzz

    rule = rules.get(rule_id)
    sentences = [p for p in (rule.message, *rule.patterns) if "{" not in p]
    for other in first:
        dy = min(line.box[3], other.box[3]) - max(line.box[1], other.box[1])
        dx = min(line.box[2], other.box[2]) - max(line.box[0], other.box[0])
        if dy <= 0.5 * min(line.height, other.height) or dx <= 0.5 * min(line.width, other.width):
            continue
        fits = []
        for sentence in sentences:
            alignment = fuzz.partial_ratio_alignment(sentence, other.text)
            if alignment is not None and alignment.score >= 60:
                fits.append((alignment, sentence))
        if not fits:
            continue
        fit, sentence = max(fits, key=lambda f: f[0].score)
        mended = other.text[: fit.dest_start] + sentence + other.text[fit.dest_end :]
        if not any(m.rule.id == rule_id for m in rules.find_all(mended)):
            return True
    return False


def _spotted_result(
    file: str, lines: Sequence[OcrLine], hits: Sequence[tuple[int, str]], rules: RuleSet
) -> ShotResult | None:
    """Pass 4's row: the rules whose sentence was spotted, in reading order, with the lines as
    the recogniser read them (the sentence itself was not read, so nothing is captured)."""
    ids_known = {rule.id for rule in rules}
    known = [(i, rule) for i, rule in hits if rule in ids_known and 0 <= i < len(lines)]
    if not known:
        return None
    used = [lines[i] for i, _ in known]
    segments = segments_of(used)
    place = {segment.box: segment.index for segment in segments}
    known.sort(key=lambda hit: place.get(lines[hit[0]].box, len(place)))
    ids = list(dict.fromkeys(rule for _, rule in known))
    return ShotResult(
        file=file,
        rule=ids[0],
        rules=ids,
        text=mask(_text_of(segments)),
        region=(
            min(ln.box[0] for ln in used),
            min(ln.box[1] for ln in used),
            max(ln.box[2] for ln in used),
            max(ln.box[3] for ln in used),
        ),
        hidden=_hidden_boxes(segments),
        decided_by=4,
    )


def _second_region(image: Image.Image, reading: Reading) -> tuple[int, int, int, int]:
    """Where to look again: the dialog, else around the error-looking lines, else everywhere."""
    if reading.focus is not None:
        return reading.focus
    suspects = [ln for ln in reading.full_lines or [] if _looks_like_an_error([ln])]
    if not suspects:
        return (0, 0, image.width, image.height)
    margin = 3 * max(ln.height for ln in suspects)
    return (
        max(0, int(min(ln.box[0] for ln in suspects) - margin)),
        max(0, int(min(ln.box[1] for ln in suspects) - margin)),
        min(image.width, int(max(ln.box[2] for ln in suspects) + margin)),
        min(image.height, int(max(ln.box[3] for ln in suspects) + margin)),
    )


# The closer look enlarges the region by this much. The region is read as it is: a smoothed
# look (median filter, for JPEG blocks and moiré) came first until 2026-11-30, when it found
# nothing in any of the 64 closer reads of the training and both held-out splits while costing
# a third of their time (and a median filter can turn a small 非 into 具, leaving the recogniser
# no trace of it for spotting); a 2× look read no more either.
CLOSER_FACTOR = 1.5


def _confirmed(
    hits: list[tuple[int, str]], corrected: Sequence[OcrLine], rules: RuleSet
) -> list[tuple[int, str]]:
    """The spotted sentences that still stand when each corrected line is read with its
    neighbours, as :func:`find_errors` reads every line (a detector's cut, a wrapped line)."""
    if not hits:
        return hits
    findings, segments = find_errors(corrected, rules)
    by_box = {segment.box: segment.index for segment in segments}
    found = {
        (segment_index, f.match.rule.id) for f in findings for segment_index in f.segments
    }
    return [
        (i, rule)
        for i, rule in hits
        if (by_box.get(corrected[i].box), rule) in found
    ]


def _read_closely(
    image: Image.Image, box: tuple[int, int, int, int], engine: OcrEngine, rules: RuleSet
) -> tuple[list[OcrLine], list[tuple[int, str]]]:
    """The region read again, enlarged :data:`CLOSER_FACTOR` and detected at full resolution;
    boxes in the picture's pixels. With the bundled engine, the frame probabilities of lines
    that could hold a sentence are also searched for the rules' sentences
    (:mod:`interceptor.spotting`): the (line index, rule id) pairs found."""
    from PIL import Image as PILImage

    factor = CLOSER_FACTOR
    region = image.crop(box)
    region = region.resize(
        (round(region.width * factor), round(region.height * factor)), PILImage.Resampling.BICUBIC
    )
    hits: list[tuple[int, str]] = []
    if isinstance(engine, RapidOcrEngine):
        from .spotting import spot, worth_spotting

        lines = []
        corrected = []
        read = engine.recognize_frames(region, det_max_side=4096, wanted=lambda text: worth_spotting(text, rules))
        for index, (line, logp) in enumerate(read):
            lines.append(line)
            found = None if logp is None else spot(line.text, logp, engine.classes, rules)
            corrected.append(line if found is None else replace(line, text=found.line))
            if found is not None:
                hits.append((index, found.rule))
        hits = _confirmed(hits, corrected, rules)
    else:
        lines = engine.recognize(region)
    left, top = box[0], box[1]
    placed = [
        replace(
            ln,
            box=(
                ln.box[0] / factor + left,
                ln.box[1] / factor + top,
                ln.box[2] / factor + left,
                ln.box[3] / factor + top,
            ),
        )
        for ln in lines
    ]
    return placed, hits


def read_image(
    image: Image.Image, engine: OcrEngine, rules: RuleSet, reading: Reading | None = None
) -> Reading:
    """OCR a picture, the dialog first; the whole picture only when the dialog is not enough;
    a second, closer read of the region when the first found error-looking text but no rule.

    ``reading`` is a partial earlier reading (from the cache) to complete.
    """
    if reading is None:
        reading = Reading(dialog_region(image))
        if reading.focus is not None:
            left, top = reading.focus[0], reading.focus[1]
            reading.focus_lines = [
                replace(ln, box=(ln.box[0] + left, ln.box[1] + top, ln.box[2] + left, ln.box[3] + top))
                for ln in engine.recognize(image.crop(reading.focus))
            ]
    if result_from_reading("", reading, rules) is None and reading.full_lines is None:
        reading.full_lines = engine.recognize(image)
    if result_from_reading("", reading, rules) is None:
        # A second read that is missing, or whose sentences were looked for with other rules.
        reading.second_lines, hits = _read_closely(image, _second_region(image, reading), engine, rules)
        reading.spotted = (rules_fingerprint(rules), hits)
    return reading


# --- cache -----------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interceptor" / "shots"


_FINGERPRINTS: weakref.WeakKeyDictionary[RuleSet, str] = weakref.WeakKeyDictionary()


def rules_fingerprint(rules: RuleSet) -> str:
    """What a cached verdict depends on besides the picture: the rules and the matching code."""
    known = _FINGERPRINTS.get(rules)
    if known is None:
        known = _FINGERPRINTS[rules] = _fingerprint(rules)
    return known


def _fingerprint(rules: RuleSet) -> str:
    from importlib import resources

    digest = hashlib.sha256()
    for rule in rules:
        dumped = rule.model_dump(mode="json", exclude={"path", "line", "examples"})
        digest.update(json.dumps(dumped, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    package = resources.files("interceptor")
    for module in (
        "classify.py",
        "normalize.py",
        "shots.py",
        "privacy.py",
        "ocr_match.py",
        "ocr_confusions.json",
        "spotting.py",
    ):
        try:
            digest.update(package.joinpath(module).read_bytes())
        except OSError:
            digest.update(module.encode())
    return digest.hexdigest()


def _verdict_to_json(result: ShotResult) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "rules": list(result.rules),
        "captures": dict(result.captures),
        "text": result.text,
        "pass": result.decided_by,
        "region": None if result.region is None else list(result.region),
        "hidden": [list(box) for box in result.hidden],
    }


def _verdict_from_json(file: str, raw: Any) -> ShotResult:
    """A stored verdict as a row for ``file``; ValueError for anything malformed."""
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    rule, rules, captures, text = raw["rule"], raw["rules"], raw["captures"], raw["text"]
    if not (rule is None or isinstance(rule, str)) or not isinstance(text, str):
        raise ValueError("bad rule or text")
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise ValueError("bad rules")
    if not isinstance(captures, dict) or not all(isinstance(v, str) for v in captures.values()):
        raise ValueError("bad captures")
    if not isinstance(raw["hidden"], list):
        raise ValueError("bad hidden boxes")
    decided_by = raw["pass"]
    if decided_by not in (None, 1, 2, 3, 4) or isinstance(decided_by, bool):
        raise ValueError("bad pass")

    def box(value: Any) -> tuple[float, float, float, float]:
        a, b, c, d = _numbers(value, 4)
        return (a, b, c, d)

    return ShotResult(
        file=file,
        rule=rule,
        rules=list(rules),
        captures=dict(captures),
        text=text,
        region=None if raw["region"] is None else box(raw["region"]),
        hidden=[box(h) for h in raw["hidden"]],
        cached=True,
        decided_by=decided_by,
    )


@dataclass
class CacheEntry:
    """A cached reading (its text masked) and the verdict reached on the unmasked text."""

    reading: Reading
    verdict: ShotResult | None = None
    fingerprint: str = ""

    def result(self, file: str, fingerprint: str) -> ShotResult | None:
        """The stored verdict as ``file``'s row, when it was reached with the same rules."""
        if self.verdict is None or self.fingerprint != fingerprint:
            return None
        return replace(self.verdict, file=file, cached=True)


_OLD_FORMAT = re.compile(r"v(\d+)-")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise ValueError("number out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")  # NaN, Infinity


class OcrCache:
    """Readings by file content and engine, one small JSON file each.

    The cache keeps the OCR text **masked** (:func:`~interceptor.privacy.mask`), never as read,
    and the files are owner-only (0600 in 0700 folders). Because masking can hide what a rule
    captures (人员编号为…), each entry also keeps the verdict reached on the unmasked text,
    with a fingerprint of the rules it was reached with: a rerun with the same rules uses it
    and gives the same row as a fresh read; with other rules, the masked text is classified
    again. The key holds the content hash, the engine's name (its settings) and this
    module's cache format. A missing or damaged entry (bad JSON, ``NaN``, ``1e400``, wrong
    types, a truncated file) is a miss: the picture is read again.
    """

    def __init__(self, root: Path, engine_name: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in engine_name)
        self.root = root / f"v{CACHE_FORMAT}-{safe}"
        self._forget_old_formats(root)

    @staticmethod
    def _forget_old_formats(root: Path) -> None:
        """Remove entries of earlier cache formats: up to format 2 they held the text unmasked."""
        try:
            olds = [p for p in root.iterdir() if p.is_dir()]
        except OSError:
            return
        for folder in olds:
            match = _OLD_FORMAT.match(folder.name)
            if match and int(match.group(1)) < CACHE_FORMAT:
                shutil.rmtree(folder, ignore_errors=True)

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> CacheEntry | None:
        try:
            with self._path(digest).open("rb") as handle:
                data = handle.read(MAX_CACHE_ENTRY_BYTES + 1)
            if len(data) > MAX_CACHE_ENTRY_BYTES:
                return None
            raw = json.loads(data.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
            if not isinstance(raw, dict):
                return None
            verdict, fingerprint = raw["verdict"], raw["rules"]
            if not isinstance(fingerprint, str):
                return None
            return CacheEntry(
                Reading.from_json(raw["reading"]),
                None if verdict is None else _verdict_from_json("", verdict),
                fingerprint,
            )
        except Exception:  # any damaged entry (even a RecursionError) is a miss
            return None

    def put(
        self, digest: str, reading: Reading, verdict: ShotResult | None = None, fingerprint: str = ""
    ) -> None:
        """Store ``reading`` masked, with the verdict reached on it under rules ``fingerprint``."""
        path = self._path(digest)
        entry = {
            "reading": reading.masked().to_json(),
            "verdict": None if verdict is None else _verdict_to_json(verdict),
            "rules": fingerprint,
        }
        try:
            private_dir(path.parent)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            write_private_text(tmp, json.dumps(entry, ensure_ascii=False))
            tmp.replace(path)  # atomic, so a Ctrl-C never leaves half an entry
        except OSError:
            pass  # a read-only or full cache disk must not fail the batch


# --- the batch -----------------------------------------------------------------------------


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Image files under ``paths`` in a stable order, each once.

    Folders are searched recursively for the known image suffixes (sorted by path); files
    named directly are taken whatever their suffix, so a mislabelled file gets a row saying
    why it cannot be read instead of silently vanishing.
    """
    seen: set[Path] = set()
    out: list[Path] = []

    def add(p: Path) -> None:
        key = p.resolve() if p.exists() else p.absolute()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for found in sorted(p.rglob("*"), key=lambda x: x.as_posix()):
                if found.suffix.lower() in IMAGE_SUFFIXES and found.is_file():
                    add(found)
        else:
            add(p)
    return out


_ENGINES: dict[Any, OcrEngine] = {}
_WORKER_RULES: list[RuleSet] = []


def _engine(factory: EngineFactory) -> OcrEngine:
    """The engine for ``factory``, created once per process (models take a second to load)."""
    engine = _ENGINES.get(factory)
    if engine is None:
        engine = _ENGINES[factory] = factory()
    return engine


def _worker_init(factory: EngineFactory, rules: RuleSet) -> None:
    # Ctrl-C is the parent's business: it stops handing out work and writes the reports.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_RULES[:] = [rules]
    _engine(factory)


def ocr_file(
    path: str, factory: EngineFactory, rules: RuleSet, partial: Reading | None = None
) -> tuple[Reading | None, str | None]:
    """(reading, None) or (None, why the file cannot be read). Never raises for a bad file."""
    try:
        data = read_input(path)
    except UnreadableImage as exc:
        return None, str(exc)
    return ocr_bytes(data, path, lambda: _engine(factory), rules, partial)


def ocr_bytes(
    data: bytes, name: str, engine: Callable[[], OcrEngine], rules: RuleSet, partial: Reading | None = None
) -> tuple[Reading | None, str | None]:
    """:func:`ocr_file` for a picture's bytes (a cluster worker may have no path to open);
    ``engine`` gives the engine, asked for only once the picture has loaded; ``name`` is for
    the debug log."""
    try:
        image = load_image(data)
    except UnreadableImage as exc:
        return None, str(exc)
    try:
        return read_image(image, engine(), rules, partial), None
    except Exception as exc:  # one picture that trips the engine must not end the batch
        logger.debug("interceptor: OCR failed on {}: {}", name, exc)
        return None, "文字识别失败：图片可能不完整或已损坏，请重新截图或换一张。"


def _ocr_in_worker(
    path: str, factory: EngineFactory, partial: Reading | None
) -> tuple[Reading | None, str | None]:
    return ocr_file(path, factory, _WORKER_RULES[0], partial)


def _workers_default() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True)
class _DefaultEngineFactory:
    """Picklable factory of the bundled engine with a thread budget per worker."""

    threads: int
    backend: str = "onnxruntime"

    def __call__(self) -> OcrEngine:
        return RapidOcrEngine(threads=self.threads, backend=self.backend)


def check_shots(
    paths: Iterable[str | Path],
    *,
    rules: RuleSet | None = None,
    engine_factory: EngineFactory | None = None,
    workers: int | None = None,
    cache_dir: Path | None = None,
    on_result: Callable[[ShotResult, int, int], None] | None = None,
    engine: str | None = None,
    cluster: str | None = None,
    send: bool = False,
) -> BatchResult:
    """Check every image under ``paths``; the library form of ``interceptor shots``.

    ``engine_factory`` makes the OCR engine (it must be picklable when ``workers`` > 1);
    without one, the bundled RapidOCR runs on ``engine`` (``openvino`` or ``onnxruntime``;
    None: :func:`~interceptor.ocr.pick_backend` chooses, which raises
    :class:`~interceptor.ocr.EngineUnavailable` when none works);
    ``cache_dir`` enables the OCR cache; ``on_result(result, done, total)`` is called as each
    file finishes (the progress bar). A KeyboardInterrupt, from the terminal or raised by
    ``on_result``, stops the batch: what is done is returned with ``interrupted=True`` and
    every file not done gets a row saying so.

    ``cluster`` (``tcp://host:port`` or ``tls://host:port``) reads the pictures on that Dask
    cluster instead of local processes (:mod:`interceptor.cluster`; ``workers`` is then unused,
    and the bundled engine runs one thread per Dask worker thread); its workers open the same
    paths, or with ``send`` get the pictures' bytes from here. Raises
    :class:`~interceptor.cluster.ClusterUnavailable` when the cluster cannot be used.
    """
    from .classify import load_rules

    if send and cluster is None:
        raise ValueError("send=True needs a cluster")
    if cluster is not None:
        from .cluster import check_address

        check_address(cluster)  # a mistyped address is said before any file is read
    ruleset = rules if rules is not None else load_rules()
    files = collect_files(paths)
    n_workers = max(1, workers or _workers_default())
    # This machine cannot see the workers' cores: on a cluster the engine gets one thread per
    # Dask worker thread, so `dask worker --nworkers CORES --nthreads 1` uses each core once.
    threads = 1 if cluster is not None else default_threads(n_workers)
    factory = engine_factory or _DefaultEngineFactory(threads, pick_backend(engine))
    total = len(files)
    results: list[ShotResult | None] = [None] * total
    done = 0
    cache: OcrCache | None = None
    digests: list[str | None] = [None] * total

    def finish(i: int, result: ShotResult) -> None:
        nonlocal done
        results[i] = result
        done += 1
        if on_result is not None:
            on_result(result, done, total)

    def deliver(i: int, reading: Reading | None, error: str | None) -> None:
        name = str(files[i])
        result = None if reading is None else result_from_reading(name, reading, ruleset)
        if result is None:
            finish(i, ShotResult(file=name, error=error or "无法识别。"))
            return
        digest = digests[i]
        if cache is not None and digest is not None and reading is not None:
            cache.put(digest, reading, result, fingerprint)
        finish(i, result)

    interrupted = False
    pending: list[tuple[int, Reading | None]] = []
    fingerprint = ""
    try:
        if cache_dir is not None:
            cache = OcrCache(cache_dir, _engine_name(factory))
            fingerprint = rules_fingerprint(ruleset)
        for i, path in enumerate(files):
            try:
                data = read_input(path)
            except UnreadableImage as exc:  # a device, a FIFO, a huge file: one row, go on
                finish(i, ShotResult(file=str(path), error=str(exc)))
                continue
            digest = digests[i] = hashlib.sha256(data).hexdigest()
            del data
            entry = cache.get(digest) if cache is not None else None
            cached = None if entry is None else entry.reading
            result = None
            if entry is not None:
                # The verdict of the unmasked text; with other rules, the masked text again.
                result = entry.result(str(path), fingerprint) or result_from_reading(
                    str(path), entry.reading, ruleset
                )
            if result is not None:
                result.cached = True
                finish(i, result)
            else:
                # Not cached, or cached from a run whose rules did not need the whole picture.
                pending.append((i, cached))
        if cluster is not None and pending:
            from .cluster import read_on_cluster

            jobs = [(i, str(files[i]), partial) for i, partial in pending]
            read_on_cluster(
                cluster, jobs, read=ocr_bytes, factory=factory, rules=ruleset, deliver=deliver, send=send
            )
        elif n_workers == 1 or len(pending) <= 1:
            for i, partial in pending:
                reading, error = ocr_file(str(files[i]), factory, ruleset, partial)
                deliver(i, reading, error)
        else:
            _run_pool(pending, files, factory, ruleset, min(n_workers, len(pending)), deliver)
    except KeyboardInterrupt:
        interrupted = True
    final = [
        r if r is not None else ShotResult(file=str(files[i]), error="批处理被中断，此文件未识别。", skipped=True)
        for i, r in enumerate(results)
    ]
    return BatchResult(final, interrupted)


def _engine_name(factory: EngineFactory) -> str:
    # Engines are named by their settings; building one to learn its name would load models,
    # so the bundled factory answers directly.
    if isinstance(factory, _DefaultEngineFactory):
        return RapidOcrEngine.describe(backend=factory.backend)
    return _engine(factory).name


def _run_pool(
    pending: list[tuple[int, Reading | None]],
    files: list[Path],
    factory: EngineFactory,
    rules: RuleSet,
    workers: int,
    deliver: Callable[[int, Reading | None, str | None], None],
) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(factory, rules))
    futures: dict[Future[tuple[Reading | None, str | None]], int] = {}
    try:
        # Submitted in order so results arrive roughly in order and the bar moves steadily.
        for i, partial in pending:
            futures[pool.submit(_ocr_in_worker, str(files[i]), factory, partial)] = i
        remaining = set(futures)
        while remaining:
            finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: futures[f]):
                try:
                    reading, error = future.result()
                except Exception as exc:  # a worker that died (out of memory, killed)
                    reading, error = None, f"识别进程异常退出：{exc}。"
                deliver(futures[future], reading, error)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- command line ------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``interceptor shots``: check screenshots, print a summary, write the reports."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from . import report
    from .classify import load_rules

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        for p in missing:
            err.print(f"找不到 {p}：请检查文件或文件夹的名字是否写对。", markup=False)
        return 2
    rules = load_rules(getattr(args, "rules", None))
    files = collect_files(args.paths)
    if not files:
        err.print("没有找到图片（支持 png、jpg、jpeg、webp、bmp）：请检查文件夹里是否有截图。", markup=False)
        return 1
    cluster = getattr(args, "cluster", None)
    if getattr(args, "send", False) and not cluster:
        err.print(
            "--send 要和 --cluster 一起用：请加上集群地址（如 --cluster tcp://192.168.1.20:8786），或去掉 --send。",
            markup=False,
        )
        return 2
    if cluster and args.workers:
        err.print(
            "--workers 不能和 --cluster 一起用：集群的识别进程数由各机器上 dask worker 的 --nworkers 决定，"
            "请去掉 --workers。",
            markup=False,
        )
        return 2
    if cluster:
        from .cluster import check_address

        check_address(cluster)  # ClusterUnavailable: one sentence, exit 2 (cli.main)
    cache_dir = None if args.no_cache else default_cache_dir()
    try:
        backend = pick_backend(getattr(args, "engine", None))
    except EngineUnavailable as exc:
        err.print(str(exc), markup=False)
        return 2
    with Progress(
        TextColumn("识别截图"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[name]}"),
        console=err,
        transient=True,
        disable=not files,
    ) as progress:
        task = progress.add_task("shots", total=len(files), name="")

        def step(result: ShotResult, done: int, total: int) -> None:
            progress.update(task, completed=done, name=Path(result.file).name)

        batch = check_shots(
            files,
            rules=rules,
            workers=args.workers,
            cache_dir=cache_dir,
            on_result=step,
            engine=backend,
            cluster=cluster,
            send=bool(getattr(args, "send", False)),
        )

    written = report.write_reports(
        batch, rules, json_file=args.json_file, csv_file=args.csv_file, html_file=args.html_file
    )
    out = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    report.print_summary(batch, rules, out)
    for path in written:
        err.print(f"已写入 {path}")
    if batch.interrupted:
        err.print("已中断：已完成的结果已写入报告。")
        return 130
    return 0
