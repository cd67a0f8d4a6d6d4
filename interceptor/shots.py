"""Batch check of error screenshots: ``interceptor shots PATH...``.

Each image is read by an OCR engine (:mod:`interceptor.ocr`) and its text lines go through
the same :class:`~interceptor.classify.RuleSet` as live pages. OCR is the slow part, so it
runs in worker processes (one engine loaded per process) and its output is cached by the
file's content; classification is cheap and always redone, so a changed rule table takes
effect on a rerun without reading any image again.

The classifier refuses menu words, success toasts and notices by itself; this module's job
is to hand it the right texts: every line as the OCR read it, lines the detector split in
two put back together, and pairs of lines where a banner sentence wrapped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .ocr import OcrEngine, OcrLine, RapidOcrEngine, default_threads
from .privacy import mask

if TYPE_CHECKING:
    from PIL import Image

    from .classify import Match, RuleSet

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp"})
# Larger than any real screen (an 8K screenshot is 33 MP); checked from the header before
# decoding, so a decompression bomb never reaches memory.
MAX_PIXELS = 50_000_000
MAX_SIDE = 20_000
# Bump when the OCR output format or the adapter's behaviour changes.
CACHE_FORMAT = 2

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rule": self.rule,
            "rules": list(self.rules),
            "captures": dict(self.captures),
            "text": self.text,
            "error": self.error,
        }


@dataclass
class BatchResult:
    results: list[ShotResult]
    interrupted: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Screenshots per main rule; ``unknown`` for none found, ``error`` for unreadable."""
        counts: dict[str, int] = {}
        for r in self.results:
            key = "error" if r.error else (r.rule or "unknown")
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
            segments.append(_Segment(line.text, line.box, row_index, len(segments)))
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


def find_errors(lines: Sequence[OcrLine], rules: RuleSet) -> tuple[list[Finding], list[_Segment]]:
    """Known errors in OCR lines, in reading order, and the segments they were read from.

    Each line is classified by itself; then pairs of lines that may hold one sentence (a
    box the detector cut in two, a banner sentence wrapped onto the next line), keeping
    only matches that cross the join, which neither line holds alone.
    """
    segments = segments_of(lines)
    found: list[tuple[tuple[int, int], Finding]] = []
    for segment in segments:
        for match in rules.find_all(segment.text):
            found.append(((segment.index, match.start), Finding(match, (segment.index,))))
    for first in segments:
        for second in segments[first.index + 1 :]:
            if second.row > first.row + 1:
                break
            if not (_same_line(first, second) or _wraps_to(first, second)):
                continue
            joined = first.text + _joiner(first.text, second.text) + second.text
            cut = len(first.text)
            for match in rules.find_all(joined):
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
        if not changed:
            continue
        left, top, right, bottom = segment.box
        step = (right - left) / max(1, len(segment.text))
        # One character of slack on each side: the estimate is rough.
        start = max(left, left + (changed[0] - 1) * step)
        end = min(right, left + (changed[-1] + 2) * step)
        boxes.append((start, top, end, bottom))
    return boxes


def result_from_lines(file: str, lines: Sequence[OcrLine], rules: RuleSet) -> ShotResult:
    """The report row for one image's OCR lines (personal data masked)."""
    findings, segments = find_errors(lines, rules)
    result = ShotResult(file=file, hidden=_hidden_boxes(segments))
    if findings:
        ids: list[str] = []
        for f in findings:
            if f.match.rule.id not in ids:
                ids.append(f.match.rule.id)
        result.rules = ids
        result.rule = ids[0]
        result.captures = {k: mask(v) for k, v in findings[0].match.captures.items()}
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


class UnreadableImage(Exception):
    """The file cannot be checked; the message says why, for the report's ``error`` field."""


