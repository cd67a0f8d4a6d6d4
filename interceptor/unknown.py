"""``interceptor unknown``: the errors no rule knows, grouped, and rule drafts for them.

Reads what the other commands leave behind — event logs (JSON Lines from ``launch``,
``attach(log=...)``), a recording's ``events.json``, ``replay --json`` and ``shots --json``
reports, or folders holding them — as :class:`Occurrence` objects (also used by
``interceptor stats``). A file that is none of these gets one sentence and the rest is read.

Unknown errors (rule ``null``, and still unknown to the current rule table) are grouped by
:func:`interceptor.fingerprint.fingerprint`, so one message with other flow numbers, codes,
dates or names is one group. ``--draft FILE`` writes a rule skeleton per group: a suggested
id, the pattern with slots, the samples as ``match`` examples, a near miss, and an empty
remedy. An empty remedy is refused by the rule loader (``who``, ``summary`` and ``steps``
must not be empty), so ``rules check`` reports the draft with ``path:line`` and no classifier
loads it until the author has written the remedy.

Every text that leaves this module is masked (:mod:`interceptor.privacy`, plus a name in
front of a bracketed ID, which the hall writes as ``张三（320102…）``).

Over 400 lines because it reads four kinds of input (event logs, events.json, replay and
shots reports), each with its own sentence for a bad file; :mod:`interceptor.stats` reuses it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .files import write_private_text
from .fingerprint import fingerprint, parse, pattern_with_slots
from .messages import looks_like_error
from .privacy import mask, mask_captures

if TYPE_CHECKING:
    from .classify import RuleSet

MAX_TEXTS = 5  # distinct samples kept per group
MAX_WHERE = 5
MAX_FILE_BYTES = 200_000_000
_SUFFIXES = (".jsonl", ".json")
_HAN = r"\u3400-\u9fff\uf900-\ufaff"
# 张三（320102…） / 张三(**************1234): a name the hall puts in front of an ID.
_NAME_BEFORE_ID = re.compile(r"(?<![" + _HAN + r"])([" + _HAN + r"])([" + _HAN + r"]{1,3})(?=\s*[（(]\s*[0-9*]{6,})")
# A masked number (an ID, a 人员编号 …) in a masked text: who the error was about.
_MASKED_NUMBER = re.compile(r"\*{3,}[ *]*[0-9Xx]{1,4}")
_PERSON_KEYS = ("person_no", "id", "id_number", "idno", "name")
# Lines of a screenshot that are a dialog's title or buttons, not its message.
_NOT_A_MESSAGE = frozenset({"错误", "错误提示", "提示", "系统提示", "消息提示", "警告", "确定", "取消", "关闭", "知道了"})


@dataclass(frozen=True)
class Occurrence:
    """One error as a log or report recorded it; ``text`` and ``where`` are masked."""

    text: str
    rule: str | None
    time: float
    where: str  # the frame's page path (and #/route), or the screenshot file
    origin: str  # "event", "replay" or "shot"
    shown: bool = False  # its remedy card was drawn
    severity: str = "error"
    person: str | None = None  # a masked ID, 人员编号 or name the error was about
    file: str = ""


@dataclass
class Inputs:
    """Everything read from the inputs, and one sentence per file that could not be read."""

    occurrences: list[Occurrence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files: int = 0  # files read (at least in part)


@dataclass
class Group:
    """Unknown errors with one fingerprint."""

    fingerprint: str
    count: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0
    where: Counter[str] = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)  # distinct, masked, first seen first

    @property
    def sample(self) -> str:
        return self.texts[0] if self.texts else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "count": self.count,
            "first_seen": stamp(self.first_seen),
            "last_seen": stamp(self.last_seen),
            "where": [w for w, _ in self.where.most_common(MAX_WHERE)],
            "sample": self.sample,
            "texts": list(self.texts[:MAX_TEXTS]),
        }


# --- reading ----------------------------------------------------------------------------


def mask_text(text: str) -> str:
    """``text`` with personal data masked, a name before a bracketed ID included (张*)."""
    return _NAME_BEFORE_ID.sub(lambda m: m.group(1) + "*" * len(m.group(2)), mask(text))


def stamp(seconds: float) -> str:
    """A time as a clerk reads it: local ``YYYY-MM-DD HH:MM:SS``."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def day_of(seconds: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(seconds))


