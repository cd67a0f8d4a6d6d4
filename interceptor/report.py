"""Reports of a screenshot batch: JSON, flat CSV, a self-contained HTML page, terminal summary.

Every text in a report comes from ``shots`` already masked (身份证 and mobile numbers).
The HTML page is rendered by Jinja with autoescaping on, so text read off a screenshot is
always shown as text, never interpreted as markup; thumbnails are embedded as small JPEG
data URLs so the page can be mailed or archived on its own.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image
    from rich.console import Console

    from .classify import RuleSet
    from .shots import BatchResult, ShotResult

CSV_FIELDS = ("file", "rule", "title", "rules", "captures", "text", "error")
THUMB_SIZE = (360, 240)
ZOOM_SIZE = (640, 120)
UNKNOWN = "unknown"
UNREADABLE = "error"


def to_json(batch: BatchResult) -> str:
    return json.dumps([r.to_dict() for r in batch.results], ensure_ascii=False, indent=2) + "\n"


def _title(rules: RuleSet, rule_id: str | None) -> str:
    if not rule_id:
        return ""
    try:
        return rules.get(rule_id).title
    except KeyError:
        return ""


def to_csv(batch: BatchResult, rules: RuleSet) -> str:
    """One row per file; lists and captures flattened into single cells."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for r in batch.results:
        writer.writerow(
            {
                "file": r.file,
                "rule": r.rule or "",
                "title": _title(rules, r.rule),
                "rules": ";".join(r.rules),
                "captures": "; ".join(f"{k}={v}" for k, v in r.captures.items()),
                "text": r.text.replace("\r", " ").replace("\n", " | "),
                "error": r.error or "",
            }
        )
    return buffer.getvalue()


def _data_url(image: Image.Image, size: tuple[int, int]) -> str:
    small = image.copy()
    small.thumbnail(size)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=70, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _pixelate(image: Image.Image, boxes: Sequence[tuple[float, float, float, float]]) -> None:
    from PIL import Image

    for left, top, right, bottom in boxes:
        box = (int(left), int(top), int(right + 1), int(bottom + 1))
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            continue
        patch = image.crop(box)
        tiny = patch.resize((max(1, patch.width // 12), 1), Image.Resampling.BILINEAR)
        image.paste(tiny.resize(patch.size, Image.Resampling.NEAREST), box[:2])


def thumbnails(
    path: str | Path,
    region: tuple[float, float, float, float] | None = None,
    hidden: Sequence[tuple[float, float, float, float]] = (),
) -> tuple[str | None, str | None]:
    """Data URLs of a small JPEG of the whole picture and of a close-up of ``region``.

    ``hidden`` boxes (personal data, masked in the text) are pixelated in both. Either URL is
    None when it cannot be made (unreadable file, no region).
    """
    from .shots import UnreadableImage, load_image

    try:
        image = load_image(Path(path).read_bytes())
    except (OSError, UnreadableImage):
        return None, None
    _pixelate(image, hidden)
    zoom = None
    if region is not None:
        left, top, right, bottom = region
        margin = (bottom - top) * 1.5
        box = (
            max(0, int(left - margin)),
            max(0, int(top - margin)),
            min(image.width, int(right + margin)),
            min(image.height, int(bottom + margin)),
        )
        if box[2] > box[0] and box[3] > box[1]:
            zoom = _data_url(image.crop(box), ZOOM_SIZE)
    return _data_url(image, THUMB_SIZE), zoom


def _category(r: ShotResult) -> str:
    return UNREADABLE if r.error else (r.rule or UNKNOWN)


def html_context(
    batch: BatchResult, rules: RuleSet, *, base: Path | None = None, thumbnails_wanted: bool = True
) -> dict[str, Any]:
    """Everything the HTML template shows, as plain data."""
    order = [rule.id for rule in rules] + [UNKNOWN, UNREADABLE]
    counts = batch.counts
    labels = {UNKNOWN: "未识别（无已知报错）", UNREADABLE: "无法读取"}
    groups = []
    for key in order:
        members = [r for r in batch.results if _category(r) == key]
        if not members and key not in (UNKNOWN, UNREADABLE):
            continue
        cards = []
        for r in members:
            thumb, zoom = (
                thumbnails(r.file, r.region, r.hidden) if thumbnails_wanted and not r.error else (None, None)
            )
            href = None
            if base is not None:
                try:
                    href = Path(os.path.relpath(Path(r.file).resolve(), base.resolve())).as_posix()
                except ValueError:  # another drive on Windows
                    href = None
            cards.append(
                {
                    "file": r.file,
                    "href": href,
                    "thumb": thumb,
                    "zoom": zoom,
                    "text": r.text,
                    "error": r.error,
                    "captures": r.captures,
                    "rules": [rules.get(i).to_dict() for i in r.rules if i in _ids(rules)],
                }
            )
        groups.append(
            {
                "key": key,
                "anchor": f"rule-{key}" if key not in (UNKNOWN, UNREADABLE) else key,
                "label": labels.get(key) or _title(rules, key),
                "count": counts.get(key, 0),
                "cards": cards,
            }
        )
    return {
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "total": len(batch.results),
        "interrupted": batch.interrupted,
        "known": sum(v for k, v in counts.items() if k not in (UNKNOWN, UNREADABLE)),
        "groups": groups,
    }


def _ids(rules: RuleSet) -> set[str]:
    return {rule.id for rule in rules}


def to_html(batch: BatchResult, rules: RuleSet, *, base: Path | None = None, thumbnails: bool = True) -> str:
    from jinja2 import Environment

    # Autoescape for everything: the page only ever shows text read off pictures as text.
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    source = resources.files("interceptor").joinpath("templates", "shots.html.j2").read_text(encoding="utf-8")
    context = html_context(batch, rules, base=base, thumbnails_wanted=thumbnails)
    return env.from_string(source).render(**context)


def write_reports(
    batch: BatchResult,
    rules: RuleSet,
    *,
    json_file: str | Path | None = None,
    csv_file: str | Path | None = None,
    html_file: str | Path | None = None,
) -> list[Path]:
    """Write the requested reports; returns their paths."""
    written: list[Path] = []
    outputs: Sequence[tuple[str | Path | None, str]] = (
        (json_file, "json"),
        (csv_file, "csv"),
        (html_file, "html"),
    )
    for target, kind in outputs:
        if not target:
            continue
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "json":
            path.write_text(to_json(batch), encoding="utf-8")
        elif kind == "csv":
            # With a byte-order mark Excel opens the Chinese text correctly.
            path.write_text(to_csv(batch, rules), encoding="utf-8-sig", newline="")
        else:
            path.write_text(to_html(batch, rules, base=path.parent), encoding="utf-8")
        written.append(path)
    return written


def print_summary(batch: BatchResult, rules: RuleSet, console: Console) -> None:
    """One line per file, then the counts per rule."""
    for r in batch.results:
        if r.error:
            console.print(f"{r.file}: 无法读取 — {r.error}", markup=False)
        elif r.rule:
            titles = "；".join(f"{_title(rules, i)} [{i}]" for i in r.rules)
            console.print(f"{r.file}: {titles}", markup=False)
        else:
            console.print(f"{r.file}: 未发现已知报错", markup=False)
    counts = batch.counts
    parts = [f"{_title(rules, k) or k} {v}" for k, v in counts.items() if k not in (UNKNOWN, UNREADABLE)]
    parts.append(f"未识别 {counts.get(UNKNOWN, 0)}")
    parts.append(f"无法读取 {counts.get(UNREADABLE, 0)}")
    console.print(f"共 {len(batch.results)} 张：" + "，".join(parts), markup=False)
