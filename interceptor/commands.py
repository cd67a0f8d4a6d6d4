"""The core sub-commands: ``classify``, ``rules check`` and ``ask`` (no browser needed)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .classify import Match, RuleSet
from .errors import RuleError
from .privacy import mask
from .remedy import remedy_lines
from .rules import FaqEntry, check_rules, load_rules
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


def _input_texts(texts: list[str], stdin: TextIO) -> Iterator[str]:
    if texts:
        yield from texts
        return
    for line in stdin:
        yield line.rstrip("\r\n")


def _classify_record(text: str, match: Match | None, masked: bool) -> dict[str, Any]:
    shown = mask(text) if masked else text
    if match is None:
        return {"text": shown, "rule": None, "title": None, "remedy": None, "captures": {}, "score": 0.0}
    return {"text": shown, **match.to_dict()}


def _classify_readable(record: dict[str, Any], match: Match | None) -> str:
    lines = [f"报错：{record['text']}" if record["text"].strip() else "报错：（空）"]
    if match is None:
        lines.append("未识别：规则表中没有这条报错，暂无处理方法。")
        return "\n".join(lines)
    lines.append(f"识别：{match.rule.title}（{confidence(match.score)}）")
    lines += [f"{CAPTURE_LABELS.get(name, name)}：{value}" for name, value in match.captures.items()]
    lines += remedy_lines(match.rule.remedy)
    return "\n".join(lines)


def run_classify(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    ruleset = _load(args)
    if ruleset is None:
        return 2
    first = True
    for text in _input_texts(args.texts, stdin or sys.stdin):
        match = ruleset.classify(text)
        record = _classify_record(text, match, masked=not args.no_mask)
        if args.json:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
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
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    ruleset = load_rules(args.paths or None)
    examples = sum(len(r.examples.match) + len(r.examples.no_match) for r in ruleset.rules)
    examples += sum(len(q.examples.match) + len(q.examples.no_match) for q in ruleset.questions)
    print(f"OK: {len(ruleset.rules)} rules, {len(ruleset.questions)} questions, {examples} examples passed.")
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
        lines = [f"{n}. 问：{entry.question}  [{entry.id} · {score / 100:.2f}]", f"   答：{entry.answer}"]
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
    answers = ruleset.ask(question, limit=max(1, args.limit))
    if args.json:
        print(json.dumps([_answer_record(e, s) for e, s in answers], ensure_ascii=False))
    elif answers:
        print(_answer_readable(answers))
    else:
        print("没有找到把握足够的答案。请换个说法，或咨询经办机构。")
    return 0