def parse_day(value: str) -> date:
    """``--since``: 2026-11-30, 2026/11/30, 2026.11.30, 20261130 or 2026年11月30日."""
    digits = re.findall(r"[0-9]+", value)
    if len(digits) == 1 and len(digits[0]) == 8:
        digits = [digits[0][:4], digits[0][4:6], digits[0][6:]]
    try:
        if len(digits) != 3 or len(digits[0]) != 4:
            raise ValueError(value)
        return date(int(digits[0]), int(digits[1]), int(digits[2]))
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期 {value!r} 看不懂，请写成 2026-11-30 这样的年-月-日。") from None


def page_of(url: str) -> str:
    """Where an error was shown: the URL's path, and its ``#/route`` for single-page apps;
    no host, query or personal data."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    path = parts.path or "/"
    if parts.scheme in ("http", "https") and parts.fragment.startswith(("/", "!/")):
        path += "#" + parts.fragment.split("?", 1)[0]
    return mask(path)


def _files(paths: Sequence[Path], problems: list[str]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES)
            if not found:
                problems.append(f"{mask(str(path))}：文件夹里没有事件日志（*.jsonl）或报告（*.json）。")
            yield from found
        elif path.is_file():
            yield path
        else:
            problems.append(f"{mask(str(path))}：文件不存在。")


def read_inputs(paths: Iterable[str | Path], rules: RuleSet | None = None, *, since: date | None = None) -> Inputs:
    """Every error in the given logs, reports and folders, oldest first.

    A text logged as unknown that the rule table ``rules`` now knows counts as that rule.
    ``since``: leave out what happened before that day (local time)."""
    inputs = Inputs()
    start = time.mktime(since.timetuple()) if since is not None else None
    for path in _files([Path(p) for p in paths], inputs.problems):
        name = mask(str(path))
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                inputs.problems.append(f"{name}：文件太大（超过 200 MB），没有读取。")
                continue
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            inputs.problems.append(f"{name}：无法按 UTF-8 文本读取，已跳过。")
            continue
        found, problem = _read_content(content, path)
        if problem:
            inputs.problems.append(f"{name}：{problem}")
        if found is None:
            continue
        inputs.files += 1
        for occurrence in found:
            if start is not None and occurrence.time < start:
                continue
            inputs.occurrences.append(_reclassified(occurrence, rules))
    inputs.occurrences.sort(key=lambda o: o.time)
    return inputs


def _reclassified(occurrence: Occurrence, rules: RuleSet | None) -> Occurrence:
    if rules is None:
        return occurrence
    if occurrence.rule is None:
        match = rules.classify(occurrence.text)
        if match is None:
            return occurrence
        rule = match.rule
    else:
        try:
            rule = rules.get(occurrence.rule)
        except KeyError:
            return occurrence
    return Occurrence(**{**occurrence.__dict__, "rule": rule.id, "severity": rule.severity})


def _read_content(content: str, path: Path) -> tuple[list[Occurrence] | None, str | None]:
    """The occurrences in one file (None: not ours) and a sentence about what was skipped."""
    mtime = path.stat().st_mtime
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        data = None
        whole = False
    else:
        whole = True
    if whole:
        if isinstance(data, dict) and isinstance(data.get("pages"), list):
            return _from_replay(data["pages"], mtime, str(path))
        if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
            if all("file" in x and "rules" in x for x in data):
                return _from_shots(data, mtime), None
            if all("text" in x and "rule" in x for x in data):  # a recording's events.json
                return [o for x in data if (o := _from_event(x, mtime, "event", str(path)))], None
        if isinstance(data, dict) and "text" in data and "rule" in data:  # a log of one line
            event = _from_event(data, mtime, "event", str(path))
            return ([event] if event else []), None
        if isinstance(data, list) and not data:
            return [], None
        return None, "不是事件日志，也不是 replay 或 shots 的 JSON 报告，已跳过。"
    return _from_lines(content, mtime, str(path))


def _from_lines(content: str, mtime: float, file: str) -> tuple[list[Occurrence] | None, str | None]:
    found: list[Occurrence] = []
    bad = 0
    lines = 0
    for line in content.splitlines():
        if not line.strip():
            continue
        lines += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if not isinstance(record, dict):
            bad += 1
            continue
        if "type" in record and "text" not in record:
            continue  # {"type": "dropped", ...}: a flood cut down, no error of its own
        event = _from_event(record, mtime, "event", file)
        if event is None:
            bad += 1
        else:
            found.append(event)
    if lines and not found and bad == lines:
        return None, "不是事件日志，也不是 replay 或 shots 的 JSON 报告，已跳过。"
    if bad:
        return found, f"有 {bad} 行不是事件（可能是写到一半的行），已跳过，其余 {len(found)} 条照常读取。"
    return found, None


def _from_event(record: dict[str, Any], default_time: float, origin: str, file: str,
                where: str = "") -> Occurrence | None:
    text, rule = record.get("text"), record.get("rule")
    if not isinstance(text, str) or not (rule is None or isinstance(rule, str)):
        return None
    moment = record.get("time")
    seconds = float(moment) if isinstance(moment, int | float) and not isinstance(moment, bool) else default_time
    captures = record.get("captures")
    captures = mask_captures({str(k): str(v) for k, v in captures.items()}) if isinstance(captures, dict) else {}
    masked = mask_text(text)
    severity = record.get("severity")
    return Occurrence(
        text=masked,
        rule=rule or None,
        time=seconds,
        where=page_of(str(record.get("frame_url") or "")) or where,
        origin=origin,
        shown=record.get("overlay") is True,
        severity=severity if isinstance(severity, str) else "error",
        person=_person(captures, masked),
        file=file,
    )


def _person(captures: dict[str, str], masked_text: str) -> str | None:
    for key in _PERSON_KEYS:
        if captures.get(key):
            return captures[key]
    found = _MASKED_NUMBER.search(masked_text)
    return found.group(0).replace(" ", "") if found else None


def _from_replay(pages: list[Any], mtime: float, file: str) -> tuple[list[Occurrence] | None, str | None]:
    found: list[Occurrence] = []
    bad = 0
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("events", []), list):
            bad += 1
            continue
        target = page.get("target")
        where = page_of(target) if isinstance(target, str) and "://" in target else mask(str(target or ""))
        for record in page.get("events", []):
            event = _from_event(record, mtime, "replay", file, where) if isinstance(record, dict) else None
            if event is None:
                bad += 1
            else:
                found.append(event)
    return found, (f"有 {bad} 项看不懂，已跳过。" if bad else None)


def _from_shots(rows: list[dict[str, Any]], mtime: float) -> list[Occurrence]:
    found: list[Occurrence] = []
    for row in rows:
        if row.get("error"):
            continue  # an unreadable picture shows no error
        file = mask(str(row.get("file", "")))
        captures = row.get("captures")
        captures = mask_captures({str(k): str(v) for k, v in captures.items()}) if isinstance(captures, dict) else {}
        text = mask_text(str(row.get("text") or ""))
        rules = [r for r in row.get("rules") or [] if isinstance(r, str)]
        for rule in rules:
            found.append(Occurrence(text, rule, mtime, file, "shot", person=_person(captures, text), file=file))
        if not rules:
            message = _shot_message(text)
            if message:
                found.append(Occurrence(message, None, mtime, file, "shot", person=_person({}, message), file=file))
    return found


def _shot_message(text: str) -> str | None:
    """The line of an unknown screenshot that reads as an error (not a title or a button)."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 4 and line not in _NOT_A_MESSAGE and looks_like_error(line):
            return line
    return None


