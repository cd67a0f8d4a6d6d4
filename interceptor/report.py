"""Reports of a screenshot batch: JSON, flat CSV, a self-contained HTML page, terminal summary.

Every text in a report comes from ``shots`` already masked, and is masked once more here
(:mod:`interceptor.privacy`: 身份证, mobiles, bank cards, labelled numbers and names, captures
by their name), so a row built by other code cannot leak either; file names are masked too.
The HTML page is rendered by Jinja with autoescaping on, so text read off a screenshot is
always shown as text, never interpreted as markup; thumbnails are embedded as small JPEG
data URLs so the page can be mailed or archived on its own. Links to the screenshots are
relative (``./…``) and percent-encoded, so no file name (``javascript:alert(1).png``, one
with ``"`` or ``<``) becomes a script link or leaves its attribute; a file whose name holds
personal data gets no link. CSV cells that a spreadsheet would run as a formula (starting
with ``= + - @``, a tab or a carriage return) get a leading ``'``. Report files are
owner-only (0600; folders we create 0700).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from .files import write_private_text
from .privacy import mask, mask_captures, mask_data
from .remedy import html_env, rows_json

if TYPE_CHECKING:
    from PIL import Image
    from rich.console import Console

    from .classify import RuleSet
    from .shots import BatchResult, ShotResult

CSV_FIELDS = ("file", "rule", "title", "rules", "captures", "text", "error", "pass")
THUMB_SIZE = (360, 240)
ZOOM_SIZE = (640, 120)
UNKNOWN = "unknown"
UNREADABLE = "error"
SKIPPED = "skipped"


# What a spreadsheet would take for the start of a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(r: ShotResult) -> dict[str, Any]:
    """A report row with personal data masked (text, file name, captures by their name)."""
    row = r.to_dict()
    row["captures"] = mask_captures(r.captures)
    masked = cast(dict[str, Any], mask_data({k: v for k, v in row.items() if k != "captures"}))
    return {**masked, "captures": row["captures"]}


def to_json(batch: BatchResult) -> str:
    rows = [_row(r) for r in batch.results]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def csv_cell(value: str) -> str:
    """``value`` made safe for a spreadsheet: a leading ``'`` keeps a formula as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


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
        row = _row(r)
        cells = {
            "file": row["file"],
            "rule": row["rule"] or "",
            "title": _title(rules, r.rule),
            "rules": ";".join(row["rules"]),
            "captures": "; ".join(f"{k}={v}" for k, v in row["captures"].items()),
            "text": row["text"].replace("\r", " ").replace("\n", " | "),
            "error": row["error"] or "",
            "pass": "" if row["pass"] is None else row["pass"],
        }
        writer.writerow({k: csv_cell(str(v)) for k, v in cells.items()})
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
    from .images import UnreadableImage, load_image, read_input

    try:
        image = load_image(read_input(path))
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
            cards.append(
                {
                    "file": mask(r.file),
                    "href": screenshot_href(r.file, base),
                    "thumb": thumb,
                    "zoom": zoom,
                    "text": mask(r.text),
                    "error": mask(r.error) if r.error else r.error,
                    "captures": mask_captures(r.captures),
                    "rules": [{**rules.get(i).to_dict(), "rows": rows_json(rules.get(i).remedy)}
                              for i in r.rules if i in _ids(rules)],
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


def screenshot_href(file: str, base: Path | None) -> str | None:
    """A link from the report in ``base`` to ``file``: relative, ``./``-prefixed, percent-encoded.

    The ``./`` and the encoding of ``:`` make sure the link is a path, never a scheme such as
    ``javascript:``; ``"``, ``<`` and the like are encoded too. None when there is no folder to
    link from, the file is on another drive, or its name holds personal data.
    """
    if base is None or mask(file) != file:
        return None
    try:
        relative = Path(os.path.relpath(Path(file).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return None
    return "./" + quote(relative, safe="/")


def _ids(rules: RuleSet) -> set[str]:
    return {rule.id for rule in rules}


def to_html(batch: BatchResult, rules: RuleSet, *, base: Path | None = None, thumbnails: bool = True) -> str:

    # Autoescaped (html_env): the page only ever shows text read off pictures as text.
    context = html_context(batch, rules, base=base, thumbnails_wanted=thumbnails)
    return html_env().get_template("shots.html.j2").render(**context)


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
        if kind == "json":
            write_private_text(path, to_json(batch))
        elif kind == "csv":
            # With a byte-order mark Excel opens the Chinese text correctly.
            write_private_text(path, to_csv(batch, rules), encoding="utf-8-sig", newline="")
        else:
            write_private_text(path, to_html(batch, rules, base=path.parent))
        written.append(path)
    return written


def print_summary(batch: BatchResult, rules: RuleSet, console: Console) -> None:
    """One line per file, then the counts per rule."""
    for r in batch.results:
        if r.error:
            console.print(f"{r.file}: 无法读取 — {r.error}", markup=False)
        elif r.skipped:
            console.print(f"{r.file}: 未处理（批处理被中断）", markup=False)
            continue
        elif r.rule:
            titles = "；".join(_title(rules, i) or i for i in r.rules)
            console.print(f"{r.file}: {titles}", markup=False)
        else:
            console.print(f"{r.file}: 未发现已知报错", markup=False)
    counts = batch.counts
    parts = [f"{_title(rules, k) or k} {v}" for k, v in counts.items() if k not in (UNKNOWN, UNREADABLE, SKIPPED)]
    parts.append(f"未识别 {counts.get(UNKNOWN, 0)}")
    parts.append(f"无法读取 {counts.get(UNREADABLE, 0)}")
    if counts.get(SKIPPED):
        parts.append(f"未处理 {counts[SKIPPED]}")
    console.print(f"共 {len(batch.results)} 张：" + "，".join(parts), markup=False)