def load_image(data: bytes) -> Image.Image:
    """Decode an image for OCR, refusing what is not a sane picture before decoding it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise UnreadableImage("文件为空（0 字节）。")
    too_big = "图片过大（{}×{} 像素），不像屏幕截图，为防止耗尽内存已跳过。"
    try:
        with warnings.catch_warnings():
            # Our own limit below is stricter than Pillow's bomb warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
    except UnidentifiedImageError:
        raise UnreadableImage("不是图片，或图片格式无法识别。") from None
    except Image.DecompressionBombError:
        raise UnreadableImage(too_big.format("极大", "极大")) from None
    except Exception as exc:  # Pillow raises several types for broken headers
        raise UnreadableImage(f"图片文件头已损坏：{exc}。") from None
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise UnreadableImage(too_big.format(width, height))
    if width < 8 or height < 8:
        raise UnreadableImage(f"图片太小（{width}×{height} 像素），无法识别文字。")
    try:
        image.load()
        # Phone photos are stored sideways with an EXIF note saying how to turn them.
        upright: Image.Image = ImageOps.exif_transpose(image) or image
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return upright.convert("RGB")
    except Exception as exc:
        raise UnreadableImage(f"图片数据不完整或已损坏：{exc}。") from None


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

    def to_json(self) -> dict[str, Any]:
        def dump(lines: Sequence[OcrLine]) -> list[Any]:
            return [[ln.text, list(ln.box), ln.score] for ln in lines]

        return {
            "focus": list(self.focus) if self.focus else None,
            "focus_lines": dump(self.focus_lines),
            "full_lines": None if self.full_lines is None else dump(self.full_lines),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Reading:
        def load(items: Any) -> list[OcrLine]:
            return [
                OcrLine(str(t), (float(b[0]), float(b[1]), float(b[2]), float(b[3])), float(sc))
                for t, b, sc in items
            ]

        focus = raw["focus"]
        return cls(
            focus=(int(focus[0]), int(focus[1]), int(focus[2]), int(focus[3])) if focus else None,
            focus_lines=load(raw["focus_lines"]),
            full_lines=None if raw["full_lines"] is None else load(raw["full_lines"]),
        )


def result_from_reading(file: str, reading: Reading, rules: RuleSet) -> ShotResult | None:
    """The report row for a reading, or None when the whole picture still has to be read."""
    in_focus = None
    if reading.focus is not None:
        in_focus = result_from_lines(file, reading.focus_lines, rules)
        if in_focus.rules:
            return in_focus
    if reading.full_lines is None:
        return None
    whole = result_from_lines(file, reading.full_lines, rules)
    if whole.rules or in_focus is None:
        return whole
    # Nothing known anywhere: the dialog's own text is what the picture is about.
    return in_focus


def read_image(
    image: Image.Image, engine: OcrEngine, rules: RuleSet, reading: Reading | None = None
) -> Reading:
    """OCR a picture, the dialog first; the whole picture only when the dialog is not enough.

    ``reading`` is a partial earlier reading (from the cache) to complete.
    """
    if reading is None:
        reading = Reading(dialog_region(image))
        if reading.focus is not None:
            left, top = reading.focus[0], reading.focus[1]
            reading.focus_lines = [
                OcrLine(
                    ln.text, (ln.box[0] + left, ln.box[1] + top, ln.box[2] + left, ln.box[3] + top), ln.score
                )
                for ln in engine.recognize(image.crop(reading.focus))
            ]
    if result_from_reading("", reading, rules) is None:
        reading.full_lines = engine.recognize(image)
    return reading


# --- cache -----------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interceptor" / "shots"


class OcrCache:
    """Readings by file content and engine, one small JSON file each.

    Only OCR output is cached, never the verdict: classification is cheap and redone on every
    run, so a changed rule table takes effect at once. The key holds the content hash, the
    engine's name (its settings) and this module's cache format.
    """

    def __init__(self, root: Path, engine_name: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in engine_name)
        self.root = root / f"v{CACHE_FORMAT}-{safe}"

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> Reading | None:
        try:
            return Reading.from_json(json.loads(self._path(digest).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, IndexError, KeyError):
            return None  # missing or damaged entries are simply recomputed

    def put(self, digest: str, reading: Reading) -> None:
        path = self._path(digest)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(reading.to_json(), ensure_ascii=False), "utf-8")
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
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, f"无法读取文件：{exc.strerror or exc}。"
    try:
        image = load_image(data)
    except UnreadableImage as exc:
        return None, str(exc)
    try:
        return read_image(image, _engine(factory), rules, partial), None
    except Exception as exc:  # one picture that trips the engine must not end the batch
        return None, f"文字识别失败：{exc}。"


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

    def __call__(self) -> OcrEngine:
        return RapidOcrEngine(threads=self.threads)


def check_shots(
    paths: Iterable[str | Path],
    *,
    rules: RuleSet | None = None,
    engine_factory: EngineFactory | None = None,
    workers: int | None = None,
    cache_dir: Path | None = None,
    on_result: Callable[[ShotResult, int, int], None] | None = None,
) -> BatchResult:
    """Check every image under ``paths``; the library form of ``interceptor shots``.

    ``engine_factory`` makes the OCR engine (it must be picklable when ``workers`` > 1);
    ``cache_dir`` enables the OCR cache; ``on_result(result, done, total)`` is called as each
    file finishes (the progress bar). A KeyboardInterrupt, from the terminal or raised by
    ``on_result``, stops the batch: what is done is returned with ``interrupted=True`` and
    every file not done gets a row saying so.
    """
    from .rules import load_rules

    ruleset = rules if rules is not None else load_rules()
    files = collect_files(paths)
    n_workers = max(1, workers or _workers_default())
    factory = engine_factory or _DefaultEngineFactory(default_threads(n_workers))
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
            cache.put(digest, reading)
        finish(i, result)

    interrupted = False
    pending: list[tuple[int, Reading | None]] = []
    try:
        if cache_dir is not None:
            cache = OcrCache(cache_dir, _engine_name(factory))
        for i, path in enumerate(files):
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = None  # ocr_file reports why
            digests[i] = digest
            cached = cache.get(digest) if cache is not None and digest is not None else None
            result = result_from_reading(str(path), cached, ruleset) if cached is not None else None
            if result is not None:
                result.cached = True
                finish(i, result)
            else:
                # Not cached, or cached from a run whose rules did not need the whole picture.
                pending.append((i, cached))
        if n_workers == 1 or len(pending) <= 1:
            for i, partial in pending:
                reading, error = ocr_file(str(files[i]), factory, ruleset, partial)
                deliver(i, reading, error)
        else:
            _run_pool(pending, files, factory, ruleset, min(n_workers, len(pending)), deliver)
    except KeyboardInterrupt:
        interrupted = True
    final = [
        r if r is not None else ShotResult(file=str(files[i]), error="批处理被中断，此文件未识别。")
        for i, r in enumerate(results)
    ]
    return BatchResult(final, interrupted)


def _engine_name(factory: EngineFactory) -> str:
    # Engines are named by their settings; building one to learn its name would load models,
    # so the bundled factory answers directly.
    if isinstance(factory, _DefaultEngineFactory):
        return RapidOcrEngine.describe()
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
    from .rules import load_rules

    err = Console(stderr=True)
    rules = load_rules(getattr(args, "rules", None))
    files = collect_files(args.paths)
    if not files:
        err.print("没有找到图片（支持 png、jpg、jpeg、webp、bmp）。")
    cache_dir = None if args.no_cache else default_cache_dir()
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

        batch = check_shots(files, rules=rules, workers=args.workers, cache_dir=cache_dir, on_result=step)

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