# --- grouping ---------------------------------------------------------------------------


def unknown_groups(occurrences: Iterable[Occurrence]) -> list[Group]:
    """Unknown errors grouped by fingerprint, most frequent first (then the latest)."""
    groups: dict[str, Group] = {}
    for occurrence in occurrences:
        if occurrence.rule is not None or occurrence.severity == "info" or not occurrence.text.strip():
            continue
        key = fingerprint(occurrence.text)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, first_seen=occurrence.time, last_seen=occurrence.time)
        group.count += 1
        group.first_seen = min(group.first_seen, occurrence.time)
        group.last_seen = max(group.last_seen, occurrence.time)
        if occurrence.where:
            group.where[occurrence.where] += 1
        if occurrence.text not in group.texts and len(group.texts) < MAX_TEXTS:
            group.texts.append(occurrence.text)
    return sorted(groups.values(), key=lambda g: (-g.count, -g.last_seen, g.fingerprint))


# --- drafts -----------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted strings."""
    return json.dumps(text, ensure_ascii=False)


def draft_rule(group: Group) -> list[str]:
    """The YAML lines of one rule skeleton (indented for the ``rules:`` list)."""
    pattern = pattern_with_slots(group.texts)
    message = parse(group.sample).original or group.sample
    lines = [
        f"  # {group.count} 次，{stamp(group.first_seen)} 至 {stamp(group.last_seen)}"
        + (f"；出现在 {'、'.join(w for w, _ in group.where.most_common(3))}" if group.where else ""),
    ]
    if not pattern:
        return [*lines, f"  # 原文只有编号和数值（{_q(group.sample)}），写不出模式，已略过。", ""]
    lines += [
        f"  - id: unknown-{group.fingerprint}        # 建议的 id：改成说明这条报错的英文单词，如 system-busy",
        f"    title: {_q(message)}        # 改写成一句说明：这条报错是什么意思",
        f"    message: {_q(message)}",
        "    patterns:",
        f"      - {_q(pattern)}",
        "    # 草稿：处理方法还没有写。下面的 who、summary、steps 写好之前，rules check 会报错，",
        "    # 这条规则也不会被使用。",
        "    remedy:",
        "      who: []                  # 需由谁处理：单位、员工、经办机构（可以写几个）",
        '      summary: ""              # 一两句话说明原因和结果',
        "      steps: []                # 处理步骤，按顺序，一行一步",
        "    source:",
        f"      ref: {_q('本机 interceptor unknown 收集的报错原文（' + str(group.count) + ' 次）')}",
        "      general: true            # 处理方法若来自文件或网页，写进 ref 并删去这一行",
        "    examples:",
        "      match:",
        *[f"        - {_q(text)}" for text in group.texts[:MAX_TEXTS]],
        "      no_match:",
        f"        - {_q('如提示“' + message + '”怎么办')}",
        "",
    ]
    return lines


