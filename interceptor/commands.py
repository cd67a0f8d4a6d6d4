"""The core sub-commands: ``classify``, ``rules check`` and ``ask`` (no browser needed)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .classify import MAX_TEXT_CHARS, Match, RuleSet, check_rules, load_rules
from .errors import RuleError
from .privacy import mask, mask_captures
from .remedy import remedy_lines
from .rules import FaqEntry
from .wording import confidence

# Readable names of the captures the bundled rules declare.
CAPTURE_LABELS = {"person_no": "人员编号"}


def _load(args: argparse.Namespace) -> RuleSet | None:
    try:
        return load_rules(getattr(args, "rules", None))
    except RuleError as exc:
        print(exc.location_text(), file=sys.stderr)
        print("规则文件有问题，请先运行 interceptor rules check。", file=sys.stderr)
        return None


# What a clerk's Windows PC writes when it is not UTF-8: GBK, whose superset GB18030 decodes it.
LEGACY_ENCODING = "gb18030"
# How much of a long text is echoed back (the classifier looks at MAX_TEXT_CHARS of it).
SHOWN_CHARS = 200
PROMPT = "请输入或粘贴报错文字，每行一条；输完后按 Ctrl-D 结束（Windows 上按 Ctrl-Z 再按回车）。"


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def decode_input(data: bytes) -> tuple[str, str | None]:
    """Bytes from a file or a pipe as text: UTF-8 (with or without BOM), else GBK/GB18030.

    Returns the text and, when it was not plain UTF-8, a sentence saying what was done.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(LEGACY_ENCODING), "输入不是 UTF-8 编码，已按 GBK（GB18030，Windows 中文的常用编码）读取。"
    except UnicodeDecodeError:
        return (data.decode("utf-8", errors="replace"),
                "输入中有既不是 UTF-8、也不是 GBK 的字节，这些字已显示为 �，识别结果可能不准。请把文字另存为 UTF-8 后重试。")


def repair_argument(text: str) -> tuple[str, str | None]:
    """A command-line argument whose bytes were not UTF-8 (Python keeps them as surrogates)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text, None
    return decode_input(text.encode("utf-8", errors="surrogateescape"))


def _input_texts(texts: list[str], stdin: TextIO) -> Iterator[str]:
    if texts:
        for text in texts:
            repaired, note = repair_argument(text)
            if note:
                _warn(note)
            yield repaired
        return
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:  # a text stream given by a caller (tests, the Python API)
        for line in stdin:
            yield line.rstrip("\r\n")
        return
    if stdin.isatty():
        _warn(PROMPT)
    warned = False
    for raw in buffer:
        line, note = decode_input(raw)
        if note and not warned:
            _warn(note)
            warned = True
        yield line.rstrip("\r\n")


def _shown(text: str) -> str:
    """A text as echoed back: long ones cut, with how long they were."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:SHOWN_CHARS]}…（共 {len(text)} 个字，只显示前 {SHOWN_CHARS} 个）"


def _classify_record(text: str, match: Match | None, masked: bool) -> dict[str, Any]:
    shown = _shown(mask(text) if masked else text)
    if match is None:
        return {"text": shown, "rule": None, "title": None, "remedy": None, "captures": {}, "score": 0.0}
    record = {"text": shown, **match.to_dict()}
    if masked:
        record["captures"] = mask_captures(record.get("captures") or {})
    return record


def _classify_readable(record: dict[str, Any], match: Match | None) -> str:
    lines = [f"报错：{record['text']}" if record["text"].strip() else "报错：（空）"]
    if match is None:
        lines.append("未识别：规则表中没有这条报错，暂无处理方法。")
        return "\n".join(lines)
    lines.append(f"识别：{match.rule.title}（{confidence(match.score)}）")
    lines += [f"{CAPTURE_LABELS.get(name, name)}：{value}" for name, value in record["captures"].items()]
    lines += remedy_lines(match.rule.remedy)
    return "\n".join(lines)


def run_classify(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    ruleset = _load(args)
    if ruleset is None:
        return 2
    first = True
    for text in _input_texts(args.texts, stdin or sys.stdin):
        if len(text) > MAX_TEXT_CHARS:
            _warn(f"这段文字有 {len(text)} 个字，太长了：只识别了前 {MAX_TEXT_CHARS} 个字。")
        match = ruleset.classify(text)
        record = _classify_record(text, match, masked=not args.no_mask)
        if args.json:
            # ensure_ascii keeps every byte valid UTF-8, whatever the input held.
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8") + "\n")
        else:
            out.write(("" if first else "\n") + _classify_readable(record, match) + "\n")
        first = False
        out.flush()
    return 0


def run_rules_check(args: argparse.Namespace) -> int:
    problems = check_rules(args.paths or None)
    for problem in problems:
        print(problem.location_text())
    if problems:
        print(f"发现 {len(problems)} 个问题，请按上面的行号逐个修改后再运行 interceptor rules check。", file=sys.stderr)
        return 1
    ruleset = load_rules(args.paths or None)
    examples = sum(len(r.examples.match) + len(r.examples.no_match) for r in ruleset.rules)
    examples += sum(len(q.examples.match) + len(q.examples.no_match) for q in ruleset.questions)
    print(f"检查通过：{len(ruleset.rules)} 条规则、{len(ruleset.questions)} 个常见问题，{examples} 个例子全部通过。")
    return 0


def _answer_record(entry: FaqEntry, score: float) -> dict[str, Any]:
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "score": round(score / 100, 3),
    }


def _answer_readable(answers: Iterable[tuple[FaqEntry, float]]) -> str:
    blocks = []
    for n, (entry, score) in enumerate(answers, 1):
        lines = [f"{n}. 问：{entry.question}（{confidence(score / 100)}）", f"   答：{entry.answer}"]
        lines += [f"   菜单路径：{' › '.join(p)}" for p in entry.menu_paths]
        lines += [f"   联系电话：{c.name} {c.phone or ''}".rstrip() for c in entry.contacts]
        lines += [f"   地址：{a}" for a in entry.addresses]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def run_ask(args: argparse.Namespace) -> int:
    ruleset = _load(args)
    if ruleset is None:
        return 2
    question = " ".join(args.question)
    answers = ruleset.ask(question, limit=args.limit)
    if args.json:
        print(json.dumps([_answer_record(e, s) for e, s in answers], ensure_ascii=False))
    elif answers:
        print(_answer_readable(answers))
    else:
        print("没有找到把握足够的答案。请换个说法，或咨询经办机构。")
    return 0
