"""Check the sentence spotting of ``shots`` (``interceptor/spotting.py``) on rendered lines.

Every text is drawn as one line of a hall banner (Noto Sans CJK, several sizes and colours),
shrunk and saved as a chat JPEG at several qualities, then read by the closer look of
``shots`` with spotting on. Two kinds of text:

* **rivals**: every rule's ``no_match`` examples and every success, info and menu text of
  ``fixtures/text/hall-texts.tsv``; a rule spotted there that the classifier does not find
  in the text itself is a **false positive**, and the figure must stay 0;
* **sentences**: every rule's literal patterns inside a banner (保存失败：… ，请核实。), for the
  share spotted (the classifier alone, on the same reads, is shown beside it).

The held-out split of the screenshot dev set is never used here.

    python scripts/calibrate_spotting.py [--engine openvino|onnxruntime] [--quick] [--rivals-only]
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

from interceptor import RuleSet, load_rules  # noqa: E402
from interceptor.ocr import RapidOcrEngine, pick_backend  # noqa: E402
from interceptor.shots import _read_closely, result_from_lines  # noqa: E402

HALL_TEXTS = REPO / "fixtures" / "text" / "hall-texts.tsv"
# (text colour, background): black on white, Element's error red on pink, layer's grey, a
# dimmed dialog's dark grey.
COLOURS = (
    ((32, 32, 32), (255, 255, 255)),
    ((245, 108, 108), (254, 240, 240)),
    ((102, 102, 102), (248, 248, 248)),
)


@dataclass(frozen=True)
class Condition:
    size: int  # font pixels as drawn
    shrink: float  # then scaled by this (a chat app shrinking the picture)
    quality: int  # JPEG quality of the copy
    colour: int  # index into COLOURS


QUICK = (Condition(13, 0.6, 40, 1), Condition(14, 0.55, 50, 0), Condition(12, 0.7, 30, 2))
FULL = tuple(
    Condition(size, shrink, quality, colour)
    for size in (12, 14, 16)
    for shrink in (0.5, 0.6, 0.75)
    for quality in (30, 50, 70)
    for colour in range(len(COLOURS))
)


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont:
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not path or "CJK" not in path:
        raise SystemExit("找不到 Noto Sans CJK 字体：请先安装 fonts-noto-cjk（make setup 会装）。")
    return ImageFont.truetype(path, size)


def render(text: str, condition: Condition) -> Image.Image:
    """``text`` as a chat copy of one banner line under ``condition``."""
    ink, paper = COLOURS[condition.colour]
    face = font(condition.size)
    width = int(face.getlength(text)) + 4 * condition.size
    height = 3 * condition.size
    image = Image.new("RGB", (width, height), paper)
    ImageDraw.Draw(image).text((2 * condition.size, condition.size // 2), text, fill=ink, font=face)
    small = image.resize(
        (max(8, round(width * condition.shrink)), max(8, round(height * condition.shrink))),
        Image.Resampling.BILINEAR,
    )
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=condition.quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def rival_texts(rules: RuleSet) -> list[str]:
    """Texts no rule should be spotted in beyond what the classifier finds in them."""
    texts = [t for rule in rules for t in rule.examples.no_match]
    with HALL_TEXTS.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        next(rows)
        texts += [row[0] for row in rows if len(row) > 1 and row[1] != "error" and "{" not in row[0]]
    return list(dict.fromkeys(t for t in texts if t.strip()))


def sentences(rules: RuleSet) -> list[tuple[str, str]]:
    """(rule id, banner text) for every literal pattern of an error rule."""
    return [
        (rule.id, f"保存失败：{pattern}，请核实。")
        for rule in rules
        if rule.severity == "error"
        for pattern in rule.patterns
        if "{" not in pattern
    ]


def spotted(image: Image.Image, engine: RapidOcrEngine, rules: RuleSet) -> tuple[set[str], set[str]]:
    """(rules spotted, rules the classifier found) in the closer look of ``shots``."""
    lines, hits = _read_closely(image, (0, 0, image.width, image.height), engine, rules)
    return {rule for _, rule in hits}, set(result_from_lines("", lines, rules, ocr_aware=True).rules)


def false_positives(
    engine: RapidOcrEngine, rules: RuleSet, conditions: tuple[Condition, ...], texts: list[str]
) -> Iterator[tuple[str, Condition, set[str]]]:
    """(text, condition, rules spotted that the text does not hold) for every wrong spot."""
    for text in texts:
        allowed = {m.rule.id for m in rules.find_all(text)}
        for condition in conditions:
            found, _ = spotted(render(text, condition), engine, rules)
            if found - allowed:
                yield text, condition, found - allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("openvino", "onnxruntime"))
    parser.add_argument("--quick", action="store_true", help="three conditions instead of 81")
    parser.add_argument("--rivals-only", action="store_true", help="the false-positive check alone")
    args = parser.parse_args(argv)
    engine = RapidOcrEngine(backend=pick_backend(args.engine))
    rules = load_rules()
    conditions = QUICK if args.quick else FULL
    rivals = rival_texts(rules)
    wrong = list(false_positives(engine, rules, conditions, rivals))
    for text, condition, found in wrong:
        print(f"FALSE POSITIVE {sorted(found)} in {text!r} {condition}")
    print(f"rivals: {len(rivals)} texts × {len(conditions)} conditions, {len(wrong)} false positives")
    if args.rivals_only:
        return 1 if wrong else 0
    total = by_spotting = by_classifier = 0
    for rule_id, text in sentences(rules):
        for condition in conditions:
            found, classified = spotted(render(text, condition), engine, rules)
            total += 1
            by_classifier += rule_id in classified
            by_spotting += rule_id in classified or rule_id in found
    print(
        f"sentences: {total} reads; classifier alone {by_classifier} ({by_classifier / total:.1%}), "
        f"with spotting {by_spotting} ({by_spotting / total:.1%})"
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