def draft_yaml(groups: Sequence[Group]) -> str:
    head = [
        "# 规则草稿：由 interceptor unknown --draft 根据未识别的报错生成。",
        "# 每条规则都要写好 remedy（处理方法）、改好 id 和 title，然后运行",
        "#   interceptor rules check 这个文件",
        "# 直到显示 OK，再把规则移到 rules/ 下的规则文件里。写法见 rules/README.md。",
        "rules:",
    ]
    body = [line for group in groups for line in draft_rule(group)]
    if not any(line.startswith("  - id:") for line in body):
        head[-1] = "rules: []"
    return "\n".join([*head, *body]) + "\n"


# --- the command ------------------------------------------------------------------------


def default_inputs() -> list[Path]:
    from .launch import LOG_NAME, default_profile

    return [default_profile() / LOG_NAME]


def load_inputs(args: argparse.Namespace) -> Inputs | None:
    """The inputs of ``unknown`` and ``stats``; None (after saying why) when nothing can be read."""
    from .classify import load_rules
    from .errors import InterceptorError

    paths = [Path(p) for p in args.paths] if args.paths else default_inputs()
    try:
        rules = load_rules()
    except InterceptorError as exc:
        print(f"无法读取规则表：{exc}", file=sys.stderr)
        return None
    if not args.paths and not paths[0].exists():
        print(f"还没有事件日志：{mask(str(paths[0]))}。用 interceptor launch 办理业务后，"
              "这里会记下遇到的报错；也可以指定事件日志、replay 或 shots 的报告。", file=sys.stderr)
        return None
    inputs = read_inputs(paths, rules, since=args.since)
    for problem in inputs.problems:
        print(problem, file=sys.stderr)
    if not inputs.files:
        print("没有读到任何事件日志或报告。", file=sys.stderr)
        return None
    return inputs


def run(args: argparse.Namespace) -> int:
    """``interceptor unknown [PATH ...] [--json] [--since DATE] [--draft FILE]``."""
    inputs = load_inputs(args)
    if inputs is None:
        return 1
    groups = unknown_groups(inputs.occurrences)
    if args.json:
        print(json.dumps([g.to_dict() for g in groups], ensure_ascii=False, indent=2))
    else:
        for line in _readable(groups):
            print(line)
    if args.draft:
        try:
            write_private_text(Path(args.draft), draft_yaml(groups))
        except OSError as exc:
            print(f"无法写入 {args.draft}：{exc.strerror or exc}。", file=sys.stderr)
            return 1
        print(f"已把 {len(groups)} 组的规则草稿写到 {args.draft}；写好处理方法后用 "
              f"interceptor rules check {args.draft} 检查。", file=sys.stderr)
    return 0


def _readable(groups: Sequence[Group]) -> Iterator[str]:
    if not groups:
        yield "没有未识别的报错。"
        return
    total = sum(g.count for g in groups)
    yield f"未识别的报错 {total} 条，共 {len(groups)} 组（次数多的在前）："
    for number, group in enumerate(groups, 1):
        seen = stamp(group.first_seen) if group.count == 1 else f"{stamp(group.first_seen)} 至 {stamp(group.last_seen)}"
        yield f"{number}. {group.count} 次  {seen}  [{group.fingerprint}]"
        if group.where:
            yield f"   出现在：{'、'.join(w for w, _ in group.where.most_common(MAX_WHERE))}"
        yield f"   原文：{group.sample}"
